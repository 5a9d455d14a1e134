// Package store keeps hoithi's data in one SQLite file. Every write goes
// through a single writer goroutine that commits in groups (see writer.go);
// reads use a small pool of read-only connections.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"hoithi/quiz"
)

// Options tune a DB. The zero value is the production setting.
type Options struct {
	// MaxBatch is the most operations committed in one transaction
	// (default 256). 1 commits every operation on its own.
	MaxBatch int
	// MaxWait is how long the writer waits for more operations after the
	// first of a batch (default 0: it takes what has queued up while the
	// previous commit was syncing, and no more).
	MaxWait time.Duration
	// ReadConns is the size of the read pool (default: 2 × cores, at least 4).
	ReadConns int
	// Observer is told of every commit; may be nil.
	Observer Observer
	Log      *slog.Logger
}

// Observer receives the writer's figures, for metrics.
type Observer interface {
	Committed(ops int, took time.Duration, err error)
}

// DB is the SQLite store.
type DB struct {
	path   string
	w      *sql.DB // exactly one connection: all writes
	r      *sql.DB // read-only pool
	writer *writer
	log    *slog.Logger

	roundMu    sync.Mutex
	roundCache map[int64]cachedRound

	journal  *journal      // where the answers in answer_journal are
	settling chan struct{} // closed to stop settleJournal
	settled  chan struct{} // closed once it has stopped
	closing  sync.Once

	// Statements of the answer path and of starting an attempt, prepared
	// once on the write connection.
	journalAnswer *sql.Stmt
	settleAnswers *sql.Stmt
	settledRight  *sql.Stmt
	countAttempts *sql.Stmt
	insertAttempt *sql.Stmt

	// Reads of every start, prepared on the read pool (each connection
	// prepares them once, when it first runs them).
	entryFacts  *sql.Stmt
	bankVersion *sql.Stmt

	// betweenAnswerReads, set only by tests, runs inside a read of an
	// attempt's answers after its snapshot is taken and before its
	// journal rows are read: where a move of the journal would race it.
	betweenAnswerReads func()
}

// dsn builds a mattn/go-sqlite3 connection string whose pragmas every
// pooled connection gets. mattn sets synchronous=NORMAL along with WAL; an
// acknowledged answer must survive a power cut, so it is FULL here.
//
// Each connection keeps up to 64 statements it has prepared for the next
// query with the same text. Without that, every query written in place
// (a submission's update, a socket's first-shown update) is parsed and
// planned again each time it runs: two thirds of a submission's cost in
// the writer (go test ./store -run '^$' -bench SubmitAttempt: 69 µs a
// submission without the cache, at 4559bf8, and 21 µs with it).
func dsn(path string, readOnly bool) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	params := "_stmt_cache_size=64&_busy_timeout=10000&_journal_mode=WAL&_foreign_keys=on&_synchronous=FULL"
	// Pages kept in memory by each connection (SQLite's default is 2 MiB):
	// the writer's answers and starts look up attempts, questions and
	// their indexes, which a round's opening rush spreads over far more
	// than that; each page not kept is a system call to read it again.
	// The cache grows only as pages are used.
	if readOnly {
		params += "&_query_only=true&_cache_size=-16384" // 16 MiB each
	} else {
		params += "&_txlock=immediate&_cache_size=-65536" // 64 MiB
	}
	return "file:" + escaped + "?" + params
}

// walPages is how many pages the WAL may hold before a commit copies them
// back into the database (SQLite's default is 1,000). In a round under way
// the writer rewrites the same pages again and again (the answer journal's
// last page; a submission touches its attempt's); each checkpoint copies
// every page changed since the last one, once, and syncs the database
// file, on the writer's time. Fewer, larger checkpoints copy a page
// rewritten many times once instead of many times, and the WAL may grow
// to about 80 MB between them. With 10,000 contestants at once
// (cmd/hoithi-load/pinned.sh -contestants 10000 -watchers 100 -think 1s,
// four runs each, alternating) the ack p99 fell from 296–535 ms to
// 226–433 ms, docs/PERFORMANCE.md.
const walPages = 20000

// writerDriver is SQLite for the connections that write: each one gets
// the WAL's size before a checkpoint when it opens, so that a connection
// database/sql replaces has it too.
const writerDriver = "sqlite3-hoithi-writer"

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walPages), nil)
		return err
	}})
}

// Open opens (creating if needed) and migrates the database at path, and
// starts its writer.
func Open(path string, opts Options) (*DB, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, 2*runtime.NumCPU())
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if err := ownerOnly(path, opts.Log); err != nil {
		return nil, err
	}
	w, err := sql.Open(writerDriver, dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(context.Background(), w); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: migrate %s: %w", path, err)
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(opts.ReadConns)
	r.SetMaxIdleConns(opts.ReadConns)
	db := &DB{path: path, w: w, r: r, log: opts.Log, roundCache: map[int64]cachedRound{},
		journal: &journal{rows: map[int64][]journalRow{}}}
	if err := db.emptyJournal(context.Background()); err != nil {
		db.r.Close()
		db.w.Close()
		return nil, err
	}
	if err := db.prepare(); err != nil {
		db.r.Close()
		db.w.Close()
		return nil, err
	}
	db.writer = startWriter(w, opts)
	db.settling, db.settled = make(chan struct{}), make(chan struct{})
	go db.settleJournal(db.settling, db.settled)
	return db, nil
}

// fileMode is the mode of the database, its -wal and -shm files and its
// backups: they hold personal data and password hashes, for the account
// that runs hoithi alone.
const fileMode fs.FileMode = 0o600

// ownerOnly creates a new database file with fileMode before SQLite opens
// it (SQLite gives the -wal and -shm files the main file's mode), and
// tightens the files of an existing database that others may read. A mode
// that cannot be tightened (a file of another account) is logged.
func ownerOnly(path string, log *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if err != nil || info.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(name, fileMode); err != nil {
			log.Warn("the database is readable by other accounts and its mode could not be tightened",
				"file", name, "mode", info.Mode().Perm().String(), "err", err)
			continue
		}
		log.Info("database file tightened to owner-only", "file", name, "was", info.Mode().Perm().String())
	}
	return nil
}

// Close commits every write already queued, then closes the database.
func (db *DB) Close() error {
	db.closing.Do(func() { close(db.settling) })
	<-db.settled
	db.writer.close()
	return errors.Join(db.closeStatements(), db.r.Close(), db.w.Close())
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// prepare readies the statements run for every answer and every attempt,
// before the writer takes the connection. Inside a transaction on the same
// connection, tx.Stmt reuses them without preparing again.
func (db *DB) prepare() error {
	on := func(conn *sql.DB) func(dst **sql.Stmt, query string) error {
		return func(dst **sql.Stmt, query string) error {
			var err error
			if *dst, err = conn.Prepare(query); err != nil {
				return fmt.Errorf("store: prepare: %w", err)
			}
			return nil
		}
	}
	stmt, read := on(db.w), on(db.r)
	errs := []error{
		stmt(&db.journalAnswer, `INSERT INTO answer_journal (attempt_id, question_id, option_ids, correct, answered_at)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM attempts WHERE id = ?1 AND submitted_at IS NULL
			AND EXISTS (SELECT 1 FROM json_each(question_ids) WHERE value = ?2))`),
		stmt(&db.settleAnswers, settleQuery),
		stmt(&db.settledRight, "SELECT question_id, correct FROM answers WHERE attempt_id = ?"),
		// The contestant's attempts at the round: how many, the last number,
		// and the number of the latest one still running at ?1 (not
		// submitted, its deadline ahead), in one pass over them. (The
		// running one as a subquery ordered by number cost four to five
		// times as much: BenchmarkCountAttempts.)
		stmt(&db.countAttempts, `SELECT count(*), coalesce(max(number), 0),
				max(CASE WHEN submitted_at IS NULL AND deadline > ?1 THEN number END)
			FROM attempts WHERE round_id = ?2 AND user_id = ?3`),
		stmt(&db.insertAttempt, `INSERT INTO attempts (id, round_id, user_id, number, seed, question_count, started_at, deadline,
			question_ids, option_orders) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		read(&db.entryFacts, entryFactsQuery),
		read(&db.bankVersion, "SELECT version FROM banks WHERE id = ?"),
	}
	if err := errors.Join(errs...); err != nil {
		db.closeStatements()
		return err
	}
	return nil
}

func (db *DB) closeStatements() error {
	var errs []error
	for _, st := range []*sql.Stmt{db.journalAnswer, db.settleAnswers, db.settledRight, db.countAttempts, db.insertAttempt,
		db.entryFacts, db.bankVersion} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// Backup writes a consistent copy of the live database to path, which must
// not exist yet. It works while a server writes to the same file. The copy
// is made owner-only before anything is written to it.
func (db *DB) Backup(ctx context.Context, path string) (err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: backup: %s already exists", path)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("store: backup: %w", cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	conn, err := sql.Open("sqlite3", dsn(db.path, false))
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	// VACUUM INTO writes into an empty file as into a new one.
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: backup: sync %s: %w", path, err)
	}
	return nil
}

// EraseSetting deletes a setting so that no copy of its value stays in the
// database's files: the deleted row's page is overwritten with zeros
// (secure_delete) and the WAL, which may still hold older copies of that
// page, is checkpointed and truncated. It reports whether the setting was
// there. Copies in backups taken before, or in pages freed long before,
// are out of its reach.
func (db *DB) EraseSetting(ctx context.Context, key string) (bool, error) {
	pool, err := sql.Open(writerDriver, dsn(db.path, false)+"&_secure_delete=on")
	if err != nil {
		return false, fmt.Errorf("store: erase setting %s: %w", key, err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	res, err := pool.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", key)
	if err != nil {
		return false, fmt.Errorf("store: erase setting %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	var busy, logFrames, checkpointed int
	if err := pool.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed); err != nil {
		return true, fmt.Errorf("store: erase setting %s: checkpoint: %w", key, err)
	}
	if busy != 0 {
		db.log.Warn("the WAL could not be truncated after erasing a setting: another process is reading; older copies go at a later checkpoint",
			"setting", key)
	}
	return true, nil
}

// Setting returns a stored setting; ok is false when it is not set.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return value, true, nil
}

// EnsureSetting stores value under key unless the key already has a value,
// and returns the value in force. Two processes racing get the same answer.
func (db *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var stored string
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value); err != nil {
			return err
		}
		return tx.QueryRow("SELECT value FROM settings WHERE key = ?", key).Scan(&stored)
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return stored, nil
}

// ms and fromMs convert times to and from the stored milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMs(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMs(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMs(v.Int64)
	return &t
}

// isUnique reports whether err is a violation of a UNIQUE or PRIMARY KEY
// constraint, by the driver's extended code; column names the violated
// column when the message gives it.
func isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}

// notFound turns sql.ErrNoRows into the quiz error for a missing kind.
func notFound(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.NotFound(kind)
	}
	return err
}
