package quiz

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// The quiz page opens the contestant's result page as soon as their result
// comes, so at the end of a round's rush thousands of result pages are
// asked for within a second or two, while the last answers and
// submissions are still coming in. Read from the database, each cost the
// server about 0.4 ms of its core (the attempt's questions, options and
// answers, with the read connections' page cache emptied by every commit
// of the writer). The engine held the attempt's questions and answers
// until its submission; it keeps them a while longer, for that page.

const (
	finishedKept = time.Minute // how long a submitted attempt's questions and answers are kept
	finishedMax  = 20_000      // at most this many (about 6.4 KB each, BenchmarkFinishedAttemptHeld: 130 MB)
)

// finishedAttempts keeps recently submitted attempts' questions and
// answers, oldest first.
type finishedAttempts struct {
	mu    sync.Mutex
	byID  map[int64]finishedAttempt
	order []int64 // ids by when they were kept
}

type finishedAttempt struct {
	at        time.Time
	questions []AttemptQuestion
	answers   map[int64][]int64
}

// keep notes a submitted attempt's questions and final answers, forgetting
// those kept longer than finishedKept ago and the oldest past finishedMax.
func (f *finishedAttempts) keep(id int64, questions []AttemptQuestion, answers map[int64][]int64, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byID == nil {
		f.byID = map[int64]finishedAttempt{}
	}
	drop := 0
	for drop < len(f.order) && (len(f.order)-drop >= finishedMax || now.Sub(f.byID[f.order[drop]].at) > finishedKept) {
		delete(f.byID, f.order[drop])
		drop++
	}
	f.order = append(f.order[drop:], id)
	f.byID[id] = finishedAttempt{at: now, questions: questions, answers: answers}
}

// detail returns a kept attempt's questions and answers, copied for the
// caller to change, if it was kept within finishedKept of now.
func (f *finishedAttempts) detail(id int64, now time.Time) ([]AttemptQuestion, map[int64][]int64, bool) {
	f.mu.Lock()
	k, ok := f.byID[id]
	f.mu.Unlock()
	if !ok || now.Sub(k.at) > finishedKept {
		return nil, nil, false
	}
	questions := slices.Clone(k.questions)
	for i := range questions {
		questions[i].Options = slices.Clone(questions[i].Options)
	}
	answers := make(map[int64][]int64, len(k.answers))
	for q, ids := range k.answers {
		answers[q] = slices.Clone(ids)
	}
	return questions, answers, true
}

// holds reports whether the attempt was kept within finishedKept of now:
// submitted here.
func (f *finishedAttempts) holds(id int64, now time.Time) bool {
	f.mu.Lock()
	k, ok := f.byID[id]
	f.mu.Unlock()
	return ok && now.Sub(k.at) <= finishedKept
}

// finish keeps a just-submitted attempt's questions and answers for its
// result page. Its answers are taken under answerMu, which an answer holds
// from its store to its note in la.answers: any answer stored before the
// submission is there. In a cluster the answers may have been stored by
// other nodes, and nothing is kept.
func (e *Engine) finish(la *liveAttempt) {
	if e.shared {
		return
	}
	la.mu.Lock()
	questions := la.questions
	la.mu.Unlock()
	la.answerMu.Lock()
	answers := maps.Clone(la.answers)
	la.answerMu.Unlock()
	if questions == nil || answers == nil {
		return // after a restart, not read since: the page reads the store
	}
	e.finished.keep(la.id, questions, answers, e.now())
}

// attemptDetail returns an attempt with its questions and answers: those
// of one submitted here within finishedKept from memory, with the attempt
// as stored; any other from the store.
func (e *Engine) attemptDetail(ctx context.Context, id int64) (AttemptDetail, error) {
	if questions, answers, ok := e.finished.detail(id, e.now()); ok {
		a, err := e.store.Attempt(ctx, id)
		if err != nil {
			return AttemptDetail{}, err
		}
		return AttemptDetail{Attempt: a, Questions: questions, Answers: answers}, nil
	}
	return e.store.AttemptDetail(ctx, id)
}
