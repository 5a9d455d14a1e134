package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hoithi/quiz"
	"hoithi/store/internal/batch"
)

// writer commits the play path's writes (answers, starts, submissions) in
// groups, as the SQLite store's writer does: callers queue operations; the
// writer takes what is queued, sends the statements of all of them with
// the BEGIN in one round trip (a pgx.Batch, pipelined), commits in a
// second, and only then tells each caller it is done. Under load the queue
// fills during a commit, so the group grows with the load and many
// contestants share two round trips and one flush of the WAL.
//
// An operation cannot read a result and then decide what to send: all of
// its statements are sent before any result comes back. Each is therefore
// written so that its SQL decides (a conditional insert or update) and its
// results only say what happened.
type writer struct {
	pool     *pgxpool.Pool
	maxBatch int
	timeout  time.Duration
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
	queue func(q queued)
	err   error
	done  chan error
}

// queued is an operation's place in the batch it is sent in.
type queued struct {
	batch *pgx.Batch
	op    *writeOp
}

// row queues a statement that returns one row, read by scan. A *quiz.Error
// from scan refuses the operation, whose statements must then have changed
// nothing, and the rest of the batch commits; any other error fails the
// batch, which is then run again one operation at a time.
func (q queued) row(scan func(pgx.Row) error, sql string, args ...any) {
	op := q.op
	q.batch.Queue(sql, args...).QueryRow(func(row pgx.Row) error {
		err := scan(row)
		var qe *quiz.Error
		if errors.As(err, &qe) {
			if op.err == nil {
				op.err = err
			}
			return nil
		}
		return err
	})
}

// exec queues a statement whose result only matters when it fails.
func (q queued) exec(sql string, args ...any) {
	q.batch.Queue(sql, args...)
}

// errClosed is returned for writes queued after Close.
var errClosed = errors.New("postgres: closed")

func startWriter(pool *pgxpool.Pool, opts Options) *writer {
	w := &writer{
		pool: pool, maxBatch: opts.MaxBatch, timeout: opts.WriteTimeout,
		observer: opts.Observer, log: opts.Log,
		queue: batch.New[*writeOp](opts.MaxBatch, opts.MaxWait), done: make(chan struct{}),
	}
	go w.run()
	return w
}

// write queues an operation and returns once the transaction it ran in is
// committed (or has failed). queue may run more than once, when its batch
// is run again, so it must only assign its results, never accumulate them.
func (db *DB) write(ctx context.Context, queue func(q queued)) error {
	op := &writeOp{queue: queue, done: make(chan error, 1)}
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
	err := w.runObserved(ops)
	_, fault := storageFault(err)
	switch {
	case err != nil && len(ops) > 1 && !fault:
		// One operation's fault, or a deadlock with another node's batch,
		// fails the whole batch: each operation runs again in a
		// transaction of its own, so that only a faulty one fails. A
		// database that cannot be written would refuse each of them too.
		for _, op := range ops {
			if opErr := w.runObserved([]*writeOp{op}); opErr != nil {
				op.err = opErr
			}
		}
	case err != nil:
		for _, op := range ops {
			op.err = err
		}
	}
	w.noteFault(ops)
	for _, op := range ops {
		op.done <- op.err
		op.queue = nil
	}
}

// runObserved runs ops in one transaction and tells the observer.
func (w *writer) runObserved(ops []*writeOp) error {
	start := time.Now()
	err := w.runBatch(ops)
	if w.observer != nil {
		w.observer.Committed(len(ops), time.Since(start), err)
	}
	return err
}

// runBatch runs ops in one transaction: BEGIN and every statement in one
// round trip, COMMIT in the next. An operation refused by its results
// (a *quiz.Error in op.err) commits with the others. The error returned
// fails every operation of ops.
func (w *writer) runBatch(ops []*writeOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	defer cancel()
	conn, err := w.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Release()
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	for _, op := range ops {
		op.err = nil
		op.queue(queued{b, op})
	}
	results := conn.SendBatch(ctx, b)
	tx := results.Tx()
	if err := results.Close(); err != nil {
		tx.Rollback(ctx)
		return fmt.Errorf("postgres: batch: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// noteFault turns the errors of a database that cannot be written into
// storage_unavailable, so that clients learn their write was refused and
// may send it again, and logs such a fault once when it begins and once
// when writes succeed again.
func (w *writer) noteFault(ops []*writeOp) {
	cause, wrote := "", false
	var first error
	for _, op := range ops {
		var qe *quiz.Error
		if op.err == nil || errors.As(op.err, &qe) {
			wrote = true
			continue
		}
		if c, ok := storageFault(op.err); ok {
			cause, first = c, op.err
			op.err = unavailable(op.err)
			w.refused++
		}
	}
	switch {
	case cause != "" && w.faultSince.IsZero():
		w.faultSince = time.Now()
		w.log.Error("the database cannot be written: every write is refused with storage_unavailable until it can",
			"cause", cause, "err", first)
	case cause == "" && wrote && !w.faultSince.IsZero():
		w.log.Warn("the database is written again", "refused", w.refused, "after", time.Since(w.faultSince).Round(time.Millisecond))
		w.faultSince, w.refused = time.Time{}, 0
	}
}
