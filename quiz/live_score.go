package quiz

import "time"

// Points of the speed mode.
const (
	liveFullPoints     = 1000
	liveFullPointsTime = 500 * time.Millisecond
	liveStreakStep     = 100
	liveStreakMax      = 500
)

// LivePoints scores one answer. In the accuracy mode a right answer is 1
// point. In the speed mode (the rule Kahoot publishes) a right answer
// given t after the question opened, of limit T, earns
// round((1 − (t/T)/2) × 1000): 1000 at once, 750 at half time, 500 at the
// deadline, and the full 1000 under half a second. With the streak bonus,
// a right answer that follows streak right answers in a row earns 100 ×
// streak more, at most 500 (the second right answer in a row +100, the
// sixth and later +500). A wrong answer earns nothing.
func LivePoints(mode string, correct bool, taken, limit time.Duration, streak int, streakBonus bool) int {
	if !correct {
		return 0
	}
	if mode == PointsAccuracy {
		return 1
	}
	points := liveFullPoints
	if taken >= liveFullPointsTime && limit > 0 {
		// 1000 − 500·t/T in whole nanoseconds, rounded half up: the same
		// points on every machine, with no float to round the wrong way.
		t := int64(min(taken, limit))
		scaled := liveFullPoints*int64(limit) - liveFullPoints/2*t
		points = int((2*scaled + int64(limit)) / (2 * int64(limit)))
	}
	if streakBonus {
		points += min(liveStreakStep*max(streak, 0), liveStreakMax)
	}
	return points
}
