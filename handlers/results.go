package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// The published results of a locked round: its prize winners and group
// prizes, with what public pages may show of a person, the name and the
// unit.

type publicPrizeBody struct {
	Rank  int    `json:"rank"`
	Prize string `json:"prize"`
	Name  string `json:"name"`
	Unit  string `json:"unit"`
}

type publicUnitPrizeBody struct {
	Rank         int    `json:"rank"`
	Unit         string `json:"unit"`
	Participants int    `json:"participants"`
	Prize        string `json:"prize"`
}

type publicResultsBody struct {
	RoundID     int64                 `json:"round_id"`
	Round       string                `json:"round"`
	Contest     string                `json:"contest"`
	LockedAt    string                `json:"locked_at"`
	Contestants int                   `json:"contestants"`
	Actual      *int                  `json:"actual"`
	Entries     []publicPrizeBody     `json:"entries"`
	Units       []publicUnitPrizeBody `json:"units"`
}

// publicResults reads a locked round's prizes for anyone who may see the
// round: not_found for a round they may not see, not_locked before the
// officials have locked it. Only the prize rows are read, however many
// took part.
func (h *Handler) publicResults(c *fiber.Ctx) (publicResultsBody, quiz.Round, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return publicResultsBody{}, quiz.Round{}, err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return publicResultsBody{}, quiz.Round{}, err
	}
	if !visible(c, r.ContestPublished) {
		return publicResultsBody{}, r, quiz.NotFound("round")
	}
	if r.LockedAt == nil {
		return publicResultsBody{}, r, quiz.Errorf(quiz.CodeNotLocked, "round %d has no official results yet", id)
	}
	l, err := h.Results.PublishedResults(c.UserContext(), id)
	if err != nil {
		return publicResultsBody{}, r, err
	}
	out := publicResultsBody{RoundID: id, Round: r.Name, Contest: r.ContestTitle, LockedAt: apiTime(*l.LockedAt),
		Contestants: l.Stats.Participants, Actual: l.Actual, Entries: []publicPrizeBody{}, Units: []publicUnitPrizeBody{}}
	for _, w := range l.Winners() {
		out.Entries = append(out.Entries, publicPrizeBody{Rank: w.Rank, Prize: w.Prize, Name: w.FullName, Unit: w.Unit})
	}
	for _, u := range l.Units {
		if u.Prize != "" {
			out.Units = append(out.Units, publicUnitPrizeBody{Rank: u.Rank, Unit: u.Unit, Participants: u.Participants, Prize: u.Prize})
		}
	}
	return out, r, nil
}

// showResults is GET /api/v1/rounds/{id}/results.
func (h *Handler) showResults(c *fiber.Ctx) error {
	out, _, err := h.publicResults(c)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// resultsPage is the public page of a round's official results; before the
// lock it says they are not published yet.
func (h *Handler) resultsPage(c *fiber.Ctx) error {
	out, r, err := h.publicResults(c)
	if err != nil && quiz.ErrorCode(err) != quiz.CodeNotLocked {
		return err
	}
	return h.page(c, fiber.StatusOK, "results", r.Name, fiber.Map{
		"Round": r, "Status": r.Status(h.Now()), "Results": out, "Published": err == nil,
	})
}
