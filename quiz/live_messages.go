package quiz

import (
	"encoding/json"
	"time"
)

// The live quiz's messages, as the websocket carries them (docs/API.md,
// "Live quiz"). None of the types a player receives before a reveal has a
// field for the correct options: they cannot leave the server through it.

type (
	liveOptionMsg struct {
		ID   int64  `json:"id"`
		Text string `json:"text"`
	}
	// liveQuestionMsg opens a question. deadline is the server's; a
	// client whose clock is off counts remaining_ms from the moment the
	// message arrives.
	liveQuestionMsg struct {
		Type        string          `json:"type"`
		Index       int             `json:"index"`
		Count       int             `json:"count"`
		Text        string          `json:"text"`
		Multiple    bool            `json:"multiple"`
		Options     []liveOptionMsg `json:"options"`
		Deadline    string          `json:"deadline"`
		Seconds     int             `json:"seconds"`
		RemainingMs int64           `json:"remaining_ms"`
		ServerTime  string          `json:"server_time"`
	}
	liveAckMsg struct {
		Type          string `json:"type"`
		QuestionIndex int    `json:"question_index"`
	}
	liveJoinedMsg struct {
		Type          string `json:"type"`
		GameID        int64  `json:"game_id"`
		PlayerID      int64  `json:"player_id"`
		Nickname      string `json:"nickname"`
		Token         string `json:"token"`
		Points        int    `json:"points"`
		Correct       int    `json:"correct"`
		Phase         string `json:"phase"`
		QuestionCount int    `json:"question_count"`
	}
	liveOptionCount struct {
		ID      int64 `json:"id"`
		Correct bool  `json:"correct"`
		Count   int   `json:"count"`
	}
	liveRevealMsg struct {
		Type             string            `json:"type"`
		Index            int               `json:"index"`
		CorrectOptionIDs []int64           `json:"correct_option_ids"`
		Options          []liveOptionCount `json:"options"`
		Answered         int               `json:"answered"`
		CorrectCount     int               `json:"correct_count"`
		Players          int               `json:"players"`
	}
	liveResultMsg struct {
		Type           string `json:"type"`
		Index          int    `json:"index"`
		Answered       bool   `json:"answered"`
		Correct        bool   `json:"correct"`
		Points         int    `json:"points"`
		TotalPoints    int    `json:"total_points"`
		CorrectAnswers int    `json:"correct_answers"`
		Streak         int    `json:"streak"`
		Rank           int    `json:"rank"`
		Players        int    `json:"players"`
	}
	liveEntry struct {
		Rank     int    `json:"rank"`
		PlayerID int64  `json:"player_id"`
		Nickname string `json:"nickname"`
		Points   int    `json:"points"`
		Correct  int    `json:"correct"`
	}
	liveBoardMsg struct {
		Type    string      `json:"type"`
		Index   int         `json:"index"`
		Entries []liveEntry `json:"entries"`
		Players int         `json:"players"`
	}
	liveEndedMsg struct {
		Type    string      `json:"type"`
		Entries []liveEntry `json:"entries"`
		Players int         `json:"players"`
	}
	liveFinalMsg struct {
		Type     string `json:"type"`
		Nickname string `json:"nickname"`
		Rank     int    `json:"rank"`
		Points   int    `json:"points"`
		Correct  int    `json:"correct"`
		Players  int    `json:"players"`
	}
	liveIndexMsg struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	liveTypeMsg struct {
		Type string `json:"type"`
	}

	// Host only.
	liveLobbyPlayer struct {
		PlayerID  int64  `json:"player_id"`
		Nickname  string `json:"nickname"`
		Connected bool   `json:"connected"`
		Points    int    `json:"points"`
		Correct   int    `json:"correct"`
	}
	liveLobbyMsg struct {
		Type               string            `json:"type"`
		GameID             int64             `json:"game_id"`
		PIN                string            `json:"pin"`
		JoinPath           string            `json:"join_path"`
		Title              string            `json:"title"`
		Phase              string            `json:"phase"`
		Index              int               `json:"index"`
		QuestionCount      int               `json:"question_count"`
		SecondsPerQuestion int               `json:"seconds_per_question"`
		PointsMode         string            `json:"points_mode"`
		StreakBonus        bool              `json:"streak_bonus"`
		AutoAdvance        bool              `json:"auto_advance"`
		Players            []liveLobbyPlayer `json:"players"`
		Connected          int               `json:"connected"`
	}
	livePlayerEventMsg struct {
		Type      string `json:"type"`
		PlayerID  int64  `json:"player_id"`
		Nickname  string `json:"nickname"`
		Rejoined  bool   `json:"rejoined,omitempty"`
		Players   int    `json:"players"`
		Connected int    `json:"connected"`
	}
	liveCountMsg struct {
		Type      string `json:"type"`
		Index     int    `json:"index"`
		Answered  int    `json:"answered"`
		Connected int    `json:"connected"`
		Players   int    `json:"players"`
	}
	liveAutoMsg struct {
		Type string `json:"type"`
		On   bool   `json:"on"`
	}
)

// encodeJSON encodes a message; these types always encode.
func encodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("live: encoding a message: " + err.Error())
	}
	return b
}

// encodeQuestion is the open question as players see it, at now. The
// caller holds g.mu.
func (g *liveGame) encodeQuestion(now time.Time) []byte {
	q := g.questions[g.game.Index]
	m := liveQuestionMsg{Type: "question", Index: q.Index, Count: len(g.questions), Text: q.Text,
		Multiple: q.Multiple(), Options: make([]liveOptionMsg, len(q.Options)), Deadline: APITime(q.Deadline),
		Seconds: g.game.SecondsPerQuestion, RemainingMs: max(q.Deadline.Sub(now).Milliseconds(), 0),
		ServerTime: APITime(now)}
	for i, o := range q.Options {
		m.Options[i] = liveOptionMsg{ID: o.ID, Text: o.Text}
	}
	return encodeJSON(m)
}

// encodeReveal is the closed question's right options and how the players
// not kicked chose. The caller holds g.mu.
func (g *liveGame) encodeReveal() []byte {
	q := g.questions[g.game.Index]
	if q.Skipped {
		return encodeJSON(liveIndexMsg{Type: "skipped", Index: q.Index})
	}
	m := liveRevealMsg{Type: "reveal", Index: q.Index, CorrectOptionIDs: q.CorrectIDs(),
		Options: make([]liveOptionCount, len(q.Options)), Players: g.active}
	at := make(map[int64]int, len(q.Options))
	for i, o := range q.Options {
		m.Options[i] = liveOptionCount{ID: o.ID, Correct: o.Correct}
		at[o.ID] = i
	}
	for _, a := range g.answers {
		if p := g.players[a.PlayerID]; p == nil || p.kicked {
			continue
		}
		m.Answered++
		if a.Correct {
			m.CorrectCount++
		}
		for _, id := range a.OptionIDs {
			m.Options[at[id]].Count++
		}
	}
	return encodeJSON(m)
}

func (g *liveGame) entries(n int) []liveEntry {
	n = min(n, len(g.standings))
	out := make([]liveEntry, n)
	for i, p := range g.standings[:n] {
		out[i] = liveEntry{Rank: p.rank, PlayerID: p.ID, Nickname: p.Nickname, Points: p.points, Correct: p.correct}
	}
	return out
}

// encodeBoard is the top ten. The caller holds g.mu.
func (g *liveGame) encodeBoard() []byte {
	return encodeJSON(liveBoardMsg{Type: "leaderboard", Index: g.game.Index, Entries: g.entries(liveTopEntries),
		Players: len(g.standings)})
}

// encodeEnded is the end of the game: for players the top ten (every
// entry to every phone would be 15,000 entries to 15,000 phones in a hall
// that size; each player gets their own standing in "final"), for the
// host every entry. The caller holds g.mu.
func (g *liveGame) encodeEnded() (players, host []byte) {
	players = encodeJSON(liveEndedMsg{Type: "ended", Entries: g.entries(liveTopEntries), Players: len(g.standings)})
	host = encodeJSON(liveEndedMsg{Type: "ended", Entries: g.entries(len(g.standings)), Players: len(g.standings)})
	return players, host
}

// encodeResult is one player's result of the question just closed. The
// caller holds g.mu.
func (g *liveGame) encodeResult(p *livePlayer) []byte {
	m := liveResultMsg{Type: "result", Index: g.game.Index, TotalPoints: p.points, CorrectAnswers: p.correct,
		Streak: p.streak, Rank: p.rank, Players: len(g.standings)}
	if a := g.answers[p.ID]; a != nil {
		m.Answered, m.Correct, m.Points = true, a.Correct, a.Points
	}
	return encodeJSON(m)
}

func (g *liveGame) encodeFinal(p *livePlayer) []byte {
	return encodeJSON(liveFinalMsg{Type: "final", Nickname: p.Nickname, Rank: p.rank, Points: p.points,
		Correct: p.correct, Players: len(g.standings)})
}

func (g *liveGame) encodeJoined(p *livePlayer, token string) []byte {
	phase := g.phase
	if phase == phaseClosing {
		phase = PhaseQuestion
	}
	return encodeJSON(liveJoinedMsg{Type: "joined", GameID: g.id, PlayerID: p.ID, Nickname: p.Nickname, Token: token,
		Points: p.points, Correct: p.correct, Phase: phase, QuestionCount: len(g.questions)})
}

func (g *liveGame) encodePlayerEvent(kind string, p *livePlayer) []byte {
	return encodeJSON(livePlayerEventMsg{Type: kind, PlayerID: p.ID, Nickname: p.Nickname,
		Rejoined: kind == "player_joined" && p.seen, Players: g.active, Connected: g.connected})
}

// encodeLobby is the game for a host connection: its settings, where it
// stands and every player not kicked, in join order. The caller holds
// g.mu.
func (g *liveGame) encodeLobby() []byte {
	v := g.view()
	m := liveLobbyMsg{Type: "lobby", GameID: g.id, PIN: v.PIN, JoinPath: v.JoinPath(), Title: v.Title, Phase: v.Phase,
		Index: v.Index, QuestionCount: v.QuestionCount, SecondsPerQuestion: v.SecondsPerQuestion,
		PointsMode: v.PointsMode, StreakBonus: v.StreakBonus, AutoAdvance: v.AutoAdvance,
		Players: make([]liveLobbyPlayer, 0, g.active), Connected: g.connected}
	for _, p := range g.joined {
		if !p.kicked {
			m.Players = append(m.Players, liveLobbyPlayer{PlayerID: p.ID, Nickname: p.Nickname, Connected: p.conns > 0,
				Points: p.points, Correct: p.correct})
		}
	}
	return encodeJSON(m)
}
