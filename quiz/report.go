package quiz

import (
	"cmp"
	"context"
	"slices"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// A round's statistics, for officials: contestants and attempts per day,
// by province, by unit and by age group, the distribution of best scores
// and each question's share of right answers. A contestant is an account
// with at least one submitted attempt in the round; an attempt is a
// submitted attempt. Attempts still running are not counted anywhere.

// ReportStore reads the figures of a round's statistics page. *store.DB
// implements it, aggregating in SQL; BuildReport turns the figures into
// the tables.
type ReportStore interface {
	// ReportFigures reads every figure of a round in one snapshot. Days
	// are the dates of submission at utcOffset from UTC.
	ReportFigures(ctx context.Context, roundID int64, utcOffset time.Duration) (ReportFigures, error)
}

// Tally counts the contestants and the attempts that fall in one group.
// A contestant belongs to one province, one unit and one age group, so
// those tallies add up to the round's; a contestant who submitted on two
// days counts on both.
type Tally struct {
	Contestants int
	Attempts    int
}

// KeyedTally is a Tally with what it was grouped by.
type KeyedTally struct {
	Key string
	Tally
}

// ReportFigures is what storage reads for a round's statistics, grouped
// but not yet shaped into tables.
type ReportFigures struct {
	Total      Tally
	Days       []KeyedTally // key: date of submission, YYYY-MM-DD
	Provinces  []KeyedTally // key: province code as stored ("" unknown)
	Units      []KeyedTally // key: unit as stored ("" none given)
	BirthDates []KeyedTally // key: users.birth_date as stored
	BestScores map[int]int  // best score → contestants with it
	Questions  []QuestionStats
}

// Report is a round's statistics, every table ready to show or export.
type Report struct {
	Round    Round
	MaxScore int    // the most an attempt can score
	AgeOn    string // YYYY-MM-DD: ages are counted on the round's close date
	Total    Tally
	Days     []DayRow
	// Provinces lists every province, those with the most contestants
	// first, then the rest in the official order; an "" code collects
	// accounts with no province (deleted ones), when there are any.
	Provinces []ProvinceRow
	// Units lists the units contestants gave, the most contestants first,
	// then by name in Vietnamese order; "" is no unit given.
	Units []UnitRow
	// Ages lists every group of AgeGroups in order, then AgeUnknown.
	Ages []AgeRow
	// Scores has a row for every score an attempt can reach, from 0 to
	// MaxScore, zero counts included.
	Scores []ScoreRow
	// Questions are ordered by share of right answers, lowest first, so
	// that the questions most people got wrong head the list.
	Questions []QuestionStats
	At        time.Time
}

// DayRow is one day of a round, in Vietnam's time.
type DayRow struct {
	Date string // YYYY-MM-DD
	Tally
}

// ProvinceRow is one province.
type ProvinceRow struct {
	Code string
	Name string
	Tally
}

// UnitRow is one unit.
type UnitRow struct {
	Unit string
	Tally
}

// AgeRow is one age group.
type AgeRow struct {
	AgeGroup
	Tally
}

// ScoreRow counts the contestants whose best score is Score.
type ScoreRow struct {
	Score       int
	Contestants int
}

// AgeGroup is a span of ages in whole years, both ends included; MaxAge -1
// has no upper end.
type AgeGroup struct {
	Key    string
	MinAge int
	MaxAge int
}

// AgeGroups are the groups the statistics count ages in: minors, then
// young, middle-aged and older working adults in spans of about fifteen
// years, then retirees (Vietnam's retirement age is moving to 60–62).
// Keys never change: they appear in the API and name the UI texts.
var AgeGroups = []AgeGroup{
	{Key: "under_18", MinAge: 0, MaxAge: 17},
	{Key: "18_30", MinAge: 18, MaxAge: 30},
	{Key: "31_45", MinAge: 31, MaxAge: 45},
	{Key: "46_60", MinAge: 46, MaxAge: 60},
	{Key: "over_60", MinAge: 61, MaxAge: -1},
}

// AgeUnknown is the group of contestants with no valid birth date
// (deleted accounts, staff data entered by hand).
var AgeUnknown = AgeGroup{Key: "unknown", MinAge: -1, MaxAge: -1}

// AgeOn returns a person's age in whole years on a day, from a birth date
// written YYYY-MM-DD. Someone born on 29 February turns a year older on
// 1 March in other years. ok is false for a date that cannot be read or
// lies after the day.
func AgeOn(birthDate string, day time.Time) (age int, ok bool) {
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return 0, false
	}
	y, m, d := day.Date()
	age = y - b.Year()
	if m < b.Month() || m == b.Month() && d < b.Day() {
		age--
	}
	if age < 0 {
		return 0, false
	}
	return age, true
}

// AgeGroupOf returns the group an age falls in.
func AgeGroupOf(age int) AgeGroup {
	for _, g := range AgeGroups {
		if age >= g.MinAge && (g.MaxAge < 0 || age <= g.MaxAge) {
			return g
		}
	}
	return AgeUnknown
}

// maxFilledDays bounds the days a report lists with zero counts; a round
// longer than this lists only the days with submissions.
const maxFilledDays = 731

// FillDays returns a row for every date from first to last (YYYY-MM-DD),
// zero where tallies has none, widened to every date in tallies. A span
// over maxFilledDays, or a last before first, lists only tallies' dates.
func FillDays(tallies []KeyedTally, first, last string) []DayRow {
	byDate := make(map[string]Tally, len(tallies))
	for _, t := range tallies {
		byDate[t.Key] = t.Tally
		if t.Key < first {
			first = t.Key
		}
		if t.Key > last {
			last = t.Key
		}
	}
	from, err1 := time.Parse(time.DateOnly, first)
	to, err2 := time.Parse(time.DateOnly, last)
	var out []DayRow
	if err1 == nil && err2 == nil && !to.Before(from) && to.Sub(from) <= maxFilledDays*24*time.Hour {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			date := d.Format(time.DateOnly)
			out = append(out, DayRow{Date: date, Tally: byDate[date]})
		}
		return out
	}
	for _, t := range tallies {
		out = append(out, DayRow{Date: t.Key, Tally: t.Tally})
	}
	slices.SortFunc(out, func(a, b DayRow) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

// ScoreHistogram returns a row for each score from 0 to maxScore in steps
// of step (the points a right answer earns), zero counts included; a best
// score off those steps, or above maxScore, gets its own row too.
func ScoreHistogram(best map[int]int, maxScore, step int) []ScoreRow {
	if step < 1 {
		step = 1
	}
	seen := map[int]bool{}
	var out []ScoreRow
	for s := 0; s <= maxScore; s += step {
		out = append(out, ScoreRow{Score: s, Contestants: best[s]})
		seen[s] = true
	}
	for s, n := range best {
		if !seen[s] {
			out = append(out, ScoreRow{Score: s, Contestants: n})
		}
	}
	slices.SortFunc(out, func(a, b ScoreRow) int { return cmp.Compare(a.Score, b.Score) })
	return out
}

// AgeTable counts contestants by age group from tallies keyed by birth
// date, ages taken on day.
func AgeTable(byBirthDate []KeyedTally, day time.Time) []AgeRow {
	rows := make([]AgeRow, 0, len(AgeGroups)+1)
	index := map[string]int{}
	for _, g := range append(slices.Clone(AgeGroups), AgeUnknown) {
		index[g.Key] = len(rows)
		rows = append(rows, AgeRow{AgeGroup: g})
	}
	for _, t := range byBirthDate {
		g := AgeUnknown
		if age, ok := AgeOn(t.Key, day); ok {
			g = AgeGroupOf(age)
		}
		r := &rows[index[g.Key]]
		r.Contestants += t.Contestants
		r.Attempts += t.Attempts
	}
	return rows
}

// ProvinceTable lists every province of provinces with its tally, the
// most contestants first and otherwise in the given (official) order. A
// code not in the list keeps its code as its name; "" collects accounts
// without a province and is listed only when it has contestants.
func ProvinceTable(tallies []KeyedTally, provinces []Province) []ProvinceRow {
	byCode := map[string]Tally{}
	for _, t := range tallies {
		prev := byCode[t.Key]
		byCode[t.Key] = Tally{prev.Contestants + t.Contestants, prev.Attempts + t.Attempts}
	}
	out := make([]ProvinceRow, 0, len(provinces)+1)
	for _, p := range provinces {
		out = append(out, ProvinceRow{Code: p.Code, Name: p.Name, Tally: byCode[p.Code]})
		delete(byCode, p.Code)
	}
	var others []ProvinceRow
	for code, t := range byCode {
		if t.Contestants > 0 || t.Attempts > 0 {
			others = append(others, ProvinceRow{Code: code, Name: code, Tally: t})
		}
	}
	slices.SortFunc(others, func(a, b ProvinceRow) int { return cmp.Compare(a.Code, b.Code) })
	out = append(out, others...)
	slices.SortStableFunc(out, func(a, b ProvinceRow) int { return byMost(a.Tally, b.Tally) })
	return out
}

// UnitTable lists the units with their tallies, the most contestants
// first, then by name in Vietnamese order.
func UnitTable(tallies []KeyedTally) []UnitRow {
	out := make([]UnitRow, 0, len(tallies))
	for _, t := range tallies {
		out = append(out, UnitRow{Unit: t.Key, Tally: t.Tally})
	}
	vi := collate.New(language.Vietnamese)
	slices.SortFunc(out, func(a, b UnitRow) int {
		if c := byMost(a.Tally, b.Tally); c != 0 {
			return c
		}
		return vi.CompareString(a.Unit, b.Unit)
	})
	return out
}

// byMost orders tallies by contestants, then attempts, most first.
func byMost(a, b Tally) int {
	if c := cmp.Compare(b.Contestants, a.Contestants); c != 0 {
		return c
	}
	return cmp.Compare(b.Attempts, a.Attempts)
}

// QuestionTable orders question statistics by share of right answers,
// lowest first; questions nobody answered come last; ties keep the order
// given, the bank's (ids are random and carry no order).
func QuestionTable(qs []QuestionStats) []QuestionStats {
	out := slices.Clone(qs)
	if out == nil {
		out = []QuestionStats{}
	}
	slices.SortStableFunc(out, func(a, b QuestionStats) int {
		if (a.Answered == 0) != (b.Answered == 0) {
			if a.Answered == 0 {
				return 1
			}
			return -1
		}
		// a.Correct/a.Answered vs b.Correct/b.Answered, without rounding.
		return cmp.Compare(a.Correct*b.Answered, b.Correct*a.Answered)
	})
	return out
}

// BuildReport shapes a round's figures into the report's tables. Dates
// and ages are taken in loc; the days run from the round's opening to its
// close, or to now while it is still open.
func BuildReport(r Round, f ReportFigures, provinces []Province, loc *time.Location, now time.Time) Report {
	closeDay := r.ClosesAt.In(loc)
	end := now
	if r.ClosesAt.Before(end) {
		end = r.ClosesAt
	}
	points := max(r.PointsPerQuestion, 1)
	rep := Report{
		Round:     r,
		MaxScore:  r.QuestionCount * points,
		AgeOn:     closeDay.Format(time.DateOnly),
		Total:     f.Total,
		Days:      FillDays(f.Days, r.OpensAt.In(loc).Format(time.DateOnly), end.In(loc).Format(time.DateOnly)),
		Provinces: ProvinceTable(f.Provinces, provinces),
		Units:     UnitTable(f.Units),
		Ages:      AgeTable(f.BirthDates, closeDay),
		Questions: QuestionTable(f.Questions),
		At:        now,
	}
	rep.Scores = ScoreHistogram(f.BestScores, rep.MaxScore, points)
	if rep.Days == nil {
		rep.Days = []DayRow{}
	}
	return rep
}

// RoundReport reads a round's figures and builds its report. Vietnam has
// kept UTC+7 all year since 1975, so one offset, taken at the round's
// opening, dates every submission of the round.
func RoundReport(ctx context.Context, st ReportStore, r Round, provinces []Province, loc *time.Location, now time.Time) (Report, error) {
	_, offset := r.OpensAt.In(loc).Zone()
	f, err := st.ReportFigures(ctx, r.ID, time.Duration(offset)*time.Second)
	if err != nil {
		return Report{}, err
	}
	return BuildReport(r, f, provinces, loc, now), nil
}
