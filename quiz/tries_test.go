package quiz_test

import (
	"testing"
	"time"

	"hoithi/quiz"
)

// What the round's page shows (Engine.Tries, quiz.TriesAt) and what a
// start does (Engine.StartAttempt, whose refusal the store's transaction
// makes) agree on every case.
func TestThePageAndTheEngineAgreeOnAttemptsLeft(t *testing.T) {
	f := newEngineFixture(t)
	now := f.clock.Now()
	pool, err := f.db.Pool(f.ctx, f.bankID)
	if err != nil {
		t.Fatal(err)
	}
	type past struct {
		started, deadline time.Duration // from now
		submitted         bool
	}
	submitted := past{-2 * time.Hour, -time.Hour, true}
	running := past{-time.Minute, 9 * time.Minute, false}
	overdue := past{-11 * time.Minute, -time.Second, false} // in its grace, not yet submitted by the server
	for _, tc := range []struct {
		name        string
		max         int
		attempts    []past // oldest first
		wantLeft    int
		wantRunning int // the 1-based attempt resumed; 0 for none
		wantErr     string
	}{
		{"no limit and no attempt: a start makes one", 0, nil, -1, 0, ""},
		{"no limit after many attempts: a start makes one", 0, []past{submitted, submitted, submitted}, -1, 0, ""},
		{"one allowed, none used: a start makes one", 1, nil, 1, 0, ""},
		{"one allowed and used: a start is refused", 1, []past{submitted}, 0, 0, quiz.CodeAttemptsExhausted},
		{"two allowed, one used: a start makes one", 2, []past{submitted}, 1, 0, ""},
		{"the last allowed attempt still runs: a start resumes it", 2, []past{submitted, running}, 0, 2, ""},
		{"a running attempt with no limit is resumed", 0, []past{running}, -1, 1, ""},
		{"an attempt past its deadline counts as used", 1, []past{overdue}, 0, 0, quiz.CodeAttemptsExhausted},
		{"an attempt past its deadline is not resumed", 2, []past{overdue}, 1, 0, ""},
		{"more attempts than allowed (the limit was lowered) leave none", 1, []past{submitted, submitted}, 0, 0, quiz.CodeAttemptsExhausted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.catalog.CreateRound(f.ctx, f.contestID, quiz.Round{Name: tc.name, BankID: f.bankID,
				OpensAt: now.Add(-24 * time.Hour), ClosesAt: now.Add(24 * time.Hour), DurationSeconds: 600,
				QuestionCount: 2, PointsPerQuestion: 1, MaxAttempts: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range tc.attempts {
				drawn, err := quiz.Draw(pool.Questions, 2, nil, quiz.Seed{})
				if err != nil {
					t.Fatal(err)
				}
				a, _, err := f.db.StartAttempt(f.ctx, quiz.NewAttempt{RoundID: r.ID, UserID: f.userID,
					StartedAt: now.Add(p.started), Deadline: now.Add(p.deadline), Questions: drawn})
				if err != nil {
					t.Fatal(err)
				}
				if p.submitted {
					if _, err := f.db.SubmitAttempt(f.ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: a.Deadline, Points: 1}); err != nil {
						t.Fatal(err)
					}
				}
				ids = append(ids, a.ID)
			}
			wantRunning := int64(0)
			if tc.wantRunning > 0 {
				wantRunning = ids[tc.wantRunning-1]
			}

			tries, err := f.engine.Tries(f.ctx, f.userID, r)
			if err != nil {
				t.Fatal(err)
			}
			gotRunning := int64(0)
			if tries.Running != nil {
				gotRunning = tries.Running.ID
			}
			if tries.Left != tc.wantLeft || gotRunning != wantRunning {
				t.Errorf("the page shows %d left and attempt %d running, want %d and %d", tries.Left, gotRunning, tc.wantLeft, wantRunning)
			}

			a, created, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
			switch {
			case tc.wantErr != "":
				if quiz.ErrorCode(err) != tc.wantErr {
					t.Errorf("a start: %v, want %s", err, tc.wantErr)
				}
			case wantRunning != 0:
				if err != nil || created || a.ID != wantRunning {
					t.Errorf("a start: attempt %d, created %v, %v; want attempt %d resumed", a.ID, created, err, wantRunning)
				}
			default:
				if err != nil || !created {
					t.Errorf("a start: created %v, %v; want a new attempt", created, err)
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
