package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB, opts Options) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "hoithi.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	db := openTest(t, Options{})
	for name, conn := range map[string]*sql.DB{"writer": db.w, "reader": db.r} {
		var journal string
		var sync, fk int
		if err := conn.QueryRow("PRAGMA journal_mode").Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || sync != 2 || fk != 1 {
			t.Errorf("%s: journal_mode=%s synchronous=%d foreign_keys=%d, want wal, 2 (FULL), 1", name, journal, sync, fk)
		}
	}
	if _, err := db.r.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')"); err == nil {
		t.Error("the read pool accepted a write")
	}
	// The writer's connection keeps the WAL's larger size, also when
	// database/sql opens it again.
	for range 2 {
		var pages int
		if err := db.w.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if pages != walPages {
			t.Errorf("writer: wal_autocheckpoint=%d, want %d", pages, walPages)
		}
		conn, err := db.w.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql drops it
		conn.Close()
	}
}

func TestMigrationsRunOnceAcrossOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hoithi.db")
	for range 2 {
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.r.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := fs.Glob(migrations, "migrations/*.sql")
		if want := len(files) + len(codeMigrations); n != want || n < 5 {
			t.Errorf("%d migrations recorded, want %d", n, want)
		}
		if err := db.r.QueryRow("SELECT count(*) FROM consent_texts").Scan(&n); err != nil || n != 2 {
			t.Errorf("%d consent texts (%v), want 2", n, err)
		}
		db.Close()
	}
}

type countingObserver struct {
	mu      sync.Mutex
	batches int
	ops     int
	maxOps  int
}

func (c *countingObserver) Committed(ops int, _ time.Duration, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches++
	c.ops += ops
	c.maxOps = max(c.maxOps, ops)
}

func TestWriterGroupsConcurrentWrites(t *testing.T) {
	obs := &countingObserver{}
	db := openTest(t, Options{Observer: obs})
	ctx := context.Background()
	const writers = 200
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.write(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO settings (key, value) VALUES (?, 'v')", fmt.Sprint("k", i))
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	db.r.QueryRow("SELECT count(*) FROM settings WHERE key LIKE 'k%'").Scan(&n)
	if n != writers {
		t.Fatalf("%d rows, want %d", n, writers)
	}
	if obs.ops != writers {
		t.Errorf("observer saw %d operations, want %d", obs.ops, writers)
	}
	if obs.batches >= writers {
		t.Errorf("%d commits for %d concurrent writes: nothing was grouped", obs.batches, writers)
	}
}

func TestWriterIsolatesAFailingOperation(t *testing.T) {
	db := openTest(t, Options{MaxWait: 20 * time.Millisecond})
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, 3)
	for i, fn := range []func(*sql.Tx) error{
		func(tx *sql.Tx) error { _, err := tx.Exec("INSERT INTO settings VALUES ('a', '1')"); return err },
		func(tx *sql.Tx) error {
			if _, err := tx.Exec("INSERT INTO settings VALUES ('half', '1')"); err != nil {
				return err
			}
			return boom // after a write: must be rolled back alone
		},
		func(tx *sql.Tx) error { _, err := tx.Exec("INSERT INTO settings VALUES ('c', '1')"); return err },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = db.write(ctx, fn)
		}()
	}
	wg.Wait()
	if results[0] != nil || results[2] != nil || !errors.Is(results[1], boom) {
		t.Fatalf("results %v, want nil, boom, nil", results)
	}
	for key, want := range map[string]bool{"a": true, "half": false, "c": true} {
		_, ok, err := db.Setting(ctx, key)
		if err != nil || ok != want {
			t.Errorf("setting %s stored=%v (%v), want %v", key, ok, err, want)
		}
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	if _, err := db.EnsureSetting(ctx, "marker", "before"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Error("a second backup overwrote the first")
	}
	copyDB, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	v, ok, err := copyDB.Setting(ctx, "marker")
	if err != nil || !ok || v != "before" {
		t.Errorf("backup holds marker=%q (%v, %v), want before", v, ok, err)
	}
}
