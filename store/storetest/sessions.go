package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"hoithi/quiz"
)

// testSessionsAcrossHandles ends sessions through one handle of a store
// and checks them through another, as two processes or two nodes do.
func testSessionsAcrossHandles(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	dbA := open(t)
	dbB := dbA.OpenAgain(t)
	clk := &clock{time.Now()}
	a := quiz.NewAccounts(dbA, PlainHasher{}, nil, clk.now)
	b := quiz.NewAccounts(dbB, PlainHasher{}, nil, clk.now)
	u, err := a.CreateStaff(ctx, quiz.StaffAccount{Email: "can-bo@so.gov.vn", Password: "mat-khau-123", Role: quiz.RoleOfficial})
	if err != nil {
		t.Fatal(err)
	}
	session := func(id string, epoch int64) quiz.Session {
		return quiz.Session{ID: id, UserID: u.ID, Epoch: epoch, ExpiresAt: clk.t.Add(time.Hour)}
	}
	over := func(acc *quiz.Accounts, s quiz.Session) bool {
		t.Helper()
		o, err := acc.SessionOver(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	one, two := session("mot", 0), session("hai", 0)
	if over(a, one) || over(b, one) {
		t.Fatal("a fresh session is over")
	}

	if err := a.EndSession(ctx, one); err != nil {
		t.Fatal(err)
	}
	t.Run("a logout counts at once in its own process", func(t *testing.T) {
		if !over(a, one) || over(a, two) {
			t.Errorf("over: ended %v, other %v; want true, false", over(a, one), over(a, two))
		}
	})
	t.Run("and in another within the polling period", func(t *testing.T) {
		if over(b, one) {
			t.Log("the other process saw it before its polling period: allowed, not required")
		}
		clk.t = clk.t.Add(3 * time.Second)
		if !over(b, one) || over(b, two) {
			t.Errorf("over in B: ended %v, other %v; want true, false", over(b, one), over(b, two))
		}
	})

	changed, err := b.ResetPassword(ctx, u.ID, "mat-khau-moi-1", quiz.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a password change ends the sessions of earlier epochs", func(t *testing.T) {
		if changed.SessionEpoch != 1 {
			t.Errorf("epoch %d after the change, want 1", changed.SessionEpoch)
		}
		if !over(b, two) || over(b, session("moi", 1)) {
			t.Error("in B: want the old session over and one of the new epoch live")
		}
		clk.t = clk.t.Add(3 * time.Second)
		if !over(a, two) || over(a, session("moi", 1)) {
			t.Error("in A: want the old session over and one of the new epoch live")
		}
	})
	t.Run("a new process reads the whole log", func(t *testing.T) {
		c := quiz.NewAccounts(dbA.OpenAgain(t), PlainHasher{}, nil, clk.now)
		if !over(c, one) || !over(c, two) || over(c, session("moi", 1)) {
			t.Error("want the logged-out and the old-epoch sessions over, the new one live")
		}
	})
	t.Run("a logout's row goes once its token has expired", func(t *testing.T) {
		clk.t = clk.t.Add(2 * time.Hour)
		if err := a.EndSession(ctx, session("sau", 1)); err != nil {
			t.Fatal(err)
		}
		tokens, err := dbA.ColumnText(ctx, "session_ends", "token_id")
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(tokens, "mot") || !slices.Contains(tokens, "sau") {
			t.Errorf("the log holds the tokens %q, want the expired one gone and the new one there", tokens)
		}
	})
}
