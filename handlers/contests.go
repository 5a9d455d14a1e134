package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

type roundBrief struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	OpensAt  string `json:"opens_at"`
	ClosesAt string `json:"closes_at"`
	Status   string `json:"status"`
}

type contestBrief struct {
	ID          int64   `json:"id"`
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	PublishedAt *string `json:"published_at"`
	// OnePrizePerPerson: at most one prize per person across the rounds.
	OnePrizePerPerson bool         `json:"one_prize_per_person"`
	Rounds            []roundBrief `json:"rounds"`
}

func (h *Handler) contestBrief(c quiz.Contest) contestBrief {
	now := h.Now()
	out := contestBrief{ID: c.ID, Slug: c.Slug, Title: c.Title, Description: c.Description,
		PublishedAt: apiTimePtr(c.PublishedAt), OnePrizePerPerson: c.OnePrizePerPerson, Rounds: []roundBrief{}}
	for _, r := range c.Rounds {
		out.Rounds = append(out.Rounds, roundBrief{r.ID, r.Name, apiTime(r.OpensAt), apiTime(r.ClosesAt), r.Status(now)})
	}
	return out
}

// listContests lists the published contests; staff may ask for all of them
// with ?all=true.
func (h *Handler) listContests(c *fiber.Ctx) error {
	publishedOnly := true
	if c.QueryBool("all") {
		p := principalOf(c)
		if p == nil {
			return quiz.Errorf(quiz.CodeUnauthorized, "sign in first")
		}
		if !p.Role.Can(quiz.RoleOrganizer) && !p.Role.Can(quiz.RoleOfficial) {
			return quiz.Errorf(quiz.CodeForbidden, "only staff see unpublished contests")
		}
		publishedOnly = false
	}
	contests, err := h.Catalog.Contests(c.UserContext(), publishedOnly)
	if err != nil {
		return err
	}
	out := make([]contestBrief, 0, len(contests))
	for _, ct := range contests {
		out = append(out, h.contestBrief(ct))
	}
	return c.JSON(fiber.Map{"contests": out})
}

// visible reports whether the requester may see a contest: the public sees
// published ones, staff see all.
func visible(c *fiber.Ctx, published bool) bool {
	if published {
		return true
	}
	p := principalOf(c)
	return p != nil && p.Role.Staff()
}

func (h *Handler) showContest(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ct, err := h.Catalog.Contest(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !visible(c, ct.PublishedAt != nil) {
		return quiz.NotFound("contest")
	}
	return c.JSON(h.contestDetail(ct))
}

// controllerBody is a data controller as the API writes and reads it.
type controllerBody struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Contact string `json:"contact"`
}

func controllerBodyOf(ctl quiz.Controller) controllerBody {
	return controllerBody{ctl.Name, ctl.Address, ctl.Contact}
}

// contestDetail is one contest with its settings and every round's
// fields, as GET /contests/{id} and PATCH answer.
type contestDetail struct {
	contestBrief
	Rounds []roundBody `json:"rounds"`
	Rules  string      `json:"rules"`
	// Controller is as the organizer set it (empty: the installation's);
	// ControllerInEffect is the one the consent text names.
	Controller         controllerBody `json:"controller"`
	ControllerInEffect controllerBody `json:"controller_in_effect"`
	IdentityAt         string         `json:"identity_at"`
	RulesURL           string         `json:"rules_url"`
	PrivacyURL         string         `json:"privacy_url"`
}

func (h *Handler) contestDetail(ct quiz.Contest) contestDetail {
	out := contestDetail{contestBrief: h.contestBrief(ct), Rounds: []roundBody{}, Rules: ct.Rules,
		Controller: controllerBodyOf(ct.Controller), ControllerInEffect: controllerBodyOf(h.Consents.ControllerOf(&ct)),
		IdentityAt: ct.IdentityAt, RulesURL: "/contests/" + ct.Slug + "/rules", PrivacyURL: "/contests/" + ct.Slug + "/privacy"}
	for _, r := range ct.Rounds {
		out.Rounds = append(out.Rounds, h.roundBody(r))
	}
	return out
}

type createContestBody struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// OnePrizePerPerson: at most one prize per person across the
	// contest's rounds, the highest.
	OnePrizePerPerson bool `json:"one_prize_per_person"`
	// Rules left out start from the template.
	Rules      string          `json:"rules"`
	Controller *controllerBody `json:"controller"`
	IdentityAt string          `json:"identity_at"`
}

func (h *Handler) createContest(c *fiber.Ctx) error {
	var b createContestBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := quiz.Contest{Slug: b.Slug, Title: b.Title, Description: b.Description,
		OnePrizePerPerson: b.OnePrizePerPerson, Rules: b.Rules, IdentityAt: b.IdentityAt}
	if b.Controller != nil {
		in.Controller = quiz.Controller{Name: b.Controller.Name, Address: b.Controller.Address, Contact: b.Controller.Contact}
	}
	ct, err := h.Catalog.CreateContest(c.UserContext(), in, principalOf(c).UserID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": ct.ID})
}

// patchContestBody is PATCH /contests/{id}'s body: fields left out stay
// as they are.
type patchContestBody struct {
	Title             *string         `json:"title"`
	Description       *string         `json:"description"`
	Rules             *string         `json:"rules"`
	Controller        *controllerBody `json:"controller"`
	IdentityAt        *string         `json:"identity_at"`
	OnePrizePerPerson *bool           `json:"one_prize_per_person"`
}

// updateContest changes a contest's settings and answers the contest as
// GET shows it.
func (h *Handler) updateContest(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b patchContestBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	p := quiz.ContestPatch{Title: b.Title, Description: b.Description, Rules: b.Rules, IdentityAt: b.IdentityAt,
		OnePrizePerPerson: b.OnePrizePerPerson}
	if b.Controller != nil {
		p.Controller = &quiz.Controller{Name: b.Controller.Name, Address: b.Controller.Address, Contact: b.Controller.Contact}
	}
	ct, err := h.Catalog.UpdateContest(c.UserContext(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(h.contestDetail(ct))
}

func (h *Handler) publishContest(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Catalog.PublishContest(c.UserContext(), id); err != nil {
		return err
	}
	ct, err := h.Catalog.Contest(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": ct.ID, "published_at": apiTimePtr(ct.PublishedAt)})
}

type prizeBody struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// roundBody is a round with every field, as created and as shown.
type roundBody struct {
	ID                int64          `json:"id,omitempty"`
	ContestID         int64          `json:"contest_id,omitempty"`
	Name              string         `json:"name"`
	BankID            int64          `json:"bank_id"`
	OpensAt           string         `json:"opens_at"`
	ClosesAt          string         `json:"closes_at"`
	Status            string         `json:"status,omitempty"`
	DurationSeconds   int            `json:"duration_seconds"`
	QuestionCount     int            `json:"question_count"`
	TopicQuotas       map[string]int `json:"topic_quotas"`
	PointsPerQuestion int            `json:"points_per_question"`
	MaxAttempts       *int           `json:"max_attempts"`
	PredictionPrompt  string         `json:"prediction_prompt"`
	PredictionTarget  string         `json:"prediction_target"`
	Reveal            string         `json:"reveal"`
	Prizes            []prizeBody    `json:"prizes"`
	PrizeCapPercent   int            `json:"prize_cap_percent"`
	UnitPrizes        []prizeBody    `json:"unit_prizes"`
	LockedAt          *string        `json:"locked_at,omitempty"`
	Actual            *int           `json:"actual,omitempty"`
}

func (h *Handler) roundBody(r quiz.Round) roundBody {
	maxAttempts := r.MaxAttempts
	out := roundBody{ID: r.ID, ContestID: r.ContestID, Name: r.Name, BankID: r.BankID,
		OpensAt: apiTime(r.OpensAt), ClosesAt: apiTime(r.ClosesAt), Status: r.Status(h.Now()),
		DurationSeconds: r.DurationSeconds, QuestionCount: r.QuestionCount, TopicQuotas: r.TopicQuotas,
		PointsPerQuestion: r.PointsPerQuestion, MaxAttempts: &maxAttempts, PredictionPrompt: r.PredictionPrompt,
		PredictionTarget: r.PredictionTarget, Reveal: r.Reveal, Prizes: []prizeBody{}, LockedAt: apiTimePtr(r.LockedAt),
		PrizeCapPercent: r.PrizeCapPercent, UnitPrizes: []prizeBody{}, Actual: r.Actual}
	for _, p := range r.Prizes {
		out.Prizes = append(out.Prizes, prizeBody{p.Name, p.Count})
	}
	for _, p := range r.UnitPrizes {
		out.UnitPrizes = append(out.UnitPrizes, prizeBody{p.Name, p.Count})
	}
	return out
}

// roundOf reads a round body: a time that does not parse stays zero, and
// the catalog reports it with every other invalid field.
func roundOf(b roundBody) quiz.Round {
	opens, _ := parseTime(b.OpensAt)
	closes, _ := parseTime(b.ClosesAt)
	maxAttempts := 1
	if b.MaxAttempts != nil {
		maxAttempts = *b.MaxAttempts
	}
	r := quiz.Round{Name: b.Name, BankID: b.BankID, OpensAt: opens, ClosesAt: closes,
		DurationSeconds: b.DurationSeconds, QuestionCount: b.QuestionCount, TopicQuotas: b.TopicQuotas,
		PointsPerQuestion: b.PointsPerQuestion, MaxAttempts: maxAttempts, PredictionPrompt: b.PredictionPrompt,
		PredictionTarget: b.PredictionTarget, Reveal: b.Reveal, PrizeCapPercent: b.PrizeCapPercent}
	for _, p := range b.Prizes {
		r.Prizes = append(r.Prizes, quiz.Prize{Name: p.Name, Count: p.Count})
	}
	for _, p := range b.UnitPrizes {
		r.UnitPrizes = append(r.UnitPrizes, quiz.Prize{Name: p.Name, Count: p.Count})
	}
	return r
}

func (h *Handler) createRound(c *fiber.Ctx) error {
	contestID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b roundBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	created, err := h.Catalog.CreateRound(c.UserContext(), contestID, roundOf(b))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": created.ID})
}

// updateRound changes a round with a full round body.
func (h *Handler) updateRound(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b roundBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	r, err := h.Catalog.UpdateRound(c.UserContext(), id, roundOf(b))
	if err != nil {
		return err
	}
	return c.JSON(h.roundBody(r))
}

func (h *Handler) showRound(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !visible(c, r.ContestPublished) {
		return quiz.NotFound("round")
	}
	return c.JSON(h.roundBody(r))
}

func (h *Handler) unpublishContest(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Catalog.UnpublishContest(c.UserContext(), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "published_at": nil})
}

type cloneBody struct {
	Days *int   `json:"days"`
	Name string `json:"name"`
}

// cloneRound copies a round with its times moved on, 7 days unless the
// body says otherwise.
func (h *Handler) cloneRound(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b cloneBody
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
	}
	days := 7
	if b.Days != nil {
		days = *b.Days
	}
	r, err := h.Catalog.CloneRound(c.UserContext(), id, days, b.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.roundBody(r))
}
