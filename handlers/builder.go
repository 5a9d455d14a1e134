package handlers

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// The contest builder: organizers create contests and their rounds, publish
// them, and copy a round to next week. Times are typed and shown in
// Asia/Ho_Chi_Minh.

const localInput = "2006-01-02T15:04" // <input type="datetime-local">

func (h *Handler) createContestForm(c *fiber.Ctx) error {
	ct, err := h.Catalog.CreateContest(c.UserContext(), quiz.Contest{Slug: c.FormValue("slug"), Title: c.FormValue("title"),
		Description: c.FormValue("description"), OnePrizePerPerson: c.FormValue("one_prize_per_person") == "yes"}, principalOf(c).UserID)
	if err != nil {
		if code := quiz.ErrorCode(err); code == quiz.CodeInternal {
			return err
		}
		fields, notice := h.fieldErrors(c, err)
		return h.renderOrganize(c, statusOf[quiz.ErrorCode(err)], nil, &formView{
			Values: map[string]string{"slug": c.FormValue("slug"), "title": c.FormValue("title"), "description": c.FormValue("description"),
				"one_prize_per_person": c.FormValue("one_prize_per_person")},
			Errors: fields, Notice: notice})
	}
	return c.Redirect("/organize/contests/"+itoa(ct.ID), fiber.StatusSeeOther)
}

// contestBuilderPage shows a contest with its rounds, the publish switch,
// and the form for a new round.
func (h *Handler) contestBuilderPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return h.renderBuilder(c, id, 0, fiber.StatusOK, nil, nil)
}

// renderBuilder shows the builder of a contest; with editing, the form is
// that round's.
func (h *Handler) renderBuilder(c *fiber.Ctx, id, editing int64, status int, values map[string]string, fields map[string]string) error {
	return h.renderBuilderWith(c, id, editing, status, values, fields, nil)
}

// renderBuilderWith is renderBuilder with the contest settings form's
// values and errors after a refusal (nil: the contest's settings).
func (h *Handler) renderBuilderWith(c *fiber.Ctx, id, editing int64, status int, values map[string]string, fields map[string]string, settings *formView) error {
	ct, err := h.Catalog.Contest(c.UserContext(), id)
	if err != nil {
		return err
	}
	if settings == nil {
		settings = &formView{Values: settingsValues(ct), Errors: map[string]string{}}
	}
	banks, err := h.Catalog.Banks(c.UserContext())
	if err != nil {
		return err
	}
	if values == nil {
		opens := h.Now().In(vietnam).Add(24 * time.Hour).Truncate(time.Hour)
		values = map[string]string{"opens_at": opens.Format(localInput), "closes_at": opens.AddDate(0, 0, 7).Format(localInput),
			"duration_minutes": "15", "question_count": "20", "max_attempts": "1", "reveal": quiz.RevealAfterClose,
			"prizes": "Giải Nhất: 1\nGiải Nhì: 2\nGiải Ba: 3\nGiải Khuyến khích: 10"}
	}
	rounds := make([]roundView, 0, len(ct.Rounds))
	for _, r := range ct.Rounds {
		rounds = append(rounds, roundView{Round: r, Status: r.Status(h.Now())})
	}
	// The rounds table names each round's bank: two banks can hold the
	// same topics, and only the name tells them apart.
	bankNames := make(map[int64]string, len(banks))
	for _, b := range banks {
		bankNames[b.ID] = b.Name
	}
	var errs []string
	for _, f := range quiz.SortedFieldNames(fields) {
		errs = append(errs, fields[f])
	}
	return h.page(c, status, "builder", ct.Title, fiber.Map{
		"Contest": ct, "Rounds": rounds, "Banks": banks, "BankNames": bankNames, "Values": values, "Errors": fields,
		"ErrorList": errs, "Editing": editing, "Settings": h.settingsView(c, ct, settings),
	})
}

// msgBankRequired asks for the bank the builder's form starts without.
const msgBankRequired = "ux.bank_required"

// inMinutes moves a duration problem the catalog names to the builder
// form's field, which asks for minutes where the round stores seconds.
func inMinutes(err error) error {
	var qe *quiz.Error
	if !errors.As(err, &qe) {
		return err
	}
	msg, ok := qe.Fields["duration_seconds"]
	if !ok {
		return err
	}
	fields := maps.Clone(qe.Fields)
	delete(fields, "duration_seconds")
	if msg == quiz.MsgRangeDuration {
		msg = quiz.MsgRangeDurationMinutes
	}
	fields["duration_minutes"] = msg
	return &quiz.Error{Code: qe.Code, Message: qe.Message, Fields: fields}
}

// settingsFields are the contest settings form's inputs in page order.
var settingsFields = []string{"title", "description", "identity_at", "controller_name", "controller_address",
	"controller_contact", "rules"}

// settingsValues writes a contest's settings into the form's values. Rules
// never set (contests made before rules existed) start from the template.
func settingsValues(ct quiz.Contest) map[string]string {
	rules := ct.Rules
	if rules == "" {
		rules = quiz.RulesTemplate
	}
	return map[string]string{"title": ct.Title, "description": ct.Description, "rules": rules,
		"identity_at": ct.IdentityAt, "controller_name": ct.Controller.Name,
		"controller_address": ct.Controller.Address, "controller_contact": ct.Controller.Contact}
}

// settingsView is what the builder's settings form shows.
func (h *Handler) settingsView(c *fiber.Ctx, ct quiz.Contest, f *formView) fiber.Map {
	l := h.lang(c)
	var summary []fieldError
	for _, name := range settingsFields {
		if msg, ok := f.Errors[name]; ok {
			summary = append(summary, fieldError{ID: "settings-" + name, Label: l.T("rules.field_" + name), Message: msg})
		}
	}
	keys := []string{"controller", "address", "contact", "rounds", "prizes", "contest_url", "notice"}
	var placeholders []fieldError
	for i, token := range quiz.RulesPlaceholders {
		placeholders = append(placeholders, fieldError{Label: token, Message: l.T("rules.placeholder_" + keys[i])})
	}
	return fiber.Map{"Form": f, "Summary": summary, "Default": h.Consents.Default(), "Placeholders": placeholders,
		"Blank": strings.Contains(f.Values["rules"], quiz.RulesBlank)}
}

// saveContestForm saves the builder's contest settings: title,
// description, rules, controller and identity rule. A refused form comes
// back with what was typed, each error beside its field and in a summary.
func (h *Handler) saveContestForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range settingsFields {
		values[k] = c.FormValue(k)
	}
	title, description, rules, identityAt := values["title"], values["description"], values["rules"], values["identity_at"]
	_, err = h.Catalog.UpdateContest(c.UserContext(), id, quiz.ContestPatch{
		Title: &title, Description: &description, Rules: &rules, IdentityAt: &identityAt,
		Controller: &quiz.Controller{Name: values["controller_name"], Address: values["controller_address"],
			Contact: values["controller_contact"]},
	})
	if err != nil {
		if code := quiz.ErrorCode(err); code == quiz.CodeInternal || code == quiz.CodeNotFound {
			return err
		}
		fields, notice := h.pageFieldErrors(c, err)
		return h.renderBuilderWith(c, id, 0, statusOf[quiz.ErrorCode(err)], nil, nil,
			&formView{Values: values, Errors: fields, Notice: notice})
	}
	h.setFlash(c, "rules.saved")
	return c.Redirect("/organize/contests/"+itoa(id)+"#settings", fiber.StatusSeeOther)
}

// roundForm reads the builder's round form: the round, the values as
// typed (to show again), and the fields that did not read.
func roundForm(c *fiber.Ctx) (quiz.Round, map[string]string, quiz.FieldErrors) {
	values := map[string]string{}
	for _, k := range []string{"name", "bank_id", "opens_at", "closes_at", "duration_minutes", "question_count", "topic_quotas",
		"max_attempts", "prediction_prompt", "prediction_target", "reveal", "prizes", "prize_cap_percent", "unit_prizes"} {
		values[k] = c.FormValue(k)
	}
	bad := quiz.FieldErrors{}
	number := func(field string) int {
		n, err := strconv.Atoi(strings.TrimSpace(values[field]))
		if err != nil {
			bad.Add(field, quiz.MsgInvalid)
		}
		return n
	}
	local := func(field string) time.Time {
		t, err := time.ParseInLocation(localInput, values[field], vietnam)
		if err != nil {
			bad.Add(field, quiz.MsgTimeInvalid)
		}
		return t
	}
	// The form starts on no bank: an organizer names the bank each round
	// draws from, rather than keeping one chosen for them.
	var bankID int64
	if strings.TrimSpace(values["bank_id"]) == "" {
		bad.Add("bank_id", msgBankRequired)
	} else {
		bankID = int64(number("bank_id"))
	}
	r := quiz.Round{Name: values["name"], BankID: bankID, OpensAt: local("opens_at"), ClosesAt: local("closes_at"),
		DurationSeconds: number("duration_minutes") * 60, QuestionCount: number("question_count"), MaxAttempts: number("max_attempts"),
		PredictionPrompt: values["prediction_prompt"], PredictionTarget: values["prediction_target"], Reveal: values["reveal"]}
	r.TopicQuotas = map[string]int{}
	for _, line := range lines(values["topic_quotas"]) {
		topic, n, ok := pairLine(line)
		if !ok {
			bad.Add("topic_quotas", quiz.MsgInvalid)
			continue
		}
		r.TopicQuotas[topic] = n
	}
	r.Prizes = prizeLines(bad, "prizes", values["prizes"])
	r.UnitPrizes = prizeLines(bad, "unit_prizes", values["unit_prizes"])
	if strings.TrimSpace(values["prize_cap_percent"]) != "" {
		r.PrizeCapPercent = number("prize_cap_percent")
	}
	return r, values, bad
}

// prizeLines reads prize tiers typed one a line as "name: count".
func prizeLines(bad quiz.FieldErrors, field, text string) []quiz.Prize {
	var out []quiz.Prize
	for _, line := range lines(text) {
		name, n, ok := pairLine(line)
		if !ok {
			bad.Add(field, quiz.MsgInvalid)
			continue
		}
		out = append(out, quiz.Prize{Name: name, Count: n})
	}
	return out
}

// roundValues writes a round back into the form's values, times in
// Vietnam time.
func roundValues(r quiz.Round) map[string]string {
	var quotas, prizes, unitPrizes []string
	for _, t := range quiz.SortedTopics(r.TopicQuotas) {
		quotas = append(quotas, t+": "+strconv.Itoa(r.TopicQuotas[t]))
	}
	for _, p := range r.Prizes {
		prizes = append(prizes, p.Name+": "+strconv.Itoa(p.Count))
	}
	for _, p := range r.UnitPrizes {
		unitPrizes = append(unitPrizes, p.Name+": "+strconv.Itoa(p.Count))
	}
	capPercent := ""
	if r.PrizeCapPercent > 0 {
		capPercent = strconv.Itoa(r.PrizeCapPercent)
	}
	return map[string]string{"name": r.Name, "bank_id": itoa(r.BankID), "opens_at": r.OpensAt.In(vietnam).Format(localInput),
		"closes_at": r.ClosesAt.In(vietnam).Format(localInput), "duration_minutes": strconv.Itoa(r.DurationSeconds / 60),
		"question_count": strconv.Itoa(r.QuestionCount), "topic_quotas": strings.Join(quotas, "\n"),
		"max_attempts": strconv.Itoa(r.MaxAttempts), "prediction_prompt": r.PredictionPrompt,
		"prediction_target": r.PredictionTarget, "reveal": r.Reveal, "prizes": strings.Join(prizes, "\n"),
		"unit_prizes": strings.Join(unitPrizes, "\n"), "prize_cap_percent": capPercent}
}

// createRoundForm adds a round from the builder's form; a refused form
// comes back with what was typed and every problem.
func (h *Handler) createRoundForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, values, bad := roundForm(c)
	if err := bad.Err(); err != nil {
		fields, _ := h.fieldErrors(c, err)
		return h.renderBuilder(c, id, 0, fiber.StatusUnprocessableEntity, values, fields)
	}
	if _, err := h.Catalog.CreateRound(c.UserContext(), id, r); err != nil {
		if code := quiz.ErrorCode(err); code == quiz.CodeInternal || code == quiz.CodeNotFound {
			return err
		}
		fields, _ := h.fieldErrors(c, inMinutes(err))
		return h.renderBuilder(c, id, 0, statusOf[quiz.ErrorCode(err)], values, fields)
	}
	return c.Redirect("/organize/contests/"+itoa(id), fiber.StatusSeeOther)
}

// editRoundPage shows the builder with a round's form filled in.
func (h *Handler) editRoundPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderBuilder(c, r.ContestID, id, fiber.StatusOK, roundValues(r), nil)
}

// updateRoundForm saves an edited round.
func (h *Handler) updateRoundForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	old, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	r, values, bad := roundForm(c)
	r.PointsPerQuestion = old.PointsPerQuestion
	if err := bad.Err(); err != nil {
		fields, _ := h.fieldErrors(c, err)
		return h.renderBuilder(c, old.ContestID, id, fiber.StatusUnprocessableEntity, values, fields)
	}
	if _, err := h.Catalog.UpdateRound(c.UserContext(), id, r); err != nil {
		if code := quiz.ErrorCode(err); code == quiz.CodeInternal || code == quiz.CodeNotFound {
			return err
		}
		fields, notice := h.fieldErrors(c, inMinutes(err))
		if len(fields) == 0 {
			fields = map[string]string{"round": notice}
		}
		return h.renderBuilder(c, old.ContestID, id, statusOf[quiz.ErrorCode(err)], values, fields)
	}
	return c.Redirect("/organize/contests/"+itoa(old.ContestID), fiber.StatusSeeOther)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// pairLine reads "Giải Nhất: 1" as a name and a count.
func pairLine(line string) (string, int, bool) {
	i := strings.LastIndex(line, ":")
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[i+1:]))
	return strings.TrimSpace(line[:i]), n, err == nil
}

func (h *Handler) publishForm(c *fiber.Ctx) error   { return h.setPublished(c, true) }
func (h *Handler) unpublishForm(c *fiber.Ctx) error { return h.setPublished(c, false) }

func (h *Handler) setPublished(c *fiber.Ctx, publish bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if publish {
		err = h.Catalog.PublishContest(c.UserContext(), id)
	} else {
		err = h.Catalog.UnpublishContest(c.UserContext(), id)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/organize/contests/"+itoa(id), fiber.StatusSeeOther)
}

// cloneRoundForm copies a round to a week later.
func (h *Handler) cloneRoundForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.CloneRound(c.UserContext(), id, 7, "")
	if err != nil {
		return err
	}
	return c.Redirect("/organize/contests/"+itoa(r.ContestID), fiber.StatusSeeOther)
}
