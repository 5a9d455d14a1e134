package quiz

import (
	"context"
	"time"
)

// Tries is a contestant's attempts at a round with what the round's rules
// let them do next, as the round's page shows it. A start is resumed or
// refused by the store, in the transaction that inserts, by the same rule:
// a button must never offer what a start then refuses.
type Tries struct {
	Attempts []Attempt // oldest first
	// Running is the attempt still under way, which a start resumes; nil
	// when there is none.
	Running *Attempt
	// Left is how many more attempts may be started; -1 when the round
	// sets no limit.
	Left int
}

// RunningAt reports whether the attempt is under way at now: not submitted
// and before its deadline. The grace after the deadline still takes
// answers on the network, but from the deadline on a start makes a new
// attempt instead of resuming this one (the store's check is the same).
func (a Attempt) RunningAt(now time.Time) bool { return !a.Submitted() && a.Deadline.After(now) }

// AttemptsLeft is how many attempts remain to a contestant who has used
// used of them: every attempt started counts, submitted or not; -1 when
// the round sets no limit (MaxAttempts 0).
func (r Round) AttemptsLeft(used int) int {
	if r.MaxAttempts <= 0 {
		return -1
	}
	return max(0, r.MaxAttempts-used)
}

// TriesAt applies the round's rules to a contestant's attempts at it, at
// now.
func TriesAt(r Round, attempts []Attempt, now time.Time) Tries {
	t := Tries{Attempts: attempts, Left: r.AttemptsLeft(len(attempts))}
	for i := range attempts {
		if attempts[i].RunningAt(now) {
			t.Running = &attempts[i]
			break
		}
	}
	return t
}

// Tries returns a contestant's attempts at a round and what they may do
// next, by the engine's clock.
func (e *Engine) Tries(ctx context.Context, userID int64, r Round) (Tries, error) {
	attempts, err := e.store.UserAttempts(ctx, userID, r.ID)
	if err != nil {
		return Tries{}, err
	}
	return TriesAt(r, attempts, e.now()), nil
}
