package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

func testStart(t *testing.T, open Open) {
	t.Run("resumes the running attempt instead of creating another", func(t *testing.T) {
		f := newRound(t, open, 3, 1)
		now := time.Now().UTC()
		first, created, err := f.start(t, 0, now)
		if err != nil || !created {
			t.Fatalf("first start: created %v, err %v; want a new attempt", created, err)
		}
		again, created, err := f.start(t, 0, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if created || again.ID != first.ID {
			t.Errorf("second start: attempt %d created %v, want attempt %d resumed", again.ID, created, first.ID)
		}
		// Stored to the millisecond; a new attempt comes back as it was given.
		if !again.Deadline.Equal(first.Deadline.Truncate(time.Millisecond)) ||
			!again.StartedAt.Equal(first.StartedAt.Truncate(time.Millisecond)) {
			t.Errorf("resumed attempt runs %v–%v, want %v–%v", again.StartedAt, again.Deadline, first.StartedAt, first.Deadline)
		}
	})

	t.Run("creates the next attempt once the running one is submitted, numbered in turn", func(t *testing.T) {
		f := newRound(t, open, 3, 1)
		now := time.Now().UTC()
		first := f.mustStart(t, 0, now)
		if _, err := f.submit(first.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		second, created, err := f.start(t, 0, now.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !created || second.ID == first.ID || second.Number != 2 {
			t.Errorf("got attempt %d number %d created %v, want a new attempt number 2", second.ID, second.Number, created)
		}
	})

	t.Run("creates the next attempt once the running one is past its deadline", func(t *testing.T) {
		f := newRound(t, open, 0, 1)
		now := time.Now().UTC()
		first := f.mustStart(t, 0, now)
		second, created, err := f.start(t, 0, first.Deadline)
		if err != nil {
			t.Fatal(err)
		}
		if !created || second.Number != 2 {
			t.Errorf("start at the deadline: number %d created %v, want a new attempt number 2", second.Number, created)
		}
	})

	t.Run("refuses an attempt past the round's max attempts", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		first := f.mustStart(t, 0, now)
		if _, err := f.submit(first.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.start(t, 0, now.Add(2*time.Minute))
		wantCode(t, err, quiz.CodeAttemptsExhausted)
		mine, err := f.store.UserAttempts(context.Background(), f.users[0].ID, f.round.ID)
		if err != nil || len(mine) != 1 {
			t.Errorf("the contestant has %d attempts (err %v), want 1", len(mine), err)
		}
	})

	t.Run("two starts at once create exactly one attempt", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		const starts = 8
		type outcome struct {
			attempt quiz.Attempt
			created bool
			err     error
		}
		outcomes := make([]outcome, starts)
		var wg sync.WaitGroup
		for i := range starts {
			wg.Go(func() {
				a, created, err := f.start(t, 0, now.Add(time.Duration(i)*time.Millisecond))
				outcomes[i] = outcome{a, created, err}
			})
		}
		wg.Wait()
		created := 0
		for i, o := range outcomes {
			if o.err != nil {
				t.Fatalf("start %d: %v", i, o.err)
			}
			if o.created {
				created++
			}
			if o.attempt.ID != outcomes[0].attempt.ID {
				t.Errorf("start %d got attempt %d, start 0 got %d: want the same", i, o.attempt.ID, outcomes[0].attempt.ID)
			}
		}
		if created != 1 {
			t.Errorf("%d of %d starts created an attempt, want exactly 1", created, starts)
		}
		mine, err := f.store.UserAttempts(context.Background(), f.users[0].ID, f.round.ID)
		if err != nil || len(mine) != 1 {
			t.Errorf("the contestant has %d attempts (err %v), want 1", len(mine), err)
		}
	})
}

func testAnswers(t *testing.T, open Open) {
	t.Run("a later answer to a question replaces the earlier one", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		q := f.questions(t, a.ID)[1]
		if err := f.answer(a.ID, q, 0, now); err != nil {
			t.Fatal(err)
		}
		if err := f.answer(a.ID, q, 2, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Answers(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{q.Options[2].ID}; len(got) != 1 || !slices.Equal(got[q.ID], want) {
			t.Errorf("answers %v, want only question %d: %v", got, q.ID, want)
		}
	})

	t.Run("an empty choice is stored as an empty answer", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		q := f.questions(t, a.ID)[0]
		err := f.store.SaveAnswer(context.Background(), quiz.Answer{AttemptID: a.ID, QuestionID: q.ID,
			OptionIDs: []int64{}, AnsweredAt: now})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Answers(context.Background(), a.ID)
		if choice, ok := got[q.ID]; err != nil || !ok || choice == nil || len(choice) != 0 {
			t.Errorf("answers %v (err %v), want an empty, non-nil choice for question %d", got, err, q.ID)
		}
	})

	t.Run("an answer after the submit is refused and not stored", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		q := f.questions(t, a.ID)[0]
		if _, err := f.submit(a.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.answer(a.ID, q, 0, now.Add(2*time.Minute)), quiz.CodeAlreadySubmitted)
		if got, _ := f.store.Answers(context.Background(), a.ID); len(got) != 0 {
			t.Errorf("answers %v after a refused answer, want none", got)
		}
	})

	t.Run("an answer to a question outside the attempt is refused", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		inAttempt := map[int64]bool{}
		for _, q := range f.questions(t, a.ID) {
			inAttempt[q.ID] = true
		}
		var outside quiz.PoolQuestion
		for _, q := range f.pool.Questions {
			if !inAttempt[q.ID] {
				outside = q
			}
		}
		err := f.store.SaveAnswer(context.Background(), quiz.Answer{AttemptID: a.ID, QuestionID: outside.ID,
			OptionIDs: []int64{outside.OptionIDs[0]}, AnsweredAt: now})
		wantCode(t, err, quiz.CodeUnknownQuestion)
		if got, _ := f.store.Answers(context.Background(), a.ID); len(got) != 0 {
			t.Errorf("answers %v after a refused answer, want none", got)
		}
	})

	t.Run("an answer to a missing attempt is not found", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		err := f.store.SaveAnswer(context.Background(), quiz.Answer{AttemptID: 123_456_789_012_345, QuestionID: f.pool.Questions[0].ID,
			OptionIDs: []int64{}, AnsweredAt: time.Now()})
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testSubmit(t *testing.T, open Open) {
	t.Run("scores the stored answers and tells who and when", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		single := singleAnswer(f.questions(t, a.ID))
		if len(single) < 3 {
			t.Fatalf("the attempt has %d single-answer questions, want at least 3", len(single))
		}
		// Two right, one answered wrong, one answered right then changed
		// to wrong: 2 correct.
		for i, q := range single[:2] {
			if err := f.answer(a.ID, q, correctOption(q), now.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.answer(a.ID, single[2], correctOption(single[2]), now); err != nil {
			t.Fatal(err)
		}
		if err := f.answer(a.ID, single[2], wrongOption(single[2]), now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		prediction := 42
		submitted := now.Add(90 * time.Second)
		res, err := f.store.SubmitAttempt(context.Background(), quiz.Submission{AttemptID: a.ID, SubmittedAt: submitted,
			Prediction: &prediction, Points: pointsEach})
		if err != nil {
			t.Fatal(err)
		}
		u := f.users[0]
		if res.AttemptID != a.ID || res.UserID != u.ID || res.Name != u.FullName || res.Unit != u.Unit {
			t.Errorf("result for attempt %d of %d %q %q, want attempt %d of %d %q %q",
				res.AttemptID, res.UserID, res.Name, res.Unit, a.ID, u.ID, u.FullName, u.Unit)
		}
		if res.Correct != 2 || res.Score != 2*pointsEach || res.Total != drawnPerAttempt {
			t.Errorf("correct %d score %d total %d, want 2, %d, %d", res.Correct, res.Score, res.Total, 2*pointsEach, drawnPerAttempt)
		}
		if res.Prediction == nil || *res.Prediction != prediction {
			t.Errorf("prediction %v, want %d", res.Prediction, prediction)
		}
		if !res.StartedAt.Equal(now.Truncate(time.Millisecond)) || !res.SubmittedAt.Equal(submitted.Truncate(time.Millisecond)) {
			t.Errorf("ran %v–%v, want %v–%v", res.StartedAt, res.SubmittedAt, now, submitted)
		}
		stored, err := f.store.Attempt(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !stored.Submitted() || stored.Score != res.Score || stored.Correct != 2 || stored.AutoSubmitted {
			t.Errorf("stored attempt submitted %v score %d correct %d auto %v, want submitted, %d, 2, not auto",
				stored.Submitted(), stored.Score, stored.Correct, stored.AutoSubmitted, res.Score)
		}
	})

	t.Run("an automatic submit is marked and scores nothing unanswered", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		res, err := f.store.SubmitAttempt(context.Background(), quiz.Submission{AttemptID: a.ID, SubmittedAt: a.Deadline,
			Auto: true, Points: pointsEach})
		if err != nil {
			t.Fatal(err)
		}
		if res.Score != 0 || res.Correct != 0 || res.Prediction != nil {
			t.Errorf("score %d correct %d prediction %v, want 0, 0, none", res.Score, res.Correct, res.Prediction)
		}
		stored, _ := f.store.Attempt(context.Background(), a.ID)
		if !stored.AutoSubmitted {
			t.Error("the attempt is not marked as submitted automatically")
		}
	})

	t.Run("a second submit is refused and keeps the first score", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		q := singleAnswer(f.questions(t, a.ID))[0]
		if err := f.answer(a.ID, q, correctOption(q), now); err != nil {
			t.Fatal(err)
		}
		first, err := f.submit(a.ID, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.submit(a.ID, now.Add(2*time.Minute))
		wantCode(t, err, quiz.CodeAlreadySubmitted)
		stored, _ := f.store.Attempt(context.Background(), a.ID)
		if stored.Score != first.Score || !stored.SubmittedAt.Equal(first.SubmittedAt) {
			t.Errorf("after a second submit: score %d at %v, want %d at %v", stored.Score, stored.SubmittedAt, first.Score, first.SubmittedAt)
		}
	})

	t.Run("two submits at once: one wins, the other is already submitted", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		const submits = 6
		errs := make([]error, submits)
		var wg sync.WaitGroup
		for i := range submits {
			wg.Go(func() { _, errs[i] = f.submit(a.ID, now.Add(time.Minute)) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch quiz.ErrorCode(err) {
			case "":
				won++
			case quiz.CodeAlreadySubmitted:
			default:
				t.Errorf("submit %d: %v, want success or %s", i, err, quiz.CodeAlreadySubmitted)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d submits won, want exactly 1", won, submits)
		}
	})

	t.Run("a submit of a missing attempt is not found", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		_, err := f.submit(123_456_789_012_345, time.Now())
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testGroupCommit(t *testing.T, open Open) {
	t.Run("answers sent together share commits, and each is stored", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		a := f.mustStart(t, 0, now)
		questions := f.questions(t, a.ID)
		beforeTx, beforeOps := f.store.Commits()
		const answers = 200
		errs := make(chan error, answers)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				q := questions[i%len(questions)]
				errs <- f.answer(a.ID, q, i%len(q.Options), now.Add(time.Duration(i)*time.Millisecond))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		afterTx, afterOps := f.store.Commits()
		if ops := afterOps - beforeOps; ops != answers {
			t.Errorf("the writer committed %d operations, want %d", ops, answers)
		}
		if commits := afterTx - beforeTx; commits >= answers || commits < 1 {
			t.Errorf("%d commits for %d concurrent answers, want fewer than %d and at least 1", commits, answers, answers)
		}
		got, err := f.store.Answers(context.Background(), a.ID)
		if err != nil || len(got) != len(questions) {
			t.Errorf("answers to %d questions (err %v), want %d", len(got), err, len(questions))
		}
	})
}

func testRead(t *testing.T, open Open) {
	t.Run("an attempt's questions and option orders come back in the drawn order", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		now := time.Now().UTC()
		drawn, seed := f.draw(t, 7)
		a, _, err := f.store.StartAttempt(context.Background(), quiz.NewAttempt{RoundID: f.round.ID, UserID: f.users[0].ID,
			Seed: seed, StartedAt: now, Deadline: now.Add(10 * time.Minute), Questions: drawn, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		if a.Seed != seed || a.Total != len(drawn) || a.Number != 1 {
			t.Errorf("attempt seed %x total %d number %d, want %x, %d, 1", a.Seed[:4], a.Total, a.Number, seed[:4], len(drawn))
		}
		q := singleAnswer(f.questions(t, a.ID))[0]
		if err := f.answer(a.ID, q, 1, now); err != nil {
			t.Fatal(err)
		}
		d, err := f.store.AttemptDetail(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Questions) != len(drawn) {
			t.Fatalf("%d questions, want %d", len(d.Questions), len(drawn))
		}
		byID := map[int64]quiz.PoolQuestion{}
		for _, pq := range f.pool.Questions {
			byID[pq.ID] = pq
		}
		for i, dq := range drawn {
			got := d.Questions[i]
			if got.ID != dq.QuestionID {
				t.Errorf("question %d is %d, want %d", i, got.ID, dq.QuestionID)
				continue
			}
			var order []int64
			for _, o := range got.Options {
				order = append(order, o.ID)
			}
			if !slices.Equal(order, dq.OptionOrder) {
				t.Errorf("question %d options %v, want %v", i, order, dq.OptionOrder)
			}
			pq := byID[dq.QuestionID]
			if got.Text != pq.Text || got.Topic != pq.Topic || got.Multiple != (len(pq.Correct) > 1) {
				t.Errorf("question %d: %q topic %q multiple %v, want %q topic %q multiple %v",
					i, got.Text, got.Topic, got.Multiple, pq.Text, pq.Topic, len(pq.Correct) > 1)
			}
		}
		if want := []int64{q.Options[1].ID}; len(d.Answers) != 1 || !slices.Equal(d.Answers[q.ID], want) {
			t.Errorf("detail's answers %v, want question %d: %v", d.Answers, q.ID, want)
		}
		if d.Attempt.ID != a.ID || d.Attempt.Seed != seed {
			t.Errorf("detail of attempt %d, want %d with its seed", d.Attempt.ID, a.ID)
		}
	})

	t.Run("a missing attempt is not found", func(t *testing.T) {
		f := newRound(t, open, 1, 1)
		_, err := f.store.Attempt(context.Background(), 123_456_789_012_345)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = f.store.AttemptDetail(context.Background(), 123_456_789_012_345)
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("unsubmitted attempts are listed by deadline, submitted ones by round", func(t *testing.T) {
		f := newRound(t, open, 1, 3)
		now := time.Now().UTC()
		late := f.mustStart(t, 0, now.Add(2*time.Second))
		early := f.mustStart(t, 1, now)
		done := f.mustStart(t, 2, now.Add(time.Second))
		if _, err := f.submit(done.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		running, err := f.store.UnsubmittedAttempts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(running) != 2 || running[0].ID != early.ID || running[1].ID != late.ID {
			t.Errorf("unsubmitted %v, want attempts %d then %d", attemptIDs(running), early.ID, late.ID)
		}
		results, err := f.store.RoundResults(context.Background(), f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 1 || results[0].AttemptID != done.ID || results[0].Name != f.users[2].FullName {
			t.Errorf("round results %+v, want only attempt %d of %q", results, done.ID, f.users[2].FullName)
		}
	})

	t.Run("the round reads back as created", func(t *testing.T) {
		f := newRound(t, open, 2, 1)
		r, err := f.store.Round(context.Background(), f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ContestPublished || r.MaxAttempts != 2 || r.QuestionCount != drawnPerAttempt || r.TopicQuotas["A"] != 1 ||
			r.PointsPerQuestion != pointsEach || r.BankID != f.bankID {
			t.Errorf("round %+v, want published, max 2, %d questions, quota A 1, %d points, bank %d",
				r, drawnPerAttempt, pointsEach, f.bankID)
		}
		_, err = f.store.Round(context.Background(), f.round.ID+1000)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func attemptIDs(as []quiz.Attempt) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func testDue(t *testing.T, open Open) {
	f := newRound(t, open, 0, 3)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var attempts []quiz.Attempt
	for user, ago := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour} {
		attempts = append(attempts, f.mustStart(t, user, now.Add(-ago)))
	}
	if _, err := f.submit(attempts[0].ID, attempts[0].Deadline); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		before time.Time
		limit  int
		want   []int64
	}{
		{"those not submitted, soonest deadline first, a deadline at the instant included", attempts[2].Deadline, 10,
			[]int64{attempts[1].ID, attempts[2].ID}},
		{"no more than the limit", attempts[2].Deadline, 1, []int64{attempts[1].ID}},
		{"none before the first deadline not submitted", attempts[1].Deadline.Add(-time.Millisecond), 10, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.store.DueAttempts(ctx, c.before, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids := attemptIDs(got); !slices.Equal(ids, c.want) {
				t.Errorf("due attempts %v, want %v", ids, c.want)
			}
		})
	}
}

func testShow(t *testing.T, open Open) {
	f := newRound(t, open, 0, 3)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := f.mustStart(t, 0, now)
	shown, later := now.Add(3*time.Second), a.Deadline.Add(3*time.Second)

	t.Run("moves the start and the deadline the first time", func(t *testing.T) {
		got, err := f.store.ShowAttempt(ctx, a.ID, shown, shown, later)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := f.store.Attempt(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []quiz.Attempt{got, stored} {
			if !x.StartedAt.Equal(shown) || !x.Deadline.Equal(later) || x.ID != a.ID {
				t.Errorf("attempt %+v, want started %v with deadline %v", x, shown, later)
			}
		}
	})
	t.Run("changes nothing the second time, and returns the attempt as stored", func(t *testing.T) {
		got, err := f.store.ShowAttempt(ctx, a.ID, shown.Add(time.Minute), shown.Add(time.Minute), later.Add(time.Minute))
		if err != nil || !got.StartedAt.Equal(shown) || !got.Deadline.Equal(later) {
			t.Errorf("second showing: %+v (%v), want started %v with deadline %v", got, err, shown, later)
		}
	})
	t.Run("an automatic submission waits for the stored deadline", func(t *testing.T) {
		_, err := f.store.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: a.Deadline, Auto: true,
			Points: f.round.PointsPerQuestion})
		wantCode(t, err, quiz.CodeNotDue)
		res, err := f.store.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: later, Auto: true,
			Points: f.round.PointsPerQuestion})
		if err != nil || !res.SubmittedAt.Equal(later) || res.DurationMs() != later.Sub(shown).Milliseconds() {
			t.Errorf("submitted at the stored deadline: %+v (%v), want working time from the showing", res, err)
		}
	})
	t.Run("a contestant's own submission does not wait", func(t *testing.T) {
		b := f.mustStart(t, 1, now)
		if _, err := f.submit(b.ID, now.Add(time.Second)); err != nil {
			t.Errorf("a contestant's submit before the deadline: %v", err)
		}
	})
	t.Run("a submitted attempt is not moved", func(t *testing.T) {
		c := f.mustStart(t, 2, now)
		if _, err := f.submit(c.ID, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.ShowAttempt(ctx, c.ID, shown, shown, later)
		if err != nil || !got.StartedAt.Equal(c.StartedAt) || !got.Deadline.Equal(c.Deadline) {
			t.Errorf("showing a submitted attempt: %+v (%v), want it as it was", got, err)
		}
		if _, err := f.store.ShowAttempt(ctx, 1, shown, shown, later); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("showing a missing attempt: %v, want not found", err)
		}
		_, err = f.store.SubmitAttempt(ctx, quiz.Submission{AttemptID: c.ID, SubmittedAt: later, Auto: true, Points: 1})
		wantCode(t, err, quiz.CodeAlreadySubmitted)
	})
}
