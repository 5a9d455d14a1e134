package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// TestAnAttemptsClockStartsWithItsQuestions: the time a contestant waits
// for their questions after the start (a round's opening rush) does not
// count against their attempt. The quiz page, which holds no question,
// leaves the clock alone; the socket's first state, or the attempt read
// through the API, starts it, once.
func TestAnAttemptsClockStartsWithItsQuestions(t *testing.T) {
	s := startServerOnFakeClock(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	type attempt struct {
		StartedAt string `json:"started_at"`
		Deadline  string `json:"deadline"`
	}
	read := func(token string, id int64) attempt {
		t.Helper()
		var a attempt
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", id), token, nil, &a)
		return a
	}

	t.Run("through the socket's first state", func(t *testing.T) {
		token, _ := s.contestant("Nguyễn Văn An")
		var started struct {
			AttemptID int64  `json:"attempt_id"`
			Deadline  string `json:"deadline"`
		}
		s.mustCall(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil, &started)
		s.clock.Advance(3 * time.Second) // the rush's queue
		if status, page := s.call("GET", fmt.Sprintf("/attempts/%d", started.AttemptID), token, nil); status != http.StatusOK ||
			!strings.Contains(string(page), started.Deadline) {
			t.Fatalf("the quiz page: %d, want it with the start's deadline %s", status, started.Deadline)
		}
		ws := s.dial(attemptWS(started.AttemptID), token)
		st := ws.state()
		want := quiz.APITime(s.clock.Now().Add(10 * time.Minute))
		if st.Deadline != want {
			t.Errorf("the state's deadline %s, want %s: ten minutes from the questions, not from the start (%s)",
				st.Deadline, want, started.Deadline)
		}
		s.clock.Advance(5 * time.Second)
		again := s.dial(attemptWS(started.AttemptID), token).state()
		if again.Deadline != want {
			t.Errorf("a reconnection's deadline %s, want %s as before", again.Deadline, want)
		}
		if a := read(token, started.AttemptID); a.Deadline != want {
			t.Errorf("the attempt's deadline %s, want %s", a.Deadline, want)
		}
	})

	t.Run("through the attempt read through the API", func(t *testing.T) {
		token, _ := s.contestant("Trần Thị Bình")
		id := s.start(token, roundID)
		s.clock.Advance(2 * time.Second)
		want := quiz.APITime(s.clock.Now())
		if a := read(token, id); a.StartedAt != want {
			t.Errorf("started_at %s, want %s, when the questions were first read", a.StartedAt, want)
		}
	})
}
