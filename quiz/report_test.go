package quiz

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestStatisticsAgeOn(t *testing.T) {
	for _, tt := range []struct {
		birth, on string
		want      int
		ok        bool
	}{
		{"2000-06-15", "2026-06-14", 25, true},
		{"2000-06-15", "2026-06-15", 26, true},
		{"2000-06-15", "2026-12-31", 26, true},
		{"2008-02-29", "2026-02-28", 17, true}, // not yet: the birthday is 1 March this year
		{"2008-02-29", "2026-03-01", 18, true},
		{"2008-02-29", "2028-02-29", 20, true},
		{"2026-06-15", "2026-06-15", 0, true},
		{"2027-01-01", "2026-06-15", 0, false}, // born after the day
		{"", "2026-06-15", 0, false},
		{"15/06/2000", "2026-06-15", 0, false},
		{"2000-02-30", "2026-06-15", 0, false},
	} {
		t.Run(fmt.Sprintf("born %q, on %s", tt.birth, tt.on), func(t *testing.T) {
			got, ok := AgeOn(tt.birth, day(tt.on))
			if got != tt.want || ok != tt.ok {
				t.Errorf("AgeOn = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestStatisticsAgeGroupsCoverEveryAge(t *testing.T) {
	want := map[int]string{0: "under_18", 17: "under_18", 18: "18_30", 30: "18_30", 31: "31_45", 45: "31_45",
		46: "46_60", 60: "46_60", 61: "over_60", 120: "over_60", -1: "unknown"}
	for age, key := range want {
		if got := AgeGroupOf(age).Key; got != key {
			t.Errorf("AgeGroupOf(%d) = %s, want %s", age, got, key)
		}
	}
	// Each age from 0 to 130 is in exactly one group.
	for age := 0; age <= 130; age++ {
		n := 0
		for _, g := range AgeGroups {
			if age >= g.MinAge && (g.MaxAge < 0 || age <= g.MaxAge) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("age %d is in %d groups, want 1", age, n)
		}
	}
}

func TestStatisticsAgeTableCountsOnTheCloseDate(t *testing.T) {
	rows := AgeTable([]KeyedTally{
		{"2008-12-08", Tally{1, 1}}, // 18 on 2026-12-08, the close date
		{"2008-12-09", Tally{2, 3}}, // still 17
		{"1995-03-04", Tally{1, 2}}, // 31
		{"1965-12-08", Tally{1, 1}}, // 61
		{"", Tally{4, 4}},
	}, day("2026-12-08"))
	got := ""
	for _, r := range rows {
		got += fmt.Sprintf("%s:%d/%d ", r.Key, r.Contestants, r.Attempts)
	}
	want := "under_18:2/3 18_30:1/1 31_45:1/2 46_60:0/0 over_60:1/1 unknown:4/4 "
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestStatisticsFillDays(t *testing.T) {
	t.Run("fills every day between the ends with zeros", func(t *testing.T) {
		rows := FillDays([]KeyedTally{{"2026-12-02", Tally{2, 3}}}, "2026-11-30", "2026-12-03")
		got := fmt.Sprint(rows)
		want := "[{2026-11-30 {0 0}} {2026-12-01 {0 0}} {2026-12-02 {2 3}} {2026-12-03 {0 0}}]"
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("widens to days outside the span", func(t *testing.T) {
		rows := FillDays([]KeyedTally{{"2026-12-04", Tally{1, 1}}}, "2026-12-02", "2026-12-03")
		if len(rows) != 3 || rows[0].Date != "2026-12-02" || rows[2].Date != "2026-12-04" || rows[2].Attempts != 1 {
			t.Errorf("got %v", rows)
		}
	})
	t.Run("crosses months and leap days", func(t *testing.T) {
		rows := FillDays(nil, "2028-02-28", "2028-03-01")
		if fmt.Sprint(rows) != "[{2028-02-28 {0 0}} {2028-02-29 {0 0}} {2028-03-01 {0 0}}]" {
			t.Errorf("got %v", rows)
		}
	})
	t.Run("lists only days with submissions over two years", func(t *testing.T) {
		rows := FillDays([]KeyedTally{{"2030-01-01", Tally{1, 1}}, {"2026-01-01", Tally{1, 2}}}, "2026-01-01", "2030-01-01")
		if fmt.Sprint(rows) != "[{2026-01-01 {1 2}} {2030-01-01 {1 1}}]" {
			t.Errorf("got %v", rows)
		}
	})
	t.Run("an upcoming round has no days", func(t *testing.T) {
		if rows := FillDays(nil, "2026-12-10", "2026-12-01"); len(rows) != 0 {
			t.Errorf("got %v, want none", rows)
		}
	})
}

func TestStatisticsScoreHistogram(t *testing.T) {
	t.Run("has every reachable score, zeros included", func(t *testing.T) {
		rows := ScoreHistogram(map[int]int{0: 1, 4: 2}, 5, 1)
		if fmt.Sprint(rows) != "[{0 1} {1 0} {2 0} {3 0} {4 2} {5 0}]" {
			t.Errorf("got %v", rows)
		}
	})
	t.Run("steps by the points of a question", func(t *testing.T) {
		rows := ScoreHistogram(map[int]int{20: 3}, 30, 10)
		if fmt.Sprint(rows) != "[{0 0} {10 0} {20 3} {30 0}]" {
			t.Errorf("got %v", rows)
		}
	})
	t.Run("keeps a score off the steps or above the maximum", func(t *testing.T) {
		rows := ScoreHistogram(map[int]int{15: 1, 40: 1}, 20, 10)
		if fmt.Sprint(rows) != "[{0 0} {10 0} {15 1} {20 0} {40 1}]" {
			t.Errorf("got %v", rows)
		}
	})
}

func TestStatisticsProvinceTable(t *testing.T) {
	provinces := []Province{{Code: "01", Name: "Hà Nội"}, {Code: "04", Name: "Cao Bằng"}, {Code: "08", Name: "Tuyên Quang"}}
	rows := ProvinceTable([]KeyedTally{{"08", Tally{2, 2}}, {"", Tally{1, 1}}, {"04", Tally{2, 5}}, {"99", Tally{0, 0}}}, provinces)
	got := ""
	for _, r := range rows {
		got += fmt.Sprintf("%q %q %d/%d; ", r.Code, r.Name, r.Contestants, r.Attempts)
	}
	want := `"04" "Cao Bằng" 2/5; "08" "Tuyên Quang" 2/2; "" "" 1/1; "01" "Hà Nội" 0/0; `
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestStatisticsUnitTableSortsInVietnameseOrder(t *testing.T) {
	rows := UnitTable([]KeyedTally{{"Sở Y tế", Tally{1, 1}}, {"Đoàn Thanh niên", Tally{1, 1}}, {"Sở Tư pháp", Tally{3, 3}},
		{"Dân vận", Tally{1, 1}}, {"", Tally{1, 2}}})
	got := ""
	for _, r := range rows {
		got += r.Unit + "|"
	}
	// đ sorts after d in Vietnamese; equal tallies sort by name.
	if want := "Sở Tư pháp||Dân vận|Đoàn Thanh niên|Sở Y tế|"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestStatisticsQuestionTablePutsTheHardestFirst(t *testing.T) {
	rows := QuestionTable([]QuestionStats{{ID: 1, Answered: 4, Correct: 3}, {ID: 2, Answered: 0}, {ID: 3, Answered: 3, Correct: 1},
		{ID: 4, Answered: 2, Correct: 1}, {ID: 5, Answered: 4, Correct: 2}})
	got := ""
	for _, q := range rows {
		got += fmt.Sprint(q.ID)
	}
	if got != "34512" {
		t.Errorf("order %s, want 34512 (1/3, 1/2 by id, 3/4, then unanswered)", got)
	}
}

type fakeReports struct {
	f      ReportFigures
	offset time.Duration
}

func (s *fakeReports) ReportFigures(_ context.Context, _ int64, offset time.Duration) (ReportFigures, error) {
	s.offset = offset
	return s.f, nil
}

func TestStatisticsRoundReport(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	r := Round{ID: 7, QuestionCount: 3, PointsPerQuestion: 2,
		OpensAt:  time.Date(2026, 12, 1, 8, 0, 0, 0, loc),
		ClosesAt: time.Date(2026, 12, 3, 23, 30, 0, 0, loc)} // 16:30 UTC: still 3 December in Vietnam
	st := &fakeReports{f: ReportFigures{Total: Tally{3, 4}, Days: []KeyedTally{{"2026-12-02", Tally{3, 4}}},
		BirthDates: []KeyedTally{{"2008-12-04", Tally{1, 1}}, {"2008-12-03", Tally{2, 3}}},
		BestScores: map[int]int{2: 1, 6: 2}}}
	rep, err := RoundReport(context.Background(), st, r, nil, loc, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if st.offset != 7*time.Hour {
		t.Errorf("offset %v, want 7h", st.offset)
	}
	if rep.MaxScore != 6 || rep.AgeOn != "2026-12-03" {
		t.Errorf("max score %d, ages on %s; want 6 and 2026-12-03", rep.MaxScore, rep.AgeOn)
	}
	if fmt.Sprint(rep.Days) != "[{2026-12-01 {0 0}} {2026-12-02 {3 4}} {2026-12-03 {0 0}}]" {
		t.Errorf("days %v, want the round's three days", rep.Days)
	}
	if fmt.Sprint(rep.Scores) != "[{0 0} {2 1} {4 0} {6 2}]" {
		t.Errorf("scores %v", rep.Scores)
	}
	if rep.Ages[0].Key != "under_18" || rep.Ages[0].Contestants != 1 || rep.Ages[1].Contestants != 2 {
		t.Errorf("ages %v: one still 17 on 3 December, two just 18", rep.Ages)
	}
	if rep.Questions == nil || rep.Provinces == nil {
		t.Error("empty tables are nil, want empty lists")
	}
}
