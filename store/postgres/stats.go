package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// questionStatsQuery counts, for each question drawn in a round's
// attempts, its stored answers and the right ones. An attempt's questions
// are the JSON array in attempts.question_ids, read as a set of rows
// (SQLite's json_each). %s narrows the attempts and orders the questions.
const questionStatsQuery = `SELECT q.id, q.text, count(an.question_id), coalesce(sum(an.correct::integer), 0)
	FROM attempts a
	CROSS JOIN LATERAL jsonb_array_elements_text(a.question_ids::jsonb) AS aq (value)
	JOIN questions q ON q.id = aq.value::bigint
	LEFT JOIN answers an ON an.attempt_id = a.id AND an.question_id = q.id
	WHERE a.round_id = $1`

// The two uses of questionStatsQuery: every attempt, most answered first
// then in bank order (the live statistics); submitted attempts only, in
// bank order (the report).
const (
	allQuestionStats       = questionStatsQuery + ` GROUP BY q.id ORDER BY count(an.question_id) DESC, q.seq`
	submittedQuestionStats = questionStatsQuery + ` AND a.submitted_at IS NOT NULL GROUP BY q.id ORDER BY q.seq`
)

// QuestionStats returns, for each question drawn in a round, how many
// stored answers it has and how many are right, most answered first, then
// in bank order.
func (db *DB) QuestionStats(ctx context.Context, roundID int64) ([]quiz.QuestionStats, error) {
	out, err := questionStats(ctx, db.r, allQuestionStats, roundID)
	if err != nil {
		return nil, fmt.Errorf("postgres: question stats of round %d: %w", roundID, err)
	}
	return out, nil
}

func questionStats(ctx context.Context, q querier, query string, roundID int64) ([]quiz.QuestionStats, error) {
	rows, _ := q.Query(ctx, query, roundID)
	var out []quiz.QuestionStats
	var s quiz.QuestionStats
	_, err := pgx.ForEachRow(rows, []any{&s.ID, &s.Text, &s.Answered, &s.Correct}, func() error {
		out = append(out, s)
		return nil
	})
	return out, err
}

// SubmissionTimes returns when each attempt at a round was submitted, in
// the order of the attempts' ids (the SQLite store's order, through its
// index of submitted attempts).
func (db *DB) SubmissionTimes(ctx context.Context, roundID int64) ([]time.Time, error) {
	rows, _ := db.r.Query(ctx, `SELECT submitted_at FROM attempts
		WHERE round_id = $1 AND submitted_at IS NOT NULL ORDER BY id`, roundID)
	var out []time.Time
	var at int64
	_, err := pgx.ForEachRow(rows, []any{&at}, func() error {
		out = append(out, fromMs(at))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: submissions of round %d: %w", roundID, err)
	}
	return out, nil
}
