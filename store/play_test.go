package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hoithi/quiz"
)

// fixture is a bank of questions, an open round on it and a contestant.
type fixture struct {
	db    *DB
	bank  quiz.Bank
	round quiz.Round
	user  quiz.User
	pool  quiz.Pool
}

func newFixture(t *testing.T, questions, count, maxAttempts int) fixture {
	t.Helper()
	ctx := context.Background()
	db := openTest(t, Options{})
	now := time.Now().UTC()
	bank, err := db.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range questions {
		qs = append(qs, quiz.Question{Topic: []string{"A", "B"}[i%2], Text: fmt.Sprintf("Câu %d?", i),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Có thể"}}})
	}
	if _, err := db.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	contest, err := db.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600, QuestionCount: count,
		TopicQuotas: map[string]int{"A": 1}, PointsPerQuestion: 2, MaxAttempts: maxAttempts, Reveal: quiz.RevealAfterSubmit,
		Prizes: []quiz.Prize{{Name: "Giải Nhất", Count: 1}, {Name: "Giải Nhì", Count: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Nguyễn Văn An", Phone: "0912345678",
		CreatedAt: now}, "hash", &quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{db, bank, round, user, pool}
}

func (f fixture) newAttempt(t *testing.T, at time.Time) (quiz.Attempt, bool, error) {
	t.Helper()
	var seed quiz.Seed
	seed[0] = byte(at.UnixNano())
	drawn, err := quiz.Draw(f.pool.Questions, f.round.QuestionCount, f.round.TopicQuotas, seed)
	if err != nil {
		t.Fatal(err)
	}
	return f.db.StartAttempt(context.Background(), quiz.NewAttempt{RoundID: f.round.ID, UserID: f.user.ID, Seed: seed,
		StartedAt: at, Deadline: at.Add(10 * time.Minute), Questions: drawn, MaxAttempts: f.round.MaxAttempts})
}
