package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// insertConsent records a consent with the text shown, kept once under its
// SHA-256, and, when it has a representative, the representative's own
// consent to the same text beside it.
func insertConsent(ctx context.Context, tx pgx.Tx, k quiz.Consent) error {
	var shown *string
	if k.Text != "" {
		sum := sha256.Sum256([]byte(k.Text))
		hash := hex.EncodeToString(sum[:])
		shown = &hash
		if _, err := tx.Exec(ctx, "INSERT INTO consent_shown (sha256, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			hash, k.Text); err != nil {
			return err
		}
	}
	lang := k.Lang
	if lang == "" {
		lang = "vi"
	}
	var contestID *int64
	if k.ContestID != 0 {
		contestID = &k.ContestID
	}
	insert := func(givenBy string, g quiz.Guardian, stated bool) error {
		_, err := tx.Exec(ctx, `INSERT INTO consents (user_id, purpose, version, agreed_at, ip, user_agent, shown_sha256,
			lang, contest_id, controller, given_by, guardian_name, guardian_relationship, guardian_phone, stated_16_plus)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			k.UserID, k.Purpose, k.Version, ms(k.AgreedAt), k.IP, k.UserAgent, shown, lang,
			contestID, k.Controller, givenBy, g.FullName, g.Relationship, g.Phone, stated)
		return err
	}
	if err := insert("self", quiz.Guardian{}, k.Stated16Plus); err != nil {
		return err
	}
	if k.Representative != nil {
		return insert("guardian", *k.Representative, false)
	}
	return nil
}

// User returns the account with the given id; a deleted account is not found.
func (db *DB) User(ctx context.Context, id int64) (quiz.User, error) {
	u, err := scanUser(db.r.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1 AND deleted_at IS NULL", id))
	if err != nil {
		return quiz.User{}, fmt.Errorf("postgres: user %d: %w", id, notFound(err, "user"))
	}
	return u, nil
}
