package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
)

var _ quiz.PlayStore = (*DB)(nil)

const attemptColumns = `id, round_id, user_id, number, seed, question_count, started_at, deadline,
	submitted_at, auto_submitted, coalesce(score, 0), coalesce(correct, 0), prediction`

func scanAttempt(row pgx.Row) (quiz.Attempt, error) {
	var a quiz.Attempt
	var seed []byte
	var started, deadline int64
	var submitted, prediction *int64
	if err := row.Scan(&a.ID, &a.RoundID, &a.UserID, &a.Number, &seed, &a.Total, &started, &deadline,
		&submitted, &a.AutoSubmitted, &a.Score, &a.Correct, &prediction); err != nil {
		return quiz.Attempt{}, err
	}
	copy(a.Seed[:], seed)
	a.StartedAt, a.Deadline, a.SubmittedAt = fromMs(started), fromMs(deadline), fromNullMs(submitted)
	a.Prediction = intPtr(prediction)
	return a, nil
}

func intPtr(v *int64) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// startStatement resumes or creates an attempt in one statement, under the
// lock on the contestant's starts at the round: $1 the start, $2 the
// round, $3 the user, $4 the candidate ids, $5… the new attempt, $10 the
// round's max attempts. It returns how many attempts the contestant had,
// the id of the attempt created (NULL when none was) and the running
// attempt it resumes (NULL when none runs). The running attempt is the
// SQLite store's: the latest not submitted whose deadline is after the
// start; the new attempt takes the first candidate id not taken.
const startStatement = `WITH mine AS (
		SELECT count(*) AS used, coalesce(max(number), 0) AS last,
			(SELECT id FROM attempts WHERE round_id = $2 AND user_id = $3 AND submitted_at IS NULL AND deadline > $1
				ORDER BY number DESC LIMIT 1) AS running
		FROM attempts WHERE round_id = $2 AND user_id = $3
	), free AS (
		SELECT c.id FROM unnest($4::bigint[]) WITH ORDINALITY AS c (id, draw)
		WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.id = c.id)
		ORDER BY c.draw LIMIT 1
	), created AS (
		INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at, deadline,
			question_ids, option_orders)
		SELECT free.id, $2, $3, mine.last + 1, $5, $6, $1, $7, $8, $9 FROM mine, free
		WHERE mine.running IS NULL AND ($10 = 0 OR mine.used < $10)
		ON CONFLICT (id) DO NOTHING
		RETURNING id, number
	)
	SELECT mine.used, (SELECT id FROM created), (SELECT number FROM created),
		r.id, r.round_id, r.user_id, r.number, r.seed, r.question_count, r.started_at, r.deadline,
		r.submitted_at, r.auto_submitted, r.score, r.correct, r.prediction
	FROM mine LEFT JOIN attempts r ON r.id = mine.running`

// startLockKey is the advisory lock a start takes: starts of the same
// contestant at the same round, on any node, take turns, so that two
// cannot both find no running attempt and both create one.
func startLockKey(roundID, userID int64) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "start %d %d", roundID, userID)
	return int64(h.Sum64())
}

// StartAttempt returns the contestant's running attempt in the round (one
// not submitted whose deadline is still ahead), or creates the next one with
// its drawn questions unless max attempts are used up. The check and the
// insert are one statement of one transaction, under a lock on the
// contestant's starts at the round, so two starts at once cannot both pass.
func (db *DB) StartAttempt(ctx context.Context, na quiz.NewAttempt) (quiz.Attempt, bool, error) {
	var a quiz.Attempt
	var created bool
	ids, orders := rows.EncodeQuestions(na.Questions)
	err := db.write(ctx, func(q queued) {
		q.exec("SELECT pg_advisory_xact_lock($1)", startLockKey(na.RoundID, na.UserID))
		// Not a counted id: that would tell a contestant how many attempts
		// were started between two of their own.
		q.row(func(row pgx.Row) error {
			var used int
			var newID *int64
			var newNumber *int
			var r nullableAttempt
			if err := row.Scan(append([]any{&used, &newID, &newNumber}, r.dest()...)...); err != nil {
				return err
			}
			switch {
			case r.id != nil:
				a, created = r.attempt(), false
			case newID != nil:
				a = quiz.Attempt{ID: *newID, RoundID: na.RoundID, UserID: na.UserID, Number: *newNumber, Seed: na.Seed,
					StartedAt: na.StartedAt, Deadline: na.Deadline, Total: len(na.Questions)}
				created = true
			case na.MaxAttempts > 0 && used >= na.MaxAttempts:
				return quiz.Errorf(quiz.CodeAttemptsExhausted, "all %d attempts at this round are used", na.MaxAttempts)
			default:
				return fmt.Errorf("no free id after %d random draws", idDraws)
			}
			return nil
		}, startStatement, ms(na.StartedAt), na.RoundID, na.UserID, attemptIDCandidates(na.StartedAt), na.Seed[:],
			len(na.Questions), ms(na.Deadline), ids, orders, na.MaxAttempts)
	})
	if err != nil {
		return quiz.Attempt{}, false, fmt.Errorf("postgres: start attempt: %w", err)
	}
	return a, created, nil
}

// nullableAttempt is an attempt's row from an outer join, NULL when there
// is none.
type nullableAttempt struct {
	id, roundID, userID             *int64
	number, total                   *int
	seed                            []byte
	started, deadline, submitted    *int64
	auto                            *bool
	score, correct, predictionValue *int64
}

func (r *nullableAttempt) dest() []any {
	return []any{&r.id, &r.roundID, &r.userID, &r.number, &r.seed, &r.total, &r.started, &r.deadline,
		&r.submitted, &r.auto, &r.score, &r.correct, &r.predictionValue}
}

// attempt is the row as an attempt; r.id must not be nil.
func (r *nullableAttempt) attempt() quiz.Attempt {
	a := quiz.Attempt{ID: *r.id, RoundID: *r.roundID, UserID: *r.userID, Number: *r.number, Total: *r.total,
		StartedAt: fromMs(*r.started), Deadline: fromMs(*r.deadline), SubmittedAt: fromNullMs(r.submitted),
		AutoSubmitted: *r.auto, Prediction: intPtr(r.predictionValue)}
	copy(a.Seed[:], r.seed)
	if r.score != nil {
		a.Score = int(*r.score)
	}
	if r.correct != nil {
		a.Correct = int(*r.correct)
	}
	return a
}

// Attempt returns one attempt.
func (db *DB) Attempt(ctx context.Context, id int64) (quiz.Attempt, error) {
	a, err := scanAttempt(db.r.QueryRow(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE id = $1", id))
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("postgres: attempt %d: %w", id, notFound(err, "attempt"))
	}
	return a, nil
}

// saveAnswerStatement stores or replaces an answer unless its attempt has
// been submitted or does not hold its question, and says which. The
// attempt's row is locked FOR SHARE: a submission on another node (which
// locks it FOR UPDATE first) then either waits for this answer's commit
// and scores it, or has committed before and this answer is refused. The
// lock of the answers' foreign key (FOR KEY SHARE) does not conflict with
// the submission's update and would let the answer land unscored.
const saveAnswerStatement = `WITH target AS (
		SELECT submitted_at IS NOT NULL AS submitted,
			question_ids::jsonb @> to_jsonb($2::bigint) AS holds_question
		FROM attempts WHERE id = $1 FOR SHARE
	), saved AS (
		INSERT INTO answers (attempt_id, question_id, option_ids, correct, answered_at)
		SELECT $1, $2, $3, $4, $5 FROM target WHERE NOT submitted AND holds_question
		ON CONFLICT (attempt_id, question_id) DO UPDATE SET
			option_ids = excluded.option_ids, correct = excluded.correct, answered_at = excluded.answered_at
		RETURNING 1
	)
	SELECT EXISTS (SELECT 1 FROM saved), EXISTS (SELECT 1 FROM target),
		coalesce((SELECT submitted FROM target), false)`

// SaveAnswer stores or replaces the answer to one question, unless the
// attempt has been submitted. It returns once the answer is committed.
func (db *DB) SaveAnswer(ctx context.Context, ans quiz.Answer) error {
	ids, _ := json.Marshal(ans.OptionIDs)
	err := db.write(ctx, func(q queued) {
		q.row(func(row pgx.Row) error {
			var saved, exists, submitted bool
			if err := row.Scan(&saved, &exists, &submitted); err != nil {
				return err
			}
			switch {
			case saved:
				return nil
			case !exists:
				return quiz.NotFound("attempt")
			case submitted:
				return quiz.Errorf(quiz.CodeAlreadySubmitted, "the attempt has been submitted")
			}
			return quiz.Errorf(quiz.CodeUnknownQuestion, "question %d is not in this attempt", ans.QuestionID)
		}, saveAnswerStatement, ans.AttemptID, ans.QuestionID, string(ids), ans.Correct, ms(ans.AnsweredAt))
	})
	if err != nil {
		return fmt.Errorf("postgres: save answer: %w", err)
	}
	return nil
}

// submitStatement ends and scores an attempt not submitted yet, with the
// name and unit of its contestant, and tells whether the attempt existed
// submitted (NULL: it does not exist). An automatic submission (Auto)
// waits for the stored deadline.
// The statement before it has locked the attempt's row FOR UPDATE, so
// this one's snapshot, taken after the lock, holds every answer committed
// before the submission.
const submitStatement = `WITH submitted AS (
		UPDATE attempts SET submitted_at = $2, auto_submitted = $3, prediction = $4,
			correct = (SELECT count(*) FROM answers WHERE attempt_id = attempts.id AND correct),
			score = $5 * (SELECT count(*) FROM answers WHERE attempt_id = attempts.id AND correct)
		WHERE id = $1 AND submitted_at IS NULL AND (NOT $3 OR deadline <= $2)
		RETURNING id, user_id, score, correct, question_count, prediction, started_at, submitted_at
	)
	SELECT (SELECT submitted_at IS NOT NULL FROM attempts WHERE id = $1), s.id, s.user_id, s.score, s.correct, s.question_count,
		s.prediction, s.started_at, s.submitted_at, u.full_name, u.unit
	FROM (SELECT 1) AS one LEFT JOIN submitted s ON true LEFT JOIN users u ON u.id = s.user_id`

// SubmitAttempt ends an attempt and scores it from its stored answers, in
// the same transaction, so the score covers exactly the answers stored
// before it.
func (db *DB) SubmitAttempt(ctx context.Context, s quiz.Submission) (quiz.Result, error) {
	var res quiz.Result
	var prediction *int64
	if s.Prediction != nil {
		p := int64(*s.Prediction)
		prediction = &p
	}
	err := db.write(ctx, func(q queued) {
		q.exec("SELECT 1 FROM attempts WHERE id = $1 FOR UPDATE", s.AttemptID)
		q.row(func(row pgx.Row) error {
			var done *bool
			var id, userID, started, submitted, pred *int64
			var score, correct, total *int
			var name, unit *string
			if err := row.Scan(&done, &id, &userID, &score, &correct, &total, &pred, &started, &submitted,
				&name, &unit); err != nil {
				return err
			}
			switch {
			case done == nil:
				return quiz.NotFound("attempt")
			case id == nil && *done:
				return quiz.Errorf(quiz.CodeAlreadySubmitted, "the attempt has been submitted")
			case id == nil:
				return quiz.Errorf(quiz.CodeNotDue, "the attempt's deadline is after %s", s.SubmittedAt.Format(time.RFC3339Nano))
			case name == nil:
				return fmt.Errorf("the contestant of attempt %d is missing", *id)
			}
			res = quiz.Result{AttemptID: *id, UserID: *userID, Name: *name, Unit: *unit, Score: *score,
				Correct: *correct, Total: *total, Prediction: intPtr(pred),
				StartedAt: fromMs(*started), SubmittedAt: fromMs(*submitted)}
			return nil
		}, submitStatement, s.AttemptID, ms(s.SubmittedAt), s.Auto, prediction, s.Points)
	})
	if err != nil {
		return quiz.Result{}, fmt.Errorf("postgres: submit attempt %d: %w", s.AttemptID, err)
	}
	return res, nil
}

// ShowAttempt records that the attempt's questions were first shown at
// shownAt and moves its start and deadline, unless they were shown before
// (on any node) or the attempt has ended; it returns the attempt as
// stored after.
func (db *DB) ShowAttempt(ctx context.Context, id int64, shownAt, startedAt, deadline time.Time) (quiz.Attempt, error) {
	var a quiz.Attempt
	err := db.write(ctx, func(q queued) {
		q.exec(`UPDATE attempts SET shown_at = $2, started_at = $3, deadline = $4
			WHERE id = $1 AND shown_at IS NULL AND submitted_at IS NULL`, id, ms(shownAt), ms(startedAt), ms(deadline))
		q.row(func(row pgx.Row) error {
			var err error
			a, err = scanAttempt(row)
			return notFound(err, "attempt")
		}, "SELECT "+attemptColumns+" FROM attempts WHERE id = $1", id)
	})
	if err != nil {
		return quiz.Attempt{}, fmt.Errorf("postgres: show attempt %d: %w", id, err)
	}
	return a, nil
}

// AttemptDetail returns an attempt with its questions, in the attempt's
// order and with options in the attempt's order, and its answers; read in
// one snapshot.
func (db *DB) AttemptDetail(ctx context.Context, id int64) (quiz.AttemptDetail, error) {
	var d quiz.AttemptDetail
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = attemptDetail(ctx, tx, id)
		return err
	})
	if err != nil {
		return quiz.AttemptDetail{}, fmt.Errorf("postgres: attempt detail %d: %w", id, err)
	}
	return d, nil
}

func attemptDetail(ctx context.Context, tx pgx.Tx, id int64) (quiz.AttemptDetail, error) {
	var d quiz.AttemptDetail
	var ids, orders string
	err := tx.QueryRow(ctx, "SELECT question_ids, option_orders FROM attempts WHERE id = $1", id).Scan(&ids, &orders)
	if err == nil {
		d.Attempt, err = scanAttempt(tx.QueryRow(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE id = $1", id))
	}
	if err != nil {
		return d, notFound(err, "attempt")
	}
	drawn, err := rows.DecodeQuestions(ids, orders)
	if err != nil {
		return d, err
	}
	questionIDs := make([]int64, len(drawn))
	for i, dq := range drawn {
		questionIDs[i] = dq.QuestionID
	}

	options := map[int64]quiz.Option{}
	orows, _ := tx.Query(ctx, "SELECT id, text, correct FROM options WHERE question_id = ANY ($1)", questionIDs)
	var o quiz.Option
	if _, err := pgx.ForEachRow(orows, []any{&o.ID, &o.Text, &o.Correct}, func() error {
		options[o.ID] = o
		return nil
	}); err != nil {
		return d, err
	}

	questions := map[int64]quiz.AttemptQuestion{}
	qrows, _ := tx.Query(ctx, "SELECT id, topic, text, explanation, reference FROM questions WHERE id = ANY ($1)", questionIDs)
	var q quiz.AttemptQuestion
	if _, err := pgx.ForEachRow(qrows, []any{&q.ID, &q.Topic, &q.Text, &q.Explanation, &q.Reference}, func() error {
		questions[q.ID] = q
		return nil
	}); err != nil {
		return d, err
	}

	for _, dq := range drawn {
		q, ok := questions[dq.QuestionID]
		if !ok {
			return d, fmt.Errorf("question %d is missing", dq.QuestionID)
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
	d.Answers, err = answers(ctx, tx, id)
	return d, err
}

// Answers returns an attempt's stored answers by question id.
func (db *DB) Answers(ctx context.Context, attemptID int64) (map[int64][]int64, error) {
	out, err := answers(ctx, db.r, attemptID)
	if err != nil {
		return nil, fmt.Errorf("postgres: answers of attempt %d: %w", attemptID, err)
	}
	return out, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func answers(ctx context.Context, q querier, attemptID int64) (map[int64][]int64, error) {
	rs, _ := q.Query(ctx, "SELECT question_id, option_ids FROM answers WHERE attempt_id = $1", attemptID)
	out := map[int64][]int64{}
	var qid int64
	var raw string
	_, err := pgx.ForEachRow(rs, []any{&qid, &raw}, func() error {
		ids, err := rows.IDs(raw)
		if err != nil {
			return err
		}
		out[qid] = ids
		return nil
	})
	return out, err
}

// UnsubmittedAttempts lists the attempts not submitted yet, for the engine to
// take up after a restart.
func (db *DB) UnsubmittedAttempts(ctx context.Context) ([]quiz.Attempt, error) {
	out, err := db.attempts(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE submitted_at IS NULL ORDER BY deadline, id")
	if err != nil {
		return nil, fmt.Errorf("postgres: unsubmitted attempts: %w", err)
	}
	return out, nil
}

// DueAttempts lists at most limit attempts not submitted whose deadline is
// at or before before, soonest first.
func (db *DB) DueAttempts(ctx context.Context, before time.Time, limit int) ([]quiz.Attempt, error) {
	out, err := db.attempts(ctx, "SELECT "+attemptColumns+` FROM attempts
		WHERE submitted_at IS NULL AND deadline <= $1 ORDER BY deadline, id LIMIT $2`, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: due attempts: %w", err)
	}
	return out, nil
}

// UserAttempts lists a contestant's attempts at a round, oldest first.
func (db *DB) UserAttempts(ctx context.Context, userID, roundID int64) ([]quiz.Attempt, error) {
	out, err := db.attempts(ctx, "SELECT "+attemptColumns+` FROM attempts
		WHERE user_id = $1 AND round_id = $2 ORDER BY number`, userID, roundID)
	if err != nil {
		return nil, fmt.Errorf("postgres: attempts of user %d: %w", userID, err)
	}
	return out, nil
}

func (db *DB) attempts(ctx context.Context, query string, args ...any) ([]quiz.Attempt, error) {
	rows, _ := db.r.Query(ctx, query, args...)
	defer rows.Close()
	var out []quiz.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
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

// RoundContenders returns every submitted attempt of a round with the data
// of the person who made it, in the order of their ids (the order the
// SQLite store reads them in through its index).
func (db *DB) RoundContenders(ctx context.Context, roundID int64) ([]quiz.Contender, error) {
	rows, _ := db.r.Query(ctx, `SELECT a.id, a.user_id, u.full_name, u.unit, a.score, a.correct,
		a.question_count, a.prediction, a.started_at, a.submitted_at,
		u.birth_date, u.id_number, coalesce(u.phone, ''), u.province, u.commune
		FROM attempts a JOIN users u ON u.id = a.user_id
		WHERE a.round_id = $1 AND a.submitted_at IS NOT NULL ORDER BY a.id`, roundID)
	var out []quiz.Contender
	var c quiz.Contender
	var pred *int64
	var started, submitted int64
	_, err := pgx.ForEachRow(rows, []any{&c.AttemptID, &c.UserID, &c.Name, &c.Unit, &c.Score, &c.Correct, &c.Total,
		&pred, &started, &submitted, &c.BirthDate, &c.IDNumber, &c.Phone, &c.Province, &c.Commune}, func() error {
		c.Prediction = intPtr(pred)
		c.StartedAt, c.SubmittedAt = fromMs(started), fromMs(submitted)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: contenders of round %d: %w", roundID, err)
	}
	return out, nil
}
