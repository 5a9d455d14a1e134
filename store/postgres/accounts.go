package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

var _ quiz.AccountStore = (*DB)(nil)

// UserWithPassword returns a live account with its password hash.
func (db *DB) UserWithPassword(ctx context.Context, id int64) (quiz.User, string, error) {
	var hash string
	row := db.r.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE id = $1 AND deleted_at IS NULL", id)
	u, err := scanUser(row, &hash)
	if err != nil {
		return quiz.User{}, "", fmt.Errorf("postgres: user %d: %w", id, notFound(err, "user"))
	}
	return u, hash, nil
}

// StaffUsers lists the live admin, organizer and official accounts, by
// role and then e-mail. The e-mail order is SQLite's NOCASE: ASCII letters
// folded, then bytes (lower() under the "C" collation folds ASCII only),
// and an account without one first, as SQLite sorts NULL.
func (db *DB) StaffUsers(ctx context.Context) ([]quiz.User, error) {
	rows, err := db.r.Query(ctx, "SELECT "+userColumns+` FROM users
		WHERE role IN ('admin', 'organizer', 'official') AND deleted_at IS NULL
		ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'organizer' THEN 1 ELSE 2 END,
			lower(email COLLATE "C") NULLS FIRST, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: staff accounts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (quiz.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: staff accounts: %w", err)
	}
	return out, nil
}

// lockSessionLog makes the transactions that add to the log of ended
// sessions take turns, each holding the lock until it commits. Readers
// (SessionEndsAfter) take the rows after the last seq they have seen, so
// a row must never become visible after one with a higher seq: without
// the lock, two writers could draw seq 7 and 8 and commit 8 first, and a
// reader in between would skip 7 for good. SQLite's single writer gives
// this for free. The lock conflicts with every plain INSERT or DELETE on
// the table, so a writer that does not take it still waits for the one
// that holds it; reads are not blocked. Take it before any other write to
// the table in the transaction (a later upgrade could deadlock).
func lockSessionLog(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "LOCK TABLE session_ends IN SHARE ROW EXCLUSIVE MODE")
	return err
}

// EndSession logs one ended token, and forgets the tokens ended earlier
// that have expired since: their signature check refuses them now.
func (db *DB) EndSession(ctx context.Context, end quiz.SessionEnd) (int64, error) {
	var seq int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockSessionLog(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM session_ends WHERE token_id IS NOT NULL AND expires_at < $1",
			ms(end.EndedAt)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO session_ends (user_id, token_id, expires_at, ended_at) VALUES ($1, $2, $3, $4)
			RETURNING seq`, end.UserID, end.TokenID, ms(end.ExpiresAt), ms(end.EndedAt)).Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: end session of %d: %w", end.UserID, err)
	}
	return seq, nil
}

// SessionEndsAfter returns the log of ended sessions after seq, in order.
// Writers take turns (lockSessionLog) and seq only grows, so a reader
// that has seen a row has seen every row before it.
func (db *DB) SessionEndsAfter(ctx context.Context, seq int64) ([]quiz.SessionEnd, error) {
	rows, err := db.r.Query(ctx, `SELECT seq, user_id, coalesce(token_id, ''), epoch, expires_at, ended_at
		FROM session_ends WHERE seq > $1 ORDER BY seq`, seq)
	if err != nil {
		return nil, fmt.Errorf("postgres: ended sessions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (quiz.SessionEnd, error) {
		var e quiz.SessionEnd
		var expires *int64
		var ended int64
		if err := row.Scan(&e.Seq, &e.UserID, &e.TokenID, &e.Epoch, &expires, &ended); err != nil {
			return e, err
		}
		if expires != nil {
			e.ExpiresAt = fromMs(*expires)
		}
		e.EndedAt = fromMs(ended)
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: ended sessions: %w", err)
	}
	if len(out) == 0 {
		return nil, nil // as the SQLite store: nothing new, a nil list
	}
	return out, nil
}

// newAccountEpoch ends every session of an account: its epoch goes up and
// the log says so. (The SQLite store's newEpoch.)
func newAccountEpoch(ctx context.Context, tx pgx.Tx, userID int64, at time.Time) (quiz.SessionEnd, error) {
	end := quiz.SessionEnd{UserID: userID, EndedAt: at}
	err := tx.QueryRow(ctx, "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch",
		userID).Scan(&end.Epoch)
	if err != nil {
		return end, notFound(err, "user")
	}
	if err := lockSessionLog(ctx, tx); err != nil {
		return end, err
	}
	err = tx.QueryRow(ctx, "INSERT INTO session_ends (user_id, epoch, ended_at) VALUES ($1, $2, $3) RETURNING seq",
		userID, end.Epoch, ms(at)).Scan(&end.Seq)
	return end, err
}

// updateLiveAccount sets the columns of set (whose placeholders start at
// $2) on the live account userID; CodeNotFound when there is none.
func updateLiveAccount(ctx context.Context, tx pgx.Tx, userID int64, set string, args ...any) error {
	tag, err := tx.Exec(ctx, "UPDATE users SET "+set+" WHERE id = $1 AND deleted_at IS NULL", append([]any{userID}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return quiz.NotFound("user")
	}
	return nil
}

// nullID is NULL for the id 0, which stands for none.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// SetPassword stores a new password hash and ends every session of the
// account, with the audit entry when there is one.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, at time.Time, audit *quiz.AuditEntry) (quiz.SessionEnd, error) {
	var end quiz.SessionEnd
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := updateLiveAccount(ctx, tx, userID, "password_hash = $2", hash); err != nil {
			return err
		}
		var err error
		if end, err = newAccountEpoch(ctx, tx, userID, at); err != nil {
			return err
		}
		if audit != nil {
			return insertAudit(ctx, tx, *audit)
		}
		return nil
	})
	if err != nil {
		return quiz.SessionEnd{}, fmt.Errorf("postgres: set password of %d: %w", userID, err)
	}
	return end, nil
}

// SetDisabled disables or enables an account. An admin disabled while the
// request was on its way changes nothing: of two admins disabling each
// other at once, one stays. Both accounts' rows are locked, in id order,
// before either is read, so that two such requests take turns as they do
// behind SQLite's single writer (and cannot deadlock).
func (db *DB) SetDisabled(ctx context.Context, userID int64, disabled bool, at time.Time, byID int64, audit quiz.AuditEntry) (quiz.User, *quiz.SessionEnd, error) {
	var u quiz.User
	var end *quiz.SessionEnd
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		end = nil
		states, err := lockAccounts(ctx, tx, userID, byID)
		if err != nil {
			return err
		}
		if byID != 0 {
			byDisabled, live := states[byID]
			if !live {
				return quiz.NotFound("user")
			}
			if byDisabled {
				return quiz.Errorf(quiz.CodeForbidden, "your account has been disabled")
			}
		}
		was, live := states[userID]
		if !live {
			return quiz.NotFound("user")
		}
		switch {
		case disabled && !was:
			if _, err := tx.Exec(ctx, "UPDATE users SET disabled_at = $1 WHERE id = $2", ms(at), userID); err != nil {
				return err
			}
			e, err := newAccountEpoch(ctx, tx, userID, at)
			if err != nil {
				return err
			}
			end = &e
		case !disabled && was:
			if _, err := tx.Exec(ctx, "UPDATE users SET disabled_at = NULL WHERE id = $1", userID); err != nil {
				return err
			}
		default:
			// Already as asked: nothing to change, nothing to audit.
		}
		if end != nil || (!disabled && was) {
			if err := insertAudit(ctx, tx, audit); err != nil {
				return err
			}
		}
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", userID))
		return err
	})
	if err != nil {
		return quiz.User{}, nil, fmt.Errorf("postgres: disable %d: %w", userID, err)
	}
	return u, end, nil
}

// lockAccounts locks the rows of the live accounts among ids (0: none)
// against changes until the transaction ends, in id order, and returns
// whether each is disabled; a missing or deleted account is absent.
func lockAccounts(ctx context.Context, tx pgx.Tx, ids ...int64) (map[int64]bool, error) {
	rows, err := tx.Query(ctx, `SELECT id, disabled_at IS NOT NULL FROM users
		WHERE id = ANY ($1) AND deleted_at IS NULL ORDER BY id FOR NO KEY UPDATE`, ids)
	if err != nil {
		return nil, err
	}
	disabled := map[int64]bool{}
	var id int64
	var off bool
	_, err = pgx.ForEachRow(rows, []any{&id, &off}, func() error {
		disabled[id] = off
		return nil
	})
	return disabled, err
}

var (
	_ quiz.ConsentStore      = (*DB)(nil)
	_ quiz.AccountAdminStore = (*DB)(nil)
)
