package quiz

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Error codes of results and locks.
const (
	CodeRoundNotClosed = "round_not_closed"
	CodeAlreadyLocked  = "already_locked"
	CodeNotLocked      = "not_locked"
)

// ResultsStore is what Results needs from storage.
type ResultsStore interface {
	// Round returns a round, possibly as read a moment ago.
	Round(ctx context.Context, id int64) (Round, error)
	// FreshRound returns a round as the database holds it now.
	FreshRound(ctx context.Context, id int64) (Round, error)
	User(ctx context.Context, id int64) (User, error)
	// RankingVersion reads the version of the data a round's ranking and
	// statistics depend on.
	RankingVersion(ctx context.Context, roundID int64) (RankingVersion, error)
	// RoundContenders returns every submitted attempt of a round with the
	// data of its contestant.
	RoundContenders(ctx context.Context, roundID int64) ([]Contender, error)
	// ContenderAttempts returns one contestant's submitted attempts in a
	// round, with their data.
	ContenderAttempts(ctx context.Context, roundID, userID int64) ([]Contender, error)
	// RoundCounts returns how many attempts were started and submitted.
	RoundCounts(ctx context.Context, roundID int64) (started, submitted int, err error)
	// HeldPrizes returns, per person, the highest prize they hold in the
	// locked rounds of a contest other than one.
	HeldPrizes(ctx context.Context, contestID, exceptRound int64) (map[int64]HeldPrize, error)
	// UnitMembers returns the size of each unit the organizer gave one.
	UnitMembers(ctx context.Context) (map[string]int, error)
	// SetUnitMembers stores the size of each listed unit; units not in
	// members get 0 (unknown).
	SetUnitMembers(ctx context.Context, members map[string]int) error
	// LockRound stores a list as the round's locked ranking, with its audit
	// entry, unless the round is locked already (CodeAlreadyLocked).
	LockRound(ctx context.Context, l WinnerList, by int64, e AuditEntry) error
	// UnlockRound removes a round's locked ranking, with its audit entry
	// (CodeNotLocked when there is none).
	UnlockRound(ctx context.Context, roundID int64, e AuditEntry) error
	// LockedList reads a locked round's stored ranking into l.
	LockedList(ctx context.Context, l *WinnerList) error
	// Identities reads the CCCD and birth date the live accounts among
	// userIDs have now; deleted accounts are left out.
	Identities(ctx context.Context, userIDs []int64) (map[int64]Identity, error)
	// LockedEntry reads one contestant's row of a locked round's stored
	// ranking (not found when they have none).
	LockedEntry(ctx context.Context, roundID, userID int64) (Winner, error)
	// PublishedResults reads into l what the public sees of a locked
	// round's stored ranking: the prize rows (rank, prize, name and unit),
	// the units with a prize, and the number of contestants.
	PublishedResults(ctx context.Context, l *WinnerList) error
	ReportStore
}

// How much Results keeps and lets run at once.
const (
	// rankingsKept is how many rounds' rankings are kept in memory: each
	// holds a row per contestant with the personal data (37 MB for 100,000
	// contestants).
	rankingsKept = 4
	// figuresKept is how many rounds' published results, statistics
	// figures and reports are kept; each is a few tables of at most a few
	// thousand rows, without personal data.
	figuresKept = 32
	// ExportSlots and ExportWait bound the heavy files (every contestant's
	// row as a workbook, CSV or JSON) written at once, and how long a
	// request waits for its turn before it is refused: a workbook of
	// 100,000 rows takes 2 to 3 s, so eight asked at once all get theirs.
	ExportSlots = 2
	ExportWait  = 30 * time.Second
)

// Results ranks closed rounds, gives their prizes, and locks them. A
// round's ranking is computed once for each state of its data and kept
// (see RankingVersion): the requests that follow read it until the data
// changes.
type Results struct {
	store ResultsStore
	now   func() time.Time

	rankings  *roundCache[int64, WinnerList]
	published *roundCache[int64, WinnerList]
	figures   *roundCache[figuresKey, ReportFigures]
	reports   *roundCache[int64, Report]

	// Exports bounds the heavy files written at once; handlers take a
	// turn for each.
	Exports *Gate

	notifier Notifier
}

// SetNotifier has the results announce a round locked or unlocked
// (RoundChanged) on n. Call it before the results are used.
func (s *Results) SetNotifier(n Notifier) { s.notifier = n }

type figuresKey struct {
	roundID   int64
	utcOffset time.Duration
}

// NewResults returns the results service.
func NewResults(store ResultsStore, now func() time.Time) *Results {
	return &Results{store: store, now: now,
		rankings:  newRoundCache[int64, WinnerList](rankingsKept),
		published: newRoundCache[int64, WinnerList](figuresKept),
		figures:   newRoundCache[figuresKey, ReportFigures](figuresKept),
		reports:   newRoundCache[int64, Report](figuresKept),
		Exports:   NewGate(ExportSlots, ExportWait)}
}

// Winners returns a round's ranking with its prizes: the stored list once
// the round is locked, otherwise the list computed from its attempts. A
// round that has not closed has no list yet (CodeRoundNotClosed). The list
// is shared by every caller until the round's data changes: read it, never
// change it.
func (s *Results) Winners(ctx context.Context, roundID int64) (WinnerList, error) {
	version, err := s.store.RankingVersion(ctx, roundID)
	if err != nil {
		return WinnerList{}, err
	}
	return s.rankings.get(ctx, roundID, version, func(ctx context.Context) (WinnerList, error) {
		// Read past the store's short-lived round cache: the version has
		// changed, and the round may be what changed, in another process.
		r, err := s.store.FreshRound(ctx, roundID)
		if err != nil {
			return WinnerList{}, err
		}
		if r.LockedAt != nil {
			return s.locked(ctx, r)
		}
		if s.now().Before(r.ClosesAt) {
			return WinnerList{}, Errorf(CodeRoundNotClosed, "round %d closes at %s", r.ID, r.ClosesAt.Format(time.RFC3339))
		}
		return s.compute(ctx, r)
	})
}

// ContestantResult returns one contestant's line in a closed round, read
// alone: once the round is locked, their stored row with its rank and
// prize; before, their best submitted attempt, with neither rank nor prize
// (both depend on everyone's attempts and are only certain at the lock).
// Attempts with the same score show the same figures, so the best is
// chosen by the rules without the prediction, whose actual count needs
// every attempt. A contestant with no submitted attempt has no result.
func (s *Results) ContestantResult(ctx context.Context, roundID, userID int64) (Round, Winner, error) {
	r, err := s.store.Round(ctx, roundID)
	if err != nil {
		return Round{}, Winner{}, err
	}
	if r.LockedAt != nil {
		w, err := s.store.LockedEntry(ctx, r.ID, userID)
		return r, w, err
	}
	if s.now().Before(r.ClosesAt) {
		return r, Winner{}, Errorf(CodeRoundNotClosed, "round %d closes at %s", r.ID, r.ClosesAt.Format(time.RFC3339))
	}
	rows, err := s.store.ContenderAttempts(ctx, r.ID, userID)
	if err != nil {
		return r, Winner{}, err
	}
	if len(rows) == 0 {
		return r, Winner{}, NotFound("result")
	}
	best := rows[0]
	for _, c := range rows[1:] {
		if d := Compare(c.Result, best.Result, nil); d < 0 || d == 0 && c.AttemptID < best.AttemptID {
			best = c
		}
	}
	return r, winnerOf(best), nil
}

// PublishedResults returns what anyone may see of a locked round's
// results, read from the stored list's prize rows alone and kept for the
// state of the round's data: the prize winners with their rank, prize,
// name and unit, the units with a group prize, the number of contestants
// and the prediction's actual count. CodeNotLocked before the lock. The
// list is shared: read it, never change it.
func (s *Results) PublishedResults(ctx context.Context, roundID int64) (WinnerList, error) {
	version, err := s.store.RankingVersion(ctx, roundID)
	if err != nil {
		return WinnerList{}, err
	}
	return s.published.get(ctx, roundID, version, func(ctx context.Context) (WinnerList, error) {
		r, err := s.store.FreshRound(ctx, roundID)
		if err != nil {
			return WinnerList{}, err
		}
		if r.LockedAt == nil {
			return WinnerList{}, Errorf(CodeNotLocked, "round %d has no official results yet", roundID)
		}
		l := WinnerList{Round: r, Locked: true, LockedAt: r.LockedAt, Actual: r.Actual}
		if err := s.store.PublishedResults(ctx, &l); err != nil {
			return WinnerList{}, err
		}
		return l, nil
	})
}

// RoundReport is a round's statistics (quiz.RoundReport) from the kept
// figures. Once the round has closed its tables no longer depend on the
// time, so the report itself is kept for the state of the round's data,
// and its time is when it was made. The report is shared: read it, never
// change it.
func (s *Results) RoundReport(ctx context.Context, r Round, provinces []Province, loc *time.Location) (Report, error) {
	now := s.now()
	if now.Before(r.ClosesAt) {
		return RoundReport(ctx, s, r, provinces, loc, now)
	}
	version, err := s.store.RankingVersion(ctx, r.ID)
	if err != nil {
		return Report{}, err
	}
	return s.reports.get(ctx, r.ID, version, func(ctx context.Context) (Report, error) {
		fresh, err := s.store.FreshRound(ctx, r.ID) // r may be a moment old; the version is not
		if err != nil {
			return Report{}, err
		}
		return RoundReport(ctx, s, fresh, provinces, loc, now)
	})
}

// ReportFigures reads a round's statistics figures, computed once for each
// state of the round's data and kept like its ranking. The figures are
// shared: read them, never change them.
func (s *Results) ReportFigures(ctx context.Context, roundID int64, utcOffset time.Duration) (ReportFigures, error) {
	version, err := s.store.RankingVersion(ctx, roundID)
	if err != nil {
		return ReportFigures{}, err
	}
	return s.figures.get(ctx, figuresKey{roundID, utcOffset}, version, func(ctx context.Context) (ReportFigures, error) {
		return s.store.ReportFigures(ctx, roundID, utcOffset)
	})
}

func (s *Results) locked(ctx context.Context, r Round) (WinnerList, error) {
	l := WinnerList{Round: r, Locked: true, LockedAt: r.LockedAt, Actual: r.Actual}
	if err := s.store.LockedList(ctx, &l); err != nil {
		return WinnerList{}, err
	}
	if err := s.claimedIdentities(ctx, &l); err != nil {
		return WinnerList{}, err
	}
	if u, err := s.store.User(ctx, r.LockedBy); err == nil {
		l.LockedBy = StaffName(u)
	}
	l.Stats.Participants = len(l.Entries)
	for _, w := range l.Entries {
		if w.Total > 0 && w.Correct == w.Total {
			l.Stats.PerfectScorers++
		}
	}
	_, submitted, err := s.store.RoundCounts(ctx, r.ID)
	if err != nil {
		return WinnerList{}, err
	}
	l.Stats.Attempts = submitted
	return l, nil
}

// Identity is the CCCD and birth date of an account.
type Identity struct {
	IDNumber  string
	BirthDate string
}

// claimedIdentities completes a locked list's prize winners whose CCCD or
// birth date was missing at the lock with what their account holds now:
// a contest may ask them only from winners, who give them when they claim
// the prize, after the lock. Rank, prize and every other field stay as
// locked; the row says where its identity came from.
func (s *Results) claimedIdentities(ctx context.Context, l *WinnerList) error {
	var missing []int64
	for _, w := range l.Entries {
		if w.PrizeTier > 0 && w.UserID != 0 && w.HasFlag(FlagMissingIdentity) {
			missing = append(missing, w.UserID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ids, err := s.store.Identities(ctx, missing)
	if err != nil {
		return err
	}
	for i := range l.Entries {
		w := &l.Entries[i]
		id, ok := ids[w.UserID]
		if !ok || !w.HasFlag(FlagMissingIdentity) {
			continue
		}
		if w.IDNumber == "" {
			w.IDNumber = id.IDNumber
		}
		if w.BirthDate == "" {
			w.BirthDate = id.BirthDate
		}
		if w.IDNumber != "" && w.BirthDate != "" {
			w.Flags = slices.DeleteFunc(slices.Clone(w.Flags), func(f string) bool { return f == FlagMissingIdentity })
			w.addFlag(FlagIdentityAfterLock)
		}
	}
	return nil
}

// compute ranks the round's attempts as they are now.
func (s *Results) compute(ctx context.Context, r Round) (WinnerList, error) {
	rows, err := s.store.RoundContenders(ctx, r.ID)
	if err != nil {
		return WinnerList{}, err
	}
	target := ""
	if r.AsksPrediction() {
		target = r.PredictionTarget
	}
	l := WinnerList{Round: r}
	l.Entries, l.Stats, l.Actual = Rank(rows, target)
	rules := PrizeRules{Tiers: r.Prizes, CapPercent: r.PrizeCapPercent}
	if r.ContestOnePrize {
		if rules.Held, err = s.store.HeldPrizes(ctx, r.ContestID, r.ID); err != nil {
			return WinnerList{}, err
		}
	}
	AllocatePrizes(l.Entries, rules)
	members, err := s.store.UnitMembers(ctx)
	if err != nil {
		return WinnerList{}, err
	}
	l.Units = RankUnits(l.Entries, members, r.UnitPrizes)
	return l, nil
}

// Lock freezes a closed round's ranking and prizes as they are now, and
// returns the list as locked: from then on Winners returns the stored
// list, whatever happens to the accounts or the attempts. The round must
// have closed and every attempt must have been scored (an attempt running
// at the close is submitted at its deadline plus the grace).
func (s *Results) Lock(ctx context.Context, roundID int64, by User, ip string) (WinnerList, error) {
	r, err := s.store.Round(ctx, roundID)
	if err != nil {
		return WinnerList{}, err
	}
	if r.LockedAt != nil {
		return WinnerList{}, Errorf(CodeAlreadyLocked, "round %d was locked at %s", r.ID, r.LockedAt.Format(time.RFC3339))
	}
	now := s.now()
	if now.Before(r.ClosesAt) {
		return WinnerList{}, Errorf(CodeRoundNotClosed, "round %d closes at %s", r.ID, r.ClosesAt.Format(time.RFC3339))
	}
	started, submitted, err := s.store.RoundCounts(ctx, r.ID)
	if err != nil {
		return WinnerList{}, err
	}
	if started > submitted {
		return WinnerList{}, Errorf(CodeRoundNotClosed, "%d attempts of round %d are still being scored; try again in a few seconds", started-submitted, r.ID)
	}
	l, err := s.compute(ctx, r)
	if err != nil {
		return WinnerList{}, err
	}
	e := AuditEntry{At: now, UserID: by.ID, Actor: StaffName(by), Action: AuditLock, RoundID: r.ID, IP: ip,
		Detail: lockDetail(l)}
	if err := s.store.LockRound(ctx, l, by.ID, e); err != nil {
		return WinnerList{}, err
	}
	notify(s.notifier, Event{Kind: RoundChanged, RoundID: r.ID})
	// The list stored is l itself; reading it back would give it again.
	at := time.UnixMilli(e.At.UnixMilli()).UTC() // as stored, to the millisecond
	l.Locked, l.LockedAt, l.LockedBy = true, &at, e.Actor
	l.Round.LockedAt, l.Round.LockedBy, l.Round.Actual = &at, by.ID, l.Actual
	return l, nil
}

func lockDetail(l WinnerList) string {
	d := fmt.Sprintf("contestants=%d prizes=%d", l.Stats.Participants, len(l.Winners()))
	if l.Actual != nil {
		d += fmt.Sprintf(" actual=%d", *l.Actual)
	}
	return d
}

// Unlock removes a round's lock so that its ranking is computed again. Only
// an admin may, and the reason is kept in the audit log.
func (s *Results) Unlock(ctx context.Context, roundID int64, by User, reason, ip string) error {
	reason = CleanText(reason)
	bad := FieldErrors{}
	if reason == "" {
		bad.Add("reason", MsgRequired)
	}
	checkLen(bad, "reason", reason, 1000)
	if err := bad.Err(); err != nil {
		return err
	}
	r, err := s.store.Round(ctx, roundID)
	if err != nil {
		return err
	}
	if r.LockedAt == nil {
		return Errorf(CodeNotLocked, "round %d is not locked", r.ID)
	}
	if err := s.store.UnlockRound(ctx, r.ID, AuditEntry{
		At: s.now(), UserID: by.ID, Actor: StaffName(by), Action: AuditUnlock, RoundID: r.ID, Detail: reason, IP: ip}); err != nil {
		return err
	}
	notify(s.notifier, Event{Kind: RoundChanged, RoundID: r.ID})
	return nil
}

// UnitMembers returns the size of each unit the organizer gave one.
func (s *Results) UnitMembers(ctx context.Context) (map[string]int, error) {
	return s.store.UnitMembers(ctx)
}

// SetUnitMembers sets the sizes of units on the list, matched as
// registration matches them (case and diacritics loosely); a size for a
// unit not on the list is refused.
func (s *Results) SetUnitMembers(ctx context.Context, units []string, members map[string]int) error {
	clean, err := unitMembers(units, members)
	if err != nil {
		return err
	}
	return s.store.SetUnitMembers(ctx, clean)
}

// CheckUnitMembers checks sizes against a units list without storing them.
func (s *Results) CheckUnitMembers(units []string, members map[string]int) error {
	_, err := unitMembers(units, members)
	return err
}

func unitMembers(units []string, members map[string]int) (map[string]int, error) {
	clean := map[string]int{}
	for name, n := range members {
		u, err := matchUnit(units, Clean(name))
		if err != nil || len(units) == 0 {
			return nil, &Error{Code: CodeValidation, Message: "size of a unit not on the list: " + name,
				Fields: map[string]string{"members": MsgUnitUnknown}}
		}
		if n < 0 || n > 10_000_000 {
			return nil, &Error{Code: CodeValidation, Message: "unit size out of range",
				Fields: map[string]string{"members": MsgOutOfRange}}
		}
		clean[u] = n
	}
	return clean, nil
}

// StaffName names an account in the audit log and on locked lists: its
// full name and login, as StaffLabel writes them.
func StaffName(u User) string {
	login := u.Email
	if login == "" {
		login = u.Phone
	}
	return StaffLabel(u.FullName, login)
}
