package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// The live quiz and privacy contract tests on the PostgreSQL store, each
// test on a database of its own.

// TestContractLive runs the live quiz contract tests.
func TestContractLive(t *testing.T) {
	testServer(t)
	storetest.RunLive(t, func(t *testing.T) storetest.LiveStore { return openCounted(t) })
}

// TestContractPrivacy runs the privacy contract tests.
func TestContractPrivacy(t *testing.T) {
	testServer(t)
	storetest.RunPrivacy(t, func(t *testing.T) storetest.Privacy { return openCounted(t) })
}

func openCounted(t *testing.T) counted {
	commits := &storetest.CommitCounter{}
	db, _ := openTest(t, Options{Observer: commits})
	return counted{db, commits}
}

// The privacy tests' rows (storetest.PrivacyRows).

func (s counted) InsertResultRow(ctx context.Context, r storetest.ResultRow) error {
	_, err := s.w.Exec(ctx, `INSERT INTO round_results (round_id, position, rank, prize_tier, prize, user_id, attempt_id,
		full_name, birth_date, id_number, phone, unit, province, commune, score, correct, total, duration_ms,
		started_at, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, 10, 5, 5, 60000, 0, 60000)`,
		r.RoundID, r.Position, r.Rank, r.PrizeTier, r.Prize, r.UserID, r.Name, r.BirthDate, r.IDNumber, r.Phone, r.Unit,
		r.Province, r.Commune)
	return err
}

func (s counted) ResultRowAt(ctx context.Context, roundID int64, position int) (storetest.ResultRow, error) {
	r := storetest.ResultRow{RoundID: roundID, Position: position}
	err := s.r.QueryRow(ctx, `SELECT rank, prize_tier, user_id, prize, full_name, birth_date, id_number, phone,
		unit, province, commune FROM round_results WHERE round_id = $1 AND position = $2`, roundID, position).
		Scan(&r.Rank, &r.PrizeTier, &r.UserID, &r.Prize, &r.Name, &r.BirthDate, &r.IDNumber, &r.Phone, &r.Unit,
			&r.Province, &r.Commune)
	return r, err
}

func (s counted) AccountRowOf(ctx context.Context, userID int64) (storetest.AccountRow, error) {
	var a storetest.AccountRow
	err := s.r.QueryRow(ctx, `SELECT full_name, birth_date, id_number, phone, coalesce(email, ''), province,
		commune, unit, password_hash, deleted_at, session_epoch FROM users WHERE id = $1`, userID).
		Scan(&a.Name, &a.BirthDate, &a.IDNumber, &a.Phone, &a.Email, &a.Province, &a.Commune, &a.Unit, &a.PasswordHash,
			&a.DeletedAt, &a.SessionEpoch)
	return a, err
}

func (s counted) InsertAuditRow(ctx context.Context, e quiz.AuditEntry) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertAudit(ctx, tx, e) })
}

func (s counted) AuditRows(ctx context.Context) ([]quiz.AuditEntry, error) {
	rows, _ := s.r.Query(ctx, `SELECT id, at, coalesce(user_id, 0), actor, action, coalesce(round_id, 0),
		detail, ip FROM audit_log ORDER BY id`)
	var out []quiz.AuditEntry
	var e quiz.AuditEntry
	var at int64
	_, err := pgx.ForEachRow(rows, []any{&e.ID, &at, &e.UserID, &e.Actor, &e.Action, &e.RoundID, &e.Detail, &e.IP}, func() error {
		e.At = fromMs(at)
		out = append(out, e)
		return nil
	})
	return out, err
}

func (s counted) LockRoundAt(ctx context.Context, roundID int64, at time.Time) error {
	_, err := s.w.Exec(ctx, "UPDATE rounds SET locked_at = $1 WHERE id = $2", ms(at), roundID)
	return err
}

func (s counted) WithdrawalRows(ctx context.Context, userID int64) ([]storetest.Withdrawal, error) {
	rows, _ := s.r.Query(ctx, `SELECT k.version, w.withdrawn_at, w.ip, w.user_agent FROM consent_withdrawals w
		JOIN consents k ON k.id = w.consent_id WHERE k.user_id = $1 ORDER BY k.id`, userID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[storetest.Withdrawal])
}

// TestContractServices runs the services' contract tests.
func TestContractServices(t *testing.T) {
	testServer(t)
	storetest.RunServices(t, func(t *testing.T) storetest.Full {
		commits := &storetest.CommitCounter{}
		db, dbURL := openTest(t, Options{Observer: commits})
		return whole{counted{db, commits}, dbURL}
	})
}

// whole is the store with the count of its writer's commits and the URL
// of its database, on which OpenAgain opens another handle.
type whole struct {
	counted
	url string
}

func (s whole) ColumnText(ctx context.Context, table, column string) ([]string, error) {
	rows, _ := s.r.Query(ctx, "SELECT coalesce("+column+"::text, '') FROM "+table)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (s whole) OpenAgain(t *testing.T) storetest.Full {
	commits := &storetest.CommitCounter{}
	db, err := Open(context.Background(), s.url, Options{Observer: commits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return whole{counted{db, commits}, s.url}
}
