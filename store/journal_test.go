package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hoithi/quiz"
)

// journalRound is an open round with n contestants, each with an attempt
// started at now.
type journalRound struct {
	db       *DB
	attempts []quiz.Attempt
	drawn    [][]quiz.DrawnQuestion
}

func newJournalRound(t testing.TB, db *DB, now time.Time, n int) journalRound {
	t.Helper()
	ctx := context.Background()
	round, pool := benchRound(t, db, now)
	r := journalRound{db: db}
	for i := range n {
		u, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "x", Phone: fmt.Sprintf("09%08d", i), CreatedAt: now}, "h", nil)
		if err != nil {
			t.Fatal(err)
		}
		var seed quiz.Seed
		seed[0] = byte(i)
		drawn, _ := quiz.Draw(pool.Questions, 20, nil, seed)
		a, _, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: u.ID, Seed: seed, StartedAt: now,
			Deadline: now.Add(time.Hour), Questions: drawn})
		if err != nil {
			t.Fatal(err)
		}
		r.attempts = append(r.attempts, a)
		r.drawn = append(r.drawn, drawn)
	}
	return r
}

// answer answers the attempt's question q with its option o (0 is the
// right one: benchRound).
func (r journalRound) answer(t testing.TB, attempt, q, o int, at time.Time) {
	t.Helper()
	dq := r.drawn[attempt][q]
	err := r.db.SaveAnswer(context.Background(), quiz.Answer{AttemptID: r.attempts[attempt].ID, QuestionID: dq.QuestionID,
		OptionIDs: []int64{dq.OptionOrder[o]}, Correct: o == 0, AnsweredAt: at})
	if err != nil {
		t.Fatal(err)
	}
}

func journalRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.w.QueryRow("SELECT count(*) FROM answer_journal").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestJournalKeepsRunningAnswersAcrossAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hoithi.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 1)
	r.answer(t, 0, 0, 0, now)
	r.answer(t, 0, 1, 0, now.Add(time.Second)) // right, then changed to wrong
	r.answer(t, 0, 1, 1, now.Add(2*time.Second))
	r.answer(t, 0, 2, 0, now.Add(3*time.Second))
	db.Close()

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r.db = db
	ctx := context.Background()
	a := r.attempts[0]
	got, err := db.Answers(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]int64{}
	for q, o := range map[int]int{0: 0, 1: 1, 2: 0} {
		want[r.drawn[0][q].QuestionID] = []int64{r.drawn[0][q].OptionOrder[o]}
	}
	if len(got) != len(want) {
		t.Fatalf("answers after reopening %v, want %v", got, want)
	}
	for q, ids := range want {
		if !slices.Equal(got[q], ids) {
			t.Errorf("question %d: %v after reopening, want %v", q, got[q], ids)
		}
	}
	if n := journalRows(t, db); n != 0 {
		t.Errorf("%d rows in the journal after reopening, want none: they move into answers", n)
	}
	stats := func() (answered, right int) {
		t.Helper()
		stats, err := db.QuestionStats(ctx, a.RoundID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stats {
			answered += s.Answered
			right += s.Correct
		}
		return answered, right
	}
	if answered, right := stats(); answered != 3 || right != 2 {
		t.Errorf("statistics of the running attempt: %d answered, %d right; want 3 and 2", answered, right)
	}

	// A later answer, in the journal, takes the place of the one moved.
	r.answer(t, 0, 2, 1, now.Add(4*time.Second))
	q2 := r.drawn[0][2]
	want[q2.QuestionID] = []int64{q2.OptionOrder[1]}
	if got, _ := db.Answers(ctx, a.ID); len(got) != 3 || !slices.Equal(got[q2.QuestionID], want[q2.QuestionID]) {
		t.Errorf("answers after changing one %v, want %v", got, want)
	}
	if answered, right := stats(); answered != 3 || right != 1 {
		t.Errorf("statistics after changing an answer: %d answered, %d right; want 3 and 1", answered, right)
	}

	res, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now.Add(time.Minute), Points: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Correct != 1 || res.Score != 10 {
		t.Errorf("submitted after reopening: %d right, score %d; want 1 and 10", res.Correct, res.Score)
	}
	if got, _ := db.Answers(ctx, a.ID); len(got) != 3 || !slices.Equal(got[q2.QuestionID], want[q2.QuestionID]) {
		t.Errorf("answers of the submitted attempt %v, want %v", got, want)
	}

	// Closed before its answers moved, the submitted attempt has them
	// moved when the database is opened again.
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var settled int
	if err := db.r.QueryRow("SELECT count(*) FROM answers WHERE attempt_id = ?", a.ID).Scan(&settled); err != nil {
		t.Fatal(err)
	}
	if n := journalRows(t, db); settled != 3 || n != 0 {
		t.Errorf("reopened after the submission: %d answers in answers and %d rows in the journal, want 3 and none", settled, n)
	}
	if got, _ := db.Answers(ctx, a.ID); len(got) != 3 || !slices.Equal(got[q2.QuestionID], want[q2.QuestionID]) {
		t.Errorf("answers of the submitted attempt after reopening %v, want %v", got, want)
	}
}

func TestJournalFrontIsDeletedOnceItsAttemptsAreSubmitted(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 2)
	r.answer(t, 0, 0, 0, now)
	r.answer(t, 0, 1, 0, now)
	r.answer(t, 1, 0, 0, now) // the second attempt's first row
	r.answer(t, 0, 2, 0, now)
	r.answer(t, 1, 1, 1, now)
	if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: r.attempts[0].ID, SubmittedAt: now, Points: 1}); err != nil {
		t.Fatal(err)
	}
	// Its answers move once submissions pause; here, at once.
	ids := db.journal.due(time.Now().Add(time.Hour))
	if !slices.Equal(ids, []int64{r.attempts[0].ID}) {
		t.Fatalf("attempts due to move %v, want the submitted one", ids)
	}
	if err := db.settle(ids); err != nil {
		t.Fatal(err)
	}
	if err := db.sweepJournal(); err != nil {
		t.Fatal(err)
	}
	// The first attempt's two rows before the second's first are gone; its
	// row after it stays until the second attempt's answers move too.
	if n := journalRows(t, db); n != 3 {
		t.Errorf("%d journal rows after the first submission's sweep, want 3", n)
	}
	got, err := db.Answers(ctx, r.attempts[1].ID)
	if err != nil || len(got) != 2 {
		t.Errorf("the running attempt's answers after the sweep: %v (%v), want 2", got, err)
	}
	if got, _ := db.Answers(ctx, r.attempts[0].ID); len(got) != 3 {
		t.Errorf("the submitted attempt's answers after the sweep: %v, want 3", got)
	}

	// The last submission leaves nothing running: after a pause, its
	// answers move and the whole journal goes, without being asked.
	res, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: r.attempts[1].ID, SubmittedAt: now, Points: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Correct != 1 {
		t.Errorf("the second attempt: %d right, want 1", res.Correct)
	}
	settled := func() int {
		var n int
		if err := db.r.QueryRow("SELECT count(*) FROM answers WHERE attempt_id = ?", r.attempts[1].ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for (journalRows(t, db) != 0 || settled() != 2) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n, s := journalRows(t, db), settled(); n != 0 || s != 2 {
		t.Errorf("once every attempt is submitted: %d journal rows and %d answers of the last in answers, want none and 2", n, s)
	}
}

// An answer committed in the same transaction as its attempt's
// submission, just before it, is scored by it.
func TestJournalSubmissionCountsAnAnswerOfItsOwnBatch(t *testing.T) {
	obs := &countingObserver{}
	db := openTest(t, Options{Observer: obs})
	ctx := context.Background()
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 1)
	r.answer(t, 0, 0, 0, now)

	// Hold the writer in an operation while the answer and then the
	// submission queue up behind it.
	release := holdWriter(t, db)
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		r.answer(t, 0, 1, 0, now.Add(time.Second))
	}()
	waitQueued(t, db, 1)
	submitted := make(chan quiz.Result, 1)
	go func() {
		res, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: r.attempts[0].ID, SubmittedAt: now.Add(time.Minute), Points: 1})
		if err != nil {
			t.Error(err)
		}
		submitted <- res
	}()
	waitQueued(t, db, 2)
	obs.mu.Lock()
	before := obs.batches
	obs.mu.Unlock()
	release()
	<-answered
	res := <-submitted
	obs.mu.Lock()
	batches := obs.batches - before
	obs.mu.Unlock()
	if batches != 2 {
		t.Fatalf("%d commits after the held one, want 2 (the held operation, then the answer and the submission together)", batches)
	}
	if res.Correct != 2 {
		t.Errorf("the submission counted %d right answers, want 2 (one of them committed with it)", res.Correct)
	}
}

// An answer whose transaction does not commit is not counted by a later
// submission.
func TestJournalForgetsAnAnswerThatDidNotCommit(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 1)
	r.answer(t, 0, 0, 0, now)

	// The answer shares its batch with an operation whose row breaks a
	// foreign key checked at the commit, which then fails for both, also
	// when the writer tries each operation again on its own savepoint.
	release := holdWriter(t, db)
	refused := make(chan error, 1)
	go func() {
		dq := r.drawn[0][1]
		refused <- db.SaveAnswer(ctx, quiz.Answer{AttemptID: r.attempts[0].ID, QuestionID: dq.QuestionID,
			OptionIDs: []int64{dq.OptionOrder[0]}, Correct: true, AnsweredAt: now})
	}()
	waitQueued(t, db, 1)
	broken := make(chan error, 1)
	go func() {
		broken <- db.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec("PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
			_, err := tx.Exec("INSERT INTO answer_journal (attempt_id, question_id, option_ids, correct, answered_at) VALUES (1, 1, '[]', 0, 0)")
			return err
		})
	}()
	waitQueued(t, db, 2)
	release()
	if err := <-broken; err == nil {
		t.Fatal("the operation breaking a foreign key committed")
	}
	if err := <-refused; err == nil {
		t.Fatal("the answer in the failed batch was acknowledged")
	}

	res, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: r.attempts[0].ID, SubmittedAt: now.Add(time.Minute), Points: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Correct != 1 {
		t.Errorf("the submission counted %d right answers, want 1: the refused one is not stored", res.Correct)
	}
	if got, _ := db.Answers(ctx, r.attempts[0].ID); len(got) != 1 {
		t.Errorf("answers %v, want only the first", got)
	}
}

// holdWriter keeps the writer in an operation until release is called,
// so that what is queued meanwhile forms the next batch.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	holding, free := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.write(context.Background(), func(*sql.Tx) error {
			close(holding)
			<-free
			return nil
		})
	}()
	<-holding
	return func() {
		close(free)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	}
}

// waitQueued waits until n operations wait for the writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.writer.queue.Len() < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := db.writer.queue.Len(); got != n {
		t.Fatalf("%d operations queued, want %d", got, n)
	}
}

// A command run beside the server (hoithi backup, export, …) opens the
// same file, which empties the journal into answers under the server's
// feet: the server's answers, later ones and its scores stay right.
func TestJournalEmptiedByAnotherOpenWhileServing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hoithi.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 2)
	r.answer(t, 0, 0, 0, now) // right
	r.answer(t, 0, 1, 0, now) // right, changed to wrong below
	r.answer(t, 1, 0, 1, now) // wrong

	other, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if n := journalRows(t, db); n != 0 {
		t.Fatalf("%d journal rows after the other open, want none", n)
	}

	// The journal's numbering starts again below the rows the server
	// still remembers: the second attempt's next answer takes the seq of
	// the first attempt's first row. Its question is one the first
	// attempt has not answered, so that a read of the first attempt that
	// matched rows by seq alone would show it.
	answered := map[int64]bool{}
	for _, dq := range r.drawn[0][:3] {
		answered[dq.QuestionID] = true
	}
	unanswered := slices.IndexFunc(r.drawn[1][1:], func(dq quiz.DrawnQuestion) bool { return !answered[dq.QuestionID] }) + 1
	r.answer(t, 1, unanswered, 0, now.Add(time.Second)) // right
	r.answer(t, 0, 1, 1, now.Add(time.Second))
	r.answer(t, 0, 2, 0, now.Add(time.Second)) // right
	want := map[int64][]int64{}
	for q, o := range map[int]int{0: 0, 1: 1, 2: 0} {
		want[r.drawn[0][q].QuestionID] = []int64{r.drawn[0][q].OptionOrder[o]}
	}
	got, err := db.Answers(ctx, r.attempts[0].ID)
	if err != nil || len(got) != len(want) {
		t.Errorf("answers of the first attempt %v (%v), want %v", got, err, want)
	}
	for q, ids := range want {
		if !slices.Equal(got[q], ids) {
			t.Errorf("the first attempt's answer to question %d: %v, want %v", q, got[q], ids)
		}
	}
	for i, want := range []int{2, 1} {
		res, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: r.attempts[i].ID, SubmittedAt: now.Add(time.Minute), Points: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Correct != want {
			t.Errorf("attempt %d: %d right, want %d", i, res.Correct, want)
		}
	}
	if err := db.settle(db.journal.due(time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := db.sweepJournal(); err != nil {
		t.Fatal(err)
	}
	var rows, right int
	if err := db.r.QueryRow("SELECT count(*), coalesce(sum(correct), 0) FROM answers").Scan(&rows, &right); err != nil {
		t.Fatal(err)
	}
	if n := journalRows(t, db); rows != 5 || right != 3 || n != 0 {
		t.Errorf("once moved: %d answers, %d right, %d journal rows; want 5, 3 and none", rows, right, n)
	}
}

// waitJournal waits up to 20 s for cond, which the journal's mover makes
// true on one of its ticks.
func waitJournal(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s", what)
		}
	}
}

// A database that cannot be written refuses the mover's moves and
// deletions; each is tried again until it can, without a word in the log
// beyond the writer's own.
func TestJournalMovesAgainOnceTheDatabaseCanBeWritten(t *testing.T) {
	ctx := context.Background()
	moved := func(t *testing.T, db *DB) int {
		t.Helper()
		var n int
		if err := db.r.QueryRow("SELECT count(*) FROM answers").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	open := func(t *testing.T) (*DB, *syncBuffer, journalRound) {
		log := &syncBuffer{}
		db := openTest(t, Options{Log: slog.New(slog.NewTextHandler(log, nil))})
		now := time.Now().UTC()
		r := newJournalRound(t, db, now, 2)
		r.answer(t, 0, 0, 0, now)
		r.answer(t, 0, 1, 1, now)
		r.answer(t, 1, 0, 0, now)
		for _, a := range r.attempts {
			if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: now, Points: 1}); err != nil {
				t.Fatal(err)
			}
		}
		return db, log, r
	}
	refused := func(log *syncBuffer) func() bool {
		return func() bool { return log.count("the database cannot be written") == 1 }
	}

	t.Run("the move", func(t *testing.T) {
		db, log, r := open(t)
		pragma(t, db, "query_only = 1") // before the submissions' pause is over
		waitJournal(t, "the move to be refused", refused(log))
		if n, m := journalRows(t, db), moved(t, db); n != 3 || m != 0 {
			t.Fatalf("with the move refused: %d journal rows, %d answers; want 3 and none", n, m)
		}
		pragma(t, db, "query_only = 0")
		waitJournal(t, "the move after the fault", func() bool { return journalRows(t, db) == 0 && moved(t, db) == 3 })
		if got, err := db.Answers(ctx, r.attempts[0].ID); err != nil || len(got) != 2 {
			t.Errorf("the first attempt's answers after the move: %v (%v), want 2", got, err)
		}
		if n := log.count("until a later try"); n != 0 {
			t.Errorf("the mover logged %d times beside the writer:\n%s", n, log.buf.String())
		}
	})

	t.Run("the deletion of the front", func(t *testing.T) {
		db, log, _ := open(t)
		// Moved here rather than by the mover, so that the fault comes
		// between the move and the deletion that follows it.
		if err := db.settle(db.journal.due(time.Now().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		pragma(t, db, "query_only = 1")
		waitJournal(t, "the deletion to be refused", refused(log))
		if n, m := journalRows(t, db), moved(t, db); n != 3 || m != 3 {
			t.Fatalf("with the deletion refused: %d journal rows, %d answers; want 3 and 3", n, m)
		}
		pragma(t, db, "query_only = 0")
		waitJournal(t, "the deletion after the fault", func() bool { return journalRows(t, db) == 0 })
	})
}

// Submitted attempts' answers move once submissions pause for settleQuiet,
// or once the first has waited settleLatest however busy the round stays,
// settleBatch attempts at a time.
func TestJournalMovesAfterAPauseOrAtTheLatest(t *testing.T) {
	t0 := time.Now()
	j := &journal{rows: map[int64][]journalRow{}}
	for id := int64(1); id <= settleBatch+1; id++ {
		j.add(id, journalRow{seq: id, question: 1})
		j.submitted(id, t0)
	}
	if ids := j.due(t0.Add(settleQuiet / 2)); ids != nil {
		t.Errorf("half a pause after the submissions: %d attempts due, want none", len(ids))
	}
	if ids := j.due(t0.Add(settleQuiet)); len(ids) != settleBatch || ids[0] != 1 {
		t.Errorf("after the pause: %d attempts due from %v, want the first %d", len(ids), ids[:min(1, len(ids))], settleBatch)
	}

	busy := &journal{rows: map[int64][]journalRow{}}
	for i := int64(1); ; i++ {
		at := t0.Add(time.Duration(i-1) * settleQuiet / 2) // a submission every half pause
		if !at.Before(t0.Add(settleLatest)) {
			break
		}
		busy.add(i, journalRow{seq: i, question: 1})
		busy.submitted(i, at)
		if ids := busy.due(at); ids != nil {
			t.Fatalf("%v after the first submission, submissions going on: %d attempts due, want none before %v",
				at.Sub(t0), len(ids), settleLatest)
		}
	}
	if ids := busy.due(t0.Add(settleLatest)); len(ids) == 0 || ids[0] != 1 {
		t.Errorf("%v after the first submission, submissions going on: %v due, want the first ones", settleLatest, ids)
	}
}

// A read of an attempt's answers names its journal rows before its
// snapshot is taken. Moved into answers and deleted from the journal
// after the snapshot, they are still in the snapshot's journal, and the
// read finds them there; named after the snapshot, they would be in
// neither table the read sees.
func TestJournalMovedDuringAReadIsStillRead(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	now := time.Now().UTC()
	r := newJournalRound(t, db, now, 1)
	for q := range 3 {
		r.answer(t, 0, q, 0, now)
	}
	id := r.attempts[0].ID
	if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: id, SubmittedAt: now, Points: 1}); err != nil {
		t.Fatal(err)
	}
	moved := 0
	db.betweenAnswerReads = func() {
		if moved++; moved > 1 {
			return
		}
		ids := db.journal.due(time.Now().Add(time.Hour)) // due at once
		if err := db.settle(ids); err != nil || !slices.Equal(ids, []int64{id}) {
			t.Errorf("moved %v (%v), want the submitted attempt", ids, err)
		}
		if err := db.sweepJournal(); err != nil {
			t.Error(err)
		}
	}
	got, err := db.Answers(ctx, id)
	if err != nil || len(got) != 3 {
		t.Errorf("answers read while they moved: %v (%v), want 3", got, err)
	}
	if moved == 0 || journalRows(t, db) != 0 {
		t.Fatalf("the journal did not move during the read (%d rows left)", journalRows(t, db))
	}
	// Once moved, every read finds them in answers.
	d, err := db.AttemptDetail(ctx, id)
	if err != nil || len(d.Answers) != 3 {
		t.Errorf("the attempt's detail after the move: %v (%v), want 3 answers", d.Answers, err)
	}
}
