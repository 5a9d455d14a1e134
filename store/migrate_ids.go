package store

import (
	"context"
	"database/sql"
	"fmt"
)

func init() {
	codeMigrations[8] = codeMigration{name: "0008_random_question_ids", run: renumberQuestions}
}

// renumberQuestions gives every question and option of a database made
// before ids were random a random id (see ids.go), and every reference to
// them the new id: options, the questions and option orders of attempts,
// and the answers' choices. Questions keep their bank order in a new
// column, seq, which takes the place the counted id had in every ordering.
// Users and attempts keep their ids: they are shown in no order a
// contestant can read the key from, and old links to them stay valid.
func renumberQuestions(ctx context.Context, tx *sql.Tx) error {
	// The renumbering breaks references for a moment, between a parent's
	// change and its children's; checked at commit instead.
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return err
	}
	for _, stmt := range []string{
		`ALTER TABLE questions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0`,
		`UPDATE questions SET seq = id`,
		`CREATE UNIQUE INDEX questions_seq ON questions (seq)`,
		// Without it, checking the references to each renumbered question
		// reads every attempt's questions.
		`CREATE INDEX renumbering_attempt_questions ON attempt_questions (question_id)`,
		`CREATE TEMP TABLE renumbered_questions (old INTEGER PRIMARY KEY, new INTEGER NOT NULL UNIQUE)`,
		`CREATE TEMP TABLE renumbered_options (old INTEGER PRIMARY KEY, new INTEGER NOT NULL UNIQUE)`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if err := drawNewIDs(ctx, tx, "questions", "renumbered_questions"); err != nil {
		return err
	}
	if err := drawNewIDs(ctx, tx, "options", "renumbered_options"); err != nil {
		return err
	}

	// An option id in an attempt's order or an answer's choice that is no
	// option would be dropped from the array below: refuse instead.
	var unknown int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM attempt_questions aq, json_each(aq.option_order) j
			WHERE j.value NOT IN (SELECT old FROM temp.renumbered_options)) +
		(SELECT count(*) FROM answers an, json_each(an.option_ids) j
			WHERE j.value NOT IN (SELECT old FROM temp.renumbered_options))`).Scan(&unknown); err != nil {
		return err
	}
	if unknown > 0 {
		return fmt.Errorf("%d option ids in attempts or answers are not options", unknown)
	}

	for _, stmt := range []string{
		`UPDATE questions SET id = (SELECT new FROM temp.renumbered_questions WHERE old = questions.id)`,
		`UPDATE options SET
			id = (SELECT new FROM temp.renumbered_options WHERE old = options.id),
			question_id = (SELECT new FROM temp.renumbered_questions WHERE old = options.question_id)`,
		// An attempt shows its options in the stored order: kept.
		`UPDATE attempt_questions SET
			question_id = (SELECT new FROM temp.renumbered_questions WHERE old = attempt_questions.question_id),
			option_order = (SELECT json_group_array(r.new ORDER BY j.key)
				FROM json_each(attempt_questions.option_order) j JOIN temp.renumbered_options r ON r.old = j.value)`,
		// A choice is stored sorted, as the engine compares it with the key.
		`UPDATE answers SET
			question_id = (SELECT new FROM temp.renumbered_questions WHERE old = answers.question_id),
			option_ids = (SELECT json_group_array(r.new ORDER BY r.new)
				FROM json_each(answers.option_ids) j JOIN temp.renumbered_options r ON r.old = j.value)`,
		`DROP INDEX renumbering_attempt_questions`,
		`DROP TABLE temp.renumbered_questions`,
		`DROP TABLE temp.renumbered_options`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// drawNewIDs fills the temporary table into with a new random id for every
// row of table, no two alike and none equal to an id the table holds.
func drawNewIDs(ctx context.Context, tx *sql.Tx, table, into string) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM "+table)
	if err != nil {
		return fmt.Errorf("ids of %s: %w", table, err)
	}
	var old []int64
	taken := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("ids of %s: %w", table, err)
		}
		old = append(old, id)
		taken[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ids of %s: %w", table, err)
	}
	insert, err := tx.PrepareContext(ctx, "INSERT INTO temp."+into+" (old, new) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer insert.Close()
	for _, id := range old {
		fresh := newID()
		for taken[fresh] {
			fresh = newID()
		}
		taken[fresh] = true
		if _, err := insert.ExecContext(ctx, id, fresh); err != nil {
			return fmt.Errorf("ids of %s: %w", table, err)
		}
	}
	return nil
}
