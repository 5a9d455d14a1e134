package quiz

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var lockT0 = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

// row is a submitted attempt: user, score out of 10, prediction (-1: none),
// working seconds, start seconds after t0.
func row(attempt, user int64, score, pred int, workMs, startMs int64) Contender {
	c := Contender{Result: Result{AttemptID: attempt, UserID: user, Name: fmt.Sprintf("Người %d", user),
		Score: score, Correct: score, Total: 10,
		StartedAt: lockT0.Add(time.Duration(startMs) * time.Millisecond)}}
	c.SubmittedAt = c.StartedAt.Add(time.Duration(workMs) * time.Millisecond)
	if pred >= 0 {
		p := pred
		c.Prediction = &p
	}
	return c
}

// summary prints entries as "user:rank:prize" for comparison.
func summary(entries []Winner) string {
	var parts []string
	for _, w := range entries {
		s := fmt.Sprintf("%d:%d", w.UserID, w.Rank)
		if w.Prize != "" {
			s += ":" + w.Prize
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestRankEveryTieLevel(t *testing.T) {
	// Target "participants": 8 people take part, so actual = 8.
	rows := []Contender{
		row(1, 1, 9, 8, 60000, 0),     // 9 points, exact prediction
		row(2, 2, 10, 20, 90000, 0),   // the only 10: first whatever else
		row(3, 3, 9, 7, 30000, 0),     // error 1
		row(4, 4, 9, 9, 30000, 2000),  // error 1, same time as 3, started later
		row(5, 5, 9, -1, 1000, 0),     // no prediction: after every 9 with one
		row(6, 6, 9, 10, 20000, 0),    // error 2
		row(7, 7, 9, 9, 30000, 5000),  // error 1, same time, latest start
		row(8, 8, 9, 7, 30000, 0),     // ties user 3 at every level
		row(9, 3, 8, 8, 10000, 90000), // user 3's second, worse attempt
	}
	entries, stats, actual := Rank(rows, TargetParticipants)
	if actual == nil || *actual != 8 {
		t.Fatalf("actual = %v, want 8", actual)
	}
	if stats != (RoundStats{Participants: 8, Attempts: 9, PerfectScorers: 1}) {
		t.Errorf("stats = %+v", stats)
	}
	// 3 and 8 tie at every level: the same rank, attempt id keeps them in order.
	want := "2:1 1:2 3:3 8:3 4:5 7:6 6:7 5:8"
	if got := summary(entries); got != want {
		t.Errorf("ranking\n got %s\nwant %s", got, want)
	}
	for _, w := range entries {
		tie := w.UserID == 3 || w.UserID == 8
		if w.HasFlag(FlagTie) != tie {
			t.Errorf("user %d tie flag = %v", w.UserID, !tie)
		}
	}
	if e := entries[2]; e.AttemptID != 3 || e.PredictionError == nil || *e.PredictionError != 1 {
		t.Errorf("user 3's best = attempt %d error %v, want attempt 3 error 1", e.AttemptID, e.PredictionError)
	}
	if e := entries[7]; e.Prediction != nil || e.PredictionError != nil {
		t.Errorf("user 5 without prediction has %v / %v", e.Prediction, e.PredictionError)
	}
}

func TestRankBestAttemptUsesPredictionOnceClosed(t *testing.T) {
	// Actual attempts = 3. User 1's faster attempt misses the prediction by
	// 7, the slower one by 0: the slower is the best.
	rows := []Contender{
		row(1, 1, 8, 10, 10000, 0),
		row(2, 1, 8, 3, 50000, 60000),
		row(3, 2, 8, 4, 20000, 0),
	}
	entries, _, _ := Rank(rows, TargetAttempts)
	if got := summary(entries); got != "1:1 2:2" {
		t.Fatalf("ranking %s", got)
	}
	if entries[0].AttemptID != 2 || entries[0].DurationMs != 50000 {
		t.Errorf("best attempt of user 1 = %d (%d ms), want 2", entries[0].AttemptID, entries[0].DurationMs)
	}
	// Without a prediction target, working time decides.
	entries, _, actual := Rank(rows, "")
	if actual != nil || entries[0].AttemptID != 1 {
		t.Errorf("without target: best %d, actual %v", entries[0].AttemptID, actual)
	}
}

func TestRankPerfectScorersTarget(t *testing.T) {
	rows := []Contender{
		row(1, 1, 10, 2, 1000, 0),
		row(2, 1, 10, 2, 2000, 0), // two perfect attempts of one person count once
		row(3, 2, 10, 1, 3000, 0),
		row(4, 3, 9, 2, 1000, 0),
	}
	_, stats, actual := Rank(rows, TargetPerfectScorers)
	if stats.PerfectScorers != 2 || actual == nil || *actual != 2 {
		t.Errorf("perfect scorers %d, actual %v; want 2", stats.PerfectScorers, actual)
	}
}

func ranked(n int) []Winner {
	var rows []Contender
	for i := 1; i <= n; i++ {
		rows = append(rows, row(int64(i), int64(i), 10, -1, int64(i)*1000, 0))
	}
	entries, _, _ := Rank(rows, "")
	return entries
}

// identified gives each entry a CCCD and a birth date of its own, as
// registration asks them.
func identified(entries []Winner) []Winner {
	for i := range entries {
		entries[i].IDNumber = fmt.Sprintf("0790900%05d", entries[i].UserID)
		entries[i].BirthDate = "1990-05-06"
	}
	return entries
}

var threeTiers = []Prize{{"Nhất", 1}, {"Nhì", 2}, {"Ba", 3}}

func TestAllocatePrizes(t *testing.T) {
	cases := []struct {
		name    string
		entries []Winner
		rules   PrizeRules
		want    string
	}{
		{"tiers in order", ranked(8), PrizeRules{Tiers: threeTiers},
			"1:1:Nhất 2:2:Nhì 3:3:Nhì 4:4:Ba 5:5:Ba 6:6:Ba 7:7 8:8"},
		{"fewer contestants than prizes", ranked(2), PrizeRules{Tiers: threeTiers},
			"1:1:Nhất 2:2:Nhì"},
		{"cap 30% of 10 is 3", ranked(10), PrizeRules{Tiers: threeTiers, CapPercent: 30},
			"1:1:Nhất 2:2:Nhì 3:3:Nhì 4:4 5:5 6:6 7:7 8:8 9:9 10:10"},
		{"cap 25% of 10 rounds down to 2", ranked(10), PrizeRules{Tiers: threeTiers, CapPercent: 25},
			"1:1:Nhất 2:2:Nhì 3:3 4:4 5:5 6:6 7:7 8:8 9:9 10:10"},
		{"cap above the tiers changes nothing", ranked(7), PrizeRules{Tiers: threeTiers, CapPercent: 100},
			"1:1:Nhất 2:2:Nhì 3:3:Nhì 4:4:Ba 5:5:Ba 6:6:Ba 7:7"},
		{"equal prize held elsewhere: passed on", ranked(5),
			PrizeRules{Tiers: threeTiers, Held: map[int64]HeldPrize{1: {Tier: 1, Prize: "Nhất", RoundName: "Tuần 1"}}},
			"1:1 2:2:Nhất 3:3:Nhì 4:4:Nhì 5:5:Ba"},
		{"higher prize held elsewhere: passed on", ranked(5),
			PrizeRules{Tiers: threeTiers, Held: map[int64]HeldPrize{3: {Tier: 1, Prize: "Nhất", RoundName: "Tuần 1"}}},
			"1:1:Nhất 2:2:Nhì 3:3 4:4:Nhì 5:5:Ba"},
		{"lower prize held elsewhere: the higher one here", ranked(4),
			PrizeRules{Tiers: threeTiers, Held: map[int64]HeldPrize{1: {Tier: 3, Prize: "Ba", RoundName: "Tuần 1"}}},
			"1:1:Nhất 2:2:Nhì 3:3:Nhì 4:4:Ba"},
		{"no tiers", ranked(3), PrizeRules{}, "1:1 2:2 3:3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			AllocatePrizes(c.entries, c.rules)
			if got := summary(c.entries); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
			for _, w := range c.entries {
				if _, held := c.rules.Held[w.UserID]; held != w.HasFlag(FlagPrizeElsewhere) || held == (w.Note == "") {
					t.Errorf("user %d: held %v, flags %v, note %q", w.UserID, held, w.Flags, w.Note)
				}
			}
		})
	}
}

func TestAllocateKeepsTiesTogether(t *testing.T) {
	// Users 2 and 3 tie at every level.
	rows := []Contender{
		row(1, 1, 10, -1, 1000, 0),
		row(2, 2, 10, -1, 2000, 0),
		row(3, 3, 10, -1, 2000, 0),
		row(4, 4, 10, -1, 3000, 0),
		row(5, 5, 10, -1, 4000, 0),
	}
	entries, _, _ := Rank(rows, "")
	AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Nhất", 1}, {"Nhì", 1}, {"Ba", 1}}})
	// The tie takes Nhì twice, which uses Ba's place too.
	if got, want := summary(entries), "1:1:Nhất 2:2:Nhì 3:2:Nhì 4:4 5:5"; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	entries, _, _ = Rank(rows, "")
	AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Nhất", 1}, {"Nhì", 2}}, CapPercent: 40})
	// Cap 40% of 5 = 2 prizes; the tie at the second place is not split.
	if got, want := summary(entries), "1:1:Nhất 2:2:Nhì 3:2:Nhì 4:4 5:5"; got != want {
		t.Errorf("with cap\n got %s\nwant %s", got, want)
	}
}

func TestAllocateFlagsSharedIdentity(t *testing.T) {
	entries := identified(ranked(6))
	cccd := "001203004005"
	entries[0].IDNumber = cccd // winner
	entries[2].IDNumber = cccd // winner with the same CCCD
	entries[5].IDNumber = cccd // not a winner, shares with winners
	entries[1].Phone, entries[4].Phone = "0912345678", "0912345678"
	entries[3].Phone = "0987654321" // unique
	// User 5 shares a phone with winner 2: both are flagged, the winner
	// as well as the one without a prize.
	AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Nhất", 1}, {"Nhì", 2}}})
	want := map[int64][]string{
		1: {FlagSharedIDNumber}, 2: {FlagSharedPhone}, 3: {FlagSharedIDNumber},
		4: nil, 5: {FlagSharedPhone}, 6: {FlagSharedIDNumber},
	}
	for _, w := range entries {
		if !slices.Equal(w.Flags, want[w.UserID]) {
			t.Errorf("user %d flags %v, want %v", w.UserID, w.Flags, want[w.UserID])
		}
	}
	// Two non-winners sharing a CCCD are not flagged.
	entries = identified(ranked(4))
	entries[2].IDNumber, entries[3].IDNumber = cccd, cccd
	AllocatePrizes(entries, PrizeRules{Tiers: []Prize{{"Nhất", 1}}})
	for _, w := range entries {
		if len(w.Flags) != 0 {
			t.Errorf("user %d flagged %v", w.UserID, w.Flags)
		}
	}
}

func TestRankUnits(t *testing.T) {
	var entries []Winner
	add := func(unit string, n int) {
		for range n {
			entries = append(entries, Winner{Unit: unit})
		}
	}
	add("Xã Đông Hòa", 5)     // 5 of 50 members: 10 %
	add("Phường Bến Nghé", 3) // 3 of 6: 50 %
	add("Xã An Bình", 3)      // size unknown
	add("Trường THPT A", 1)   // 1 of 2: 50 %
	add("", 4)                // no unit: left out
	units := RankUnits(entries, map[string]int{"Xã Đông Hòa": 50, "Phường Bến Nghé": 6, "Trường THPT A": 2},
		[]Prize{{"Giải tập thể Nhất", 1}, {"Giải tập thể Nhì", 1}})
	var got []string
	for _, u := range units {
		got = append(got, fmt.Sprintf("%s:%d:%d:%d:%s", u.Unit, u.Participants, u.Rank, u.ShareRank, u.Prize))
	}
	// Units tied on count share the rank and the prize, listed in
	// Vietnamese alphabetical order.
	want := []string{
		"Xã Đông Hòa:5:1:3:Giải tập thể Nhất",
		"Phường Bến Nghé:3:2:1:Giải tập thể Nhì",
		"Xã An Bình:3:2:0:Giải tập thể Nhì",
		"Trường THPT A:1:4:1:",
	}
	if !slices.Equal(got, want) {
		t.Errorf("units\n got %q\nwant %q", got, want)
	}
	if s := units[1].SharePercent(); s != 50 {
		t.Errorf("share %v, want 50", s)
	}
}

func TestRankUnitsTiesInVietnameseOrder(t *testing.T) {
	// Byte order would put "Xã Em" and "Xã Bình" before "Xã Ấp" and "Xã Đông".
	entries := []Winner{{Unit: "Xã Em"}, {Unit: "Xã Đông"}, {Unit: "Xã Bình"}, {Unit: "Xã Ấp"}}
	var got []string
	for _, u := range RankUnits(entries, nil, nil) {
		got = append(got, u.Unit)
	}
	if want := []string{"Xã Ấp", "Xã Bình", "Xã Đông", "Xã Em"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
