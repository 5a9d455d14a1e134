package handlers

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/hub"
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
	f := liveFigures{rounds: map[int64]*roundFigures{}}
	now := time.Unix(1_800_000_000, 0)
	f.rounds[1] = &roundFigures{asked: now.Add(-statsKept - time.Second)}
	f.rounds[2] = &roundFigures{asked: now.Add(-statsEvery)}
	f.dropStale(now)
	kept := []int64{}
	for id := range f.rounds {
		kept = append(kept, id)
	}
	if len(kept) != 1 || kept[0] != 2 {
		t.Errorf("rounds kept %v, want only the one watched within %s", kept, statsKept)
	}
}

// pacedFigures is a liveFigures whose readings each take cost on a clock
// the test moves.
type pacedFigures struct {
	liveFigures
	mu    sync.Mutex
	base  time.Time
	clock time.Time
	cost  time.Duration
	reads atomic.Int64
	hold  chan struct{} // when set, each reading waits for it to close
	in    chan struct{} // told when a reading begins
}

func newPacedFigures() *pacedFigures {
	base := time.Unix(1_800_000_000, 0)
	p := &pacedFigures{base: base, clock: base}
	p.liveFigures = liveFigures{rounds: map[int64]*roundFigures{}, now: p.now,
		compute: func(ctx context.Context, roundID int64, now time.Time) (statsBody, error) {
			p.reads.Add(1)
			if p.in != nil {
				p.in <- struct{}{}
			}
			if p.hold != nil {
				<-p.hold
			}
			p.advance(p.cost)
			return statsBody{RoundID: roundID, At: apiTime(now)}, nil
		}}
	return p
}

func (p *pacedFigures) now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clock
}

func (p *pacedFigures) advance(d time.Duration) {
	p.mu.Lock()
	p.clock = p.clock.Add(d)
	p.mu.Unlock()
}

// setTo sets the clock to d after the test's beginning.
func (p *pacedFigures) setTo(d time.Duration) {
	p.mu.Lock()
	p.clock = p.base.Add(d)
	p.mu.Unlock()
}

// A reading of a large round's figures is kept for ten times as long as
// it took, across many of the pusher's ticks; the organizers' sockets get
// those figures once, not again at every tick.
func TestLivePusherSendsFiguresOnceEach(t *testing.T) {
	p := newPacedFigures()
	p.cost = time.Second // kept 10 s
	var pushed []string
	p.publish = func(_ hub.Topic, m hub.Message) int {
		var body statsBody
		if err := json.Unmarshal(m.Data, &body); err != nil {
			t.Fatal(err)
		}
		pushed = append(pushed, body.At)
		return 1
	}
	push := pusher{figures: &p.liveFigures, topic: statsTopic(7)}
	for _, at := range []time.Duration{2, 4, 6, 8, 10, 12} { // seconds, as the pusher ticks
		p.setTo(at * time.Second)
		push.tick()
	}
	want := []string{apiTime(p.base.Add(2 * time.Second)), apiTime(p.base.Add(12 * time.Second))}
	if !slices.Equal(pushed, want) {
		t.Errorf("pushed the figures read at %v over six ticks, want each reading once: %v", pushed, want)
	}
	if n := p.reads.Load(); n != 2 {
		t.Errorf("read %d times, want twice (at 2 s, and ten times its second after it began)", n)
	}
}

// The figures of a large round take long to read: an organizer's page
// open through its rush must not spend the server's core on them.
func TestLiveFiguresAreReadAtMostATenthOfTheTime(t *testing.T) {
	ctx := context.Background()
	get := func(p *pacedFigures) {
		t.Helper()
		if _, err := p.get(ctx, 7); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("a reading of a second is not repeated for ten", func(t *testing.T) {
		p := newPacedFigures()
		p.cost = time.Second
		get(p) // read from 0 s to 1 s
		for _, at := range []time.Duration{3 * time.Second, 9 * time.Second} {
			p.setTo(at)
			get(p)
			if n := p.reads.Load(); n != 1 {
				t.Fatalf("read %d times by %s, want once: a reading of 1 s is due again after 10 s", n, at)
			}
		}
		p.setTo(10 * time.Second)
		get(p)
		if n := p.reads.Load(); n != 2 {
			t.Errorf("read %d times by 10 s, want twice", n)
		}
	})
	t.Run("a quick reading is repeated every two seconds", func(t *testing.T) {
		p := newPacedFigures()
		p.cost = 10 * time.Millisecond
		get(p)
		p.setTo(statsEvery - time.Millisecond)
		get(p)
		if n := p.reads.Load(); n != 1 {
			t.Fatalf("read %d times before %s, want once", n, statsEvery)
		}
		p.setTo(statsEvery)
		get(p)
		if n := p.reads.Load(); n != 2 {
			t.Errorf("read %d times at %s, want twice", n, statsEvery)
		}
	})
	t.Run("organizers asking at once share one reading", func(t *testing.T) {
		p := newPacedFigures()
		p.cost = time.Second
		p.hold, p.in = make(chan struct{}), make(chan struct{}, 16)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				get(p)
			}()
			if i == 0 {
				<-p.in // the first is reading; the others come during it
			}
		}
		time.Sleep(50 * time.Millisecond) // let the others reach the round
		close(p.hold)
		wg.Wait()
		if n := p.reads.Load(); n != 1 {
			t.Errorf("8 organizers asking at once read the figures %d times, want once", n)
		}
	})
}
