package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"hoithi/quiz"
)

// v7Bank writes, as hoithi up to version 7 did, a bank of six questions
// with counted ids, most with the right answer first; question 2 is
// retired and question 6 has two right options. It returns the pool the
// draw of that version saw.
func v7Bank(t *testing.T, raw *sql.DB) []quiz.PoolQuestion {
	t.Helper()
	mustExec(t, raw, "INSERT INTO banks (id, name, created_at) VALUES (1, 'Ngân hàng', 0)")
	var pool []quiz.PoolQuestion
	optionID := int64(0)
	for q := int64(1); q <= 6; q++ {
		var retired any
		if q == 2 {
			retired = 1
		}
		mustExec(t, raw, `INSERT INTO questions (id, bank_id, topic, text, retired_at, created_at)
			VALUES (?, 1, 'Chung', ?, ?, 0)`, q, fmt.Sprintf("Câu %d", q), retired)
		pq := quiz.PoolQuestion{ID: q}
		for pos := 1; pos <= 4; pos++ {
			optionID++
			correct := pos == 1 || (q == 6 && pos == 3)
			if q == 5 {
				correct = pos == 2
			}
			mustExec(t, raw, "INSERT INTO options (id, question_id, position, text, correct) VALUES (?, ?, ?, ?, ?)",
				optionID, q, pos, fmt.Sprintf("Câu %d, ý %d", q, pos), correct)
			pq.OptionIDs = append(pq.OptionIDs, optionID)
			if correct {
				pq.Correct = append(pq.Correct, optionID)
			}
		}
		if q != 2 {
			pool = append(pool, pq)
		}
	}
	return pool
}

// v7Attempt writes an attempt drawn from pool with seed, as version 7
// did, and answers its questions: the right set for even positions, a
// wrong option for odd ones, up to answered questions. It returns the
// count of right answers.
func v7Attempt(t *testing.T, raw *sql.DB, id, userID int64, pool []quiz.PoolQuestion, seed quiz.Seed,
	started, deadline time.Time, answered int) int {
	t.Helper()
	drawn, err := quiz.Draw(pool, 3, nil, seed)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, raw, `INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at, deadline)
		VALUES (?, 1, ?, 1, ?, 3, ?, ?)`, id, userID, seed[:], started.UnixMilli(), deadline.UnixMilli())
	byID := map[int64]quiz.PoolQuestion{}
	for _, q := range pool {
		byID[q.ID] = q
	}
	right := 0
	for i, d := range drawn {
		order, _ := json.Marshal(d.OptionOrder)
		mustExec(t, raw, "INSERT INTO attempt_questions (attempt_id, position, question_id, option_order) VALUES (?, ?, ?, ?)",
			id, i+1, d.QuestionID, string(order))
		if i >= answered {
			continue
		}
		q := byID[d.QuestionID]
		choice := q.Correct
		if i%2 == 1 {
			for _, o := range q.OptionIDs {
				if !slices.Contains(q.Correct, o) {
					choice = []int64{o}
					break
				}
			}
		}
		ids, _ := json.Marshal(choice)
		correct := slices.Equal(choice, q.Correct)
		if correct {
			right++
		}
		mustExec(t, raw, "INSERT INTO answers (attempt_id, question_id, option_ids, correct, answered_at) VALUES (?, ?, ?, ?, ?)",
			id, d.QuestionID, string(ids), correct, started.UnixMilli())
	}
	return right
}

// shownAttempt is an attempt as its contestant sees it, by texts: the
// questions in order, each with its options in order, the chosen ones
// marked.
func shownAttempt(d quiz.AttemptDetail) []string {
	var out []string
	for _, q := range d.Questions {
		line := q.Text + ":"
		for _, o := range q.Options {
			mark := ""
			if slices.Contains(d.Answers[q.ID], o.ID) {
				mark = "*"
			}
			line += fmt.Sprintf(" [%s%s]", mark, o.Text)
		}
		out = append(out, line)
	}
	return out
}

func TestUpgradeGivesQuestionsAndOptionsRandomIds(t *testing.T) {
	ctx := context.Background()
	raw, path := openAtVersion(t, 7)
	now := time.Now().UTC()
	pool := v7Bank(t, raw)
	mustExec(t, raw, "INSERT INTO contests (id, slug, title, published_at, created_at) VALUES (1, 'hoi-thi', 'Hội thi', 0, 0)")
	mustExec(t, raw, `INSERT INTO rounds (id, contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
		question_count, points_per_question, max_attempts, reveal, created_at)
		VALUES (1, 1, 'Tuần 1', 1, ?, ?, 600, 3, 2, 0, 'after_close', 0)`,
		now.Add(-time.Hour).UnixMilli(), now.Add(time.Hour).UnixMilli())
	for id, phone := range map[int]string{1: "0912345678", 2: "0912345679"} {
		mustExec(t, raw, `INSERT INTO users (id, role, full_name, phone, password_hash, created_at)
			VALUES (?, 'contestant', ?, ?, 'x', 0)`, id, fmt.Sprintf("Người thi %d", id), phone)
	}
	var submittedSeed, runningSeed quiz.Seed
	submittedSeed[0], runningSeed[0] = 7, 9
	right := v7Attempt(t, raw, 1, 1, pool, submittedSeed, now.Add(-30*time.Minute), now.Add(-20*time.Minute), 3)
	mustExec(t, raw, "UPDATE attempts SET submitted_at = ?, score = ?, correct = ? WHERE id = 1",
		now.Add(-25*time.Minute).UnixMilli(), 2*right, right)
	runningRight := v7Attempt(t, raw, 2, 2, pool, runningSeed, now.Add(-time.Minute), now.Add(9*time.Minute), 1)

	ids := func(db *sql.DB, table string) []int64 {
		rows, err := db.Query("SELECT id FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	oldQuestions, oldOptions := ids(raw, "questions"), ids(raw, "options")
	raw.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	t.Run("every question and option has a new random id", func(t *testing.T) {
		for table, old := range map[string][]int64{"questions": oldQuestions, "options": oldOptions} {
			got := ids(db.r, table)
			if len(got) != len(old) {
				t.Fatalf("%s: %d rows after the upgrade, want %d", table, len(got), len(old))
			}
			for _, id := range got {
				if id < minRandomID || id > maxRandomID || slices.Contains(old, id) {
					t.Errorf("%s: id %d after the upgrade, want a new random id", table, id)
				}
			}
		}
	})

	t.Run("users and attempts keep their ids", func(t *testing.T) {
		if got := ids(db.r, "users"); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("user ids %v, want [1 2]", got)
		}
		if got := ids(db.r, "attempts"); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("attempt ids %v, want [1 2]", got)
		}
	})

	t.Run("the bank lists in the same order", func(t *testing.T) {
		qs, err := db.Questions(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range qs {
			line := q.Text
			if q.Retired {
				line += " (retired)"
			}
			for _, o := range q.Options {
				line += fmt.Sprintf(" [%s %v]", o.Text, o.Correct)
			}
			got = append(got, line)
		}
		want := []string{
			"Câu 1 [Câu 1, ý 1 true] [Câu 1, ý 2 false] [Câu 1, ý 3 false] [Câu 1, ý 4 false]",
			"Câu 2 (retired) [Câu 2, ý 1 true] [Câu 2, ý 2 false] [Câu 2, ý 3 false] [Câu 2, ý 4 false]",
			"Câu 3 [Câu 3, ý 1 true] [Câu 3, ý 2 false] [Câu 3, ý 3 false] [Câu 3, ý 4 false]",
			"Câu 4 [Câu 4, ý 1 true] [Câu 4, ý 2 false] [Câu 4, ý 3 false] [Câu 4, ý 4 false]",
			"Câu 5 [Câu 5, ý 1 false] [Câu 5, ý 2 true] [Câu 5, ý 3 false] [Câu 5, ý 4 false]",
			"Câu 6 [Câu 6, ý 1 true] [Câu 6, ý 2 false] [Câu 6, ý 3 true] [Câu 6, ý 4 false]",
		}
		if !slices.Equal(got, want) {
			t.Errorf("bank after the upgrade:\n%s\nwant\n%s", got, want)
		}
	})

	// What each attempt showed before the upgrade, by texts.
	oldText := map[int64]string{}
	for _, q := range pool {
		oldText[q.ID] = fmt.Sprintf("Câu %d", q.ID)
		for pos, o := range q.OptionIDs {
			oldText[-o] = fmt.Sprintf("Câu %d, ý %d", q.ID, pos+1)
		}
	}
	shownBefore := func(seed quiz.Seed, answered int) []string {
		drawn, _ := quiz.Draw(pool, 3, nil, seed)
		var out []string
		for i, d := range drawn {
			q := pool[slices.IndexFunc(pool, func(p quiz.PoolQuestion) bool { return p.ID == d.QuestionID })]
			choice := q.Correct
			if i%2 == 1 {
				for _, o := range q.OptionIDs {
					if !slices.Contains(q.Correct, o) {
						choice = []int64{o}
						break
					}
				}
			}
			line := oldText[d.QuestionID] + ":"
			for _, o := range d.OptionOrder {
				mark := ""
				if i < answered && slices.Contains(choice, o) {
					mark = "*"
				}
				line += fmt.Sprintf(" [%s%s]", mark, oldText[-o])
			}
			out = append(out, line)
		}
		return out
	}

	t.Run("the submitted attempt shows the same questions, options and choices", func(t *testing.T) {
		d, err := db.AttemptDetail(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := shownAttempt(d), shownBefore(submittedSeed, 3); !slices.Equal(got, want) {
			t.Errorf("attempt after the upgrade:\n%s\nwant\n%s", got, want)
		}
		if d.Attempt.Score != 2*right || d.Attempt.Correct != right {
			t.Errorf("score %d, correct %d after the upgrade; want %d, %d", d.Attempt.Score, d.Attempt.Correct, 2*right, right)
		}
		for qid, chosen := range d.Answers {
			if !slices.IsSorted(chosen) {
				t.Errorf("answer to question %d stored as %v, want it sorted", qid, chosen)
			}
		}
		var stillRight int
		db.r.QueryRow("SELECT count(*) FROM answers WHERE attempt_id = 1 AND correct = 1").Scan(&stillRight)
		if stillRight != right {
			t.Errorf("%d answers marked right after the upgrade, want %d", stillRight, right)
		}
	})

	t.Run("each attempt's seed still explains its draw", func(t *testing.T) {
		p, err := db.Pool(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		for id, seed := range map[int64]quiz.Seed{1: submittedSeed, 2: runningSeed} {
			d, err := db.AttemptDetail(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			drawn, err := quiz.Draw(p.Questions, 3, nil, seed)
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range d.Questions {
				var order []int64
				for _, o := range q.Options {
					order = append(order, o.ID)
				}
				if drawn[i].QuestionID != q.ID || !slices.Equal(drawn[i].OptionOrder, order) {
					t.Errorf("attempt %d, question %d: the seed draws %v, the attempt shows %d %v",
						id, i+1, drawn[i], q.ID, order)
				}
			}
		}
	})

	t.Run("the running attempt shows the same and can be answered and submitted", func(t *testing.T) {
		engine := quiz.NewEngine(quiz.EngineConfig{Store: db, Grace: time.Second})
		if err := engine.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer engine.Stop()
		d, _, err := engine.State(ctx, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := shownAttempt(d), shownBefore(runningSeed, 1); !slices.Equal(got, want) {
			t.Errorf("running attempt after the upgrade:\n%s\nwant\n%s", got, want)
		}
		// The two questions not answered yet: the right set for both.
		for _, q := range d.Questions[1:] {
			var correct []int64
			for _, o := range q.Options {
				if o.Correct {
					correct = append(correct, o.ID)
				}
			}
			if err := engine.Answer(ctx, 2, 2, q.ID, correct); err != nil {
				t.Fatalf("answer to %s: %v", q.Text, err)
			}
		}
		out, err := engine.Submit(ctx, 2, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := runningRight + 2; out.Correct != want || out.Score != 2*want {
			t.Errorf("submitted with %d right, score %d; want %d, %d", out.Correct, out.Score, want, 2*want)
		}
	})

	t.Run("a question added after the upgrade comes last in the bank", func(t *testing.T) {
		if _, err := db.AddQuestions(ctx, 1, []quiz.Question{{Topic: "Chung", Text: "Câu 7",
			Options: []quiz.Option{{Text: "Có", Correct: true}, {Text: "Không"}}}}); err != nil {
			t.Fatal(err)
		}
		qs, err := db.Questions(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if last := qs[len(qs)-1]; last.Text != "Câu 7" || last.ID < minRandomID {
			t.Errorf("last question %q (id %d), want Câu 7 with a random id", last.Text, last.ID)
		}
	})
}
