package store

import (
	"context"
	"database/sql"
	"fmt"

	"hoithi/quiz"
)

const userColumns = `id, role, full_name, birth_date, id_number, coalesce(phone, ''), coalesce(email, ''),
	province, commune, unit, created_at, session_epoch, disabled_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (quiz.User, error) {
	var u quiz.User
	var created int64
	var disabled sql.NullInt64
	dest := append([]any{&u.ID, &u.Role, &u.FullName, &u.BirthDate, &u.IDNumber, &u.Phone, &u.Email,
		&u.Province, &u.Commune, &u.Unit, &created, &u.SessionEpoch, &disabled}, extra...)
	if err := row.Scan(dest...); err != nil {
		return quiz.User{}, err
	}
	u.CreatedAt = fromMs(created)
	u.DisabledAt = fromNullMs(disabled)
	return u, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateUser stores a new account and, for contestants, their consent. A
// phone or e-mail already in use gives CodeAccountExists naming the field.
func (db *DB) CreateUser(ctx context.Context, u quiz.User, passwordHash string, consent *quiz.Consent) (quiz.User, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		taken := quiz.FieldErrors{}
		var n int
		if u.Phone != "" {
			if err := tx.QueryRow("SELECT count(*) FROM users WHERE phone = ?", u.Phone).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				taken.Add("phone", quiz.MsgPhoneTaken)
			}
		}
		if u.Email != "" {
			if err := tx.QueryRow("SELECT count(*) FROM users WHERE email = ?", u.Email).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				taken.Add("email", quiz.MsgEmailTaken)
			}
		}
		if len(taken) > 0 {
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "an account with this phone or e-mail exists", Fields: taken}
		}
		// A random id (see ids.go): counted ones would count registrations.
		id, err := insertWithNewID(func(id int64) error {
			_, err := tx.Exec(`INSERT INTO users (id, role, full_name, birth_date, id_number, phone, email,
				province, commune, unit, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, u.Role, u.FullName, u.BirthDate, u.IDNumber, nullString(u.Phone), nullString(u.Email),
				u.Province, u.Commune, u.Unit, passwordHash, ms(u.CreatedAt))
			return err
		})
		if isUnique(err) {
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "an account with this phone or e-mail exists"}
		}
		if err != nil {
			return err
		}
		u.ID = id
		if consent == nil {
			return nil
		}
		k := *consent
		k.UserID = u.ID
		return insertConsent(tx, k)
	})
	if err != nil {
		return quiz.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// UserByLogin finds an account by phone (10 digits) or e-mail and returns
// it with its password hash.
func (db *DB) UserByLogin(ctx context.Context, login string) (quiz.User, string, error) {
	var hash string
	row := db.r.QueryRowContext(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE (phone = ? OR email = ?) AND deleted_at IS NULL", login, login)
	u, err := scanUser(row, &hash)
	if err != nil {
		return quiz.User{}, "", fmt.Errorf("store: user by login: %w", notFound(err, "user"))
	}
	return u, hash, nil
}

// User returns the account with the given id; a deleted account is not found.
func (db *DB) User(ctx context.Context, id int64) (quiz.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ? AND deleted_at IS NULL", id))
	if err != nil {
		return quiz.User{}, fmt.Errorf("store: user %d: %w", id, notFound(err, "user"))
	}
	return u, nil
}

// HasRole reports whether any account has the role.
func (db *DB) HasRole(ctx context.Context, role quiz.Role) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = ?", role).Scan(&n); err != nil {
		return false, fmt.Errorf("store: has role %s: %w", role, err)
	}
	return n > 0, nil
}

// ConsentText returns the newest consent text for a purpose.
func (db *DB) ConsentText(ctx context.Context, purpose string) (quiz.ConsentText, error) {
	t := quiz.ConsentText{Purpose: purpose}
	err := db.r.QueryRowContext(ctx, `SELECT version, body_vi, body_en FROM consent_texts
		WHERE purpose = ? ORDER BY published_at DESC LIMIT 1`, purpose).Scan(&t.Version, &t.BodyVI, &t.BodyEN)
	if err != nil {
		return quiz.ConsentText{}, fmt.Errorf("store: consent text %s: %w", purpose, notFound(err, "consent text"))
	}
	return t, nil
}

// Units returns the units list in the organizer's order.
func (db *DB) Units(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name FROM units ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("store: units: %w", err)
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// SetUnits replaces the units list.
func (db *DB) SetUnits(ctx context.Context, names []string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM units"); err != nil {
			return err
		}
		for i, n := range names {
			if _, err := tx.Exec("INSERT INTO units (name, position) VALUES (?, ?)", n, i+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set units: %w", err)
	}
	return nil
}
