package handlers

import (
	"strings"
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

func TestAccountLimitHoldsForItsWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	l := newLimiter(failedLoginsPerAccount, accountLoginWindow, func() time.Time { return now })
	key := accountKey("0912 345 678")
	for i := range failedLoginsPerAccount { // one a minute from 8:00 to 8:09
		if i > 0 {
			now = now.Add(time.Minute)
		}
		if ok, _ := l.take(key); !ok {
			t.Fatalf("failure %d refused", i+1)
		}
	}
	t.Run("refuses the same account written another way until the window ends", func(t *testing.T) {
		if full, retry := l.full(accountKey("+84912345678")); !full || retry != 6*time.Minute {
			t.Errorf("full=%v retry=%s, want full for the 6 minutes left of the window", full, retry)
		}
		if ok, retry := l.take(accountKey("+84912345678")); ok || retry != 6*time.Minute {
			t.Errorf("ok=%v retry=%s, want refused for the 6 minutes left of the window", ok, retry)
		}
	})
	t.Run("counts an e-mail as accounts look it up", func(t *testing.T) {
		if accountKey(" An@Example.VN ") != accountKey("an@example.vn") {
			t.Error("two spellings of one e-mail are counted apart")
		}
	})
	t.Run("lets the account try again once the window has passed", func(t *testing.T) {
		now = now.Add(6 * time.Minute)
		if full, _ := l.full(key); full {
			t.Error("still full after 15 minutes")
		}
		if ok, _ := l.take(key); !ok {
			t.Error("still refused after 15 minutes")
		}
	})
}

func TestAddressKeyGroupsIPv6By64(t *testing.T) {
	cases := []struct{ name, a, b string }{
		{"one IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe"},
		{"an IPv4 address and its IPv6-mapped form", "203.0.113.7", "::ffff:203.0.113.7"},
	}
	for _, c := range cases {
		t.Run("counts "+c.name+" as one client", func(t *testing.T) {
			if addressKey(c.a) != addressKey(c.b) {
				t.Errorf("%s → %s, %s → %s", c.a, addressKey(c.a), c.b, addressKey(c.b))
			}
		})
	}
	apart := []struct{ name, a, b string }{
		{"neighbouring IPv6 /64s", "2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"neighbouring IPv4 addresses", "203.0.113.7", "203.0.113.8"},
	}
	for _, c := range apart {
		t.Run("counts "+c.name+" apart", func(t *testing.T) {
			if addressKey(c.a) == addressKey(c.b) {
				t.Errorf("%s and %s share %s", c.a, c.b, addressKey(c.a))
			}
		})
	}
	if got := addressKey("2001:db8:1:2:3:4:5:6"); got != "2001:db8:1:2::/64" {
		t.Errorf("key %q, want 2001:db8:1:2::/64", got)
	}
}

func TestHashQueueServesAddressesInTurn(t *testing.T) {
	q := newHashQueue(1, 3, 5)
	if !q.acquire("busy") {
		t.Fatal("the free slot was refused")
	}
	waiting := func(n int) {
		t.Helper()
		for range 1000 {
			q.mu.Lock()
			w := q.waiting
			q.mu.Unlock()
			if w == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("never %d waiting", n)
	}
	served := make(chan string, 10)
	wait := func(key, name string) {
		go func() {
			if q.acquire(key) {
				served <- name
			}
		}()
	}
	// One address floods with three requests, then two others ask.
	wait("flood", "flood 1")
	waiting(1)
	wait("flood", "flood 2")
	waiting(2)
	wait("flood", "flood 3")
	waiting(3)
	wait("office", "office 1")
	waiting(4)
	wait("home", "home 1")
	waiting(5)

	t.Run("refuses an address whose queue is full", func(t *testing.T) {
		if q.acquire("flood") {
			t.Error("a fourth request from the flood was queued")
		}
	})
	t.Run("refuses anyone once the whole queue is full", func(t *testing.T) {
		if q.acquire("late") {
			t.Error("a sixth waiting request was queued")
		}
	})
	t.Run("serves one request of each address before a second of any", func(t *testing.T) {
		var order []string
		for range 5 {
			q.release()
			order = append(order, <-served)
		}
		want := []string{"flood 1", "office 1", "home 1", "flood 2", "flood 3"}
		if strings.Join(order, ", ") != strings.Join(want, ", ") {
			t.Errorf("served %v, want %v", order, want)
		}
	})
	q.release()
	t.Run("runs at once when a slot is free", func(t *testing.T) {
		if q.running != 0 || !q.acquire("late") {
			t.Errorf("running %d after every release, or a free slot refused", q.running)
		}
	})
}
