package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"hoithi/quiz"
)

// journal is where each attempt's rows in answer_journal are (migration
// 0021): the table has no index by attempt, so that the answers of one
// commit share its last page instead of each landing on a page of its own.
//
// The writer adds a row as it inserts it, inside the transaction, so that
// a submission later in the same batch counts it; a row whose transaction
// does not commit is removed again (SaveAnswer). Reads on the read pool
// may thus meet the seq of a row not yet committed, and find nothing for
// it. A submission scores the attempt from its rows as kept here; they
// move into answers later, in batches, once submissions pause (the end of
// a rush is the busiest moment of a round), and only then does the
// journal forget them. Until then reads find them in the journal.
type journal struct {
	mu   sync.Mutex
	rows map[int64][]journalRow // attempt id → its rows, in order

	settle       []int64   // submitted attempts whose rows wait to move
	firstWaiting time.Time // since when the first of them waits
	lastSubmit   time.Time // when the last of them was submitted

	// appended counts the rows added since the front was last deleted.
	appended int
}

const (
	// journalSweepEvery is how many rows are appended between two
	// deletions of the journal's front (about 60 bytes each).
	journalSweepEvery = 20000
	// settleQuiet is how long submissions must pause before the waiting
	// answers move, and settleLatest how long any waits at most.
	settleQuiet  = time.Second
	settleLatest = 30 * time.Second
	// settleBatch is how many attempts' answers move in one transaction.
	settleBatch = 200
)

// journalRow is what a submission needs of a row: which question it
// answers and whether rightly.
type journalRow struct {
	seq, question int64
	correct       bool
}

func (j *journal) add(attemptID int64, row journalRow) {
	j.mu.Lock()
	j.rows[attemptID] = append(j.rows[attemptID], row)
	j.appended++
	j.mu.Unlock()
}

// remove forgets the row seq of the attempt, inserted by a transaction
// that did not commit.
func (j *journal) remove(attemptID, seq int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	rows := j.rows[attemptID]
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].seq == seq {
			if rows = slices.Delete(rows, i, i+1); len(rows) == 0 {
				delete(j.rows, attemptID)
			} else {
				j.rows[attemptID] = rows
			}
			return
		}
	}
}

// right sets in out, for each question the attempt's rows answer, whether
// the latest of them is right.
func (j *journal) right(attemptID int64, out map[int64]bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range j.rows[attemptID] {
		out[r.question] = r.correct
	}
}

// of returns the seqs of the attempt's rows, as a JSON array for
// json_each, or "" when it has none.
func (j *journal) of(attemptID int64) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	rows := j.rows[attemptID]
	if len(rows) == 0 {
		return ""
	}
	b := make([]byte, 0, 2+len(rows)*12)
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, r.seq, 10)
	}
	return string(append(b, ']'))
}

// submitted notes a submitted attempt whose answers are to move.
func (j *journal) submitted(attemptID int64, at time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.rows[attemptID]) == 0 {
		return
	}
	if len(j.settle) == 0 {
		j.firstWaiting = at
	}
	j.settle = append(j.settle, attemptID)
	j.lastSubmit = at
}

// due returns the attempts whose answers are to move at now, at most
// settleBatch: once submissions have paused for settleQuiet, or the first
// has waited settleLatest.
func (j *journal) due(now time.Time) []int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.settle) == 0 || (now.Sub(j.lastSubmit) < settleQuiet && now.Sub(j.firstWaiting) < settleLatest) {
		return nil
	}
	return slices.Clone(j.settle[:min(settleBatch, len(j.settle))])
}

// settled forgets the attempts whose answers have moved, the first ones
// waiting.
func (j *journal) settled(ids []int64, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range ids {
		delete(j.rows, id)
	}
	j.settle = j.settle[len(ids):]
	j.firstWaiting = now
}

// sweepDue tells whether the journal's front is due to be deleted: after
// journalSweepEvery rows, or once no attempt has a row left. n is the
// count of appended rows that deletion accounts for (swept).
func (j *journal) sweepDue() (n int, due bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.appended == 0 || (j.appended < journalSweepEvery && len(j.rows) > 0) {
		return 0, false
	}
	return j.appended, true
}

// swept notes that the front was deleted after n rows were appended; a
// deletion that failed leaves the count, and the next tick tries again.
func (j *journal) swept(n int) {
	j.mu.Lock()
	j.appended -= n
	j.mu.Unlock()
}

// front is the first seq an attempt still needs: every row before it
// belongs to an attempt whose answers have moved.
func (j *journal) front() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	first := int64(math.MaxInt64)
	for _, rows := range j.rows {
		if len(rows) > 0 {
			first = min(first, rows[0].seq)
		}
	}
	return first
}

// moveAnswers is the statement that copies the journal's rows matching
// where into answers, in order, so that the latest to a question takes
// the place of the earlier ones and of one already there.
func moveAnswers(where string) string {
	return `INSERT INTO answers (attempt_id, question_id, option_ids, correct, answered_at)
	SELECT attempt_id, question_id, option_ids, correct, answered_at FROM answer_journal
	WHERE ` + where + `
	ORDER BY seq
	ON CONFLICT (attempt_id, question_id) DO UPDATE SET
		option_ids = excluded.option_ids, correct = excluded.correct, answered_at = excluded.answered_at`
}

// settleQuery moves attempt ?2's journal rows ?1 (a JSON array of seqs).
var settleQuery = moveAnswers("seq IN (SELECT value FROM json_each(?1)) AND attempt_id = ?2")

// emptyJournal moves every row of the journal into answers, the latest to
// each question, and deletes them, before the writer starts: after a
// stop, a crash or the restore of a backup, the memory of where each
// attempt's rows are is gone. A running attempt's answers are then in
// answers, where its later ones in the journal overlay them.
func (db *DB) emptyJournal(ctx context.Context) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: empty the answer journal: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{moveAnswers("true"), "DELETE FROM answer_journal"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: empty the answer journal: %w", err)
		}
	}
	return tx.Commit()
}

// settleJournal moves the answers of submitted attempts into answers as
// they come due, until stop closes. What is left then moves when the
// database is opened again (emptyJournal).
func (db *DB) settleJournal(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(settleQuiet / 4)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-stop:
			return
		}
		for ids := db.journal.due(time.Now()); len(ids) > 0; ids = db.journal.due(time.Now()) {
			if err := db.settle(ids); err != nil {
				db.settleFailed("the answers of submitted attempts stay in the journal until a later try", err)
				break
			}
		}
		if n, due := db.journal.sweepDue(); due {
			if err := db.sweepJournal(); err != nil {
				db.settleFailed("the journal's front stays until a later try", err)
			} else {
				db.journal.swept(n)
			}
		}
	}
}

// settleFailed logs a move or a deletion the mover will try again, unless
// the database cannot be written: the writer logs that, once.
func (db *DB) settleFailed(msg string, err error) {
	var qe *quiz.Error
	if !errors.Is(err, errClosed) && !(errors.As(err, &qe) && qe.Code == quiz.CodeStorageUnavailable) {
		db.log.Warn(msg, "err", err)
	}
}

// settle moves the answers of the submitted attempts ids into answers.
func (db *DB) settle(ids []int64) error {
	err := db.write(context.Background(), func(tx *sql.Tx) error {
		stmt := tx.Stmt(db.settleAnswers)
		for _, id := range ids {
			if seqs := db.journal.of(id); seqs != "" {
				if _, err := stmt.Exec(seqs, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.journal.settled(ids, time.Now())
	return nil
}

// sweepJournal deletes the journal's rows before the first one an attempt
// still needs. The front is found in the writer, so that no answer is
// added between finding it and deleting before it.
func (db *DB) sweepJournal() error {
	return db.write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("DELETE FROM answer_journal WHERE seq < ?", db.journal.front())
		return err
	})
}

// journalAnswers overlays the attempt's journal rows journaled (a JSON
// array of seqs from journal.of), oldest first, on its answers read from
// answers. Both are read in one transaction whose snapshot is taken after
// journaled was: a row that journaled names is then either in the
// snapshot's journal or, moved and swept before the snapshot, in its
// answers.
func journalAnswers(ctx context.Context, q querier, attemptID int64, journaled string, out map[int64][]int64) error {
	if journaled == "" {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT question_id, option_ids FROM answer_journal
		WHERE seq IN (SELECT value FROM json_each(?1)) AND attempt_id = ?2 ORDER BY seq`, journaled, attemptID)
	if err != nil {
		return err
	}
	return scanAnswers(rows, out)
}
