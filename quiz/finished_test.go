package quiz_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// detailCounter is the fixture's database, counting the reads of an
// attempt with its questions and answers.
type detailCounter struct {
	*store.DB
	reads atomic.Int64
}

func (d *detailCounter) AttemptDetail(ctx context.Context, id int64) (quiz.AttemptDetail, error) {
	d.reads.Add(1)
	return d.DB.AttemptDetail(ctx, id)
}

// At the end of a rush every contestant's quiz page opens their result
// page at once: an attempt submitted here is shown from what the engine
// held, the same as the database holds, without reading it again.
func TestAResultJustSubmittedIsReviewedFromMemory(t *testing.T) {
	f := newEngineFixture(t)
	// The fixture's engine would also submit overdue attempts, in its
	// sweep, racing this test's engine for them.
	f.engine.Stop()
	counted := &detailCounter{DB: f.db}
	autoSubmitted := make(chan quiz.Outcome, 1)
	e := quiz.NewEngine(quiz.EngineConfig{Store: counted, Clock: f.clock, Grace: testGrace,
		OnAutoSubmit: func(o quiz.Outcome) { autoSubmitted <- o }})
	if err := e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	now := f.clock.Now()
	r, err := f.catalog.CreateRound(f.ctx, f.contestID, quiz.Round{Name: "Vòng một", BankID: f.bankID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600,
		QuestionCount: 2, PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := e.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := f.db.AttemptDetail(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The first question answered wrongly, then rightly; the second wrongly.
	for _, c := range []struct{ q, o int }{{0, 1}, {0, 0}, {1, 1}} {
		q := drawn.Questions[c.q]
		option := q.Options[0].ID
		for _, o := range q.Options {
			if o.Correct == (c.o == 0) {
				option = o.ID
			}
		}
		if err := e.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{option}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	stored, err := f.db.AttemptDetail(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := counted.reads.Load()
	contestant := quiz.User{ID: f.userID, Role: quiz.RoleContestant}
	own, err := e.Review(f.ctx, contestant, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if own.Revealed {
		t.Fatal("the round reveals its answers at once; the test wants one that hides them from the contestant")
	}
	staff, err := e.Review(f.ctx, quiz.User{ID: 1, Role: quiz.RoleAdmin}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := counted.reads.Load() - before; n != 0 {
		t.Errorf("reviewing the attempt just submitted read it from the database %d times, want none", n)
	}
	// The contestant's view hid the right options; the staff's, after it,
	// shows the attempt as stored.
	if !reflect.DeepEqual(staff.Detail, stored) {
		t.Errorf("reviewed from memory:\n%+v\nstored:\n%+v", staff.Detail, stored)
	}
	if len(stored.Answers) != 2 {
		t.Errorf("%d answers stored, want 2", len(stored.Answers))
	}

	f.clock.Advance(time.Minute + time.Second)
	later, err := e.Review(f.ctx, quiz.User{ID: 1, Role: quiz.RoleAdmin}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := counted.reads.Load() - before; n != 1 {
		t.Errorf("a minute later the review read the database %d times, want once", n)
	}
	if !reflect.DeepEqual(later.Detail, stored) {
		t.Errorf("read again:\n%+v\nstored:\n%+v", later.Detail, stored)
	}

	// One submitted at its deadline by the engine is kept as well.
	b, _, err := e.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.State(f.ctx, f.userID, b.ID); err != nil { // its clock starts
		t.Fatal(err)
	}
	shown, err := f.db.Attempt(f.ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(shown.Deadline.Add(testGrace))
	select {
	case <-autoSubmitted:
	case <-time.After(10 * time.Second):
		t.Fatal("the engine did not submit the attempt at its deadline")
	}
	before = counted.reads.Load()
	if _, err := e.Review(f.ctx, contestant, b.ID); err != nil {
		t.Fatal(err)
	}
	if n := counted.reads.Load() - before; n != 0 {
		t.Errorf("reviewing an attempt submitted at its deadline read it from the database %d times, want none", n)
	}
}

// An engine that may not have seen every answer of an attempt keeps
// nothing for its result page, which then reads the database: in a
// cluster, where answers reach any node, and after a restart, when the
// engine has not read the answers back.
func TestAResultIsReadFromTheDatabaseWhenTheEngineMayNotHoldEveryAnswer(t *testing.T) {
	setUp := func(t *testing.T) (*engineFixture, quiz.Round, func(shared bool) (*quiz.Engine, *detailCounter)) {
		f := newEngineFixture(t)
		f.engine.Stop() // only the test's engines run
		r, err := f.catalog.CreateRound(f.ctx, f.contestID, quiz.Round{Name: "Vòng một", BankID: f.bankID,
			OpensAt: f.clock.Now().Add(-time.Hour), ClosesAt: f.clock.Now().Add(time.Hour), DurationSeconds: 600,
			QuestionCount: 2, PointsPerQuestion: 1})
		if err != nil {
			t.Fatal(err)
		}
		engine := func(shared bool) (*quiz.Engine, *detailCounter) {
			counted := &detailCounter{DB: f.db}
			e := quiz.NewEngine(quiz.EngineConfig{Store: counted, Clock: f.clock, Grace: testGrace, Shared: shared})
			if err := e.Start(f.ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Stop)
			return e, counted
		}
		return f, r, engine
	}
	answerFirst := func(t *testing.T, f *engineFixture, e *quiz.Engine, attemptID int64) {
		d, err := f.db.AttemptDetail(f.ctx, attemptID)
		if err != nil {
			t.Fatal(err)
		}
		q := d.Questions[0]
		if err := e.Answer(f.ctx, f.userID, attemptID, q.ID, []int64{q.Options[0].ID}); err != nil {
			t.Fatal(err)
		}
	}
	reviewed := func(t *testing.T, f *engineFixture, e *quiz.Engine, counted *detailCounter, attemptID int64) {
		before := counted.reads.Load()
		rev, err := e.Review(f.ctx, quiz.User{ID: 1, Role: quiz.RoleAdmin}, attemptID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := f.db.AttemptDetail(f.ctx, attemptID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Answers) != 1 || !reflect.DeepEqual(rev.Detail, stored) {
			t.Errorf("reviewed:\n%+v\nstored (one answer):\n%+v", rev.Detail, stored)
		}
		if n := counted.reads.Load() - before; n != 1 {
			t.Errorf("the review read the database %d times, want once", n)
		}
	}

	t.Run("an answer stored by another node", func(t *testing.T) {
		f, r, engine := setUp(t)
		here, counted := engine(true)
		there, _ := engine(true)
		a, _, err := here.StartAttempt(f.ctx, f.userID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		answerFirst(t, f, there, a.ID)
		if _, err := here.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
			t.Fatal(err)
		}
		reviewed(t, f, here, counted, a.ID)
	})
	t.Run("an answer stored before a restart", func(t *testing.T) {
		f, r, engine := setUp(t)
		before, _ := engine(false)
		a, _, err := before.StartAttempt(f.ctx, f.userID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		answerFirst(t, f, before, a.ID)
		before.Stop()
		after, counted := engine(false)
		if _, err := after.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
			t.Fatal(err)
		}
		reviewed(t, f, after, counted, a.ID)
	})
}
