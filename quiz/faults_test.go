package quiz_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// unwritableStore is the real store, whose database refuses the first
// submits as one on a full disk does.
type unwritableStore struct {
	*store.DB
	refuse atomic.Int32
}

func (s *unwritableStore) SubmitAttempt(ctx context.Context, sub quiz.Submission) (quiz.Result, error) {
	if s.refuse.Add(-1) >= 0 {
		return quiz.Result{}, &quiz.Error{Code: quiz.CodeStorageUnavailable, Message: "the database cannot be written: disk full"}
	}
	return s.DB.SubmitAttempt(ctx, sub)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAutoSubmitWaitsQuietlyForAnUnwritableDatabase: an attempt whose
// grace ends while the database cannot be written is submitted at its
// deadline once it can, and the wait is not logged every second (the
// store logs the fault itself, once).
func TestAutoSubmitWaitsQuietlyForAnUnwritableDatabase(t *testing.T) {
	f := newEngineFixture(t)
	db := &unwritableStore{DB: f.db}
	db.refuse.Store(3)
	var log lockedBuffer
	e := quiz.NewEngine(quiz.EngineConfig{Store: db, Clock: f.clock, Grace: testGrace,
		Log:          slog.New(slog.NewTextHandler(&log, nil)),
		OnAutoSubmit: func(o quiz.Outcome) { f.autoSubmit <- o }})
	if err := e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	a, _, err := e.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	waiting := f.clock.Waiting()
	f.clock.Set(a.Deadline.Add(testGrace))
	for range 3 { // each refused submit is tried again a second later
		settle(t, f.clock, waiting)
		f.clock.Advance(time.Second)
	}
	o := f.waitAutoSubmit(t)

	t.Run("submits the attempt at its deadline once the database takes it", func(t *testing.T) {
		if o.AttemptID != a.ID || !o.Auto || o.DurationMs != time.Minute.Milliseconds() {
			t.Errorf("outcome %+v, want attempt %d submitted by the server after 60000 ms", o, a.ID)
		}
	})
	t.Run("logs no error for each second it waits", func(t *testing.T) {
		if n := strings.Count(log.String(), "level=ERROR"); n != 0 {
			t.Errorf("%d errors logged while waiting, want none:\n%s", n, log.String())
		}
	})
}

// TestStartSubmitsExpiredAttemptsBeforeItReturns: after a stop, an attempt
// whose deadline and grace passed while the server was down is submitted,
// at its deadline, by the time Start returns, before any socket can ask
// for its state.
func TestStartSubmitsExpiredAttemptsBeforeItReturns(t *testing.T) {
	f := newEngineFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	var ids []int64
	for i := range 3 {
		u, err := f.db.CreateUser(f.ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Trần Thị Bình",
			Phone: "091234560" + string(rune('0'+i)), CreatedAt: f.clock.Now()}, "hash",
			&quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := f.engine.StartAttempt(f.ctx, u.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	f.engine.Stop() // the server goes down
	f.clock.Advance(time.Minute + testGrace + time.Hour)

	e := quiz.NewEngine(quiz.EngineConfig{Store: f.db, Clock: f.clock, Grace: testGrace})
	if err := e.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	for _, id := range ids {
		a, err := f.db.Attempt(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Submitted() || !a.AutoSubmitted || !a.SubmittedAt.Equal(a.Deadline) {
			t.Errorf("attempt %d after Start: submitted at %v (auto %v), want at its deadline %v", id, a.SubmittedAt, a.AutoSubmitted, a.Deadline)
		}
	}
}
