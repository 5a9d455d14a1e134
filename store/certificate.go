package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hoithi/quiz"
)

// CertificateIssuer returns who issues the contest's certificates, with a
// nil SetAt when no official has set it yet.
func (db *DB) CertificateIssuer(ctx context.Context, contestID int64) (quiz.CertificateIssuer, error) {
	c := quiz.CertificateIssuer{ContestID: contestID}
	var setBy sql.NullInt64
	var setAt int64
	err := db.r.QueryRowContext(ctx, `SELECT ci.superior, ci.agency, ci.sign_title, ci.signer, ci.place,
			ci.set_by, ci.set_by_name, ci.set_at
		FROM contests c JOIN certificate_issuers ci ON ci.contest_id = c.id WHERE c.id = ?`, contestID).
		Scan(&c.Superior, &c.Agency, &c.SignTitle, &c.Signer, &c.Place, &setBy, &c.SetByName, &setAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var one int
		err := db.r.QueryRowContext(ctx, "SELECT 1 FROM contests WHERE id = ?", contestID).Scan(&one)
		if err != nil {
			return quiz.CertificateIssuer{}, fmt.Errorf("store: certificate issuer of contest %d: %w", contestID, notFound(err, "contest"))
		}
		return c, nil
	case err != nil:
		return quiz.CertificateIssuer{}, fmt.Errorf("store: certificate issuer of contest %d: %w", contestID, err)
	}
	at := fromMs(setAt)
	c.SetAt, c.SetBy = &at, setBy.Int64
	return c, nil
}

// SaveCertificateIssuer stores who issues a contest's certificates,
// replacing what was set before, and writes the audit entry in the same
// transaction.
func (db *DB) SaveCertificateIssuer(ctx context.Context, c quiz.CertificateIssuer, e quiz.AuditEntry) error {
	if c.SetAt == nil {
		return fmt.Errorf("store: certificate issuer of contest %d: no time set", c.ContestID)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRow("SELECT 1 FROM contests WHERE id = ?", c.ContestID).Scan(&one); err != nil {
			return notFound(err, "contest")
		}
		if _, err := tx.Exec(`INSERT INTO certificate_issuers
				(contest_id, superior, agency, sign_title, signer, place, set_by, set_by_name, set_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (contest_id) DO UPDATE SET superior = excluded.superior, agency = excluded.agency,
				sign_title = excluded.sign_title, signer = excluded.signer, place = excluded.place,
				set_by = excluded.set_by, set_by_name = excluded.set_by_name, set_at = excluded.set_at`,
			c.ContestID, c.Superior, c.Agency, c.SignTitle, c.Signer, c.Place,
			sql.NullInt64{Int64: c.SetBy, Valid: c.SetBy != 0}, c.SetByName, ms(*c.SetAt)); err != nil {
			return err
		}
		return insertAudit(tx, e)
	})
	if err != nil {
		return fmt.Errorf("store: save certificate issuer of contest %d: %w", c.ContestID, err)
	}
	return nil
}
