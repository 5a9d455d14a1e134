package quiz

import (
	"testing"
	"time"
)

func TestFakeClockRunsWhatComesDue(t *testing.T) {
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	c := NewFakeClock(start)
	ran := make(chan string, 4)
	c.AfterFunc(2*time.Second, func() { ran <- "two" })
	stopped := c.AfterFunc(time.Second, func() { ran <- "stopped" })
	c.AfterFunc(3*time.Second, func() { ran <- "three" })
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop: want true once, then false")
	}
	if c.Waiting() != 2 {
		t.Fatalf("waiting %d, want 2", c.Waiting())
	}
	c.Advance(2500 * time.Millisecond)
	if got := <-ran; got != "two" {
		t.Errorf("after 2.5 s %q ran, want two", got)
	}
	if c.Waiting() != 1 || !c.Now().Equal(start.Add(2500*time.Millisecond)) {
		t.Errorf("after 2.5 s: %d waiting at %v, want 1 at 08:00:02.5", c.Waiting(), c.Now())
	}
	c.Set(start)
	if !c.Now().Equal(start.Add(2500 * time.Millisecond)) {
		t.Errorf("the clock went back to %v", c.Now())
	}
	c.Advance(time.Second)
	if got := <-ran; got != "three" {
		t.Errorf("after 3.5 s %q ran, want three", got)
	}
	select {
	case got := <-ran:
		t.Errorf("%q ran as well", got)
	case <-time.After(50 * time.Millisecond):
	}
}
