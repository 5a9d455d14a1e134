package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

func TestOrganizerLiveStats(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	key := s.key(admin)
	roundID := s.round(admin, map[string]any{"question_count": 4})
	path := fmt.Sprintf("/api/v1/rounds/%d/stats", roundID)

	type stats struct {
		Type          string  `json:"type"`
		Connected     int     `json:"connected"`
		Started       int     `json:"started"`
		Submitted     int     `json:"submitted"`
		AnswersPerSec float64 `json:"answers_per_second"`
		Questions     []struct {
			Answered int     `json:"answered"`
			Correct  int     `json:"correct"`
			Share    float64 `json:"share"`
		} `json:"questions"`
		Submissions []int `json:"submissions"`
	}
	token, _ := s.contestant("Người Được Theo Dõi")
	if status, _ := s.call("GET", path, token, nil); status != 403 {
		t.Errorf("a contestant reading the live view: %d, want 403", status)
	}

	// One contestant answers every question right and submits; another
	// starts, answers one question wrong and stays connected.
	ws := s.dial(attemptWS(s.start(token, roundID)), token)
	for i, q := range ws.state().Questions {
		ws.send(map[string]any{"type": "answer", "seq": i + 1, "question_id": q.ID, "option_ids": key[q.ID]})
		ws.expect("ack")
	}
	ws.send(map[string]any{"type": "submit", "seq": 9})
	ws.expect("result")
	other, _ := s.contestant("Người Còn Đang Thi")
	ows := s.dial(attemptWS(s.start(other, roundID)), other)
	q := ows.state().Questions[0]
	var wrong int64
	for _, o := range q.Options {
		if len(key[q.ID]) > 0 && o.ID != key[q.ID][0] {
			wrong = o.ID
		}
	}
	ows.send(map[string]any{"type": "answer", "seq": 1, "question_id": q.ID, "option_ids": []int64{wrong}})
	ows.expect("ack")

	watch, _, err := websocket.DefaultDialer.Dial(s.WSURL+fmt.Sprintf("/ws/rounds/%d/stats", roundID), http.Header{"Authorization": {"Bearer " + admin}})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	var pushed stats
	if err := watch.ReadJSON(&pushed); err != nil {
		t.Fatal(err)
	}
	if pushed.Type != "stats" || pushed.Started != 2 || pushed.Submitted != 1 || pushed.Connected < 1 || len(pushed.Submissions) == 0 {
		t.Errorf("pushed %+v, want 2 started, 1 submitted, someone connected and a chart", pushed)
	}
	answered, correct := 0, 0
	for _, qs := range pushed.Questions {
		answered += qs.Answered
		correct += qs.Correct
	}
	if answered != 5 || correct != 4 {
		t.Errorf("questions show %d answers, %d right; want 5 and 4", answered, correct)
	}
	if pushed.AnswersPerSec != 0.5 {
		t.Errorf("answers per second %v, want 5 answers over the last ten seconds = 0.5", pushed.AnswersPerSec)
	}
	var viaHTTP stats
	s.mustCall(200, "GET", path, admin, nil, &viaHTTP)
	if viaHTTP.Started != 2 || viaHTTP.Submitted != 1 {
		t.Errorf("JSON %+v", viaHTTP)
	}
	status, body, _ := s.page("GET", fmt.Sprintf("/organize/rounds/%d", roundID), admin, nil, "")
	if status != 200 {
		t.Errorf("live view page: %d", status)
	}
	// The page says when its figures were read, in Vietnam's time.
	if m := regexp.MustCompile(`Số liệu lúc (\d\d):(\d\d):(\d\d)`).FindStringSubmatch(body); m == nil {
		t.Errorf("the live view does not say when its figures were read")
	} else {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		sec, _ := strconv.Atoi(m[3])
		now := time.Now().In(quiz.Vietnam)
		off := (h*3600 + mi*60 + sec) - (now.Hour()*3600 + now.Minute()*60 + now.Second())
		if off = (off%86400 + 86400) % 86400; min(off, 86400-off) > 60 {
			t.Errorf("figures read at %s:%s:%s, want about %s in Vietnam", m[1], m[2], m[3], now.Format("15:04:05"))
		}
	}
	if _, resp, err := websocket.DefaultDialer.Dial(s.WSURL+fmt.Sprintf("/ws/rounds/%d/stats", roundID), http.Header{"Authorization": {"Bearer " + token}}); err == nil || resp.StatusCode != 403 {
		t.Errorf("a contestant's stats socket: %v, want 403", err)
	}
}
