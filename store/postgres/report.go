package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

var _ quiz.ReportStore = (*DB)(nil)

// ReportFigures reads the figures of a round's statistics in one read
// transaction (one snapshot), so that every table counts the same
// attempts even while contestants submit. Only submitted attempts count.
// Days are the dates of submission at utcOffset from UTC.
func (db *DB) ReportFigures(ctx context.Context, roundID int64, utcOffset time.Duration) (quiz.ReportFigures, error) {
	var f quiz.ReportFigures
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		f, err = reportFigures(ctx, tx, roundID, utcOffset)
		return err
	})
	if err != nil {
		return quiz.ReportFigures{}, fmt.Errorf("postgres: statistics of round %d: %w", roundID, err)
	}
	return f, nil
}

// reportKeys are the columns of users a round's contestants are counted
// by. Keys are ordered byte by byte (COLLATE "C"), as SQLite's BINARY
// collation orders them, whatever the database's locale.
var reportKeys = []struct {
	column string
	into   func(f *quiz.ReportFigures) *[]quiz.KeyedTally
}{
	{"province", func(f *quiz.ReportFigures) *[]quiz.KeyedTally { return &f.Provinces }},
	{"unit", func(f *quiz.ReportFigures) *[]quiz.KeyedTally { return &f.Units }},
	{"birth_date", func(f *quiz.ReportFigures) *[]quiz.KeyedTally { return &f.BirthDates }},
}

func reportFigures(ctx context.Context, tx pgx.Tx, roundID int64, utcOffset time.Duration) (quiz.ReportFigures, error) {
	var f quiz.ReportFigures
	err := tx.QueryRow(ctx, `SELECT count(DISTINCT user_id), count(*) FROM attempts
		WHERE round_id = $1 AND submitted_at IS NOT NULL`, roundID).Scan(&f.Total.Contestants, &f.Total.Attempts)
	if err != nil {
		return f, fmt.Errorf("totals: %w", err)
	}
	// The date of (submitted_at + offset) read as UTC is the local date:
	// whole days since the epoch, counted from 1970-01-01. to_char writes
	// it as YYYY-MM-DD whatever the server's DateStyle.
	if f.Days, err = keyedTallies(ctx, tx, `SELECT
		to_char(date '1970-01-01' + ((a.submitted_at + $1) / 86400000)::integer, 'YYYY-MM-DD') COLLATE "C" AS day,
		count(DISTINCT a.user_id), count(*)
		FROM attempts a WHERE a.round_id = $2 AND a.submitted_at IS NOT NULL
		GROUP BY day ORDER BY day`, utcOffset.Milliseconds(), roundID); err != nil {
		return f, fmt.Errorf("days: %w", err)
	}
	// The column names are constants, never input.
	for _, by := range reportKeys {
		if *by.into(&f), err = keyedTallies(ctx, tx, `SELECT u.`+by.column+`, count(DISTINCT a.user_id), count(*)
			FROM attempts a JOIN users u ON u.id = a.user_id
			WHERE a.round_id = $1 AND a.submitted_at IS NOT NULL
			GROUP BY u.`+by.column+` ORDER BY u.`+by.column+` COLLATE "C"`, roundID); err != nil {
			return f, fmt.Errorf("by %s: %w", by.column, err)
		}
	}
	if f.BestScores, err = bestScores(ctx, tx, roundID); err != nil {
		return f, fmt.Errorf("best scores: %w", err)
	}
	if f.Questions, err = questionStats(ctx, tx, submittedQuestionStats, roundID); err != nil {
		return f, fmt.Errorf("questions: %w", err)
	}
	return f, nil
}

// keyedTallies runs a query whose rows are a key, a count of contestants
// and a count of attempts.
func keyedTallies(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]quiz.KeyedTally, error) {
	rows, _ := tx.Query(ctx, query, args...)
	var out []quiz.KeyedTally
	var t quiz.KeyedTally
	var key *string
	_, err := pgx.ForEachRow(rows, []any{&key, &t.Contestants, &t.Attempts}, func() error {
		t.Key = ""
		if key != nil {
			t.Key = *key
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// bestScores counts contestants by their best score: the highest, which
// the ranking puts first among a contestant's attempts.
func bestScores(ctx context.Context, tx pgx.Tx, roundID int64) (map[int]int, error) {
	rows, _ := tx.Query(ctx, `SELECT best, count(*) FROM (
			SELECT max(coalesce(score, 0)) AS best FROM attempts
			WHERE round_id = $1 AND submitted_at IS NOT NULL GROUP BY user_id) AS contestants
		GROUP BY best`, roundID)
	out := map[int]int{}
	var score, n int
	_, err := pgx.ForEachRow(rows, []any{&score, &n}, func() error {
		out[score] = n
		return nil
	})
	return out, err
}
