package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// resetsKept is how long a reset link's row outlives its expiry; the audit
// log keeps who issued it, for whom and when.
const resetsKept = 7 * 24 * time.Hour

// CreateReset stores a reset link, and its audit entry, while the account
// is still at the session epoch the link was made for. Links expired over
// a week ago go in the same transaction. The account's row is read FOR
// SHARE, so that a password change committing meanwhile either comes
// first (and the link is refused) or waits for the link (and voids it).
func (db *DB) CreateReset(ctx context.Context, r quiz.PasswordReset, audit quiz.AuditEntry) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM password_resets WHERE expires_at < $1", ms(r.CreatedAt.Add(-resetsKept))); err != nil {
			return err
		}
		var epoch int64
		err := tx.QueryRow(ctx, "SELECT session_epoch FROM users WHERE id = $1 AND deleted_at IS NULL FOR SHARE", r.UserID).Scan(&epoch)
		if err != nil {
			return notFound(err, "account")
		}
		if epoch != r.Epoch {
			return quiz.Errorf(quiz.CodeResetLinkUsed, "the account changed while the link was made")
		}
		_, err = tx.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, epoch, channel, issued_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.TokenHash, r.UserID, r.Epoch, string(r.Channel),
			nullID(r.IssuedBy), ms(r.CreatedAt), ms(r.ExpiresAt))
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("postgres: create reset link for %d: %w", r.UserID, err)
	}
	return nil
}

// PasswordReset returns the link stored under a token's hash.
func (db *DB) PasswordReset(ctx context.Context, tokenHash string) (quiz.PasswordReset, error) {
	r := quiz.PasswordReset{TokenHash: tokenHash}
	var channel string
	var issuedBy, used *int64
	var created, expires int64
	err := db.r.QueryRow(ctx, `SELECT user_id, epoch, channel, issued_by, created_at, expires_at, used_at
		FROM password_resets WHERE token_hash = $1`, tokenHash).
		Scan(&r.UserID, &r.Epoch, &channel, &issuedBy, &created, &expires, &used)
	if err != nil {
		// The hash is not named: it would let a log reader look the link up.
		return quiz.PasswordReset{}, fmt.Errorf("postgres: reset link: %w", notFound(err, "reset link"))
	}
	r.Channel = quiz.ResetChannel(channel)
	if issuedBy != nil {
		r.IssuedBy = *issuedBy
	}
	r.CreatedAt, r.ExpiresAt, r.UsedAt = fromMs(created), fromMs(expires), fromNullMs(used)
	return r, nil
}

// UseReset sets the password through a link, once: the link is marked
// used, the account's must-change flag set as asked and its session epoch
// moved on (which voids its other links), with the audit entry. A link
// used, or voided, by a request that committed first changes nothing: the
// link's row and its account's are locked before they are checked, and a
// request that waited for the lock checks the rows as the first left them.
func (db *DB) UseReset(ctx context.Context, tokenHash, passwordHash string, mustChange bool, at time.Time, audit quiz.AuditEntry) (quiz.SessionEnd, error) {
	var end quiz.SessionEnd
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var userID, epoch, current int64
		var used *int64
		err := tx.QueryRow(ctx, `SELECT r.user_id, r.epoch, r.used_at, u.session_epoch FROM password_resets r
			JOIN users u ON u.id = r.user_id AND u.deleted_at IS NULL WHERE r.token_hash = $1
			FOR NO KEY UPDATE OF r, u`, tokenHash).
			Scan(&userID, &epoch, &used, &current)
		if errors.Is(err, pgx.ErrNoRows) {
			return quiz.Errorf(quiz.CodeResetLinkUnknown, "no such reset link")
		}
		if err != nil {
			return err
		}
		if used != nil || epoch != current {
			return quiz.Errorf(quiz.CodeResetLinkUsed, "the link was used meanwhile")
		}
		if _, err := tx.Exec(ctx, "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2", ms(at), tokenHash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
			passwordHash, mustChange, userID); err != nil {
			return err
		}
		if end, err = newAccountEpoch(ctx, tx, userID, at); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return quiz.SessionEnd{}, fmt.Errorf("postgres: reset password: %w", err)
	}
	return end, nil
}

// MustChangePassword reads an account's must-change flag.
func (db *DB) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	var must bool
	err := db.r.QueryRow(ctx, "SELECT must_change_password FROM users WHERE id = $1 AND deleted_at IS NULL", userID).Scan(&must)
	if err != nil {
		return false, fmt.Errorf("postgres: must change password %d: %w", userID, notFound(err, "user"))
	}
	return must, nil
}

// SetMustChangePassword sets or clears an account's must-change flag.
func (db *DB) SetMustChangePassword(ctx context.Context, userID int64, must bool) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		return updateLiveAccount(ctx, tx, userID, "must_change_password = $2", must)
	})
	if err != nil {
		return fmt.Errorf("postgres: set must change password %d: %w", userID, err)
	}
	return nil
}

// SetFullName renames a live account, with the audit entry.
func (db *DB) SetFullName(ctx context.Context, userID int64, name string, audit quiz.AuditEntry) (quiz.User, error) {
	var u quiz.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := updateLiveAccount(ctx, tx, userID, "full_name = $2", name); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, audit); err != nil {
			return err
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", userID))
		return err
	})
	if err != nil {
		return quiz.User{}, fmt.Errorf("postgres: name account %d: %w", userID, err)
	}
	return u, nil
}
