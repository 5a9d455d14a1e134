package quiz

import (
	"slices"
	"sort"
	"sync"
)

// Entry is one line of a leaderboard: a contestant's best attempt and rank.
type Entry struct {
	Rank       int
	UserID     int64
	AttemptID  int64
	Name       string
	Unit       string
	Score      int
	Correct    int
	DurationMs int64
}

// Standing is a view of a board at one version.
type Standing struct {
	Version uint64
	Total   int
	Entries []Entry
	// Guarded: the board was guarded (see Board.Guarded) when the view was
	// taken; a public view then holds at most GuardedTop entries and Total
	// is not to be shown.
	Guarded bool
}

// GuardedTop is how many entries of a guarded board the public sees: the
// head of the live ranking, not enough to count the figure a prediction asks
// for once the round has more than a handful of contestants.
const GuardedTop = 10

// Board is the live ranking of one round, held in memory: every submitted
// attempt, grouped by contestant, ordered by each contestant's best. While
// the round is open it ranks by score, working time and start; once closed
// (Finalize), by the prediction error too.
type Board struct {
	mu       sync.RWMutex
	target   string // prediction target; "" when the round asks none
	closed   bool
	actual   *int
	attempts int
	users    map[int64]*contestant
	sorted   []*contestant // by best, then attempt id
	version  uint64
	changed  chan struct{}
}

type contestant struct {
	results []Result
	best    Result
}

// NewBoard returns an empty board for a round whose prediction asks about
// target ("" for none).
func NewBoard(target string) *Board {
	return &Board{target: target, users: map[int64]*contestant{}, changed: make(chan struct{})}
}

// less is the board's total order: the contest rules, then the attempt id so
// that equal results keep one stable order.
func (b *Board) less(x, y Result) bool {
	if c := Compare(x, y, b.actual); c != 0 {
		return c < 0
	}
	return x.AttemptID < y.AttemptID
}

// Offer records a submitted attempt. It reports whether the board changed;
// offering the same attempt twice changes nothing.
func (b *Board) Offer(r Result) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.users[r.UserID]
	if c == nil {
		c = &contestant{best: r}
		b.users[r.UserID] = c
	} else {
		for _, old := range c.results {
			if old.AttemptID == r.AttemptID {
				return false
			}
		}
	}
	c.results = append(c.results, r)
	b.attempts++
	if b.closed && b.target != "" {
		// A late submission (the server was down at the close) can move the
		// actual count, and with it every prediction error.
		b.computeActual()
		b.resort()
	} else if len(c.results) == 1 {
		b.insert(c)
	} else if b.less(r, c.best) {
		b.remove(c)
		c.best = r
		b.insert(c)
	}
	b.bump()
	return true
}

// Finalize switches the board to the closed round's order: the prediction's
// actual count is computed from the submitted attempts and every contestant's
// best attempt is chosen again with it.
func (b *Board) Finalize() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	if b.target != "" {
		b.computeActual()
		b.resort()
	}
	b.bump()
}

// Guarded reports whether the board's round asks a prediction and has not
// taken the closed round's order yet. Until then nothing public may give
// away the figure the prediction asks for (perfect scorers, contestants or
// attempts) or let it be counted: the public sees at most GuardedTop
// entries, no total, and a contestant's own rank only within that head.
func (b *Board) Guarded() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.guarded()
}

func (b *Board) guarded() bool { return b.target != "" && !b.closed }

// Closed reports whether the board has taken the closed round's order.
func (b *Board) Closed() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.closed
}

// Actual returns the prediction's actual count once the round is finalized.
func (b *Board) Actual() (int, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.actual == nil {
		return 0, false
	}
	return *b.actual, true
}

// Stats returns the counts over the attempts submitted so far.
func (b *Board) Stats() RoundStats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.stats()
}

func (b *Board) stats() RoundStats {
	s := RoundStats{Participants: len(b.users), Attempts: b.attempts}
	for _, c := range b.users {
		for _, r := range c.results {
			if r.Perfect() {
				s.PerfectScorers++
				break
			}
		}
	}
	return s
}

func (b *Board) computeActual() {
	if actual, ok := b.stats().Actual(b.target); ok {
		b.actual = &actual
	}
}

// resort chooses every contestant's best again and sorts the whole board.
func (b *Board) resort() {
	b.sorted = b.sorted[:0]
	for _, c := range b.users {
		c.best = c.results[0]
		for _, r := range c.results[1:] {
			if b.less(r, c.best) {
				c.best = r
			}
		}
		b.sorted = append(b.sorted, c)
	}
	sort.Slice(b.sorted, func(i, j int) bool { return b.less(b.sorted[i].best, b.sorted[j].best) })
}

func (b *Board) search(r Result) int {
	return sort.Search(len(b.sorted), func(i int) bool { return !b.less(b.sorted[i].best, r) })
}

func (b *Board) insert(c *contestant) {
	b.sorted = slices.Insert(b.sorted, b.search(c.best), c)
}

func (b *Board) remove(c *contestant) {
	i := b.search(c.best)
	if i < len(b.sorted) && b.sorted[i] == c {
		b.sorted = slices.Delete(b.sorted, i, i+1)
	}
}

func (b *Board) bump() {
	b.version++
	close(b.changed)
	b.changed = make(chan struct{})
}

// Changed returns a channel that is closed at the board's next change.
func (b *Board) Changed() <-chan struct{} {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.changed
}

// Version counts the board's changes.
func (b *Board) Version() uint64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.version
}

// Top returns the first limit entries; contestants tied at every level of
// the rules share a rank. It is the whole view, for staff.
func (b *Board) Top(limit int) Standing {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.top(limit)
}

// PublicTop is Top as anyone may see it: while the board is guarded, at
// most GuardedTop entries (the caller hides Total; Guarded is set).
func (b *Board) PublicTop(limit int) Standing {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.guarded() {
		limit = min(limit, GuardedTop)
	}
	return b.top(limit)
}

func (b *Board) top(limit int) Standing {
	n := min(limit, len(b.sorted))
	entries := make([]Entry, n)
	for i := range n {
		rank := i + 1
		if i > 0 && Compare(b.sorted[i-1].best, b.sorted[i].best, b.actual) == 0 {
			rank = entries[i-1].Rank
		}
		entries[i] = entryOf(b.sorted[i].best, rank)
	}
	return Standing{Version: b.version, Total: len(b.sorted), Entries: entries, Guarded: b.guarded()}
}

// RankOf returns a contestant's entry; ok is false before their first
// submitted attempt. It is the whole truth, for staff and for ranking.
func (b *Board) RankOf(userID int64) (Entry, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.rankOf(userID)
}

// OwnEntry is RankOf as the contestant may be told it: while the board is
// guarded, a rank beyond GuardedTop is 0 (not given). A throwaway account
// that scores nothing and submits at its deadline would otherwise rank
// last and learn how many contestants there are; a perfect score submitted
// slowly would give the number of perfect scorers.
func (b *Board) OwnEntry(userID int64) (Entry, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, ok := b.rankOf(userID)
	if ok && b.guarded() && e.Rank > GuardedTop {
		e.Rank = 0
	}
	return e, ok
}

func (b *Board) rankOf(userID int64) (Entry, bool) {
	c := b.users[userID]
	if c == nil {
		return Entry{}, false
	}
	first := sort.Search(len(b.sorted), func(i int) bool { return Compare(b.sorted[i].best, c.best, b.actual) >= 0 })
	return entryOf(c.best, first+1), true
}

// Holds reports whether the board has the contestant's attempt.
func (b *Board) Holds(userID, attemptID int64) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if c := b.users[userID]; c != nil {
		for _, r := range c.results {
			if r.AttemptID == attemptID {
				return true
			}
		}
	}
	return false
}

// Best returns a contestant's best attempt by the rules in force.
func (b *Board) Best(userID int64) (Result, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	c := b.users[userID]
	if c == nil {
		return Result{}, false
	}
	return c.best, true
}

func entryOf(r Result, rank int) Entry {
	return Entry{
		Rank: rank, UserID: r.UserID, AttemptID: r.AttemptID, Name: r.Name, Unit: r.Unit,
		Score: r.Score, Correct: r.Correct, DurationMs: r.DurationMs(),
	}
}
