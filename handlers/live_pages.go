package handlers

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"hoithi/quiz"
)

// The live quiz's pages. Players join at /live/join with the PIN and a
// nickname and play at /live/{pin}; organizers create games at
// /organize/live and run each from /organize/live/{id}, the projector
// view. The games themselves run over the websocket (live_socket.go).

// liveStrings is the text the live pages' scripts show.
func liveStrings(l lang) template.JS { return l.Scripts("liveweb.js.", "live_more.js.") }

// livePlayPath is where a player plays a game: the game's id names it
// even after its end, when its PIN may be another game's.
func livePlayPath(g quiz.LiveGame) string {
	return "/live/" + g.PIN + "?game=" + itoa(g.ID)
}

// liveSocketPath is the game's websocket, by PIN and id.
func liveSocketPath(g quiz.LiveGame) string {
	return "/ws/live/" + g.PIN + "?game=" + itoa(g.ID)
}

// hosting reports whether the visitor would be the host of a game: the
// websocket makes an organizer's or admin's connection the host.
func hosting(c *fiber.Ctx) bool {
	p := principalOf(c)
	return p != nil && quiz.CanHost(p.Role)
}

// liveJoinPage asks for the PIN (filled in from ?pin=) and a nickname.
func (h *Handler) liveJoinPage(c *fiber.Ctx) error {
	pin := strings.TrimSpace(c.Query("pin"))
	if !livePIN(pin) {
		pin = ""
	}
	return h.renderLiveJoin(c, fiber.StatusOK, formView{Values: map[string]string{"pin": pin}})
}

func (h *Handler) renderLiveJoin(c *fiber.Ctx, status int, f formView) error {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	l := h.lang(c)
	return h.page(c, status, "live_join", l.T("liveweb.join.title"), fiber.Map{
		"Form": f, "Hosting": hosting(c), "MaxNickname": quiz.MaxNicknameLen,
	})
}

// liveJoinForm checks the PIN and the nickname and sends the player to the
// game, where the page joins it over the websocket. Whether the nickname
// is free is known only then; the game page asks for another if not.
func (h *Handler) liveJoinForm(c *fiber.Ctx) error {
	l := h.lang(c)
	pin := strings.Join(strings.Fields(c.FormValue("pin")), "")
	nickname := c.FormValue("nickname")
	f := formView{Values: map[string]string{"pin": pin, "nickname": nickname}, Errors: map[string]string{}}
	var g quiz.LiveGame
	if !livePIN(pin) {
		f.Errors["pin"] = l.T("liveweb.join.pin_form")
	} else if found, err := h.Live.GameByPIN(c.UserContext(), pin); err != nil {
		f.Errors["pin"] = l.T("live.err.not_found")
	} else {
		g = found
	}
	if g.ID != 0 && hosting(c) {
		return c.Redirect("/organize/live/"+itoa(g.ID), fiber.StatusSeeOther)
	}
	if _, _, err := quiz.NormalizeNickname(nickname); err != nil {
		why := h.asQuizError(err).Fields["nickname"]
		f.Errors["nickname"] = l.T("live.err.invalid_nickname") + " " + l.T(why)
	}
	if len(f.Errors) > 0 {
		f.Notice = l.T("err.validation_failed")
		return h.renderLiveJoin(c, fiber.StatusUnprocessableEntity, f)
	}
	return c.Redirect(livePlayPath(g)+"&nickname="+url.QueryEscape(nickname), fiber.StatusSeeOther)
}

// livePlayPage is the phone's view of a game: the game of the PIN, or of
// ?game=<id> when that game has this PIN (a reload after the end). An
// unknown PIN shows the join form with the error.
func (h *Handler) livePlayPage(c *fiber.Ctx) error {
	pin := c.Params("pin")
	l := h.lang(c)
	g, err := h.liveGameForSocket(c)
	if quiz.ErrorCode(err) == quiz.CodeNotFound {
		f := formView{Values: map[string]string{"pin": ""}, Errors: map[string]string{}}
		if livePIN(pin) {
			f.Values["pin"] = pin
		}
		f.Errors["pin"] = l.T("live.err.not_found")
		return h.renderLiveJoin(c, fiber.StatusNotFound, f)
	}
	if err != nil {
		return err
	}
	if hosting(c) {
		return c.Redirect("/organize/live/"+itoa(g.ID), fiber.StatusSeeOther)
	}
	return h.page(c, fiber.StatusOK, "live_play", g.Title, fiber.Map{
		"Game": g, "WSPath": liveSocketPath(g), "PlayPath": livePlayPath(g),
		"Nickname": c.Query("nickname"), "MaxNickname": quiz.MaxNicknameLen, "Strings": liveStrings(l),
	})
}

// liveGameRow is a game in the organizers' list.
type liveGameRow struct {
	quiz.LiveGame
	Phase string // in words
}

// liveCreateView is the form that creates a game: the bank chosen, its
// questions in use to pick from, and the values and errors of a refused
// form.
type liveCreateView struct {
	Banks     []quiz.Bank
	Bank      quiz.Bank
	Questions []quiz.Question
	Chosen    map[int64]bool
	Form      formView
}

// liveGamesPage lists the latest games and has the form that creates
// one, from the bank of ?bank= (the first bank with questions by default).
func (h *Handler) liveGamesPage(c *fiber.Ctx) error {
	bankID, _ := strconv.ParseInt(c.Query("bank"), 10, 64)
	f := formView{Values: map[string]string{"seconds_per_question": "20", "question_count": "10",
		"points_mode": quiz.PointsSpeed, "streak_bonus": "on"}, Errors: map[string]string{}}
	return h.renderLiveGames(c, fiber.StatusOK, bankID, f, nil)
}

func (h *Handler) renderLiveGames(c *fiber.Ctx, status int, bankID int64, f formView, chosen map[int64]bool) error {
	ctx := c.UserContext()
	l := h.lang(c)
	banks, err := h.Catalog.Banks(ctx)
	if err != nil {
		return err
	}
	v := liveCreateView{Banks: banks, Chosen: chosen, Form: f}
	for _, b := range banks {
		if b.ID == bankID || bankID == 0 && v.Bank.ID == 0 && b.QuestionCount > 0 {
			v.Bank = b
		}
	}
	if v.Bank.ID == 0 && len(banks) > 0 {
		v.Bank = banks[0]
	}
	if v.Bank.ID != 0 {
		questions, err := h.Catalog.Questions(ctx, v.Bank.ID)
		if err != nil {
			return err
		}
		for _, q := range questions {
			if !q.Retired {
				v.Questions = append(v.Questions, q)
			}
		}
		if f.Values["question_count"] == "10" && len(v.Questions) < 10 && len(v.Questions) > 0 {
			f.Values["question_count"] = strconv.Itoa(len(v.Questions))
		}
	}
	games, err := h.Live.Games(ctx, 100)
	if err != nil {
		return err
	}
	rows := make([]liveGameRow, len(games))
	for i, g := range games {
		rows[i] = liveGameRow{LiveGame: g, Phase: l.T("liveweb.phase." + g.Phase)}
	}
	return h.page(c, status, "live_games", l.T("liveweb.games.title"), fiber.Map{
		"Create": v, "Games": rows, "MinSeconds": quiz.MinLiveSeconds, "MaxSeconds": quiz.MaxLiveSeconds,
		"MaxQuestions": quiz.MaxLiveQuestions,
	})
}

// createLiveForm creates a game from the form and opens its projector
// view; a refused form comes back with every error beside its field.
func (h *Handler) createLiveForm(c *fiber.Ctx) error {
	l := h.lang(c)
	values := map[string]string{}
	for _, k := range []string{"bank_id", "title", "question_count", "seconds_per_question", "points_mode",
		"streak_bonus", "auto_advance"} {
		values[k] = c.FormValue(k)
	}
	f := formView{Values: values, Errors: map[string]string{}}
	number := func(field string) int {
		n, err := strconv.Atoi(strings.TrimSpace(values[field]))
		if err != nil {
			f.Errors[field] = l.T(quiz.MsgInvalid)
		}
		return n
	}
	bankID, _ := strconv.ParseInt(values["bank_id"], 10, 64)
	s := quiz.LiveSettings{Title: values["title"], BankID: bankID, PointsMode: values["points_mode"],
		StreakBonus: values["streak_bonus"] != "", AutoAdvance: values["auto_advance"] != "",
		SecondsPerQuestion: number("seconds_per_question")}
	chosen := map[int64]bool{}
	for _, raw := range c.Request().PostArgs().PeekMulti("question_ids") {
		id, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			f.Errors["question_ids"] = l.T(quiz.MsgInvalid)
			continue
		}
		s.QuestionIDs = append(s.QuestionIDs, id)
		chosen[id] = true
	}
	if len(s.QuestionIDs) == 0 {
		s.QuestionCount = number("question_count")
	}
	if len(f.Errors) == 0 {
		host, err := h.signedInUser(c)
		if err != nil {
			return err
		}
		g, err := h.Live.Create(c.UserContext(), host, s)
		if err == nil {
			return c.Redirect("/organize/live/"+itoa(g.ID), fiber.StatusSeeOther)
		}
		if quiz.ErrorCode(err) != quiz.CodeValidation {
			return err
		}
		f.Errors, _ = h.fieldErrors(c, err)
	}
	f.Notice = l.T("err.validation_failed")
	return h.renderLiveGames(c, fiber.StatusUnprocessableEntity, bankID, f, chosen)
}

// liveHostPage is the projector view of a game: the lobby with the PIN,
// the join link and its QR code, then the questions, reveals,
// leaderboards and the podium, with the host's controls. An ended game
// shows its final standings from the store.
func (h *Handler) liveHostPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	g, err := h.Live.Game(ctx, id)
	if err != nil {
		return err
	}
	l := h.lang(c)
	joinURL := h.siteURL(c) + g.JoinPath()
	qr, err := qrSVG(joinURL, l.T("liveweb.host.qr_label", joinURL))
	if err != nil {
		return err
	}
	data := fiber.Map{
		"Game": g, "JoinURL": joinURL, "JoinShown": strings.TrimPrefix(strings.TrimPrefix(joinURL, "https://"), "http://"),
		"QR": qr, "WSPath": liveSocketPath(g), "Strings": liveStrings(l),
		"PointsMode": l.T("liveweb.points." + g.PointsMode), "Results": "/api/v1/live/" + itoa(g.ID) + "/results",
	}
	if g.Phase == quiz.PhaseEnded {
		r, err := h.Live.Results(ctx, g.ID)
		if err != nil {
			return err
		}
		entries := make([]liveEntryBody, len(r.Players))
		for i, p := range r.Players {
			entries[i] = liveEntryBody{Rank: p.Rank, PlayerID: p.PlayerID, Nickname: p.Nickname, Points: p.Points, Correct: p.Correct}
		}
		data["Final"] = liveEndedBody{Type: "ended", Entries: entries, Players: len(entries)}
	}
	return h.page(c, fiber.StatusOK, "live_host", g.Title, data)
}

// liveEndedBody is the "ended" message the websocket sends, made from a
// game's stored results for its projector view after the end.
type liveEndedBody struct {
	Type    string          `json:"type"`
	Entries []liveEntryBody `json:"entries"`
	Players int             `json:"players"`
}

type liveEntryBody struct {
	Rank     int    `json:"rank"`
	PlayerID int64  `json:"player_id"`
	Nickname string `json:"nickname"`
	Points   int    `json:"points"`
	Correct  int    `json:"correct"`
}

// qrSVG draws text as a QR code in an SVG, one square a module, which
// stays sharp at any size a projector gives it. label is its text
// alternative.
func qrSVG(text, label string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("handlers: QR code of %q: %w", text, err)
	}
	bitmap := q.Bitmap() // with the quiet zone of four modules around it
	n := len(bitmap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="%s">`,
		n, n, html.EscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bitmap {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
