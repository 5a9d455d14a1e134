package handlers

import (
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// The data notice, the rules and the consent a contest asks of a
// contestant who consented to another controller: the pages and the API.

// contestPath matches the paths of a contest's pages, for registrations
// that come from one (next=/contests/{slug}…).
var contestPath = regexp.MustCompile(`^/contests/([a-z0-9-]+)(?:[/?#]|$)`)

// contestOfNext returns the contest a registration comes from, read from
// its next path, when the visitor may see it; nil otherwise.
func (h *Handler) contestOfNext(c *fiber.Ctx, next string) *quiz.Contest {
	m := contestPath.FindStringSubmatch(next)
	if m == nil {
		return nil
	}
	ct, err := h.Catalog.ContestBySlug(c.UserContext(), m[1])
	if err != nil || !visible(c, ct.PublishedAt != nil) {
		return nil
	}
	return &ct
}

// contestBySlug returns the contest of the :slug parameter, when the
// visitor may see it.
func (h *Handler) contestBySlug(c *fiber.Ctx) (quiz.Contest, error) {
	ct, err := h.Catalog.ContestBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return quiz.Contest{}, err
	}
	if !visible(c, ct.PublishedAt != nil) {
		return quiz.Contest{}, quiz.NotFound("contest")
	}
	return ct, nil
}

// noticeHTML shows a consent text as the page shows it: its headings,
// paragraphs and lists, every word escaped.
func noticeHTML(n quiz.Notice, level int) template.HTML {
	return plainTextHTML(n.Text, level, textExpander{})
}

// rulesHTML shows a contest's rules with their placeholders filled in from
// the contest, its rounds and its controller.
func (h *Handler) rulesHTML(c *fiber.Ctx, ct quiz.Contest) template.HTML {
	ctl := h.Consents.ControllerOf(&ct)
	page := c.BaseURL() + "/contests/" + ct.Slug
	x := textExpander{
		inline: map[string][]textSpan{
			quiz.RulesController: {{text: ctl.Name}},
			quiz.RulesAddress:    {{text: ctl.Address}},
			quiz.RulesContact:    {{text: ctl.Contact}},
			quiz.RulesContestURL: {{text: page, href: "/contests/" + ct.Slug}},
			quiz.RulesNotice:     {{text: "Thông báo xử lý dữ liệu cá nhân", href: "/contests/" + ct.Slug + "/privacy"}},
		},
		list: map[string][]string{
			quiz.RulesRounds: quiz.RulesRoundLines(ct.Rounds),
			quiz.RulesPrizes: quiz.RulesPrizeLines(ct),
		},
	}
	for name, items := range x.list {
		x.inline[name] = []textSpan{{text: strings.Join(items, " ")}}
	}
	return plainTextHTML(ct.Rules, 3, x)
}

// privacyPage is the installation's data notice, the one shown at a
// registration that comes from no contest.
func (h *Handler) privacyPage(c *fiber.Ctx) error {
	return h.renderNotice(c, nil)
}

// contestPrivacyPage is a contest's data notice, naming its controller.
func (h *Handler) contestPrivacyPage(c *fiber.Ctx) error {
	ct, err := h.contestBySlug(c)
	if err != nil {
		return err
	}
	return h.renderNotice(c, &ct)
}

func (h *Handler) renderNotice(c *fiber.Ctx, ct *quiz.Contest) error {
	l := h.lang(c)
	n, err := h.Consents.Notice(c.UserContext(), ct, l.Code())
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "privacy", l.T("consent.notice_title"), fiber.Map{
		"Contest": ct, "Notice": noticeHTML(n, 2), "Version": n.Version, "NoticeLang": n.Lang,
	})
}

// rulesPage shows a contest's rules on a page of their own, to read, link
// and print.
func (h *Handler) rulesPage(c *fiber.Ctx) error {
	ct, err := h.contestBySlug(c)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "rules", h.lang(c).T("rules.title")+" · "+ct.Title, fiber.Map{
		"Contest": ct, "Rules": h.rulesHTML(c, ct),
	})
}

// guardianBody is a legal representative's consent as the API takes it.
type guardianBody struct {
	FullName     string `json:"full_name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
	Consent      bool   `json:"consent"`
}

func (g *guardianBody) consent() *quiz.GuardianConsent {
	if g == nil {
		return nil
	}
	return &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: g.FullName, Relationship: g.Relationship, Phone: g.Phone},
		Consent: g.Consent}
}

// contestConsentBody is POST /contests/{id}/consent's body.
type contestConsentBody struct {
	Consent  bool          `json:"consent"`
	Guardian *guardianBody `json:"guardian"`
}

// consentAPI records a contestant's consent to a contest's notice: 201
// when recorded, 200 when they had consented to that controller already.
func (h *Handler) consentAPI(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b contestConsentBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	l := h.lang(c)
	recorded, err := h.Consents.ConsentToContest(c.UserContext(), principalOf(c).UserID, id,
		quiz.ContestConsent{Consent: b.Consent, Guardian: b.Guardian.consent()}, l.Code(),
		quiz.ClientInfo{IP: h.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)})
	if err != nil {
		return err
	}
	ct, err := h.Catalog.Contest(c.UserContext(), id)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if recorded {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"contest_id": ct.ID, "recorded": recorded,
		"controller": controllerBodyOf(h.Consents.ControllerOf(&ct))})
}

// consentForm is the contest page's consent form: the page comes back
// with the reason when refused, and says the consent was recorded when not.
func (h *Handler) consentForm(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return loginRedirect(c)
	}
	ct, err := h.contestBySlug(c)
	if err != nil {
		return err
	}
	if p.Role != quiz.RoleContestant {
		return quiz.Errorf(quiz.CodeForbidden, "only contestants consent to a contest's notice")
	}
	g := guardianForm(c)
	_, err = h.Consents.ConsentToContest(c.UserContext(), p.UserID, ct.ID,
		quiz.ContestConsent{Consent: c.FormValue("consent") == "yes", Guardian: g}, h.lang(c).Code(),
		quiz.ClientInfo{IP: h.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)})
	if err != nil {
		if code := quiz.ErrorCode(err); code != quiz.CodeValidation {
			return err
		}
		fields, notice := h.pageFieldErrors(c, err)
		return h.renderContest(c, ct, fiber.StatusUnprocessableEntity, &formView{
			Values: guardianValues(c), Errors: fields, Notice: notice})
	}
	h.setFlash(c, "consent.recorded")
	return c.Redirect("/contests/"+ct.Slug+"#rounds", fiber.StatusSeeOther)
}

// guardianForm reads a form's legal representative block.
func guardianForm(c *fiber.Ctx) *quiz.GuardianConsent {
	return &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: c.FormValue("guardian_full_name"),
		Relationship: c.FormValue("guardian_relationship"), Phone: c.FormValue("guardian_phone")},
		Consent: c.FormValue("guardian_consent") == "yes"}
}

func guardianValues(c *fiber.Ctx) map[string]string {
	return map[string]string{"guardian_full_name": c.FormValue("guardian_full_name"),
		"guardian_relationship": c.FormValue("guardian_relationship"), "guardian_phone": c.FormValue("guardian_phone")}
}

// pageFieldErrors is fieldErrors with the fields named as the page's
// inputs are: "guardian.phone" is the input guardian_phone.
func (h *Handler) pageFieldErrors(c *fiber.Ctx, err error) (map[string]string, string) {
	fields, notice := h.fieldErrors(c, err)
	out := make(map[string]string, len(fields))
	for f, msg := range fields {
		out[strings.ReplaceAll(f, ".", "_")] = msg
	}
	return out, notice
}

// flashCookie carries one message to the next page a person sees, such
// as the one a registration leads to.
const flashCookie = "hoithi_flash"

// setFlash asks the next page to show the message with the catalog key.
func (h *Handler) setFlash(c *fiber.Ctx, key string) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(key), Path: "/", Expires: h.Now().Add(5 * time.Minute),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.SecureCookie})
}

// takeFlash returns the message the previous answer asked for, once: only
// keys of the messages set by setFlash are shown, whatever the cookie says.
func (h *Handler) takeFlash(c *fiber.Ctx) string {
	raw := c.Cookies(flashCookie)
	if raw == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.SecureCookie})
	key, _ := url.QueryUnescape(raw)
	switch key {
	case "register.welcome", "consent.recorded", "rules.saved":
		return h.lang(c).T(key)
	}
	return ""
}
