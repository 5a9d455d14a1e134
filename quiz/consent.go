package quiz

import (
	"context"
	"strings"
	"time"
)

// Controller is the data controller a consent text names: the agency that
// organizes a contest and decides what its personal data is for (Law
// 91/2025/QH15, Art. 9: consent counts only when the person knows who).
type Controller struct {
	Name    string
	Address string
	Contact string // phone and/or e-mail
}

// IsZero reports whether no field is set.
func (c Controller) IsZero() bool { return c.Name == "" && c.Address == "" && c.Contact == "" }

// NeutralController stands for the controller when the installation names
// none: the text then says the organizing agency, without a name.
var NeutralController = Controller{
	Name:    "Cơ quan, đơn vị tổ chức cuộc thi",
	Address: "trụ sở của cơ quan, đơn vị tổ chức cuộc thi",
	Contact: "bộ phận tiếp nhận ý kiến của cơ quan, đơn vị tổ chức cuộc thi",
}

// WithDefaults fills each empty field of c with NeutralController's.
func (c Controller) WithDefaults() Controller {
	c = Controller{Clean(c.Name), Clean(c.Address), Clean(c.Contact)}
	if c.Name == "" {
		c.Name = NeutralController.Name
	}
	if c.Address == "" {
		c.Address = NeutralController.Address
	}
	if c.Contact == "" {
		c.Contact = NeutralController.Contact
	}
	return c
}

// Identity collection: when a contest asks for the personal identification
// number and the birth date.
const (
	// IdentityAtRegistration asks everyone at registration, as
	// Vietnamese contests usually do.
	IdentityAtRegistration = "registration"
	// IdentityAtPrize asks only prize winners, when they claim the prize:
	// the least data for the most contestants.
	IdentityAtPrize = "prize"
)

// Notice is a consent text as one person is shown it: the version in
// force with the controller and the contest's identity rule filled in.
// Its Text is what a consent record keeps, word for word.
type Notice struct {
	Version    string
	Lang       string // "vi" or "en"
	Text       string
	Controller Controller
	ContestID  int64 // 0: registration at large, under the installation's controller
	IdentityAt string
}

// RenderNotice fills a consent text's placeholders for one controller and
// identity rule, in lang ("en", else Vietnamese).
func RenderNotice(t ConsentText, lang string, ctl Controller, identityAt string) Notice {
	body, when := t.BodyVI, "khi đăng ký"
	if identityAt == IdentityAtPrize {
		when = "chỉ khi bạn đoạt giải và nhận giải, không hỏi khi đăng ký"
	}
	if lang == "en" {
		body, when = t.BodyEN, "at registration"
		if identityAt == IdentityAtPrize {
			when = "only from prize winners, when they claim the prize, not at registration"
		}
	} else {
		lang = "vi"
	}
	text := strings.NewReplacer(
		"{controller_name}", ctl.Name,
		"{controller_address}", ctl.Address,
		"{controller_contact}", ctl.Contact,
		"{identity_when}", when,
	).Replace(body)
	if identityAt == "" {
		identityAt = IdentityAtRegistration
	}
	return Notice{Version: t.Version, Lang: lang, Text: text, Controller: ctl, IdentityAt: identityAt}
}

// Guardian is a legal representative (cha, mẹ, người giám hộ) who
// consents for a person under 16.
type Guardian struct {
	FullName     string
	Relationship string
	Phone        string
}

// GuardianConsent is what a legal representative fills in.
type GuardianConsent struct {
	Guardian
	Consent bool
}

// Ages in Law 91/2025/QH15, Art. 24: under 16 a child's data needs a legal
// representative's consent, and from 7 the child's own as well. hoithi
// registers nobody under 7.
const (
	AgeOfConsent = 16
	MinimumAge   = 7
)

// ageToday is someone's completed years on today's date in Vietnam.
func ageToday(birth string, now time.Time) (int, bool) { return AgeOn(birth, now.In(Vietnam)) }

// Message keys for consent, guardian and age problems.
const (
	MsgUnder7           = "register.under_7"
	MsgGuardianRequired = "register.guardian_required"
	MsgAgeRequired      = "register.age_required"
	MsgRelationship     = "register.relationship_invalid"
	MsgGuardianConsent  = "register.guardian_consent_required"
	MsgContestConsent   = "consent.required"
)

// Most characters of a guardian's relationship ("Mẹ", "Ông nội", "Người
// giám hộ").
const maxRelationshipLen = 50

// relationshipLike reports whether s reads as a relationship: letters and
// the punctuation of "Cha/mẹ", "Bà (ngoại)".
func relationshipLike(s string) bool {
	return nameLike(strings.NewReplacer("/", "", ",", "", "(", "", ")", "").Replace(s))
}

// checkGuardian cleans a legal representative's entry, naming the fields
// under "guardian." in bad; a missing one is the field "guardian".
func checkGuardian(bad FieldErrors, g *GuardianConsent) *Guardian {
	if g == nil {
		bad.Add("guardian", MsgGuardianRequired)
		return nil
	}
	out := Guardian{FullName: Clean(g.FullName), Relationship: Clean(g.Relationship)}
	if out.FullName == "" && out.Relationship == "" && strings.TrimSpace(g.Phone) == "" && !g.Consent {
		bad.Add("guardian", MsgGuardianRequired)
		return nil
	}
	switch {
	case out.FullName == "":
		bad.Add("guardian.full_name", MsgRequired)
	case len([]rune(out.FullName)) > maxNameLen:
		bad.Add("guardian.full_name", MsgTooLong)
	case !nameLike(out.FullName):
		bad.Add("guardian.full_name", MsgNameInvalid)
	}
	switch {
	case out.Relationship == "":
		bad.Add("guardian.relationship", MsgRequired)
	case len([]rune(out.Relationship)) > maxRelationshipLen || !relationshipLike(out.Relationship):
		bad.Add("guardian.relationship", MsgRelationship)
	}
	if strings.TrimSpace(g.Phone) == "" {
		bad.Add("guardian.phone", MsgRequired)
	} else if phone, ok := NormalizePhone(g.Phone); ok {
		out.Phone = phone
	} else {
		bad.Add("guardian.phone", MsgPhoneInvalid)
	}
	if !g.Consent {
		bad.Add("guardian.consent", MsgGuardianConsent)
	}
	return &out
}

// ageRule checks a person's age for consent: under 7 is refused (field
// birth_date), under 16 needs a legal representative. Without a birth date
// (a contest that asks it only from winners) the person says they are 16
// or over (at_least_16), or a representative consents. It returns the representative to
// record, if any.
func ageRule(bad FieldErrors, birth string, atLeast16 bool, g *GuardianConsent, now time.Time) *Guardian {
	if birth != "" {
		age, ok := ageToday(birth, now)
		switch {
		case !ok:
			return nil // reported with the birth date itself
		case age < MinimumAge:
			bad.Add("birth_date", MsgUnder7)
			return nil
		case age >= AgeOfConsent:
			return nil
		}
		return checkGuardian(bad, g)
	}
	if atLeast16 {
		return nil
	}
	if g == nil {
		bad.Add("at_least_16", MsgAgeRequired)
		return nil
	}
	return checkGuardian(bad, g)
}

// ConsentStore is what Consents needs of the store.
type ConsentStore interface {
	ConsentText(ctx context.Context, purpose string) (ConsentText, error)
	Contest(ctx context.Context, id int64) (Contest, error)
	Round(ctx context.Context, id int64) (Round, error)
	// EntryFacts tells what a contestant has given: their identity data
	// and whether they consented to the named controller; and whether
	// they have an attempt at the round (0: none) running at now.
	EntryFacts(ctx context.Context, userID, roundID int64, controller string, now time.Time) (EntryFacts, error)
	// AddConsent records a consent given after registration, with its
	// representative's when Representative is set.
	AddConsent(ctx context.Context, k Consent) error
}

// EntryFacts is what a contestant has given that entering a contest needs.
type EntryFacts struct {
	BirthDate string
	IDNumber  string
	// Consented: the person consented to a text naming the controller.
	Consented bool
	// HadGuardian: a legal representative consented for the person before.
	HadGuardian bool
	// Running: the person has an attempt at the round under way, which
	// resumes whatever the contest asks since.
	Running bool
}

// Codes for a start refused for what the contestant has not given yet.
const (
	CodeConsentRequired  = "consent_required"
	CodeIdentityRequired = "identity_required"
)

// Consents names each contest's controller, shows the consent text filled
// in, records consents given to a contest after registration, and keeps
// contestants out of a contest whose controller they have not consented to
// or whose identity data they have not given.
type Consents struct {
	store ConsentStore
	def   Controller
	now   func() time.Time
}

// NewConsents returns the consent service; def is the installation's
// controller, whose empty fields read as NeutralController's.
func NewConsents(store ConsentStore, def Controller, now func() time.Time) *Consents {
	return &Consents{store: store, def: def.WithDefaults(), now: now}
}

// Default returns the installation's controller.
func (s *Consents) Default() Controller { return s.def }

// ControllerOf returns the controller of a contest: its own when set, the
// installation's otherwise (also for ct nil, registration at large).
func (s *Consents) ControllerOf(ct *Contest) Controller {
	if ct == nil || ct.Controller.Name == "" {
		return s.def
	}
	return ct.Controller
}

// Notice returns the consent text in force as shown for a contest (nil:
// registration at large) in lang.
func (s *Consents) Notice(ctx context.Context, ct *Contest, lang string) (Notice, error) {
	t, err := s.store.ConsentText(ctx, PurposeContest)
	if err != nil {
		return Notice{}, err
	}
	identityAt := IdentityAtRegistration
	if ct != nil {
		identityAt = ct.IdentityAt
	}
	n := RenderNotice(t, lang, s.ControllerOf(ct), identityAt)
	if ct != nil {
		n.ContestID = ct.ID
	}
	return n, nil
}

// ContestEntry is what a contestant still has to do before starting a contest's
// rounds.
type ContestEntry struct {
	NeedsConsent  bool // consent to the contest's controller
	NeedsIdentity bool // give the identity number and birth date
	// Minor: the person's consent needs a legal representative's too.
	Minor bool
}

// EntryOf tells what a contestant still has to do before a contest.
func (s *Consents) EntryOf(ctx context.Context, userID int64, ct Contest) (ContestEntry, error) {
	f, err := s.store.EntryFacts(ctx, userID, 0, s.ControllerOf(&ct).Name, s.now())
	if err != nil {
		return ContestEntry{}, err
	}
	return s.entry(f, ct.IdentityAt), nil
}

func (s *Consents) entry(f EntryFacts, identityAt string) ContestEntry {
	e := ContestEntry{
		NeedsConsent:  !f.Consented,
		NeedsIdentity: identityAt != IdentityAtPrize && (f.IDNumber == "" || f.BirthDate == ""),
		Minor:         f.BirthDate == "" && f.HadGuardian,
	}
	if age, ok := ageToday(f.BirthDate, s.now()); ok {
		e.Minor = age < AgeOfConsent
	}
	return e
}

// CheckEntry refuses the start of an attempt at an open round until the
// contestant has consented to its contest's controller (consent_required)
// and, when the contest asks at registration, has given their identity
// number and birth date (identity_required). A round not open, not
// published or missing is left to the engine to refuse, and an attempt
// under way to resume: a contest's settings changed mid-round do not lock
// out a contestant halfway through.
func (s *Consents) CheckEntry(ctx context.Context, userID, roundID int64) error {
	r, err := s.store.Round(ctx, roundID)
	if err != nil || !r.ContestPublished || r.Status(s.now()) != StatusOpen {
		return nil
	}
	ctl := s.def
	if r.ContestController.Name != "" {
		ctl = r.ContestController
	}
	f, err := s.store.EntryFacts(ctx, userID, roundID, ctl.Name, s.now())
	if err != nil || f.Running {
		return err
	}
	e := s.entry(f, r.ContestIdentityAt)
	if e.NeedsConsent {
		return Errorf(CodeConsentRequired, "consent to the data notice of %s first", ctl.Name)
	}
	if e.NeedsIdentity {
		return Errorf(CodeIdentityRequired, "this contest needs your personal identification number and birth date first")
	}
	return nil
}

// ContestConsent is a consent given to a contest's notice after
// registration.
type ContestConsent struct {
	Consent  bool
	Guardian *GuardianConsent
}

// ConsentToContest records a contestant's consent to a published contest's
// notice, shown in lang, with their legal representative's when they are
// under 16. It reports whether a record was made: none when the person had
// consented to that controller already.
func (s *Consents) ConsentToContest(ctx context.Context, userID, contestID int64, in ContestConsent, lang string, client ClientInfo) (bool, error) {
	ct, err := s.store.Contest(ctx, contestID)
	if err != nil {
		return false, err
	}
	if ct.PublishedAt == nil {
		return false, NotFound("contest")
	}
	ctl := s.ControllerOf(&ct)
	f, err := s.store.EntryFacts(ctx, userID, 0, ctl.Name, s.now())
	if err != nil {
		return false, err
	}
	now := s.now()
	bad := FieldErrors{}
	if !in.Consent {
		bad.Add("consent", MsgContestConsent)
	}
	var guardian *Guardian
	if s.entry(f, ct.IdentityAt).Minor {
		guardian = ageRule(bad, f.BirthDate, false, in.Guardian, now)
	} else if f.BirthDate != "" {
		ageRule(bad, f.BirthDate, true, nil, now)
	}
	if err := bad.Err(); err != nil {
		return false, err
	}
	if f.Consented {
		return false, nil
	}
	n, err := s.Notice(ctx, &ct, lang)
	if err != nil {
		return false, err
	}
	k := n.consent(now, client)
	k.UserID, k.Representative = userID, guardian
	return true, s.store.AddConsent(ctx, k)
}

// consent is the record of a person agreeing to n.
func (n Notice) consent(at time.Time, client ClientInfo) Consent {
	return Consent{
		Purpose: PurposeContest, Version: n.Version, AgreedAt: at,
		IP: client.IP, UserAgent: truncate(client.UserAgent, 300),
		ContestID: n.ContestID, Controller: n.Controller.Name, Lang: n.Lang, Text: n.Text,
	}
}
