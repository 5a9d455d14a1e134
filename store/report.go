package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"hoithi/quiz"
)

// ReportFigures reads the figures of a round's statistics in one read
// transaction, so that every table counts the same attempts even while
// contestants submit. Only submitted attempts count. Days are the dates of
// submission at utcOffset from UTC.
func (db *DB) ReportFigures(ctx context.Context, roundID int64, utcOffset time.Duration) (quiz.ReportFigures, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return quiz.ReportFigures{}, fmt.Errorf("store: statistics of round %d: %w", roundID, err)
	}
	defer tx.Rollback()
	f, err := reportFigures(ctx, tx, roundID, utcOffset)
	if err != nil {
		return quiz.ReportFigures{}, fmt.Errorf("store: statistics of round %d: %w", roundID, err)
	}
	return f, nil
}

func reportFigures(ctx context.Context, tx *sql.Tx, roundID int64, utcOffset time.Duration) (quiz.ReportFigures, error) {
	var f quiz.ReportFigures
	err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT user_id), count(*) FROM attempts
		WHERE round_id = ? AND submitted_at IS NOT NULL`, roundID).Scan(&f.Total.Contestants, &f.Total.Attempts)
	if err != nil {
		return f, fmt.Errorf("totals: %w", err)
	}
	// The date of (submitted_at + offset) read as UTC is the local date.
	if f.Days, err = keyedTallies(ctx, tx, `SELECT date((a.submitted_at + ?) / 1000, 'unixepoch') AS day,
		count(DISTINCT a.user_id), count(*)
		FROM attempts a WHERE a.round_id = ? AND a.submitted_at IS NOT NULL
		GROUP BY day ORDER BY day`, utcOffset.Milliseconds(), roundID); err != nil {
		return f, fmt.Errorf("days: %w", err)
	}
	// The column names are these constants, never input.
	for _, by := range []struct {
		column string
		into   *[]quiz.KeyedTally
	}{{"province", &f.Provinces}, {"unit", &f.Units}, {"birth_date", &f.BirthDates}} {
		if *by.into, err = keyedTallies(ctx, tx, `SELECT u.`+by.column+`, count(DISTINCT a.user_id), count(*)
			FROM attempts a JOIN users u ON u.id = a.user_id
			WHERE a.round_id = ? AND a.submitted_at IS NOT NULL
			GROUP BY u.`+by.column+` ORDER BY u.`+by.column, roundID); err != nil {
			return f, fmt.Errorf("by %s: %w", by.column, err)
		}
	}
	if f.BestScores, err = bestScores(ctx, tx, roundID); err != nil {
		return f, fmt.Errorf("best scores: %w", err)
	}
	if f.Questions, err = questionStats(ctx, tx, roundID, true); err != nil {
		return f, fmt.Errorf("questions: %w", err)
	}
	return f, nil
}

// keyedTallies runs a query whose rows are a key, a count of contestants
// and a count of attempts.
func keyedTallies(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]quiz.KeyedTally, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.KeyedTally
	for rows.Next() {
		var t quiz.KeyedTally
		var key sql.NullString
		if err := rows.Scan(&key, &t.Contestants, &t.Attempts); err != nil {
			return nil, err
		}
		t.Key = key.String
		out = append(out, t)
	}
	return out, rows.Err()
}

// bestScores counts contestants by their best score: the highest, which
// the ranking puts first among a contestant's attempts.
func bestScores(ctx context.Context, tx *sql.Tx, roundID int64) (map[int]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT best, count(*) FROM (
			SELECT max(coalesce(score, 0)) AS best FROM attempts
			WHERE round_id = ? AND submitted_at IS NOT NULL GROUP BY user_id)
		GROUP BY best`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var score, n int
		if err := rows.Scan(&score, &n); err != nil {
			return nil, err
		}
		out[score] = n
	}
	return out, rows.Err()
}
