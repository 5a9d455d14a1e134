package quiz

import (
	"context"
	"fmt"
	"time"
	"unicode"
)

// AuditCertificateIssuer: an official set who issues and signs a contest's
// certificates.
const AuditCertificateIssuer = "certificate_issuer"

// Longest issuer lines, in characters: an agency's full name can be long
// ("ỦY BAN NHÂN DÂN THÀNH PHỐ …, SỞ …"), a title or a name is short.
const (
	issuerAgencyMax = 200
	issuerLineMax   = 100
)

// CertificateIssuer is who issues and signs a contest's certificates and
// winner lists, as they print: the agency, the body above it when there is
// one (cơ quan chủ quản), the signer's title and name, and the place the
// date line names. Officials set it; contestants only read it, so that no
// one can print a certificate in an issuer's name the officials did not
// give.
type CertificateIssuer struct {
	ContestID int64
	Superior  string // the line above the agency, "" when none
	Agency    string
	SignTitle string // e.g. "GIÁM ĐỐC", "TRƯỞNG BAN TỔ CHỨC"
	Signer    string
	Place     string // e.g. "Hà Nội", for "Hà Nội, ngày … tháng … năm …"
	// SetAt and SetBy say who set it and when; SetAt is nil while no
	// official has.
	SetAt     *time.Time
	SetBy     int64
	SetByName string // as the account was named then
}

// Issued reports whether officials have set the issuer.
func (c CertificateIssuer) Issued() bool { return c.SetAt != nil }

// SameText reports whether c and o print the same.
func (c CertificateIssuer) SameText(o CertificateIssuer) bool {
	return c.Superior == o.Superior && c.Agency == o.Agency && c.SignTitle == o.SignTitle &&
		c.Signer == o.Signer && c.Place == o.Place
}

// DefaultIssuer is what officials' pages offer before anything is set: the
// usual names of a contest's organizing board, with no signer and no
// place. It is never printed on a contestant's certificate.
func DefaultIssuer(contestID int64) CertificateIssuer {
	return CertificateIssuer{ContestID: contestID, Agency: "BAN TỔ CHỨC CUỘC THI", SignTitle: "TRƯỞNG BAN TỔ CHỨC"}
}

// IssuerStore keeps each contest's certificate issuer.
type IssuerStore interface {
	// CertificateIssuer returns the contest's issuer, with a nil SetAt
	// when none is set; NotFound("contest") when there is no such contest.
	CertificateIssuer(ctx context.Context, contestID int64) (CertificateIssuer, error)
	// SaveCertificateIssuer stores c and writes e to the audit log, in one
	// transaction; NotFound("contest") when there is no such contest.
	SaveCertificateIssuer(ctx context.Context, c CertificateIssuer, e AuditEntry) error
}

// Certificates keeps who issues each contest's certificates.
type Certificates struct {
	store IssuerStore
	now   func() time.Time
}

// NewCertificates returns the certificates service.
func NewCertificates(store IssuerStore, now func() time.Time) *Certificates {
	return &Certificates{store: store, now: now}
}

// Issuer returns the contest's certificate issuer; see Issued.
func (s *Certificates) Issuer(ctx context.Context, contestID int64) (CertificateIssuer, error) {
	return s.store.CertificateIssuer(ctx, contestID)
}

// SetIssuer stores the contest's issuer as an official typed it, cleaned,
// and records it in the audit log (about roundID when it was set from a
// round's page, else 0). Every line but Superior is required. Setting the
// same text again changes nothing and writes nothing; changed reports
// whether it was stored.
func (s *Certificates) SetIssuer(ctx context.Context, in CertificateIssuer, by User, roundID int64, ip string) (out CertificateIssuer, changed bool, err error) {
	in = CertificateIssuer{ContestID: in.ContestID, Superior: Clean(in.Superior), Agency: Clean(in.Agency),
		SignTitle: Clean(in.SignTitle), Signer: Clean(in.Signer), Place: Clean(in.Place)}
	bad := FieldErrors{}
	for _, f := range []struct {
		field, value string
		required     bool
		limit        int
	}{
		{"superior", in.Superior, false, issuerAgencyMax},
		{"agency", in.Agency, true, issuerAgencyMax},
		{"sign_title", in.SignTitle, true, issuerLineMax},
		{"signer", in.Signer, true, issuerLineMax},
		{"place", in.Place, true, issuerLineMax},
	} {
		switch {
		case f.required && f.value == "":
			bad.Add(f.field, MsgRequired)
		case hasControl(f.value):
			bad.Add(f.field, MsgInvalid)
		}
		checkLen(bad, f.field, f.value, f.limit)
	}
	if err := bad.Err(); err != nil {
		return CertificateIssuer{}, false, err
	}
	old, err := s.store.CertificateIssuer(ctx, in.ContestID)
	if err != nil {
		return CertificateIssuer{}, false, err
	}
	if old.Issued() && old.SameText(in) {
		return old, false, nil
	}
	at := time.UnixMilli(s.now().UnixMilli()).UTC() // as stored, to the millisecond
	in.SetAt, in.SetBy, in.SetByName = &at, by.ID, StaffName(by)
	e := AuditEntry{At: at, UserID: by.ID, Actor: in.SetByName, Action: AuditCertificateIssuer, RoundID: roundID,
		IP: ip, Detail: issuerDetail(in)}
	if err := s.store.SaveCertificateIssuer(ctx, in, e); err != nil {
		return CertificateIssuer{}, false, err
	}
	return in, true, nil
}

// issuerDetail is the audit log's record of what was set: the contest and
// the lines as they print.
func issuerDetail(c CertificateIssuer) string {
	agency := c.Agency
	if c.Superior != "" {
		agency = c.Superior + " / " + agency
	}
	return fmt.Sprintf("contest %d: %s; %s %s; %s", c.ContestID, agency, c.SignTitle, c.Signer, c.Place)
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
