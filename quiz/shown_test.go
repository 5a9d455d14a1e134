package quiz_test

import (
	"testing"
	"time"

	"hoithi/quiz"
)

// startedAttempt starts the fixture contestant's attempt at a new round
// closing after closesIn, with attempts of duration.
func startedAttempt(t *testing.T, name string, closesIn, duration time.Duration) (*engineFixture, quiz.Round, quiz.Attempt) {
	t.Helper()
	f := newEngineFixture(t)
	r := f.round(t, name, closesIn, duration)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f, r, a
}

// An attempt's clock starts when its contestant first sees its questions:
// in a round's opening rush the start is taken up seconds before the
// questions arrive, and the working time that ranks contestants would
// otherwise count the server's queue.
func TestAnAttemptsClockStartsWhenItsQuestionsAreFirstShown(t *testing.T) {
	t.Run("its start and deadline move by the wait, once", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		f.clock.Advance(4 * time.Second) // the rush's queue
		shown := f.clock.Now()
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Attempt.StartedAt.Equal(shown) || !state.Attempt.Deadline.Equal(shown.Add(time.Minute)) {
			t.Fatalf("state: started %v, deadline %v; want %v and a minute later", state.Attempt.StartedAt, state.Attempt.Deadline, shown)
		}
		stored, err := f.db.Attempt(f.ctx, a.ID)
		if err != nil || !stored.StartedAt.Equal(shown) || !stored.Deadline.Equal(shown.Add(time.Minute)) {
			t.Fatalf("stored %+v (%v), want the state's start and deadline", stored, err)
		}
		f.clock.Advance(10 * time.Second) // a reload
		again, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil || !again.Attempt.Deadline.Equal(state.Attempt.Deadline) {
			t.Errorf("a later state's deadline %v (%v), want %v: the clock starts once", again.Attempt.Deadline, err, state.Attempt.Deadline)
		}

		f.clock.Set(state.Attempt.Deadline.Add(testGrace))
		out := f.waitAutoSubmit(t)
		if out.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("working time %d ms, want 60000: the wait for the questions does not count", out.DurationMs)
		}
	})

	t.Run("the old deadline's timer submits nothing", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		f.clock.Advance(5 * time.Second)
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(a.Deadline.Add(testGrace)) // the first deadline's grace is over
		q := state.Questions[0]
		if err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{q.Options[0].ID}); err != nil {
			t.Errorf("an answer before the moved deadline: %v", err)
		}
		select {
		case o := <-f.autoSubmit:
			t.Fatalf("submitted at the first deadline: %+v", o)
		case <-time.After(100 * time.Millisecond):
		}
	})

	t.Run("by at most a minute", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, 10*time.Minute)
		f.clock.Advance(5 * time.Minute) // started, then looked much later
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := a.StartedAt.Add(time.Minute); !state.Attempt.StartedAt.Equal(want) ||
			!state.Attempt.Deadline.Equal(a.Deadline.Add(time.Minute)) {
			t.Errorf("started %v, deadline %v; want %v and the first deadline a minute later", state.Attempt.StartedAt,
				state.Attempt.Deadline, want)
		}
	})

	t.Run("never past the round's close", func(t *testing.T) {
		f, r, a := startedAttempt(t, "Sắp đóng", 61*time.Second, time.Minute)
		f.clock.Advance(3 * time.Second)
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Attempt.Deadline.Equal(r.ClosesAt) {
			t.Errorf("deadline %v, want the round's close %v", state.Attempt.Deadline, r.ClosesAt)
		}
	})

	t.Run("a close moved earlier since the start takes nothing from the attempt", func(t *testing.T) {
		f, r, a := startedAttempt(t, "Tuần 1", 24*time.Hour, 10*time.Minute)
		r.ClosesAt = a.StartedAt.Add(5 * time.Minute)
		if _, err := f.catalog.UpdateRound(f.ctx, r.ID, r); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * time.Second)
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Attempt.Deadline.Equal(a.Deadline) {
			t.Errorf("deadline %v, want the start's %v: a showing never brings it earlier", state.Attempt.Deadline, a.Deadline)
		}
	})

	t.Run("someone else reading the attempt starts no clock", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		f.clock.Advance(2 * time.Second)
		if err := f.engine.ShowQuestions(f.ctx, f.userID+1, a.ID); err != nil {
			t.Fatal(err)
		}
		stored, err := f.db.Attempt(f.ctx, a.ID)
		if err != nil || !stored.StartedAt.Equal(a.StartedAt) {
			t.Errorf("stored %+v (%v), want it started at %v still", stored, err, a.StartedAt)
		}
	})

	t.Run("the attempt read other than through its socket shows its questions too", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		f.clock.Advance(2 * time.Second)
		shown := f.clock.Now()
		if err := f.engine.ShowQuestions(f.ctx, f.userID, a.ID); err != nil {
			t.Fatal(err)
		}
		rev, err := f.engine.Review(f.ctx, quiz.User{ID: f.userID, Role: quiz.RoleContestant}, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !rev.Detail.Attempt.StartedAt.Equal(shown) {
			t.Errorf("review: started %v, want %v", rev.Detail.Attempt.StartedAt, shown)
		}
		f.clock.Advance(time.Second)
		state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
		if err != nil || !state.Attempt.StartedAt.Equal(shown) {
			t.Errorf("the socket's state after it: started %v (%v), want %v", state.Attempt.StartedAt, err, shown)
		}
	})

	t.Run("not shown by the deadline its start gave, it ends at that deadline", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		other := f.newEngine(t) // another node, which does not keep the attempt
		f.engine.Stop()         // the node that does dies before its contestant saw a question
		f.clock.Set(a.Deadline.Add(testGrace + 10*time.Second))
		state, _, err := other.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !state.Attempt.Deadline.Equal(a.Deadline) {
			t.Errorf("deadline %v, want the start's %v: a showing after it moves nothing", state.Attempt.Deadline, a.Deadline)
		}
		if out := f.waitAutoSubmit(t); out.AttemptID != a.ID || out.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("outcome %+v, want attempt %d submitted at its deadline after 60000 ms", out, a.ID)
		}
	})

	t.Run("shown at the very end of its grace, it ends at that deadline", func(t *testing.T) {
		// The instant its timer submits it: the attempt is over then, as
		// the timer has it, whichever of the two runs first.
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute)
		other := f.newEngine(t)
		f.engine.Stop()
		f.clock.Set(a.Deadline.Add(testGrace))
		if err := other.ShowQuestions(f.ctx, f.userID, a.ID); err != nil {
			t.Fatal(err)
		}
		if out := f.waitAutoSubmit(t); out.AttemptID != a.ID || out.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("outcome %+v, want attempt %d submitted at its deadline after 60000 ms", out, a.ID)
		}
		stored, err := f.db.Attempt(f.ctx, a.ID)
		if err != nil || !stored.Deadline.Equal(a.Deadline) || !stored.StartedAt.Equal(a.StartedAt) {
			t.Errorf("stored %+v (%v), want the start's window: %v to %v", stored, err, a.StartedAt, a.Deadline)
		}
	})

	t.Run("shown on another engine, the first one submits at the stored deadline", func(t *testing.T) {
		f, _, a := startedAttempt(t, "Tuần 1", 24*time.Hour, time.Minute) // this engine keeps its first deadline
		f.clock.Advance(3 * time.Second)
		other := f.newEngine(t) // another node of a cluster, on the same database
		state, _, err := other.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		other.Stop() // its node dies: only the first engine's timer is left
		f.clock.Set(a.Deadline.Add(testGrace))
		select {
		case o := <-f.autoSubmit:
			t.Fatalf("submitted at the first deadline: %+v", o)
		case <-time.After(100 * time.Millisecond):
		}
		f.clock.Set(state.Attempt.Deadline.Add(testGrace))
		out := f.waitAutoSubmit(t)
		stored, err := f.db.Attempt(f.ctx, a.ID)
		if err != nil || !stored.SubmittedAt.Equal(state.Attempt.Deadline) || out.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("stored %+v (%v), outcome %+v; want it submitted at the moved deadline after 60000 ms", stored, err, out)
		}
	})
}
