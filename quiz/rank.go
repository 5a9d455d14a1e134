package quiz

import (
	"cmp"
	"time"
)

// Result is a submitted attempt as the ranking sees it.
type Result struct {
	AttemptID   int64
	UserID      int64
	Name        string
	Unit        string
	Score       int
	Correct     int
	Total       int // questions in the attempt
	Prediction  *int
	StartedAt   time.Time
	SubmittedAt time.Time
}

// DurationMs is the working time: submitted_at − started_at in milliseconds.
func (r Result) DurationMs() int64 { return r.SubmittedAt.Sub(r.StartedAt).Milliseconds() }

// Perfect reports whether every question was answered correctly.
func (r Result) Perfect() bool { return r.Total > 0 && r.Correct == r.Total }

// PredictionError is |prediction − actual|; ok is false without a prediction.
func (r Result) PredictionError(actual int) (diff int, ok bool) {
	if r.Prediction == nil {
		return 0, false
	}
	d := *r.Prediction - actual
	if d < 0 {
		d = -d
	}
	return d, true
}

// Compare orders two results by the contest rules ("thể lệ"), returning a
// negative number when a ranks before b and 0 when they tie at every level:
//
//  1. higher score;
//  2. once the round has closed (actual is known): smaller prediction error,
//     an attempt without a prediction after those with one;
//  3. shorter working time, to the millisecond;
//  4. earlier start, to the millisecond.
//
// The same order picks a contestant's best attempt among their own.
func Compare(a, b Result, actual *int) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if actual != nil {
		ea, oka := a.PredictionError(*actual)
		eb, okb := b.PredictionError(*actual)
		switch {
		case oka && !okb:
			return -1
		case !oka && okb:
			return 1
		case oka && okb && ea != eb:
			return cmp.Compare(ea, eb)
		}
	}
	if c := cmp.Compare(a.DurationMs(), b.DurationMs()); c != 0 {
		return c
	}
	return cmp.Compare(a.StartedAt.UnixMilli(), b.StartedAt.UnixMilli())
}

// RoundStats are the counts a prediction can ask about.
type RoundStats struct {
	Participants   int // contestants with at least one submitted attempt
	Attempts       int // submitted attempts (lượt thi)
	PerfectScorers int // contestants with an attempt right on every question
}

// Actual returns the count the round's prediction target asks about; ok is
// false when the round asks no prediction.
func (s RoundStats) Actual(target string) (actual int, ok bool) {
	switch target {
	case TargetPerfectScorers:
		return s.PerfectScorers, true
	case TargetParticipants:
		return s.Participants, true
	case TargetAttempts:
		return s.Attempts, true
	}
	return 0, false
}
