package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

const userColumns = `id, role, full_name, birth_date, id_number, coalesce(phone, ''), coalesce(email, ''),
	province, commune, unit, created_at, session_epoch, disabled_at`

func scanUser(row pgx.Row, extra ...any) (quiz.User, error) {
	var u quiz.User
	var created int64
	var disabled *int64
	dest := append([]any{&u.ID, &u.Role, &u.FullName, &u.BirthDate, &u.IDNumber, &u.Phone, &u.Email,
		&u.Province, &u.Commune, &u.Unit, &created, &u.SessionEpoch, &disabled}, extra...)
	if err := row.Scan(dest...); err != nil {
		return quiz.User{}, err
	}
	u.CreatedAt = fromMs(created)
	u.DisabledAt = fromNullMs(disabled)
	return u, nil
}

// nullString is NULL for an empty string: phone and email are unique
// when given, and absent otherwise.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateUser stores a new account and, for contestants, their consent. A
// phone or e-mail already in use gives CodeAccountExists naming the field.
func (db *DB) CreateUser(ctx context.Context, u quiz.User, passwordHash string, consent *quiz.Consent) (quiz.User, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var phoneTaken, emailTaken bool
		if err := tx.QueryRow(ctx, `SELECT
			$1 <> '' AND EXISTS (SELECT 1 FROM users WHERE phone = $1),
			$2 <> '' AND EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2))`,
			u.Phone, u.Email).Scan(&phoneTaken, &emailTaken); err != nil {
			return err
		}
		taken := quiz.FieldErrors{}
		if phoneTaken {
			taken.Add("phone", quiz.MsgPhoneTaken)
		}
		if emailTaken {
			taken.Add("email", quiz.MsgEmailTaken)
		}
		if len(taken) > 0 {
			return &quiz.Error{Code: quiz.CodeAccountExists, Message: "an account with this phone or e-mail exists", Fields: taken}
		}
		// A random id (see ids.go): counted ones would count registrations.
		id, err := insertWithNewID(func(id int64) (bool, error) {
			tag, err := tx.Exec(ctx, `INSERT INTO users (id, role, full_name, birth_date, id_number, phone, email,
				province, commune, unit, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (id) DO NOTHING`,
				id, u.Role, u.FullName, u.BirthDate, u.IDNumber, nullString(u.Phone), nullString(u.Email),
				u.Province, u.Commune, u.Unit, passwordHash, ms(u.CreatedAt))
			return tag.RowsAffected() == 1, err
		})
		if isUnique(err) {
			// Another node registered the same phone or e-mail meanwhile.
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
		return insertConsent(ctx, tx, k)
	})
	if err != nil {
		return quiz.User{}, fmt.Errorf("postgres: create user: %w", err)
	}
	return u, nil
}

// User returns the account with the given id; a deleted account is not found.
func (db *DB) User(ctx context.Context, id int64) (quiz.User, error) {
	u, err := scanUser(db.r.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1 AND deleted_at IS NULL", id))
	if err != nil {
		return quiz.User{}, fmt.Errorf("postgres: user %d: %w", id, notFound(err, "user"))
	}
	return u, nil
}

// UserByLogin finds an account by phone (10 digits) or e-mail and returns
// it with its password hash. E-mail is compared lower-cased, as the
// SQLite store's NOCASE column compares it.
func (db *DB) UserByLogin(ctx context.Context, login string) (quiz.User, string, error) {
	var hash string
	row := db.r.QueryRow(ctx, "SELECT "+userColumns+`, password_hash FROM users
		WHERE (phone = $1 OR lower(email) = lower($1)) AND deleted_at IS NULL`, login)
	u, err := scanUser(row, &hash)
	if err != nil {
		return quiz.User{}, "", fmt.Errorf("postgres: user by login: %w", notFound(err, "user"))
	}
	return u, hash, nil
}

// HasRole reports whether any account has the role.
func (db *DB) HasRole(ctx context.Context, role quiz.Role) (bool, error) {
	var has bool
	if err := db.r.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE role = $1)", role).Scan(&has); err != nil {
		return false, fmt.Errorf("postgres: has role %s: %w", role, err)
	}
	return has, nil
}

// ConsentText returns the newest consent text for a purpose.
func (db *DB) ConsentText(ctx context.Context, purpose string) (quiz.ConsentText, error) {
	t := quiz.ConsentText{Purpose: purpose}
	err := db.r.QueryRow(ctx, `SELECT version, body_vi, body_en FROM consent_texts
		WHERE purpose = $1 ORDER BY published_at DESC LIMIT 1`, purpose).Scan(&t.Version, &t.BodyVI, &t.BodyEN)
	if err != nil {
		return quiz.ConsentText{}, fmt.Errorf("postgres: consent text %s: %w", purpose, notFound(err, "consent text"))
	}
	return t, nil
}

// Units returns the units list in the organizer's order.
func (db *DB) Units(ctx context.Context) ([]string, error) {
	rows, err := db.r.Query(ctx, "SELECT name FROM units ORDER BY position")
	if err != nil {
		return nil, fmt.Errorf("postgres: units: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: units: %w", err)
	}
	return out, nil
}

// SetUnits replaces the units list. The table is locked against other
// writers first: two lists replaced at once would otherwise merge, or
// clash on a name both hold, where SQLite's single writer keeps the one
// committed last.
func (db *DB) SetUnits(ctx context.Context, names []string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM units"); err != nil {
			return err
		}
		// One statement for the whole list: position is the place in it.
		_, err := tx.Exec(ctx, `INSERT INTO units (name, position)
			SELECT name, position FROM unnest($1::text[]) WITH ORDINALITY AS u (name, position)`, names)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set units: %w", err)
	}
	return nil
}
