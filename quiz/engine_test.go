package quiz_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// clock is a settable time source for the engine.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestEngineDropsBoardsOfClosedRoundsNobodyWatches(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := &clock{now: time.Now()}
	catalog := quiz.NewCatalog(db, clk.Now)
	bank, _ := catalog.CreateBank(ctx, "Ngân hàng", "")
	catalog.AddQuestions(ctx, bank.ID, []quiz.Question{{Text: "Câu hỏi?", Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}}}})
	contest, _ := catalog.CreateContest(ctx, quiz.Contest{Slug: "c", Title: "Hội thi"}, 0)
	open := quiz.Round{Name: "Đang mở", BankID: bank.ID, OpensAt: clk.Now().Add(-time.Hour), ClosesAt: clk.Now().Add(24 * time.Hour),
		DurationSeconds: 60, QuestionCount: 1}
	closed := open
	closed.Name, closed.ClosesAt = "Đã đóng", clk.Now().Add(-time.Minute)
	openRound, err := catalog.CreateRound(ctx, contest.ID, open)
	if err != nil {
		t.Fatal(err)
	}
	closedRound, err := catalog.CreateRound(ctx, contest.ID, closed)
	if err != nil {
		t.Fatal(err)
	}

	engine := quiz.NewEngine(quiz.EngineConfig{Store: db, Now: clk.Now, Grace: time.Second})
	if err := engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer engine.Stop()
	openBoard, _ := engine.Board(ctx, openRound.ID)
	closedBoard, _ := engine.Board(ctx, closedRound.ID)
	if !closedBoard.Closed() || openBoard.Closed() {
		t.Fatalf("closed=%v open=%v, want only the past round's board closed", closedBoard.Closed(), openBoard.Closed())
	}

	clk.add(10 * time.Minute)
	engine.SweepBoards()
	if b, _ := engine.Board(ctx, closedRound.ID); b != closedBoard {
		t.Error("a board looked at 10 minutes ago was dropped")
	}
	clk.add(31 * time.Minute)
	engine.SweepBoards()
	if b, _ := engine.Board(ctx, openRound.ID); b != openBoard {
		t.Error("the board of an open round was dropped")
	}
	if b, _ := engine.Board(ctx, closedRound.ID); b == closedBoard {
		t.Error("the board of a closed round idle for 31 minutes is still held")
	}
}
