package store

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"hoithi/quiz"
)

// bigClosedRound fills a database with a closed round of n contestants, a
// fifth of whom made two attempts, written straight to the tables.
func bigClosedRound(b *testing.B, db *DB, n int) quiz.Round {
	ctx := context.Background()
	now := time.Now().UTC()
	bank, _ := db.CreateBank(ctx, quiz.Bank{Name: "b", CreatedAt: now})
	var qs []quiz.Question
	for i := range 20 {
		qs = append(qs, quiz.Question{Text: fmt.Sprint("q", i), Options: []quiz.Option{{Text: "a", Correct: true}, {Text: "b"}}})
	}
	if _, err := db.AddQuestions(ctx, bank.ID, qs); err != nil {
		b.Fatal(err)
	}
	contest, _ := db.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "Hội thi", CreatedAt: now}, 0)
	round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-8 * 24 * time.Hour), ClosesAt: now.Add(-time.Hour), DurationSeconds: 600, QuestionCount: 20,
		PointsPerQuestion: 1, Reveal: quiz.RevealNever, PredictionPrompt: "?", PredictionTarget: quiz.TargetPerfectScorers,
		Prizes: []quiz.Prize{{Name: "Giải Nhất", Count: 10}, {Name: "Giải Nhì", Count: 40}, {Name: "Giải Ba", Count: 150},
			{Name: "Giải Khuyến khích", Count: 800}}})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	tx, err := db.w.Begin()
	if err != nil {
		b.Fatal(err)
	}
	user, _ := tx.Prepare(`INSERT INTO users (id, role, full_name, birth_date, id_number, phone, province, commune, unit,
		password_hash, created_at) VALUES (?, 'contestant', ?, '1990-01-02', ?, ?, '01', 'Phường Ba Đình', ?, 'x', 0)`)
	attempt, _ := tx.Prepare(`INSERT INTO attempts (round_id, user_id, number, seed, question_count, started_at, deadline,
		submitted_at, score, correct, prediction) VALUES (?, ?, ?, x'00', 20, ?, ?, ?, ?, ?, ?)`)
	opens := round.OpensAt.UnixMilli()
	for u := range n {
		id := int64(1000 + u)
		if _, err := user.Exec(id, fmt.Sprintf("Nguyễn Văn %d", u), fmt.Sprintf("%012d", u), fmt.Sprintf("09%08d", u),
			fmt.Sprintf("Xã số %d", u%500)); err != nil {
			b.Fatal(err)
		}
		for number := 1; number <= 1+u%5/4; number++ {
			start := opens + rng.Int64N(7*24*3600*1000)
			score := rng.IntN(21)
			var pred any
			if rng.IntN(10) > 0 {
				pred = rng.IntN(n / 10)
			}
			if _, err := attempt.Exec(round.ID, id, number, start, start+600000, start+60000+rng.Int64N(540000),
				score, score, pred); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return round
}

// BenchmarkLock100k locks a round of 100,000 contestants: read every
// submitted attempt with its contestant, rank, give 1,000 prizes, rank the
// units and store the list in one transaction; then, as an export does,
// reads the stored list back and writes it as .xlsx.
func BenchmarkLock100k(b *testing.B) {
	db := openTest(b, Options{})
	round := bigClosedRound(b, db, 100_000)
	ctx := context.Background()
	results := quiz.NewResults(db, time.Now)
	official, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ", Email: "can-bo@so.gov.vn",
		CreatedAt: time.Now()}, "x", nil)
	if err != nil {
		b.Fatal(err)
	}
	var lockTime, exportTime time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		l, err := results.Lock(ctx, round.ID, official, "")
		if err != nil {
			b.Fatal(err)
		}
		lockTime += time.Since(start)
		start = time.Now()
		stored, err := results.Winners(ctx, round.ID)
		if err != nil {
			b.Fatal(err)
		}
		if err := (quiz.WinnersXLSX{Made: time.Now()}).Write(io.Discard, stored); err != nil {
			b.Fatal(err)
		}
		exportTime += time.Since(start)
		if len(l.Entries) != 100_000 || len(l.Winners()) != 1000 {
			b.Fatalf("%d entries, %d winners", len(l.Entries), len(l.Winners()))
		}
		b.StopTimer()
		if err := results.Unlock(ctx, round.ID, official, "again", ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(lockTime.Seconds()/float64(b.N), "lock-s/op")
	b.ReportMetric(exportTime.Seconds()/float64(b.N), "export-s/op")
}

// BenchmarkLockWrite100k is the part of a lock that holds the writer:
// storing 100,000 rows and the audit entry in one transaction, and, as
// its own metric, the unlock that deletes them.
func BenchmarkLockWrite100k(b *testing.B) {
	db := openTest(b, Options{})
	round := bigClosedRound(b, db, 100_000)
	ctx := context.Background()
	official, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ", Email: "can-bo@so.gov.vn",
		CreatedAt: time.Now()}, "x", nil)
	if err != nil {
		b.Fatal(err)
	}
	l, err := quiz.NewResults(db, time.Now).Winners(ctx, round.ID)
	if err != nil {
		b.Fatal(err)
	}
	var unlockTime time.Duration
	b.ResetTimer()
	for range b.N {
		if err := db.LockRound(ctx, l, official.ID, quiz.AuditEntry{At: time.Now(), Action: quiz.AuditLock, RoundID: round.ID}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		if err := db.UnlockRound(ctx, round.ID, quiz.AuditEntry{At: time.Now(), Action: quiz.AuditUnlock, RoundID: round.ID}); err != nil {
			b.Fatal(err)
		}
		unlockTime += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(unlockTime.Seconds()/float64(b.N), "unlock-s/op")
}
