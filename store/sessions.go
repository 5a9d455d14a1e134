package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"hoithi/quiz"
)

// UserWithPassword returns a live account with its password hash.
func (db *DB) UserWithPassword(ctx context.Context, id int64) (quiz.User, string, error) {
	var hash string
	row := db.r.QueryRowContext(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE id = ? AND deleted_at IS NULL", id)
	u, err := scanUser(row, &hash)
	if err != nil {
		return quiz.User{}, "", fmt.Errorf("store: user %d: %w", id, notFound(err, "user"))
	}
	return u, hash, nil
}

// StaffUsers lists the live admin, organizer and official accounts, by
// role and then e-mail.
func (db *DB) StaffUsers(ctx context.Context) ([]quiz.User, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+userColumns+` FROM users
		WHERE role IN ('admin', 'organizer', 'official') AND deleted_at IS NULL
		ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'organizer' THEN 1 ELSE 2 END, email, id`)
	if err != nil {
		return nil, fmt.Errorf("store: staff accounts: %w", err)
	}
	defer rows.Close()
	out := []quiz.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: staff accounts: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// EndSession logs one ended token, and forgets the tokens ended earlier
// that have expired since: their signature check refuses them now.
func (db *DB) EndSession(ctx context.Context, end quiz.SessionEnd) (int64, error) {
	var seq int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM session_ends WHERE token_id IS NOT NULL AND expires_at < ?", ms(end.EndedAt)); err != nil {
			return err
		}
		return tx.QueryRow(`INSERT INTO session_ends (user_id, token_id, expires_at, ended_at) VALUES (?, ?, ?, ?)
			RETURNING seq`, end.UserID, end.TokenID, ms(end.ExpiresAt), ms(end.EndedAt)).Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("store: end session of %d: %w", end.UserID, err)
	}
	return seq, nil
}

// SessionEndsAfter returns the log of ended sessions after seq, in order.
// Writers take turns and seq only grows, so a reader that has seen a row
// has seen every row before it.
func (db *DB) SessionEndsAfter(ctx context.Context, seq int64) ([]quiz.SessionEnd, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, user_id, coalesce(token_id, ''), epoch, expires_at, ended_at
		FROM session_ends WHERE seq > ? ORDER BY seq`, seq)
	if err != nil {
		return nil, fmt.Errorf("store: ended sessions: %w", err)
	}
	defer rows.Close()
	var out []quiz.SessionEnd
	for rows.Next() {
		var e quiz.SessionEnd
		var expires sql.NullInt64
		var ended int64
		if err := rows.Scan(&e.Seq, &e.UserID, &e.TokenID, &e.Epoch, &expires, &ended); err != nil {
			return nil, fmt.Errorf("store: ended sessions: %w", err)
		}
		if expires.Valid {
			e.ExpiresAt = fromMs(expires.Int64)
		}
		e.EndedAt = fromMs(ended)
		out = append(out, e)
	}
	return out, rows.Err()
}

// newEpoch ends every session of an account: its epoch goes up and the
// log says so.
func newEpoch(tx *sql.Tx, userID int64, at time.Time) (quiz.SessionEnd, error) {
	end := quiz.SessionEnd{UserID: userID, EndedAt: at}
	err := tx.QueryRow("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch",
		userID).Scan(&end.Epoch)
	if err != nil {
		return end, notFound(err, "user")
	}
	err = tx.QueryRow("INSERT INTO session_ends (user_id, epoch, ended_at) VALUES (?, ?, ?) RETURNING seq",
		userID, end.Epoch, ms(at)).Scan(&end.Seq)
	return end, err
}

// SetPassword stores a new password hash and ends every session of the
// account, with the audit entry when there is one.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, at time.Time, audit *quiz.AuditEntry) (quiz.SessionEnd, error) {
	var end quiz.SessionEnd
	err := db.write(ctx, func(tx *sql.Tx) error {
		var live int
		if err := tx.QueryRow("SELECT count(*) FROM users WHERE id = ? AND deleted_at IS NULL", userID).Scan(&live); err != nil {
			return err
		}
		if live == 0 {
			return quiz.NotFound("user")
		}
		if _, err := tx.Exec("UPDATE users SET password_hash = ? WHERE id = ?", hash, userID); err != nil {
			return err
		}
		var err error
		if end, err = newEpoch(tx, userID, at); err != nil {
			return err
		}
		if audit != nil {
			return insertAudit(tx, *audit)
		}
		return nil
	})
	if err != nil {
		return quiz.SessionEnd{}, fmt.Errorf("store: set password of %d: %w", userID, err)
	}
	return end, nil
}

// SetDisabled disables or enables an account. An admin disabled while the
// request was on its way changes nothing: of two admins disabling each
// other at once, one stays.
func (db *DB) SetDisabled(ctx context.Context, userID int64, disabled bool, at time.Time, byID int64, audit quiz.AuditEntry) (quiz.User, *quiz.SessionEnd, error) {
	var u quiz.User
	var end *quiz.SessionEnd
	err := db.write(ctx, func(tx *sql.Tx) error {
		end = nil
		if byID != 0 {
			var byDisabled sql.NullInt64
			err := tx.QueryRow("SELECT disabled_at FROM users WHERE id = ? AND deleted_at IS NULL", byID).Scan(&byDisabled)
			if err != nil {
				return notFound(err, "user")
			}
			if byDisabled.Valid {
				return quiz.Errorf(quiz.CodeForbidden, "your account has been disabled")
			}
		}
		var was sql.NullInt64
		if err := tx.QueryRow("SELECT disabled_at FROM users WHERE id = ? AND deleted_at IS NULL", userID).Scan(&was); err != nil {
			return notFound(err, "user")
		}
		switch {
		case disabled && !was.Valid:
			if _, err := tx.Exec("UPDATE users SET disabled_at = ? WHERE id = ?", ms(at), userID); err != nil {
				return err
			}
			e, err := newEpoch(tx, userID, at)
			if err != nil {
				return err
			}
			end = &e
		case !disabled && was.Valid:
			if _, err := tx.Exec("UPDATE users SET disabled_at = NULL WHERE id = ?", userID); err != nil {
				return err
			}
		default:
			// Already as asked: nothing to change, nothing to audit.
		}
		if end != nil || (!disabled && was.Valid) {
			if err := insertAudit(tx, audit); err != nil {
				return err
			}
		}
		var err error
		u, err = scanUser(tx.QueryRow("SELECT "+userColumns+" FROM users WHERE id = ?", userID))
		return err
	})
	if err != nil {
		return quiz.User{}, nil, fmt.Errorf("store: disable %d: %w", userID, err)
	}
	return u, end, nil
}
