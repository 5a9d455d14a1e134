package quiz

import (
	"runtime"
	"testing"
	"time"
)

func TestFinishedAttemptsAreKeptAMinuteAndBounded(t *testing.T) {
	var f finishedAttempts
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	for i := range finishedMax + 5 {
		f.keep(int64(i), nil, map[int64][]int64{}, now)
	}
	if len(f.byID) != finishedMax || len(f.order) != finishedMax {
		t.Errorf("%d kept (%d in order), want at most %d", len(f.byID), len(f.order), finishedMax)
	}
	if _, _, ok := f.detail(4, now); ok {
		t.Error("the oldest are still kept past the bound")
	}
	if _, _, ok := f.detail(finishedMax+4, now.Add(finishedKept)); !ok {
		t.Error("the newest is not kept for a minute")
	}
	if _, _, ok := f.detail(finishedMax+4, now.Add(finishedKept+time.Millisecond)); ok {
		t.Error("the newest is still given after a minute")
	}
	f.keep(-1, nil, map[int64][]int64{}, now.Add(finishedKept+time.Second))
	if len(f.byID) != 1 || len(f.order) != 1 {
		t.Errorf("%d kept after a minute, want only the one kept then", len(f.byID))
	}
}

// BenchmarkFinishedAttemptHeld weighs what keeping a submitted attempt for
// its result page holds: the heap's growth over 10,000 attempts of twenty
// questions of four options, each question answered, shaped as an attempt
// keeps them (every question's options in one allocation):
//
//	go test ./quiz -run '^$' -bench FinishedAttemptHeld -benchtime 3x
func BenchmarkFinishedAttemptHeld(b *testing.B) {
	const attempts, questions, options = 10_000, 20, 4
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	var held float64
	for range b.N {
		f := &finishedAttempts{}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range attempts {
			all := make([]Option, questions*options)
			qs := make([]AttemptQuestion, questions)
			answers := make(map[int64][]int64, questions)
			for j := range qs {
				qs[j] = AttemptQuestion{ID: int64(j), Text: "kept once, in the bank", Options: all[j*options : (j+1)*options : (j+1)*options]}
				answers[int64(j)] = []int64{int64(j * options)}
			}
			f.keep(int64(i), qs, answers, now)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / attempts
		runtime.KeepAlive(f)
	}
	b.ReportMetric(held, "B/attempt")
}
