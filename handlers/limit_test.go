package handlers

import (
	"testing"
	"time"
)

func TestLimiterCountsPerKeyAndWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	l := newLimiter(3, time.Minute, func() time.Time { return now })
	for range 3 {
		if ok, _ := l.take("10.0.0.1"); !ok {
			t.Fatal("refused before the limit")
		}
	}
	ok, retry := l.take("10.0.0.1")
	if ok || retry != time.Minute {
		t.Fatalf("fourth event: ok=%v retry=%s, want refused with a minute to wait", ok, retry)
	}
	if ok, _ := l.take("10.0.0.2"); !ok {
		t.Error("another address is limited too")
	}
	l.give("10.0.0.1")
	if ok, _ := l.take("10.0.0.1"); !ok {
		t.Error("an event given back still counts")
	}
	now = now.Add(40 * time.Second)
	if _, retry := l.take("10.0.0.1"); retry != 20*time.Second {
		t.Errorf("retry %s 40 s later, want 20s", retry)
	}
	now = now.Add(20 * time.Second)
	if ok, _ := l.take("10.0.0.1"); !ok {
		t.Error("still refused once the window has passed")
	}
	if len(l.counts) > 2 {
		t.Errorf("%d keys kept; old windows should be forgotten", len(l.counts))
	}
}
