package quiz

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// WinnersJSON writes a winners list as GET /rounds/{id}/winners answers it;
// the command line's export writes the same document.
type WinnersJSON struct {
	// ProvinceName names a province code; nil writes the code as its name.
	ProvinceName func(code string) string
}

// WinnersDocument is a winners list in the API's JSON. The entries and the
// units come last, after the head, so that the list can be streamed
// (WinnersJSON.Write).
type WinnersDocument struct {
	winnersHead
	Entries []winnerJSON `json:"entries"`
	Units   []unitJSON   `json:"units"`
}

// winnerJSON is one entry of the list.
type winnerJSON struct {
	Rank            int      `json:"rank"`
	Prize           *string  `json:"prize"`
	PrizeTier       int      `json:"prize_tier"`
	FullName        string   `json:"full_name"`
	BirthDate       string   `json:"birth_date"`
	IDNumber        string   `json:"id_number"`
	Phone           string   `json:"phone"`
	Unit            string   `json:"unit"`
	Province        string   `json:"province"`
	ProvinceName    string   `json:"province_name"`
	Commune         string   `json:"commune"`
	Score           int      `json:"score"`
	Correct         int      `json:"correct"`
	Total           int      `json:"total"`
	Prediction      *int     `json:"prediction"`
	PredictionError *int     `json:"prediction_error"`
	DurationMs      int64    `json:"duration_ms"`
	StartedAt       string   `json:"started_at"`
	SubmittedAt     string   `json:"submitted_at"`
	UserID          int64    `json:"user_id"`
	AttemptID       int64    `json:"attempt_id"`
	Flags           []string `json:"flags"`
	Note            string   `json:"note"`
}

type unitJSON struct {
	Rank         int      `json:"rank"`
	Unit         string   `json:"unit"`
	Participants int      `json:"participants"`
	Members      *int     `json:"members"`
	SharePercent *float64 `json:"share_percent"`
	ShareRank    *int     `json:"share_rank"`
	Prize        *string  `json:"prize"`
}

type winnersHead struct {
	RoundID  int64          `json:"round_id"`
	Round    string         `json:"round"`
	Contest  string         `json:"contest"`
	Locked   bool           `json:"locked"`
	LockedAt *string        `json:"locked_at"`
	LockedBy *string        `json:"locked_by"`
	Actual   *int           `json:"actual"`
	Stats    statsBriefJSON `json:"stats"`
}

type statsBriefJSON struct {
	Participants   int `json:"participants"`
	Attempts       int `json:"attempts"`
	PerfectScorers int `json:"perfect_scorers"`
	Prizes         int `json:"prizes"`
}

// Document returns the whole list as one value for encoding/json.
func (x WinnersJSON) Document(l WinnerList) WinnersDocument {
	out := WinnersDocument{winnersHead: winnersHeadOf(l), Entries: make([]winnerJSON, len(l.Entries)),
		Units: make([]unitJSON, len(l.Units))}
	for i, e := range l.Entries {
		out.Entries[i] = x.winner(e)
	}
	for i, u := range l.Units {
		out.Units[i] = unitJSONOf(u)
	}
	return out
}

// Write writes the same bytes as encoding Document(l) whole, an entry at a
// time, so that a list of 100,000 contestants is never held encoded in
// memory.
func (x WinnersJSON) Write(w io.Writer, l WinnerList) error {
	head, err := json.Marshal(winnersHeadOf(l))
	if err != nil {
		return err
	}
	head[len(head)-1] = ',' // the head's closing brace: the entries follow
	if _, err := w.Write(append(head, `"entries":[`...)); err != nil {
		return err
	}
	for i, e := range l.Entries {
		data, err := json.Marshal(x.winner(e))
		if err != nil {
			return err
		}
		if i > 0 {
			data = append([]byte{','}, data...)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	units := make([]unitJSON, len(l.Units))
	for i, u := range l.Units {
		units[i] = unitJSONOf(u)
	}
	data, err := json.Marshal(units)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `],"units":%s}`, data)
	return err
}

func winnersHeadOf(l WinnerList) winnersHead {
	head := winnersHead{RoundID: l.Round.ID, Round: l.Round.Name, Contest: l.Round.ContestTitle, Locked: l.Locked,
		LockedAt: apiTimePtr(l.LockedAt), LockedBy: optString(l.LockedBy), Actual: l.Actual,
		Stats: statsBriefJSON{Participants: l.Stats.Participants, Attempts: l.Stats.Attempts,
			PerfectScorers: l.Stats.PerfectScorers}}
	for _, e := range l.Entries {
		if e.PrizeTier > 0 {
			head.Stats.Prizes++
		}
	}
	return head
}

func (x WinnersJSON) winner(e Winner) winnerJSON {
	flags := e.Flags
	if flags == nil {
		flags = []string{}
	}
	provinceName := e.Province
	if x.ProvinceName != nil {
		provinceName = x.ProvinceName(e.Province)
	}
	return winnerJSON{Rank: e.Rank, Prize: optString(e.Prize), PrizeTier: e.PrizeTier,
		FullName: e.FullName, BirthDate: e.BirthDate, IDNumber: e.IDNumber, Phone: e.Phone, Unit: e.Unit,
		Province: e.Province, ProvinceName: provinceName, Commune: e.Commune,
		Score: e.Score, Correct: e.Correct, Total: e.Total, Prediction: e.Prediction,
		PredictionError: e.PredictionError, DurationMs: e.DurationMs, StartedAt: APITime(e.StartedAt),
		SubmittedAt: APITime(e.SubmittedAt), UserID: e.UserID, AttemptID: e.AttemptID, Flags: flags, Note: e.Note}
}

func unitJSONOf(u UnitStanding) unitJSON {
	b := unitJSON{Rank: u.Rank, Unit: u.Unit, Participants: u.Participants, Prize: optString(u.Prize)}
	if u.Members > 0 {
		members, share, rank := u.Members, u.SharePercent(), u.ShareRank
		b.Members, b.SharePercent, b.ShareRank = &members, &share, &rank
	}
	return b
}

// optString is s, or null for "".
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiTimePtr is APITime(*t), or null for nil.
func apiTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := APITime(*t)
	return &s
}
