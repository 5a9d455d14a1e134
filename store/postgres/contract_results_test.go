package postgres

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// TestResultsContract runs the results contract tests on the PostgreSQL
// store, each test on a database of its own.
func TestResultsContract(t *testing.T) {
	testServer(t)
	storetest.RunResults(t, func(t *testing.T) storetest.ResultsStore {
		commits := &storetest.CommitCounter{}
		db, _ := openTest(t, Options{Observer: commits})
		return counted{db, commits}
	})
}

// TestReportKeysSortByteByByteWhateverTheLocale runs the report's
// contract tests on a database created with a Vietnamese locale, whose
// text sorts the Vietnamese way: the keys must still come in SQLite's
// byte order.
func TestReportKeysSortByteByByteWhateverTheLocale(t *testing.T) {
	server := testServer(t)
	storetest.RunReportFigures(t, func(t *testing.T) storetest.ResultsStore {
		db, err := Open(context.Background(), vietnameseDatabase(t, server), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return counted{db, &storetest.CommitCounter{}}
	})
}

// vietnameseDatabase returns the URL of a new database whose default
// collation is ICU's Vietnamese one, dropped when the test ends. It takes
// the name (and the drop) of a fresh database and creates that database
// again with the locale. It skips the test on a server built without ICU.
func vietnameseDatabase(t *testing.T, server string) string {
	t.Helper()
	ctx := context.Background()
	dbURL := freshDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer admin.Close(ctx)
	var icu bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'vi-VN-x-icu')").Scan(&icu); err != nil {
		t.Fatal(err)
	}
	if !icu {
		t.Skip("the test server has no ICU Vietnamese collation")
	}
	for _, q := range []string{"DROP DATABASE " + name,
		"CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN' LOCALE 'C.UTF-8'"} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return dbURL
}

// TestTwoNodesLockARoundOnce locks and unlocks a round from two nodes
// sharing the database, several times at once from each: the round's row
// makes them take turns, so exactly one lock and then exactly one unlock
// succeed, and the list is stored once.
func TestTwoNodesLockARoundOnce(t *testing.T) {
	ctx := context.Background()
	first, dbURL := openTest(t, Options{})
	second, err := Open(ctx, dbURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	now := time.Now().UTC()
	bank, err := first.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	contest, err := first.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	round, err := first.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour), DurationSeconds: 600, QuestionCount: 1,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterClose})
	if err != nil {
		t.Fatal(err)
	}
	official, err := first.CreateUser(ctx, quiz.User{Role: quiz.RoleOfficial, FullName: "Cán bộ", Phone: "0988000000",
		CreatedAt: now}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	l := quiz.WinnerList{Round: round}
	for i := range 50 {
		l.Entries = append(l.Entries, quiz.Winner{Rank: i + 1, UserID: int64(i + 1), AttemptID: int64(i + 1),
			FullName: "Người dự thi", StartedAt: now, SubmittedAt: now})
	}
	entry := quiz.AuditEntry{At: now, UserID: official.ID, RoundID: round.ID}

	// each runs call three times on each node at once and counts the
	// calls that succeeded; every other must carry the code refused.
	each := func(call func(db *DB) error, refused string) int {
		var mu sync.Mutex
		var wg sync.WaitGroup
		won := 0
		for _, db := range []*DB{first, second, first, second, first, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := call(db)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case quiz.ErrorCode(err) != refused:
					t.Errorf("got error %v, want code %q", err, refused)
				}
			}()
		}
		wg.Wait()
		return won
	}
	locks := each(func(db *DB) error {
		return db.LockRound(ctx, l, official.ID, entry)
	}, quiz.CodeAlreadyLocked)
	if locks != 1 {
		t.Errorf("%d locks succeeded, want exactly 1", locks)
	}
	got := quiz.WinnerList{Round: round}
	if err := second.LockedList(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != len(l.Entries) {
		t.Errorf("%d rows stored, want %d", len(got.Entries), len(l.Entries))
	}
	unlocks := each(func(db *DB) error { return db.UnlockRound(ctx, round.ID, entry) }, quiz.CodeNotLocked)
	if unlocks != 1 {
		t.Errorf("%d unlocks succeeded, want exactly 1", unlocks)
	}
}
