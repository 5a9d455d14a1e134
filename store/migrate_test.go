package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

func TestUpgradeKeepsAnAttemptsQuestionsInItsRow(t *testing.T) {
	raw, path := openAtVersion(t, 18)
	mustExec(t, raw, "INSERT INTO banks (id, name, created_at) VALUES (1, 'Ngân hàng', 0)")
	for q := 1; q <= 3; q++ {
		mustExec(t, raw, "INSERT INTO questions (id, bank_id, seq, text, created_at) VALUES (?, 1, ?, ?, 0)", q*100, q, fmt.Sprint("Câu ", q))
		for o := 1; o <= 3; o++ {
			mustExec(t, raw, "INSERT INTO options (id, question_id, position, text, correct) VALUES (?, ?, ?, ?, ?)",
				q*100+o, q*100, o, fmt.Sprint("Ý ", o), o == 1)
		}
	}
	mustExec(t, raw, "INSERT INTO contests (id, slug, title, created_at) VALUES (1, 'hoi-thi', 'Hội thi', 0)")
	mustExec(t, raw, `INSERT INTO rounds (id, contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
		question_count, points_per_question, max_attempts, reveal, created_at) VALUES (1, 1, 'Tuần 1', 1, 0, 1, 600, 3, 1, 0, 'never', 0)`)
	mustExec(t, raw, "INSERT INTO users (id, role, full_name, phone, password_hash, created_at) VALUES (1, 'contestant', 'A', '0912345678', 'x', 0)")
	mustExec(t, raw, `INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at, deadline)
		VALUES (7, 1, 1, 1, x'00', 3, 0, 600000)`)
	// Stored out of position order, as nothing keeps rows in order.
	for _, row := range [][]any{{2, 100, "[103,101,102]"}, {1, 300, "[302,303,301]"}, {3, 200, "[201,202,203]"}} {
		mustExec(t, raw, "INSERT INTO attempt_questions (attempt_id, position, question_id, option_order) VALUES (7, ?, ?, ?)", row...)
	}
	mustExec(t, raw, "INSERT INTO answers (attempt_id, question_id, option_ids, correct, answered_at) VALUES (7, 100, '[101]', 1, 5)")
	raw.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids, orders string
	if err := db.r.QueryRow("SELECT question_ids, option_orders FROM attempts WHERE id = 7").Scan(&ids, &orders); err != nil {
		t.Fatal(err)
	}
	if ids != "[300,100,200]" || orders != "[[302,303,301],[103,101,102],[201,202,203]]" {
		t.Errorf("attempt 7 after the upgrade: questions %s, options %s; want [300,100,200] and [[302,303,301],[103,101,102],[201,202,203]]", ids, orders)
	}
	d, err := db.AttemptDetail(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := shownAttempt(d); !slices.Equal(got, []string{"Câu 3: [Ý 2] [Ý 3] [Ý 1]", "Câu 1: [Ý 3] [*Ý 1] [Ý 2]", "Câu 2: [Ý 1] [Ý 2] [Ý 3]"}) {
		t.Errorf("attempt 7 shows %q after the upgrade", got)
	}
	var problems int
	if err := db.r.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&problems); err != nil || problems != 0 {
		t.Errorf("foreign key check: %d problems, %v", problems, err)
	}
}

func TestUpgradeKeepsTheDeadlineOfAnAttemptRunningThroughIt(t *testing.T) {
	raw, path := openAtVersion(t, 19)
	mustExec(t, raw, "INSERT INTO banks (id, name, created_at) VALUES (1, 'Ngân hàng', 0)")
	mustExec(t, raw, "INSERT INTO contests (id, slug, title, created_at) VALUES (1, 'hoi-thi', 'Hội thi', 0)")
	mustExec(t, raw, `INSERT INTO rounds (id, contest_id, name, bank_id, opens_at, closes_at, duration_seconds,
		question_count, points_per_question, max_attempts, reveal, created_at) VALUES (1, 1, 'Tuần 1', 1, 0, 9000000, 600, 1, 1, 0, 'never', 0)`)
	mustExec(t, raw, "INSERT INTO users (id, role, full_name, phone, password_hash, created_at) VALUES (1, 'contestant', 'A', '0912345678', 'x', 0)")
	mustExec(t, raw, `INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at, deadline)
		VALUES (7, 1, 1, 1, x'00', 1, 1000, 601000)`)
	raw.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Its contestant saw its questions before the upgrade: a showing now
	// (30 s into it) changes nothing.
	a, err := db.ShowAttempt(context.Background(), 7, time.UnixMilli(31000), time.UnixMilli(31000), time.UnixMilli(631000))
	if err != nil {
		t.Fatal(err)
	}
	if a.StartedAt.UnixMilli() != 1000 || a.Deadline.UnixMilli() != 601000 {
		t.Errorf("attempt 7 after the upgrade and a showing: started %d, deadline %d; want 1000 and 601000",
			a.StartedAt.UnixMilli(), a.Deadline.UnixMilli())
	}
}
