package quiz

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// BenchmarkBoardOffer measures putting one more submitted attempt on a live
// board that already ranks n contestants, and reading a contestant's rank:
//
//	go test ./quiz -run '^$' -bench Board
func BenchmarkBoardOffer(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run("contestants="+strconv.Itoa(n), func(b *testing.B) {
			board, rng := filledBoard(n)
			b.ResetTimer()
			for i := range b.N {
				r := randomResult(rng, int64(n+i), int64(rng.IntN(2*n)))
				board.Offer(r)
				board.RankOf(r.UserID)
			}
		})
	}
}

// BenchmarkBoardTop measures the view pushed to every leaderboard socket.
func BenchmarkBoardTop(b *testing.B) {
	board, _ := filledBoard(100000)
	b.ResetTimer()
	for range b.N {
		board.Top(50)
	}
}

func filledBoard(n int) (*Board, *rand.Rand) {
	rng := rand.New(rand.NewPCG(3, 4))
	board := NewBoard("")
	for i := range n {
		board.Offer(randomResult(rng, int64(i), int64(i)))
	}
	return board, rng
}

func randomResult(rng *rand.Rand, attempt, user int64) Result {
	start := t0.Add(time.Duration(rng.IntN(86400000)) * time.Millisecond)
	return Result{AttemptID: attempt + 1, UserID: user + 1, Name: "Nguyễn Văn An", Score: rng.IntN(21), Total: 20,
		StartedAt: start, SubmittedAt: start.Add(time.Duration(rng.IntN(900000)) * time.Millisecond)}
}
