package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// The live quiz's HTTP API: organizers create games and read where they
// stand, organizers and officials read and download the results. The games
// themselves run over the websocket /ws/live/{pin}, on quiz.Live.

// createLiveBody is POST /api/v1/live.
type createLiveBody struct {
	BankID             int64   `json:"bank_id"`
	QuestionCount      int     `json:"question_count"`
	SecondsPerQuestion int     `json:"seconds_per_question"`
	QuestionIDs        []int64 `json:"question_ids"`
	PointsMode         string  `json:"points_mode"`
	StreakBonus        bool    `json:"streak_bonus"`
	AutoAdvance        bool    `json:"auto_advance"`
	Title              string  `json:"title"`
}

// liveGameBody is a game as the API gives it.
type liveGameBody struct {
	GameID   int64   `json:"game_id"`
	PIN      string  `json:"pin"`
	JoinURL  *string `json:"join_url"` // null once the game has ended: its PIN may be another game's
	JoinPath *string `json:"join_path"`
	Title    string  `json:"title"`
	BankID   int64   `json:"bank_id"`
	Phase    string  `json:"phase"`
	// QuestionIndex is the question shown or last shown, from 0; null in
	// the lobby.
	QuestionIndex      *int    `json:"question_index"`
	QuestionCount      int     `json:"question_count"`
	SecondsPerQuestion int     `json:"seconds_per_question"`
	PointsMode         string  `json:"points_mode"`
	StreakBonus        bool    `json:"streak_bonus"`
	AutoAdvance        bool    `json:"auto_advance"`
	Deadline           *string `json:"deadline"`
	Players            int     `json:"players"`
	Connected          int     `json:"connected"`
	CreatedAt          string  `json:"created_at"`
	StartedAt          *string `json:"started_at"`
	EndedAt            *string `json:"ended_at"`
}

func (h *Handler) liveGameBody(c *fiber.Ctx, g quiz.LiveGame) liveGameBody {
	b := liveGameBody{GameID: g.ID, PIN: g.PIN, Title: g.Title, BankID: g.BankID, Phase: g.Phase,
		QuestionCount: g.QuestionCount, SecondsPerQuestion: g.SecondsPerQuestion, PointsMode: g.PointsMode,
		StreakBonus: g.StreakBonus, AutoAdvance: g.AutoAdvance, Players: g.Players, Connected: g.Connected,
		CreatedAt: apiTime(g.CreatedAt), StartedAt: apiTimePtr(g.StartedAt), EndedAt: apiTimePtr(g.EndedAt)}
	if g.Phase != quiz.PhaseEnded {
		path := g.JoinPath()
		url := h.siteURL(c) + path
		b.JoinPath, b.JoinURL = &path, &url
	}
	if g.Index >= 0 {
		i := g.Index
		b.QuestionIndex = &i
	}
	if !g.Deadline.IsZero() {
		d := apiTime(g.Deadline)
		b.Deadline = &d
	}
	return b
}

// createLive makes a game in the lobby: 201 with its id, PIN and the
// address players join at.
func (h *Handler) createLive(c *fiber.Ctx) error {
	var b createLiveBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	host, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	g, err := h.Live.Create(c.UserContext(), host, quiz.LiveSettings{Title: b.Title, BankID: b.BankID,
		QuestionIDs: b.QuestionIDs, QuestionCount: b.QuestionCount, SecondsPerQuestion: b.SecondsPerQuestion,
		PointsMode: b.PointsMode, StreakBonus: b.StreakBonus, AutoAdvance: b.AutoAdvance})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.liveGameBody(c, g))
}

// listLive lists the latest games, newest first.
func (h *Handler) listLive(c *fiber.Ctx) error {
	games, err := h.Live.Games(c.UserContext(), 100)
	if err != nil {
		return err
	}
	out := make([]liveGameBody, len(games))
	for i, g := range games {
		out[i] = h.liveGameBody(c, g)
	}
	return c.JSON(fiber.Map{"games": out})
}

// showLive is a game and where it stands.
func (h *Handler) showLive(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	g, err := h.Live.Game(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(h.liveGameBody(c, g))
}

type liveStandingBody struct {
	Rank     int    `json:"rank"`
	PlayerID int64  `json:"player_id"`
	Nickname string `json:"nickname"`
	Points   int    `json:"points"`
	Correct  int    `json:"correct"`
	Answered int    `json:"answered"`
	AnswerMs int64  `json:"answer_ms"`
	SignedIn bool   `json:"signed_in"`
}

type liveOptionResultBody struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
	Count   int    `json:"count"`
}

type liveQuestionResultBody struct {
	Index        int                    `json:"index"`
	QuestionID   int64                  `json:"question_id"`
	Text         string                 `json:"text"`
	Status       string                 `json:"status"`
	Players      int                    `json:"players"`
	Answered     int                    `json:"answered"`
	Correct      int                    `json:"correct"`
	ShareCorrect float64                `json:"share_correct"`
	Options      []liveOptionResultBody `json:"options"`
}

type liveResultsBody struct {
	GameID    int64                    `json:"game_id"`
	Title     string                   `json:"title"`
	Phase     string                   `json:"phase"`
	EndedAt   *string                  `json:"ended_at"`
	Players   []liveStandingBody       `json:"players"`
	Questions []liveQuestionResultBody `json:"questions"`
}

func liveResultsJSON(r quiz.LiveResults) liveResultsBody {
	out := liveResultsBody{GameID: r.Game.ID, Title: r.Game.Title, Phase: r.Game.Phase, EndedAt: apiTimePtr(r.Game.EndedAt),
		Players: make([]liveStandingBody, len(r.Players)), Questions: make([]liveQuestionResultBody, len(r.Questions))}
	for i, p := range r.Players {
		out.Players[i] = liveStandingBody{Rank: p.Rank, PlayerID: p.PlayerID, Nickname: p.Nickname, Points: p.Points,
			Correct: p.Correct, Answered: p.Answered, AnswerMs: p.AnswerMs, SignedIn: p.SignedIn}
	}
	for i, q := range r.Questions {
		qb := liveQuestionResultBody{Index: q.Index, QuestionID: q.QuestionID, Text: q.Text, Status: q.Status,
			Players: q.Players, Answered: q.Answered, Correct: q.Correct,
			ShareCorrect: float64(int(q.ShareCorrect()*10000+0.5)) / 10000, Options: make([]liveOptionResultBody, len(q.Options))}
		for j, o := range q.Options {
			qb.Options[j] = liveOptionResultBody{ID: o.ID, Text: o.Text, Correct: o.Correct, Count: o.Count}
		}
		out.Questions[i] = qb
	}
	return out
}

// liveResults loads a game's results.
func (h *Handler) liveResults(c *fiber.Ctx) (quiz.LiveResults, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return quiz.LiveResults{}, err
	}
	return h.Live.Results(c.UserContext(), id)
}

// showLiveResults is the players ranked and each question's answers.
func (h *Handler) showLiveResults(c *fiber.Ctx) error {
	r, err := h.liveResults(c)
	if err != nil {
		return err
	}
	return c.JSON(liveResultsJSON(r))
}

// liveFileName names a downloaded results file after the game.
func liveFileName(r quiz.LiveResults) string {
	return fmt.Sprintf("ket-qua-truc-tiep-%d", r.Game.ID)
}

// liveResultsXLSX downloads the results as a workbook, written to the
// audit log as winners files are.
func (h *Handler) liveResultsXLSX(c *fiber.Ctx) error {
	leave, err := h.enterExport(c)
	if err != nil {
		return err
	}
	r, err := h.liveResults(c)
	if err == nil {
		err = h.audit(c, quiz.AuditExportLiveResults, 0, "game="+itoa(r.Game.ID)+" xlsx")
	}
	if err != nil {
		leave()
		return err
	}
	c.Set(fiber.HeaderContentType, xlsxType)
	c.Set(fiber.HeaderContentDisposition, attachment(liveFileName(r), "xlsx"))
	x := quiz.LiveResultsXLSX{Made: h.Now()}
	h.streamBody(c, "live xlsx", leave, func(w io.Writer) error { return x.Write(w, r) })
	return nil
}

// liveResultsCSV downloads one table of the results as CSV: the players
// (?table=players, the default) or the questions (?table=questions), with
// Vietnamese headings (?header=keys for the API's), comma-separated
// (?sep=semicolon for Excel under Vietnamese settings). Audited.
func (h *Handler) liveResultsCSV(c *fiber.Ctx) error {
	sep, err := csvSeparator(c)
	if err != nil {
		return err
	}
	keys, err := csvKeys(c, "labels")
	if err != nil {
		return err
	}
	table := c.Query("table", "players")
	if table != "players" && table != "questions" {
		return &quiz.Error{Code: quiz.CodeValidation, Message: "table must be players or questions",
			Fields: map[string]string{"table": quiz.MsgInvalid}}
	}
	leave, err := h.enterExport(c)
	if err != nil {
		return err
	}
	r, err := h.liveResults(c)
	if err == nil {
		err = h.audit(c, quiz.AuditExportLiveResults, 0, "game="+itoa(r.Game.ID)+" csv "+table)
	}
	if err != nil {
		leave()
		return err
	}
	name := liveFileName(r)
	if table == "questions" {
		name += "-cau-hoi"
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(name, "csv"))
	x := quiz.LiveResultsCSV{Sep: sep, Keys: keys, Questions: table == "questions"}
	h.streamBody(c, "live csv", leave, func(w io.Writer) error { return x.Write(w, r) })
	return nil
}

// organizerOrOfficial lets through organizers, officials and admins: the
// results of a live game are read by those who ran it and those who
// decide on prizes.
func organizerOrOfficial(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return quiz.Errorf(quiz.CodeUnauthorized, "sign in first")
	}
	if !p.Role.Can(quiz.RoleOrganizer) && !p.Role.Can(quiz.RoleOfficial) {
		return quiz.Errorf(quiz.CodeForbidden, "this needs the organizer or official role")
	}
	return c.Next()
}

// liveErrorMsg is the websocket "error" message for err, in l's language:
// {"type":"error","code","message"}. The live quiz's own codes read from
// live.err.<code>, the others from err.<code>; an invalid nickname says
// what is wrong with it. Errors that are not the player's or host's doing
// are logged and sent as "internal" without detail.
func (h *Handler) liveErrorMsg(l lang, err error) []byte {
	var qe *quiz.Error
	if !errors.As(err, &qe) {
		h.Log.Error("live quiz", "err", err)
		qe = &quiz.Error{Code: quiz.CodeInternal}
	}
	message := l.T("live.err." + qe.Code)
	if message == "live.err."+qe.Code {
		message = l.T("err." + qe.Code)
	}
	if why := qe.Fields["nickname"]; why != "" {
		message += " " + l.T(why)
	}
	data, _ := json.Marshal(struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{"error", qe.Code, message})
	return data
}

// liveGameForSocket finds the game a websocket /ws/live/{pin} is for, or
// not_found (a PIN is six digits; anything else finds nothing).
// ?game=<id> names the game when its PIN matches: that way a phone or a
// projector that reconnects after the end still finds its game, whose PIN
// is free for another by then.
func (h *Handler) liveGameForSocket(c *fiber.Ctx) (quiz.LiveGame, error) {
	pin := c.Params("pin")
	if !livePIN(pin) {
		return quiz.LiveGame{}, quiz.NotFound("game")
	}
	if raw := c.Query("game"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return quiz.LiveGame{}, quiz.NotFound("game")
		}
		g, err := h.Live.Game(c.UserContext(), id)
		if quiz.ErrorCode(err) == quiz.CodeNotFound || err == nil && g.PIN != pin {
			return quiz.LiveGame{}, quiz.NotFound("game")
		}
		if err != nil || g.Phase == quiz.PhaseEnded {
			return g, err
		}
	}
	return h.Live.GameByPIN(c.UserContext(), pin)
}

// livePIN reports whether s has the form of a PIN: six digits.
func livePIN(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
