package quiz

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRoundCache(t *testing.T) {
	ctx := context.Background()
	v1, v2 := RankingVersion{All: 1, Round: 1}, RankingVersion{All: 1, Round: 2}

	t.Run("computes once for many requests at one version, however many arrive at once", func(t *testing.T) {
		c := newRoundCache[int64, int](4)
		var computed atomic.Int64
		release := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]int, 16)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], _ = c.get(ctx, 1, v1, func(context.Context) (int, error) {
					computed.Add(1)
					<-release
					return 42, nil
				})
			}()
		}
		time.Sleep(50 * time.Millisecond) // let them all arrive while the first computes
		close(release)
		wg.Wait()
		if n := computed.Load(); n != 1 {
			t.Errorf("computed %d times, want 1", n)
		}
		for i, r := range results {
			if r != 42 {
				t.Errorf("request %d got %d, want 42", i, r)
			}
		}
		if n, _ := c.get(ctx, 1, v1, func(context.Context) (int, error) { return 0, errors.New("computed again") }); n != 42 {
			t.Errorf("a later request got %d, want the kept 42", n)
		}
	})

	t.Run("computes again when the data has changed, and serves older readers the newer value", func(t *testing.T) {
		c := newRoundCache[int64, int](4)
		c.get(ctx, 1, v1, func(context.Context) (int, error) { return 1, nil })
		n, _ := c.get(ctx, 1, v2, func(context.Context) (int, error) { return 2, nil })
		if n != 2 {
			t.Errorf("after a change got %d, want 2", n)
		}
		n, _ = c.get(ctx, 1, v1, func(context.Context) (int, error) { return 3, errors.New("computed again") })
		if n != 2 {
			t.Errorf("a request that read the older version got %d, want the newer 2", n)
		}
		n, _ = c.get(ctx, 1, RankingVersion{All: 2, Round: 1}, func(context.Context) (int, error) { return 4, nil })
		if n != 4 {
			t.Errorf("after a change to every round got %d, want 4", n)
		}
	})

	t.Run("keeps the most recently used rounds only", func(t *testing.T) {
		c := newRoundCache[int64, int64](2)
		var computed atomic.Int64
		get := func(round int64) {
			c.get(ctx, round, v1, func(context.Context) (int64, error) { computed.Add(1); return round, nil })
		}
		get(1)
		get(2)
		get(1) // 2 is now the least recently used
		get(3)
		if n := c.len(); n != 2 {
			t.Errorf("keeps %d rounds, want 2", n)
		}
		before := computed.Load()
		get(1)
		if computed.Load() != before {
			t.Error("round 1, used recently, was dropped")
		}
		get(2)
		if computed.Load() != before+1 {
			t.Error("round 2, the least recently used, was kept")
		}
	})

	t.Run("does not keep a failed computation", func(t *testing.T) {
		c := newRoundCache[int64, int](2)
		if _, err := c.get(ctx, 1, v1, func(context.Context) (int, error) { return 0, errors.New("disk") }); err == nil {
			t.Fatal("the error was lost")
		}
		n, err := c.get(ctx, 1, v1, func(context.Context) (int, error) { return 7, nil })
		if err != nil || n != 7 {
			t.Errorf("after a failure got %d, %v; want a new computation", n, err)
		}
	})

	t.Run("a computation outlives the request that started it", func(t *testing.T) {
		c := newRoundCache[int64, int](2)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		n, err := c.get(cancelled, 1, v1, func(ctx context.Context) (int, error) { return 5, ctx.Err() })
		if err != nil || n != 5 {
			t.Errorf("got %d, %v; want 5 computed with a live context", n, err)
		}
	})
}

func TestGate(t *testing.T) {
	ctx := context.Background()

	t.Run("refuses the job over its slots once the wait is over", func(t *testing.T) {
		g := NewGate(2, 30*time.Millisecond)
		leave1, err1 := g.Enter(ctx)
		leave2, err2 := g.Enter(ctx)
		if err1 != nil || err2 != nil {
			t.Fatalf("the first two jobs: %v, %v", err1, err2)
		}
		start := time.Now()
		_, err := g.Enter(ctx)
		if ErrorCode(err) != CodeBusy {
			t.Fatalf("third job: got %v, want %s", err, CodeBusy)
		}
		if waited := time.Since(start); waited < 30*time.Millisecond {
			t.Errorf("refused after %s, before the wait of 30ms", waited)
		}
		leave1()
		leave1() // a second call changes nothing
		leave3, err := g.Enter(ctx)
		if err != nil {
			t.Fatalf("a job after one left: %v", err)
		}
		if _, err := g.Enter(ctx); ErrorCode(err) != CodeBusy {
			t.Errorf("leaving twice freed two slots: got %v, want %s", err, CodeBusy)
		}
		leave2()
		leave3()
	})

	t.Run("a waiting job runs as soon as a slot frees", func(t *testing.T) {
		g := NewGate(1, 5*time.Second)
		leave, _ := g.Enter(ctx)
		go func() {
			time.Sleep(20 * time.Millisecond)
			leave()
		}()
		next, err := g.Enter(ctx)
		if err != nil {
			t.Fatalf("the waiting job: %v", err)
		}
		next()
	})
}
