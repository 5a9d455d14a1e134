package quiz

import (
	"fmt"
	"slices"
	"testing"
)

func testPool(topics map[string]int) []PoolQuestion {
	var pool []PoolQuestion
	id := int64(1)
	for _, topic := range SortedTopics(topics) {
		for range topics[topic] {
			q := PoolQuestion{ID: id, Topic: topic}
			for o := range 4 {
				q.OptionIDs = append(q.OptionIDs, id*10+int64(o))
			}
			q.Correct = []int64{id * 10}
			pool = append(pool, q)
			id++
		}
	}
	return pool
}

func TestDrawHonoursQuotasAndCount(t *testing.T) {
	pool := testPool(map[string]int{"A": 12, "B": 12, "C": 12, "D": 12})
	byID := map[int64]PoolQuestion{}
	for _, q := range pool {
		byID[q.ID] = q
	}
	quotas := map[string]int{"A": 5, "B": 5, "C": 3}
	for i := range 50 {
		var seed Seed
		seed[0], seed[1] = byte(i), byte(i>>8)
		drawn, err := Draw(pool, 20, quotas, seed)
		if err != nil {
			t.Fatal(err)
		}
		if len(drawn) != 20 {
			t.Fatalf("drew %d questions, want 20", len(drawn))
		}
		seen := map[int64]bool{}
		perTopic := map[string]int{}
		for _, d := range drawn {
			if seen[d.QuestionID] {
				t.Fatalf("question %d drawn twice", d.QuestionID)
			}
			seen[d.QuestionID] = true
			q := byID[d.QuestionID]
			perTopic[q.Topic]++
			got := slices.Clone(d.OptionOrder)
			slices.Sort(got)
			if !slices.Equal(got, q.OptionIDs) {
				t.Fatalf("option order %v is not a permutation of %v", d.OptionOrder, q.OptionIDs)
			}
		}
		for topic, n := range quotas {
			if perTopic[topic] < n {
				t.Fatalf("topic %s: %d questions, quota %d", topic, perTopic[topic], n)
			}
		}
	}
}

func TestDrawIsReproducibleAndVaries(t *testing.T) {
	pool := testPool(map[string]int{"A": 30, "B": 30})
	var s1, s2 Seed
	s1[0], s2[0] = 1, 2
	a, _ := Draw(pool, 10, nil, s1)
	b, _ := Draw(pool, 10, nil, s1)
	c, _ := Draw(pool, 10, nil, s2)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed gave two different draws")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("two seeds gave the same draw")
	}
	// The pool's order must not matter, only its content.
	reversed := slices.Clone(pool)
	slices.Reverse(reversed)
	if d, _ := Draw(reversed, 10, nil, s1); fmt.Sprint(d) != fmt.Sprint(a) {
		t.Error("reordering the pool changed the draw")
	}
}

func TestDrawRefusesImpossibleRounds(t *testing.T) {
	pool := testPool(map[string]int{"A": 3, "B": 10})
	tests := []struct {
		name   string
		count  int
		quotas map[string]int
	}{
		{"more questions than the pool", 14, nil},
		{"a quota above its topic", 10, map[string]int{"A": 4}},
		{"quotas above the count", 5, map[string]int{"A": 3, "B": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Draw(pool, tt.count, tt.quotas, Seed{})
			if ErrorCode(err) != CodeNotEnough {
				t.Errorf("got %v, want %s", err, CodeNotEnough)
			}
		})
	}
}

func TestDrawFollowsBankOrderNotIds(t *testing.T) {
	pool := testPool(map[string]int{"A": 20, "B": 20})
	for i := range pool {
		pool[i].Seq = int64(i + 1)
	}
	// The same bank with every question and option given a new id, in an
	// order unrelated to the bank's, as random ids are.
	renumbered := slices.Clone(pool)
	newQuestion, newOption := map[int64]int64{}, map[int64]int64{}
	for i := range renumbered {
		q := &renumbered[i]
		newQ := int64(1000 - 7*i)
		if i%2 == 1 {
			newQ = int64(5000 + 13*i)
		}
		newQuestion[q.ID] = newQ
		q.ID = newQ
		q.OptionIDs = slices.Clone(q.OptionIDs)
		for j, o := range q.OptionIDs {
			newO := newQ*10 + int64(3-j) // options numbered against their order
			newOption[o] = newO
			q.OptionIDs[j] = newO
		}
	}
	var seed Seed
	seed[0] = 42
	before, err := Draw(pool, 12, map[string]int{"A": 4}, seed)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Draw(renumbered, 12, map[string]int{"A": 4}, seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range before {
		want := DrawnQuestion{QuestionID: newQuestion[before[i].QuestionID]}
		for _, o := range before[i].OptionOrder {
			want.OptionOrder = append(want.OptionOrder, newOption[o])
		}
		if fmt.Sprint(after[i]) != fmt.Sprint(want) {
			t.Fatalf("question %d of the draw: got %v after renumbering, want %v", i+1, after[i], want)
		}
	}
}
