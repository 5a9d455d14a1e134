// Package postgres keeps hoithi's data in a PostgreSQL database, for
// several hoithi nodes that share one database. It is the SQLite store's
// twin (package store): the same schema, the same rules and the same
// errors; what differs is said where it differs. The answers, starts and
// submissions of the play path go through one writer goroutine that sends
// a group of them in one transaction and one round trip (writer.go); other
// writes are transactions of their own.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hoithi/quiz"
)

// Options tune a DB. The zero value is the production setting.
type Options struct {
	// MaxBatch is the most operations committed in one transaction
	// (default 256). 1 commits every operation on its own.
	MaxBatch int
	// MaxWait is how long the writer waits for more operations after the
	// first of a batch (default 0: it takes what has queued up while the
	// previous commit was under way, and no more).
	MaxWait time.Duration
	// ReadConns is the size of the read pool (default: 2 × cores, at least 4).
	ReadConns int
	// WriteTimeout bounds one batch's round trips (default 30 s), so that
	// a server that stops answering fails the batch instead of holding
	// every answer behind it.
	WriteTimeout time.Duration
	// Observer is told of every transaction the writer commits or fails;
	// may be nil. The SQLite store's observers satisfy it.
	Observer Observer
	Log      *slog.Logger
}

// Observer receives the writer's figures, for metrics.
type Observer interface {
	Committed(ops int, took time.Duration, err error)
}

// DB is the PostgreSQL store.
type DB struct {
	w      *pgxpool.Pool // the writer's connection, and the other writes'
	r      *pgxpool.Pool // reads
	writer *writer
	log    *slog.Logger

	roundMu    sync.Mutex
	roundCache map[int64]cachedRound
}

// Open connects to the database at url (postgres://…), migrates it and
// starts the writer.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, 2*runtime.NumCPU())
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	// The writer holds one connection at a time; the other writes (the
	// catalog, accounts) get a few more, so that they do not queue behind
	// a batch.
	w, err := newPool(ctx, url, "hoithi writer", 4)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	r, err := newPool(ctx, url, "hoithi reader", opts.ReadConns)
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{w: w, r: r, log: opts.Log, roundCache: map[int64]cachedRound{}}
	db.writer = startWriter(w, opts)
	return db, nil
}

// newPool opens a pool of at most conns connections, named name in the
// server's pg_stat_activity, each of which acknowledges a commit only once
// it is flushed to disk (synchronous_commit=on), whatever the server's
// default: an acknowledged answer must survive a crash of the database
// server.
func newPool(ctx context.Context, url, name string, conns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse the database URL: %w", err)
	}
	cfg.MaxConns = int32(conns)
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	cfg.ConnConfig.RuntimeParams["application_name"] = name
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return pool, nil
}

// Close commits every write already queued, then closes the connections.
func (db *DB) Close() error {
	db.writer.close()
	db.r.Close()
	db.w.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.r.Ping(ctx)
}

// inTx runs fn in a read-write transaction of its own and commits it,
// for the writes that do not go through the writer. fn's *quiz.Error is
// returned as it is; a storage fault becomes CodeStorageUnavailable.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, db.w, fn)
	if _, fault := storageFault(err); fault {
		return unavailable(err)
	}
	return err
}

// readTx runs fn in a read-only transaction that sees one snapshot, as a
// read transaction of SQLite does.
func (db *DB) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.r, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// ms and fromMs convert times to and from the stored milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMs(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMs(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMs(*v)
	return &t
}

// SQLSTATE codes the store tells apart (PostgreSQL, appendix A).
const (
	codeUniqueViolation = "23505"
	codeReadOnlyTx      = "25006"
	codeDiskFull        = "53100"
	codeOutOfMemory     = "53200"
	codeTooManyConns    = "53300"
	codeAdminShutdown   = "57P01"
	codeCrashShutdown   = "57P02"
	codeCannotConnect   = "57P03"
	codeIOError         = "58030"
)

// isUnique reports whether err is a violation of a UNIQUE or PRIMARY KEY
// constraint, by its SQLSTATE.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == codeUniqueViolation
}

// notFound turns pgx.ErrNoRows into the quiz error for a missing kind.
func notFound(err error, kind string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return quiz.NotFound(kind)
	}
	return err
}

// storageFault reports whether err is the database refusing or failing to
// take a write, rather than a fault of the write itself, and names the
// cause: a connection lost or refused, a server that is read-only (a hot
// standby, default_transaction_read_only), out of disk or memory, or
// shutting down. The same request may succeed once the cause is gone.
func storageFault(err error) (cause string, ok bool) {
	if err == nil {
		return "", false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == codeReadOnlyTx:
			return "read-only", true
		case pe.Code == codeDiskFull:
			return "disk full", true
		case pe.Code == codeOutOfMemory || pe.Code == codeTooManyConns:
			return "out of resources", true
		case pe.Code == codeAdminShutdown || pe.Code == codeCrashShutdown || pe.Code == codeCannotConnect:
			return "server shutting down or starting", true
		case pe.Code == codeIOError:
			return "i/o error", true
		case len(pe.Code) == 5 && pe.Code[:2] == "08": // connection exception
			return "connection lost", true
		}
		return "", false
	}
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce):
		return "cannot connect", true
	case pgconn.Timeout(err):
		return "timeout", true
	case errors.Is(err, pgconn.ErrConnClosed), connectionLost(err):
		return "connection lost", true
	}
	return "", false
}

// unavailable wraps a storage fault as the quiz error clients act on.
func unavailable(err error) error {
	return &quiz.Error{Code: quiz.CodeStorageUnavailable, Message: "the database cannot be written: " + err.Error()}
}

// connectionLost reports whether err is the network failing under a
// connection: the server gone, the socket reset or closed.
func connectionLost(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
