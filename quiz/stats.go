package quiz

import (
	"context"
	"sync"
	"time"
)

// LiveStats is what an organizer watches while a round runs.
type LiveStats struct {
	RoundID       int64
	Connected     int     // contestants with an attempt socket open now
	Started       int     // attempts started
	Submitted     int     // attempts submitted
	AnswersPerSec float64 // answers stored per second, over the last ten seconds
	Questions     []QuestionStats
	// Submissions counts submitted attempts in equal buckets from the
	// round's opening to now (or its close): the chart of the live view.
	Submissions []int
	BucketStart time.Time
	BucketSize  time.Duration
}

// QuestionStats is how one question has been answered so far.
type QuestionStats struct {
	ID       int64
	Text     string
	Answered int
	Correct  int
}

// Share is the share of correct answers, 0 to 1.
func (q QuestionStats) Share() float64 {
	if q.Answered == 0 {
		return 0
	}
	return float64(q.Correct) / float64(q.Answered)
}

// StatsStore is what LiveStats needs from storage.
type StatsStore interface {
	RoundCounts(ctx context.Context, roundID int64) (started, submitted int, err error)
	QuestionStats(ctx context.Context, roundID int64) ([]QuestionStats, error)
	SubmissionTimes(ctx context.Context, roundID int64) ([]time.Time, error)
}

// statsBuckets is how many bars the submissions chart has.
const statsBuckets = 48

// rate counts events per second over the last minute.
type rate struct {
	mu    sync.Mutex
	slots [60]int
	secs  [60]int64
}

func (r *rate) add(now time.Time) {
	s := now.Unix()
	i := s % 60
	r.mu.Lock()
	if r.secs[i] != s {
		r.secs[i], r.slots[i] = s, 0
	}
	r.slots[i]++
	r.mu.Unlock()
}

// perSecond is the mean over the last ten seconds, this one included.
func (r *rate) perSecond(now time.Time) float64 {
	s := now.Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	for back := int64(0); back < 10; back++ {
		i := (s - back) % 60
		if r.secs[i] == s-back {
			total += r.slots[i]
		}
	}
	return float64(total) / 10
}

// countAnswer notes a stored answer for the round's answer rate.
func (e *Engine) countAnswer(roundID int64, now time.Time) {
	e.mu.Lock()
	r := e.rates[roundID]
	if r == nil {
		r = &rate{}
		e.rates[roundID] = r
	}
	e.mu.Unlock()
	r.add(now)
}

// LiveStats gathers a round's live figures; connected comes from the
// caller, which holds the sockets.
func (e *Engine) LiveStats(ctx context.Context, st StatsStore, roundID int64, connected int) (LiveStats, error) {
	r, err := e.store.Round(ctx, roundID)
	if err != nil {
		return LiveStats{}, err
	}
	now := e.now()
	out := LiveStats{RoundID: roundID, Connected: connected}
	if out.Started, out.Submitted, err = st.RoundCounts(ctx, roundID); err != nil {
		return LiveStats{}, err
	}
	if out.Questions, err = st.QuestionStats(ctx, roundID); err != nil {
		return LiveStats{}, err
	}
	e.mu.Lock()
	if rt := e.rates[roundID]; rt != nil {
		out.AnswersPerSec = rt.perSecond(now)
	}
	e.mu.Unlock()
	times, err := st.SubmissionTimes(ctx, roundID)
	if err != nil {
		return LiveStats{}, err
	}
	end := now
	if r.ClosesAt.Before(end) {
		end = r.ClosesAt
	}
	span := end.Sub(r.OpensAt)
	if span <= 0 {
		span = time.Minute
	}
	out.BucketStart = r.OpensAt
	out.BucketSize = (span + statsBuckets - 1) / statsBuckets
	out.Submissions = make([]int, statsBuckets)
	for _, t := range times {
		i := int(t.Sub(r.OpensAt) / out.BucketSize)
		if i >= 0 && i < statsBuckets {
			out.Submissions[i]++
		} else if i >= statsBuckets {
			out.Submissions[statsBuckets-1]++
		}
	}
	return out, nil
}
