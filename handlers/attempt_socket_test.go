package handlers

import (
	"encoding/json"
	"slices"
	"testing"

	"hoithi/quiz"
)

// attemptMessageSeeds are frames a contestant's browser sends, and frames
// it should not.
var attemptMessageSeeds = []string{
	`{"type":"answer","seq":1,"question_id":17,"option_ids":[3]}`,
	`{"type":"answer","seq":2,"question_id":17,"option_ids":[3,4,5]}`,
	`{"type":"answer","seq":3,"question_id":17,"option_ids":[]}`,
	`{"type":"submit","seq":4}`,
	`{"type":"submit","seq":5,"prediction":12}`,
	`{"type":"submit","seq":6,"prediction":null}`,
	`{"type":"answer","question_id":17,"option_ids":[3]}`,
	`{"type":"answer","seq":7,"question_id":17}`,
	`{"type":"answer","seq":8,"question_id":17,"option_ids":null}`,
	`{"type":"answer","seq":9,"question_id":"17","option_ids":[3]}`,
	`{"type":"answer","seq":10,"question_id":17,"option_ids":["3"]}`,
	`{"type":"answer","seq":11,"question_id":17,"option_ids":[3.5]}`,
	`{"type":"submit","seq":12,"prediction":"nhiều"}`,
	`{"type":"submit","seq":13,"prediction":1e99}`,
	`{"type":"hello","seq":14}`,
	`{"type":"submit","seq":"15"}`,
	`{"type":"submit","seq":1.5}`,
	`{"type":"submit","seq":-1}`,
	`{"type":"submit","seq":9223372036854775808}`,
	`{"seq":16}`,
	`{"TYPE":"submit","SEQ":17}`,
	`{"type":"submit","seq":18,"seq":19}`,
	`{"type":"answer","seq":20,"question_id":17,"option_ids":[3]`,
	`{"type":"answer","seq":21,`,
	`{}`, `[]`, `null`, `1`, `"answer"`, ``, ` `, `{"type":null}`,
	"{\"type\":\"submit\",\"seq\":22}\x00",
	"\xff\xfe{\"type\":\"submit\",\"seq\":23}",
}

// FuzzDecodeAttemptMessage feeds the attempt socket's decoder any frame:
// it never panics and sorts every frame into a valid message or a
// bad_message error that carries the frame's seq whenever one is readable.
func FuzzDecodeAttemptMessage(f *testing.F) {
	for _, seed := range attemptMessageSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeAttemptMessage(data)

		var head struct {
			Seq *int64 `json:"seq"`
		}
		readable := json.Unmarshal(data, &head) == nil && head.Seq != nil

		if err != nil {
			if code := quiz.ErrorCode(err); code != quiz.CodeBadMessage {
				t.Fatalf("%q: error code %s, want bad_message", data, code)
			}
			if readable && (m.Seq == nil || *m.Seq != *head.Seq) {
				t.Fatalf("%q: refused without its seq %d", data, *head.Seq)
			}
			if m.Seq != nil && (!readable || *m.Seq != *head.Seq) {
				t.Fatalf("%q: refused with seq %d, which the frame does not hold", data, *m.Seq)
			}
			return
		}
		switch {
		case m.Type != "answer" && m.Type != "submit":
			t.Fatalf("%q: accepted as %q, want answer or submit", data, m.Type)
		case m.Seq == nil:
			t.Fatalf("%q: accepted without a seq", data)
		case !readable || *m.Seq != *head.Seq:
			t.Fatalf("%q: accepted with seq %d, which the frame does not hold", data, *m.Seq)
		case m.Type == "answer" && m.OptionIDs == nil:
			t.Fatalf("%q: an answer accepted without option_ids", data)
		}
		// A valid message encoded again decodes to the same message.
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := decodeAttemptMessage(again)
		if err != nil || m2.Type != m.Type || *m2.Seq != *m.Seq || m2.QuestionID != m.QuestionID ||
			!slices.Equal(m2.OptionIDs, m.OptionIDs) || (m2.Prediction == nil) != (m.Prediction == nil) ||
			m.Prediction != nil && *m2.Prediction != *m.Prediction {
			t.Fatalf("%q: decoded as %+v, encoded again as %s and decoded as %+v, %v", data, m, again, m2, err)
		}
	})
}

func TestDecodeAttemptMessage(t *testing.T) {
	seq := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		frame   string
		valid   bool
		wantSeq *int64
	}{
		{`{"type":"answer","seq":1,"question_id":17,"option_ids":[3]}`, true, seq(1)},
		{`{"type":"answer","seq":3,"question_id":17,"option_ids":[]}`, true, seq(3)},
		{`{"type":"submit","seq":5,"prediction":12}`, true, seq(5)},
		{`{"type":"answer","question_id":17,"option_ids":[3]}`, false, nil},
		{`{"type":"answer","seq":7,"question_id":17}`, false, seq(7)},
		{`{"type":"answer","seq":10,"question_id":17,"option_ids":["3"]}`, false, seq(10)},
		{`{"type":"submit","seq":12,"prediction":"nhiều"}`, false, seq(12)},
		{`{"type":"hello","seq":14}`, false, seq(14)},
		{`{"type":"submit","seq":"15"}`, false, nil},
		{`{"type":"answer","seq":20,"question_id":17,"option_ids":[3]`, false, nil},
		{`null`, false, nil},
	} {
		m, err := decodeAttemptMessage([]byte(tc.frame))
		if valid := err == nil; valid != tc.valid {
			t.Errorf("%s: valid %v (%v), want %v", tc.frame, valid, err, tc.valid)
		}
		if (m.Seq == nil) != (tc.wantSeq == nil) || m.Seq != nil && *m.Seq != *tc.wantSeq {
			t.Errorf("%s: seq %v, want %v", tc.frame, m.Seq, tc.wantSeq)
		}
	}
}
