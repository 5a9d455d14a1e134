package store

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// The live quiz and privacy contract tests on the SQLite store. This file
// is in package store so that the tests' rows (storetest.PrivacyRows) can
// be read and written on the store's own connections.

// contractStore is the SQLite store with the count of its writer's
// commits and the privacy tests' rows.
type contractStore struct {
	*DB
	*storetest.CommitCounter
}

func openContractStore(t *testing.T) contractStore {
	commits := &storetest.CommitCounter{}
	return contractStore{openTest(t, Options{Observer: commits}), commits}
}

// TestContractLive runs the live quiz contract tests, each on a new file.
func TestContractLive(t *testing.T) {
	storetest.RunLive(t, func(t *testing.T) storetest.LiveStore { return openContractStore(t) })
}

// TestContractPrivacy runs the privacy contract tests, each on a new file.
func TestContractPrivacy(t *testing.T) {
	storetest.RunPrivacy(t, func(t *testing.T) storetest.Privacy { return openContractStore(t) })
}

func (s contractStore) exec(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
}

func (s contractStore) InsertResultRow(ctx context.Context, r storetest.ResultRow) error {
	return s.exec(ctx, `INSERT INTO round_results (round_id, position, rank, prize_tier, prize, user_id, attempt_id,
		full_name, birth_date, id_number, phone, unit, province, commune, score, correct, total, duration_ms,
		started_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, 10, 5, 5, 60000, 0, 60000)`,
		r.RoundID, r.Position, r.Rank, r.PrizeTier, r.Prize, r.UserID, r.Name, r.BirthDate, r.IDNumber, r.Phone, r.Unit,
		r.Province, r.Commune)
}

func (s contractStore) ResultRowAt(ctx context.Context, roundID int64, position int) (storetest.ResultRow, error) {
	r := storetest.ResultRow{RoundID: roundID, Position: position}
	err := s.r.QueryRowContext(ctx, `SELECT rank, prize_tier, user_id, prize, full_name, birth_date, id_number, phone,
		unit, province, commune FROM round_results WHERE round_id = ? AND position = ?`, roundID, position).
		Scan(&r.Rank, &r.PrizeTier, &r.UserID, &r.Prize, &r.Name, &r.BirthDate, &r.IDNumber, &r.Phone, &r.Unit,
			&r.Province, &r.Commune)
	return r, err
}

func (s contractStore) AccountRowOf(ctx context.Context, userID int64) (storetest.AccountRow, error) {
	var a storetest.AccountRow
	var phone sql.NullString
	var deleted sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT full_name, birth_date, id_number, phone, coalesce(email, ''), province,
		commune, unit, password_hash, deleted_at, session_epoch FROM users WHERE id = ?`, userID).
		Scan(&a.Name, &a.BirthDate, &a.IDNumber, &phone, &a.Email, &a.Province, &a.Commune, &a.Unit, &a.PasswordHash,
			&deleted, &a.SessionEpoch)
	if phone.Valid {
		a.Phone = &phone.String
	}
	if deleted.Valid {
		a.DeletedAt = &deleted.Int64
	}
	return a, err
}

func (s contractStore) InsertAuditRow(ctx context.Context, e quiz.AuditEntry) error {
	return s.write(ctx, func(tx *sql.Tx) error { return insertAudit(tx, e) })
}

func (s contractStore) AuditRows(ctx context.Context) ([]quiz.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, coalesce(user_id, 0), actor, action, coalesce(round_id, 0),
		detail, ip FROM audit_log ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quiz.AuditEntry
	for rows.Next() {
		var e quiz.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.RoundID, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		e.At = fromMs(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s contractStore) LockRoundAt(ctx context.Context, roundID int64, at time.Time) error {
	return s.exec(ctx, "UPDATE rounds SET locked_at = ? WHERE id = ?", ms(at), roundID)
}

func (s contractStore) WithdrawalRows(ctx context.Context, userID int64) ([]storetest.Withdrawal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT k.version, w.withdrawn_at, w.ip, w.user_agent FROM consent_withdrawals w
		JOIN consents k ON k.id = w.consent_id WHERE k.user_id = ? ORDER BY k.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storetest.Withdrawal
	for rows.Next() {
		var w storetest.Withdrawal
		if err := rows.Scan(&w.Version, &w.WithdrawnAt, &w.IP, &w.UserAgent); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// TestContractServices runs the services' contract tests, each on a new
// file.
func TestContractServices(t *testing.T) {
	storetest.RunServices(t, func(t *testing.T) storetest.Full { return openContractStore(t) })
}

func (s contractStore) ColumnText(ctx context.Context, table, column string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT coalesce(CAST("+column+" AS TEXT), '') FROM "+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s contractStore) OpenAgain(t *testing.T) storetest.Full {
	commits := &storetest.CommitCounter{}
	db, err := Open(s.Path(), Options{Observer: commits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return contractStore{db, commits}
}
