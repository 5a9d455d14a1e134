package quiz_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// countingSink counts what a game hands out, as a transport would queue
// it, without sending it anywhere.
type countingSink struct {
	broadcasts, perPlayer, host atomic.Int64
	bytes                       atomic.Int64
}

func (s *countingSink) ToPlayers(_ int64, msg []byte) {
	s.broadcasts.Add(1)
	s.bytes.Add(int64(len(msg)))
}
func (s *countingSink) ToPlayer(_ int64, _ int64, msg []byte) {
	s.perPlayer.Add(1)
	s.bytes.Add(int64(len(msg)))
}
func (s *countingSink) ToHost(_ int64, msg []byte)                  { s.host.Add(1) }
func (s *countingSink) ToHostLatest(id int64, _ string, msg []byte) { s.ToHost(id, msg) }
func (s *countingSink) Drop(int64, int64)                           {}

// BenchmarkLiveQuestion measures one question of a game of
// HOITHI_BENCH_PLAYERS players (default 15,000) on this machine's store:
// every player answers at once, each answer acknowledged once committed;
// it reports the acknowledgement latency (p50, p99, max) and the time
// from the last acknowledgement to the reveal with every player's result
// handed to the sink. The transport is not in it (see cmd/hoithi-load).
//
//	go test ./quiz -run '^$' -bench LiveQuestion -benchtime 3x
func BenchmarkLiveQuestion(b *testing.B) {
	players := 15000
	if v := os.Getenv("HOITHI_BENCH_PLAYERS"); v != "" {
		fmt.Sscan(v, &players)
	}
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	clock := quiz.NewFakeClock(time.Now())
	catalog := quiz.NewCatalog(db, clock.Now)
	bank, _ := catalog.CreateBank(ctx, "Ngân hàng", "")
	var qs []quiz.Question
	for i := range 100 {
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu %d?", i), Options: []quiz.Option{
			{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Có thể"}, {Text: "Không biết"}}})
	}
	if _, err := catalog.AddQuestions(ctx, bank.ID, qs); err != nil {
		b.Fatal(err)
	}
	sink := &countingSink{}
	live := quiz.NewLive(db, db, clock, nil)
	live.SetSink(sink)
	defer live.Stop()
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bank.ID, QuestionCount: 100, SecondsPerQuestion: 30})
	if err != nil {
		b.Fatal(err)
	}
	rec, _ := db.LiveGame(ctx, g.ID)
	ids := make([]int64, players)
	var wg sync.WaitGroup
	joinStart := time.Now()
	for i := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := live.Join(ctx, g.ID, fmt.Sprintf("Người %d", i), 0)
			if err != nil {
				b.Error(err)
				return
			}
			ids[i] = j.PlayerID
			live.Connect(g.ID, j.PlayerID)
		}()
	}
	wg.Wait()
	b.Logf("%d players joined in %v", players, time.Since(joinStart).Round(time.Millisecond))
	if err := live.StartGame(ctx, g.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var p50, p99, worst, reveal time.Duration
	for n := range b.N {
		if n > 0 {
			live.Next(ctx, g.ID)
			live.Next(ctx, g.ID)
		}
		index := n
		correct := rec.Questions[index].CorrectIDs()
		results := sink.perPlayer.Load()
		latencies := make([]time.Duration, players)
		start := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				if err := live.Answer(ctx, g.ID, id, index, correct); err != nil {
					b.Error(err)
				}
				latencies[i] = time.Since(t0)
			}()
		}
		close(start)
		wg.Wait()
		acked := time.Now()
		// The reveal follows the last answer: every player's ack and
		// result handed out.
		for sink.perPlayer.Load()-results < int64(2*players) {
			time.Sleep(100 * time.Microsecond)
		}
		reveal += time.Since(acked)
		slices.Sort(latencies)
		p50 += latencies[players/2]
		p99 += latencies[players*99/100]
		worst = max(worst, latencies[players-1])
	}
	b.ReportMetric(float64(p50.Milliseconds())/float64(b.N), "p50-ack-ms")
	b.ReportMetric(float64(p99.Milliseconds())/float64(b.N), "p99-ack-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "max-ack-ms")
	b.ReportMetric(float64(reveal.Milliseconds())/float64(b.N), "reveal-ms")
}
