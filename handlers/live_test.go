package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"hoithi/quiz"
)

// The websocket's "error" message says what went wrong in the player's
// language, under the code clients branch on, and nothing of the server's
// own failures.
func TestLiveErrorMessages(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, cat: cat}
	_, _, nickErr := quiz.NormalizeNickname("An\u202eBình")
	for _, tt := range []struct {
		name string
		l    lang
		err  error
		code string
		text string
	}{
		{"a taken nickname, in Vietnamese", lang{langVI, cat}, quiz.Errorf(quiz.CodeNicknameTaken, "taken"), "nickname_taken",
			"Biệt danh này đã có người dùng trong trò chơi. Hãy chọn biệt danh khác."},
		{"a late answer, in English", lang{langEN, cat}, quiz.Errorf(quiz.CodeQuestionClosed, "closed"), "question_closed",
			"The question has closed; the answer does not count."},
		{"an invalid nickname says why", lang{langVI, cat}, nickErr, "invalid_nickname",
			"Biệt danh không dùng được. Biệt danh có ký tự không hiển thị được."},
		{"an error the catalog names outside the live quiz", lang{langEN, cat}, quiz.Errorf(quiz.CodeBadMessage, "x"), "bad_message",
			lang{langEN, cat}.T("err.bad_message")},
		{"a failure of the server is internal and says nothing more", lang{langVI, cat}, errors.New("disk I/O error"), "internal",
			lang{langVI, cat}.T("err.internal")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]string
			if err := json.Unmarshal(h.liveErrorMsg(tt.l, tt.err), &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] != "error" || m["code"] != tt.code || m["message"] != tt.text {
				t.Errorf("got %v, want code %s and %q", m, tt.code, tt.text)
			}
		})
	}
}
