package handlers

import (
	"testing"
	"time"
)

func TestPendingImportsAreBounded(t *testing.T) {
	var p pendingImports
	now := time.Unix(1_800_000_000, 0)
	var first string
	for i := range 5 {
		token := p.put(now.Add(time.Duration(i)*time.Second), &pendingImport{userID: 7, bankID: 1, data: make([]byte, 10)})
		if i == 0 {
			first = token
		}
	}
	if got := p.count(7); got != pendingPerUser {
		t.Errorf("one organizer has %d previews waiting, want the newest %d", got, pendingPerUser)
	}
	if p.take(now.Add(time.Minute), first, 1, 7) != nil {
		t.Error("the organizer's oldest preview is still there")
	}
	big := make([]byte, pendingBytes/2+1)
	for i := range 4 {
		p.put(now.Add(time.Duration(10+i)*time.Second), &pendingImport{userID: int64(100 + i), bankID: 1, data: big})
	}
	if got := p.size(); got > pendingBytes {
		t.Errorf("previews hold %d bytes, more than %d", got, pendingBytes)
	}
	if len(p.items) != 1 {
		t.Errorf("%d previews after two files of half the budget each, want only the newest", len(p.items))
	}
}

func TestLiveFiguresOfUnwatchedRoundsAreDropped(t *testing.T) {
	var f liveFigures
	now := time.Unix(1_800_000_000, 0)
	f.cached.Store(int64(1), &cachedStats{at: now.Add(-statsKept - time.Second)})
	f.cached.Store(int64(2), &cachedStats{at: now.Add(-statsEvery)})
	f.dropStale(now)
	kept := []int64{}
	f.cached.Range(func(key, _ any) bool { kept = append(kept, key.(int64)); return true })
	if len(kept) != 1 || kept[0] != 2 {
		t.Errorf("rounds kept %v, want only the one watched within %s", kept, statsKept)
	}
}
