package handlers

import (
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// limitApp answers GET /?limit=N with the size boardLimit makes of N.
func limitApp() *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(statusOf[quiz.ErrorCode(err)]).SendString(quiz.ErrorCode(err))
	}})
	app.Get("/", func(c *fiber.Ctx) error {
		size, err := boardLimit(c)
		if err != nil {
			return err
		}
		return c.SendString(fmt.Sprint(size))
	})
	return app
}

func TestBoardLimitIsRoundedUpToAFixedSize(t *testing.T) {
	app := limitApp()
	for _, tc := range []struct {
		query      string
		wantStatus int
		want       string
	}{
		{"", 200, "50"},
		{"?limit=1", 200, "10"},
		{"?limit=10", 200, "10"},
		{"?limit=11", 200, "20"},
		{"?limit=51", 200, "100"},
		{"?limit=999", 200, "1000"},
		{"?limit=1000", 200, "1000"},
		{"?limit=0", 422, quiz.CodeValidation},
		{"?limit=1001", 422, quiz.CodeValidation},
		{"?limit=-5", 422, quiz.CodeValidation},
		{"?limit=ten", 422, quiz.CodeValidation},
		{"?limit=1e3", 422, quiz.CodeValidation},
	} {
		resp, err := app.Test(httptest.NewRequest("GET", "/"+tc.query, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.wantStatus || string(body) != tc.want {
			t.Errorf("GET /%s: %d %s, want %d %s", tc.query, resp.StatusCode, body, tc.wantStatus, tc.want)
		}
	}
}

func TestBoardCacheIsBoundedByTheSizesOfWatchedRounds(t *testing.T) {
	var cache boardCache
	board := quiz.NewBoard("")
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	offer := func(id int64) {
		board.Offer(quiz.Result{AttemptID: id, UserID: id, Name: "Người Thi", Score: int(id), Correct: int(id), Total: 20,
			StartedAt: start, SubmittedAt: start.Add(time.Minute)})
	}
	offer(1)
	first := cache.watch(7)
	second := cache.watch(7)

	t.Run("every limit a client may send makes at most one entry per size", func(t *testing.T) {
		for limit := 1; limit <= maxBoardLimit; limit++ {
			first.encoded(7, boardView{size: boardSize(limit)}, board)
			second.encoded(7, boardView{size: boardSize(limit), staff: true}, board)
		}
		if got, want := cache.entries(), 2*len(boardSizes); got != want {
			t.Errorf("%d entries after every limit for the public and for staff, want %d", got, want)
		}
	})
	t.Run("a change replaces the entries instead of adding", func(t *testing.T) {
		offer(2)
		for limit := 1; limit <= maxBoardLimit; limit += 7 {
			first.encoded(7, boardView{size: boardSize(limit)}, board)
		}
		if got, want := cache.entries(), 2*len(boardSizes); got != want {
			t.Errorf("%d entries after a change, want %d", got, want)
		}
	})
	t.Run("a round's entries go when its last socket closes", func(t *testing.T) {
		cache.unwatch(7)
		if got := cache.entries(); got == 0 {
			t.Error("the entries went while a socket still watches the round")
		}
		cache.unwatch(7)
		if got := cache.entries(); got != 0 {
			t.Errorf("%d entries after the last socket closed, want 0", got)
		}
	})
}
