package quiz

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Error codes of reset links and of the password change a new account
// owes. Part of the public API: they never change once released.
const (
	// CodePasswordChangeRequired answers every request but the password
	// change and logout of an account whose password someone else chose.
	CodePasswordChangeRequired = "password_change_required"
	CodeResetLinkUnknown       = "reset_link_unknown" // no such link (404)
	CodeResetLinkExpired       = "reset_link_expired" // past its time (410)
	// CodeResetLinkUsed is a link already used, or voided since it was
	// issued: the password changed, or the account was disabled (410).
	CodeResetLinkUsed = "reset_link_used"
	// CodeResetByEmailOff answers a request for a link by e-mail on an
	// installation that sends no mail.
	CodeResetByEmailOff = "reset_by_email_off"
)

// How long a reset link is good for. A link an organizer or admin issues
// is read out or sent to the person through whatever they have (a call, a
// message), which can take a day; a mailed one reaches its reader at once.
const (
	StaffResetTTL = 24 * time.Hour
	EmailResetTTL = 30 * time.Minute
)

// Audit actions of account administration. Stored and shown, so they
// never change once released.
const (
	AuditIssueResetLink = "issue_reset_link" // staff issued a reset link for an account
	AuditEmailResetLink = "email_reset_link" // a reset link was mailed at the person's request
	AuditResetPassword  = "reset_password"   // an account's password was set through a link
	AuditFindAccount    = "find_account"     // staff looked an account up by phone or e-mail
	AuditSetName        = "set_name"         // an admin named a staff account
)

// ResetChannel is how a reset link reached its holder.
type ResetChannel string

const (
	ResetByStaff ResetChannel = "staff"
	ResetByEmail ResetChannel = "email"
)

// PasswordReset is a reset link as stored: the hash of its token, never
// the token.
type PasswordReset struct {
	TokenHash string
	UserID    int64
	// Epoch is the account's session epoch when the link was issued; the
	// link is void once the epoch has moved on.
	Epoch     int64
	Channel   ResetChannel
	IssuedBy  int64 // the staff account, for ResetByStaff
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// ResetLink is a link just issued, with its token in clear: the only
// moment the token exists outside the holder's hands.
type ResetLink struct {
	Token     string
	Account   User
	ExpiresAt time.Time
}

// Mail is one plain-text message.
type Mail struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends mail; SMTP in production.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// AccountAdminStore is what AccountAdmin needs from storage beside the
// accounts.
type AccountAdminStore interface {
	// CreateReset stores a link and its audit entry, unless the account's
	// session epoch is no longer r.Epoch (then CodeResetLinkUsed). Links
	// that expired long ago go at the same time.
	CreateReset(ctx context.Context, r PasswordReset, audit AuditEntry) error
	// PasswordReset returns the link with the token hash (CodeNotFound).
	PasswordReset(ctx context.Context, tokenHash string) (PasswordReset, error)
	// UseReset sets the link's account's password and its must-change
	// flag, marks the link used and starts a new session epoch, writing
	// audit, in one transaction; a link used or voided meanwhile gives
	// CodeResetLinkUsed and changes nothing.
	UseReset(ctx context.Context, tokenHash, passwordHash string, mustChange bool, at time.Time, audit AuditEntry) (SessionEnd, error)
	// MustChangePassword reads an account's must-change flag.
	MustChangePassword(ctx context.Context, userID int64) (bool, error)
	// SetMustChangePassword sets or clears it.
	SetMustChangePassword(ctx context.Context, userID int64, must bool) error
	// SetFullName renames a live account, writing audit.
	SetFullName(ctx context.Context, userID int64, name string, audit AuditEntry) (User, error)
	Audit(ctx context.Context, e AuditEntry) error
}

// AccountAdmin is what staff do to other people's accounts, and what a
// person does to regain theirs: reset links (issued by an organizer or
// admin after a call, or mailed), staff accounts' names, and the password
// change owed by an account whose password someone else chose.
type AccountAdmin struct {
	store    AccountAdminStore
	accounts *Accounts
	mailer   Mailer // nil: the installation sends no mail
	log      *slog.Logger
	now      func() time.Time

	mails   sync.WaitGroup
	sending chan struct{} // a slot per mail being sent
}

// maxPendingMails caps the reset mails on their way at once; requests
// beyond it are dropped (and logged), so that a flood of requests cannot
// pile up connections to the mail server.
const maxPendingMails = 32

// mailTimeout bounds the sending of one mail.
const mailTimeout = 30 * time.Second

// NewAccountAdmin returns the service; mailer may be nil.
func NewAccountAdmin(store AccountAdminStore, accounts *Accounts, mailer Mailer, log *slog.Logger, now func() time.Time) *AccountAdmin {
	if log == nil {
		log = slog.Default()
	}
	return &AccountAdmin{store: store, accounts: accounts, mailer: mailer, log: log, now: now,
		sending: make(chan struct{}, maxPendingMails)}
}

// MailsReset reports whether people can ask for a reset link by e-mail.
func (a *AccountAdmin) MailsReset() bool { return a.mailer != nil }

// Wait waits for the reset mails on their way, for a clean shutdown.
func (a *AccountAdmin) Wait() { a.mails.Wait() }

// resetTokenBytes is the size of a link's random token: 256 bits.
const resetTokenBytes = 32

// newResetToken returns a fresh token and the hash it is stored under.
func newResetToken() (token, hash string, err error) {
	raw := make([]byte, resetTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	return token, ResetTokenHash(token), nil
}

// ResetTokenHash is the form a token is stored and looked up in. The
// token is random and long, so a fast hash is enough: nobody can guess
// their way back from it.
func ResetTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken reports whether s could be a token at all, so that
// anything else is refused before the database is asked.
func wellFormedToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(resetTokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// MayReset says whether the staff account by may issue a reset link for
// target: organizers for contestants; only admins for staff accounts, and
// for an admin only another admin.
func MayReset(by, target User) error {
	switch {
	case !by.Role.Can(RoleOrganizer):
		return Errorf(CodeForbidden, "only organizers and admins issue reset links")
	case by.ID == target.ID:
		return Errorf(CodeForbidden, "change your own password on your account page")
	case target.Role.Staff() && by.Role != RoleAdmin:
		return Errorf(CodeForbidden, "only an admin issues reset links for staff accounts")
	}
	return nil
}

// IssueReset makes a reset link for the account targetID, good for
// StaffResetTTL, after the staff member by has checked the person (by
// phone). Who issued it for whom is written to the audit log.
func (a *AccountAdmin) IssueReset(ctx context.Context, by Actor, targetID int64) (ResetLink, error) {
	staff, err := a.accounts.User(ctx, by.ID)
	if err != nil {
		return ResetLink{}, err
	}
	target, err := a.accounts.store.User(ctx, targetID)
	if ErrorCode(err) == CodeNotFound {
		return ResetLink{}, NotFound("account")
	}
	if err != nil {
		return ResetLink{}, err
	}
	if err := MayReset(staff, target); err != nil {
		return ResetLink{}, err
	}
	if target.DisabledAt != nil {
		return ResetLink{}, &Error{Code: CodeAccountDisabled, Message: "this account has been disabled by an admin; enable it first"}
	}
	now := a.now()
	link, err := a.issue(ctx, target, ResetByStaff, staff.ID, now, StaffResetTTL, AuditEntry{At: now, UserID: staff.ID,
		Actor: StaffName(staff), Action: AuditIssueResetLink, IP: by.IP})
	return link, err
}

func (a *AccountAdmin) issue(ctx context.Context, target User, channel ResetChannel, issuedBy int64, now time.Time,
	ttl time.Duration, audit AuditEntry) (ResetLink, error) {
	token, hash, err := newResetToken()
	if err != nil {
		return ResetLink{}, err
	}
	expires := now.Add(ttl)
	audit.Detail = accountLabel(target) + " valid until " + APITime(expires)
	err = a.store.CreateReset(ctx, PasswordReset{TokenHash: hash, UserID: target.ID, Epoch: target.SessionEpoch,
		Channel: channel, IssuedBy: issuedBy, CreatedAt: now, ExpiresAt: expires}, audit)
	if err != nil {
		return ResetLink{}, err
	}
	return ResetLink{Token: token, Account: target, ExpiresAt: expires}, nil
}

// RequestByEmail mails a reset link, good for EmailResetTTL, to the
// contestant account with that e-mail address, if there is one. The
// caller's answer must not depend on whether there is: the lookup and the
// mail happen after it, in the background, and nothing is said about them.
// Staff accounts are reset by an admin only, so that a mailbox broken into
// does not open a staff account. compose writes the mail for the link;
// ip is the requester's address, for the audit log.
func (a *AccountAdmin) RequestByEmail(email, ip string, compose func(ResetLink) Mail) error {
	if a.mailer == nil {
		return Errorf(CodeResetByEmailOff, "this installation sends no mail; ask the organizers for a link")
	}
	normalized, ok := normalizeEmail(email)
	if strings.TrimSpace(email) == "" {
		return &Error{Code: CodeValidation, Message: "invalid input", Fields: map[string]string{"email": MsgRequired}}
	}
	if !ok {
		return &Error{Code: CodeValidation, Message: "invalid input", Fields: map[string]string{"email": MsgEmailInvalid}}
	}
	select {
	case a.sending <- struct{}{}:
	default:
		a.log.Warn("reset mail dropped: too many on their way", "pending", maxPendingMails)
		return nil
	}
	a.mails.Add(1)
	go func() {
		defer a.mails.Done()
		defer func() { <-a.sending }()
		ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
		defer cancel()
		a.mailLink(ctx, normalized, ip, compose)
	}()
	return nil
}

func (a *AccountAdmin) mailLink(ctx context.Context, email, ip string, compose func(ResetLink) Mail) {
	u, _, err := a.accounts.store.UserByLogin(ctx, email)
	if ErrorCode(err) == CodeNotFound || (err == nil && (u.Email != email || u.Role != RoleContestant || u.DisabledAt != nil)) {
		return
	}
	if err != nil {
		a.log.Warn("reset mail not sent: account lookup", "err", err)
		return
	}
	now := a.now()
	link, err := a.issue(ctx, u, ResetByEmail, 0, now, EmailResetTTL, AuditEntry{At: now, UserID: u.ID,
		Actor: accountLabel(u), Action: AuditEmailResetLink, IP: ip})
	if err != nil {
		a.log.Warn("reset mail not sent: link", "account", u.ID, "err", err)
		return
	}
	m := compose(link)
	m.To = u.Email
	if err := a.mailer.Send(ctx, m); err != nil {
		a.log.Warn("reset mail not sent", "account", u.ID, "err", err)
		return
	}
	a.log.Info("reset mail sent", "account", u.ID)
}

// CheckReset returns the link of a token and its account, or why it can
// no longer be used: unknown (404), expired or used (410), or the account
// disabled.
func (a *AccountAdmin) CheckReset(ctx context.Context, token string) (PasswordReset, User, error) {
	unknown := Errorf(CodeResetLinkUnknown, "no such reset link")
	if !wellFormedToken(token) {
		return PasswordReset{}, User{}, unknown
	}
	r, err := a.store.PasswordReset(ctx, ResetTokenHash(token))
	if ErrorCode(err) == CodeNotFound {
		return PasswordReset{}, User{}, unknown
	}
	if err != nil {
		return PasswordReset{}, User{}, err
	}
	u, err := a.accounts.store.User(ctx, r.UserID)
	if ErrorCode(err) == CodeNotFound {
		return PasswordReset{}, User{}, unknown // the account was deleted
	}
	if err != nil {
		return PasswordReset{}, User{}, err
	}
	switch {
	case r.UsedAt != nil || u.SessionEpoch != r.Epoch:
		return PasswordReset{}, User{}, Errorf(CodeResetLinkUsed, "this reset link has been used, or the password has changed since it was issued")
	case !a.now().Before(r.ExpiresAt):
		return PasswordReset{}, User{}, Errorf(CodeResetLinkExpired, "this reset link has expired")
	case u.DisabledAt != nil:
		return PasswordReset{}, User{}, &Error{Code: CodeAccountDisabled, Message: "this account has been disabled by an admin"}
	}
	return r, u, nil
}

// MustChangeAfter reports whether a password set through the link will
// have to be changed again at the next sign-in: so it is for a staff
// account whose link an admin issued, since the link passed through other
// hands than its owner's.
func (r PasswordReset) MustChangeAfter(u User) bool {
	return r.Channel == ResetByStaff && u.Role.Staff()
}

// Reset sets a new password through a link: the same rules as at
// registration, the link used up, and every session of the account ended.
// The hash is computed in the turn ctx carries (WithHashTurn); ip is the
// holder's address, for the audit log.
func (a *AccountAdmin) Reset(ctx context.Context, token, password, ip string) (User, error) {
	r, u, err := a.CheckReset(ctx, token)
	if err != nil {
		return User{}, err
	}
	if key := passwordProblem(password); key != "" {
		return User{}, &Error{Code: CodeValidation, Message: "invalid password", Fields: map[string]string{"new_password": key}}
	}
	hash, err := a.accounts.hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	how := "link sent by e-mail"
	if r.Channel == ResetByStaff {
		how = "link issued by account=" + strconv.FormatInt(r.IssuedBy, 10) + " at " + APITime(r.CreatedAt)
	}
	now := a.now()
	must := r.MustChangeAfter(u)
	end, err := a.store.UseReset(ctx, r.TokenHash, hash, must, now, AuditEntry{At: now, UserID: u.ID,
		Actor: accountLabel(u), Action: AuditResetPassword, Detail: how, IP: ip})
	if err != nil {
		return User{}, err
	}
	a.accounts.noteEnded(end)
	u.SessionEpoch = end.Epoch
	return u, nil
}

// MustChangePassword reports whether the account must change its password
// before doing anything else.
func (a *AccountAdmin) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	return a.store.MustChangePassword(ctx, userID)
}

// RequireChange makes the account change its password at its next
// sign-in: someone else chose the one it has.
func (a *AccountAdmin) RequireChange(ctx context.Context, userID int64) error {
	return a.store.SetMustChangePassword(ctx, userID, true)
}

// PasswordChanged clears the obligation once the account's holder has
// chosen a password of their own.
func (a *AccountAdmin) PasswordChanged(ctx context.Context, userID int64) error {
	return a.store.SetMustChangePassword(ctx, userID, false)
}
