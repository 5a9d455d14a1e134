package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hoithi/quiz"
)

// Audit appends an entry to the audit log.
func (db *DB) Audit(ctx context.Context, e quiz.AuditEntry) error {
	err := db.write(ctx, func(tx *sql.Tx) error { return insertAudit(tx, e) })
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditOnce appends e unless the same account already has an entry of the
// same action at or after e.At − within; it reports whether it wrote one.
// The check and the write are one transaction, so that parallel requests
// write one entry between them.
func (db *DB) AuditOnce(ctx context.Context, e quiz.AuditEntry, within time.Duration) (bool, error) {
	written := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		written = false
		var recent int
		if err := tx.QueryRow(`SELECT count(*) FROM audit_log WHERE user_id = ? AND action = ? AND at >= ?`,
			e.UserID, e.Action, ms(e.At.Add(-within))).Scan(&recent); err != nil {
			return err
		}
		if recent > 0 {
			return nil
		}
		written = true
		return insertAudit(tx, e)
	})
	if err != nil {
		return false, fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return written, nil
}

func insertAudit(tx *sql.Tx, e quiz.AuditEntry) error {
	_, err := tx.Exec(`INSERT INTO audit_log (at, user_id, actor, action, round_id, detail, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ms(e.At), sql.NullInt64{Int64: e.UserID, Valid: e.UserID != 0}, e.Actor, e.Action,
		sql.NullInt64{Int64: e.RoundID, Valid: e.RoundID != 0}, e.Detail, e.IP)
	return err
}

// AuditLog returns the entries f selects, newest first.
func (db *DB) AuditLog(ctx context.Context, f quiz.AuditFilter) ([]quiz.AuditEntry, error) {
	var where []string
	var args []any
	if f.RoundID != 0 {
		where, args = append(where, "round_id = ?"), append(args, f.RoundID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	q := "SELECT id, at, coalesce(user_id, 0), actor, action, coalesce(round_id, 0), detail, ip FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", min(limit, 1000))
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []quiz.AuditEntry
	for rows.Next() {
		var e quiz.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.RoundID, &e.Detail, &e.IP); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At = fromMs(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
