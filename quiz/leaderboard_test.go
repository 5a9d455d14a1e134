package quiz

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

func ranks(st Standing) string {
	s := ""
	for _, e := range st.Entries {
		s += fmt.Sprintf("%d:%d ", e.Rank, e.UserID)
	}
	return s
}

func TestBoardOrdersAndSharesRanks(t *testing.T) {
	b := NewBoard("")
	b.Offer(res(1, 15, 5000, 0))
	b.Offer(res(2, 18, 9000, 0))
	b.Offer(res(3, 18, 7000, 0))
	b.Offer(res(4, 18, 7000, 0)) // tied with 3 at every level
	b.Offer(res(5, 12, 1000, 0))
	if got, want := ranks(b.Top(10)), "1:3 1:4 3:2 4:1 5:5 "; got != want {
		t.Errorf("ranks %q, want %q", got, want)
	}
	if got := b.Top(2); len(got.Entries) != 2 || got.Total != 5 {
		t.Errorf("Top(2) gave %d entries of %d, want 2 of 5", len(got.Entries), got.Total)
	}
	for user, want := range map[int64]int{4: 1, 2: 3, 5: 5} {
		if e, ok := b.RankOf(user); !ok || e.Rank != want {
			t.Errorf("RankOf(%d) = %d, %v; want %d", user, e.Rank, ok, want)
		}
	}
	if _, ok := b.RankOf(99); ok {
		t.Error("RankOf a contestant without attempts reports a rank")
	}
}

func TestBoardKeepsEachContestantsBestAttempt(t *testing.T) {
	b := NewBoard("")
	first := res(10, 15, 5000, 0)
	first.UserID = 1
	better := res(11, 17, 9000, 60000)
	better.UserID = 1
	worse := res(12, 16, 1000, 120000)
	worse.UserID = 1
	other := res(20, 16, 1000, 0)
	other.UserID = 2

	if !b.Offer(first) || !b.Offer(other) || !b.Offer(better) || !b.Offer(worse) {
		t.Fatal("a new attempt did not change the board")
	}
	st := b.Top(10)
	if st.Total != 2 {
		t.Fatalf("total %d, want 2 contestants", st.Total)
	}
	if st.Entries[0].UserID != 1 || st.Entries[0].AttemptID != 11 || st.Entries[0].Score != 17 {
		t.Errorf("first entry %+v, want user 1 with attempt 11 (17 points)", st.Entries[0])
	}
	if b.Offer(better) {
		t.Error("offering the same attempt again changed the board")
	}
	if s := b.Stats(); s.Attempts != 4 || s.Participants != 2 {
		t.Errorf("stats %+v, want 4 attempts by 2 participants", s)
	}
}

func TestBoardFinalizeUsesPrediction(t *testing.T) {
	b := NewBoard(TargetPerfectScorers)
	perfect := func(id int64, workMs int64, prediction int) Result {
		r := res(id, 20, workMs, 0, prediction)
		r.Correct, r.Total = 20, 20
		return r
	}
	b.Offer(perfect(1, 1000, 10)) // fastest, far prediction
	b.Offer(perfect(2, 5000, 3))  // slow, exact prediction once three have 20/20
	b.Offer(perfect(3, 3000, 2))
	noPrediction := res(4, 20, 500, 0)
	noPrediction.Correct, noPrediction.Total = 20, 20
	b.Offer(noPrediction)
	if got, want := ranks(b.Top(10)), "1:4 2:1 3:3 4:2 "; got != want {
		t.Errorf("open ranks %q, want %q", got, want)
	}
	b.Finalize()
	actual, ok := b.Actual()
	if !ok || actual != 4 {
		t.Fatalf("actual %d, %v; want 4 perfect scorers", actual, ok)
	}
	// Errors: user 1 → 6, user 2 → 1, user 3 → 2, user 4 → none.
	if got, want := ranks(b.Top(10)), "1:2 2:3 3:1 4:4 "; got != want {
		t.Errorf("closed ranks %q, want %q", got, want)
	}
}

func TestBoardFinalizeChoosesBestAttemptAgain(t *testing.T) {
	b := NewBoard(TargetParticipants)
	fast := res(1, 18, 1000, 0, 50)
	fast.UserID = 7
	exact := res(2, 18, 9000, 1000, 2)
	exact.UserID = 7
	b.Offer(fast)
	b.Offer(exact)
	other := res(3, 18, 5000, 0, 9)
	other.UserID = 8
	b.Offer(other)
	if best, _ := b.Best(7); best.AttemptID != 1 {
		t.Fatalf("open: best attempt %d, want the faster 1", best.AttemptID)
	}
	b.Finalize() // 2 participants: attempt 2 is exact
	if best, _ := b.Best(7); best.AttemptID != 2 {
		t.Errorf("closed: best attempt %d, want 2 with the exact prediction", best.AttemptID)
	}
	if e, _ := b.RankOf(7); e.Rank != 1 {
		t.Errorf("closed: rank %d, want 1", e.Rank)
	}
	// A late submission after the close moves the actual count to 3.
	late := res(4, 10, 1000, 0, 3)
	late.UserID = 9
	b.Offer(late)
	if actual, _ := b.Actual(); actual != 3 {
		t.Errorf("actual after a late submission %d, want 3", actual)
	}
}

func TestBoardChangedSignals(t *testing.T) {
	b := NewBoard("")
	ch := b.Changed()
	v := b.Version()
	b.Offer(res(1, 1, 1, 0))
	select {
	case <-ch:
	default:
		t.Fatal("Changed was not closed by an offer")
	}
	if b.Version() != v+1 {
		t.Errorf("version %d, want %d", b.Version(), v+1)
	}
}

// The incremental board must agree with sorting everything from scratch.
func TestBoardMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewBoard("")
	best := map[int64]Result{}
	for i := range 3000 {
		r := res(int64(i+1), rng.IntN(6), int64(rng.IntN(4))*1000, int64(rng.IntN(3)))
		r.UserID = int64(rng.IntN(400))
		b.Offer(r)
		if old, ok := best[r.UserID]; !ok || Compare(r, old, nil) < 0 || (Compare(r, old, nil) == 0 && r.AttemptID < old.AttemptID) {
			best[r.UserID] = r
		}
	}
	var want []Result
	for _, r := range best {
		want = append(want, r)
	}
	sort.Slice(want, func(i, j int) bool {
		if c := Compare(want[i], want[j], nil); c != 0 {
			return c < 0
		}
		return want[i].AttemptID < want[j].AttemptID
	})
	st := b.Top(len(want))
	if len(st.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(st.Entries), len(want))
	}
	for i, e := range st.Entries {
		if e.AttemptID != want[i].AttemptID {
			t.Fatalf("entry %d is attempt %d, want %d", i, e.AttemptID, want[i].AttemptID)
		}
		if got, _ := b.RankOf(e.UserID); got.Rank != e.Rank {
			t.Fatalf("RankOf(%d) = %d, Top says %d", e.UserID, got.Rank, e.Rank)
		}
	}
}

func TestGuardedBoardHidesWhatAPredictionCounts(t *testing.T) {
	b := NewBoard(TargetParticipants)
	for id := int64(1); id <= 12; id++ {
		b.Offer(res(id, int(20-id), 1000, 0))
	}
	t.Run("an open prediction round shows the public its first 10 and no more", func(t *testing.T) {
		st := b.PublicTop(50)
		if !st.Guarded || len(st.Entries) != GuardedTop {
			t.Errorf("PublicTop(50): guarded %v, %d entries; want true and %d", st.Guarded, len(st.Entries), GuardedTop)
		}
		if st := b.Top(50); len(st.Entries) != 12 || st.Total != 12 {
			t.Errorf("Top(50): %d entries of %d, want 12 of 12 for staff", len(st.Entries), st.Total)
		}
	})
	t.Run("a contestant is told their rank only within the first 10", func(t *testing.T) {
		if e, ok := b.OwnEntry(10); !ok || e.Rank != 10 {
			t.Errorf("OwnEntry(10) = rank %d, %v; want 10", e.Rank, ok)
		}
		if e, ok := b.OwnEntry(12); !ok || e.Rank != 0 || e.Score != 8 {
			t.Errorf("OwnEntry(12) = rank %d, score %d, %v; want rank 0 (hidden) and 8 points", e.Rank, e.Score, ok)
		}
		if e, _ := b.RankOf(12); e.Rank != 12 {
			t.Errorf("RankOf(12) = %d, want 12", e.Rank)
		}
	})
	t.Run("the close lifts the guard", func(t *testing.T) {
		b.Finalize()
		if st := b.PublicTop(50); st.Guarded || len(st.Entries) != 12 {
			t.Errorf("after the close PublicTop(50): guarded %v, %d entries; want false and 12", st.Guarded, len(st.Entries))
		}
		if e, _ := b.OwnEntry(12); e.Rank != 12 {
			t.Errorf("after the close OwnEntry(12) = %d, want 12", e.Rank)
		}
	})
	t.Run("a round without a prediction is never guarded", func(t *testing.T) {
		open := NewBoard("")
		for id := int64(1); id <= 12; id++ {
			open.Offer(res(id, int(20-id), 1000, 0))
		}
		if st := open.PublicTop(50); st.Guarded || len(st.Entries) != 12 {
			t.Errorf("PublicTop(50): guarded %v, %d entries; want false and 12", st.Guarded, len(st.Entries))
		}
		if e, _ := open.OwnEntry(12); e.Rank != 12 {
			t.Errorf("OwnEntry(12) = %d, want 12", e.Rank)
		}
	})
}
