package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"hoithi/quiz"
)

// plainHasher stands for bcrypt: these tests are about sessions.
type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error) { return "plain:" + p, nil }
func (plainHasher) Check(h, p string) bool        { return h == "plain:"+p }

// clock is a time the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestEndedSessionsReachEveryProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hoithi.db")
	open := func() *DB {
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	clk := &clock{time.Now()}
	a := quiz.NewAccounts(dbA, plainHasher{}, nil, clk.now)
	b := quiz.NewAccounts(dbB, plainHasher{}, nil, clk.now)
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
		c := quiz.NewAccounts(open(), plainHasher{}, nil, clk.now)
		if !over(c, one) || !over(c, two) || over(c, session("moi", 1)) {
			t.Error("want the logged-out and the old-epoch sessions over, the new one live")
		}
	})
	t.Run("a logout's row goes once its token has expired", func(t *testing.T) {
		clk.t = clk.t.Add(2 * time.Hour)
		if err := a.EndSession(ctx, session("sau", 1)); err != nil {
			t.Fatal(err)
		}
		var n int
		dbA.r.QueryRow("SELECT count(*) FROM session_ends WHERE token_id = 'mot'").Scan(&n)
		if n != 0 {
			t.Error("the expired token's row is still there")
		}
	})
}

// BenchmarkSessionOver measures checking a token against a log of 10,000
// logouts and 1,000 password changes, as every authenticated request
// does; the log is re-read for new rows every 2 seconds of the clock.
func BenchmarkSessionOver(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	a := quiz.NewAccounts(db, plainHasher{}, nil, time.Now)
	u, err := a.CreateStaff(ctx, quiz.StaffAccount{Email: "can-bo@so.gov.vn", Password: "mat-khau-123", Role: quiz.RoleOfficial})
	if err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 10000 {
		if err := a.EndSession(ctx, quiz.Session{ID: fmt.Sprint("phien-", i), UserID: u.ID, ExpiresAt: exp}); err != nil {
			b.Fatal(err)
		}
	}
	for range 1000 {
		if _, err := a.ResetPassword(ctx, u.ID, "mat-khau-moi-1", quiz.Actor{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	live := quiz.Session{ID: "dang-dung", UserID: u.ID, Epoch: 1000, ExpiresAt: exp}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if over, err := a.SessionOver(ctx, live); err != nil || over {
				b.Fatalf("over %v, err %v", over, err)
			}
		}
	})
}

func TestAdminsDisablingEachOtherLeaveOne(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	a := quiz.NewAccounts(db, plainHasher{}, nil, time.Now)
	var admins [2]quiz.User
	for i, email := range []string{"mot@tinh.vn", "hai@tinh.vn"} {
		u, err := a.CreateStaff(ctx, quiz.StaffAccount{Email: email, Password: "mat-khau-123", Role: quiz.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		admins[i] = u
	}
	// Both requests were let in before either change: the second finds its
	// admin disabled and changes nothing.
	if _, err := a.SetDisabled(ctx, admins[1].ID, true, quiz.Actor{ID: admins[0].ID}); err != nil {
		t.Fatal(err)
	}
	_, err := a.SetDisabled(ctx, admins[0].ID, true, quiz.Actor{ID: admins[1].ID})
	if quiz.ErrorCode(err) != quiz.CodeForbidden {
		t.Errorf("the disabled admin's change: %v, want forbidden", err)
	}
	u, err := a.User(ctx, admins[0].ID)
	if err != nil || u.DisabledAt != nil {
		t.Errorf("the first admin: %+v %v, want enabled", u, err)
	}
}
