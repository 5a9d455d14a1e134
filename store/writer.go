package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"hoithi/quiz"
	"hoithi/store/internal/batch"
)

// writer owns the only write connection. Callers queue operations; the
// writer runs a queue's worth of them in one transaction, commits once (one
// fsync of the WAL at synchronous=FULL), and only then tells each caller it
// is done. Under load the queue fills while the previous commit syncs, so
// the batch grows with the load and the cost of a sync is shared.
type writer struct {
	db       *sql.DB
	maxBatch int
	observer Observer
	log      *slog.Logger

	// The writer's own: since when the database has refused writes (zero
	// while it takes them) and how many operations were refused since.
	faultSince time.Time
	refused    int

	queue *batch.Queue[*writeOp]
	done  chan struct{}
}

type writeOp struct {
	fn   func(*sql.Tx) error
	err  error
	done chan error
}

// errClosed is returned for writes queued after Close.
var errClosed = errors.New("store: closed")

func startWriter(db *sql.DB, opts Options) *writer {
	w := &writer{
		db: db, maxBatch: opts.MaxBatch, observer: opts.Observer, log: opts.Log,
		queue: batch.New[*writeOp](opts.MaxBatch, opts.MaxWait), done: make(chan struct{}),
	}
	go w.run()
	return w
}

// write runs fn in a write transaction and returns once that transaction is
// committed (or has failed). fn may run more than once, in a batch that is
// retried, so it must only assign its results, never accumulate them. By
// convention an fn that returns a *quiz.Error has changed nothing, so the
// rest of its batch commits; any other error rolls back the batch, which is
// then retried with each operation in a savepoint of its own.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	op := &writeOp{fn: fn, done: make(chan error, 1)}
	if err := db.writer.queue.Put(ctx, op); err != nil {
		if errors.Is(err, batch.ErrClosed) {
			return errClosed
		}
		return err
	}
	// Once queued, the operation will run: wait for its outcome even if ctx
	// ends, so that the caller never reports as failed a write that lands.
	return <-op.done
}

// close commits what is queued and stops the writer.
func (w *writer) close() {
	w.queue.Close()
	<-w.done
}

func (w *writer) run() {
	defer close(w.done)
	ops := make([]*writeOp, 0, w.maxBatch)
	for {
		var ok bool
		if ops, ok = w.queue.Next(ops); !ok {
			return
		}
		w.commit(ops)
	}
}

func (w *writer) commit(ops []*writeOp) {
	start := time.Now()
	err := w.runBatch(ops, false)
	if err != nil && len(ops) > 1 {
		err = w.runBatch(ops, true)
	}
	if err != nil {
		for _, op := range ops {
			op.err = err
		}
	}
	if w.observer != nil {
		w.observer.Committed(len(ops), time.Since(start), err)
	}
	w.noteFault(ops, err)
	for _, op := range ops {
		op.done <- op.err
		op.fn = nil
	}
}

// noteFault turns the errors of a database that cannot be written (a full
// disk, a read-only or failing file system) into storage_unavailable, so
// that clients learn their write was refused and may be sent again, and
// logs such a fault once when it begins and once when writes succeed
// again, however many operations it refuses in between.
func (w *writer) noteFault(ops []*writeOp, err error) {
	cause := ""
	for _, op := range ops {
		if op.err == nil {
			continue
		}
		if c, ok := storageFault(op.err); ok {
			cause = c
			op.err = &quiz.Error{Code: quiz.CodeStorageUnavailable, Message: "the database cannot be written: " + op.err.Error()}
			w.refused++
		}
	}
	switch {
	case cause != "" && w.faultSince.IsZero():
		w.faultSince = time.Now()
		w.log.Error("the database cannot be written: every write is refused with storage_unavailable until it can",
			"cause", cause, "err", err)
	case err == nil && !w.faultSince.IsZero():
		w.log.Warn("the database is written again", "refused", w.refused, "after", time.Since(w.faultSince).Round(time.Millisecond))
		w.faultSince, w.refused = time.Time{}, 0
	}
}

// storageFault reports whether err is the database's file system refusing
// a write, rather than a fault of the write itself, and names the cause.
func storageFault(err error) (cause string, ok bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return "", false
	}
	switch se.SystemErrno {
	case syscall.ENOSPC, syscall.EDQUOT:
		return "disk full", true
	case syscall.EROFS, syscall.EPERM, syscall.EACCES:
		return "read-only", true
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return "disk full", true
	case sqlite3.ErrReadonly:
		return "read-only", true
	case sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		return "i/o error", true
	}
	return "", false
}

// runBatch runs the batch in one transaction. Without savepoints, an
// operation's error other than a *quiz.Error fails the whole batch; with
// them, it fails only that operation. The error returned is one that fails
// every operation.
func (w *writer) runBatch(ops []*writeOp, savepoints bool) error {
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	for _, op := range ops {
		if !savepoints {
			op.err = op.fn(tx)
			var qe *quiz.Error
			if op.err != nil && !errors.As(op.err, &qe) {
				return op.err
			}
			continue
		}
		if _, err := tx.Exec("SAVEPOINT op"); err != nil {
			return fmt.Errorf("store: savepoint: %w", err)
		}
		op.err = op.fn(tx)
		if op.err != nil {
			if _, err := tx.Exec("ROLLBACK TO op"); err != nil {
				return fmt.Errorf("store: rollback to savepoint: %w", err)
			}
		}
		if _, err := tx.Exec("RELEASE op"); err != nil {
			return fmt.Errorf("store: release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
