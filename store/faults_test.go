package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"hoithi/quiz"
)

// syncBuffer is a log written by the writer's goroutine and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// pragma sets a pragma of the write connection while the writer is idle.
func pragma(t *testing.T, db *DB, set string) {
	t.Helper()
	if _, err := db.w.Exec("PRAGMA " + set); err != nil {
		t.Fatalf("PRAGMA %s: %v", set, err)
	}
}

// TestWritesTheDatabaseCannotTakeAreStorageUnavailable makes the database
// refuse writes as a full disk does (max_page_count reached: SQLITE_FULL)
// and as a read-only one does (query_only: SQLITE_READONLY).
func TestWritesTheDatabaseCannotTakeAreStorageUnavailable(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("đáp án ", 20000) // ~200 KB: new pages
	for _, fault := range []struct {
		name, cause, set, unset string
		grow                    bool
	}{
		{name: "full", cause: `cause="disk full"`, grow: true},
		{name: "read-only", cause: `cause=read-only`, set: "query_only = 1", unset: "query_only = 0"},
	} {
		t.Run("a "+fault.name+" database", func(t *testing.T) {
			var log syncBuffer
			db := openTest(t, Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
			set, unset := fault.set, fault.unset
			if fault.grow {
				var pages int
				if err := db.r.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
					t.Fatal(err)
				}
				set, unset = fmt.Sprintf("max_page_count = %d", pages), "max_page_count = 1073741823"
			}
			pragma(t, db, set)

			t.Run("refuses each write with storage_unavailable", func(t *testing.T) {
				for i := range 5 {
					_, err := db.EnsureSetting(ctx, fmt.Sprintf("k%d", i), big)
					if code := quiz.ErrorCode(err); code != quiz.CodeStorageUnavailable {
						t.Fatalf("write %d: got %v (code %s), want %s", i, err, code, quiz.CodeStorageUnavailable)
					}
				}
			})
			t.Run("logs the fault once, with its cause", func(t *testing.T) {
				if n := log.count("the database cannot be written"); n != 1 {
					t.Errorf("logged %d times, want once:\n%s", n, log.buf.String())
				}
				if log.count(fault.cause) != 1 {
					t.Errorf("the log does not say %s:\n%s", fault.cause, log.buf.String())
				}
			})
			t.Run("stores again once the cause is gone, without reopening", func(t *testing.T) {
				pragma(t, db, unset)
				if _, err := db.EnsureSetting(ctx, "after", big); err != nil {
					t.Fatalf("write after the fault: %v", err)
				}
				if got, ok, err := db.Setting(ctx, "after"); err != nil || !ok || got != big {
					t.Errorf("setting after the fault: found %v, %v", ok, err)
				}
				if n := log.count("the database is written again"); n != 1 {
					t.Errorf("the recovery is logged %d times, want once:\n%s", n, log.buf.String())
				}
				if log.count("refused=5") != 1 {
					t.Errorf("the recovery does not count 5 refused writes:\n%s", log.buf.String())
				}
			})
		})
	}
}
