package main

import (
	"errors"
	"flag"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPurgeWhileServing(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	db := s.sqlDB()
	oldRound := s.round(admin, nil)
	recentRound := s.round(admin, nil)
	onlyOld, onlyOldID := s.contestant("Kiều Văn Long")
	both, bothID := s.contestant("Ninh Thị Nga")
	onlyOldAttempt := s.start(onlyOld, oldRound)
	bothOldAttempt := s.start(both, oldRound)
	bothRecentAttempt := s.start(both, recentRound)

	// The first contest ran a year ago, and both people registered for it.
	yearAgo := time.Now().AddDate(-1, 0, 0).UnixMilli()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE rounds SET opens_at = ?, closes_at = ? WHERE id = ?", []any{yearAgo - 7*86400000, yearAgo, oldRound}},
		{"UPDATE users SET created_at = ? WHERE id IN (?, ?)", []any{yearAgo - 30*86400000, onlyOldID, bothID}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	lockedResult(t, db, oldRound, 1, onlyOldID, onlyOldAttempt)
	lockedResult(t, db, oldRound, 2, bothID, bothOldAttempt)
	lockedResult(t, db, recentRound, 1, bothID, bothRecentAttempt)

	// cleared counts the rows of locked rankings without a CCCD number.
	cleared := func() (old, recent int) {
		db.QueryRow("SELECT count(*) FROM round_results WHERE round_id = ? AND id_number = ''", oldRound).Scan(&old)
		db.QueryRow("SELECT count(*) FROM round_results WHERE round_id = ? AND id_number = ''", recentRound).Scan(&recent)
		return old, recent
	}
	phoneOf := func(id int64) string {
		var phone string
		db.QueryRow("SELECT coalesce(phone, '') FROM users WHERE id = ?", id).Scan(&phone)
		return phone
	}
	onlyOldPhone, bothPhone := phoneOf(onlyOldID), phoneOf(bothID)

	t.Run("refuses a missing or too small -days", func(t *testing.T) {
		for _, args := range [][]string{{"purge"}, {"purge", "-days", "0"}, {"purge", "-days", "-5", "-dry-run"}} {
			_, _, err := cli(t, s.DBPath, args...)
			if err == nil || !strings.Contains(err.Error(), "at least 1") {
				t.Errorf("%v: got %v, want an error asking for at least 1 day", args, err)
			}
		}
		if old, _ := cleared(); old != 0 {
			t.Errorf("a refused purge cleared %d rows", old)
		}
	})

	t.Run("prints its help", func(t *testing.T) {
		_, stderr, err := cli(t, s.DBPath, "purge", "-h")
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: hoithi purge -days N [-dry-run]") {
			t.Errorf("got %v and %q, want usage", err, stderr)
		}
	})

	wantCounts := []string{"contests: 1, rounds: 1", "cleared of birth date, CCCD, phone and commune: 2", "anonymized: 1"}
	t.Run("a dry run prints the counts and changes nothing", func(t *testing.T) {
		out, _, err := cli(t, s.DBPath, "purge", "-days", "90", "-dry-run")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range append(wantCounts, "would purge", "nothing was changed") {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if old, recent := cleared(); old != 0 || recent != 0 {
			t.Errorf("a dry run cleared %d old and %d recent rows", old, recent)
		}
		if phoneOf(onlyOldID) != onlyOldPhone {
			t.Error("a dry run anonymized an account")
		}
	})

	out, _, err := cli(t, s.DBPath, "purge", "-days", "90")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append(wantCounts, "purged: contests whose every round closed before") {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	t.Run("clears the old contest's results and leaves the recent one", func(t *testing.T) {
		if old, recent := cleared(); old != 2 || recent != 0 {
			t.Errorf("cleared %d old and %d recent rows, want 2 and 0", old, recent)
		}
		var name, unit, phone, birth, commune string
		var rank int
		db.QueryRow(`SELECT full_name, unit, rank, phone, birth_date, commune FROM round_results
			WHERE round_id = ? AND position = 1`, oldRound).Scan(&name, &unit, &rank, &phone, &birth, &commune)
		if name != "Kiều Văn Long" || unit != "Sở Tư pháp" || rank != 1 || phone != "" || birth != "" || commune != "" {
			t.Errorf("old row: %q %q %d %q %q %q, want name, unit and rank kept and the rest empty", name, unit, rank, phone, birth, commune)
		}
	})

	t.Run("anonymizes the account that took part only in the old contest", func(t *testing.T) {
		status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": onlyOldPhone, "password": "mat-khau-123"})
		if status != http.StatusUnauthorized {
			t.Errorf("login of the purged account: %d, want 401", status)
		}
		if status, _ := s.call("GET", "/api/v1/me", onlyOld, nil); status != http.StatusUnauthorized {
			t.Errorf("the purged account's token: %d, want 401", status)
		}
		// Routes that only check the role learn of the purge, made by
		// another process, from the server's set of deleted accounts,
		// which it reads again every few seconds.
		status = 0
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if status, _ = s.call("POST", "/api/v1/rounds/999999/attempts", onlyOld, nil); status == http.StatusUnauthorized {
				break
			}
		}
		if status != http.StatusUnauthorized {
			t.Errorf("the purged account's token on a role-only route: %d, want 401", status)
		}
		s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": bothPhone, "password": "mat-khau-123"}, nil)
	})

	t.Run("writes one audit entry with the counts", func(t *testing.T) {
		var n int
		var detail string
		db.QueryRow("SELECT count(*), max(detail) FROM audit_log WHERE action = 'purge'").Scan(&n, &detail)
		if n != 1 || !strings.Contains(detail, "days=90") || !strings.Contains(detail, "results=2 accounts=1") {
			t.Errorf("%d purge entries, detail %q; want one with the counts", n, detail)
		}
	})
}
