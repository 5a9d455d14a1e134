package handlers

import (
	"testing"
	"time"
)

func TestLimiterCountsPerKeyAndWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	l := newLimiter(3, time.Minute, func() time.Time { return now })
	for range 3 {
		if full, _ := l.full("10.0.0.1"); full {
			t.Fatal("full before the limit")
		}
		l.add("10.0.0.1")
	}
	full, retry := l.full("10.0.0.1")
	if !full || retry != time.Minute {
		t.Fatalf("after 3 events: full=%v retry=%s, want full with a minute to wait", full, retry)
	}
	if full, _ := l.full("10.0.0.2"); full {
		t.Error("another address is limited too")
	}
	now = now.Add(40 * time.Second)
	if _, retry := l.full("10.0.0.1"); retry != 20*time.Second {
		t.Errorf("retry %s 40 s later, want 20s", retry)
	}
	now = now.Add(20 * time.Second)
	if full, _ := l.full("10.0.0.1"); full {
		t.Error("still full once the window has passed")
	}
	if len(l.counts) > 2 {
		t.Errorf("%d keys kept; old windows should be forgotten", len(l.counts))
	}
}
