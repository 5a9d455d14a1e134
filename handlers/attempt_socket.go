package handlers

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/hub"
	"hoithi/quiz"
)

// attemptConn is a socket serving an attempt.
type attemptConn struct {
	*hub.Socket
	attemptID int64
	userID    int64
}

// Messages of the attempt protocol (docs/API.md).
type (
	stateOption struct {
		ID   int64  `json:"id"`
		Text string `json:"text"`
	}
	stateQuestion struct {
		ID       int64         `json:"id"`
		Text     string        `json:"text"`
		Multiple bool          `json:"multiple"`
		Options  []stateOption `json:"options"`
	}
	// stateMsg has no field for the correct options: they cannot leave the
	// server through it.
	stateMsg struct {
		Type             string            `json:"type"`
		AttemptID        int64             `json:"attempt_id"`
		RoundID          int64             `json:"round_id"`
		Status           string            `json:"status"`
		Deadline         string            `json:"deadline"`
		ServerTime       string            `json:"server_time"`
		GraceMs          int64             `json:"grace_ms"`
		PredictionPrompt string            `json:"prediction_prompt,omitempty"`
		Questions        []stateQuestion   `json:"questions"`
		Answers          map[int64][]int64 `json:"answers"`
	}
	ackMsg struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	resultMsg struct {
		Type       string `json:"type"`
		Seq        *int64 `json:"seq,omitempty"`
		AttemptID  int64  `json:"attempt_id"`
		Score      int    `json:"score"`
		Correct    int    `json:"correct"`
		Total      int    `json:"total"`
		DurationMs int64  `json:"duration_ms"`
		// Rank is null while the round's prediction keeps a rank beyond the
		// public top secret.
		Rank *int `json:"rank"`
		Auto bool `json:"auto"`
	}
	errorMsg struct {
		Type    string `json:"type"`
		Seq     *int64 `json:"seq,omitempty"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	clientMsg struct {
		Type       string  `json:"type"`
		Seq        *int64  `json:"seq"`
		QuestionID int64   `json:"question_id"`
		OptionIDs  []int64 `json:"option_ids"`
		Prediction *int    `json:"prediction"`
	}
)

func resultOf(o quiz.Outcome, seq *int64) resultMsg {
	return resultMsg{Type: "result", Seq: seq, AttemptID: o.AttemptID, Score: o.Score, Correct: o.Correct,
		Total: o.Total, DurationMs: o.DurationMs, Rank: rankOrNull(o.Rank), Auto: o.Auto}
}

// attemptSocket checks the handshake (a token; a cookie counts only from
// this site, see authenticate; the attempt is the caller's) and serves the
// attempt protocol.
func (h *Handler) attemptSocket(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p == nil {
		return quiz.Errorf(quiz.CodeUnauthorized, "sign in first")
	}
	// Ownership is checked before the upgrade so that a wrong attempt gets
	// a plain 403 or 404.
	if err := h.Engine.CheckOwner(c.UserContext(), p.UserID, id); err != nil {
		return err
	}
	l := h.lang(c)
	return h.upgrade(c, "attempt", func(s *hub.Socket) { h.serveAttempt(s, p.UserID, id, l) })
}

// serveAttempt sends the state, makes s the attempt's socket (an older
// one closes with 4001), counts the contestant online in the round and
// answers the contestant's messages. The state is always the socket's
// first message, and a submission at the deadline reaches it exactly
// once: announced to the socket once it holds the attempt's key, or sent
// here when it came between the state and the key (Engine.Attach).
func (h *Handler) serveAttempt(s *hub.Socket, userID, attemptID int64, l lang) {
	ac := &attemptConn{Socket: s, attemptID: attemptID, userID: userID}
	ctx := context.Background()
	a, err := h.sendState(ctx, ac, l)
	if err == nil {
		h.Engine.Attach(attemptID, func(running bool) {
			c := s.Claim(attemptKey(attemptID))
			h.Notifier.Notify(quiz.Event{Kind: quiz.SocketClaimed, AttemptID: attemptID, ClaimAt: c.At, ClaimTie: c.Tie})
			if !running && !a.Submitted() {
				err = h.sendLateResult(ctx, ac)
			}
		})
	}
	if err != nil {
		h.Log.Error("attempt socket: state", "attempt", attemptID, "err", err)
		s.Stop(websocket.CloseInternalServerErr, "cannot load the attempt")
		return
	}
	s.Subscribe(contestantsOf(a.RoundID))
	s.Receive(func(kind int, data []byte) {
		if kind != websocket.TextMessage {
			s.SendJSON(errorMsg{Type: "error", Code: quiz.CodeBadMessage, Message: l.T("err.bad_message")})
			return
		}
		h.handleAttemptMessage(ctx, ac, data, l)
	})
}

// sendState sends the attempt as it is stored now: questions in this
// attempt's order, every acknowledged answer, the deadline. For an attempt
// already over it also sends the result.
func (h *Handler) sendState(ctx context.Context, ac *attemptConn, l lang) (quiz.Attempt, error) {
	d, prompt, err := h.Engine.State(ctx, ac.userID, ac.attemptID)
	if err != nil {
		return quiz.Attempt{}, err
	}
	a := d.Attempt
	msg := stateMsg{Type: "state", AttemptID: a.ID, RoundID: a.RoundID, Status: attemptStatus(a),
		Deadline: apiTime(a.Deadline), ServerTime: apiTime(h.Now()), GraceMs: h.Engine.Grace().Milliseconds(),
		PredictionPrompt: prompt, Questions: make([]stateQuestion, 0, len(d.Questions)), Answers: d.Answers}
	for _, q := range d.Questions {
		sq := stateQuestion{ID: q.ID, Text: q.Text, Multiple: q.Multiple, Options: make([]stateOption, 0, len(q.Options))}
		for _, o := range q.Options {
			sq.Options = append(sq.Options, stateOption{o.ID, o.Text})
		}
		msg.Questions = append(msg.Questions, sq)
	}
	if !ac.Send(hub.Message{Data: h.texts.marshalState(&msg)}) {
		return a, nil // the client left; the read loop will notice
	}
	if a.Submitted() {
		h.sendResult(ctx, ac, a)
	}
	return a, nil
}

// sendLateResult sends the result of an attempt submitted after its state
// was read, if it was.
func (h *Handler) sendLateResult(ctx context.Context, ac *attemptConn) error {
	d, _, err := h.Engine.State(ctx, ac.userID, ac.attemptID)
	if err != nil {
		return err
	}
	if d.Attempt.Submitted() {
		h.sendResult(ctx, ac, d.Attempt)
	}
	return nil
}

// sendResult sends a submitted attempt's result as stored, with the rank
// the round's board gives it; without the board, the result still goes,
// with no rank.
func (h *Handler) sendResult(ctx context.Context, ac *attemptConn, a quiz.Attempt) {
	if !ac.Once(resultOnce) {
		return
	}
	out, _ := h.Engine.SubmittedOutcome(ctx, a)
	ac.SendJSON(resultOf(out, nil))
}

// resultOnce names the result in Socket.Once: a socket is told an
// attempt's result once, whether it comes from its state, its own submit,
// or a submission at the deadline on this node or another.
const resultOnce = "result"

// decodeAttemptMessage reads one frame a contestant sends: an answer (with
// a seq and option_ids, an empty list clearing the choice) or a submit
// (with a seq). Anything else is a bad_message error; m.Seq then holds the
// frame's seq when one can be read, so that the client learns which of its
// messages was refused.
func decodeAttemptMessage(data []byte) (m clientMsg, err error) {
	if err := json.Unmarshal(data, &m); err != nil {
		var head struct {
			Seq *int64 `json:"seq"`
		}
		if json.Unmarshal(data, &head) != nil {
			head.Seq = nil
		}
		return clientMsg{Seq: head.Seq}, quiz.Errorf(quiz.CodeBadMessage, "not a valid message: %v", err)
	}
	switch m.Type {
	case "answer", "submit":
	default:
		return clientMsg{Seq: m.Seq}, quiz.Errorf(quiz.CodeBadMessage, "unknown message type %q", m.Type)
	}
	if m.Seq == nil {
		return clientMsg{}, quiz.Errorf(quiz.CodeBadMessage, "%s needs a seq", m.Type)
	}
	if m.Type == "answer" && m.OptionIDs == nil {
		return clientMsg{Seq: m.Seq}, quiz.Errorf(quiz.CodeBadMessage, "answer needs option_ids")
	}
	return m, nil
}

func (h *Handler) handleAttemptMessage(ctx context.Context, ac *attemptConn, data []byte, l lang) {
	fail := func(seq *int64, err error) {
		code := quiz.ErrorCode(err)
		if code == quiz.CodeInternal {
			h.Log.Error("attempt socket", "attempt", ac.attemptID, "err", err)
		}
		ac.SendJSON(errorMsg{Type: "error", Seq: seq, Code: code, Message: l.T("err." + code)})
	}
	m, err := decodeAttemptMessage(data)
	if err != nil {
		fail(m.Seq, err)
		return
	}
	switch m.Type {
	case "answer":
		start := time.Now()
		if err := h.Engine.Answer(ctx, ac.userID, ac.attemptID, m.QuestionID, m.OptionIDs); err != nil {
			fail(m.Seq, err)
			return
		}
		h.Metrics.AnswersAcked.Inc()
		h.Metrics.AnswerSeconds.Observe(time.Since(start).Seconds())
		ac.SendJSON(ackMsg{Type: "ack", Seq: *m.Seq})
	case "submit":
		out, err := h.Engine.Submit(ctx, ac.userID, ac.attemptID, m.Prediction)
		if err != nil {
			fail(m.Seq, err)
			return
		}
		h.Metrics.AttemptsSubmitted.WithLabelValues("contestant").Inc()
		ac.Once(resultOnce)
		ac.SendJSON(resultOf(out, m.Seq)) // the submit's reply, whatever came before
	}
}

// AttemptAutoSubmitted counts a submission the server made at an
// attempt's deadline. The engine calls it; the socket hears of it through
// quiz.AttemptSubmitted (hearSubmitted).
func (h *Handler) AttemptAutoSubmitted(quiz.Outcome) {
	h.Metrics.AttemptsSubmitted.WithLabelValues("auto").Inc()
}

// hearSubmitted tells the attempt's socket on this node, if one is open,
// the result of a submission at the deadline made here or on another node.
// The message waits in the socket's queue, so a slow client holds up no
// timer.
func (h *Handler) hearSubmitted(ev quiz.Event) {
	if ev.Kind != quiz.AttemptSubmitted || ev.Outcome == nil {
		return
	}
	if data, err := json.Marshal(resultOf(*ev.Outcome, nil)); err == nil {
		h.sockets.SendOnce(attemptKey(ev.AttemptID), resultOnce, hub.Message{Data: data})
	}
}
