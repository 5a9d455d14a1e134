package quiz

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Contender is a submitted attempt with the data of the person who made it,
// as a winners list needs them.
type Contender struct {
	Result
	BirthDate string
	IDNumber  string
	Phone     string
	Province  string
	Commune   string
}

// Winner is one line of a round's ranking: a contestant's best attempt, its
// rank and the prize it earns.
type Winner struct {
	Rank      int
	PrizeTier int    // 1 for the round's first tier; 0 for no prize
	Prize     string // the tier's name; "" for no prize
	UserID    int64
	AttemptID int64
	FullName  string
	BirthDate string
	IDNumber  string
	Phone     string
	Unit      string
	Province  string
	Commune   string
	Score     int
	Correct   int
	Total     int
	// Prediction and PredictionError are nil without a prediction;
	// PredictionError is also nil when the round asks none.
	Prediction      *int
	PredictionError *int
	DurationMs      int64
	StartedAt       time.Time
	SubmittedAt     time.Time
	// Flags draw the officials' eye to a row: see the Flag constants.
	Flags []string
	// Note says in words why a flag was raised.
	Note string
}

// Flags on a winners list. They are part of the API.
const (
	// FlagSharedIDNumber: another contestant of the list has the same
	// CCCD, and this row or the other one earns a prize. A prize winner
	// is flagged whoever shares with them; a contestant without a prize is
	// flagged when they share with a prize winner.
	FlagSharedIDNumber = "shared_id_number"
	// FlagSharedPhone: the same with the phone number.
	FlagSharedPhone = "shared_phone"
	// FlagTie: tied at every level of the rules with another row, so both
	// have the same rank and, within the prizes, the same prize.
	FlagTie = "tie"
	// FlagPrizeElsewhere: the contest gives one prize per person across its
	// rounds and this person holds one in another locked round.
	FlagPrizeElsewhere = "prize_elsewhere"
	// FlagMissingIdentity: a prize winner whose CCCD or birth date the
	// list does not have (a contest may ask them only from winners, when
	// they claim the prize).
	FlagMissingIdentity = "missing_identity"
	// FlagIdentityAfterLock: a prize winner of a locked round whose CCCD
	// and birth date were missing at the lock and given since, on the
	// account (the prize claim of a contest that asks them only from
	// winners). The list shows them as the account has them now; rank and
	// prize stay as locked.
	FlagIdentityAfterLock = "identity_after_lock"
)

// HasFlag reports whether w carries flag.
func (w Winner) HasFlag(flag string) bool { return slices.Contains(w.Flags, flag) }

// HeldPrize is a prize a person holds in another locked round of the same
// contest.
type HeldPrize struct {
	Tier      int // 1-based tier position in that round
	Prize     string
	RoundID   int64
	RoundName string
}

// UnitStanding is a unit's line in the group ranking.
type UnitStanding struct {
	Unit         string
	Participants int // contestants of the unit in the round
	Members      int // the unit's size as the organizer gave it; 0 unknown
	Rank         int // by participants
	ShareRank    int // by participants ÷ members; 0 without members
	Prize        string
}

// SharePercent is the share of the unit's members who took part.
func (u UnitStanding) SharePercent() float64 {
	if u.Members == 0 {
		return 0
	}
	return 100 * float64(u.Participants) / float64(u.Members)
}

// WinnerList is a round's full ranking with its prizes: computed from the
// attempts while the round is unlocked, read back as stored once locked.
type WinnerList struct {
	Round    Round
	Locked   bool
	LockedAt *time.Time
	LockedBy string // the official, as named at the lock
	Actual   *int   // the prediction's actual count; nil when none is asked
	Stats    RoundStats
	Entries  []Winner
	Units    []UnitStanding
}

// StaffLabel names a person who acts on results, on every page and file
// that says who locked or who did what: "Name (login)", or the login
// alone, once, when the account has no name of its own (a staff account
// made without one is named by its e-mail).
func StaffLabel(name, login string) string {
	name, login = strings.TrimSpace(name), strings.TrimSpace(login)
	switch {
	case name == "":
		return login
	case login == "" || strings.EqualFold(name, login):
		return name
	}
	return name + " (" + login + ")"
}

// ActorLabel is StaffLabel for a name as an older version stored it,
// "Name <login>", which the audit log keeps as it was written: the same
// person reads the same way in old entries and new ones. Any other text
// is returned as it is.
func ActorLabel(stored string) string {
	if name, rest, ok := strings.Cut(stored, " <"); ok && strings.HasSuffix(rest, ">") && !strings.Contains(rest, "<") {
		return StaffLabel(name, strings.TrimSuffix(rest, ">"))
	}
	if strings.Contains(stored, "<") {
		return stored
	}
	if name, rest, ok := strings.Cut(stored, " ("); ok && strings.HasSuffix(rest, ")") {
		return StaffLabel(name, strings.TrimSuffix(rest, ")"))
	}
	return stored
}

// Winners returns the entries that earn a prize, in rank order.
func (l WinnerList) Winners() []Winner {
	var out []Winner
	for _, w := range l.Entries {
		if w.PrizeTier > 0 {
			out = append(out, w)
		}
	}
	return out
}

// Rank orders a closed round's submitted attempts by the contest rules:
// the prediction's actual count is computed from them for target ("" when
// the round asks no prediction), each contestant's best attempt is chosen
// by the same order as the ranking, and contestants tied at every level
// share a rank. Rows with equal results keep the order of their attempt ids.
func Rank(rows []Contender, target string) (entries []Winner, stats RoundStats, actual *int) {
	best := map[int64]int{} // user → index in rows of their best attempt
	perfect := map[int64]bool{}
	for i, r := range rows {
		if r.Perfect() {
			perfect[r.UserID] = true
		}
		if _, ok := best[r.UserID]; !ok {
			best[r.UserID] = i
		}
	}
	stats = RoundStats{Participants: len(best), Attempts: len(rows), PerfectScorers: len(perfect)}
	if n, ok := stats.Actual(target); ok {
		actual = &n
	}
	less := func(a, b Contender) int {
		if c := Compare(a.Result, b.Result, actual); c != 0 {
			return c
		}
		return cmp.Compare(a.AttemptID, b.AttemptID)
	}
	for i, r := range rows {
		if less(r, rows[best[r.UserID]]) < 0 {
			best[r.UserID] = i
		}
	}
	chosen := make([]Contender, 0, len(best))
	for _, i := range best {
		chosen = append(chosen, rows[i])
	}
	slices.SortFunc(chosen, less)

	entries = make([]Winner, len(chosen))
	for i, c := range chosen {
		w := winnerOf(c)
		w.Rank = i + 1
		if actual != nil {
			if d, ok := c.PredictionError(*actual); ok {
				w.PredictionError = &d
			}
		}
		if i > 0 && Compare(chosen[i-1].Result, c.Result, actual) == 0 {
			w.Rank = entries[i-1].Rank
			entries[i-1].addFlag(FlagTie)
			w.addFlag(FlagTie)
		}
		entries[i] = w
	}
	return entries, stats, actual
}

// winnerOf is a contestant's line for an attempt, before it is ranked.
func winnerOf(c Contender) Winner {
	return Winner{
		UserID: c.UserID, AttemptID: c.AttemptID, FullName: c.Name, BirthDate: c.BirthDate,
		IDNumber: c.IDNumber, Phone: c.Phone, Unit: c.Unit, Province: c.Province, Commune: c.Commune,
		Score: c.Score, Correct: c.Correct, Total: c.Total, Prediction: c.Prediction,
		DurationMs: c.DurationMs(), StartedAt: c.StartedAt, SubmittedAt: c.SubmittedAt,
	}
}

func (w *Winner) addFlag(flag string) {
	if !slices.Contains(w.Flags, flag) {
		w.Flags = append(w.Flags, flag)
	}
}

func (w *Winner) addNote(note string) {
	if w.Note == "" {
		w.Note = note
	} else {
		w.Note += "; " + note
	}
}

// PrizeRules are what a round's prizes depend on besides its ranking.
type PrizeRules struct {
	Tiers []Prize
	// CapPercent gives prizes to at most this share of the contestants,
	// rounded down; 0 for no cap.
	CapPercent int
	// Held are the prizes people hold in the contest's other locked rounds,
	// when the contest gives one prize per person across its rounds.
	Held map[int64]HeldPrize
}

// Limit is the most individual prizes a round of n contestants gives.
func (p PrizeRules) Limit(contestants int) int {
	total := 0
	for _, t := range p.Tiers {
		total += t.Count
	}
	if p.CapPercent > 0 {
		total = min(total, contestants*p.CapPercent/100)
	}
	return total
}

// AllocatePrizes gives the tiers, highest first, down the ranking, at most
// one prize to each person (each entry is already one person's best
// attempt). Contestants tied at every level share a rank and get the same
// tier: a tie is never split, so its rows together may take one place more
// than the tier or the cap has, and are flagged for the officials. With
// Held, a person who holds an equal or higher prize in another round of
// the contest gets none here, and their place goes to the next in line; a
// person who would get a higher one here gets it, and both rows say so.
func AllocatePrizes(entries []Winner, rules PrizeRules) {
	limit := rules.Limit(len(entries))
	tier, used, given := 0, 0, 0 // tier index, places taken in it, prizes given
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].Rank == entries[i].Rank {
			j++
		}
		if tier >= len(rules.Tiers) || given >= limit {
			break
		}
		taken := 0
		for k := i; k < j; k++ {
			w := &entries[k]
			if h, ok := rules.Held[w.UserID]; ok {
				w.addFlag(FlagPrizeElsewhere)
				if h.Tier <= tier+1 {
					w.addNote(fmt.Sprintf("đã đạt %s ở %s", h.Prize, h.RoundName))
					continue
				}
				w.addNote(fmt.Sprintf("đạt giải cao hơn %s ở %s", h.Prize, h.RoundName))
			}
			w.PrizeTier, w.Prize = tier+1, rules.Tiers[tier].Name
			taken++
		}
		used += taken
		given += taken
		for tier < len(rules.Tiers) && used >= rules.Tiers[tier].Count {
			used -= rules.Tiers[tier].Count
			tier++
		}
		i = j
	}
	flagShared(entries)
}

// flagShared flags the rows that share a CCCD or a phone number with
// another row when either of the two earns a prize, and the prize
// winners whose CCCD or birth date is missing.
func flagShared(entries []Winner) {
	type count struct{ rows, winners int }
	ids, phones := map[string]count{}, map[string]count{}
	tally := func(m map[string]count, key string, winner bool) {
		if key == "" {
			return
		}
		c := m[key]
		c.rows++
		if winner {
			c.winners++
		}
		m[key] = c
	}
	for _, w := range entries {
		tally(ids, w.IDNumber, w.PrizeTier > 0)
		tally(phones, w.Phone, w.PrizeTier > 0)
	}
	// shared: another row has the key, and this row or another has a prize.
	shared := func(m map[string]count, key string, winner bool) bool {
		if key == "" {
			return false
		}
		c := m[key]
		if winner {
			return c.rows > 1
		}
		return c.winners > 0
	}
	for i := range entries {
		w := &entries[i]
		winner := w.PrizeTier > 0
		if shared(ids, w.IDNumber, winner) {
			w.addFlag(FlagSharedIDNumber)
		}
		if shared(phones, w.Phone, winner) {
			w.addFlag(FlagSharedPhone)
		}
		if winner && (strings.TrimSpace(w.IDNumber) == "" || strings.TrimSpace(w.BirthDate) == "") {
			w.addFlag(FlagMissingIdentity)
		}
	}
}

// RankUnits ranks the units of a round's contestants by how many took
// part, and, for units whose size members gives, by the share of their
// members who did. Units with equal counts share a rank; contestants with
// no unit are left out. The group prize tiers go down the ranking by count,
// a tie never split, as for individual prizes.
func RankUnits(entries []Winner, members map[string]int, tiers []Prize) []UnitStanding {
	counts := map[string]int{}
	for _, w := range entries {
		if u := strings.TrimSpace(w.Unit); u != "" {
			counts[u]++
		}
	}
	units := make([]UnitStanding, 0, len(counts))
	for name, n := range counts {
		units = append(units, UnitStanding{Unit: name, Participants: n, Members: members[name]})
	}
	byName := VietnameseCollator()
	slices.SortFunc(units, func(a, b UnitStanding) int {
		if c := cmp.Compare(b.Participants, a.Participants); c != 0 {
			return c
		}
		return byName.CompareString(a.Unit, b.Unit)
	})
	for i := range units {
		units[i].Rank = i + 1
		if i > 0 && units[i-1].Participants == units[i].Participants {
			units[i].Rank = units[i-1].Rank
		}
	}

	// Prizes by count, ties kept together.
	tier, used := 0, 0
	for i := 0; i < len(units) && tier < len(tiers); {
		j := i + 1
		for j < len(units) && units[j].Rank == units[i].Rank {
			j++
		}
		for k := i; k < j; k++ {
			units[k].Prize = tiers[tier].Name
		}
		used += j - i
		for tier < len(tiers) && used >= tiers[tier].Count {
			used -= tiers[tier].Count
			tier++
		}
		i = j
	}

	// Share ranks among the units with a size: a/b > c/d ⇔ a·d > c·b.
	var sized []*UnitStanding
	for i := range units {
		if units[i].Members > 0 {
			sized = append(sized, &units[i])
		}
	}
	slices.SortStableFunc(sized, func(a, b *UnitStanding) int {
		return cmp.Compare(b.Participants*a.Members, a.Participants*b.Members)
	})
	for i, u := range sized {
		u.ShareRank = i + 1
		if i > 0 && sized[i-1].Participants*u.Members == u.Participants*sized[i-1].Members {
			u.ShareRank = sized[i-1].ShareRank
		}
	}
	return units
}
