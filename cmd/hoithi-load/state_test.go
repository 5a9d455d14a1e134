package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// A state as the server writes it: texts that hold quotes, backslashes,
// what looks like JSON, and Vietnamese.
func sampleState(t testing.TB) []byte {
	t.Helper()
	type option struct {
		ID   int64  `json:"id"`
		Text string `json:"text"`
	}
	type question struct {
		ID       int64    `json:"id"`
		Text     string   `json:"text"`
		Multiple bool     `json:"multiple"`
		Options  []option `json:"options"`
	}
	texts := []string{
		`Theo Luật Giao dịch điện tử 2023, "chữ ký điện tử" là gì?`,
		`a \ backslash, and one at the end \`,
		`\\"`,
		`{"id":99,"multiple":true,"options":[{"id":1}]}`,
		"tab\tnew line\n<b>&amp;</b> \u2028",
		strings.Repeat("Thủ tục hành chính trên môi trường điện tử. ", 40),
	}
	var qs []question
	for i := range 20 {
		q := question{ID: int64(1000 + i), Text: texts[i%len(texts)], Multiple: i%3 == 0}
		for j := range 4 {
			q.Options = append(q.Options, option{ID: int64(5000 + 10*i + j), Text: texts[(i+j)%len(texts)]})
		}
		qs = append(qs, q)
	}
	data, err := json.Marshal(map[string]any{
		"type": "state", "attempt_id": 123, "round_id": 4, "status": "in_progress",
		"deadline": "2026-12-07T08:30:00.123Z", "server_time": "2026-12-07T08:10:00Z", "grace_ms": 5000,
		"prediction_prompt": `Bao nhiêu người "trả lời đúng"?`, "questions": qs,
		"answers": map[string][]int64{"1000": {5000}, "1001": {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jsonState is what the load tool read of a state with encoding/json.
type jsonState struct {
	Type      string `json:"type"`
	Deadline  string `json:"deadline"`
	Questions []struct {
		ID       int64 `json:"id"`
		Multiple bool  `json:"multiple"`
		Options  []struct {
			ID int64 `json:"id"`
		} `json:"options"`
	} `json:"questions"`
}

// decodeState reads what encoding/json reads.
func TestDecodeStateReadsWhatEncodingJSONReads(t *testing.T) {
	data := sampleState(t)
	var want jsonState
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != want.Type || got.Deadline != want.Deadline || len(got.Questions) != len(want.Questions) {
		t.Fatalf("got %q %q with %d questions, want %q %q with %d", got.Type, got.Deadline, len(got.Questions),
			want.Type, want.Deadline, len(want.Questions))
	}
	for i, q := range want.Questions {
		var opts []int64
		for _, o := range q.Options {
			opts = append(opts, o.ID)
		}
		w := questionView{ID: q.ID, Multiple: q.Multiple, Options: opts}
		if !reflect.DeepEqual(got.Questions[i], w) {
			t.Errorf("question %d: got %+v, want %+v", i, got.Questions[i], w)
		}
	}
	// The same with space wherever JSON allows it.
	var spaced bytes.Buffer
	if err := json.Indent(&spaced, data, " ", "\t"); err != nil {
		t.Fatal(err)
	}
	again, err := decodeState([]byte(" " + spaced.String() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, got) {
		t.Errorf("indented: got %+v, want %+v", again, got)
	}
}

// Anything cut short or malformed is an error, not a state.
func TestDecodeStateRefusesBrokenMessages(t *testing.T) {
	data := sampleState(t)
	for _, cut := range []int{1, 10, len(data) / 3, len(data) / 2, len(data) - 1} {
		if _, err := decodeState(data[:cut]); err == nil {
			t.Errorf("the first %d of %d bytes: no error", cut, len(data))
		}
	}
	for _, bad := range []string{
		``, `[]`, `{"type":"state"`, `{"type":"state",}`, `{"type":"state"}{}`,
		`{"type":"st\"ate"}`, `{"questions":[{"id":"7"}]}`, `{"questions":[{"id":7,"multiple":1}]}`,
		`{"questions":[{"id":7,"options":[{"id":x}]}]}`, `{"deadline":5}`, `{"x":}`,
		`{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	} {
		if st, err := decodeState([]byte(bad)); err == nil {
			t.Errorf("%s: no error, read %+v", bad, st)
		}
	}
}

// go test ./cmd/hoithi-load -run '^$' -bench State
func BenchmarkState(b *testing.B) {
	data := sampleState(b)
	b.Run("decodeState", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := decodeState(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var st jsonState
			if err := json.Unmarshal(data, &st); err != nil {
				b.Fatal(err)
			}
		}
	})
}
