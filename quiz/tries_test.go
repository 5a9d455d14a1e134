package quiz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hoithi/quiz"
)

// triesStore is a round and one contestant's attempts at it. An engine that
// goes on to draw questions asks for the bank's version, which answers
// errWouldDraw: the start was neither resumed nor refused.
type triesStore struct {
	quiz.PlayStore
	round    quiz.Round
	attempts []quiz.Attempt
}

var errWouldDraw = errors.New("would draw a new attempt")

func (s triesStore) Round(context.Context, int64) (quiz.Round, error) { return s.round, nil }
func (s triesStore) UserAttempts(context.Context, int64, int64) ([]quiz.Attempt, error) {
	return s.attempts, nil
}
func (s triesStore) BankVersion(context.Context, int64) (int64, error) { return 0, errWouldDraw }

// What the round's page shows (Engine.Tries) and what a start does
// (Engine.StartAttempt) come from one rule, so they agree on every case.
func TestThePageAndTheEngineAgreeOnAttemptsLeft(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	submitted := func(id int64) quiz.Attempt {
		at := now.Add(-time.Hour)
		return quiz.Attempt{ID: id, StartedAt: now.Add(-2 * time.Hour), Deadline: at, SubmittedAt: &at}
	}
	running := func(id int64) quiz.Attempt {
		return quiz.Attempt{ID: id, StartedAt: now.Add(-time.Minute), Deadline: now.Add(9 * time.Minute)}
	}
	// Past its deadline, not yet submitted by the server (its grace runs).
	overdue := func(id int64) quiz.Attempt {
		return quiz.Attempt{ID: id, StartedAt: now.Add(-11 * time.Minute), Deadline: now.Add(-time.Second)}
	}
	for _, tc := range []struct {
		name        string
		max         int
		attempts    []quiz.Attempt
		wantLeft    int
		wantRunning int64 // the attempt resumed; 0 for none
		wantErr     string
	}{
		{"no limit and no attempt: a start draws", 0, nil, -1, 0, ""},
		{"no limit after many attempts: a start draws", 0, []quiz.Attempt{submitted(1), submitted(2), submitted(3)}, -1, 0, ""},
		{"one allowed, none used: a start draws", 1, nil, 1, 0, ""},
		{"one allowed and used: a start is refused", 1, []quiz.Attempt{submitted(1)}, 0, 0, quiz.CodeAttemptsExhausted},
		{"two allowed, one used: a start draws", 2, []quiz.Attempt{submitted(1)}, 1, 0, ""},
		{"the last allowed attempt still runs: a start resumes it", 2, []quiz.Attempt{submitted(1), running(2)}, 0, 2, ""},
		{"a running attempt with no limit is resumed", 0, []quiz.Attempt{running(4)}, -1, 4, ""},
		{"an attempt past its deadline counts as used", 1, []quiz.Attempt{overdue(1)}, 0, 0, quiz.CodeAttemptsExhausted},
		{"an attempt past its deadline is not resumed", 2, []quiz.Attempt{overdue(1)}, 1, 0, ""},
		{"more attempts than allowed (the limit was lowered) leave none", 1, []quiz.Attempt{submitted(1), submitted(2)}, 0, 0, quiz.CodeAttemptsExhausted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := quiz.Round{ID: 7, ContestPublished: true, OpensAt: now.Add(-24 * time.Hour), ClosesAt: now.Add(24 * time.Hour),
				DurationSeconds: 600, QuestionCount: 2, MaxAttempts: tc.max}
			e := quiz.NewEngine(quiz.EngineConfig{Store: triesStore{round: r, attempts: tc.attempts}, Clock: quiz.NewFakeClock(now)})

			tries, err := e.Tries(context.Background(), 1, r)
			if err != nil {
				t.Fatal(err)
			}
			if tries.Left != tc.wantLeft {
				t.Errorf("the page shows %d attempts left, want %d", tries.Left, tc.wantLeft)
			}
			gotRunning := int64(0)
			if tries.Running != nil {
				gotRunning = tries.Running.ID
			}
			if gotRunning != tc.wantRunning {
				t.Errorf("the page shows attempt %d running, want %d", gotRunning, tc.wantRunning)
			}

			a, created, err := e.StartAttempt(context.Background(), 1, r.ID)
			switch {
			case tc.wantErr != "":
				if quiz.ErrorCode(err) != tc.wantErr {
					t.Errorf("a start: %v, want %s", err, tc.wantErr)
				}
			case tc.wantRunning != 0:
				if err != nil || created || a.ID != tc.wantRunning {
					t.Errorf("a start: attempt %d, created %v, %v; want attempt %d resumed", a.ID, created, err, tc.wantRunning)
				}
			default:
				if !errors.Is(err, errWouldDraw) {
					t.Errorf("a start: %v, want a new attempt drawn", err)
				}
			}
			// The rule both follow, said once: a start is refused exactly
			// when nothing runs and nothing is left.
			if refused := quiz.ErrorCode(err) == quiz.CodeAttemptsExhausted; refused != (tries.Running == nil && tries.Left == 0) {
				t.Errorf("the engine refused: %v; the page shows %d left with attempt %d running", refused, tries.Left, gotRunning)
			}
		})
	}
}
