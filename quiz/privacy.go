package quiz

import (
	"context"
	"fmt"
	"strconv"
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
}

// Deletion is what deleting an account did.
type Deletion struct {
	// RoundIDs are the rounds the person has attempts in: their live
	// leaderboards must be built again without the name.
	RoundIDs []int64
	// Results counts the person's rows in locked rankings, kept with the
	// name and identity data removed.
	Results int
	// Ended is the end of every session the account had.
	Ended SessionEnd
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
	// Purge clears the identity data of old contests' locked rankings and
	// anonymizes the accounts that took part only in them, with the audit
	// entry, in one transaction; with r.DryRun it only counts.
	Purge(ctx context.Context, r PurgeReport, audit func(PurgeReport) AuditEntry) (PurgeReport, error)
}

// Privacy gives contestants their own data, deletes their accounts at
// their request and purges the personal data of old contests.
//
// What is kept, and why: a deleted account's row stays, emptied, because
// attempts refer to it; its consent records stay as the proof that the
// data was processed with the person's consent; locked rankings keep rank, prize, score, unit and province,
// because the officials' decision on prizes stands.
type Privacy struct {
	store PrivacyStore
	now   func() time.Time
}

// NewPrivacy returns the privacy service.
func NewPrivacy(store PrivacyStore, now func() time.Time) *Privacy {
	return &Privacy{store: store, now: now}
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
	return d, err
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
