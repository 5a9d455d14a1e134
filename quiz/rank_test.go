package quiz

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)

// res builds a result: score, working time in ms, start offset in ms and
// an optional prediction.
func res(id int64, score int, workMs, startMs int64, prediction ...int) Result {
	r := Result{AttemptID: id, UserID: id, Score: score, Correct: score, Total: 20,
		StartedAt: t0.Add(time.Duration(startMs) * time.Millisecond)}
	r.SubmittedAt = r.StartedAt.Add(time.Duration(workMs) * time.Millisecond)
	if len(prediction) > 0 {
		r.Prediction = &prediction[0]
	}
	return r
}

func intp(v int) *int { return &v }

func TestCompare(t *testing.T) {
	tests := []struct {
		name   string
		a, b   Result
		actual *int
		want   int // sign
	}{
		{"higher score first", res(1, 18, 90000, 0), res(2, 17, 1000, 0), nil, -1},
		{"score beats a better prediction", res(1, 17, 1000, 0, 5), res(2, 18, 90000, 0, 99), intp(5), 1},
		{"same score: smaller prediction error first once closed", res(1, 18, 90000, 0, 7), res(2, 18, 1000, 0, 10), intp(6), -1},
		{"prediction error is absolute", res(1, 18, 1000, 0, 4), res(2, 18, 1000, 0, 8), intp(6), 0},
		{"same score: a prediction ranks before none", res(1, 18, 90000, 0, 1000), res(2, 18, 1000, 0), intp(6), -1},
		{"prediction ignored while open", res(1, 18, 90000, 0, 6), res(2, 18, 1000, 0, 1000), nil, 1},
		{"same score and error: shorter working time first", res(1, 18, 1000, 500, 7), res(2, 18, 1001, 0, 5), intp(6), -1},
		{"same score, error and time: earlier start first", res(1, 18, 1000, 1, 5), res(2, 18, 1000, 0, 7), intp(6), 1},
		{"tied at every level", res(1, 18, 1000, 0, 5), res(2, 18, 1000, 0, 7), intp(6), 0},
		{"both without prediction fall to working time", res(1, 18, 1000, 0), res(2, 18, 2000, 0), intp(6), -1},
		{"working time compared to the millisecond", res(1, 18, 1000, 0), res(2, 18, 1001, 0), nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sign(Compare(tt.a, tt.b, tt.actual))
			if got != tt.want {
				t.Errorf("Compare = %d, want %d", got, tt.want)
			}
			if back := sign(Compare(tt.b, tt.a, tt.actual)); back != -tt.want {
				t.Errorf("Compare reversed = %d, want %d", back, -tt.want)
			}
		})
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestRoundStatsActual(t *testing.T) {
	s := RoundStats{Participants: 10, Attempts: 25, PerfectScorers: 3}
	for target, want := range map[string]int{TargetPerfectScorers: 3, TargetParticipants: 10, TargetAttempts: 25} {
		if got, ok := s.Actual(target); !ok || got != want {
			t.Errorf("Actual(%s) = %d, %v; want %d", target, got, ok, want)
		}
	}
	if _, ok := s.Actual(""); ok {
		t.Error("Actual(\"\") reports a count for a round without prediction")
	}
}
