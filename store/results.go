package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hoithi/quiz"
)

// contenderColumns are a submitted attempt and its contestant's data, as
// scanContenders reads them.
const contenderColumns = `a.id, a.user_id, u.full_name, u.unit, a.score, a.correct,
	a.question_count, a.prediction, a.started_at, a.submitted_at,
	u.birth_date, u.id_number, coalesce(u.phone, ''), u.province, u.commune
	FROM attempts a JOIN users u ON u.id = a.user_id`

// RoundContenders returns every submitted attempt of a round with the data
// of the person who made it.
func (db *DB) RoundContenders(ctx context.Context, roundID int64) ([]quiz.Contender, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+contenderColumns+`
		WHERE a.round_id = ? AND a.submitted_at IS NOT NULL`, roundID)
	if err != nil {
		return nil, fmt.Errorf("store: contenders of round %d: %w", roundID, err)
	}
	out, err := scanContenders(rows)
	if err != nil {
		return nil, fmt.Errorf("store: contenders of round %d: %w", roundID, err)
	}
	return out, nil
}

// ContenderAttempts returns one contestant's submitted attempts in a
// round with their data, through the (round, user, number) index.
func (db *DB) ContenderAttempts(ctx context.Context, roundID, userID int64) ([]quiz.Contender, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+contenderColumns+`
		WHERE a.round_id = ? AND a.user_id = ? AND a.submitted_at IS NOT NULL`, roundID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of user %d in round %d: %w", userID, roundID, err)
	}
	out, err := scanContenders(rows)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of user %d in round %d: %w", userID, roundID, err)
	}
	return out, nil
}

func scanContenders(rows *sql.Rows) ([]quiz.Contender, error) {
	defer rows.Close()
	var out []quiz.Contender
	for rows.Next() {
		var c quiz.Contender
		var pred sql.NullInt64
		var started, submitted int64
		if err := rows.Scan(&c.AttemptID, &c.UserID, &c.Name, &c.Unit, &c.Score, &c.Correct, &c.Total,
			&pred, &started, &submitted, &c.BirthDate, &c.IDNumber, &c.Phone, &c.Province, &c.Commune); err != nil {
			return nil, err
		}
		c.Prediction = intPtr(pred)
		c.StartedAt, c.SubmittedAt = fromMs(started), fromMs(submitted)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RankingVersion reads the counters that the triggers of migration 0011
// raise on every change that can move a round's ranking or statistics:
// two rows by their primary key, whichever process made the change.
func (db *DB) RankingVersion(ctx context.Context, roundID int64) (quiz.RankingVersion, error) {
	var v quiz.RankingVersion
	err := db.r.QueryRowContext(ctx, `SELECT
		coalesce((SELECT version FROM ranking_versions WHERE round_id = 0), 0),
		coalesce((SELECT version FROM ranking_versions WHERE round_id = ?), 0)`, roundID).Scan(&v.All, &v.Round)
	if err != nil {
		return v, fmt.Errorf("store: ranking version of round %d: %w", roundID, err)
	}
	return v, nil
}

// FreshRound reads a round from the database, past the second for which
// Round reuses what it read.
func (db *DB) FreshRound(ctx context.Context, id int64) (quiz.Round, error) {
	rounds, err := db.rounds(ctx, "r.id = ?", id)
	if err != nil {
		return quiz.Round{}, err
	}
	if len(rounds) == 0 {
		return quiz.Round{}, fmt.Errorf("store: round %d: %w", id, quiz.NotFound("round"))
	}
	return rounds[0], nil
}

// HeldPrizes returns, for each person, the highest prize they hold in the
// locked rounds of a contest other than exceptRound.
func (db *DB) HeldPrizes(ctx context.Context, contestID, exceptRound int64) (map[int64]quiz.HeldPrize, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT rr.user_id, rr.prize_tier, rr.prize, r.id, r.name
		FROM round_results rr JOIN rounds r ON r.id = rr.round_id
		WHERE r.contest_id = ? AND r.id <> ? AND r.locked_at IS NOT NULL AND rr.prize_tier > 0
		ORDER BY rr.prize_tier, r.opens_at, r.id`, contestID, exceptRound)
	if err != nil {
		return nil, fmt.Errorf("store: prizes held in contest %d: %w", contestID, err)
	}
	defer rows.Close()
	out := map[int64]quiz.HeldPrize{}
	for rows.Next() {
		var user int64
		var h quiz.HeldPrize
		if err := rows.Scan(&user, &h.Tier, &h.Prize, &h.RoundID, &h.RoundName); err != nil {
			return nil, fmt.Errorf("store: prizes held in contest %d: %w", contestID, err)
		}
		if _, ok := out[user]; !ok {
			out[user] = h
		}
	}
	return out, rows.Err()
}

// UnitMembers returns the size of every unit the organizer gave one.
func (db *DB) UnitMembers(ctx context.Context) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name, members FROM units WHERE members > 0")
	if err != nil {
		return nil, fmt.Errorf("store: unit sizes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("store: unit sizes: %w", err)
		}
		out[name] = n
	}
	return out, rows.Err()
}

// SetUnitMembers stores the size of each unit in members and clears the
// others.
func (db *DB) SetUnitMembers(ctx context.Context, members map[string]int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("UPDATE units SET members = 0"); err != nil {
			return err
		}
		for name, n := range members {
			if _, err := tx.Exec("UPDATE units SET members = ? WHERE name = ?", n, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unit sizes: %w", err)
	}
	return nil
}

// LockRound stores l as its round's locked ranking, marks the round locked
// by the given account, and writes the audit entry, all in one
// transaction. A round locked already is refused with CodeAlreadyLocked.
func (db *DB) LockRound(ctx context.Context, l quiz.WinnerList, by int64, e quiz.AuditEntry) error {
	roundID := l.Round.ID
	err := db.write(ctx, func(tx *sql.Tx) error {
		var locked sql.NullInt64
		if err := tx.QueryRow("SELECT locked_at FROM rounds WHERE id = ?", roundID).Scan(&locked); err != nil {
			return notFound(err, "round")
		}
		if locked.Valid {
			return quiz.Errorf(quiz.CodeAlreadyLocked, "round %d is locked already", roundID)
		}
		ins, err := tx.Prepare(`INSERT INTO round_results (round_id, position, rank, prize_tier, prize, user_id,
			attempt_id, full_name, birth_date, id_number, phone, unit, province, commune, score, correct, total,
			prediction, prediction_error, duration_ms, started_at, submitted_at, flags, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, w := range l.Entries {
			if _, err := ins.Exec(roundID, i+1, w.Rank, w.PrizeTier, w.Prize, w.UserID, w.AttemptID,
				w.FullName, w.BirthDate, w.IDNumber, w.Phone, w.Unit, w.Province, w.Commune,
				w.Score, w.Correct, w.Total, nullInt(w.Prediction), nullInt(w.PredictionError), w.DurationMs,
				ms(w.StartedAt), ms(w.SubmittedAt), strings.Join(w.Flags, ","), w.Note); err != nil {
				return err
			}
		}
		for i, u := range l.Units {
			if _, err := tx.Exec(`INSERT INTO round_unit_results (round_id, position, unit, participants, members,
				rank, share_rank, prize) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				roundID, i+1, u.Unit, u.Participants, u.Members, u.Rank, u.ShareRank, u.Prize); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE rounds SET locked_at = ?, locked_by = ?, actual = ? WHERE id = ?",
			ms(e.At), by, nullInt(l.Actual), roundID); err != nil {
			return err
		}
		return insertAudit(tx, e)
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("store: lock round %d: %w", roundID, err)
	}
	return nil
}

// UnlockRound removes a round's locked ranking and writes the audit entry.
func (db *DB) UnlockRound(ctx context.Context, roundID int64, e quiz.AuditEntry) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var locked sql.NullInt64
		if err := tx.QueryRow("SELECT locked_at FROM rounds WHERE id = ?", roundID).Scan(&locked); err != nil {
			return notFound(err, "round")
		}
		if !locked.Valid {
			return quiz.Errorf(quiz.CodeNotLocked, "round %d is not locked", roundID)
		}
		for _, q := range []string{
			"DELETE FROM round_results WHERE round_id = ?",
			"DELETE FROM round_unit_results WHERE round_id = ?",
			"UPDATE rounds SET locked_at = NULL, locked_by = NULL, actual = NULL WHERE id = ?",
		} {
			if _, err := tx.Exec(q, roundID); err != nil {
				return err
			}
		}
		return insertAudit(tx, e)
	})
	db.forgetRounds()
	if err != nil {
		return fmt.Errorf("store: unlock round %d: %w", roundID, err)
	}
	return nil
}

// resultColumns are a stored ranking row as scanResult reads it.
const resultColumns = `rank, prize_tier, prize, user_id, attempt_id, full_name,
	birth_date, id_number, phone, unit, province, commune, score, correct, total, prediction,
	prediction_error, duration_ms, started_at, submitted_at, flags, note`

type scanner interface{ Scan(dest ...any) error }

func scanResult(row scanner) (quiz.Winner, error) {
	var w quiz.Winner
	var pred, perr sql.NullInt64
	var started, submitted int64
	var flags string
	if err := row.Scan(&w.Rank, &w.PrizeTier, &w.Prize, &w.UserID, &w.AttemptID, &w.FullName,
		&w.BirthDate, &w.IDNumber, &w.Phone, &w.Unit, &w.Province, &w.Commune, &w.Score, &w.Correct,
		&w.Total, &pred, &perr, &w.DurationMs, &started, &submitted, &flags, &w.Note); err != nil {
		return w, err
	}
	w.Prediction, w.PredictionError = intPtr(pred), intPtr(perr)
	w.StartedAt, w.SubmittedAt = fromMs(started), fromMs(submitted)
	if flags != "" {
		w.Flags = strings.Split(flags, ",")
	}
	return w, nil
}

// LockedList reads a locked round's stored ranking and units into l.
func (db *DB) LockedList(ctx context.Context, l *quiz.WinnerList) error {
	roundID := l.Round.ID
	rows, err := db.r.QueryContext(ctx, `SELECT `+resultColumns+`
		FROM round_results WHERE round_id = ? ORDER BY position`, roundID)
	if err != nil {
		return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
	}
	defer rows.Close()
	l.Entries = l.Entries[:0]
	for rows.Next() {
		w, err := scanResult(rows)
		if err != nil {
			return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
		}
		l.Entries = append(l.Entries, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
	}
	l.Units, err = lockedUnits(ctx, db.r, roundID, "", "")
	return err
}

// Identities reads the CCCD and birth date the live accounts among userIDs
// have now.
func (db *DB) Identities(ctx context.Context, userIDs []int64) (map[int64]quiz.Identity, error) {
	out := make(map[int64]quiz.Identity, len(userIDs))
	for _, id := range userIDs {
		var v quiz.Identity
		err := db.r.QueryRowContext(ctx, `SELECT id_number, birth_date FROM users WHERE id = ? AND deleted_at IS NULL`, id).
			Scan(&v.IDNumber, &v.BirthDate)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: identity of account %d: %w", id, err)
		}
		out[id] = v
	}
	return out, nil
}

// lockedUnits reads a locked round's units in order; index and where
// (constants) may narrow them.
func lockedUnits(ctx context.Context, q querier, roundID int64, index, where string) ([]quiz.UnitStanding, error) {
	rows, err := q.QueryContext(ctx, `SELECT unit, participants, members, rank, share_rank, prize
		FROM round_unit_results`+index+` WHERE round_id = ?`+where+` ORDER BY position`, roundID)
	if err != nil {
		return nil, fmt.Errorf("store: locked units of round %d: %w", roundID, err)
	}
	defer rows.Close()
	var out []quiz.UnitStanding
	for rows.Next() {
		var u quiz.UnitStanding
		if err := rows.Scan(&u.Unit, &u.Participants, &u.Members, &u.Rank, &u.ShareRank, &u.Prize); err != nil {
			return nil, fmt.Errorf("store: locked units of round %d: %w", roundID, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// LockedEntry reads one contestant's row of a locked round's stored
// ranking, through the index on the user.
func (db *DB) LockedEntry(ctx context.Context, roundID, userID int64) (quiz.Winner, error) {
	w, err := scanResult(db.r.QueryRowContext(ctx, `SELECT `+resultColumns+`
		FROM round_results WHERE user_id = ? AND round_id = ?`, userID, roundID))
	if err != nil {
		return quiz.Winner{}, fmt.Errorf("store: result of user %d in round %d: %w", userID, roundID, notFound(err, "result"))
	}
	return w, nil
}

// publishedQuery reads a locked round's prize rows, without the personal
// data. Its partial index holds the prize rows only; without statistics
// the planner would walk the round's every row by the primary key, so the
// index is named.
const publishedQuery = `SELECT rank, prize_tier, prize, user_id, full_name, unit
	FROM round_results INDEXED BY round_results_prizes
	WHERE round_id = ? AND prize_tier > 0 ORDER BY position`

// PublishedResults reads what the public sees of a locked round: the prize
// rows with their rank, prize, name and unit only (no personal data is
// read), the units with a prize, and the number of contestants. The
// partial indexes of migration 0011 hold exactly those rows, so the read
// does not grow with the round.
func (db *DB) PublishedResults(ctx context.Context, l *quiz.WinnerList) error {
	roundID := l.Round.ID
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: published results of round %d: %w", roundID, err)
	}
	defer tx.Rollback()
	// Positions run from 1 to the number of rows: the last is the count.
	err = tx.QueryRowContext(ctx, `SELECT coalesce((SELECT position FROM round_results WHERE round_id = ?
		ORDER BY position DESC LIMIT 1), 0)`, roundID).Scan(&l.Stats.Participants)
	if err != nil {
		return fmt.Errorf("store: published results of round %d: %w", roundID, err)
	}
	rows, err := tx.QueryContext(ctx, publishedQuery, roundID)
	if err != nil {
		return fmt.Errorf("store: published results of round %d: %w", roundID, err)
	}
	defer rows.Close()
	l.Entries = nil
	for rows.Next() {
		var w quiz.Winner
		if err := rows.Scan(&w.Rank, &w.PrizeTier, &w.Prize, &w.UserID, &w.FullName, &w.Unit); err != nil {
			return fmt.Errorf("store: published results of round %d: %w", roundID, err)
		}
		l.Entries = append(l.Entries, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: published results of round %d: %w", roundID, err)
	}
	l.Units, err = lockedUnits(ctx, tx, roundID, " INDEXED BY round_unit_results_prizes", " AND prize <> ''")
	return err
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}
