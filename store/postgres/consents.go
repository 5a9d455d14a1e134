package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

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

// AddConsent records a consent given after registration, with its
// representative's.
func (db *DB) AddConsent(ctx context.Context, k quiz.Consent) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// FOR SHARE: the account cannot be deleted between this check and
		// the insert, as SQLite's single writer ensures.
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL FOR SHARE", k.UserID).Scan(&id)
		if err != nil {
			return notFound(err, "user")
		}
		return insertConsent(ctx, tx, k)
	})
	if err != nil {
		return fmt.Errorf("postgres: add consent of %d: %w", k.UserID, err)
	}
	return nil
}

// Consents lists what a person has agreed to, oldest first, each with the
// text shown (its version's text for records made before texts named a
// controller).
func (db *DB) Consents(ctx context.Context, userID int64) ([]quiz.Consent, error) {
	rows, err := db.r.Query(ctx, `SELECT k.purpose, k.version, k.agreed_at, k.ip, k.user_agent,
		coalesce(k.contest_id, 0), k.controller, k.lang, coalesce(s.body, t.body_vi), coalesce(k.shown_sha256, ''),
		k.given_by, k.guardian_name, k.guardian_relationship, k.guardian_phone, k.stated_16_plus
		FROM consents k JOIN consent_texts t ON t.version = k.version
		LEFT JOIN consent_shown s ON s.sha256 = k.shown_sha256
		WHERE k.user_id = $1 ORDER BY k.agreed_at, k.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: consents of %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (quiz.Consent, error) {
		k := quiz.Consent{UserID: userID}
		var at int64
		var givenBy string
		var g quiz.Guardian
		if err := row.Scan(&k.Purpose, &k.Version, &at, &k.IP, &k.UserAgent, &k.ContestID, &k.Controller, &k.Lang,
			&k.Text, &k.TextSHA256, &givenBy, &g.FullName, &g.Relationship, &g.Phone, &k.Stated16Plus); err != nil {
			return k, err
		}
		k.AgreedAt = fromMs(at)
		if givenBy == "guardian" {
			k.Representative = &g
		}
		return k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: consents of %d: %w", userID, err)
	}
	if len(out) == 0 {
		return nil, nil // as the SQLite store: no records, a nil list
	}
	return out, nil
}

// entryFactsQuery reads what decides whether a contestant may enter a
// round: identity, consents, and an attempt already running.
const entryFactsQuery = `SELECT u.birth_date, u.id_number,
		EXISTS (SELECT 1 FROM consents k WHERE k.user_id = u.id AND k.purpose = $1 AND k.given_by = 'self'
			AND k.controller = $2 AND k.controller <> ''),
		EXISTS (SELECT 1 FROM consents k WHERE k.user_id = u.id AND k.given_by = 'guardian'),
		EXISTS (SELECT 1 FROM attempts a WHERE a.round_id = $3 AND a.user_id = u.id AND a.submitted_at IS NULL
			AND a.deadline > $4)
		FROM users u WHERE u.id = $5 AND u.deleted_at IS NULL`

// EntryFacts tells what a contestant has given that entering a contest
// needs: their identity data, whether they consented to a text naming
// controller, whether a legal representative ever consented for them, and
// whether they have an attempt at round running at now (roundID 0: none).
func (db *DB) EntryFacts(ctx context.Context, userID, roundID int64, controller string, now time.Time) (quiz.EntryFacts, error) {
	var f quiz.EntryFacts
	err := db.r.QueryRow(ctx, entryFactsQuery, quiz.PurposeContest, controller, roundID, ms(now), userID).
		Scan(&f.BirthDate, &f.IDNumber, &f.Consented, &f.HadGuardian, &f.Running)
	if err != nil {
		return quiz.EntryFacts{}, fmt.Errorf("postgres: entry facts of %d: %w", userID, notFound(err, "user"))
	}
	return f, nil
}
