package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/internal/rows"
	"hoithi/store/storetest"
)

// drawing makes the next draws of random ids return ids, in order, then
// real random ids again.
func drawing(t *testing.T, ids ...int64) {
	t.Helper()
	saved := newID
	t.Cleanup(func() { newID = saved })
	newID = func() int64 {
		if len(ids) == 0 {
			return saved()
		}
		id := ids[0]
		ids = ids[1:]
		return id
	}
}

func TestRandomIds(t *testing.T) {
	t.Run("are 15-digit numbers, none repeated", func(t *testing.T) {
		seen := map[int64]bool{}
		for range 10000 {
			id := newID()
			if len(strconv.FormatInt(id, 10)) != 15 || id >= 1<<53 {
				t.Fatalf("drew %d, want a 15-digit id", id)
			}
			if seen[id] {
				t.Fatalf("drew %d twice in 10,000 draws", id)
			}
			seen[id] = true
		}
	})

	t.Run("cover the whole range", func(t *testing.T) {
		// In 1,000 uniform draws, each tenth of the range and each last
		// digit turns up; one missing by chance: under 10 × 0.9^1000, or
		// 2e-45.
		tenths, digits := map[int64]bool{}, map[int64]bool{}
		for range 1000 {
			id := newID()
			tenths[(id-minRandomID)*10/(maxRandomID-minRandomID+1)] = true
			digits[id%10] = true
		}
		if len(tenths) != 10 || len(digits) != 10 {
			t.Errorf("1,000 draws fell in %d tenths of the range and ended in %d digits, want 10 and 10",
				len(tenths), len(digits))
		}
	})
}

func TestAttemptIds(t *testing.T) {
	start := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	t.Run("are 15-digit numbers until 2053", func(t *testing.T) {
		for _, at := range []time.Time{rows.AttemptEpoch, start, time.Date(2053, 1, 1, 0, 0, 0, 0, time.UTC)} {
			if id := newAttemptID(at); len(strconv.FormatInt(id, 10)) != 15 {
				t.Errorf("an attempt started %s got %d, want 15 digits", at, id)
			}
		}
	})
	t.Run("of one second count nothing", func(t *testing.T) {
		// 1,000 draws in one second from a million ids: a repeat has a
		// chance of about 0.4; most of the million are between any two.
		ids := map[int64]bool{}
		lo, hi := int64(maxRandomID), int64(0)
		for range 1000 {
			id := newAttemptID(start.Add(time.Duration(len(ids)) * time.Microsecond))
			ids[id] = true
			lo, hi = min(lo, id), max(hi, id)
		}
		if len(ids) < 990 || hi-lo < 1<<rows.AttemptRandomBits/2 {
			t.Errorf("1,000 draws in one second gave %d ids spread over %d, want them spread over the second's million", len(ids), hi-lo)
		}
	})
	t.Run("of a later second sort after", func(t *testing.T) {
		if a, b := newAttemptID(start), newAttemptID(start.Add(time.Second)); a >= b {
			t.Errorf("an attempt a second later got %d, not above %d", b, a)
		}
	})
}

func TestStoreDrawsAgainWhenAnIdIsTaken(t *testing.T) {
	f := newFixture(t, 4, 2, 0)
	ctx := context.Background()
	takenQuestion := f.Pool.Questions[0].ID
	takenOption := f.Pool.Questions[1].OptionIDs[0]
	const freeQuestion, freeOption, freeOption2 = minRandomID + 11, minRandomID + 12, minRandomID + 13

	t.Run("for a question and its options", func(t *testing.T) {
		drawing(t, takenQuestion, freeQuestion, takenOption, freeOption, freeOption2)
		ids, err := f.db.AddQuestions(ctx, f.Bank.ID, []quiz.Question{{Text: "Câu mới?",
			Options: []quiz.Option{{Text: "Có", Correct: true}, {Text: "Không"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if ids[0] != freeQuestion {
			t.Errorf("question stored as %d, want %d", ids[0], freeQuestion)
		}
		qs, err := f.db.Questions(ctx, f.Bank.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := qs[len(qs)-1]
		if last.ID != freeQuestion || last.Options[0].ID != freeOption || last.Options[1].ID != freeOption2 {
			t.Errorf("new question stored as %d with options %d, %d; want %d with %d, %d",
				last.ID, last.Options[0].ID, last.Options[1].ID, freeQuestion, freeOption, freeOption2)
		}
		if qs[0].ID != takenQuestion || qs[0].Text != f.Pool.Questions[0].Text {
			t.Errorf("the question whose id was drawn again became %d %q", qs[0].ID, qs[0].Text)
		}
	})

	t.Run("for a user", func(t *testing.T) {
		const free = minRandomID + 21
		drawing(t, f.User.ID, free)
		u, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Trần Thị Bình", Phone: "0987654321",
			CreatedAt: time.Now()}, "hash", nil)
		if err != nil {
			t.Fatalf("got %v, want the account created under another id", err)
		}
		if u.ID != free {
			t.Errorf("user stored as %d, want %d", u.ID, free)
		}
	})

	t.Run("for an attempt", func(t *testing.T) {
		first, _, err := f.newAttempt(t, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		const free = minRandomID + 31
		saved, draws := newAttemptID, []int64{first.ID, free}
		t.Cleanup(func() { newAttemptID = saved })
		newAttemptID = func(time.Time) int64 {
			id := draws[0]
			draws = draws[1:]
			return id
		}
		a, created, err := f.newAttempt(t, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !created || a.ID != free || a.Number != 2 {
			t.Errorf("attempt %d (number %d, created %v), want a new attempt %d, number 2", a.ID, a.Number, created, free)
		}
	})

	t.Run("and gives up after a few clashes in a row", func(t *testing.T) {
		taken := make([]int64, idDraws)
		for i := range taken {
			taken[i] = f.User.ID
		}
		drawing(t, taken...)
		_, err := f.db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Văn Cường", Phone: "0987654322",
			CreatedAt: time.Now()}, "hash", nil)
		if err == nil || quiz.ErrorCode(err) == quiz.CodeAccountExists {
			t.Errorf("got %v, want an internal error (not %s)", err, quiz.CodeAccountExists)
		}
	})
}

// fixture is a bank of questions, an unpublished round on it and a
// contestant (storetest.Serve), in a new SQLite store.
type fixture struct {
	db *DB
	storetest.Served
}

func newFixture(t *testing.T, questions, count, maxAttempts int) fixture {
	t.Helper()
	s := openContractStore(t)
	return fixture{s.DB, storetest.Serve(t, s, questions, count, maxAttempts)}
}

func (f fixture) newAttempt(t *testing.T, at time.Time) (quiz.Attempt, bool, error) {
	t.Helper()
	return f.Start(t, f.db, at)
}
