package quiz

import (
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
