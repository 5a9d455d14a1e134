package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"hoithi/quiz"
)

// insertConsent records a consent with the text shown, kept once under its
// SHA-256, and, when it has a representative, the representative's own
// consent to the same text beside it.
func insertConsent(tx *sql.Tx, k quiz.Consent) error {
	var shown sql.NullString
	if k.Text != "" {
		sum := sha256.Sum256([]byte(k.Text))
		shown = sql.NullString{String: hex.EncodeToString(sum[:]), Valid: true}
		if _, err := tx.Exec("INSERT INTO consent_shown (sha256, body) VALUES (?, ?) ON CONFLICT DO NOTHING",
			shown.String, k.Text); err != nil {
			return err
		}
	}
	lang := k.Lang
	if lang == "" {
		lang = "vi"
	}
	insert := func(givenBy string, g quiz.Guardian, stated bool) error {
		_, err := tx.Exec(`INSERT INTO consents (user_id, purpose, version, agreed_at, ip, user_agent, shown_sha256,
			lang, contest_id, controller, given_by, guardian_name, guardian_relationship, guardian_phone, stated_16_plus)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.UserID, k.Purpose, k.Version, ms(k.AgreedAt), k.IP, k.UserAgent, shown, lang,
			sql.NullInt64{Int64: k.ContestID, Valid: k.ContestID != 0}, k.Controller, givenBy,
			g.FullName, g.Relationship, g.Phone, stated)
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
	err := db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM users WHERE id = ? AND deleted_at IS NULL", k.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return quiz.NotFound("user")
		}
		return insertConsent(tx, k)
	})
	if err != nil {
		return fmt.Errorf("store: add consent of %d: %w", k.UserID, err)
	}
	return nil
}

// Consents lists what a person has agreed to, oldest first, each with the
// text shown (its version's text for records made before texts named a
// controller).
func (db *DB) Consents(ctx context.Context, userID int64) ([]quiz.Consent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT k.purpose, k.version, k.agreed_at, k.ip, k.user_agent,
		coalesce(k.contest_id, 0), k.controller, k.lang, coalesce(s.body, t.body_vi), coalesce(k.shown_sha256, ''),
		k.given_by, k.guardian_name, k.guardian_relationship, k.guardian_phone, k.stated_16_plus
		FROM consents k JOIN consent_texts t ON t.version = k.version
		LEFT JOIN consent_shown s ON s.sha256 = k.shown_sha256
		WHERE k.user_id = ? ORDER BY k.agreed_at, k.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: consents of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []quiz.Consent
	for rows.Next() {
		k := quiz.Consent{UserID: userID}
		var at int64
		var givenBy string
		var g quiz.Guardian
		if err := rows.Scan(&k.Purpose, &k.Version, &at, &k.IP, &k.UserAgent, &k.ContestID, &k.Controller, &k.Lang,
			&k.Text, &k.TextSHA256, &givenBy, &g.FullName, &g.Relationship, &g.Phone, &k.Stated16Plus); err != nil {
			return nil, fmt.Errorf("store: consents of %d: %w", userID, err)
		}
		k.AgreedAt = fromMs(at)
		if givenBy == "guardian" {
			k.Representative = &g
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// entryFactsQuery reads what decides whether a contestant may enter a
// round: identity, consents, and an attempt already running.
const entryFactsQuery = `SELECT u.birth_date, u.id_number,
		EXISTS (SELECT 1 FROM consents k WHERE k.user_id = u.id AND k.purpose = ? AND k.given_by = 'self'
			AND k.controller = ? AND k.controller <> ''),
		EXISTS (SELECT 1 FROM consents k WHERE k.user_id = u.id AND k.given_by = 'guardian'),
		EXISTS (SELECT 1 FROM attempts a WHERE a.round_id = ? AND a.user_id = u.id AND a.submitted_at IS NULL
			AND a.deadline > ?)
		FROM users u WHERE u.id = ? AND u.deleted_at IS NULL`

// EntryFacts tells what a contestant has given that entering a contest
// needs: their identity data, whether they consented to a text naming
// controller, whether a legal representative ever consented for them, and
// whether they have an attempt at round running at now (roundID 0: none).
func (db *DB) EntryFacts(ctx context.Context, userID, roundID int64, controller string, now time.Time) (quiz.EntryFacts, error) {
	var f quiz.EntryFacts
	err := db.entryFacts.QueryRowContext(ctx, quiz.PurposeContest, controller, roundID, ms(now), userID).
		Scan(&f.BirthDate, &f.IDNumber, &f.Consented, &f.HadGuardian, &f.Running)
	if err != nil {
		return quiz.EntryFacts{}, fmt.Errorf("store: entry facts of %d: %w", userID, notFound(err, "user"))
	}
	return f, nil
}

var _ quiz.ConsentStore = (*DB)(nil)
