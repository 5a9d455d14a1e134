package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// openAtVersion makes a database as a hoithi with migrations up to version
// left it, for tests of the upgrades after it. The caller closes it.
func openAtVersion(t *testing.T, version int) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hoithi.db")
	raw, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if err := migrateTo(context.Background(), raw, version); err != nil {
		t.Fatal(err)
	}
	return raw, path
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestUpgradeHidesPrizeRoundAnswersUntilClose(t *testing.T) {
	raw, path := openAtVersion(t, 6)
	mustExec(t, raw, "INSERT INTO banks (id, name, created_at) VALUES (1, 'Ngân hàng', 0)")
	mustExec(t, raw, "INSERT INTO contests (id, slug, title, created_at) VALUES (1, 'hoi-thi', 'Hội thi', 0)")
	for id, reveal := range map[int]string{1: "after_submit", 2: "after_submit", 3: "never"} {
		mustExec(t, raw, `INSERT INTO rounds (id, contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
			question_count, reveal, created_at) VALUES (?, 1, 'Đợt', 1, 0, 1000, 60, 1, ?, 0)`, id, reveal)
	}
	mustExec(t, raw, "INSERT INTO round_prizes (round_id, position, name, count) VALUES (1, 1, 'Giải Nhất', 1), (3, 1, 'Giải Nhất', 1)")
	raw.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[int]string{1: "after_close", 2: "after_submit", 3: "never"}
	for id, reveal := range want {
		var got string
		if err := db.r.QueryRow("SELECT reveal FROM rounds WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != reveal {
			t.Errorf("round %d reveals %s after the upgrade, want %s", id, got, reveal)
		}
	}
}

// Accounts deleted before deletions ended sessions get their end in the
// log at the upgrade, so that the tokens they still hold stay refused.
func TestUpgradeEndsTheSessionsOfDeletedAccounts(t *testing.T) {
	raw, path := openAtVersion(t, 12)
	mustExec(t, raw, `INSERT INTO users (id, role, full_name, email, password_hash, created_at, deleted_at)
		VALUES (7, 'contestant', 'Người dùng đã xóa', 'deleted-7', '', 0, 1000), (8, 'contestant', 'An', 'an@x.vn', 'h', 0, NULL)`)
	raw.Close()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ends, err := db.SessionEndsAfter(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 1 || ends[0].UserID != 7 || ends[0].Epoch != 1 || ends[0].TokenID != "" {
		t.Errorf("ended sessions %+v, want the deleted account's epoch 1 alone", ends)
	}
}
