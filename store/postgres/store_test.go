package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3"

	"hoithi/quiz"
	"hoithi/store"
)

func TestMigrationsRunOnceWhenNodesStartTogether(t *testing.T) {
	dbURL := freshDatabase(t)
	ctx := context.Background()
	const nodes = 4
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			db, err := Open(ctx, dbURL, Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	db, err := Open(ctx, dbURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, _ := allMigrations()
	var n, texts int
	if err := db.r.QueryRow(ctx, "SELECT (SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM consent_texts)").
		Scan(&n, &texts); err != nil {
		t.Fatal(err)
	}
	if n != len(all) || texts != 2 {
		t.Errorf("%d migrations recorded and %d consent texts, want %d and 2", n, texts, len(all))
	}
}

// TestTheSchemaIsTheSQLiteStoresSchema compares the tables and columns of
// a new PostgreSQL database with those of a new SQLite one, and their
// consent texts word for word: a migration of the SQLite store needs its
// twin here. The one exception is SQLite's answer journal, a form of its
// writer's that opening the database empties into answers (DESIGN.md).
func TestTheSchemaIsTheSQLiteStoresSchema(t *testing.T) {
	ctx := context.Background()
	pg, _ := openTest(t, Options{})
	path := filepath.Join(t.TempDir(), "hoithi.db")
	lite, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lite.Close()
	file, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()

	var liteColumns []string
	rows, err := file.Query(`SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		if !strings.HasPrefix(c, "answer_journal.") {
			liteColumns = append(liteColumns, c)
		}
	}
	rows.Close()
	pgRows, _ := pg.r.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public'`)
	pgColumns, err := pgx.CollectRows(pgRows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(liteColumns)
	slices.Sort(pgColumns)
	if len(liteColumns) < 100 || !slices.Equal(liteColumns, pgColumns) {
		t.Errorf("columns differ:\nonly in SQLite: %v\nonly in PostgreSQL: %v",
			difference(liteColumns, pgColumns), difference(pgColumns, liteColumns))
	}

	const texts = "SELECT version || purpose || body_vi || body_en || published_at FROM consent_texts ORDER BY version"
	var liteTexts []string
	rows, err = file.Query(texts)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		liteTexts = append(liteTexts, s)
	}
	rows.Close()
	pgRows, _ = pg.r.Query(ctx, texts)
	pgTexts, err := pgx.CollectRows(pgRows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(liteTexts) != 2 || !slices.Equal(liteTexts, pgTexts) {
		t.Errorf("%d consent texts in SQLite and %d in PostgreSQL, want the same 2 word for word", len(liteTexts), len(pgTexts))
	}
}

func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestEveryConnectionWaitsForTheFlush(t *testing.T) {
	ctx := context.Background()
	dbURL := freshDatabase(t)
	// Even on a server whose default is not to wait.
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var name string
	admin.QueryRow(ctx, "SELECT current_database()").Scan(&name)
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" SET synchronous_commit = off"); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, dbURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pool, p := range map[string]interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}{"writer": db.w, "reader": db.r} {
		var setting string
		if err := p.QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if setting != "on" {
			t.Errorf("%s pool: synchronous_commit = %s, want on", pool, setting)
		}
	}
}

// playRound sets up an open round with one contestant and starts an
// attempt, through the contract tests' own path.
func playRound(t *testing.T, db *DB) (quiz.Attempt, []quiz.AttemptQuestion) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	bank, err := db.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range 4 {
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu %d?", i),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}})
	}
	if _, err := db.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	contest, err := db.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600, QuestionCount: 4,
		PointsPerQuestion: 1, Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Trần Thị Bình", Phone: "0987654321",
		CreatedAt: now}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := quiz.Draw(pool.Questions, 4, nil, quiz.Seed{1})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: round.ID, UserID: user.ID, StartedAt: now,
		Deadline: now.Add(10 * time.Minute), Questions: drawn})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.AttemptDetail(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a, d.Questions
}

func TestAReadOnlyDatabaseRefusesAnswersUntilWritableAgain(t *testing.T) {
	ctx := context.Background()
	db, dbURL := openTest(t, Options{})
	a, questions := playRound(t, db)
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// A hot standby, or a server an operator made read-only: the setting
	// reaches sessions that begin after it, so the writer's are ended.
	setReadOnly := func(on bool) {
		t.Helper()
		for _, stmt := range []string{
			fmt.Sprintf("ALTER DATABASE %s SET default_transaction_read_only = %v", admin.Config().Database, on),
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'hoithi writer'",
		} {
			if _, err := admin.Exec(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer := func() error {
		q := questions[0]
		return db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: q.ID, OptionIDs: []int64{q.Options[0].ID},
			Correct: q.Options[0].Correct, AnsweredAt: time.Now()})
	}

	setReadOnly(true)
	// The first write may find its connection ended (connection lost),
	// the next ones find the server read-only: both are the database
	// refusing the write.
	var err2 error
	for i := range 2 {
		err2 = answer()
		wantCode(t, err2, quiz.CodeStorageUnavailable, fmt.Sprintf("answer %d to a read-only database", i+1))
	}
	if !strings.Contains(err2.Error(), codeReadOnlyTx) {
		t.Errorf("the second refusal: %v, want the server's read-only refusal (SQLSTATE %s)", err2, codeReadOnlyTx)
	}
	if got, err := db.Answers(ctx, a.ID); err != nil || len(got) != 0 {
		t.Errorf("answers %v (err %v) after refused writes, want none", got, err)
	}

	setReadOnly(false)
	for range 2 { // the first may again find its connection ended
		if err2 = answer(); err2 == nil {
			break
		}
	}
	if err2 != nil {
		t.Fatalf("an answer once the database is writable again: %v", err2)
	}
	if got, _ := db.Answers(ctx, a.ID); len(got) != 1 {
		t.Errorf("answers %v once writable again, want 1", got)
	}
}

func wantCode(t *testing.T, err error, want, what string) {
	t.Helper()
	if got := quiz.ErrorCode(err); got != want {
		t.Errorf("%s: got %v (code %q), want code %q", what, err, got, want)
	}
}

// failures counts the writer's transactions by outcome.
type failures struct {
	mu             sync.Mutex
	failed, passed []int // operations in each
}

func (f *failures) Committed(ops int, _ time.Duration, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.failed = append(f.failed, ops)
	} else {
		f.passed = append(f.passed, ops)
	}
}

func TestAFaultyOperationFailsAloneAndTheRestOfItsBatchCommits(t *testing.T) {
	ctx := context.Background()
	outcomes := &failures{}
	// A wait long enough that the writes below share a batch.
	db, _ := openTest(t, Options{MaxWait: 200 * time.Millisecond, Observer: outcomes})
	a, questions := playRound(t, db)
	outcomes.mu.Lock()
	outcomes.failed, outcomes.passed = nil, nil
	outcomes.mu.Unlock()

	var wg sync.WaitGroup
	answerErrs := make([]error, len(questions))
	for i, q := range questions {
		wg.Go(func() {
			answerErrs[i] = db.SaveAnswer(ctx, quiz.Answer{AttemptID: a.ID, QuestionID: q.ID,
				OptionIDs: []int64{q.Options[1].ID}, Correct: q.Options[1].Correct, AnsweredAt: time.Now()})
		})
	}
	var startErr error
	wg.Go(func() {
		// A round that does not exist: its foreign key fails the statement.
		_, _, startErr = db.StartAttempt(ctx, quiz.NewAttempt{RoundID: 999_999, UserID: a.UserID, StartedAt: time.Now(),
			Deadline: time.Now().Add(time.Minute)})
	})
	wg.Wait()
	for i, err := range answerErrs {
		if err != nil {
			t.Errorf("answer %d: %v, want it stored", i, err)
		}
	}
	if quiz.ErrorCode(startErr) != quiz.CodeInternal {
		t.Errorf("the start at a missing round: %v, want an internal error", startErr)
	}
	if got, _ := db.Answers(ctx, a.ID); len(got) != len(questions) {
		t.Errorf("%d answers stored, want %d", len(got), len(questions))
	}
	outcomes.mu.Lock()
	defer outcomes.mu.Unlock()
	if len(outcomes.failed) == 0 || outcomes.failed[0] != len(questions)+1 {
		t.Errorf("failed transactions held %v operations, want first the whole batch of %d", outcomes.failed, len(questions)+1)
	}
}

func TestAStartDrawsAnotherIDWhenItsFirstIsTaken(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t, Options{})
	first, _ := playRound(t, db)
	var other int64
	if err := db.r.QueryRow(ctx, "SELECT id FROM users WHERE id <> $1 LIMIT 1", first.UserID).Scan(&other); err == nil {
		t.Fatal("the test expects one user")
	}
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Văn Cường", Phone: "0911111111",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every draw but the last gives the id already taken.
	draws := 0
	saved := newAttemptID
	newAttemptID = func(start time.Time) int64 {
		draws++
		if draws < idDraws {
			return first.ID
		}
		return saved(start)
	}
	defer func() { newAttemptID = saved }()
	now := time.Now().UTC()
	a, created, err := db.StartAttempt(ctx, quiz.NewAttempt{RoundID: first.RoundID, UserID: user.ID, StartedAt: now,
		Deadline: now.Add(time.Minute)})
	if err != nil || !created {
		t.Fatalf("start: created %v, err %v", created, err)
	}
	if a.ID == first.ID || a.ID < minRandomID || a.ID > maxRandomID {
		t.Errorf("attempt id %d, want a 15-digit id other than %d", a.ID, first.ID)
	}
}

func TestASubmissionMovesItsRoundsRankingVersion(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t, Options{})
	a, _ := playRound(t, db)
	version := func() (all, round int64) {
		t.Helper()
		err := db.r.QueryRow(ctx, `SELECT (SELECT version FROM ranking_versions WHERE round_id = 0),
			coalesce((SELECT version FROM ranking_versions WHERE round_id = $1), 0)`, a.RoundID).Scan(&all, &round)
		if err != nil {
			t.Fatal(err)
		}
		return all, round
	}
	allBefore, roundBefore := version()
	if _, err := db.SubmitAttempt(ctx, quiz.Submission{AttemptID: a.ID, SubmittedAt: time.Now(), Points: 1}); err != nil {
		t.Fatal(err)
	}
	allAfter, roundAfter := version()
	if roundAfter != roundBefore+1 || allAfter != allBefore {
		t.Errorf("versions went from all %d round %d to all %d round %d, want the round's alone up by 1",
			allBefore, roundBefore, allAfter, roundAfter)
	}
	if _, err := db.w.Exec(ctx, "UPDATE users SET unit = 'Phường Ba Đình' WHERE id = $1", a.UserID); err != nil {
		t.Fatal(err)
	}
	if all, _ := version(); all != allAfter+1 {
		t.Errorf("after an account edit the version of every round is %d, want %d", all, allAfter+1)
	}
}
