package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

func TestCreateUserReportsTakenPhoneAndEmail(t *testing.T) {
	f := newFixture(t, 4, 2, 1)
	ctx := context.Background()
	_, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Khác", Phone: "0912345678",
		Email: "x@y.vn", CreatedAt: time.Now()}, "h", nil)
	var qe *quiz.Error
	if !errors.As(err, &qe) || qe.Code != quiz.CodeAccountExists || qe.Fields["phone"] != quiz.MsgPhoneTaken {
		t.Fatalf("got %v, want account_exists naming the phone", err)
	}
	if _, taken := qe.Fields["email"]; taken {
		t.Errorf("the unused e-mail is reported taken: %v", qe.Fields)
	}
	if _, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Org", Email: "Org@Y.vn",
		CreatedAt: time.Now()}, "h", nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleOrganizer, FullName: "Org 2", Email: "org@y.vn",
		CreatedAt: time.Now()}, "h", nil)
	if quiz.ErrorCode(err) != quiz.CodeAccountExists {
		t.Errorf("an e-mail differing only in case: got %v, want account_exists", err)
	}
	u, hash, err := f.db.UserByLogin(ctx, "0912345678")
	if err != nil || u.ID != f.user.ID || hash != "hash" {
		t.Errorf("UserByLogin by phone = %+v, %q, %v", u, hash, err)
	}
	consents, err := f.db.Consents(ctx, f.user.ID)
	if err != nil || len(consents) != 1 || consents[0].Version != "contest-2026-01" {
		t.Errorf("consents %+v, %v; want the one given at registration", consents, err)
	}
}

func TestRoundRoundTrips(t *testing.T) {
	f := newFixture(t, 6, 3, 2)
	r := f.round
	if r.Name != "Tuần 1" || r.QuestionCount != 3 || r.PointsPerQuestion != 2 || r.MaxAttempts != 2 ||
		r.TopicQuotas["A"] != 1 || len(r.Prizes) != 2 || r.Prizes[1].Name != "Giải Nhì" || r.ContestSlug != "thi" {
		t.Errorf("round read back as %+v", r)
	}
	if r.ContestPublished {
		t.Error("an unpublished contest reads as published")
	}
	if err := f.db.PublishContest(context.Background(), r.ContestID, time.Now()); err != nil {
		t.Fatal(err)
	}
	again, _ := f.db.Round(context.Background(), r.ID)
	if !again.ContestPublished {
		t.Error("publishing did not show on the round")
	}
}

func TestStartAttemptResumesAndLimits(t *testing.T) {
	f := newFixture(t, 10, 4, 2)
	now := time.Now().UTC().Truncate(time.Millisecond)
	a, created, err := f.newAttempt(t, now)
	if err != nil || !created || a.Number != 1 || a.Total != 4 {
		t.Fatalf("first attempt %+v created=%v err=%v", a, created, err)
	}
	again, created, err := f.newAttempt(t, now.Add(time.Minute))
	if err != nil || created || again.ID != a.ID || !again.Deadline.Equal(a.Deadline) {
		t.Fatalf("second start gave %+v created=%v err=%v; want the running attempt back", again, created, err)
	}
	// After its deadline the attempt no longer runs: a new one starts.
	second, created, err := f.newAttempt(t, now.Add(11*time.Minute))
	if err != nil || !created || second.Number != 2 {
		t.Fatalf("start after the deadline gave %+v created=%v err=%v", second, created, err)
	}
	_, _, err = f.newAttempt(t, now.Add(22*time.Minute))
	if quiz.ErrorCode(err) != quiz.CodeAttemptsExhausted {
		t.Fatalf("third start: got %v, want attempts_exhausted", err)
	}
	d, err := f.db.AttemptDetail(context.Background(), a.ID)
	if err != nil || len(d.Questions) != 4 {
		t.Fatalf("detail %+v, %v", d, err)
	}
	for _, q := range d.Questions {
		if len(q.Options) != 3 || q.Text == "" {
			t.Errorf("question %+v lost its options or text", q)
		}
	}
}

func TestConcurrentStartsCreateOneAttempt(t *testing.T) {
	f := newFixture(t, 10, 4, 1)
	now := time.Now().UTC()
	var wg sync.WaitGroup
	ids := make(chan int64, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _, err := f.newAttempt(t, now)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- a.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Errorf("20 concurrent starts made %d attempts, want 1", len(seen))
	}
}

func TestAnswersReplaceAndScoreOnSubmit(t *testing.T) {
	f := newFixture(t, 10, 4, 1)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	a, _, err := f.newAttempt(t, now)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := f.db.AttemptDetail(ctx, a.ID)
	q0, q1 := d.Questions[0], d.Questions[1]
	save := func(q quiz.AttemptQuestion, idx int, correct bool) {
		t.Helper()
		if err := f.db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: q.ID, OptionIDs: []int64{q.Options[idx].ID},
			Correct: correct, AnsweredAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	save(q0, 0, false)
	save(q0, 1, true) // replaces the first answer
	save(q1, 0, true)
	d, _ = f.db.AttemptDetail(ctx, a.ID)
	if got := d.Answers[q0.ID]; len(got) != 1 || got[0] != q0.Options[1].ID {
		t.Errorf("answer to q0 is %v, want the later choice %d", got, q0.Options[1].ID)
	}
	pred := 7
	res, err := f.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now.Add(90 * time.Second),
		Prediction: &pred, Points: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Correct != 2 || res.Score != 4 || res.Total != 4 || res.DurationMs() != 90000 || *res.Prediction != 7 || res.Name != "Nguyễn Văn An" {
		t.Errorf("result %+v", res)
	}
	_, err = f.db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now, Points: 2})
	if quiz.ErrorCode(err) != quiz.CodeAlreadySubmitted {
		t.Errorf("second submit: got %v, want already_submitted", err)
	}
	err = f.db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: q1.ID, OptionIDs: []int64{}, AnsweredAt: now})
	if quiz.ErrorCode(err) != quiz.CodeAlreadySubmitted {
		t.Errorf("answer after submit: got %v, want already_submitted", err)
	}
	results, err := f.db.RoundResults(ctx, f.round.ID)
	if err != nil || len(results) != 1 || results[0].Score != 4 {
		t.Errorf("round results %+v, %v", results, err)
	}
	open, _ := f.db.UnsubmittedAttempts(ctx)
	if len(open) != 0 {
		t.Errorf("%d unsubmitted attempts after submit, want 0", len(open))
	}
}

func TestAnswerToAQuestionOutsideTheAttemptIsRefused(t *testing.T) {
	f := newFixture(t, 10, 2, 1)
	ctx := context.Background()
	a, _, _ := f.newAttempt(t, time.Now())
	d, _ := f.db.AttemptDetail(ctx, a.ID)
	in := map[int64]bool{}
	for _, q := range d.Questions {
		in[q.ID] = true
	}
	var outside int64
	for _, q := range f.pool.Questions {
		if !in[q.ID] {
			outside = q.ID
		}
	}
	err := f.db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: outside, OptionIDs: []int64{}, AnsweredAt: time.Now()})
	if quiz.ErrorCode(err) != quiz.CodeUnknownQuestion {
		t.Errorf("an answer to a question the attempt does not have: got %v, want %s", err, quiz.CodeUnknownQuestion)
	}
	if got, _ := f.db.Answers(ctx, a.ID); len(got) != 0 {
		t.Errorf("the store kept %d answers, want none", len(got))
	}
}

func TestBankVersionGrowsWithQuestions(t *testing.T) {
	f := newFixture(t, 2, 1, 1)
	ctx := context.Background()
	v1, _ := f.db.BankVersion(ctx, f.bank.ID)
	f.db.AddQuestions(ctx, f.bank.ID, []quiz.Question{{Text: "Mới?", Options: []quiz.Option{{Text: "a", Correct: true}, {Text: "b"}}}})
	v2, _ := f.db.BankVersion(ctx, f.bank.ID)
	if v2 <= v1 {
		t.Errorf("version %d then %d, want it to grow", v1, v2)
	}
	counts, _ := f.db.TopicCounts(ctx, f.bank.ID)
	if counts["A"] != 1 || counts["B"] != 1 || counts[""] != 1 {
		t.Errorf("topic counts %v", counts)
	}
}

func TestAnAttemptKeepsItsQuestionsInItsOrderWhateverTheirNumber(t *testing.T) {
	// Questions are inserted ten, five and one rows a statement: these
	// counts use each size and every mix of them.
	for _, count := range []int{1, 4, 5, 9, 10, 16, 23} {
		t.Run(fmt.Sprintf("%d questions", count), func(t *testing.T) {
			f := newFixture(t, count, count, 0)
			a, created, err := f.newAttempt(t, time.Now().UTC())
			if err != nil || !created {
				t.Fatalf("start: %v (created %v)", err, created)
			}
			drawn, _ := quiz.Draw(f.pool.Questions, count, f.round.TopicQuotas, a.Seed)
			d, err := f.db.AttemptDetail(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Questions) != count {
				t.Fatalf("%d questions stored, want %d", len(d.Questions), count)
			}
			for i, q := range d.Questions {
				if q.ID != drawn[i].QuestionID || len(q.Options) != len(drawn[i].OptionOrder) {
					t.Fatalf("question %d is %d with %d options, want %d with %d", i+1, q.ID, len(q.Options),
						drawn[i].QuestionID, len(drawn[i].OptionOrder))
				}
				for j, o := range q.Options {
					if o.ID != drawn[i].OptionOrder[j] {
						t.Errorf("question %d option %d is %d, want %d", i+1, j+1, o.ID, drawn[i].OptionOrder[j])
					}
				}
			}
		})
	}
}
