package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

type bankBrief struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	QuestionCount int    `json:"question_count"`
}

func (h *Handler) listBanks(c *fiber.Ctx) error {
	banks, err := h.Catalog.Banks(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]bankBrief, 0, len(banks))
	for _, b := range banks {
		out = append(out, bankBrief{b.ID, b.Name, b.Description, b.QuestionCount})
	}
	return c.JSON(fiber.Map{"banks": out})
}

type createBankBody struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *Handler) createBank(c *fiber.Ctx) error {
	var b createBankBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	bank, err := h.Catalog.CreateBank(c.UserContext(), b.Name, b.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": bank.ID})
}

type optionBody struct {
	ID      int64  `json:"id,omitempty"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

type questionBody struct {
	ID          int64        `json:"id,omitempty"`
	Topic       string       `json:"topic"`
	Text        string       `json:"text"`
	Options     []optionBody `json:"options"`
	Explanation string       `json:"explanation"`
	Reference   string       `json:"reference"`
	Retired     bool         `json:"retired"`
}

func (h *Handler) listQuestions(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	qs, err := h.Catalog.Questions(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]questionBody, 0, len(qs))
	for _, q := range qs {
		qb := questionBody{ID: q.ID, Topic: q.Topic, Text: q.Text, Explanation: q.Explanation,
			Reference: q.Reference, Retired: q.Retired, Options: []optionBody{}}
		for _, o := range q.Options {
			qb.Options = append(qb.Options, optionBody{o.ID, o.Text, o.Correct})
		}
		out = append(out, qb)
	}
	return c.JSON(fiber.Map{"questions": out})
}

// addQuestion adds one question typed in by an organizer or a script.
func (h *Handler) addQuestion(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b questionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	q := quiz.Question{Topic: b.Topic, Text: b.Text, Explanation: b.Explanation, Reference: b.Reference}
	for _, o := range b.Options {
		q.Options = append(q.Options, quiz.Option{Text: o.Text, Correct: o.Correct})
	}
	ids, err := h.Catalog.AddQuestions(c.UserContext(), id, []quiz.Question{q})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": ids[0]})
}
