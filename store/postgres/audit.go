package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

var _ quiz.AuditStore = (*DB)(nil)

// Audit appends an entry to the audit log.
func (db *DB) Audit(ctx context.Context, e quiz.AuditEntry) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error { return insertAudit(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", e.Action, err)
	}
	return nil
}

// auditOnceLockKey is the advisory lock AuditOnce takes: the checks of one
// account's entries of one action, on any node, take turns, so that two
// cannot both find no recent entry and both write one.
func auditOnceLockKey(userID int64, action string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "audit %d %s", userID, action)
	return int64(h.Sum64())
}

// AuditOnce appends e unless the same account already has an entry of the
// same action at or after e.At − within; it reports whether it wrote one.
// The check and the write are one transaction under auditOnceLockKey, so
// that parallel requests write one entry between them.
func (db *DB) AuditOnce(ctx context.Context, e quiz.AuditEntry, within time.Duration) (bool, error) {
	written := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		written = false
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", auditOnceLockKey(e.UserID, e.Action)); err != nil {
			return err
		}
		var recent bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE user_id = $1 AND action = $2 AND at >= $3)`,
			e.UserID, e.Action, ms(e.At.Add(-within))).Scan(&recent); err != nil {
			return err
		}
		if recent {
			return nil
		}
		written = true
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return false, fmt.Errorf("postgres: audit %s: %w", e.Action, err)
	}
	return written, nil
}

// insertAudit writes e in tx, for the writes that are audited in the same
// transaction as what they record. A zero user or round is stored as NULL.
func insertAudit(ctx context.Context, tx pgx.Tx, e quiz.AuditEntry) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, user_id, actor, action, round_id, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		ms(e.At), nullID(e.UserID), e.Actor, e.Action, nullID(e.RoundID), e.Detail, e.IP)
	return err
}

// AuditLog returns the entries f selects, newest first.
func (db *DB) AuditLog(ctx context.Context, f quiz.AuditFilter) ([]quiz.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.RoundID != 0 {
		add("round_id = $%d", f.RoundID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.Before > 0 {
		add("id < $%d", f.Before)
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
	rows, _ := db.r.Query(ctx, q, args...)
	var out []quiz.AuditEntry
	var e quiz.AuditEntry
	var at int64
	_, err := pgx.ForEachRow(rows, []any{&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.RoundID, &e.Detail, &e.IP}, func() error {
		e.At = fromMs(at)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return out, nil
}
