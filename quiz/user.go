package quiz

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Role says what an account may do.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleOrganizer  Role = "organizer"
	RoleOfficial   Role = "official"
	RoleContestant Role = "contestant"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleOrganizer, RoleOfficial, RoleContestant:
		return true
	}
	return false
}

// Can reports whether an account of role r may act as want. An admin may do
// all that an organizer or an official may; nobody else acts above their role.
func (r Role) Can(want Role) bool {
	return r == want || (r == RoleAdmin && (want == RoleOrganizer || want == RoleOfficial))
}

// Staff reports whether r is one of the roles that run contests.
func (r Role) Staff() bool { return r == RoleAdmin || r == RoleOrganizer || r == RoleOfficial }

// User is an account. Contestants carry the personal data the contest rules
// ask for; staff accounts need only a name and an e-mail.
type User struct {
	ID        int64
	Role      Role
	FullName  string
	BirthDate string // YYYY-MM-DD
	IDNumber  string // CCCD, 12 digits
	Phone     string // 10 digits starting with 0
	Email     string
	Province  string // two-digit code
	Commune   string
	Unit      string
	CreatedAt time.Time
	// SessionEpoch goes up when the password changes or the account is
	// disabled: tokens issued under an earlier epoch count for nothing.
	SessionEpoch int64
	// DisabledAt is when an admin disabled the account; nil while it may
	// sign in.
	DisabledAt *time.Time
}

// Login is what the account signs in with: its phone, or its e-mail when
// it has no phone (staff).
func (u User) Login() string {
	if u.Phone != "" {
		return u.Phone
	}
	return u.Email
}

// Province is a provincial-level unit: one of the 34 in force since
// 1 July 2025.
type Province struct {
	Code string
	Name string
	Kind string // "tỉnh" or "thành phố"
}

// ConsentText is one version of the text a person agrees to before their
// personal data is processed for a purpose.
type ConsentText struct {
	Version string
	Purpose string
	BodyVI  string
	BodyEN  string
}

// Consent records who agreed to which version of a consent text, and when,
// with the words they were shown.
type Consent struct {
	UserID    int64
	Purpose   string
	Version   string
	AgreedAt  time.Time
	IP        string
	UserAgent string

	// ContestID is the contest the consent was given through; 0 for
	// registration at large.
	ContestID int64
	// Controller is the name of the controller the text named; empty in
	// records of the first version, which named none.
	Controller string
	Lang       string
	// Text is the notice as shown, word for word, controller filled in;
	// TextSHA256 its hash, as the store keeps it. Records of the first
	// version hold their version's text.
	Text       string
	TextSHA256 string
	// Stated16Plus: the person said they are 16 or over, no birth date
	// being asked.
	Stated16Plus bool
	// Representative is the legal representative who consented as well.
	// Writing a consent with one records the representative's own consent
	// beside the person's; reading, a record with one is the
	// representative's.
	Representative *Guardian
}

// GivenBy says whose consent a record is: "self" or "guardian".
func (k Consent) GivenBy() string {
	if k.Representative != nil {
		return "guardian"
	}
	return "self"
}

// PurposeContest is the purpose contestants consent to at registration:
// taking part, verifying winners and awarding prizes.
const PurposeContest = "contest"

// Registration is what a citizen fills in to take part.
type Registration struct {
	FullName  string
	BirthDate string
	IDNumber  string
	Phone     string
	Email     string
	Province  string
	Commune   string
	Unit      string
	Password  string
	Consent   bool

	// AtLeast16: the person says they are 16 or over, for a contest that
	// asks no birth date at registration.
	AtLeast16 bool
	// Guardian is the legal representative's consent, needed under 16.
	Guardian *GuardianConsent
	// Notice is the consent text the person was shown. It says whether
	// the contest registered through asks the identity number and birth
	// date now or only from winners.
	Notice Notice
}

// Limits on what people type, in characters.
const (
	maxNameLen    = 100
	maxCommuneLen = 100
	maxUnitLen    = 200
	minPassword   = 8
	maxPassword   = 72 // bytes: bcrypt reads no further
)

// Message keys for field errors; the UI catalog holds their text.
const (
	MsgRequired         = "field.required"
	MsgNameInvalid      = "field.name_invalid"
	MsgTooLong          = "field.too_long"
	MsgBirthDateInvalid = "field.birth_date_invalid"
	MsgIDNumberInvalid  = "field.id_number_invalid"
	MsgPhoneInvalid     = "field.phone_invalid"
	MsgEmailInvalid     = "field.email_invalid"
	MsgProvinceInvalid  = "field.province_invalid"
	MsgPasswordShort    = "field.password_short"
	MsgPasswordLong     = "field.password_long"
	MsgConsentRequired  = "field.consent_required"
	MsgPhoneTaken       = "field.phone_taken"
	MsgEmailTaken       = "field.email_taken"
	MsgRoleInvalid      = "field.role_invalid"
	MsgInvalid          = "field.invalid"
)

// normalize cleans every field of r and reports the invalid ones.
func (r Registration) normalize(provinces map[string]Province, now time.Time) (Registration, error) {
	r, _, err := r.check(provinces, now)
	return r, err
}

// check cleans every field of r, applies the age rules of Law 91/2025/QH15,
// Art. 24, and reports the invalid fields; it returns the legal
// representative whose consent is to be recorded, if any.
func (r Registration) check(provinces map[string]Province, now time.Time) (Registration, *Guardian, error) {
	bad := FieldErrors{}
	askIdentity := r.Notice.IdentityAt != IdentityAtPrize
	r.FullName = Clean(r.FullName)
	switch {
	case r.FullName == "":
		bad.Add("full_name", MsgRequired)
	case utf8.RuneCountInString(r.FullName) > maxNameLen:
		bad.Add("full_name", MsgTooLong)
	case !nameLike(r.FullName):
		bad.Add("full_name", MsgNameInvalid)
	}

	r.BirthDate = strings.TrimSpace(r.BirthDate)
	if r.BirthDate == "" {
		if askIdentity {
			bad.Add("birth_date", MsgRequired)
		}
	} else if !validBirthDate(r.BirthDate, now) {
		bad.Add("birth_date", MsgBirthDateInvalid)
	}

	r.IDNumber = strings.ReplaceAll(strings.TrimSpace(r.IDNumber), " ", "")
	if r.IDNumber == "" {
		if askIdentity {
			bad.Add("id_number", MsgRequired)
		}
	} else if !ValidIDNumber(r.IDNumber) {
		bad.Add("id_number", MsgIDNumberInvalid)
	}

	if strings.TrimSpace(r.Phone) == "" {
		bad.Add("phone", MsgRequired)
	} else if phone, ok := NormalizePhone(r.Phone); ok {
		r.Phone = phone
	} else {
		bad.Add("phone", MsgPhoneInvalid)
	}

	if email, ok := normalizeEmail(r.Email); ok {
		r.Email = email
	} else {
		bad.Add("email", MsgEmailInvalid)
	}

	r.Province = strings.TrimSpace(r.Province)
	if r.Province == "" {
		bad.Add("province", MsgRequired)
	} else if _, ok := provinces[r.Province]; !ok {
		bad.Add("province", MsgProvinceInvalid)
	}

	r.Commune = Clean(r.Commune)
	if utf8.RuneCountInString(r.Commune) > maxCommuneLen {
		bad.Add("commune", MsgTooLong)
	}
	r.Unit = Clean(r.Unit)
	if utf8.RuneCountInString(r.Unit) > maxUnitLen {
		bad.Add("unit", MsgTooLong)
	}

	if key := passwordProblem(r.Password); key != "" {
		bad.Add("password", key)
	}
	if !r.Consent {
		bad.Add("consent", MsgConsentRequired)
	}
	var guardian *Guardian
	if r.BirthDate == "" && askIdentity {
		// The birth date is missing and reported; the age waits for it.
	} else if _, ok := bad["birth_date"]; !ok {
		guardian = ageRule(bad, r.BirthDate, r.AtLeast16, r.Guardian, now)
	}
	return r, guardian, bad.Err()
}

func passwordProblem(p string) string {
	switch {
	case p == "":
		return MsgRequired
	case utf8.RuneCountInString(p) < minPassword:
		return MsgPasswordShort
	case len(p) > maxPassword:
		return MsgPasswordLong
	}
	return ""
}

// normalizeEmail returns a bare address in its one stored spelling: NFC
// and lower case (the NFC and NFD forms of "Nguyễn@…" are one address, and
// the database's NOCASE folds ASCII letters only). An empty one is fine
// (e-mail is optional for contestants).
func normalizeEmail(s string) (string, bool) {
	s = NormalizeEmail(s)
	if s == "" {
		return "", true
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", false
	}
	return s, true
}

// NormalizeEmail is the spelling under which an e-mail address is stored
// and looked up: trimmed, NFC, lower case. It does not check the address.
func NormalizeEmail(s string) string {
	// Lowering a letter can leave a combining sequence that NFC composes
	// differently, hence NFC on both sides.
	return norm.NFC.String(strings.ToLower(norm.NFC.String(strings.TrimSpace(s))))
}

// AuditEmailConflict is the audit action written when two stored accounts
// had one e-mail address in different spellings.
const AuditEmailConflict = "email_conflict"

// validBirthDate accepts a real calendar date, not in the future and not more
// than 120 years back.
func validBirthDate(s string, now time.Time) bool {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return false
	}
	return !d.After(now) && d.After(now.AddDate(-120, 0, 0))
}

// AccountStore is what Accounts needs from storage.
type AccountStore interface {
	CreateUser(ctx context.Context, u User, passwordHash string, consent *Consent) (User, error)
	UserByLogin(ctx context.Context, login string) (User, string, error)
	User(ctx context.Context, id int64) (User, error)
	HasRole(ctx context.Context, role Role) (bool, error)
	ConsentText(ctx context.Context, purpose string) (ConsentText, error)
	Consents(ctx context.Context, userID int64) ([]Consent, error)
	Units(ctx context.Context) ([]string, error)
	SetUnits(ctx context.Context, names []string) error
	// UserWithPassword returns a live account with its password hash.
	UserWithPassword(ctx context.Context, id int64) (User, string, error)
	// StaffUsers lists the live staff accounts.
	StaffUsers(ctx context.Context) ([]User, error)
	// EndSession logs one ended token and returns its place in the log.
	EndSession(ctx context.Context, end SessionEnd) (seq int64, err error)
	// SessionEndsAfter returns the log of ended sessions after seq, in order.
	SessionEndsAfter(ctx context.Context, seq int64) ([]SessionEnd, error)
	// SetPassword stores a new password hash and starts a new session
	// epoch, writing audit (when not nil) in the same transaction; it
	// returns the epoch's log row.
	SetPassword(ctx context.Context, userID int64, hash string, at time.Time, audit *AuditEntry) (SessionEnd, error)
	// SetDisabled disables or enables an account, unless the admin byID
	// (0: the command line) has been disabled meanwhile. Disabling an
	// enabled account starts a new session epoch, whose log row it returns.
	SetDisabled(ctx context.Context, userID int64, disabled bool, at time.Time, byID int64, audit AuditEntry) (User, *SessionEnd, error)
}

// PasswordHasher hashes and checks passwords; bcrypt in production.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Check(hash, password string) bool
}

// Accounts registers contestants, signs people in and creates staff.
type Accounts struct {
	store     AccountStore
	hasher    PasswordHasher
	provinces map[string]Province
	order     []Province
	now       func() time.Time

	dummyOnce sync.Once
	dummy     string

	ended    endedSessions
	notifier Notifier
}

// NewAccounts returns the account service over the given province list.
func NewAccounts(store AccountStore, hasher PasswordHasher, provinces []Province, now func() time.Time) *Accounts {
	byCode := make(map[string]Province, len(provinces))
	for _, p := range provinces {
		byCode[p.Code] = p
	}
	return &Accounts{store: store, hasher: hasher, provinces: byCode, order: provinces, now: now}
}

// Provinces returns the provinces in their official order.
func (a *Accounts) Provinces() []Province { return a.order }

// ProvinceName returns the name of the province with the given code, or the
// code itself when it is unknown.
func (a *Accounts) ProvinceName(code string) string {
	if p, ok := a.provinces[code]; ok {
		return p.Name
	}
	return code
}

// ConsentText returns the consent text in force for a purpose.
func (a *Accounts) ConsentText(ctx context.Context, purpose string) (ConsentText, error) {
	return a.store.ConsentText(ctx, purpose)
}

// Consents lists what a person has agreed to, oldest first.
func (a *Accounts) Consents(ctx context.Context, userID int64) ([]Consent, error) {
	return a.store.Consents(ctx, userID)
}

// ClientInfo is where a request came from, kept with a consent record.
type ClientInfo struct {
	IP        string
	UserAgent string
}

// Register validates a citizen's registration, records their consent to the
// text in force and creates the contestant account. Nothing is stored when any
// field is invalid.
//
// The consent recorded keeps reg.Notice, the text the person was shown;
// without one (programs that register people themselves) it is the text in
// force under NeutralController. A person under 16 is registered only with
// their legal representative's consent, recorded beside their own.
func (a *Accounts) Register(ctx context.Context, reg Registration, client ClientInfo) (User, error) {
	now := a.now()
	reg, guardian, err := reg.check(a.provinces, now)
	if err != nil {
		return User{}, err
	}
	if reg.Unit != "" {
		units, err := a.store.Units(ctx)
		if err != nil {
			return User{}, err
		}
		if reg.Unit, err = matchUnit(units, reg.Unit); err != nil {
			return User{}, err
		}
	}
	if reg.Notice.Version == "" {
		text, err := a.store.ConsentText(ctx, PurposeContest)
		if err != nil {
			return User{}, err
		}
		reg.Notice = RenderNotice(text, "vi", NeutralController, IdentityAtRegistration)
	}
	hash, err := a.hashPassword(ctx, reg.Password)
	if err != nil {
		return User{}, err
	}
	u := User{
		Role: RoleContestant, FullName: reg.FullName, BirthDate: reg.BirthDate,
		IDNumber: reg.IDNumber, Phone: reg.Phone, Email: reg.Email,
		Province: reg.Province, Commune: reg.Commune, Unit: reg.Unit, CreatedAt: now,
	}
	consent := reg.Notice.consent(now, client)
	consent.Stated16Plus = reg.BirthDate == "" && reg.AtLeast16
	consent.Representative = guardian
	return a.store.CreateUser(ctx, u, hash, &consent)
}

// CheckClaimAge applies the age rules when a contestant who registered
// without a birth date (a contest asking it only from winners) gives it
// to claim a prize: under 7 the claim is refused (field birth_date), and
// under 16 it needs a legal representative's consent on record (field
// guardian). The page that completes a winner's data calls it before
// storing the birth date.
func (a *Accounts) CheckClaimAge(ctx context.Context, userID int64, birthDate string) error {
	bad := FieldErrors{}
	birthDate = strings.TrimSpace(birthDate)
	if !validBirthDate(birthDate, a.now()) {
		bad.Add("birth_date", MsgBirthDateInvalid)
		return bad.Err()
	}
	consents, err := a.store.Consents(ctx, userID)
	if err != nil {
		return err
	}
	represented := false
	for _, k := range consents {
		represented = represented || k.Representative != nil
	}
	age, _ := ageToday(birthDate, a.now())
	switch {
	case age < MinimumAge:
		bad.Add("birth_date", MsgUnder7)
	case age < AgeOfConsent && !represented:
		bad.Add("guardian", MsgGuardianRequired)
	}
	return bad.Err()
}

// Login checks a phone number or e-mail and a password. Every failure gives
// the same error, so that it does not tell which accounts exist; only the
// right password of a disabled account is told so.
func (a *Accounts) Login(ctx context.Context, login, password string) (User, error) {
	login = NormalizeLogin(login)
	fail := &Error{Code: CodeInvalidLogin, Message: "wrong login or password"}
	if login == "" || password == "" || len(password) > maxPassword {
		return User{}, fail
	}
	u, hash, err := a.store.UserByLogin(ctx, login)
	if ErrorCode(err) == CodeNotFound {
		a.hasher.Check(a.dummyHash(), password) // spend the same time as a real check
		return User{}, fail
	}
	if err != nil {
		return User{}, err
	}
	if !a.hasher.Check(hash, password) {
		return User{}, fail
	}
	if u.DisabledAt != nil {
		return User{}, &Error{Code: CodeAccountDisabled, Message: "this account has been disabled by an admin"}
	}
	return u, nil
}

// dummyHash returns a hash of a password nobody has, checked when a login
// names no account so that the answer takes as long as for a wrong password.
func (a *Accounts) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = a.hasher.Hash("hoithi: no such account")
	})
	return a.dummy
}

// User returns the account with the given id. A token outlives a deleted
// account: one naming no account is unauthorized, as for a missing one.
func (a *Accounts) User(ctx context.Context, id int64) (User, error) {
	u, err := a.store.User(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return User{}, errAccountGone
	}
	return u, err
}

// StaffAccount is an account made by an administrator from the CLI or at
// first start.
type StaffAccount struct {
	Email    string
	Password string
	Role     Role
	FullName string
}

// CreateStaff creates an admin, organizer or official account.
func (a *Accounts) CreateStaff(ctx context.Context, s StaffAccount) (User, error) {
	bad := FieldErrors{}
	email, ok := normalizeEmail(s.Email)
	if s.Email == "" {
		bad.Add("email", MsgRequired)
	} else if !ok {
		bad.Add("email", MsgEmailInvalid)
	}
	if key := passwordProblem(s.Password); key != "" {
		bad.Add("password", key)
	}
	if !s.Role.Staff() {
		bad.Add("role", MsgRoleInvalid)
	}
	name := Clean(s.FullName)
	if name == "" {
		name = email
	}
	if err := bad.Err(); err != nil {
		return User{}, err
	}
	hash, err := a.hasher.Hash(s.Password)
	if err != nil {
		return User{}, err
	}
	return a.store.CreateUser(ctx, User{Role: s.Role, FullName: name, Email: email, CreatedAt: a.now()}, hash, nil)
}

// HasAdmin reports whether any admin account exists.
func (a *Accounts) HasAdmin(ctx context.Context) (bool, error) {
	return a.store.HasRole(ctx, RoleAdmin)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MsgUnitUnknown is the field error for a unit not on the organizer's list.
const MsgUnitUnknown = "field.unit_unknown"

// matchUnit returns the unit as the list writes it, matching case and
// diacritics loosely; with no list any unit is fine.
func matchUnit(units []string, unit string) (string, error) {
	if len(units) == 0 {
		return unit, nil
	}
	folded := Fold(unit)
	for _, u := range units {
		if Fold(u) == folded {
			return u, nil
		}
	}
	return "", &Error{Code: CodeValidation, Message: "unknown unit", Fields: map[string]string{"unit": MsgUnitUnknown}}
}

// Units returns the list contestants choose their unit from; empty when
// the unit is free text.
func (a *Accounts) Units(ctx context.Context) ([]string, error) { return a.store.Units(ctx) }

// Most units a list may hold.
const maxUnits = 5000

// SetUnits replaces the units list: each name cleaned, blanks and repeats
// dropped, the order kept. An empty list makes the unit free text again.
func (a *Accounts) SetUnits(ctx context.Context, names []string) ([]string, error) {
	var clean []string
	seen := map[string]bool{}
	for _, n := range names {
		n = Clean(n)
		if n == "" || seen[Fold(n)] {
			continue
		}
		if utf8.RuneCountInString(n) > maxUnitLen {
			return nil, &Error{Code: CodeValidation, Message: "unit name too long", Fields: map[string]string{"units": MsgTooLong}}
		}
		seen[Fold(n)] = true
		clean = append(clean, n)
	}
	if len(clean) > maxUnits {
		return nil, &Error{Code: CodeValidation, Message: "too many units", Fields: map[string]string{"units": MsgOutOfRange}}
	}
	return clean, a.store.SetUnits(ctx, clean)
}

// ProfileEdit is what a contestant corrects of their own account (the
// right to correct of Law 91/2025/QH15): a nil field stays as it is.
type ProfileEdit struct {
	FullName  *string
	BirthDate *string
	IDNumber  *string
	Phone     *string
	Email     *string
	Province  *string
	Commune   *string
	Unit      *string
	// PasswordChecked says the caller has checked the account's current
	// password: only then may the phone or the e-mail change. Both sign
	// in, and an organizer who resets a forgotten password checks the
	// person by phone; a session left open on a shared computer must not
	// be enough to move either to someone else.
	PasswordChecked bool
}

// ProfileRules are what a correction is checked against: registration's
// provinces and the organizer's units list as they are now.
type ProfileRules struct {
	provinces map[string]Province
	units     []string
}

// ProfileRules returns the rules a correction is checked against.
func (a *Accounts) ProfileRules(ctx context.Context) (ProfileRules, error) {
	units, err := a.store.Units(ctx)
	if err != nil {
		return ProfileRules{}, err
	}
	return ProfileRules{provinces: a.provinces, units: units}, nil
}

// Ages of Law 91/2025/QH15, Art. 24, for a corrected birth date: a child
// under profileGuardianAge takes part with a legal representative's
// consent, given at registration; under profileMinAge nobody takes part.
const (
	profileMinAge      = 7
	profileGuardianAge = 16
)

// Message keys of a correction's field errors.
const (
	MsgBirthDateUnder7   = "mydata.field.birth_date_under_7"
	MsgBirthDateMinor    = "mydata.field.birth_date_minor"
	MsgPasswordForLogin  = "mydata.field.password_for_login"
	MsgProfileNotEmptied = "mydata.field.not_emptied"
)

// Apply returns u with the edit's fields cleaned and checked as
// registration checks them (NFC, the phone's ten digits, a province code,
// the unit as the list writes it). A field the edit leaves alone, or sends
// back as it is stored, is not checked again: a unit since taken off the
// list, a province never given, stay as they are. The identity number and
// the birth date may be given later (a contest may ask them only of prize
// winners) and corrected, but not emptied once given: deleting the account
// removes them. A birth date may not make an adult, or a person of unknown
// age, a child under 16: the legal representative's consent that needs is
// given at registration, not here. The phone and the e-mail change only
// when e.PasswordChecked.
func (r ProfileRules) Apply(u User, e ProfileEdit, now time.Time) (User, error) {
	bad := FieldErrors{}
	next := u
	// edited returns the edit's value of a field, cleaned, and whether it
	// differs from the stored one.
	edited := func(v *string, clean func(string) string, stored string) (string, bool) {
		if v == nil {
			return stored, false
		}
		c := clean(*v)
		return c, c != stored
	}
	if name, ok := edited(e.FullName, Clean, u.FullName); ok {
		next.FullName = name
		switch {
		case name == "":
			bad.Add("full_name", MsgRequired)
		case utf8.RuneCountInString(name) > maxNameLen:
			bad.Add("full_name", MsgTooLong)
		case !nameLike(name):
			bad.Add("full_name", MsgNameInvalid)
		}
	}
	if birth, ok := edited(e.BirthDate, strings.TrimSpace, u.BirthDate); ok {
		next.BirthDate = birth
		if key := correctedBirthDateProblem(u.BirthDate, birth, now); key != "" {
			bad.Add("birth_date", key)
		}
	}
	stripSpaces := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }
	if id, ok := edited(e.IDNumber, stripSpaces, u.IDNumber); ok {
		next.IDNumber = id
		switch {
		case id == "":
			bad.Add("id_number", MsgProfileNotEmptied)
		case !ValidIDNumber(id):
			bad.Add("id_number", MsgIDNumberInvalid)
		}
	}
	if phone, ok := edited(e.Phone, strings.TrimSpace, u.Phone); ok {
		if phone == "" {
			bad.Add("phone", MsgRequired)
		} else if normalized, valid := NormalizePhone(phone); valid {
			next.Phone = normalized
		} else {
			bad.Add("phone", MsgPhoneInvalid)
		}
	}
	if email, ok := edited(e.Email, strings.TrimSpace, u.Email); ok {
		if normalized, valid := normalizeEmail(email); valid {
			next.Email = normalized
		} else {
			bad.Add("email", MsgEmailInvalid)
		}
	}
	if province, ok := edited(e.Province, strings.TrimSpace, u.Province); ok {
		next.Province = province
		if province == "" {
			bad.Add("province", MsgRequired)
		} else if _, known := r.provinces[province]; !known {
			bad.Add("province", MsgProvinceInvalid)
		}
	}
	if commune, ok := edited(e.Commune, Clean, u.Commune); ok {
		next.Commune = commune
		if utf8.RuneCountInString(commune) > maxCommuneLen {
			bad.Add("commune", MsgTooLong)
		}
	}
	if unit, ok := edited(e.Unit, Clean, u.Unit); ok && Fold(unit) != Fold(u.Unit) {
		switch {
		case utf8.RuneCountInString(unit) > maxUnitLen:
			bad.Add("unit", MsgTooLong)
		case unit == "":
			next.Unit = ""
		default:
			listed, err := matchUnit(r.units, unit)
			if err != nil {
				bad.Add("unit", MsgUnitUnknown)
			}
			next.Unit = listed
		}
	}
	if (next.Phone != u.Phone || next.Email != u.Email) && !e.PasswordChecked {
		bad.Add("current_password", MsgPasswordForLogin)
	}
	if err := bad.Err(); err != nil {
		return User{}, err
	}
	return next, nil
}

// correctedBirthDateProblem is the message key for a birth date given as
// next in place of a different old one, or "" when it may be.
func correctedBirthDateProblem(old, next string, now time.Time) string {
	switch {
	case next == "":
		return MsgProfileNotEmptied
	case !validBirthDate(next, now):
		return MsgBirthDateInvalid
	}
	age := profileAgeOn(next, now)
	switch {
	case age < profileMinAge:
		return MsgBirthDateUnder7
	case age < profileGuardianAge && (old == "" || profileAgeOn(old, now) >= profileGuardianAge):
		return MsgBirthDateMinor
	}
	return ""
}

// profileAgeOn is the age in whole years, on the day now is in Vietnam,
// of a person born on the valid date birth (YYYY-MM-DD).
func profileAgeOn(birth string, now time.Time) int {
	b, _ := time.Parse(time.DateOnly, birth)
	today := now.In(Vietnam)
	age := today.Year() - b.Year()
	if today.Month() < b.Month() || today.Month() == b.Month() && today.Day() < b.Day() {
		age--
	}
	return age
}
