package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// TestAccountsContract runs the accounts contract tests on the PostgreSQL
// store, each test on a database of its own.
func TestAccountsContract(t *testing.T) {
	testServer(t)
	storetest.RunAccounts(t, func(t *testing.T) storetest.Accounts {
		db, _ := openTest(t, Options{})
		return db
	})
}

// staffAccount stores an official for the tests below.
func staffAccount(t *testing.T, db *DB) quiz.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), quiz.User{Role: quiz.RoleOfficial, FullName: "Lê Văn Tâm",
		Email: "can-bo@so.gov.vn", CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAReaderOfTheSessionLogNeverSkipsARow holds a transaction that has
// added a row to the log of ended sessions but not committed, and checks
// that a logout meanwhile waits for it: had the logout committed first,
// with the higher seq, a reader would have seen it, moved past it, and
// never read the row committed later under the lower seq.
func TestAReaderOfTheSessionLogNeverSkipsARow(t *testing.T) {
	db, _ := openTest(t, Options{})
	ctx := context.Background()
	u := staffAccount(t, db)

	tx, err := db.w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	held, err := newAccountEpoch(ctx, tx, u.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	logout := make(chan error, 1)
	go func() {
		_, err := db.EndSession(ctx, quiz.SessionEnd{UserID: u.ID, TokenID: "phien", ExpiresAt: time.Now().Add(time.Hour),
			EndedAt: time.Now()})
		logout <- err
	}()
	waitForALockWait(t, db)
	if ends, err := db.SessionEndsAfter(ctx, 0); err != nil || len(ends) != 0 {
		t.Fatalf("while the first writer has not committed: read %+v (%v), want nothing", ends, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-logout; err != nil {
		t.Fatal(err)
	}
	ends, err := db.SessionEndsAfter(ctx, 0)
	if err != nil || len(ends) != 2 || ends[0].Seq != held.Seq || ends[1].TokenID != "phien" {
		t.Errorf("read %+v (%v), want the epoch (seq %d) then the logout", ends, err, held.Seq)
	}
}

// waitForALockWait waits until a session of the store waits for a lock.
func waitForALockWait(t *testing.T, db *DB) {
	t.Helper()
	for range 500 {
		var waiting int
		err := db.r.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no session waits for a lock: the second writer of the session log did not wait for the first")
}

// TestAccountChangesAreAuditedWithThem checks the audit entries written in
// the transactions of account changes, and that a refused change writes
// none.
func TestAccountChangesAreAuditedWithThem(t *testing.T) {
	db, _ := openTest(t, Options{})
	ctx := context.Background()
	u := staffAccount(t, db)
	now := time.Now()
	entry := func(action string) quiz.AuditEntry {
		return quiz.AuditEntry{At: now, UserID: u.ID, Actor: "Lê Văn Tâm", Action: action, Detail: "account=1", IP: "10.0.0.1"}
	}
	if _, err := db.SetPassword(ctx, u.ID, "hash-2", now, nil); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		action string
		do     func(quiz.AuditEntry) error
	}{
		{"set_password", func(e quiz.AuditEntry) error { _, err := db.SetPassword(ctx, u.ID, "hash-3", now, &e); return err }},
		{"disable", func(e quiz.AuditEntry) error { _, _, err := db.SetDisabled(ctx, u.ID, true, now, 0, e); return err }},
		{"enable", func(e quiz.AuditEntry) error { _, _, err := db.SetDisabled(ctx, u.ID, false, now, 0, e); return err }},
		{"enable_again", func(e quiz.AuditEntry) error { _, _, err := db.SetDisabled(ctx, u.ID, false, now, 0, e); return err }},
		{quiz.AuditSetName, func(e quiz.AuditEntry) error { _, err := db.SetFullName(ctx, u.ID, "Lê Văn Tâm", e); return err }},
		{"stale_link", func(e quiz.AuditEntry) error {
			return db.CreateReset(ctx, quiz.PasswordReset{TokenHash: "h0", UserID: u.ID, Epoch: 0, Channel: quiz.ResetByEmail,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, e)
		}},
		{quiz.AuditEmailResetLink, func(e quiz.AuditEntry) error {
			return db.CreateReset(ctx, quiz.PasswordReset{TokenHash: "h1", UserID: u.ID, Epoch: 3, Channel: quiz.ResetByEmail,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, e)
		}},
		{quiz.AuditResetPassword, func(e quiz.AuditEntry) error { _, err := db.UseReset(ctx, "h1", "hash-4", false, now, e); return err }},
		{"used_link", func(e quiz.AuditEntry) error { _, err := db.UseReset(ctx, "h1", "hash-5", false, now, e); return err }},
	}
	for _, s := range steps {
		s.do(entry(s.action)) // the refusals are the contract tests' business
	}
	rows, _ := db.r.Query(ctx, "SELECT action, user_id, actor, round_id IS NULL, detail, ip, at FROM audit_log ORDER BY id")
	type row struct {
		action, actor, detail, ip string
		userID                    int64
		noRound                   bool
		at                        int64
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.action, &x.userID, &x.actor, &x.noRound, &x.detail, &x.ip, &x.at)
	})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range got {
		actions = append(actions, r.action)
		if r.userID != u.ID || r.actor != "Lê Văn Tâm" || !r.noRound || r.detail != "account=1" || r.ip != "10.0.0.1" || r.at != now.UnixMilli() {
			t.Errorf("entry %+v, want the one given", r)
		}
	}
	want := []string{"set_password", "disable", "enable", quiz.AuditSetName, quiz.AuditEmailResetLink, quiz.AuditResetPassword}
	if len(actions) != len(want) {
		t.Fatalf("audited %q, want %q (no entry for what changed nothing or was refused)", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Errorf("audited %q, want %q", actions, want)
			break
		}
	}
}

// TestStaffAreListedAsSQLiteListsThemWhateverTheCollation lists staff
// whose e-mails use a Vietnamese collation (ICU), as a database created
// with that default would: such a collation orders letters first and
// punctuation after, where SQLite's NOCASE compares bytes once ASCII
// letters are folded.
func TestStaffAreListedAsSQLiteListsThemWhateverTheCollation(t *testing.T) {
	db, _ := openTest(t, Options{})
	ctx := context.Background()
	if _, err := db.w.Exec(ctx, `ALTER TABLE users ALTER COLUMN email TYPE TEXT COLLATE "vi-VN-x-icu"`); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"quantri@so.gov.vn", "Quan.tri@so.gov.vn", "quan-tri@so.gov.vn", "quan_tri@so.gov.vn"} {
		if _, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleAdmin, FullName: "Lê Văn Tâm", Email: email, CreatedAt: time.Now()},
			"hash", nil); err != nil {
			t.Fatal(err)
		}
	}
	staff, err := db.StaffUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range staff {
		got = append(got, u.Email)
	}
	want := []string{"quan-tri@so.gov.vn", "Quan.tri@so.gov.vn", "quan_tri@so.gov.vn", "quantri@so.gov.vn"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
