// Package storetest holds the contract tests of hoithi's stores: tests
// written once against the quiz interfaces and run against every store
// (the SQLite store from package store's tests, the PostgreSQL store from
// package postgres's), so that both keep the same rules, refusals and
// orders. A store's test file calls Run with a function that opens a
// fresh, empty store for one test. RunServices runs hoithi's services
// (quiz.Accounts, quiz.Consents, quiz.AccountAdmin, quiz.Privacy,
// quiz.Results, quiz.Live) over a whole store, and what a store must do
// across two handles on the same data (a restart, another process or
// node).
//
// The tests of package store that stay SQLite's alone test what only
// SQLite has:
//   - the pragmas of every connection and the read pool refusing writes;
//   - migrations recorded once across opens, and the upgrade of an old
//     file (migrate_*_test.go, the first consents after migration 13);
//   - the writer's internals: concurrent writes grouped, a failing
//     operation rolled back alone (PostgreSQL has its own counterparts in
//     store/postgres);
//   - the backup of the file, and an erased setting leaving no copy in the
//     file or its WAL;
//   - faults of the file (faults_test.go);
//   - the id functions and the store drawing again when a random id is
//     taken, which replace the SQLite store's source of ids (PostgreSQL
//     tests a start's second draw itself);
//   - the query plan of the published results (the prize rows' index).
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// Store is what the contract tests use of a store: the play path, what
// sets up a round for it, and the count of the writer's commits.
type Store interface {
	quiz.PlayStore
	CreateUser(ctx context.Context, u quiz.User, passwordHash string, consent *quiz.Consent) (quiz.User, error)
	CreateBank(ctx context.Context, b quiz.Bank) (quiz.Bank, error)
	AddQuestions(ctx context.Context, bankID int64, qs []quiz.Question) ([]int64, error)
	CreateContest(ctx context.Context, c quiz.Contest, createdBy int64) (quiz.Contest, error)
	PublishContest(ctx context.Context, id int64, at time.Time) error
	CreateRound(ctx context.Context, r quiz.Round) (quiz.Round, error)
	// Commits returns how many transactions of the store's writer have
	// committed, and how many operations they held.
	Commits() (transactions, operations int)
}

// Open opens a fresh, empty store for one test, closed at the test's end.
type Open func(t *testing.T) Store

// CommitCounter is a writer observer (store.Observer, postgres.Observer)
// that counts commits, for a Store's Commits.
type CommitCounter struct {
	mu           sync.Mutex
	transactions int
	operations   int
}

// Committed counts a commit that succeeded.
func (c *CommitCounter) Committed(ops int, _ time.Duration, err error) {
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.transactions++
	c.operations += ops
}

// Commits returns the commits counted so far.
func (c *CommitCounter) Commits() (transactions, operations int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transactions, c.operations
}

// Run runs every contract test against the stores open opens.
func Run(t *testing.T, open Open) {
	t.Run("starting an attempt", func(t *testing.T) { testStart(t, open) })
	t.Run("answering", func(t *testing.T) { testAnswers(t, open) })
	t.Run("submitting", func(t *testing.T) { testSubmit(t, open) })
	t.Run("group commit", func(t *testing.T) { testGroupCommit(t, open) })
	t.Run("reading an attempt", func(t *testing.T) { testRead(t, open) })
	t.Run("attempts past their deadline", func(t *testing.T) { testDue(t, open) })
	t.Run("showing an attempt's questions", func(t *testing.T) { testShow(t, open) })
}

// round is an open, published round on a bank of questions, with
// contestants to play it.
type round struct {
	store  Store
	round  quiz.Round
	pool   quiz.Pool
	users  []quiz.User
	bankID int64
}

// questionsInBank is the size of the test bank; each attempt draws
// drawnPerAttempt of them.
const (
	questionsInBank = 8
	drawnPerAttempt = 4
	pointsEach      = 2
)

// newRound sets up a round with maxAttempts (0: no limit) in a fresh store
// and users contestants.
func newRound(t *testing.T, open Open, maxAttempts, users int) round {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	now := time.Now().UTC()
	bank, err := s.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range questionsInBank {
		options := []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Có thể"}}
		if i == 0 {
			options[2].Correct = true // one question with two correct options
		}
		qs = append(qs, quiz.Question{Topic: []string{"A", "B"}[i%2], Text: fmt.Sprintf("Câu %d?", i), Options: options})
	}
	if _, err := s.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	contest, err := s.CreateContest(ctx, quiz.Contest{Slug: "thi", Title: "Hội thi", CreatedAt: now}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PublishContest(ctx, contest.ID, now); err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), DurationSeconds: 600, QuestionCount: drawnPerAttempt,
		TopicQuotas: map[string]int{"A": 1}, PointsPerQuestion: pointsEach, MaxAttempts: maxAttempts,
		Reveal: quiz.RevealAfterSubmit})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := s.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pool.Questions) != questionsInBank {
		t.Fatalf("the pool has %d questions, want %d", len(pool.Questions), questionsInBank)
	}
	f := round{store: s, round: r, pool: pool, bankID: bank.ID}
	for i := range users {
		u, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: fmt.Sprintf("Nguyễn Văn %d", i),
			Phone: fmt.Sprintf("09123456%02d", i), Unit: "Xã Tân Lập", CreatedAt: now}, "hash",
			&quiz.Consent{Purpose: quiz.PurposeContest, Version: "contest-2026-01", AgreedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		f.users = append(f.users, u)
	}
	return f
}

// draw draws an attempt's questions with a seed made of n.
func (f round) draw(t *testing.T, n byte) ([]quiz.DrawnQuestion, quiz.Seed) {
	t.Helper()
	var seed quiz.Seed
	seed[0], seed[1] = n, 0x5a
	drawn, err := quiz.Draw(f.pool.Questions, f.round.QuestionCount, f.round.TopicQuotas, seed)
	if err != nil {
		t.Fatal(err)
	}
	return drawn, seed
}

// start starts (or resumes) user's attempt at the round at time at.
func (f round) start(t *testing.T, user int, at time.Time) (quiz.Attempt, bool, error) {
	t.Helper()
	drawn, seed := f.draw(t, byte(at.UnixNano()))
	return f.store.StartAttempt(context.Background(), quiz.NewAttempt{RoundID: f.round.ID, UserID: f.users[user].ID,
		Seed: seed, StartedAt: at, Deadline: at.Add(10 * time.Minute), Questions: drawn, MaxAttempts: f.round.MaxAttempts})
}

// mustStart is start that fails the test on an error.
func (f round) mustStart(t *testing.T, user int, at time.Time) quiz.Attempt {
	t.Helper()
	a, _, err := f.start(t, user, at)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// questions returns the attempt's questions in its order.
func (f round) questions(t *testing.T, attemptID int64) []quiz.AttemptQuestion {
	t.Helper()
	d, err := f.store.AttemptDetail(context.Background(), attemptID)
	if err != nil {
		t.Fatal(err)
	}
	return d.Questions
}

// answer stores the choice of option index option of question q.
func (f round) answer(attemptID int64, q quiz.AttemptQuestion, option int, at time.Time) error {
	o := q.Options[option]
	return f.store.SaveAnswer(context.Background(), quiz.Answer{AttemptID: attemptID, QuestionID: q.ID,
		OptionIDs: []int64{o.ID}, Correct: o.Correct && !q.Multiple, AnsweredAt: at})
}

func (f round) submit(attemptID int64, at time.Time) (quiz.Result, error) {
	return f.store.SubmitAttempt(context.Background(), quiz.Submission{AttemptID: attemptID, SubmittedAt: at,
		Points: f.round.PointsPerQuestion})
}

// wantCode fails the test unless err carries the quiz error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := quiz.ErrorCode(err); got != want {
		t.Errorf("got error %v (code %q), want code %q", err, got, want)
	}
}

// correctOption is the index of a correct option of a single-answer
// question, and wrongOption of a wrong one.
func correctOption(q quiz.AttemptQuestion) int {
	for i, o := range q.Options {
		if o.Correct {
			return i
		}
	}
	return -1
}

func wrongOption(q quiz.AttemptQuestion) int {
	for i, o := range q.Options {
		if !o.Correct {
			return i
		}
	}
	return -1
}

// singleAnswer returns the attempt's questions that take one option.
func singleAnswer(qs []quiz.AttemptQuestion) []quiz.AttemptQuestion {
	var out []quiz.AttemptQuestion
	for _, q := range qs {
		if !q.Multiple {
			out = append(out, q)
		}
	}
	return out
}
