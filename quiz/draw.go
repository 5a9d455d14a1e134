package quiz

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// PoolQuestion is a question in use as the draw and the scorer see it: its
// options in bank order and the set of correct ones, with the texts an
// attempt shows, so that a new attempt needs no read to be shown.
type PoolQuestion struct {
	ID int64
	// Seq is the question's place in its bank's order. Ids are random and
	// carry no order, so the draw sorts by Seq.
	Seq         int64
	Topic       string
	Text        string
	Explanation string
	Reference   string
	Options     []Option // bank order
	OptionIDs   []int64  // bank order
	Correct     []int64  // sorted
}

// Multiple reports whether the question has several correct options.
func (q PoolQuestion) Multiple() bool { return len(q.Correct) > 1 }

// Pool is every question of a bank that rounds may draw, at one version of
// the bank.
type Pool struct {
	BankID    int64
	Version   int64
	Questions []PoolQuestion

	byID map[int64]*PoolQuestion // the questions by id, once the engine keeps the pool
}

// DrawnQuestion is one question of an attempt with its options in the order
// this contestant sees them.
type DrawnQuestion struct {
	QuestionID  int64
	OptionOrder []int64
}

// Seed is the random seed of one attempt's draw, kept with the attempt so
// that the draw can be explained afterwards.
type Seed [32]byte

// Draw picks count questions from pool: first each topic's quota, then the
// rest from all remaining questions, and shuffles the questions and each
// question's options. The same pool and seed always give the same draw: the
// pool is taken in bank order (Seq), whatever its ids, so that the seed
// kept with an attempt explains its draw even after ids change.
func Draw(pool []PoolQuestion, count int, quotas map[string]int, seed Seed) ([]DrawnQuestion, error) {
	if count > len(pool) {
		return nil, Errorf(CodeNotEnough, "the bank has %d questions in use, the round asks %d", len(pool), count)
	}
	sorted := bankOrder(pool)
	rng := rand.New(rand.NewChaCha8(seed))

	taken := make([]bool, len(sorted))
	picked := make([]int, 0, count)
	for _, topic := range SortedTopics(quotas) {
		want := quotas[topic]
		var candidates []int
		for i, q := range sorted {
			if q.Topic == topic {
				candidates = append(candidates, i)
			}
		}
		if want > len(candidates) {
			return nil, Errorf(CodeNotEnough, "topic %q has %d questions in use, the round asks %d", topic, len(candidates), want)
		}
		rng.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
		for _, i := range candidates[:want] {
			taken[i] = true
			picked = append(picked, i)
		}
	}
	if len(picked) > count {
		return nil, Errorf(CodeNotEnough, "topic quotas add up to %d, more than the %d questions asked", len(picked), count)
	}
	rest := make([]int, 0, len(sorted)-len(picked))
	for i := range sorted {
		if !taken[i] {
			rest = append(rest, i)
		}
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	picked = append(picked, rest[:count-len(picked)]...)
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })

	drawn := make([]DrawnQuestion, len(picked))
	for n, i := range picked {
		order := slices.Clone(sorted[i].OptionIDs)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		drawn[n] = DrawnQuestion{QuestionID: sorted[i].ID, OptionOrder: order}
	}
	return drawn, nil
}

// bankOrder returns pool in bank order (by seq, then id) as pointers: the
// order the draw's random choices refer to. The store reads pools in that
// order already, so usually nothing moves.
func bankOrder(pool []PoolQuestion) []*PoolQuestion {
	out := make([]*PoolQuestion, len(pool))
	for i := range pool {
		out[i] = &pool[i]
	}
	before := func(a, b *PoolQuestion) int {
		if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
	if !slices.IsSortedFunc(out, before) {
		slices.SortFunc(out, before)
	}
	return out
}
