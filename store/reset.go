package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hoithi/quiz"
)

// resetsKept is how long a reset link's row outlives its expiry; the audit
// log keeps who issued it, for whom and when.
const resetsKept = 7 * 24 * time.Hour

// CreateReset stores a reset link, and its audit entry, while the account
// is still at the session epoch the link was made for. Links expired over
// a week ago go in the same transaction.
func (db *DB) CreateReset(ctx context.Context, r quiz.PasswordReset, audit quiz.AuditEntry) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM password_resets WHERE expires_at < ?", ms(r.CreatedAt.Add(-resetsKept))); err != nil {
			return err
		}
		var epoch int64
		err := tx.QueryRow("SELECT session_epoch FROM users WHERE id = ? AND deleted_at IS NULL", r.UserID).Scan(&epoch)
		if err != nil {
			return notFound(err, "account")
		}
		if epoch != r.Epoch {
			return quiz.Errorf(quiz.CodeResetLinkUsed, "the account changed while the link was made")
		}
		_, err = tx.Exec(`INSERT INTO password_resets (token_hash, user_id, epoch, channel, issued_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.TokenHash, r.UserID, r.Epoch, string(r.Channel),
			sql.NullInt64{Int64: r.IssuedBy, Valid: r.IssuedBy != 0}, ms(r.CreatedAt), ms(r.ExpiresAt))
		if err != nil {
			return err
		}
		return insertAudit(tx, audit)
	})
	if err != nil {
		return fmt.Errorf("store: create reset link for %d: %w", r.UserID, err)
	}
	return nil
}

// PasswordReset returns the link stored under a token's hash.
func (db *DB) PasswordReset(ctx context.Context, tokenHash string) (quiz.PasswordReset, error) {
	r := quiz.PasswordReset{TokenHash: tokenHash}
	var channel string
	var issuedBy, used sql.NullInt64
	var created, expires int64
	err := db.r.QueryRowContext(ctx, `SELECT user_id, epoch, channel, issued_by, created_at, expires_at, used_at
		FROM password_resets WHERE token_hash = ?`, tokenHash).
		Scan(&r.UserID, &r.Epoch, &channel, &issuedBy, &created, &expires, &used)
	if err != nil {
		// The hash is not named: it would let a log reader look the link up.
		return quiz.PasswordReset{}, fmt.Errorf("store: reset link: %w", notFound(err, "reset link"))
	}
	r.Channel, r.IssuedBy = quiz.ResetChannel(channel), issuedBy.Int64
	r.CreatedAt, r.ExpiresAt, r.UsedAt = fromMs(created), fromMs(expires), fromNullMs(used)
	return r, nil
}

// UseReset sets the password through a link, once: the link is marked
// used, the account's must-change flag set as asked and its session epoch
// moved on (which voids its other links), with the audit entry. A link
// used, or voided, by a request that committed first changes nothing.
func (db *DB) UseReset(ctx context.Context, tokenHash, passwordHash string, mustChange bool, at time.Time, audit quiz.AuditEntry) (quiz.SessionEnd, error) {
	var end quiz.SessionEnd
	err := db.write(ctx, func(tx *sql.Tx) error {
		var userID, epoch, current int64
		var used sql.NullInt64
		err := tx.QueryRow(`SELECT r.user_id, r.epoch, r.used_at, u.session_epoch FROM password_resets r
			JOIN users u ON u.id = r.user_id AND u.deleted_at IS NULL WHERE r.token_hash = ?`, tokenHash).
			Scan(&userID, &epoch, &used, &current)
		if errors.Is(err, sql.ErrNoRows) {
			return quiz.Errorf(quiz.CodeResetLinkUnknown, "no such reset link")
		}
		if err != nil {
			return err
		}
		if used.Valid || epoch != current {
			return quiz.Errorf(quiz.CodeResetLinkUsed, "the link was used meanwhile")
		}
		if _, err := tx.Exec("UPDATE password_resets SET used_at = ? WHERE token_hash = ?", ms(at), tokenHash); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
			passwordHash, mustChange, userID); err != nil {
			return err
		}
		if end, err = newEpoch(tx, userID, at); err != nil {
			return err
		}
		return insertAudit(tx, audit)
	})
	if err != nil {
		return quiz.SessionEnd{}, fmt.Errorf("store: reset password: %w", err)
	}
	return end, nil
}

// MustChangePassword reads an account's must-change flag.
func (db *DB) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	var must bool
	err := db.r.QueryRowContext(ctx, "SELECT must_change_password FROM users WHERE id = ? AND deleted_at IS NULL", userID).Scan(&must)
	if err != nil {
		return false, fmt.Errorf("store: must change password %d: %w", userID, notFound(err, "user"))
	}
	return must, nil
}

// SetMustChangePassword sets or clears an account's must-change flag.
func (db *DB) SetMustChangePassword(ctx context.Context, userID int64, must bool) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE users SET must_change_password = ? WHERE id = ? AND deleted_at IS NULL", must, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return notFound(orNoRows(err), "user")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set must change password %d: %w", userID, err)
	}
	return nil
}

// SetFullName renames a live account, with the audit entry.
func (db *DB) SetFullName(ctx context.Context, userID int64, name string, audit quiz.AuditEntry) (quiz.User, error) {
	var u quiz.User
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE users SET full_name = ? WHERE id = ? AND deleted_at IS NULL", name, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return notFound(orNoRows(err), "user")
		}
		if err := insertAudit(tx, audit); err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE id = ?", userID))
		return err
	})
	if err != nil {
		return quiz.User{}, fmt.Errorf("store: name account %d: %w", userID, err)
	}
	return u, nil
}
