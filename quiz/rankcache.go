package quiz

import (
	"context"
	"sync"
)

// RankingVersion names the state of the data a closed round's ranking and
// statistics are computed from. All counts the changes that can move any
// round (accounts edited, deleted or purged; rounds, prizes and unit sizes
// edited; locks and unlocks), Round the round's own submissions. The
// database keeps both, whichever process makes the change, and both only
// grow, so a result computed at one version stays right until either
// grows.
type RankingVersion struct {
	All   int64
	Round int64
}

// covers reports whether a result computed at v is at least as new as the
// data at w.
func (v RankingVersion) covers(w RankingVersion) bool {
	return v.All >= w.All && v.Round >= w.Round
}

// roundCache keeps the last value computed for a few keys (rounds), each
// with the version of the data it was computed from, the least recently
// used dropped first. Requests that find no value for the version they
// read wait for one computation instead of each starting its own.
type roundCache[K comparable, V any] struct {
	mu      sync.Mutex
	max     int
	clock   uint64
	entries map[K]*cacheEntry[V]
}

type cacheEntry[V any] struct {
	version RankingVersion
	ready   chan struct{} // closed once value and err are set
	value   V
	err     error
	used    uint64
}

func newRoundCache[K comparable, V any](max int) *roundCache[K, V] {
	return &roundCache[K, V]{max: max, entries: map[K]*cacheEntry[V]{}}
}

// get returns the value for key at version, computing it when the cache
// holds none as new. At most one computation of a key runs at a time: a
// request that finds one running waits for it, then uses its value if it
// is new enough. The computation runs on, for those waiting, even if the
// request that started it goes away; a failed one is not kept.
func (c *roundCache[K, V]) get(ctx context.Context, key K, version RankingVersion, compute func(context.Context) (V, error)) (V, error) {
	var zero V
	for {
		c.mu.Lock()
		c.clock++
		e := c.entries[key]
		if e == nil {
			break // computed below, c.mu held
		}
		e.used = c.clock
		done := isClosed(e.ready)
		if done && !e.version.covers(version) {
			break
		}
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		if e.version.covers(version) {
			return e.value, e.err
		}
		// A computation from older data has finished: look again.
	}
	e := &cacheEntry[V]{version: version, ready: make(chan struct{}), used: c.clock}
	c.entries[key] = e
	c.evict(key)
	c.mu.Unlock()

	e.value, e.err = compute(context.WithoutCancel(ctx))
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return e.value, e.err
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// evict drops the least recently used entries beyond max, never keep's.
func (c *roundCache[K, V]) evict(keep K) {
	for len(c.entries) > c.max {
		var oldest K
		found := false
		for k, e := range c.entries {
			if k != keep && (!found || e.used < c.entries[oldest].used) {
				oldest, found = k, true
			}
		}
		if !found {
			return
		}
		delete(c.entries, oldest)
	}
}

// len is how many values the cache holds.
func (c *roundCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
