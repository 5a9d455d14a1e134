package handlers

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestTheStateIsWrittenAsEncodingJSONWritesIt(t *testing.T) {
	var texts jsonTexts
	same := func(t *testing.T, msg stateMsg) {
		t.Helper()
		want, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := texts.marshalState(&msg); !bytes.Equal(got, want) {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	}
	t.Run("a round's state", func(t *testing.T) { same(t, benchState()) })

	t.Run("texts that need escaping", func(t *testing.T) {
		msg := benchState()
		odd := []string{"", `"quoted" \ back\slash`, "<b>in bold</b> & more", "tab\there\nnew line\r\x00\x01\x1f\b\f\x7f",
			"line\u2028separator\u2029", "bad \xff\xfe utf-8", "Tiếng Việt: Điều 9 🇻🇳", "\xe2\x80", "ends in \xe2"}
		for i, s := range odd {
			msg.Questions[i].Text = s
			msg.Questions[i].Options[i%4].Text = s
		}
		msg.PredictionPrompt = "Bao nhiêu người <đúng> hết?"
		same(t, msg)
	})

	t.Run("an edited text is written as it is now", func(t *testing.T) {
		msg := benchState()
		same(t, msg)
		msg.Questions[3].Text = "Câu hỏi đã sửa"
		msg.Questions[3].Options[2].Text = "Phương án đã sửa"
		same(t, msg)
	})

	t.Run("no answers, empty lists", func(t *testing.T) {
		msg := benchState()
		msg.Answers = nil
		msg.Questions[0].Options = nil
		same(t, msg)
		msg.Answers = map[int64][]int64{5: nil, 40: {}, 300: {1, 2}, 1000000000000000: {7}}
		msg.Questions = []stateQuestion{}
		same(t, msg)
		msg.Questions = nil
		same(t, msg)
	})
}
