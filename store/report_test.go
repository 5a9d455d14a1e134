package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestStatisticsFigures(t *testing.T) {
	f := newFixture(t, 10, 4, 2) // 2 points a question
	ctx := context.Background()
	addUser := func(phone, province, unit, birth string) quiz.User {
		t.Helper()
		u, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Người " + phone, Phone: phone,
			Province: province, Unit: unit, BirthDate: birth, CreatedAt: time.Now()}, "hash", nil)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	// attempt starts an attempt, gives right answers to the first right
	// questions and a wrong one after, and submits it at submitted (unless
	// zero).
	seedByte := byte(0)
	attempt := func(u quiz.User, right int, submitted time.Time) {
		t.Helper()
		seedByte++
		var seed quiz.Seed
		seed[0] = seedByte
		drawn, err := quiz.Draw(f.pool.Questions, f.round.QuestionCount, f.round.TopicQuotas, seed)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		a, _, err := f.db.StartAttempt(ctx, quiz.NewAttempt{RoundID: f.round.ID, UserID: u.ID, Seed: seed,
			StartedAt: start, Deadline: start.Add(48 * time.Hour), Questions: drawn, MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.db.AttemptDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range d.Questions[:min(right+1, len(d.Questions))] {
			if err := f.db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: q.ID, OptionIDs: []int64{q.Options[0].ID},
				Correct: i < right, AnsweredAt: start}); err != nil {
				t.Fatal(err)
			}
		}
		if submitted.IsZero() {
			return
		}
		if _, err := f.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: submitted, Points: 2}); err != nil {
			t.Fatal(err)
		}
	}
	an := addUser("0911000001", "01", "Sở Tư pháp", "2000-01-01")
	binh := addUser("0911000002", "79", "Sở Tư pháp", "1960-05-05")
	// 23:30 on 1 December in Vietnam, then 00:30 and 10:00 on the 2nd.
	attempt(an, 2, time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)) // 2 right, 1 wrong: 4 points
	attempt(an, 4, time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC)) // 4 right: 8 points
	attempt(binh, 1, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)) // 1 right, 1 wrong: 2 points
	attempt(f.user, 3, time.Time{})                                // still running: counts nowhere

	got, err := f.db.ReportFigures(ctx, f.round.ID, 7*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got any, want string) {
		t.Helper()
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s: got %s, want %s", what, s, want)
		}
	}
	check("total", got.Total, "{2 3}")
	check("days", got.Days, "[{2026-12-01 {1 1}} {2026-12-02 {2 2}}]")
	check("provinces", got.Provinces, "[{01 {1 2}} {79 {1 1}}]")
	check("units", got.Units, "[{Sở Tư pháp {2 3}}]")
	check("birth dates", got.BirthDates, "[{1960-05-05 {1 1}} {2000-01-01 {1 2}}]")
	check("best scores", got.BestScores, "map[2:1 8:1]")
	answered, correct := 0, 0
	for _, q := range got.Questions {
		answered += q.Answered
		correct += q.Correct
		if q.Text == "" {
			t.Errorf("question %d has no text", q.ID)
		}
	}
	if answered != 9 || correct != 7 {
		t.Errorf("questions: %d answers, %d right; want 9 and 7 from the submitted attempts only", answered, correct)
	}

	t.Run("at UTC the late evening falls on the day before", func(t *testing.T) {
		got, err := f.db.ReportFigures(ctx, f.round.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		check("days at UTC", got.Days, "[{2026-12-01 {1 2}} {2026-12-02 {1 1}}]")
	})
	t.Run("a round without attempts has empty figures", func(t *testing.T) {
		got, err := f.db.ReportFigures(ctx, f.round.ID+1000, 7*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != (quiz.Tally{}) || len(got.Days) != 0 || len(got.BestScores) != 0 || len(got.Questions) != 0 {
			t.Errorf("got %+v, want nothing", got)
		}
	})
}
