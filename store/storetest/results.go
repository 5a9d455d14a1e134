package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// ResultsStore is what the results contract tests use of a store: the
// locked rankings, the figures of statistics and the ranking version,
// with Store and SetUnits and DeleteAccount to set them up. (It is not
// quiz.ResultsStore: RoundCounts is tested elsewhere.)
type ResultsStore interface {
	Store
	quiz.ReportStore
	SetUnits(ctx context.Context, names []string) error
	DeleteAccount(ctx context.Context, userID int64, at time.Time, audit func(quiz.Deletion) quiz.AuditEntry) (quiz.Deletion, error)

	FreshRound(ctx context.Context, id int64) (quiz.Round, error)
	RankingVersion(ctx context.Context, roundID int64) (quiz.RankingVersion, error)
	ContenderAttempts(ctx context.Context, roundID, userID int64) ([]quiz.Contender, error)
	HeldPrizes(ctx context.Context, contestID, exceptRound int64) (map[int64]quiz.HeldPrize, error)
	UnitMembers(ctx context.Context) (map[string]int, error)
	SetUnitMembers(ctx context.Context, members map[string]int) error
	LockRound(ctx context.Context, l quiz.WinnerList, by int64, e quiz.AuditEntry) error
	UnlockRound(ctx context.Context, roundID int64, e quiz.AuditEntry) error
	LockedList(ctx context.Context, l *quiz.WinnerList) error
	Identities(ctx context.Context, userIDs []int64) (map[int64]quiz.Identity, error)
	LockedEntry(ctx context.Context, roundID, userID int64) (quiz.Winner, error)
	PublishedResults(ctx context.Context, l *quiz.WinnerList) error
	QuestionStats(ctx context.Context, roundID int64) ([]quiz.QuestionStats, error)
	SubmissionTimes(ctx context.Context, roundID int64) ([]time.Time, error)
}

// RunResults runs the results contract tests against the stores open
// opens.
func RunResults(t *testing.T, open func(t *testing.T) ResultsStore) {
	t.Run("locking a round", func(t *testing.T) { testResultsLock(t, open) })
	t.Run("unlocking a round", func(t *testing.T) { testResultsUnlock(t, open) })
	t.Run("reading a locked round", func(t *testing.T) { testLockedReads(t, open) })
	t.Run("prizes held in other rounds", func(t *testing.T) { testHeldPrizes(t, open) })
	t.Run("unit sizes", func(t *testing.T) { testUnitMembers(t, open) })
	t.Run("identities", func(t *testing.T) { testIdentities(t, open) })
	t.Run("a contestant's attempts", func(t *testing.T) { testContenderAttempts(t, open) })
	t.Run("the ranking version", func(t *testing.T) { testRankingVersion(t, open) })
	t.Run("report figures", func(t *testing.T) { RunReportFigures(t, open) })
	t.Run("live statistics", func(t *testing.T) { testLiveStatistics(t, open) })
}

// resultsRound is a round set up by newRound, with the store as a
// ResultsStore and an official who locks.
type resultsRound struct {
	round
	s        ResultsStore
	official int64
}

func newResultsRound(t *testing.T, open func(t *testing.T) ResultsStore, users int) resultsRound {
	t.Helper()
	var s ResultsStore
	f := newRound(t, func(t *testing.T) Store { s = open(t); return s }, 0, users)
	official, err := s.CreateUser(context.Background(), quiz.User{Role: quiz.RoleOfficial, FullName: "Trần Thị Cán Bộ",
		Phone: "0988000000", CreatedAt: time.Now().UTC()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	return resultsRound{round: f, s: s, official: official.ID}
}

// addRound adds a round to the fixture's contest (or to contestID when
// not 0), opening at opens.
func (f resultsRound) addRound(t *testing.T, name string, contestID int64, opens time.Time) quiz.Round {
	t.Helper()
	if contestID == 0 {
		contestID = f.round.round.ContestID
	}
	r, err := f.s.CreateRound(context.Background(), quiz.Round{ContestID: contestID, Name: name, BankID: f.bankID,
		OpensAt: opens, ClosesAt: opens.Add(time.Hour), DurationSeconds: 600, QuestionCount: drawnPerAttempt,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// resultsLockedAt is when the tests lock rounds: its nanoseconds are lost in
// storage, which keeps milliseconds.
var resultsLockedAt = time.Date(2026, 12, 8, 9, 30, 0, 123456789, time.UTC)

func (f resultsRound) audit(action string, roundID int64) quiz.AuditEntry {
	return quiz.AuditEntry{At: resultsLockedAt, UserID: f.official, Actor: "Trần Thị Cán Bộ", Action: action, RoundID: roundID,
		Detail: "kiểm tra", IP: "203.0.113.7"}
}

func (f resultsRound) lock(l quiz.WinnerList) error {
	return f.s.LockRound(context.Background(), l, f.official, f.audit(quiz.AuditLock, l.Round.ID))
}

func (f resultsRound) unlock(roundID int64) error {
	return f.s.UnlockRound(context.Background(), roundID, f.audit(quiz.AuditUnlock, roundID))
}

func resultsInt(n int) *int { return &n }

// list is a winners list of the fixture's contestants for round r: two
// tied first prizes, a row without prize or prediction, and units with
// and without a prize. Its times carry nanoseconds, which storage drops.
func (f resultsRound) list(r quiz.Round) quiz.WinnerList {
	at := time.Date(2026, 12, 1, 8, 0, 0, 987654321, time.UTC)
	l := quiz.WinnerList{Round: r, Actual: resultsInt(42)}
	for i, u := range f.users {
		w := quiz.Winner{Rank: i + 1, UserID: u.ID, AttemptID: int64(1000 + i), FullName: u.FullName,
			BirthDate: "1990-05-1" + fmt.Sprint(i), IDNumber: fmt.Sprintf("00109001234%d", i), Phone: u.Phone,
			Unit: u.Unit, Province: "01", Commune: "Phường Ba Đình", Score: 20 - 2*i, Correct: 10 - i, Total: 10,
			Prediction: resultsInt(40 + i), PredictionError: resultsInt(2 - i), DurationMs: int64(60000 + i),
			StartedAt: at, SubmittedAt: at.Add(time.Duration(i+1) * time.Minute)}
		switch i {
		case 0, 1:
			w.Rank, w.PrizeTier, w.Prize = 1, 1, "Giải Nhất"
			w.Flags, w.Note = []string{quiz.FlagTie, quiz.FlagSharedPhone}, "Cùng điểm, cùng thời gian"
		case 2:
			w.PrizeTier, w.Prize = 2, "Giải Nhì"
			w.Prediction, w.PredictionError = nil, nil
		}
		l.Entries = append(l.Entries, w)
	}
	l.Units = []quiz.UnitStanding{
		{Unit: "Xã Tân Lập", Participants: len(f.users) - 1, Members: 40, Rank: 1, ShareRank: 1, Prize: "Giải tập thể"},
		{Unit: "Phường Ba Đình", Participants: 1, Rank: 2},
		{Unit: "Xã Yên Hòa", Participants: 1, Members: 5, Rank: 2, ShareRank: 2, Prize: "Giải khuyến khích"},
	}
	return l
}

// resultsStored is what reading back a stored list gives: times to the
// millisecond.
func resultsStored(entries []quiz.Winner) []quiz.Winner {
	out := slices.Clone(entries)
	for i := range out {
		out[i].StartedAt = out[i].StartedAt.Truncate(time.Millisecond)
		out[i].SubmittedAt = out[i].SubmittedAt.Truncate(time.Millisecond)
	}
	return out
}

// lockedList reads a round's stored list, failing the test on an error.
func (f resultsRound) lockedList(t *testing.T, r quiz.Round) quiz.WinnerList {
	t.Helper()
	l := quiz.WinnerList{Round: r}
	if err := f.s.LockedList(context.Background(), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func (f resultsRound) fresh(t *testing.T, id int64) quiz.Round {
	t.Helper()
	r, err := f.s.FreshRound(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantResultsList fails the test unless got holds want's rows and units as
// storage keeps them.
func wantResultsList(t *testing.T, got, want quiz.WinnerList) {
	t.Helper()
	if !reflect.DeepEqual(got.Entries, resultsStored(want.Entries)) {
		t.Errorf("rows:\n got %+v\nwant %+v", got.Entries, resultsStored(want.Entries))
	}
	if !reflect.DeepEqual(got.Units, want.Units) {
		t.Errorf("units: got %+v, want %+v", got.Units, want.Units)
	}
}

// resultsAtOnce runs n calls of fn at once and returns their errors.
func resultsAtOnce(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// resultsOneWins fails the test unless exactly one of errs is nil and every
// other carries the code refused.
func resultsOneWins(t *testing.T, errs []error, refused string) {
	t.Helper()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case quiz.ErrorCode(err) != refused:
			t.Errorf("got error %v (code %q), want code %q", err, quiz.ErrorCode(err), refused)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d calls succeeded, want exactly 1", won, len(errs))
	}
}

func testResultsLock(t *testing.T, open func(t *testing.T) ResultsStore) {
	t.Run("stores the list in order and marks the round locked by the official", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		l := f.list(f.round.round)
		if err := f.lock(l); err != nil {
			t.Fatal(err)
		}
		r := f.fresh(t, f.round.round.ID)
		if r.LockedAt == nil || !r.LockedAt.Equal(resultsLockedAt.Truncate(time.Millisecond)) || r.LockedBy != f.official {
			t.Errorf("round locked at %v by %d, want %v by %d", r.LockedAt, r.LockedBy, resultsLockedAt, f.official)
		}
		if r.Actual == nil || *r.Actual != 42 {
			t.Errorf("actual count %v, want 42", r.Actual)
		}
		wantResultsList(t, f.lockedList(t, r), l)
	})

	t.Run("refuses a round locked already and keeps the first list", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		first := f.list(f.round.round)
		if err := f.lock(first); err != nil {
			t.Fatal(err)
		}
		second := f.list(f.round.round)
		second.Entries, second.Units = second.Entries[:1], nil
		wantCode(t, f.lock(second), quiz.CodeAlreadyLocked)
		wantResultsList(t, f.lockedList(t, f.round.round), first)
	})

	t.Run("refuses a round that does not exist", func(t *testing.T) {
		f := newResultsRound(t, open, 1)
		missing := f.round.round
		missing.ID += 1000
		wantCode(t, f.lock(f.list(missing)), quiz.CodeNotFound)
	})

	t.Run("stores nothing when it fails part way", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		l := f.list(f.round.round)
		// The rows go in before the round is marked, which refers to the
		// official's account: a missing account fails the lock after them.
		err := f.s.LockRound(context.Background(), l, f.official+1000, f.audit(quiz.AuditLock, l.Round.ID))
		if err == nil {
			t.Fatal("a lock by a missing account succeeded, want it refused")
		}
		if r := f.fresh(t, l.Round.ID); r.LockedAt != nil {
			t.Errorf("the round is locked at %v, want it not locked", r.LockedAt)
		}
		if got := f.lockedList(t, l.Round); len(got.Entries) != 0 || len(got.Units) != 0 {
			t.Errorf("%d rows and %d units stored, want none", len(got.Entries), len(got.Units))
		}
		if err := f.lock(l); err != nil {
			t.Fatalf("lock after the failed one: %v", err)
		}
		wantResultsList(t, f.lockedList(t, l.Round), l)
	})

	t.Run("of several locks at once exactly one is stored", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		l := f.list(f.round.round)
		resultsOneWins(t, resultsAtOnce(6, func() error { return f.lock(l) }), quiz.CodeAlreadyLocked)
		wantResultsList(t, f.lockedList(t, l.Round), l)
	})
}

func testResultsUnlock(t *testing.T, open func(t *testing.T) ResultsStore) {
	t.Run("removes the stored list and the lock", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		l := f.list(f.round.round)
		if err := f.lock(l); err != nil {
			t.Fatal(err)
		}
		if err := f.unlock(l.Round.ID); err != nil {
			t.Fatal(err)
		}
		r := f.fresh(t, l.Round.ID)
		if r.LockedAt != nil || r.LockedBy != 0 || r.Actual != nil {
			t.Errorf("round locked at %v by %d with actual %v, want no lock", r.LockedAt, r.LockedBy, r.Actual)
		}
		if got := f.lockedList(t, r); len(got.Entries) != 0 || len(got.Units) != 0 {
			t.Errorf("%d rows and %d units left, want none", len(got.Entries), len(got.Units))
		}
		_, err := f.s.LockedEntry(context.Background(), r.ID, f.users[0].ID)
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("lets the round be locked again with another list", func(t *testing.T) {
		f := newResultsRound(t, open, 4)
		if err := f.lock(f.list(f.round.round)); err != nil {
			t.Fatal(err)
		}
		if err := f.unlock(f.round.round.ID); err != nil {
			t.Fatal(err)
		}
		again := f.list(f.round.round)
		again.Entries = again.Entries[1:]
		if err := f.lock(again); err != nil {
			t.Fatal(err)
		}
		wantResultsList(t, f.lockedList(t, again.Round), again)
	})

	t.Run("refuses a round not locked", func(t *testing.T) {
		f := newResultsRound(t, open, 1)
		wantCode(t, f.unlock(f.round.round.ID), quiz.CodeNotLocked)
	})

	t.Run("refuses a round that does not exist", func(t *testing.T) {
		f := newResultsRound(t, open, 1)
		wantCode(t, f.unlock(f.round.round.ID+1000), quiz.CodeNotFound)
	})

	t.Run("of several unlocks at once exactly one succeeds", func(t *testing.T) {
		f := newResultsRound(t, open, 2)
		if err := f.lock(f.list(f.round.round)); err != nil {
			t.Fatal(err)
		}
		resultsOneWins(t, resultsAtOnce(6, func() error { return f.unlock(f.round.round.ID) }), quiz.CodeNotLocked)
	})
}

func testLockedReads(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 5)
	ctx := context.Background()
	l := f.list(f.round.round)
	if err := f.lock(l); err != nil {
		t.Fatal(err)
	}

	t.Run("the locked list replaces the rows it is given", func(t *testing.T) {
		got := quiz.WinnerList{Round: l.Round, Entries: []quiz.Winner{{FullName: "cũ"}}}
		if err := f.s.LockedList(ctx, &got); err != nil {
			t.Fatal(err)
		}
		wantResultsList(t, got, l)
	})

	t.Run("a contestant's row is read with their data", func(t *testing.T) {
		got, err := f.s.LockedEntry(ctx, l.Round.ID, f.users[3].ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := resultsStored(l.Entries)[3]; !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})

	t.Run("someone without a row, or another round, is not found", func(t *testing.T) {
		_, err := f.s.LockedEntry(ctx, l.Round.ID, f.official)
		wantCode(t, err, quiz.CodeNotFound)
		_, err = f.s.LockedEntry(ctx, l.Round.ID+1000, f.users[0].ID)
		wantCode(t, err, quiz.CodeNotFound)
	})

	t.Run("published results are the prize rows with name and unit only", func(t *testing.T) {
		p := quiz.WinnerList{Round: l.Round, Entries: []quiz.Winner{{FullName: "cũ"}}}
		if err := f.s.PublishedResults(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if p.Stats.Participants != len(l.Entries) {
			t.Errorf("contestants %d, want %d", p.Stats.Participants, len(l.Entries))
		}
		var want []quiz.Winner
		for _, w := range l.Entries[:3] {
			want = append(want, quiz.Winner{Rank: w.Rank, PrizeTier: w.PrizeTier, Prize: w.Prize, UserID: w.UserID,
				FullName: w.FullName, Unit: w.Unit})
		}
		if !reflect.DeepEqual(p.Entries, want) {
			t.Errorf("rows:\n got %+v\nwant %+v", p.Entries, want)
		}
		if wantUnits := []quiz.UnitStanding{l.Units[0], l.Units[2]}; !reflect.DeepEqual(p.Units, wantUnits) {
			t.Errorf("units: got %+v, want the two with a prize %+v", p.Units, wantUnits)
		}
	})

	t.Run("a round without a stored list publishes nothing", func(t *testing.T) {
		other := f.addRound(t, "Tuần 2", 0, time.Now().UTC())
		p := quiz.WinnerList{Round: other}
		if err := f.s.PublishedResults(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if p.Stats.Participants != 0 || len(p.Entries) != 0 || len(p.Units) != 0 {
			t.Errorf("got %d contestants, %d rows, %d units; want none", p.Stats.Participants, len(p.Entries), len(p.Units))
		}
	})
}

func testHeldPrizes(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 4)
	ctx := context.Background()
	now := time.Now().UTC()
	// prizes locks round r with one row per prize: user index → tier.
	prizes := func(r quiz.Round, tiers map[int]int) {
		t.Helper()
		l := quiz.WinnerList{Round: r}
		for i, u := range f.users {
			tier, ok := tiers[i]
			if !ok {
				continue
			}
			w := quiz.Winner{Rank: len(l.Entries) + 1, PrizeTier: tier, UserID: u.ID, AttemptID: int64(i + 1),
				FullName: u.FullName, StartedAt: now, SubmittedAt: now}
			if tier > 0 {
				w.Prize = fmt.Sprintf("Giải %d của %s", tier, r.Name)
			}
			l.Entries = append(l.Entries, w)
		}
		if err := f.lock(l); err != nil {
			t.Fatal(err)
		}
	}
	early := f.addRound(t, "Tuần 0", 0, now.Add(-3*time.Hour))
	late := f.addRound(t, "Tuần 2", 0, now.Add(time.Hour))
	contest, err := f.s.CreateContest(ctx, quiz.Contest{Slug: "khac", Title: "Hội thi khác", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := f.addRound(t, "Vòng khác", contest.ID, now.Add(-4*time.Hour))
	prizes(early, map[int]int{0: 2, 1: 1, 2: 0})
	prizes(late, map[int]int{0: 2, 3: 3})
	prizes(f.round.round, map[int]int{0: 1})
	prizes(elsewhere, map[int]int{2: 1})
	unlocked := f.addRound(t, "Tuần 3", 0, now.Add(2*time.Hour))
	prizes(unlocked, map[int]int{3: 1})
	if err := f.unlock(unlocked.ID); err != nil {
		t.Fatal(err)
	}

	held := func(tier int, from quiz.Round) quiz.HeldPrize {
		return quiz.HeldPrize{Tier: tier, Prize: fmt.Sprintf("Giải %d của %s", tier, from.Name), RoundID: from.ID,
			RoundName: from.Name}
	}
	check := func(t *testing.T, except quiz.Round, want map[int64]quiz.HeldPrize) {
		t.Helper()
		got, err := f.s.HeldPrizes(ctx, except.ContestID, except.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
	}
	u := func(i int) int64 { return f.users[i].ID }

	t.Run("the highest prize of each person, the earlier round's between equal ones", func(t *testing.T) {
		check(t, f.round.round, map[int64]quiz.HeldPrize{
			u(0): held(2, early), u(1): held(1, early), u(3): held(3, late)})
	})
	t.Run("leaves out the round asked about, rows without a prize, other contests and unlocked rounds", func(t *testing.T) {
		check(t, early, map[int64]quiz.HeldPrize{
			u(0): held(1, f.round.round), u(3): held(3, late)})
	})
}

func testUnitMembers(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 1)
	ctx := context.Background()
	members := func(t *testing.T) map[string]int {
		t.Helper()
		got, err := f.s.UnitMembers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := members(t); len(got) != 0 {
		t.Errorf("without units: %v, want none", got)
	}
	if err := f.s.SetUnits(ctx, []string{"Sở Tư pháp", "Xã Tân Lập", "Phường Ba Đình"}); err != nil {
		t.Fatal(err)
	}

	t.Run("stores the sizes of units and leaves out names that are not units", func(t *testing.T) {
		if err := f.s.SetUnitMembers(ctx, map[string]int{"Sở Tư pháp": 40, "Xã Tân Lập": 12, "Xã Không Có": 5}); err != nil {
			t.Fatal(err)
		}
		if got, want := members(t), map[string]int{"Sở Tư pháp": 40, "Xã Tân Lập": 12}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	t.Run("clears the units not given", func(t *testing.T) {
		if err := f.s.SetUnitMembers(ctx, map[string]int{"Phường Ba Đình": 7, "Sở Tư pháp": 0}); err != nil {
			t.Fatal(err)
		}
		if got, want := members(t), map[string]int{"Phường Ba Đình": 7}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	t.Run("refuses a negative size and keeps the sizes", func(t *testing.T) {
		if err := f.s.SetUnitMembers(ctx, map[string]int{"Sở Tư pháp": 3, "Xã Tân Lập": -1}); err == nil {
			t.Error("a negative size was taken, want an error")
		}
		if got, want := members(t), map[string]int{"Phường Ba Đình": 7}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

func testIdentities(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 0)
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		u, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: fmt.Sprintf("Lê Văn %d", i),
			Phone: fmt.Sprintf("09770000%02d", i), IDNumber: fmt.Sprintf("00109001234%d", i),
			BirthDate: fmt.Sprintf("1990-01-0%d", i+1), CreatedAt: time.Now().UTC()}, "hash", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if _, err := f.s.DeleteAccount(ctx, ids[1], time.Now().UTC(), func(quiz.Deletion) quiz.AuditEntry {
		return quiz.AuditEntry{At: time.Now().UTC(), Action: quiz.AuditDeleteAccount}
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("reads live accounts and leaves out deleted and missing ones", func(t *testing.T) {
		got, err := f.s.Identities(ctx, []int64{ids[0], ids[1], ids[2], ids[2] + 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]quiz.Identity{
			ids[0]: {IDNumber: "001090012340", BirthDate: "1990-01-01"},
			ids[2]: {IDNumber: "001090012342", BirthDate: "1990-01-03"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("reads nothing for no accounts", func(t *testing.T) {
		got, err := f.s.Identities(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v (err %v), want nothing", got, err)
		}
	})
}

func testContenderAttempts(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 2)
	ctx := context.Background()
	now := time.Now().UTC()
	var submitted []int64
	for i := range 2 {
		a := f.mustStart(t, 0, now.Add(time.Duration(i)*time.Minute))
		if _, err := f.submit(a.ID, now.Add(time.Duration(i)*time.Minute+time.Second)); err != nil {
			t.Fatal(err)
		}
		submitted = append(submitted, a.ID)
	}
	f.mustStart(t, 0, now.Add(5*time.Minute)) // running: not counted
	other := f.mustStart(t, 1, now)
	if _, err := f.submit(other.ID, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}

	t.Run("are the contestant's submitted attempts, in the order they were made, with their data", func(t *testing.T) {
		got, err := f.s.ContenderAttempts(ctx, f.round.round.ID, f.users[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.AttemptID)
			u := f.users[0]
			if c.UserID != u.ID || c.Name != u.FullName || c.Phone != u.Phone || c.Unit != u.Unit || c.Total != drawnPerAttempt {
				t.Errorf("row %+v, want the data of %+v", c, u)
			}
		}
		if !slices.Equal(ids, submitted) {
			t.Errorf("attempts %v, want %v", ids, submitted)
		}
	})
	t.Run("are none for a contestant without one, or in another round", func(t *testing.T) {
		for _, c := range []struct{ round, user int64 }{{f.round.round.ID, f.official}, {f.round.round.ID + 1000, f.users[0].ID}} {
			got, err := f.s.ContenderAttempts(ctx, c.round, c.user)
			if err != nil || len(got) != 0 {
				t.Errorf("round %d, user %d: got %+v (err %v), want none", c.round, c.user, got, err)
			}
		}
	})
}

func testRankingVersion(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 2)
	ctx := context.Background()
	now := time.Now().UTC()
	other := f.addRound(t, "Tuần 2", 0, now.Add(-time.Hour))
	version := func(t *testing.T) quiz.RankingVersion {
		t.Helper()
		v, err := f.s.RankingVersion(ctx, f.round.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version(t); v.Round != 0 || v.All < 1 {
		t.Errorf("a new round's version is %+v, want its own counter 0 and every round's at least 1", v)
	}
	if err := f.s.SetUnits(ctx, []string{"Sở Tư pháp"}); err != nil {
		t.Fatal(err)
	}
	submitIn := func(t *testing.T, roundID int64) {
		t.Helper()
		drawn, seed := f.draw(t, 9)
		a, _, err := f.s.StartAttempt(ctx, quiz.NewAttempt{RoundID: roundID, UserID: f.users[1].ID, Seed: seed,
			StartedAt: now, Deadline: now.Add(time.Minute), Questions: drawn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.submit(a.ID, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	changes := []struct {
		name      string
		change    func(t *testing.T)
		all, self bool // which counter grows; the other stays
	}{
		{"a submission in the round", func(t *testing.T) { submitIn(t, f.round.round.ID) }, false, true},
		{"unit sizes", func(t *testing.T) {
			if err := f.s.SetUnitMembers(ctx, map[string]int{"Sở Tư pháp": 40}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"another round locked (one prize per person)", func(t *testing.T) {
			if err := f.lock(f.list(other)); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"another round unlocked", func(t *testing.T) {
			if err := f.unlock(other.ID); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"the round locked", func(t *testing.T) {
			if err := f.lock(f.list(f.round.round)); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"the round unlocked", func(t *testing.T) {
			if err := f.unlock(f.round.round.ID); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"an account deleted", func(t *testing.T) {
			at := time.Now()
			if _, err := f.s.DeleteAccount(ctx, f.users[0].ID, at, func(quiz.Deletion) quiz.AuditEntry {
				return quiz.AuditEntry{At: at, Action: quiz.AuditDeleteAccount}
			}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
	}
	for _, c := range changes {
		t.Run("moves with "+c.name, func(t *testing.T) {
			before := version(t)
			c.change(t)
			after := version(t)
			if grew := after.All > before.All; grew != c.all || after.All < before.All {
				t.Errorf("every round's counter: %d then %d, want it to grow: %v", before.All, after.All, c.all)
			}
			if grew := after.Round > before.Round; grew != c.self || after.Round < before.Round {
				t.Errorf("the round's counter: %d then %d, want it to grow: %v", before.Round, after.Round, c.self)
			}
		})
	}
	t.Run("stays with another round's submissions", func(t *testing.T) {
		before := version(t)
		submitIn(t, other.ID)
		if after := version(t); after != before {
			t.Errorf("version %+v then %+v, want it unchanged", before, after)
		}
	})
	t.Run("stays with a refused lock", func(t *testing.T) {
		if err := f.lock(f.list(other)); err != nil {
			t.Fatal(err)
		}
		before := version(t)
		wantCode(t, f.lock(f.list(other)), quiz.CodeAlreadyLocked)
		if after := version(t); after != before {
			t.Errorf("version %+v then %+v, want it unchanged", before, after)
		}
	})
}

// answerLedger keeps what a test stored of a round's attempts, to count what
// the statistics must find.
type answerLedger struct {
	attempts []*ledgerAttempt
}

type ledgerAttempt struct {
	id        int64
	questions []quiz.AttemptQuestion
	right     map[int64]bool // question id → the stored answer is right
	submitted time.Time
}

// start starts user's attempt at the round at time at and records it.
func (l *answerLedger) start(t *testing.T, f resultsRound, user int, at time.Time) *ledgerAttempt {
	t.Helper()
	a := f.mustStart(t, user, at)
	la := &ledgerAttempt{id: a.ID, questions: f.questions(t, a.ID), right: map[int64]bool{}}
	l.attempts = append(l.attempts, la)
	return la
}

// answer stores the first option of the attempt's question i as the
// answer, right or not as said, replacing an earlier answer.
func (a *ledgerAttempt) answer(t *testing.T, f resultsRound, i int, right bool) {
	t.Helper()
	q := a.questions[i]
	if err := f.s.SaveAnswer(context.Background(), quiz.Answer{AttemptID: a.id, QuestionID: q.ID,
		OptionIDs: []int64{q.Options[0].ID}, Correct: right, AnsweredAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	a.right[q.ID] = right
}

func (a *ledgerAttempt) submit(t *testing.T, f resultsRound, at time.Time) {
	t.Helper()
	if _, err := f.submit(a.id, at); err != nil {
		t.Fatal(err)
	}
	a.submitted = at
}

// stats counts each question drawn in the recorded attempts (the
// submitted ones only when submittedOnly), its answers and right ones, in
// bank order; with mostAnswered, the most answered first, then in bank
// order.
func (l *answerLedger) stats(pool quiz.Pool, submittedOnly, mostAnswered bool) []quiz.QuestionStats {
	byID := map[int64]*quiz.QuestionStats{}
	for _, a := range l.attempts {
		if submittedOnly && a.submitted.IsZero() {
			continue
		}
		for _, q := range a.questions {
			s := byID[q.ID]
			if s == nil {
				s = &quiz.QuestionStats{ID: q.ID, Text: q.Text}
				byID[q.ID] = s
			}
			if right, ok := a.right[q.ID]; ok {
				s.Answered++
				if right {
					s.Correct++
				}
			}
		}
	}
	var out []quiz.QuestionStats
	for _, q := range pool.Questions { // bank order
		if s := byID[q.ID]; s != nil {
			out = append(out, *s)
		}
	}
	if mostAnswered {
		slices.SortStableFunc(out, func(a, b quiz.QuestionStats) int { return b.Answered - a.Answered })
	}
	return out
}

// submissions are the recorded submission times, to the millisecond, in
// order.
func (l *answerLedger) submissions() []time.Time {
	var out []time.Time
	for _, a := range l.attempts {
		if !a.submitted.IsZero() {
			out = append(out, a.submitted.Truncate(time.Millisecond))
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// RunReportFigures runs the contract tests of ReportFigures alone, part of
// RunResults: a store may run them again on a database set up otherwise
// (another locale).
func RunReportFigures(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 1)
	ctx := context.Background()
	addUser := func(phone, province, unit, birth string) int {
		t.Helper()
		u, err := f.s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Người " + phone, Phone: phone,
			Province: province, Unit: unit, BirthDate: birth, CreatedAt: time.Now()}, "hash", nil)
		if err != nil {
			t.Fatal(err)
		}
		f.users = append(f.users, u)
		return len(f.users) - 1
	}
	// attempt gives right answers to the first right questions and a
	// wrong one after, and submits the attempt at submitted (unless zero).
	var l answerLedger
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	attempt := func(user, right int, submitted time.Time) {
		t.Helper()
		a := l.start(t, f, user, start.Add(time.Duration(len(l.attempts))*time.Hour))
		for i := range min(right+1, len(a.questions)) {
			a.answer(t, f, i, i < right)
		}
		if !submitted.IsZero() {
			a.submit(t, f, submitted)
		}
	}
	an := addUser("0911000001", "01", "Sở Tư pháp", "2000-01-01")
	binh := addUser("0911000002", "79", "Sở Tư pháp", "1960-05-05")
	// 23:30 on 1 December in Vietnam, then 00:30 and 10:00 on the 2nd.
	attempt(an, 2, time.Date(2026, 12, 1, 16, 30, 0, 0, time.UTC)) // 2 right, 1 wrong: 4 points
	attempt(an, 4, time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC)) // 4 right: 8 points
	attempt(binh, 1, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)) // 1 right, 1 wrong: 2 points
	attempt(0, 3, time.Time{})                                     // still running: counts nowhere

	check := func(t *testing.T, what string, got any, want string) {
		t.Helper()
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s: got %s, want %s", what, s, want)
		}
	}
	t.Run("count submitted attempts by day, province, unit, birth date and best score", func(t *testing.T) {
		got, err := f.s.ReportFigures(ctx, f.round.round.ID, 7*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "total", got.Total, "{2 3}")
		check(t, "days", got.Days, "[{2026-12-01 {1 1}} {2026-12-02 {2 2}}]")
		check(t, "provinces", got.Provinces, "[{01 {1 2}} {79 {1 1}}]")
		check(t, "units", got.Units, "[{Sở Tư pháp {2 3}}]")
		check(t, "birth dates", got.BirthDates, "[{1960-05-05 {1 1}} {2000-01-01 {1 2}}]")
		check(t, "best scores", got.BestScores, "map[2:1 8:1]")
		if want := l.stats(f.pool, true, false); !reflect.DeepEqual(got.Questions, want) {
			t.Errorf("questions:\n got %+v\nwant %+v (submitted attempts only, in bank order)", got.Questions, want)
		}
	})
	t.Run("at UTC the late evening falls on the day before", func(t *testing.T) {
		got, err := f.s.ReportFigures(ctx, f.round.round.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "days at UTC", got.Days, "[{2026-12-01 {1 2}} {2026-12-02 {1 1}}]")
	})
	t.Run("a round without attempts has empty figures", func(t *testing.T) {
		got, err := f.s.ReportFigures(ctx, f.round.round.ID+1000, 7*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != (quiz.Tally{}) || len(got.Days) != 0 || len(got.BestScores) != 0 || len(got.Questions) != 0 {
			t.Errorf("got %+v, want nothing", got)
		}
	})
	t.Run("keys are ordered byte by byte", func(t *testing.T) {
		// Upper case before lower case, and letters with marks after
		// both, as SQLite's BINARY collation orders them.
		for i, unit := range []string{"xã Đông", "Ấp Mới", "xã An", "Xã Bắc"} {
			attempt(addUser(fmt.Sprintf("09120000%02d", i), "", unit, ""), 0, time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC))
		}
		got, err := f.s.ReportFigures(ctx, f.round.round.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var units []string
		for _, k := range got.Units {
			units = append(units, k.Key)
		}
		if want := []string{"Sở Tư pháp", "Xã Bắc", "xã An", "xã Đông", "Ấp Mới"}; !slices.Equal(units, want) {
			t.Errorf("units %q, want %q", units, want)
		}
	})
}

func testLiveStatistics(t *testing.T, open func(t *testing.T) ResultsStore) {
	f := newResultsRound(t, open, 3)
	ctx := context.Background()
	now := time.Now().UTC()
	var l answerLedger
	a := l.start(t, f, 0, now)
	a.answer(t, f, 0, true)
	a.answer(t, f, 1, false)
	a.answer(t, f, 1, true) // replaced: one answer, right
	a.answer(t, f, 2, false)
	a.submit(t, f, now.Add(90*time.Second))
	running := l.start(t, f, 1, now)
	running.answer(t, f, 0, true)
	running.answer(t, f, 3, false)
	silent := l.start(t, f, 2, now)
	silent.submit(t, f, now.Add(30*time.Second+123456789))

	t.Run("questions count every attempt's answers, most answered first, then in bank order", func(t *testing.T) {
		got, err := f.s.QuestionStats(ctx, f.round.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := l.stats(f.pool, false, true); !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("submission times are the submitted attempts'", func(t *testing.T) {
		got, err := f.s.SubmissionTimes(ctx, f.round.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, time.Time.Compare)
		if want := l.submissions(); !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("a round without attempts has none", func(t *testing.T) {
		qs, err := f.s.QuestionStats(ctx, f.round.round.ID+1000)
		if err != nil || len(qs) != 0 {
			t.Errorf("questions %+v (err %v), want none", qs, err)
		}
		times, err := f.s.SubmissionTimes(ctx, f.round.round.ID+1000)
		if err != nil || len(times) != 0 {
			t.Errorf("submissions %v (err %v), want none", times, err)
		}
	})
}
