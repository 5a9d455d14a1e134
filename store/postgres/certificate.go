package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

var _ quiz.IssuerStore = (*DB)(nil)

// CertificateIssuer returns who issues the contest's certificates, with a
// nil SetAt when no official has set it yet.
func (db *DB) CertificateIssuer(ctx context.Context, contestID int64) (quiz.CertificateIssuer, error) {
	c := quiz.CertificateIssuer{ContestID: contestID}
	var superior, agency, signTitle, signer, place, setByName *string
	var setBy, setAt *int64
	err := db.r.QueryRow(ctx, `SELECT ci.superior, ci.agency, ci.sign_title, ci.signer, ci.place,
			ci.set_by, ci.set_by_name, ci.set_at
		FROM contests c LEFT JOIN certificate_issuers ci ON ci.contest_id = c.id WHERE c.id = $1`, contestID).
		Scan(&superior, &agency, &signTitle, &signer, &place, &setBy, &setByName, &setAt)
	if err != nil {
		return quiz.CertificateIssuer{}, fmt.Errorf("postgres: certificate issuer of contest %d: %w", contestID, notFound(err, "contest"))
	}
	if setAt == nil { // the contest, with no issuer set
		return c, nil
	}
	c.Superior, c.Agency, c.SignTitle, c.Signer, c.Place, c.SetByName = *superior, *agency, *signTitle, *signer, *place, *setByName
	if setBy != nil {
		c.SetBy = *setBy
	}
	c.SetAt = fromNullMs(setAt)
	return c, nil
}

// SaveCertificateIssuer stores who issues a contest's certificates,
// replacing what was set before, and writes the audit entry in the same
// transaction.
func (db *DB) SaveCertificateIssuer(ctx context.Context, c quiz.CertificateIssuer, e quiz.AuditEntry) error {
	if c.SetAt == nil {
		return fmt.Errorf("postgres: certificate issuer of contest %d: no time set", c.ContestID)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM contests WHERE id = $1", c.ContestID).Scan(&one); err != nil {
			return notFound(err, "contest")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO certificate_issuers
				(contest_id, superior, agency, sign_title, signer, place, set_by, set_by_name, set_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (contest_id) DO UPDATE SET superior = excluded.superior, agency = excluded.agency,
				sign_title = excluded.sign_title, signer = excluded.signer, place = excluded.place,
				set_by = excluded.set_by, set_by_name = excluded.set_by_name, set_at = excluded.set_at`,
			c.ContestID, c.Superior, c.Agency, c.SignTitle, c.Signer, c.Place,
			nullID(c.SetBy), c.SetByName, ms(*c.SetAt)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("postgres: save certificate issuer of contest %d: %w", c.ContestID, err)
	}
	return nil
}
