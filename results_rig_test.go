package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"hoithi/data"
	"hoithi/handlers"
	"hoithi/metrics"
	"hoithi/quiz"
	"hoithi/store"
)

// The results tests and benchmarks run the real handlers (the Fiber app
// on a real port) over a real SQLite file, wired as serve wires them, with
// one difference: the results service reads through countingStore, so a
// test can tell how often a whole round was read to be ranked.

// countingStore is the real store, counting the reads of a whole round.
type countingStore struct {
	*store.DB
	contenders atomic.Int64 // RoundContenders: every attempt of a round, to rank it
	figures    atomic.Int64 // ReportFigures: a round's statistics
	locked     atomic.Int64 // LockedList: every row of a locked round
}

func (s *countingStore) RoundContenders(ctx context.Context, roundID int64) ([]quiz.Contender, error) {
	s.contenders.Add(1)
	return s.DB.RoundContenders(ctx, roundID)
}

func (s *countingStore) ReportFigures(ctx context.Context, roundID int64, utcOffset time.Duration) (quiz.ReportFigures, error) {
	s.figures.Add(1)
	return s.DB.ReportFigures(ctx, roundID, utcOffset)
}

func (s *countingStore) LockedList(ctx context.Context, l *quiz.WinnerList) error {
	s.locked.Add(1)
	return s.DB.LockedList(ctx, l)
}

// resultsRig is a server whose results service the test can reach.
type resultsRig struct {
	*testServer
	db      *store.DB
	counted *countingStore
	results *quiz.Results
}

// startResultsRig serves the database at path (made if needed, with the
// demo bank and the test admin) until the test ends.
func startResultsRig(tb testing.TB, path string) *resultsRig {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(path, store.Options{Log: log})
	if err != nil {
		tb.Fatal(err)
	}
	provinces, err := data.Provinces()
	if err != nil {
		tb.Fatal(err)
	}
	counted := &countingStore{DB: db}
	notifier := quiz.NewLocalNotifier()
	accounts := quiz.NewAccounts(db, bcryptHasher{bcrypt.MinCost}, provinces, time.Now)
	accounts.SetNotifier(notifier)
	catalog := quiz.NewCatalog(db, time.Now)
	catalog.SetNotifier(notifier)
	results := quiz.NewResults(counted, time.Now)
	if has, err := accounts.HasAdmin(ctx); err != nil {
		tb.Fatal(err)
	} else if !has {
		if _, err := accounts.CreateStaff(ctx, quiz.StaffAccount{Email: testAdminEmail, Password: testAdminPassword,
			Role: quiz.RoleAdmin, FullName: "Quản trị viên"}); err != nil {
			tb.Fatal(err)
		}
		if _, err := data.SeedDemo(ctx, catalog, time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	engine := quiz.NewEngine(quiz.EngineConfig{Store: db, Grace: 500 * time.Millisecond, Log: log, Notifier: notifier})
	privacy := quiz.NewPrivacy(db, time.Now)
	privacy.SetNotifier(notifier)
	key := make([]byte, 32)
	crand.Read(key)
	h, err := handlers.New(handlers.Deps{
		Accounts: accounts, Catalog: catalog, Engine: engine, Stats: db, Ready: db.Ping, Notifier: notifier,
		Results: results, Audit: db, Privacy: privacy, Consents: quiz.NewConsents(db, quiz.Controller{}, time.Now),
		AccountAdmin: quiz.NewAccountAdmin(db, accounts, nil, log, time.Now),
		Metrics:      metrics.New(), JWTKey: key, TokenTTL: time.Hour, Now: time.Now, Log: log,
		Certificates: quiz.NewCertificates(db, time.Now),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := engine.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	app := h.App()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go app.Listener(ln)
	tb.Cleanup(func() {
		app.ShutdownWithTimeout(5 * time.Second)
		engine.Stop()
		db.Close()
	})
	t, _ := tb.(*testing.T) // nil for a benchmark, which makes its requests with benchClient
	s := &testServer{t: t, URL: "http://" + ln.Addr().String(), WSURL: "ws://" + ln.Addr().String(), DBPath: path,
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return &resultsRig{testServer: s, db: db, counted: counted, results: results}
}

// bigRoundPassword is the password of every seeded contestant.
const bigRoundPassword = "mat-khau-123"

// bigRound is a closed round seeded straight into the tables, as a round
// of n contestants leaves them: a fifth made two attempts, every attempt
// has its 20 questions and answers, 500 units of growing sizes, four prize
// tiers of 1,000 prizes and a group prize, a prediction of the perfect
// scorers. Contestant i (from 0) has
// the phone 09%08d of i and bigRoundPassword.
type bigRound struct {
	RoundID   int64
	ContestID int64
	FirstUser int64 // the id of contestant 0
	// AttemptOf is the id of contestant i's first attempt, for the first
	// few contestants.
	AttemptOf []int64
}

// seedBigRound fills the database at path (already opened by a store, so
// migrated) with a bigRound. It writes through its own connection, in one
// transaction.
func seedBigRound(tb testing.TB, db *store.DB, path string, n int) bigRound {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	bank, err := db.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng lớn", CreatedAt: now})
	if err != nil {
		tb.Fatal(err)
	}
	var qs []quiz.Question
	for i := range 20 {
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu hỏi %d", i+1),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}})
	}
	questionIDs, err := db.AddQuestions(ctx, bank.ID, qs)
	if err != nil {
		tb.Fatal(err)
	}
	ids, _ := json.Marshal(questionIDs)
	questionList, optionOrders := string(ids), "["+strings.TrimSuffix(strings.Repeat("[],", len(questionIDs)), ",")+"]"
	contest, err := db.CreateContest(ctx, quiz.Contest{Slug: "hoi-thi-lon", Title: "Hội thi lớn", CreatedAt: now}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	round, err := db.CreateRound(ctx, quiz.Round{ContestID: contest.ID, Name: "Tuần 1", BankID: bank.ID,
		OpensAt: now.Add(-8 * 24 * time.Hour), ClosesAt: now.Add(-time.Hour), DurationSeconds: 600, QuestionCount: 20,
		PointsPerQuestion: 1, MaxAttempts: 2, Reveal: quiz.RevealAfterClose, PredictionPrompt: "Bao nhiêu người đúng hết?",
		PredictionTarget: quiz.TargetPerfectScorers,
		Prizes: []quiz.Prize{{Name: "Giải Nhất", Count: 10}, {Name: "Giải Nhì", Count: 40}, {Name: "Giải Ba", Count: 150},
			{Name: "Giải Khuyến khích", Count: 800}},
		UnitPrizes: []quiz.Prize{{Name: "Giải tập thể", Count: 3}}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.PublishContest(ctx, contest.ID, now); err != nil {
		tb.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(bigRoundPassword), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}

	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	prepare := func(q string) *sql.Stmt {
		st, err := tx.Prepare(q)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	user := prepare(`INSERT INTO users (role, full_name, birth_date, id_number, phone, province, commune, unit,
		password_hash, created_at) VALUES ('contestant', ?, ?, ?, ?, '01', 'Phường Ba Đình', ?, ?, ?)`)
	attempt := prepare(`INSERT INTO attempts (round_id, user_id, number, seed, question_count, started_at, deadline,
		submitted_at, score, correct, prediction, question_ids, option_orders) VALUES (?, ?, ?, x'00', 20, ?, ?, ?, ?, ?, ?, ?, ?)`)
	answer := prepare(`INSERT INTO answers (attempt_id, question_id, option_ids, correct, answered_at) VALUES (?, ?, '[]', ?, ?)`)
	exec := func(st *sql.Stmt, args ...any) sql.Result {
		res, err := st.Exec(args...)
		if err != nil {
			tb.Fatal(err)
		}
		return res
	}
	rng := rand.New(rand.NewPCG(3, 4))
	opens := round.OpensAt.UnixMilli()
	out := bigRound{RoundID: round.ID, ContestID: contest.ID}
	for i := range n {
		res := exec(user, fmt.Sprintf("Nguyễn Văn %d", i), fmt.Sprintf("19%02d-01-02", 50+i%55), fmt.Sprintf("%012d", i),
			fmt.Sprintf("09%08d", i), fmt.Sprintf("Xã số %d", unitOf(rng)), string(hash), now.UnixMilli())
		userID, _ := res.LastInsertId()
		if i == 0 {
			out.FirstUser = userID
		}
		for number := 1; number <= 1+i%5/4; number++ {
			start := opens + rng.Int64N(7*24*3600*1000)
			submitted := start + 60000 + rng.Int64N(540000)
			score := rng.IntN(21)
			var prediction any
			if rng.IntN(10) > 0 {
				prediction = rng.IntN(n / 10)
			}
			res := exec(attempt, round.ID, userID, number, start, start+600000, submitted, score, score, prediction,
				questionList, optionOrders)
			attemptID, _ := res.LastInsertId()
			if number == 1 && i < 64 {
				out.AttemptOf = append(out.AttemptOf, attemptID)
			}
			for pos, q := range questionIDs {
				exec(answer, attemptID, q, pos < score, submitted)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// unitOf draws one of 500 units, the later ones more often, as units of
// different sizes take part: their counts differ, so the group prizes go to
// a few.
func unitOf(rng *rand.Rand) int {
	return int(math.Sqrt(float64(rng.IntN(500 * 500))))
}

// tempDB is a database path in a fresh temporary directory.
func tempDB(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "hoithi.db")
}
