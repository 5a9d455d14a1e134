package quiz

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DeletedName replaces the name of a deleted or purged account wherever
// the account is shown: leaderboards, locked results, the audit log.
const DeletedName = "Người dùng đã xóa"

// DeletedLogin is the e-mail column of a deleted or purged account. The
// table needs a phone or an e-mail, unique; this one is not an address, so
// no registration can take it first and block a deletion.
func DeletedLogin(userID int64) string { return "deleted-" + strconv.FormatInt(userID, 10) }

// DeletedActor names a deleted or purged account in the audit log, in
// place of the name and login it had.
func DeletedActor(userID int64) string { return DeletedName + " <" + DeletedLogin(userID) + ">" }

// ConsentRecord is a consent as its owner downloads it: the record with the
// words they agreed to.
type ConsentRecord struct {
	Consent
	TextVI          string
	TextPublishedAt time.Time
	// WithdrawnAt is when the person withdrew it; nil while it stands.
	WithdrawnAt *time.Time
}

// OwnAttempt is one of a contestant's attempts, with the round and contest
// it was made in.
type OwnAttempt struct {
	ID            int64
	ContestID     int64
	ContestTitle  string
	RoundID       int64
	RoundName     string
	Number        int
	StartedAt     time.Time
	Deadline      time.Time
	SubmittedAt   *time.Time
	AutoSubmitted bool
	Score         *int
	Correct       *int
	Total         int
	Prediction    *int
}

// OwnResult is a contestant's row in a locked round's ranking, with the
// personal data copied into it at the lock.
type OwnResult struct {
	ContestID       int64
	ContestSlug     string
	ContestTitle    string
	RoundID         int64
	RoundName       string
	LockedAt        *time.Time
	Rank            int
	PrizeTier       int
	Prize           string
	Score           int
	Correct         int
	Total           int
	Prediction      *int
	PredictionError *int
	DurationMs      int64
	FullName        string
	BirthDate       string
	IDNumber        string
	Phone           string
	Unit            string
	Province        string
	Commune         string
}

// OwnData is everything hoithi keeps about one contestant, as they
// download it under the Personal Data Protection Law.
type OwnData struct {
	Account  User
	Consents []ConsentRecord // oldest first
	Attempts []OwnAttempt    // oldest first
	Results  []OwnResult
	Live     []OwnLivePlay // oldest first
}

// OwnLivePlay is a live quiz the person played signed in: the nickname
// they chose and what they scored, skipped questions not counted.
type OwnLivePlay struct {
	GameID   int64
	Title    string
	Nickname string
	JoinedAt time.Time
	Points   int
	Correct  int
	Answered int
}

// Deletion is what deleting an account did.
type Deletion struct {
	// RoundIDs are the rounds the person has attempts in, counted in the
	// audit entry.
	RoundIDs []int64
	// Results counts the person's rows in locked rankings, kept with the
	// name and identity data removed.
	Results int
	// Ended is the end of every session the account had.
	Ended SessionEnd
	// Withdrawn are the consents a withdrawal ended, as now recorded;
	// empty for a deletion.
	Withdrawn []ConsentRecord
}

// PurgeReport is what a purge of old personal data did, or would do.
type PurgeReport struct {
	At       time.Time // when it ran
	Days     int
	Cutoff   time.Time // contests whose every round closed before it
	DryRun   bool
	Contests int
	Rounds   int
	Results  int // rows of locked rankings that had data to clear
	Accounts int // contestant accounts anonymized
}

// PrivacyStore is what Privacy needs of the store.
type PrivacyStore interface {
	// OwnData gathers an account's data; a deleted account is not found.
	OwnData(ctx context.Context, userID int64) (OwnData, error)
	// DeleteAccount anonymizes a contestant's account and their rows in
	// locked rankings and writes the audit entry, all in one transaction.
	// A staff account is CodeForbidden, a missing or deleted one
	// CodeNotFound, and then nothing changes.
	DeleteAccount(ctx context.Context, userID int64, at time.Time, audit func(Deletion) AuditEntry) (Deletion, error)
	// WithdrawConsent records the withdrawal of every consent the account
	// has given, from client, and then does what DeleteAccount does, all
	// in one transaction; refusals are DeleteAccount's.
	WithdrawConsent(ctx context.Context, userID int64, at time.Time, client ClientInfo, audit func(Deletion) AuditEntry) (Deletion, error)
	// OwnConsents lists an account's consents with their texts and
	// withdrawals, oldest first.
	OwnConsents(ctx context.Context, userID int64) ([]ConsentRecord, error)
	// OwnPrizes lists the account's rows that carry a prize in locked
	// rankings, in the order of the rounds.
	OwnPrizes(ctx context.Context, userID int64) ([]OwnResult, error)
	// UpdateProfile gives change a live account and the rounds it has
	// attempts in, as they are in one write transaction; when change
	// returns an account, it is stored with change's audit entries in that
	// transaction, unless its phone or e-mail is another account's
	// (CodeAccountExists naming the field). Every entry of the account's
	// in the audit log then takes the actor of the first one written: the
	// log names a person as they are now, never by a name or a phone they
	// have corrected. A missing or deleted account is CodeNotFound.
	UpdateProfile(ctx context.Context, userID int64, change func(old User, rounds []TakenRound) (*User, []AuditEntry, error)) error
	// Purge clears the identity data of old contests' locked rankings and
	// anonymizes the accounts that took part only in them, with the audit
	// entry, in one transaction; with r.DryRun it only counts.
	Purge(ctx context.Context, r PurgeReport, audit func(PurgeReport) AuditEntry) (PurgeReport, error)
}

// Privacy gives contestants their own data, lets them correct it, deletes
// their accounts or ends their consent at their request, and purges the
// personal data of old contests.
//
// What is kept, and why: a deleted account's row stays, emptied, because
// attempts refer to it; its consent records stay as the proof that the
// data was processed with the person's consent; locked rankings keep rank, prize, score, unit and province,
// because the officials' decision on prizes stands.
//
// Withdrawing consent and deleting the account remove the same data: the
// one purpose hoithi processes personal data for is the contest, so once
// the consent to it ends nothing may be kept that a deletion would remove.
// Both exist because the law names both rights (Law 91/2025/QH15, Art. 4);
// a withdrawal also keeps, beside each consent, when and from where it was
// withdrawn, which the person gets as a receipt.
type Privacy struct {
	store    PrivacyStore
	now      func() time.Time
	notifier Notifier
}

// NewPrivacy returns the privacy service.
func NewPrivacy(store PrivacyStore, now func() time.Time) *Privacy {
	return &Privacy{store: store, now: now}
}

// SetNotifier has the service announce on n the accounts it deletes
// (AccountDeleted, with SessionRevoked for their sessions) and the
// corrections that change what leaderboards show (AccountChanged). Call
// it before the service is used.
func (p *Privacy) SetNotifier(n Notifier) { p.notifier = n }

// deleted announces a deletion or a withdrawal once it is stored: the
// account's sessions end, and boards built before it drop the name.
func (p *Privacy) deleted(userID int64, d Deletion) {
	notify(p.notifier, RevokedSessions(d.Ended))
	notify(p.notifier, Event{Kind: AccountDeleted, UserID: userID})
}

// errAccountGone answers a token whose account has been deleted.
var errAccountGone = &Error{Code: CodeUnauthorized, Message: "the account no longer exists"}

// OwnData returns everything kept about the account.
func (p *Privacy) OwnData(ctx context.Context, userID int64) (OwnData, error) {
	d, err := p.store.OwnData(ctx, userID)
	if ErrorCode(err) == CodeNotFound {
		return OwnData{}, errAccountGone
	}
	return d, err
}

// DeleteAccount removes a contestant's personal data at their request; the
// caller has checked their password. The audit entry names the account by
// its id only: the person's name must not outlive the deletion there.
func (p *Privacy) DeleteAccount(ctx context.Context, userID int64, client ClientInfo) (Deletion, error) {
	now := p.now()
	d, err := p.store.DeleteAccount(ctx, userID, now, func(d Deletion) AuditEntry {
		return AuditEntry{At: now, UserID: userID, Actor: DeletedActor(userID),
			Action: AuditDeleteAccount, Detail: fmt.Sprintf("rounds=%d results=%d", len(d.RoundIDs), d.Results), IP: client.IP}
	})
	if ErrorCode(err) == CodeNotFound {
		return Deletion{}, errAccountGone
	}
	if err != nil {
		return Deletion{}, err
	}
	p.deleted(userID, d)
	return d, nil
}

// Audit actions of a person's own rights.
const (
	AuditUpdateProfile   = "update_profile"   // a contestant corrected their own data
	AuditWithdrawConsent = "withdraw_consent" // a contestant withdrew their consent
	AuditOwnDataPage     = "own_data_page"    // a contestant read their own data as a page
)

// WithdrawConsent ends every consent the contestant has given and, with
// it, removes their personal data as DeleteAccount does; the caller has
// checked their password. The withdrawal is recorded beside each consent
// (when, from which address and browser) and returned as the receipt.
func (p *Privacy) WithdrawConsent(ctx context.Context, userID int64, client ClientInfo) (Deletion, error) {
	now := p.now()
	client.UserAgent = truncate(client.UserAgent, 300)
	d, err := p.store.WithdrawConsent(ctx, userID, now, client, func(d Deletion) AuditEntry {
		return AuditEntry{At: now, UserID: userID, Actor: DeletedActor(userID), Action: AuditWithdrawConsent,
			Detail: fmt.Sprintf("consents=%d rounds=%d results=%d", len(d.Withdrawn), len(d.RoundIDs), d.Results), IP: client.IP}
	})
	if ErrorCode(err) == CodeNotFound {
		return Deletion{}, errAccountGone
	}
	if err != nil {
		return Deletion{}, err
	}
	p.deleted(userID, d)
	return d, nil
}

// Consents lists what the person has agreed to, with each text and any
// withdrawal, oldest first.
func (p *Privacy) Consents(ctx context.Context, userID int64) ([]ConsentRecord, error) {
	return p.store.OwnConsents(ctx, userID)
}

// Prizes lists the prizes the person holds in locked rounds: a locked
// round's prize never changes, so these are theirs to be told of.
func (p *Privacy) Prizes(ctx context.Context, userID int64) ([]OwnResult, error) {
	return p.store.OwnPrizes(ctx, userID)
}

// TakenRound is a round a person has an attempt in, as it stands.
type TakenRound struct {
	ID       int64
	ClosesAt time.Time
	Locked   bool
	Prize    bool // the person holds a prize in its locked ranking
}

// ProfileUpdate is what a correction did.
type ProfileUpdate struct {
	User User
	// Changed names the fields that changed, as the API names them; empty
	// when the edit changed nothing (and nothing was written).
	Changed []string
}

// Field errors of a correction the store or the round rules refuse.
const (
	// MsgUnitFrozen: the unit changed while a round the person took part
	// in waits for its lock.
	MsgUnitFrozen = "mydata.field.unit_frozen"
	// MsgPhoneOfAnother and MsgEmailOfAnother: the phone or e-mail signs
	// in to another account.
	MsgPhoneOfAnother = "mydata.field.phone_of_another"
	MsgEmailOfAnother = "mydata.field.email_of_another"
)

// UpdateProfile corrects a contestant's own data under rules (see
// ProfileRules.Apply) and writes the audit entry, which names the fields
// that changed and never their values.
//
// A correction changes the account, and so every round that reads it:
// those running, and those closed and waiting for officials to lock them.
// A locked round keeps the data copied into its ranking at the lock and
// never changes. Officials are told, in the audit log of the round, of a
// correction by a person in a list they have still to lock, or by a
// winner of a prize they award: the entry's round is that round. The unit
// alone cannot change while a round the person took part in has closed
// and is not locked: group prizes go to units by their number of
// contestants, and nobody can join a closed round, so moving accounts
// between units then would decide those prizes.
func (p *Privacy) UpdateProfile(ctx context.Context, userID int64, edit ProfileEdit, rules ProfileRules, client ClientInfo) (ProfileUpdate, error) {
	now := p.now()
	var out ProfileUpdate
	err := p.store.UpdateProfile(ctx, userID, func(old User, rounds []TakenRound) (*User, []AuditEntry, error) {
		out = ProfileUpdate{User: old}
		if old.Role != RoleContestant {
			return nil, nil, Errorf(CodeForbidden, "staff accounts are changed by an admin")
		}
		next, err := rules.Apply(old, edit, now)
		if err != nil {
			return nil, nil, err
		}
		out.Changed = profileChanges(old, next)
		if len(out.Changed) == 0 {
			return nil, nil, nil
		}
		entry := AuditEntry{At: now, UserID: userID, Actor: StaffName(next), Action: AuditUpdateProfile,
			Detail: "fields=" + strings.Join(out.Changed, ","), IP: client.IP}
		entries := []AuditEntry{entry}
		for _, r := range rounds {
			waiting := !r.Locked && !now.Before(r.ClosesAt)
			if waiting && slices.Contains(out.Changed, "unit") {
				return nil, nil, &Error{Code: CodeValidation, Message: "the unit cannot change before the round is locked",
					Fields: map[string]string{"unit": MsgUnitFrozen}}
			}
			if waiting || r.Locked && r.Prize {
				flagged := entry
				flagged.RoundID = r.ID
				entries = append(entries, flagged)
			}
		}
		out.User = next
		return &next, entries, nil
	})
	if ErrorCode(err) == CodeNotFound {
		return ProfileUpdate{}, errAccountGone
	}
	if err != nil {
		return ProfileUpdate{}, err
	}
	if slices.ContainsFunc(out.Changed, shownOnBoards) {
		notify(p.notifier, Event{Kind: AccountChanged, UserID: userID})
	}
	return out, nil
}

// shownOnBoards reports whether leaderboards show a profile field (as
// ProfileUpdate.Changed names it): the name and the unit, never personal
// numbers.
func shownOnBoards(field string) bool { return field == "full_name" || field == "unit" }

// profileChanges names the fields of b that differ from a's.
func profileChanges(a, b User) []string {
	var out []string
	for _, f := range []struct {
		name     string
		was, now string
	}{
		{"full_name", a.FullName, b.FullName}, {"birth_date", a.BirthDate, b.BirthDate},
		{"id_number", a.IDNumber, b.IDNumber}, {"phone", a.Phone, b.Phone}, {"email", a.Email, b.Email},
		{"province", a.Province, b.Province}, {"commune", a.Commune, b.Commune}, {"unit", a.Unit, b.Unit},
	} {
		if f.was != f.now {
			out = append(out, f.name)
		}
	}
	return out
}

// maxPurgeDays is a hundred years: older contests cannot exist.
const maxPurgeDays = 36500

// Purge removes the personal data of the contests whose every round closed
// more than days ago: identity data in their locked rankings, and the
// accounts of contestants who took part only in them and registered before
// then. actor names who ran it in the audit log.
func (p *Privacy) Purge(ctx context.Context, days int, dryRun bool, actor string) (PurgeReport, error) {
	if days < 1 || days > maxPurgeDays {
		return PurgeReport{}, &Error{Code: CodeValidation, Message: fmt.Sprintf("days must be from 1 to %d", maxPurgeDays),
			Fields: map[string]string{"days": MsgOutOfRange}}
	}
	now := p.now()
	r := PurgeReport{At: now, Days: days, Cutoff: now.Add(-time.Duration(days) * 24 * time.Hour), DryRun: dryRun}
	return p.store.Purge(ctx, r, func(r PurgeReport) AuditEntry {
		return AuditEntry{At: r.At, Actor: actor, Action: AuditPurge,
			Detail: fmt.Sprintf("days=%d cutoff=%s contests=%d rounds=%d results=%d accounts=%d",
				r.Days, r.Cutoff.UTC().Format(time.RFC3339), r.Contests, r.Rounds, r.Results, r.Accounts)}
	})
}
