package handlers

import (
	"html/template"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

type startAnswer struct {
	AttemptID int64  `json:"attempt_id"`
	Deadline  string `json:"deadline"`
	WSPath    string `json:"ws_path"`
	Resumed   bool   `json:"resumed"`
}

func attemptPath(id int64) string { return "/ws/attempts/" + strconv.FormatInt(id, 10) }

// unsavedAfter is how long the quiz page lets an answer wait for the
// server's ack before it tells the contestant that answers are not being
// saved (and tries again on a new connection).
const unsavedAfter = 10 * time.Second

// playStrings is the text the quiz page's script shows: the scripts'
// shared text and the quiz's own.
func playStrings(l lang) template.JS { return l.Scripts("js.", "play.js.") }

// startAttempt starts an attempt at a round, or resumes the one running.
func (h *Handler) startAttempt(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Consents.CheckEntry(c.UserContext(), principalOf(c).UserID, id); err != nil {
		return err
	}
	a, created, err := h.Engine.StartAttempt(c.UserContext(), principalOf(c).UserID, id)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
		h.Metrics.AttemptsStarted.Inc()
	}
	return c.Status(status).JSON(startAnswer{a.ID, apiTime(a.Deadline), attemptPath(a.ID), !created})
}

type reviewOption struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Correct *bool  `json:"correct,omitempty"`
}

type reviewQuestion struct {
	ID          int64          `json:"id"`
	Text        string         `json:"text"`
	Multiple    bool           `json:"multiple"`
	Options     []reviewOption `json:"options"`
	Chosen      []int64        `json:"chosen"`
	Right       *bool          `json:"right,omitempty"`
	Explanation string         `json:"explanation,omitempty"`
	Reference   string         `json:"reference,omitempty"`
}

type reviewBody struct {
	AttemptID   int64            `json:"attempt_id"`
	RoundID     int64            `json:"round_id"`
	Number      int              `json:"number"`
	Status      string           `json:"status"`
	StartedAt   string           `json:"started_at"`
	Deadline    string           `json:"deadline"`
	SubmittedAt *string          `json:"submitted_at"`
	Score       *int             `json:"score"`
	Correct     *int             `json:"correct"`
	Total       int              `json:"total"`
	DurationMs  *int64           `json:"duration_ms"`
	Prediction  *int             `json:"prediction"`
	Rank        *int             `json:"rank"` // null before a submit, and while the round's prediction hides it
	Revealed    bool             `json:"revealed"`
	Questions   []reviewQuestion `json:"questions"`

	// RankHidden tells the result page that the rank exists but lies
	// beyond the public top while the round's prediction is open.
	RankHidden bool `json:"-"`
}

// Attempt statuses as the API reports them.
const (
	statusInProgress = "in_progress"
	statusSubmitted  = "submitted"
)

func attemptStatus(a quiz.Attempt) string {
	if a.Submitted() {
		return statusSubmitted
	}
	return statusInProgress
}

// reviewOf shapes an attempt's review; the correct options appear only when
// the review is revealed.
func reviewOf(rev quiz.Review) reviewBody {
	a := rev.Detail.Attempt
	out := reviewBody{AttemptID: a.ID, RoundID: a.RoundID, Number: a.Number, Status: attemptStatus(a),
		StartedAt: apiTime(a.StartedAt), Deadline: apiTime(a.Deadline), SubmittedAt: apiTimePtr(a.SubmittedAt),
		Total: a.Total, Prediction: a.Prediction, RankHidden: rev.RankHidden, Revealed: rev.Revealed,
		Questions: []reviewQuestion{}}
	if a.Submitted() {
		score, correct, d := a.Score, a.Correct, a.SubmittedAt.Sub(a.StartedAt).Milliseconds()
		out.Score, out.Correct, out.DurationMs = &score, &correct, &d
	}
	out.Rank = rankOrNull(rev.Rank)
	for _, q := range rev.Detail.Questions {
		chosen := rev.Detail.Answers[q.ID]
		if chosen == nil {
			chosen = []int64{}
		}
		rq := reviewQuestion{ID: q.ID, Text: q.Text, Multiple: q.Multiple, Chosen: chosen, Options: []reviewOption{}}
		var want []int64
		for _, o := range q.Options {
			ro := reviewOption{ID: o.ID, Text: o.Text}
			if rev.Revealed {
				correct := o.Correct
				ro.Correct = &correct
				if correct {
					want = append(want, o.ID)
				}
			}
			rq.Options = append(rq.Options, ro)
		}
		if rev.Revealed {
			got := slices.Clone(chosen)
			slices.Sort(got)
			slices.Sort(want)
			right := slices.Equal(got, want)
			rq.Right = &right
			rq.Explanation, rq.Reference = q.Explanation, q.Reference
		}
		out.Questions = append(out.Questions, rq)
	}
	return out
}

// showAttempt returns an attempt to its owner (or to staff), with the
// correct options only as the round's reveal policy allows.
func (h *Handler) showAttempt(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := principalOf(c)
	// The answer holds the questions of a running attempt: its clock
	// starts, as at its socket's first state.
	if err := h.Engine.ShowQuestions(c.UserContext(), p.UserID, id); err != nil {
		return err
	}
	rev, err := h.Engine.Review(c.UserContext(), quiz.User{ID: p.UserID, Role: p.Role}, id)
	if err != nil {
		return err
	}
	return c.JSON(reviewOf(rev))
}
