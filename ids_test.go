package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// bankQuestions is a bank's listing for its organizer: questions and
// options in the bank's (the file's) order.
type bankQuestions struct {
	Questions []struct {
		ID      int64  `json:"id"`
		Text    string `json:"text"`
		Options []struct {
			ID      int64 `json:"id"`
			Correct bool  `json:"correct"`
		} `json:"options"`
	} `json:"questions"`
}

func (s *testServer) bankQuestions(token string, bankID int64) bankQuestions {
	s.t.Helper()
	var out bankQuestions
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/banks/%d/questions", bankID), token, nil, &out)
	return out
}

// Ids carry no information: neither the file's order nor the correct set
// can be read from option ids, nor how many attempts or accounts others
// made from attempt and user ids.
func TestIdsCarryNoInformation(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	demo := s.bankQuestions(admin, s.demoBank(admin))

	t.Run("option ids do not follow the demo bank's order", func(t *testing.T) {
		if len(demo.Questions) != 65 {
			t.Fatalf("the demo bank has %d questions, want 65", len(demo.Questions))
		}
		// Counted ids are ascending in file order for all 65 questions.
		// With random ids a question of n options is ascending with
		// probability 1/n!: the demo has 63 questions of 4 options (1/24)
		// and 2 of 2 (1/2), 3.6 expected in all; 32 or more happen with
		// probability 2.4e-25 (the exact binomial tail), so this never
		// fails by chance.
		ascending := 0
		for _, q := range demo.Questions {
			var ids []int64
			for _, o := range q.Options {
				ids = append(ids, o.ID)
			}
			if slices.IsSorted(ids) {
				ascending++
			}
		}
		if ascending >= len(demo.Questions)/2 {
			t.Errorf("%d of %d questions have option ids ascending in the file's order, want fewer than half",
				ascending, len(demo.Questions))
		}
	})

	t.Run("the smallest option id is not the right answer of a bank written right answer first", func(t *testing.T) {
		// Banks are often written with the right answer first. With
		// counted ids the smallest id is then right for all 200 questions;
		// with random ids for each with probability 1/4, 50 expected, and
		// 100 or more with probability 2.7e-14.
		var items []string
		for i := range 200 {
			items = append(items, fmt.Sprintf(`{"topic":"Thử","text":"Câu hỏi thử số %d?","options":[`+
				`{"text":"Đúng %d","correct":true},{"text":"Sai một %d"},{"text":"Sai hai %d"},{"text":"Sai ba %d"}]}`,
				i, i, i, i, i))
		}
		bank := s.newBank(admin, "Đáp án đúng đứng đầu")
		if r := s.mustImport(admin, bank, "dau-tien.json", bankJSON(items...), ""); r.Imported != 200 {
			t.Fatalf("imported %d questions, want 200", r.Imported)
		}
		smallestRight := 0
		for _, q := range s.bankQuestions(admin, bank).Questions {
			smallest := q.Options[0]
			for _, o := range q.Options {
				if o.ID < smallest.ID {
					smallest = o
				}
			}
			if smallest.Correct {
				smallestRight++
			}
		}
		if smallestRight >= 100 {
			t.Errorf("the smallest option id is the right answer for %d of 200 questions, want fewer than half", smallestRight)
		}
	})

	round := s.round(admin, map[string]any{"question_count": 20})
	alice, aliceID := s.contestant("Nguyễn Thị Lan")
	bob, bobID := s.contestant("Trần Văn Minh")

	t.Run("two registrations in a row get unrelated user ids", func(t *testing.T) {
		// Counted ids differ by one and are small; random ones have 15
		// digits, and two are adjacent with probability 2 in 9×10^14.
		if d := bobID - aliceID; d == 1 || d == -1 || aliceID < 1<<32 || bobID < 1<<32 {
			t.Errorf("user ids %d and %d: consecutive or small, want unrelated random ids", aliceID, bobID)
		}
	})

	first := s.start(alice, round)
	second := s.start(bob, round)

	t.Run("two attempts started in a row get unrelated ids", func(t *testing.T) {
		if d := second - first; d == 1 || d == -1 || first < 1<<32 || second < 1<<32 {
			t.Errorf("attempt ids %d and %d: consecutive or small, want unrelated random ids", first, second)
		}
	})

	t.Run("question ids in an attempt carry no bank order", func(t *testing.T) {
		place := map[int64]int{}
		for i, q := range demo.Questions {
			place[q.ID] = i
		}
		ws := s.dial(fmt.Sprintf("/ws/attempts/%d", first), alice)
		st := ws.state()
		if len(st.Questions) != 20 {
			t.Fatalf("the attempt shows %d questions, want 20", len(st.Questions))
		}
		ids := make([]int64, len(st.Questions))
		for i, q := range st.Questions {
			if _, ok := place[q.ID]; !ok {
				t.Fatalf("question %d is not in the demo bank", q.ID)
			}
			ids[i] = q.ID
		}
		// Counted ids sorted give the questions in bank order. Random
		// ones give one of the 20! orders, the bank's with probability
		// 4e-19.
		slices.Sort(ids)
		var places []string
		for _, id := range ids {
			places = append(places, fmt.Sprint(place[id]))
		}
		if slices.IsSortedFunc(ids, func(a, b int64) int { return place[a] - place[b] }) {
			t.Errorf("sorted by id, the attempt's questions are in bank order (%s)", strings.Join(places, " "))
		}
	})
}
