package quiz_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// engineFixture is an engine on a fake clock over a real database: a bank
// of two questions, a published contest and a contestant.
type engineFixture struct {
	ctx        context.Context
	db         *store.DB
	clock      *quiz.FakeClock
	catalog    *quiz.Catalog
	engine     *quiz.Engine
	contestID  int64
	bankID     int64
	userID     int64
	autoSubmit chan quiz.Outcome
}

const testGrace = 2 * time.Second

func newEngineFixture(t *testing.T) *engineFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := quiz.NewFakeClock(time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC))
	f := &engineFixture{ctx: ctx, db: db, clock: clock, catalog: quiz.NewCatalog(db, clock.Now),
		autoSubmit: make(chan quiz.Outcome, 8)}
	bank, err := f.catalog.CreateBank(ctx, "Ngân hàng", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.catalog.AddQuestions(ctx, bank.ID, []quiz.Question{
		{Text: "Câu hỏi một?", Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}},
		{Text: "Câu hỏi hai?", Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}},
	}); err != nil {
		t.Fatal(err)
	}
	contest, err := f.catalog.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "Hội thi"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.catalog.PublishContest(ctx, contest.ID); err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Nguyễn Văn An", Phone: "0912345678",
		CreatedAt: now}, "hash", &quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	f.contestID, f.bankID, f.userID = contest.ID, bank.ID, user.ID
	f.engine = f.newEngine(t)
	return f
}

// newEngine starts an engine on the fixture's clock and database.
func (f *engineFixture) newEngine(t *testing.T) *quiz.Engine {
	t.Helper()
	e := quiz.NewEngine(quiz.EngineConfig{Store: f.db, Clock: f.clock, Grace: testGrace,
		OnAutoSubmit: func(o quiz.Outcome) { f.autoSubmit <- o }})
	if err := e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// round creates a round that opened an hour ago, closes after closesIn and
// gives an attempt duration.
func (f *engineFixture) round(t *testing.T, name string, closesIn, duration time.Duration) quiz.Round {
	t.Helper()
	now := f.clock.Now()
	r, err := f.catalog.CreateRound(f.ctx, f.contestID, quiz.Round{Name: name, BankID: f.bankID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(closesIn), DurationSeconds: int(duration / time.Second),
		QuestionCount: 2, PointsPerQuestion: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waitAutoSubmit returns the next attempt the engine submitted by itself.
// The wait is a guard against a hang, not a measure: the fake clock has
// already passed the time.
func (f *engineFixture) waitAutoSubmit(t *testing.T) quiz.Outcome {
	t.Helper()
	select {
	case o := <-f.autoSubmit:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("the engine submitted nothing by itself after the clock passed the deadline and its grace")
		return quiz.Outcome{}
	}
}

// settle waits until the clock holds want timers again: a function the
// clock ran has set its next one (the sweep of idle boards does).
func settle(t *testing.T, clock *quiz.FakeClock, want int) {
	t.Helper()
	for give := time.Now().Add(10 * time.Second); clock.Waiting() != want; time.Sleep(time.Millisecond) {
		if time.Now().After(give) {
			t.Fatalf("the clock holds %d timers, want %d", clock.Waiting(), want)
		}
	}
}

func TestEngineSubmitsAtTheEndOfTheGraceOnItsClock(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, created, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil || !created {
		t.Fatalf("StartAttempt: created %v, %v", created, err)
	}
	if want := f.clock.Now().Add(time.Minute); !a.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v (the clock's time and the round's duration)", a.Deadline, want)
	}
	state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := state.Questions[0]
	waiting := f.clock.Waiting() // the sweep of idle boards and the attempt's submit

	t.Run("takes answers in the grace after the deadline", func(t *testing.T) {
		f.clock.Set(a.Deadline.Add(testGrace - time.Millisecond))
		if got := f.clock.Waiting(); got != waiting {
			t.Fatalf("%d timers wait at the end of the grace, want %d: the submit ran before the grace was over", got, waiting)
		}
		if err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{q.Options[0].ID}); err != nil {
			t.Errorf("an answer within the grace: %v, want it stored", err)
		}
	})

	t.Run("submits by itself once the grace is over, with the full working time", func(t *testing.T) {
		f.clock.Advance(time.Millisecond)
		out := f.waitAutoSubmit(t)
		if out.AttemptID != a.ID || !out.Auto || out.DurationMs != time.Minute.Milliseconds() || out.Total != 2 {
			t.Errorf("outcome %+v, want attempt %d submitted automatically after 60000 ms of 2 questions", out, a.ID)
		}
		stored, err := f.db.Attempt(f.ctx, a.ID)
		if err != nil || !stored.Submitted() || !stored.AutoSubmitted || !stored.SubmittedAt.Equal(a.Deadline) {
			t.Errorf("stored attempt %+v (%v), want it submitted automatically at its deadline", stored, err)
		}
	})

	t.Run("refuses answers and submits after it", func(t *testing.T) {
		err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{q.Options[1].ID})
		if quiz.ErrorCode(err) != quiz.CodeDeadlinePassed {
			t.Errorf("answer after the grace: %v, want %s", err, quiz.CodeDeadlinePassed)
		}
		if _, err := f.engine.Submit(f.ctx, f.userID, a.ID, nil); quiz.ErrorCode(err) != quiz.CodeDeadlinePassed {
			t.Errorf("submit after the grace: %v, want %s", err, quiz.CodeDeadlinePassed)
		}
	})
}

func TestEngineDeadlineNeverPassesTheRoundsClose(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Sắp đóng", 30*time.Second, 10*time.Minute)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Deadline.Equal(r.ClosesAt) {
		t.Errorf("deadline %v, want the round's close %v", a.Deadline, r.ClosesAt)
	}
	f.clock.Set(r.ClosesAt.Add(testGrace))
	if out := f.waitAutoSubmit(t); out.DurationMs != 30_000 {
		t.Errorf("working time %d ms, want 30000 (up to the close)", out.DurationMs)
	}
}

func TestEngineTakesUpRunningAttemptsOnItsClockAfterARestart(t *testing.T) {
	f := newEngineFixture(t)
	short := f.round(t, "Một phút", 24*time.Hour, time.Minute)
	long := f.round(t, "Mười phút", 24*time.Hour, 10*time.Minute)
	expired, _, err := f.engine.StartAttempt(f.ctx, f.userID, short.ID)
	if err != nil {
		t.Fatal(err)
	}
	running, _, err := f.engine.StartAttempt(f.ctx, f.userID, long.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.Stop()

	t.Run("a stopped engine leaves nothing waiting on the clock", func(t *testing.T) {
		if n := f.clock.Waiting(); n != 0 {
			t.Errorf("%d timers wait after Stop, want none", n)
		}
	})
	f.clock.Advance(5 * time.Minute)
	f.newEngine(t)
	t.Run("the next engine submits at once an attempt whose grace passed while none ran", func(t *testing.T) {
		if out := f.waitAutoSubmit(t); out.AttemptID != expired.ID || out.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("outcome %+v, want attempt %d submitted with 60000 ms", out, expired.ID)
		}
		if a, err := f.db.Attempt(f.ctx, running.ID); err != nil || a.Submitted() {
			t.Errorf("the attempt still running: %+v (%v), want it in progress", a, err)
		}
	})
	t.Run("and the running one at the end of its grace", func(t *testing.T) {
		f.clock.Set(running.Deadline.Add(testGrace))
		if out := f.waitAutoSubmit(t); out.AttemptID != running.ID || out.DurationMs != (10*time.Minute).Milliseconds() {
			t.Errorf("outcome %+v, want attempt %d submitted with 600000 ms", out, running.ID)
		}
	})
}

func TestEngineClosesARoundsBoardOnItsClock(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Đóng sau 2 phút", 2*time.Minute, time.Minute)
	board, err := f.engine.Board(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	changed := board.Changed()
	waiting := f.clock.Waiting() // the sweep of idle boards and the board's close
	f.clock.Set(r.ClosesAt.Add(testGrace))
	if n := f.clock.Waiting(); n != waiting || board.Closed() {
		t.Errorf("at the round's close plus the grace %d timers wait (closed %v), want %d: the board closes a second later",
			n, board.Closed(), waiting)
	}
	f.clock.Advance(time.Second)
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the board did not change after the clock passed the round's close, the grace and a second")
	}
	if !board.Closed() {
		t.Error("the board is not closed after the round's close, the grace and a second")
	}
}

func TestEngineDropsBoardsOfClosedRoundsNobodyWatches(t *testing.T) {
	f := newEngineFixture(t)
	openRound := f.round(t, "Đang mở", 24*time.Hour, time.Minute)
	closedRound := f.round(t, "Đã đóng", -time.Minute, time.Minute)
	openBoard, _ := f.engine.Board(f.ctx, openRound.ID)
	closedBoard, _ := f.engine.Board(f.ctx, closedRound.ID)
	if !closedBoard.Closed() || openBoard.Closed() {
		t.Fatalf("closed=%v open=%v, want only the past round's board closed", closedBoard.Closed(), openBoard.Closed())
	}
	// The sweep of idle boards and the open board's close wait on the clock.
	waiting := f.clock.Waiting()

	t.Run("keeps a board looked at 10 minutes ago", func(t *testing.T) {
		f.clock.Advance(10 * time.Minute) // past one sweep
		settle(t, f.clock, waiting)
		if b, _ := f.engine.Board(f.ctx, closedRound.ID); b != closedBoard {
			t.Error("a board looked at 10 minutes ago was dropped")
		}
	})
	t.Run("drops a closed round's board idle for over 30 minutes at the next sweep", func(t *testing.T) {
		f.clock.Advance(31 * time.Minute) // the sweep that was due 5 minutes after the last one runs
		settle(t, f.clock, waiting)
		if b, _ := f.engine.Board(f.ctx, openRound.ID); b != openBoard {
			t.Error("the board of an open round was dropped")
		}
		if b, _ := f.engine.Board(f.ctx, closedRound.ID); b == closedBoard {
			t.Error("the board of a closed round idle for 31 minutes is still held")
		}
	})
}

func TestAttachHearsOfASubmissionAtTheDeadlineExactlyOnce(t *testing.T) {
	f := newEngineFixture(t)
	var mu sync.Mutex
	var events []string
	note := func(e string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	e := quiz.NewEngine(quiz.EngineConfig{Store: f.db, Clock: f.clock, Grace: testGrace,
		OnAutoSubmit: func(quiz.Outcome) {
			close(entered)
			<-release
			note("announced")
		}})
	if err := e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, _, err := e.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("before the deadline the attempt runs", func(t *testing.T) {
		e.Attach(a.ID, func(running bool) {
			if !running {
				t.Error("attached to a running attempt, told it is not")
			}
		})
	})

	t.Run("a connection attaching while the submission is announced waits for the announcement", func(t *testing.T) {
		f.clock.Set(a.Deadline.Add(testGrace))
		<-entered // the submission is committed and being announced
		attached := make(chan struct{})
		go func() {
			defer close(attached)
			e.Attach(a.ID, func(running bool) { note(fmt.Sprintf("attached, running %v", running)) })
		}()
		time.Sleep(50 * time.Millisecond) // time for Attach to overtake, were it not held
		close(release)
		<-attached
		want := []string{"announced", "attached, running false"}
		if !slices.Equal(events, want) {
			t.Errorf("events %q, want %q: the connection hears of the result from the announcement or by reading it, once", events, want)
		}
	})
}

func TestEngineResumesARunningAttempt(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Tuần 1", time.Hour, 10*time.Minute)
	first, created, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}

	t.Run("a second start resumes the running attempt", func(t *testing.T) {
		again, created, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
		if err != nil || created || again.ID != first.ID {
			t.Errorf("second start: attempt %d created %v, %v; want attempt %d resumed", again.ID, created, err, first.ID)
		}
	})

	t.Run("a bank cut below the round's count still lets it resume", func(t *testing.T) {
		qs, err := f.db.Questions(f.ctx, f.bankID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetRetired(f.ctx, f.bankID, qs[0].ID, true, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		again, created, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
		if err != nil || created || again.ID != first.ID {
			t.Errorf("start with the bank cut: attempt %d created %v, %v; want attempt %d resumed", again.ID, created, err, first.ID)
		}
	})
}

func TestEngineRefusesAStartPastTheRoundsAttempts(t *testing.T) {
	f := newEngineFixture(t)
	now := f.clock.Now()
	r, err := f.catalog.CreateRound(f.ctx, f.contestID, quiz.Round{Name: "Một lần", BankID: f.bankID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600,
		QuestionCount: 2, PointsPerQuestion: 1, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if quiz.ErrorCode(err) != quiz.CodeAttemptsExhausted {
		t.Errorf("a second attempt at a one-attempt round: %v, want %s", err, quiz.CodeAttemptsExhausted)
	}
}

func TestTheStateShowsTheAnswersAsStored(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Tuần 1", time.Hour, 10*time.Minute)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := f.engine.State(f.ctx, f.userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := d.Questions[0]
	agree := func(t *testing.T, engine *quiz.Engine) {
		t.Helper()
		state, _, err := engine.State(f.ctx, f.userID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := f.db.Answers(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(state.Answers, stored, slices.Equal[[]int64]) {
			t.Errorf("the state shows %v, the store holds %v", state.Answers, stored)
		}
	}
	t.Run("none at the start", func(t *testing.T) { agree(t, f.engine) })

	t.Run("a changed answer", func(t *testing.T) {
		for _, o := range q.Options {
			if err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{o.ID}); err != nil {
				t.Fatal(err)
			}
			agree(t, f.engine)
		}
	})

	t.Run("answers sent at once end as the store took them", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				o := q.Options[i%len(q.Options)]
				if err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, []int64{o.ID}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		agree(t, f.engine)
	})

	t.Run("after a restart", func(t *testing.T) {
		f.engine.Stop()
		agree(t, f.newEngine(t))
	})
}

func TestASubmittedAttemptsOutcomeIsTheOneItsSubmitReturned(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	state, _, err := f.engine.State(f.ctx, f.userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := state.Questions[0]
	right := []int64{}
	for _, o := range q.Options {
		if o.Correct {
			right = append(right, o.ID)
		}
	}
	if err := f.engine.Answer(f.ctx, f.userID, a.ID, q.ID, right); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(12*time.Second + 345*time.Millisecond)
	submitted, err := f.engine.Submit(f.ctx, f.userID, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := f.engine.State(f.ctx, f.userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.engine.SubmittedOutcome(f.ctx, stored.Attempt)
	if err != nil {
		t.Fatal(err)
	}
	if again != submitted {
		t.Errorf("told again %+v, want what the submit returned, %+v", again, submitted)
	}
	if again.Rank != 1 || again.Correct != 1 || again.DurationMs != 12345 {
		t.Errorf("rank %d, correct %d, %d ms; want rank 1, 1 correct, 12345 ms", again.Rank, again.Correct, again.DurationMs)
	}
}

func TestAnAttemptNoEngineKeepsIsSubmittedByAnotherAtItsDeadline(t *testing.T) {
	f := newEngineFixture(t)
	f.newEngine(t) // another node, running before the attempt began
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.Stop() // the node that started it dies with its timer
	f.clock.Advance(6 * time.Minute)
	out := f.waitAutoSubmit(t)
	if out.AttemptID != a.ID || out.DurationMs != time.Minute.Milliseconds() || !out.Auto {
		t.Errorf("outcome %+v, want attempt %d submitted at its deadline, 60000 ms", out, a.ID)
	}
	if stored, err := f.db.Attempt(f.ctx, a.ID); err != nil || !stored.Submitted() || !stored.AutoSubmitted {
		t.Errorf("stored %+v (%v), want it submitted by the server", stored, err)
	}

}

// The quiz page shows a running attempt to its owner only, from the
// engine that keeps it or, on another (a cluster's other node), from the
// store; a submitted attempt is the result page's.
func TestPlayingIsTheOwnersRunningAttempt(t *testing.T) {
	f := newEngineFixture(t)
	other := f.newEngine(t) // started before the attempt: it does not keep it
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*quiz.Engine{"the engine keeping it": f.engine, "another engine": other} {
		got, round, ok := e.Playing(f.ctx, f.userID, a.ID)
		if !ok || got.ID != a.ID || !got.Deadline.Equal(a.Deadline) || round.ID != r.ID || round.Name != "Tuần 1" {
			t.Errorf("%s: %v, %+v in round %d %q; want the attempt in its round", name, ok, got, round.ID, round.Name)
		}
		if _, _, ok := e.Playing(f.ctx, f.userID+1, a.ID); ok {
			t.Errorf("%s: someone else plays the attempt", name)
		}
		if _, _, ok := e.Playing(f.ctx, f.userID, a.ID+1000); ok {
			t.Errorf("%s: an attempt that does not exist is played", name)
		}
	}
	if _, err := f.engine.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*quiz.Engine{"the engine keeping it": f.engine, "another engine": other} {
		if _, _, ok := e.Playing(f.ctx, f.userID, a.ID); ok {
			t.Errorf("%s: a submitted attempt is still played", name)
		}
	}
}
