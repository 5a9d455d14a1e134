package quiz

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// CodeAccountDisabled answers the right password of a disabled account.
// A wrong password gets the usual invalid_credentials, so that the code
// tells nothing to someone who does not know the password.
const CodeAccountDisabled = "account_disabled"

// Audit actions on accounts, taken by an admin or from the command line.
const (
	AuditDisableAccount = "disable_account" // a staff account can no longer sign in
	AuditEnableAccount  = "enable_account"  // and can again
	AuditSetPassword    = "set_password"    // an admin set an account's password
)

// Session is one signed-in session as its token names it. Tokens are
// stateless; what ends a session early is kept in the database and, for
// speed, in memory (see SessionOver).
type Session struct {
	ID        string // the token's own id (jti), random
	UserID    int64
	Epoch     int64 // the account's session epoch when the token was issued
	ExpiresAt time.Time
}

// SessionEnd is one line of the log of sessions ended before their
// tokens expire: one token (a logout), or every token of an account
// issued before its epoch reached Epoch (a password change, a disabled
// account).
type SessionEnd struct {
	Seq       int64 // the log's order, assigned by the store
	UserID    int64
	TokenID   string    // "" for a new epoch
	Epoch     int64     // for a new epoch: tokens below it are over
	ExpiresAt time.Time // for a token: when it would have expired anyway
	EndedAt   time.Time
}

// Actor is who changes an account, for the audit log: an admin, or the
// command line (ID 0).
type Actor struct {
	ID   int64
	Name string
	IP   string
}

// SessionsTTL is how long the in-memory log of ended sessions is trusted
// before the rows added since are read: a logout, a password change or a
// disabled account in another process (another server on the same
// database, the user command) reaches this one within it; this process's
// own changes count at once.
const SessionsTTL = 2 * time.Second

// endedSessions is the log of ended sessions as this process knows it,
// kept so that checking a token costs no database read on the requests of
// a round's rush.
type endedSessions struct {
	mu      sync.RWMutex
	tokens  map[string]time.Time // ended token → its expiry
	epochs  map[int64]int64      // account → the epoch its tokens need
	seq     int64                // the newest log row read
	checked time.Time
}

// note adds one row of the log.
func (e *endedSessions) note(end SessionEnd) {
	if e.tokens == nil {
		e.tokens, e.epochs = map[string]time.Time{}, map[int64]int64{}
	}
	if end.TokenID != "" {
		e.tokens[end.TokenID] = end.ExpiresAt
	} else if end.Epoch > e.epochs[end.UserID] {
		e.epochs[end.UserID] = end.Epoch
	}
}

// SessionOver reports whether a session has ended before its token's
// expiry: logged out, or of an epoch its account has left behind.
func (a *Accounts) SessionOver(ctx context.Context, s Session) (bool, error) {
	e := &a.ended
	now := a.now()
	e.mu.RLock()
	over := e.overLocked(s)
	fresh := now.Sub(e.checked) < SessionsTTL
	e.mu.RUnlock()
	if over || fresh {
		return over, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if now.Sub(e.checked) >= SessionsTTL {
		rows, err := a.store.SessionEndsAfter(ctx, e.seq)
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			e.note(r)
			e.seq = max(e.seq, r.Seq)
		}
		for id, exp := range e.tokens {
			if exp.Before(now) {
				delete(e.tokens, id) // expired: its signature check refuses it now
			}
		}
		e.checked = now
	}
	return e.overLocked(s), nil
}

func (e *endedSessions) overLocked(s Session) bool {
	if _, ended := e.tokens[s.ID]; ended {
		return true
	}
	return s.Epoch < e.epochs[s.UserID]
}

// EndSession ends one session at once (a logout): its token counts for
// nothing from now on, in this process at once and in others on the same
// database within their polling period.
func (a *Accounts) EndSession(ctx context.Context, s Session) error {
	end := SessionEnd{UserID: s.UserID, TokenID: s.ID, ExpiresAt: s.ExpiresAt, EndedAt: a.now()}
	seq, err := a.store.EndSession(ctx, end)
	if err != nil {
		return err
	}
	end.Seq = seq
	a.noteEnded(end)
	return nil
}

// SetNotifier has Accounts announce on n the sessions it ends
// (SessionRevoked), and count at once those that others announce there: a
// deleted account's, or, in a cluster, another node's. Call it before
// Accounts is used.
func (a *Accounts) SetNotifier(n Notifier) {
	a.notifier = n
	n.Subscribe(func(ev Event) {
		if ev.Kind == SessionRevoked {
			a.count(ev.SessionEnd())
		}
	})
}

// noteEnded counts sessions this process ended at once, and announces
// their end to whatever else trusts them.
func (a *Accounts) noteEnded(end SessionEnd) {
	a.count(end)
	notify(a.notifier, RevokedSessions(end))
}

// count adds an end of sessions to those SessionOver knows. The log's
// position is left alone: rows other processes added before this one are
// still to be read. Counting one twice changes nothing.
func (a *Accounts) count(end SessionEnd) {
	a.ended.mu.Lock()
	defer a.ended.mu.Unlock()
	a.ended.note(end)
}

// MsgPasswordWrong is the field error for a wrong current password.
const MsgPasswordWrong = "field.password_wrong"

// ChangePassword sets a new password once the current one is checked, and
// ends every session of the account. The returned account carries the new
// session epoch: the caller signs the session it is serving in again, so
// that it alone goes on.
func (a *Accounts) ChangePassword(ctx context.Context, userID int64, current, next string) (User, error) {
	u, hash, err := a.store.UserWithPassword(ctx, userID)
	if ErrorCode(err) == CodeNotFound {
		return User{}, errAccountGone
	}
	if err != nil {
		return User{}, err
	}
	bad := FieldErrors{}
	if current == "" {
		bad.Add("current_password", MsgRequired)
	} else if len(current) > maxPassword || !a.hasher.Check(hash, current) {
		bad.Add("current_password", MsgPasswordWrong)
	}
	if key := passwordProblem(next); key != "" {
		bad.Add("new_password", key)
	}
	if err := bad.Err(); err != nil {
		return User{}, err
	}
	return a.setPassword(ctx, u, next, nil)
}

// ResetPassword sets an account's password without the current one (the
// command line) and ends all its sessions.
func (a *Accounts) ResetPassword(ctx context.Context, userID int64, password string, by Actor) (User, error) {
	if key := passwordProblem(password); key != "" {
		return User{}, &Error{Code: CodeValidation, Message: "invalid password", Fields: map[string]string{"password": key}}
	}
	u, err := a.User(ctx, userID)
	if err != nil {
		return User{}, err
	}
	return a.setPassword(ctx, u, password, &AuditEntry{At: a.now(), UserID: by.ID, Actor: by.Name,
		Action: AuditSetPassword, Detail: accountLabel(u), IP: by.IP})
}

func (a *Accounts) setPassword(ctx context.Context, u User, password string, audit *AuditEntry) (User, error) {
	hash, err := a.hasher.Hash(password)
	if err != nil {
		return User{}, err
	}
	now := a.now()
	end, err := a.store.SetPassword(ctx, u.ID, hash, now, audit)
	if err != nil {
		return User{}, err
	}
	a.noteEnded(end)
	u.SessionEpoch = end.Epoch
	return u, nil
}

// StaffAccounts lists the admin, organizer and official accounts. Contestants
// are not listed: their accounts are theirs to keep or delete.
func (a *Accounts) StaffAccounts(ctx context.Context) ([]User, error) {
	return a.store.StaffUsers(ctx)
}

// AccountByEmail finds a live account by its e-mail, in any of its
// spellings (NFC or NFD, any case).
func (a *Accounts) AccountByEmail(ctx context.Context, email string) (User, error) {
	normalized, ok := normalizeEmail(email)
	if email == "" || !ok {
		return User{}, &Error{Code: CodeValidation, Message: "invalid e-mail", Fields: map[string]string{"email": MsgEmailInvalid}}
	}
	u, _, err := a.store.UserByLogin(ctx, normalized)
	if err != nil || u.Email != normalized {
		return User{}, NotFound("account")
	}
	return u, nil
}

// SetDisabled disables a staff account (it cannot sign in, and every
// session it has ends at once) or enables it again. Only staff accounts
// are disabled this way, and nobody disables their own: an admin locked
// out of the last admin account is one the command line must rescue.
func (a *Accounts) SetDisabled(ctx context.Context, userID int64, disabled bool, by Actor) (User, error) {
	u, err := a.store.User(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if !u.Role.Staff() {
		return User{}, NotFound("staff account")
	}
	if by.ID == userID {
		return User{}, Errorf(CodeForbidden, "nobody disables their own account")
	}
	action := AuditEnableAccount
	if disabled {
		action = AuditDisableAccount
	}
	now := a.now()
	u, end, err := a.store.SetDisabled(ctx, userID, disabled, now, by.ID, AuditEntry{At: now, UserID: by.ID,
		Actor: by.Name, Action: action, Detail: accountLabel(u), IP: by.IP})
	if err != nil {
		return User{}, err
	}
	if end != nil {
		a.noteEnded(*end)
	}
	return u, nil
}

// accountLabel names an account in the audit log: staff by name and
// e-mail, a contestant by id only, so that their name does not outlive
// their account there.
func accountLabel(u User) string {
	label := "account=" + strconv.FormatInt(u.ID, 10)
	if u.Role.Staff() {
		label += " " + StaffName(u)
	}
	return label
}
