package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
)

const attemptColumns = `id, round_id, user_id, number, seed, question_count, started_at, deadline,
	submitted_at, auto_submitted, coalesce(score, 0), coalesce(correct, 0), prediction`

func scanAttempt(row interface{ Scan(...any) error }) (quiz.Attempt, error) {
	var a quiz.Attempt
	var seed []byte
	var started, deadline int64
	var submitted, prediction sql.NullInt64
	if err := row.Scan(&a.ID, &a.RoundID, &a.UserID, &a.Number, &seed, &a.Total, &started, &deadline,
		&submitted, &a.AutoSubmitted, &a.Score, &a.Correct, &prediction); err != nil {
		return quiz.Attempt{}, err
	}
	copy(a.Seed[:], seed)
	a.StartedAt, a.Deadline, a.SubmittedAt = fromMs(started), fromMs(deadline), fromNullMs(submitted)
	if prediction.Valid {
		p := int(prediction.Int64)
		a.Prediction = &p
	}
	return a, nil
}

// StartAttempt returns the contestant's running attempt in the round (one
// not submitted whose deadline is still ahead), or creates the next one with
// its drawn questions unless max attempts are used up. The check and the
// insert share one transaction, so two starts at once cannot both pass.
func (db *DB) StartAttempt(ctx context.Context, na quiz.NewAttempt) (quiz.Attempt, bool, error) {
	var a quiz.Attempt
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		created = false
		var count, last int
		var running sql.NullInt64
		err := tx.Stmt(db.countAttempts).QueryRow(ms(na.StartedAt), na.RoundID, na.UserID).Scan(&count, &last, &running)
		if err != nil {
			return err
		}
		if running.Valid { // its number
			a, err = scanAttempt(tx.QueryRow("SELECT "+attemptColumns+" FROM attempts WHERE round_id = ? AND user_id = ? AND number = ?",
				na.RoundID, na.UserID, running.Int64))
			return err
		}
		if na.MaxAttempts > 0 && count >= na.MaxAttempts {
			return quiz.Errorf(quiz.CodeAttemptsExhausted, "all %d attempts at this round are used", na.MaxAttempts)
		}
		a = quiz.Attempt{RoundID: na.RoundID, UserID: na.UserID, Number: last + 1, Seed: na.Seed,
			StartedAt: na.StartedAt, Deadline: na.Deadline, Total: len(na.Questions)}
		// Not a counted id: that would tell a contestant how many attempts
		// were started between two of their own.
		ids, orders := rows.EncodeQuestions(na.Questions)
		insert := tx.Stmt(db.insertAttempt)
		a.ID, err = insertWithID(func() int64 { return newAttemptID(a.StartedAt) }, func(id int64) error {
			_, err := insert.Exec(id, a.RoundID, a.UserID, a.Number, na.Seed[:], a.Total, ms(a.StartedAt), ms(a.Deadline),
				ids, orders)
			return err
		})
		if err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return quiz.Attempt{}, false, fmt.Errorf("store: start attempt: %w", err)
	}
	return a, created, nil
}

// Attempt returns one attempt.
func (db *DB) Attempt(ctx context.Context, id int64) (quiz.Attempt, error) {
	a, err := scanAttempt(db.r.QueryRowContext(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE id = ?", id))
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("store: attempt %d: %w", id, notFound(err, "attempt"))
	}
	return a, nil
}

// SaveAnswer stores or replaces the answer to one question, unless the
// attempt has been submitted. It returns once the answer is committed.
func (db *DB) SaveAnswer(ctx context.Context, ans quiz.Answer) error {
	ids, _ := json.Marshal(ans.OptionIDs)
	// The row this operation added to the journal's memory, to take out
	// again when its transaction is rolled back (the writer may run the
	// operation twice).
	var added int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		if added != 0 {
			db.journal.remove(ans.AttemptID, added)
			added = 0
		}
		res, err := tx.Stmt(db.journalAnswer).Exec(ans.AttemptID, ans.QuestionID, string(ids), ans.Correct, ms(ans.AnsweredAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			seq, err := res.LastInsertId()
			if err != nil {
				return err
			}
			db.journal.add(ans.AttemptID, journalRow{seq, ans.QuestionID, ans.Correct})
			added = seq
			return nil
		}
		var submitted bool
		err = tx.QueryRow("SELECT submitted_at IS NOT NULL FROM attempts WHERE id = ?", ans.AttemptID).Scan(&submitted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return quiz.NotFound("attempt")
		case err != nil:
			return err
		case submitted:
			return quiz.Errorf(quiz.CodeAlreadySubmitted, "the attempt has been submitted")
		}
		return quiz.Errorf(quiz.CodeUnknownQuestion, "question %d is not in this attempt", ans.QuestionID)
	})
	if err != nil {
		if added != 0 {
			db.journal.remove(ans.AttemptID, added)
		}
		return fmt.Errorf("store: save answer: %w", err)
	}
	return nil
}

// SubmitAttempt ends an attempt and scores it from its stored answers, in
// the same transaction, so the score covers exactly the answers stored
// before it.
func (db *DB) SubmitAttempt(ctx context.Context, s quiz.Submission) (quiz.Result, error) {
	var res quiz.Result
	err := db.write(ctx, func(tx *sql.Tx) error {
		var prediction sql.NullInt64
		if s.Prediction != nil {
			prediction = sql.NullInt64{Int64: int64(*s.Prediction), Valid: true}
		}
		correct, err := db.countCorrect(tx, s.AttemptID)
		if err != nil {
			return err
		}
		var started, submitted int64
		var pred sql.NullInt64
		err = tx.QueryRow(`UPDATE attempts SET submitted_at = ?1, auto_submitted = ?2, prediction = ?3,
				correct = ?6, score = ?4 * ?6
			WHERE id = ?5 AND submitted_at IS NULL AND (NOT ?2 OR deadline <= ?1)
			RETURNING id, user_id, score, correct, question_count, prediction, started_at, submitted_at`,
			ms(s.SubmittedAt), s.Auto, prediction, s.Points, s.AttemptID, correct).Scan(
			&res.AttemptID, &res.UserID, &res.Score, &res.Correct, &res.Total, &pred, &started, &submitted)
		if errors.Is(err, sql.ErrNoRows) {
			var done bool
			err := tx.QueryRow("SELECT submitted_at IS NOT NULL FROM attempts WHERE id = ?", s.AttemptID).Scan(&done)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return quiz.NotFound("attempt")
			case err != nil:
				return err
			case done:
				return quiz.Errorf(quiz.CodeAlreadySubmitted, "the attempt has been submitted")
			}
			return quiz.Errorf(quiz.CodeNotDue, "the attempt's deadline is after %s", s.SubmittedAt.Format(time.RFC3339Nano))
		}
		if err != nil {
			return err
		}
		res.StartedAt, res.SubmittedAt = fromMs(started), fromMs(submitted)
		if pred.Valid {
			p := int(pred.Int64)
			res.Prediction = &p
		}
		return tx.QueryRow("SELECT full_name, unit FROM users WHERE id = ?", res.UserID).Scan(&res.Name, &res.Unit)
	})
	if err != nil {
		return quiz.Result{}, fmt.Errorf("store: submit attempt %d: %w", s.AttemptID, err)
	}
	db.journal.submitted(s.AttemptID, time.Now())
	return res, nil
}

// countCorrect counts the attempt's right answers: the latest of its
// journal rows to each question, over those in answers (moved there when
// the database was opened, or stored before the journal came).
func (db *DB) countCorrect(tx *sql.Tx, attemptID int64) (int, error) {
	right := map[int64]bool{}
	rows, err := tx.Stmt(db.settledRight).Query(attemptID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var q int64
		var ok bool
		if err := rows.Scan(&q, &ok); err != nil {
			return 0, err
		}
		right[q] = ok
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	db.journal.right(attemptID, right)
	n := 0
	for _, ok := range right {
		if ok {
			n++
		}
	}
	return n, nil
}

// ShowAttempt records that the attempt's questions were first shown at
// shownAt and moves its start and deadline, unless they were shown before
// or the attempt has ended; it returns the attempt as stored after.
func (db *DB) ShowAttempt(ctx context.Context, id int64, shownAt, startedAt, deadline time.Time) (quiz.Attempt, error) {
	var a quiz.Attempt
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE attempts SET shown_at = ?, started_at = ?, deadline = ?
			WHERE id = ? AND shown_at IS NULL AND submitted_at IS NULL`,
			ms(shownAt), ms(startedAt), ms(deadline), id); err != nil {
			return err
		}
		var err error
		a, err = scanAttempt(tx.QueryRow("SELECT "+attemptColumns+" FROM attempts WHERE id = ?", id))
		return notFound(err, "attempt")
	})
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("store: show attempt %d: %w", id, err)
	}
	return a, nil
}

// AttemptDetail returns an attempt with its questions, in the attempt's
// order and with options in the attempt's order, and its answers; read in
// one transaction.
func (db *DB) AttemptDetail(ctx context.Context, id int64) (quiz.AttemptDetail, error) {
	journaled := db.journal.of(id) // before the transaction's snapshot: journalAnswers
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}
	defer tx.Rollback()
	var d quiz.AttemptDetail
	var ids, orders string
	err = tx.QueryRowContext(ctx, "SELECT question_ids, option_orders FROM attempts WHERE id = ?", id).Scan(&ids, &orders)
	if err == nil {
		d.Attempt, err = scanAttempt(tx.QueryRowContext(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE id = ?", id))
	}
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, notFound(err, "attempt"))
	}
	drawn, err := rows.DecodeQuestions(ids, orders)
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}

	options := map[int64]quiz.Option{}
	orows, err := tx.QueryContext(ctx, `SELECT id, text, correct FROM options
		WHERE question_id IN (SELECT value FROM json_each(?))`, ids)
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}
	for orows.Next() {
		var o quiz.Option
		if err := orows.Scan(&o.ID, &o.Text, &o.Correct); err != nil {
			orows.Close()
			return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
		}
		options[o.ID] = o
	}
	orows.Close()
	if err := orows.Err(); err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}

	questions := map[int64]quiz.AttemptQuestion{}
	qrows, err := tx.QueryContext(ctx, `SELECT id, topic, text, explanation, reference FROM questions
		WHERE id IN (SELECT value FROM json_each(?))`, ids)
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}
	for qrows.Next() {
		var q quiz.AttemptQuestion
		if err := qrows.Scan(&q.ID, &q.Topic, &q.Text, &q.Explanation, &q.Reference); err != nil {
			qrows.Close()
			return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
		}
		questions[q.ID] = q
	}
	qrows.Close()
	if err := qrows.Err(); err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: %w", id, err)
	}
	for _, dq := range drawn {
		q, ok := questions[dq.QuestionID]
		if !ok {
			return quiz.AttemptDetail{}, fmt.Errorf("store: attempt detail %d: question %d is missing", id, dq.QuestionID)
		}
		correct := 0
		for _, oid := range dq.OptionOrder {
			o := options[oid]
			q.Options = append(q.Options, o)
			if o.Correct {
				correct++
			}
		}
		q.Multiple = correct > 1
		d.Questions = append(d.Questions, q)
	}

	if d.Answers, err = db.answers(ctx, tx, id, journaled); err != nil {
		return quiz.AttemptDetail{}, err
	}
	return d, nil
}

// Answers returns an attempt's stored answers by question id.
func (db *DB) Answers(ctx context.Context, attemptID int64) (map[int64][]int64, error) {
	journaled := db.journal.of(attemptID) // before the snapshot: journalAnswers
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: answers of attempt %d: %w", attemptID, err)
	}
	defer tx.Rollback()
	return db.answers(ctx, tx, attemptID, journaled)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// answers reads an attempt's answers: those in answers (moved there after
// its submission or when the database was opened), overlaid with its
// journal rows journaled (journal.of).
func (db *DB) answers(ctx context.Context, q querier, attemptID int64, journaled string) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	rows, err := q.QueryContext(ctx, "SELECT question_id, option_ids FROM answers WHERE attempt_id = ?", attemptID)
	if err == nil {
		err = scanAnswers(rows, out)
	}
	if err == nil && db.betweenAnswerReads != nil {
		db.betweenAnswerReads()
	}
	if err == nil {
		err = journalAnswers(ctx, q, attemptID, journaled, out)
	}
	if err != nil {
		return nil, fmt.Errorf("store: answers of attempt %d: %w", attemptID, err)
	}
	return out, nil
}

// scanAnswers reads rows of question ids and their chosen option ids into
// out, a later row to a question taking the place of an earlier one.
func scanAnswers(rs *sql.Rows, out map[int64][]int64) error {
	defer rs.Close()
	for rs.Next() {
		var qid int64
		var raw string
		if err := rs.Scan(&qid, &raw); err != nil {
			return err
		}
		ids, err := rows.IDs(raw)
		if err != nil {
			return err
		}
		out[qid] = ids
	}
	return rs.Err()
}

// UnsubmittedAttempts lists the attempts not submitted yet, for the engine to
// take up after a restart.
func (db *DB) UnsubmittedAttempts(ctx context.Context) ([]quiz.Attempt, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE submitted_at IS NULL ORDER BY deadline")
	if err != nil {
		return nil, fmt.Errorf("store: unsubmitted attempts: %w", err)
	}
	defer rows.Close()
	var out []quiz.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unsubmitted attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DueAttempts lists at most limit attempts not submitted whose deadline is
// at or before before, soonest first.
func (db *DB) DueAttempts(ctx context.Context, before time.Time, limit int) ([]quiz.Attempt, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+attemptColumns+` FROM attempts
		WHERE submitted_at IS NULL AND deadline <= ? ORDER BY deadline LIMIT ?`, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due attempts: %w", err)
	}
	defer rows.Close()
	var out []quiz.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("store: due attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UserAttempts lists a contestant's attempts at a round, oldest first.
func (db *DB) UserAttempts(ctx context.Context, userID, roundID int64) ([]quiz.Attempt, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+attemptColumns+` FROM attempts
		WHERE user_id = ? AND round_id = ? ORDER BY number`, userID, roundID)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []quiz.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("store: attempts of user %d: %w", userID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RoundResults returns every submitted attempt of a round, for its
// leaderboard.
func (db *DB) RoundResults(ctx context.Context, roundID int64) ([]quiz.Result, error) {
	rows, err := db.RoundContenders(ctx, roundID)
	if err != nil {
		return nil, err
	}
	out := make([]quiz.Result, len(rows))
	for i, r := range rows {
		out[i] = r.Result
	}
	return out, nil
}

// RoundCounts returns how many attempts at a round were started and how
// many submitted.
func (db *DB) RoundCounts(ctx context.Context, roundID int64) (started, submitted int, err error) {
	err = db.r.QueryRowContext(ctx, "SELECT count(*), count(submitted_at) FROM attempts WHERE round_id = ?", roundID).
		Scan(&started, &submitted)
	if err != nil {
		return 0, 0, fmt.Errorf("store: counts of round %d: %w", roundID, err)
	}
	return started, submitted, nil
}

// QuestionStats returns, for each question drawn in a round, how many
// stored answers it has and how many are right, most answered first, then
// in bank order.
func (db *DB) QuestionStats(ctx context.Context, roundID int64) ([]quiz.QuestionStats, error) {
	out, err := questionStats(ctx, db.r, roundID, false)
	if err != nil {
		return nil, fmt.Errorf("store: question stats of round %d: %w", roundID, err)
	}
	return out, nil
}

// questionStats counts, for each question drawn in the round's attempts
// (only the submitted ones: submittedOnly, then in bank order; else most
// answered first), its answers and the right ones. An attempt's answer in
// the journal, the latest to a question, takes the place of the one in
// answers (stored before a restart, or the same, moved there).
func questionStats(ctx context.Context, q querier, roundID int64, submittedOnly bool) ([]quiz.QuestionStats, error) {
	rows, err := q.QueryContext(ctx, `WITH journaled AS (
			SELECT attempt_id, question_id, correct, max(seq) FROM answer_journal GROUP BY attempt_id, question_id)
		SELECT q.id, q.text, count(coalesce(jn.question_id, an.question_id)),
			coalesce(sum(coalesce(jn.correct, an.correct)), 0)
		FROM attempts a
		JOIN json_each(a.question_ids) aq
		JOIN questions q ON q.id = aq.value
		LEFT JOIN answers an ON an.attempt_id = a.id AND an.question_id = aq.value
		LEFT JOIN journaled jn ON jn.attempt_id = a.id AND jn.question_id = aq.value
		WHERE a.round_id = ?1 AND (NOT ?2 OR a.submitted_at IS NOT NULL)
		GROUP BY q.id
		ORDER BY CASE WHEN ?2 THEN 0 ELSE count(coalesce(jn.question_id, an.question_id)) END DESC, q.seq`,
		roundID, submittedOnly)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.QuestionStats
	for rows.Next() {
		var s quiz.QuestionStats
		if err := rows.Scan(&s.ID, &s.Text, &s.Answered, &s.Correct); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SubmissionTimes returns when each attempt at a round was submitted.
func (db *DB) SubmissionTimes(ctx context.Context, roundID int64) ([]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT submitted_at FROM attempts WHERE round_id = ? AND submitted_at IS NOT NULL", roundID)
	if err != nil {
		return nil, fmt.Errorf("store: submissions of round %d: %w", roundID, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("store: submissions of round %d: %w", roundID, err)
		}
		out = append(out, fromMs(at))
	}
	return out, rows.Err()
}
