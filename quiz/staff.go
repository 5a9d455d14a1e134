package quiz

import (
	"context"
	"strings"
	"unicode/utf8"
)

// MsgLoginInvalid is the field error for a search that is neither a phone
// number nor an e-mail address.
const MsgLoginInvalid = "field.login_invalid"

// FindAccount finds the live account whose phone or e-mail is login, for
// an organizer or admin who is about to check a person by phone. Only an
// exact phone number or address finds anything: staff look up the one
// person who called, they do not browse. Each find is written to the
// audit log, since it shows staff some of the person's data.
func (a *AccountAdmin) FindAccount(ctx context.Context, by Actor, login string) (User, error) {
	login = strings.TrimSpace(login)
	if login == "" {
		return User{}, &Error{Code: CodeValidation, Message: "invalid input", Fields: map[string]string{"login": MsgRequired}}
	}
	key := NormalizeLogin(login)
	if _, isPhone := NormalizePhone(login); !isPhone {
		if _, ok := normalizeEmail(key); !ok {
			return User{}, &Error{Code: CodeValidation, Message: "invalid input", Fields: map[string]string{"login": MsgLoginInvalid}}
		}
	}
	u, _, err := a.accounts.store.UserByLogin(ctx, key)
	if ErrorCode(err) == CodeNotFound || (err == nil && u.Phone != key && u.Email != key) {
		return User{}, NotFound("account")
	}
	if err != nil {
		return User{}, err
	}
	err = a.store.Audit(ctx, AuditEntry{At: a.now(), UserID: by.ID, Actor: by.Name, Action: AuditFindAccount,
		Detail: accountLabel(u), IP: by.IP})
	return u, err
}

// BirthYear is the year of a birth date, or 0 when there is none: enough
// to check a person by phone without reading out the date.
func BirthYear(u User) int {
	if len(u.BirthDate) < 4 {
		return 0
	}
	y := 0
	for _, r := range u.BirthDate[:4] {
		if r < '0' || r > '9' {
			return 0
		}
		y = y*10 + int(r-'0')
	}
	return y
}

// IDNumberTail is the last three digits of the person's identity number,
// which the person can read out from their card: never the whole number,
// which staff who reset passwords have no need to see.
func IDNumberTail(u User) string {
	if len(u.IDNumber) < 3 {
		return ""
	}
	return u.IDNumber[len(u.IDNumber)-3:]
}

// MsgStaffNameRequired asks for the name a staff account signs with.
const MsgStaffNameRequired = "field.staff_name_required"

// staffNameProblem returns the field error of a staff account's name, or
// "": a person's name, as it prints on locked lists and certificates.
func staffNameProblem(name string) string {
	switch {
	case name == "":
		return MsgStaffNameRequired
	case utf8.RuneCountInString(name) > maxNameLen:
		return MsgTooLong
	case !nameLike(name):
		return MsgNameInvalid
	}
	return ""
}

// AddStaff creates a staff account, named when a name is given (it prints
// on locked lists, certificates and the audit log; an unnamed account shows
// its e-mail until an admin names it). When mustChange, its
// holder changes the password at the first sign-in: the person who made
// the account chose it. Every invalid field is told at once.
func (a *AccountAdmin) AddStaff(ctx context.Context, s StaffAccount, mustChange bool) (User, error) {
	s.FullName = Clean(s.FullName)
	bad := FieldErrors{}
	if s.FullName != "" {
		if key := staffNameProblem(s.FullName); key != "" {
			bad.Add("full_name", key)
		}
	}
	if s.Email == "" {
		bad.Add("email", MsgRequired)
	} else if _, ok := normalizeEmail(s.Email); !ok {
		bad.Add("email", MsgEmailInvalid)
	}
	if key := passwordProblem(s.Password); key != "" {
		bad.Add("password", key)
	}
	if !s.Role.Staff() {
		bad.Add("role", MsgRoleInvalid)
	}
	if err := bad.Err(); err != nil {
		return User{}, err
	}
	u, err := a.accounts.CreateStaff(ctx, s)
	if err != nil || !mustChange {
		return u, err
	}
	// Set right after the account is made: its holder does not have the
	// password yet.
	return u, a.RequireChange(ctx, u.ID)
}

// SetStaffName names a staff account. Contestants' names are theirs to
// correct; this is for the accounts that run contests.
func (a *AccountAdmin) SetStaffName(ctx context.Context, by Actor, userID int64, name string) (User, error) {
	u, err := a.accounts.store.User(ctx, userID)
	if ErrorCode(err) == CodeNotFound || (err == nil && !u.Role.Staff()) {
		return User{}, NotFound("staff account")
	}
	if err != nil {
		return User{}, err
	}
	name = Clean(name)
	if key := staffNameProblem(name); key != "" {
		return User{}, &Error{Code: CodeValidation, Message: "invalid name", Fields: map[string]string{"full_name": key}}
	}
	if name == u.FullName {
		return u, nil
	}
	return a.store.SetFullName(ctx, userID, name, AuditEntry{At: a.now(), UserID: by.ID, Actor: by.Name,
		Action: AuditSetName, Detail: accountLabel(u) + " now named " + name, IP: by.IP})
}
