package quiz

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// bigRound makes a round's submitted attempts: n contestants in 500 units,
// a fifth of them with a second attempt, scores out of 20, predictions
// spread around the actual count.
func bigRound(n int) []Contender {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Contender, 0, n+n/5)
	id := int64(0)
	for u := range n {
		attempts := 1
		if u%5 == 4 {
			attempts = 2
		}
		for range attempts {
			id++
			score := rng.IntN(21)
			start := lockT0.Add(time.Duration(rng.IntN(7*24*3600)) * time.Second)
			c := Contender{Result: Result{AttemptID: id, UserID: int64(u + 1), Name: fmt.Sprintf("Nguyễn Văn %d", u),
				Unit: fmt.Sprintf("Xã số %d", u%500), Score: score, Correct: score, Total: 20, StartedAt: start,
				SubmittedAt: start.Add(time.Duration(60000+rng.IntN(540000)) * time.Millisecond)},
				BirthDate: "1990-01-02", IDNumber: fmt.Sprintf("%012d", 1000000+u), Phone: fmt.Sprintf("09%08d", u),
				Province: "01", Commune: "Phường Ba Đình"}
			if rng.IntN(10) > 0 {
				p := rng.IntN(2 * n / 20)
				c.Prediction = &p
			}
			rows = append(rows, c)
		}
	}
	return rows
}

// peakHeap samples the live heap until stopped and returns its peak in
// bytes.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkWinners100k ranks a round of 100,000 contestants (120,000
// attempts), gives 1,000 prizes and ranks 500 units, then writes the
// winners workbook. It reports the peak live heap while doing so; the
// attempts themselves are made before the timer and counted in the base.
func BenchmarkWinners100k(b *testing.B) {
	rows := bigRound(100_000)
	tiers := []Prize{{"Giải Nhất", 10}, {"Giải Nhì", 40}, {"Giải Ba", 150}, {"Giải Khuyến khích", 800}}
	r := Round{ID: 1, Name: "Tuần 1", ContestTitle: "Hội thi", Prizes: tiers, PredictionTarget: TargetPerfectScorers,
		OpensAt: lockT0, ClosesAt: lockT0.Add(7 * 24 * time.Hour)}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	b.ResetTimer()
	for range b.N {
		stop := peakHeap()
		entries, stats, actual := Rank(rows, TargetPerfectScorers)
		AllocatePrizes(entries, PrizeRules{Tiers: tiers})
		units := RankUnits(entries, nil, []Prize{{"Giải tập thể", 3}})
		l := WinnerList{Round: r, Entries: entries, Units: units, Stats: stats, Actual: actual}
		if err := (WinnersXLSX{Made: lockT0}).Write(io.Discard, l); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		if len(l.Winners()) != 1000 {
			b.Fatalf("%d winners", len(l.Winners()))
		}
	}
	b.ReportMetric(float64(base.HeapAlloc)/(1<<20), "base-heap-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkRank100k is the ranking and the prizes alone.
func BenchmarkRank100k(b *testing.B) {
	rows := bigRound(100_000)
	tiers := []Prize{{"Giải Nhất", 10}, {"Giải Nhì", 40}, {"Giải Ba", 150}, {"Giải Khuyến khích", 800}}
	b.ResetTimer()
	for range b.N {
		entries, _, _ := Rank(rows, TargetPerfectScorers)
		AllocatePrizes(entries, PrizeRules{Tiers: tiers})
	}
}

// BenchmarkWinnersXLSX writes the winners workbook alone for rounds of
// growing size and reports how much the live heap grew above the list
// while writing it: what the stream writer keeps, which should not grow
// with the round.
func BenchmarkWinnersXLSX(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000} {
		b.Run(fmt.Sprintf("contestants=%d", n), func(b *testing.B) {
			entries, stats, actual := Rank(bigRound(n), TargetPerfectScorers)
			AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Giải Nhất", 10}}})
			l := WinnerList{Round: Round{Name: "Tuần 1"}, Entries: entries, Stats: stats, Actual: actual}
			var added uint64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				stop := peakHeap()
				if err := (WinnersXLSX{Made: lockT0}).Write(io.Discard, l); err != nil {
					b.Fatal(err)
				}
				if p := stop(); p > before.HeapAlloc {
					added = max(added, p-before.HeapAlloc)
				}
			}
			b.ReportMetric(float64(added)/(1<<20), "added-heap-MB")
		})
	}
}
