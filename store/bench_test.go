package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
)

// BenchmarkSaveAnswer measures durable answers per second at
// synchronous=FULL: many contestants answering at once, each call returning
// only once its answer is committed. Compare the writer's group commit with
// one transaction per answer:
//
//	go test ./store -run '^$' -bench 'SaveAnswer/' -benchtime 5s
//
// and, as in a rush, 256 at once among 10,000 attempts running:
//
//	go test ./store -run '^$' -bench 'SaveAnswerAmong/' -benchtime 200000x
func BenchmarkSaveAnswerAmong(b *testing.B) {
	b.Run("attempts=10000/writers=256", func(b *testing.B) {
		benchSaveAnswers(b, Options{}, 256, 10000)
	})
}

func BenchmarkSaveAnswer(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"one-per-transaction", Options{MaxBatch: 1}},
		{"batched", Options{}},
		{"batched-wait-2ms", Options{MaxWait: 2 * time.Millisecond}},
	} {
		for _, writers := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s/writers=%d", bc.name, writers), func(b *testing.B) {
				benchSaveAnswers(b, bc.opts, writers, writers)
			})
		}
	}
}

// benchSaveAnswers answers with writers at once, each for the attempts
// w, w+writers, w+2·writers … of the given number, in turn.
func benchSaveAnswers(b *testing.B, opts Options, writers, attempts int) {
	obs := &countingObserver{}
	opts.Observer = obs
	db := openTest(b, opts)
	ctx := context.Background()
	now := time.Now().UTC()
	round, pool := benchRound(b, db, now)
	type slot struct {
		attempt   int64
		questions []quiz.DrawnQuestion
	}
	slots := make([]slot, attempts)
	for i := range slots {
		u, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "x", Phone: fmt.Sprintf("09%08d", i), CreatedAt: now}, "h", nil)
		if err != nil {
			b.Fatal(err)
		}
		var seed quiz.Seed
		seed[0], seed[1] = byte(i), byte(i>>8)
		drawn, _ := quiz.Draw(pool.Questions, 20, nil, seed)
		a, _, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: u.ID, Seed: seed, StartedAt: now,
			Deadline: now.Add(time.Hour), Questions: drawn})
		if err != nil {
			b.Fatal(err)
		}
		slots[i] = slot{a.ID, drawn}
	}
	obs.batches, obs.ops = 0, 0
	var next atomic.Int64
	b.ResetTimer()
	done := make(chan struct{})
	var remaining atomic.Int64
	remaining.Store(int64(b.N))
	for w := range writers {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := w; remaining.Add(-1) >= 0; i = (i + writers) % attempts {
				s := slots[i]
				q := s.questions[rng.IntN(len(s.questions))]
				err := db.SaveAnswer(ctx, quiz.Answer{AttemptID: s.attempt, QuestionID: q.QuestionID,
					OptionIDs: []int64{q.OptionOrder[rng.IntN(len(q.OptionOrder))]}, AnsweredAt: now})
				if err != nil {
					b.Error(err)
				}
				next.Add(1)
			}
			done <- struct{}{}
		}()
	}
	for range writers {
		<-done
	}
	b.StopTimer()
	b.ReportMetric(float64(next.Load())/b.Elapsed().Seconds(), "answers/s")
	if obs.batches > 0 {
		b.ReportMetric(float64(obs.ops)/float64(obs.batches), "answers/commit")
	}
}

// BenchmarkStartAttempt measures attempts started per second, 256 at once
// as in a round's opening rush, each with 20 questions, each returning
// once committed at synchronous=FULL:
//
//	go test ./store -run '^$' -bench StartAttempt -benchtime 5000x
func BenchmarkStartAttempt(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	round, pool := benchRound(b, db, now)
	users := make([]int64, b.N)
	for i := range users {
		u, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "x", Phone: fmt.Sprintf("09%08d", i), CreatedAt: now}, "h", nil)
		if err != nil {
			b.Fatal(err)
		}
		users[i] = u.ID
	}
	var next atomic.Int64
	done := make(chan struct{})
	b.ResetTimer()
	for range 256 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
				var seed quiz.Seed
				seed[0], seed[1], seed[2] = byte(i), byte(i>>8), byte(i>>16)
				drawn, _ := quiz.Draw(pool.Questions, 20, nil, seed)
				if _, _, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: users[i], Seed: seed,
					StartedAt: now, Deadline: now.Add(time.Hour), Questions: drawn, MaxAttempts: 1}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for range 256 {
		<-done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "starts/s")
}

// benchRound makes an open round of 20 questions drawn from a bank of 40,
// each of whose first option is its right one.
func benchRound(b testing.TB, db *DB, now time.Time) (quiz.Round, quiz.Pool) {
	ctx := context.Background()
	bank, _ := db.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
	var qs []quiz.Question
	for i := range 40 {
		qs = append(qs, quiz.Question{Text: fmt.Sprint("q", i), Options: []quiz.Option{{Text: "a", Correct: true}, {Text: "b"}, {Text: "c"}, {Text: "d"}}})
	}
	db.AddQuestions(ctx, bank.ID, qs)
	contest, _ := db.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "c", CreatedAt: now}, 0)
	round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "r", BankID: bank.ID, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(time.Hour), DurationSeconds: 3600, QuestionCount: 20, PointsPerQuestion: 1, Reveal: quiz.RevealNever})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := db.Pool(ctx, bank.ID)
	if err != nil {
		b.Fatal(err)
	}
	return round, pool
}

// BenchmarkCountAttempts measures a start's read of the contestant's
// attempts at the round, on 10,000 contestants of whom half have one
// running: the statement a start runs, against the earlier form that
// found the running one with a subquery ordered by number:
//
//	GOMAXPROCS=1 go test ./store -run '^$' -bench CountAttempts -benchtime 20000x
func BenchmarkCountAttempts(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	round, pool := benchRound(b, db, now)
	users := make([]int64, 10000)
	for i := range users {
		u, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "x", Phone: fmt.Sprintf("09%08d", i), CreatedAt: now}, "h", nil)
		if err != nil {
			b.Fatal(err)
		}
		users[i] = u.ID
		if i%2 == 1 {
			continue
		}
		var seed quiz.Seed
		seed[0], seed[1] = byte(i), byte(i>>8)
		drawn, _ := quiz.Draw(pool.Questions, 20, nil, seed)
		if _, _, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: u.ID, Seed: seed, StartedAt: now,
			Deadline: now.Add(time.Hour), Questions: drawn, MaxAttempts: 1}); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := db.w.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	subquery, err := tx.Prepare(`SELECT count(*), coalesce(max(number), 0),
			(SELECT id FROM attempts WHERE round_id = ?2 AND user_id = ?3 AND submitted_at IS NULL AND deadline > ?1
				ORDER BY number DESC LIMIT 1)
			FROM attempts WHERE round_id = ?2 AND user_id = ?3`)
	if err != nil {
		b.Fatal(err)
	}
	for name, st := range map[string]*sql.Stmt{"one-pass": tx.Stmt(db.countAttempts), "subquery": subquery} {
		b.Run(name, func(b *testing.B) {
			running, i := 0, 0
			for b.Loop() {
				var count, last int
				var found sql.NullInt64
				if err := st.QueryRow(now.UnixMilli(), round.ID, users[i%len(users)]).Scan(&count, &last, &found); err != nil {
					b.Fatal(err)
				}
				if found.Valid {
					running++
				}
				i++
			}
			if want := (i + 1) / 2; running != want {
				b.Fatalf("found %d running attempts in %d reads, want %d", running, i, want)
			}
		})
	}
}

// BenchmarkQuestionStatsDuringARound prices the live statistics' query
// over rounds of 2,000 and 10,000 attempts of 20 answers each, first with
// the answers in the journal, as in a round under way, then once they have
// moved into answers:
//
//	go test ./store -run '^$' -bench QuestionStatsDuringARound/2000 -benchtime 20x
func BenchmarkQuestionStatsDuringARound(b *testing.B) {
	for _, attempts := range []int{2000, 10000} {
		b.Run(strconv.Itoa(attempts), func(b *testing.B) {
			db := openTest(b, Options{})
			ctx := context.Background()
			now := time.Now().UTC()
			r := newJournalRound(b, db, now, attempts)
			for a := range r.attempts {
				for q := range 20 {
					r.answer(b, a, q, q%2, now)
				}
			}
			roundID := r.attempts[0].RoundID
			stats := func(b *testing.B) {
				for range b.N {
					if _, err := db.QuestionStats(ctx, roundID); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.Run("journaled", stats)
			if err := db.emptyJournal(ctx); err != nil { // as an open does
				b.Fatal(err)
			}
			b.Run("moved", stats)
		})
	}
}
