package quiz

import (
	"slices"
	"testing"
)

// An answer is right exactly when it chooses every correct option and no
// other; what is not an option, or several options where one is right,
// is refused.
func TestChoiceScoresTheChosenSet(t *testing.T) {
	single := &AttemptQuestion{ID: 1, Options: []Option{{ID: 13, Correct: false}, {ID: 11, Correct: true}, {ID: 12}}}
	multiple := &AttemptQuestion{ID: 2, Multiple: true, Options: []Option{{ID: 24, Correct: true}, {ID: 21}, {ID: 23, Correct: true}, {ID: 22}}}
	cases := []struct {
		name    string
		q       *AttemptQuestion
		chosen  []int64
		want    []int64
		correct bool
		refused bool
	}{
		{"the right option", single, []int64{11}, []int64{11}, true, false},
		{"a wrong option", single, []int64{13}, []int64{13}, false, false},
		{"the right option twice", single, []int64{11, 11}, []int64{11}, true, false},
		{"nothing", single, []int64{}, []int64{}, false, false},
		{"two options where one is right", single, []int64{11, 12}, nil, false, true},
		{"an option of another question", single, []int64{21}, nil, false, true},
		{"every right option, in any order", multiple, []int64{23, 24}, []int64{23, 24}, true, false},
		{"every right option with a repeat", multiple, []int64{24, 23, 24}, []int64{23, 24}, true, false},
		{"some of the right options", multiple, []int64{24}, []int64{24}, false, false},
		{"the right options and a wrong one", multiple, []int64{21, 23, 24}, []int64{21, 23, 24}, false, false},
		{"as many options as right, one wrong", multiple, []int64{21, 24}, []int64{21, 24}, false, false},
		{"every option", multiple, []int64{21, 22, 23, 24}, []int64{21, 22, 23, 24}, false, false},
		{"nothing on a multiple-answer question", multiple, nil, []int64{}, false, false},
		{"an unknown option among right ones", multiple, []int64{23, 24, 99}, nil, false, true},
	}
	for _, c := range cases {
		got, correct, err := choice(c.q, c.chosen)
		switch {
		case c.refused:
			if ErrorCode(err) != CodeInvalidOption {
				t.Errorf("%s: got %v, %v, %v; want %s", c.name, got, correct, err, CodeInvalidOption)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !slices.Equal(got, c.want) || got == nil || correct != c.correct:
			t.Errorf("%s: got %v (right %v), want %v (right %v)", c.name, got, correct, c.want, c.correct)
		}
	}
}
