package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
)

// TestPublishedResultsUseThePrizeIndex checks SQLite's plan for the
// published results: the prize rows are found through their index, not
// by reading a round's whole ranking.
func TestPublishedResultsUseThePrizeIndex(t *testing.T) {
	db := openTest(t, Options{})
	rows, err := db.r.Query("EXPLAIN QUERY PLAN "+publishedQuery, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var detail string
	for rows.Next() {
		var id, parent, unused int
		var d string
		if err := rows.Scan(&id, &parent, &unused, &d); err != nil {
			t.Fatal(err)
		}
		detail += d + "; "
	}
	if want := "USING INDEX round_results_prizes"; !strings.Contains(detail, want) {
		t.Errorf("plan %q, want %q", detail, want)
	}
}

// BenchmarkRankingVersion is the read every results request makes to know
// whether what the server keeps is still right:
//
//	go test ./store -run '^$' -bench RankingVersion
func BenchmarkRankingVersion(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := db.RankingVersion(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmitAttempt submits attempts from 64 contestants at once, with
// and without the trigger that counts a round's submissions, to price the
// counter on the rush's path:
//
//	go test ./store -run '^$' -bench SubmitAttempt -benchtime 5000x -count 3
func BenchmarkSubmitAttempt(b *testing.B) {
	for _, counted := range []bool{true, false} {
		name := map[bool]string{true: "with-ranking-counter", false: "without"}[counted]
		b.Run(name, func(b *testing.B) {
			db := openTest(b, Options{})
			ctx := context.Background()
			now := time.Now().UTC()
			bank, _ := db.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
			contest, _ := db.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "c", CreatedAt: now}, 0)
			round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "r", BankID: bank.ID,
				OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 3600, QuestionCount: 20,
				PointsPerQuestion: 1, Reveal: quiz.RevealNever})
			if err != nil {
				b.Fatal(err)
			}
			tx, err := db.w.Begin()
			if err != nil {
				b.Fatal(err)
			}
			if !counted {
				if _, err := tx.Exec("DROP TRIGGER ranking_attempt_submitted"); err != nil {
					b.Fatal(err)
				}
			}
			for i := range b.N {
				if _, err := tx.Exec(`INSERT INTO users (id, role, full_name, phone, password_hash, created_at)
					VALUES (?, 'contestant', 'x', ?, 'h', 0)`, 1000+i, fmt.Sprintf("09%08d", i)); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at,
					deadline) VALUES (?, ?, ?, 1, x'00', 20, ?, ?)`, 1000+i, round.ID, 1000+i, now.UnixMilli(),
					now.Add(time.Hour).UnixMilli()); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: 1000 + i, SubmittedAt: time.Now(), Points: 1}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
		})
	}
}
