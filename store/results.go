package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"hoithi/quiz"
)

// RoundContenders returns every submitted attempt of a round with the data
// of the person who made it.
func (db *DB) RoundContenders(ctx context.Context, roundID int64) ([]quiz.Contender, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT a.id, a.user_id, u.full_name, u.unit, a.score, a.correct,
		a.question_count, a.prediction, a.started_at, a.submitted_at,
		u.birth_date, u.id_number, coalesce(u.phone, ''), u.province, u.commune
		FROM attempts a JOIN users u ON u.id = a.user_id
		WHERE a.round_id = ? AND a.submitted_at IS NOT NULL`, roundID)
	if err != nil {
		return nil, fmt.Errorf("store: contenders of round %d: %w", roundID, err)
	}
	defer rows.Close()
	var out []quiz.Contender
	for rows.Next() {
		var c quiz.Contender
		var pred sql.NullInt64
		var started, submitted int64
		if err := rows.Scan(&c.AttemptID, &c.UserID, &c.Name, &c.Unit, &c.Score, &c.Correct, &c.Total,
			&pred, &started, &submitted, &c.BirthDate, &c.IDNumber, &c.Phone, &c.Province, &c.Commune); err != nil {
			return nil, fmt.Errorf("store: contenders of round %d: %w", roundID, err)
		}
		if pred.Valid {
			p := int(pred.Int64)
			c.Prediction = &p
		}
		c.StartedAt, c.SubmittedAt = fromMs(started), fromMs(submitted)
		out = append(out, c)
	}
	return out, rows.Err()
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

// LockedList reads a locked round's stored ranking and units into l.
func (db *DB) LockedList(ctx context.Context, l *quiz.WinnerList) error {
	roundID := l.Round.ID
	rows, err := db.r.QueryContext(ctx, `SELECT rank, prize_tier, prize, user_id, attempt_id, full_name,
		birth_date, id_number, phone, unit, province, commune, score, correct, total, prediction,
		prediction_error, duration_ms, started_at, submitted_at, flags, note
		FROM round_results WHERE round_id = ? ORDER BY position`, roundID)
	if err != nil {
		return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
	}
	defer rows.Close()
	l.Entries = l.Entries[:0]
	for rows.Next() {
		var w quiz.Winner
		var pred, perr sql.NullInt64
		var started, submitted int64
		var flags string
		if err := rows.Scan(&w.Rank, &w.PrizeTier, &w.Prize, &w.UserID, &w.AttemptID, &w.FullName,
			&w.BirthDate, &w.IDNumber, &w.Phone, &w.Unit, &w.Province, &w.Commune, &w.Score, &w.Correct,
			&w.Total, &pred, &perr, &w.DurationMs, &started, &submitted, &flags, &w.Note); err != nil {
			return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
		}
		w.Prediction, w.PredictionError = intPtr(pred), intPtr(perr)
		w.StartedAt, w.SubmittedAt = fromMs(started), fromMs(submitted)
		if flags != "" {
			w.Flags = strings.Split(flags, ",")
		}
		l.Entries = append(l.Entries, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: locked list of round %d: %w", roundID, err)
	}
	urows, err := db.r.QueryContext(ctx, `SELECT unit, participants, members, rank, share_rank, prize
		FROM round_unit_results WHERE round_id = ? ORDER BY position`, roundID)
	if err != nil {
		return fmt.Errorf("store: locked units of round %d: %w", roundID, err)
	}
	defer urows.Close()
	l.Units = nil
	for urows.Next() {
		var u quiz.UnitStanding
		if err := urows.Scan(&u.Unit, &u.Participants, &u.Members, &u.Rank, &u.ShareRank, &u.Prize); err != nil {
			return fmt.Errorf("store: locked units of round %d: %w", roundID, err)
		}
		l.Units = append(l.Units, u)
	}
	return urows.Err()
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
