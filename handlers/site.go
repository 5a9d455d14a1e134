package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// roundView is a round as the public pages show it, with what the visitor
// may do in it.
type roundView struct {
	quiz.Round
	Status   string
	Attempts []quiz.Attempt // the visitor's, oldest first
	Running  *quiz.Attempt  // the visitor's attempt still under way
	Left     int            // attempts left; -1 when unlimited
	CanStart bool
	// WillOpen says the round has not opened and the visitor could start
	// it once it does: the page's script shows its start button then,
	// OpensInMs after the page was drawn, so that those waiting need not
	// reload the page (and the server does not draw it for each reload).
	WillOpen  bool
	OpensInMs int64
}

func (h *Handler) roundView(c *fiber.Ctx, r quiz.Round) (roundView, error) {
	now := h.Now()
	v := roundView{Round: r, Status: r.Status(now), Left: -1}
	p := principalOf(c)
	if p != nil && p.Role == quiz.RoleContestant {
		tries, err := h.Engine.Tries(c.UserContext(), p.UserID, r)
		if err != nil {
			return roundView{}, err
		}
		v.Attempts, v.Running, v.Left = tries.Attempts, tries.Running, tries.Left
	}
	mayStart := v.Running == nil && v.Left != 0 && (p == nil || p.Role == quiz.RoleContestant)
	v.CanStart = v.Status == quiz.StatusOpen && mayStart
	v.WillOpen, v.OpensInMs = v.Status == quiz.StatusUpcoming && mayStart, r.OpensAt.Sub(now).Milliseconds()
	return v, nil
}

type contestView struct {
	quiz.Contest
	Rounds []roundView
}

func (h *Handler) contestView(c *fiber.Ctx, ct quiz.Contest) (contestView, error) {
	v := contestView{Contest: ct}
	for _, r := range ct.Rounds {
		rv, err := h.roundView(c, r)
		if err != nil {
			return contestView{}, err
		}
		v.Rounds = append(v.Rounds, rv)
	}
	return v, nil
}

func (h *Handler) homePage(c *fiber.Ctx) error {
	contests, err := h.Catalog.Contests(c.UserContext(), true)
	if err != nil {
		return err
	}
	views := make([]contestView, 0, len(contests))
	for _, ct := range contests {
		v, err := h.contestView(c, ct)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return h.page(c, fiber.StatusOK, "home", "", fiber.Map{"Contests": views, "Notice": h.notice(c)})
}

func (h *Handler) contestPage(c *fiber.Ctx) error {
	ct, err := h.contestBySlug(c)
	if err != nil {
		return err
	}
	return h.renderContest(c, ct, fiber.StatusOK, nil)
}

// renderContest shows a contest's page: its rounds, its rules and, for a
// contestant who has not consented to its controller, the consent form
// (consent holds that form's values and errors after a refusal).
func (h *Handler) renderContest(c *fiber.Ctx, ct quiz.Contest, status int, consent *formView) error {
	v, err := h.contestView(c, ct)
	if err != nil {
		return err
	}
	l := h.lang(c)
	prizes, err := h.prizeNoticeOf(c, ct.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{"Contest": v, "Notice": h.knownError(c, c.Query("error")), "Rules": h.rulesHTML(c, ct), "Prizes": prizes}
	if p := principalOf(c); p != nil && p.Role == quiz.RoleContestant {
		entry, err := h.Consents.EntryOf(c.UserContext(), p.UserID, ct)
		if err != nil {
			return err
		}
		data["Entry"] = entry
		if entry.NeedsConsent {
			n, err := h.Consents.Notice(c.UserContext(), &ct, l.Code())
			if err != nil {
				return err
			}
			data["ConsentNotice"], data["Controller"] = noticeHTML(n, 3), n.Controller
			if consent == nil {
				consent = &formView{Values: map[string]string{}, Errors: map[string]string{}}
			}
			data["ConsentForm"] = consent
		}
		data["ProfileLink"] = "/me/profile?next=" + url.QueryEscape("/contests/"+ct.Slug)
	}
	return h.page(c, status, "contest", ct.Title, data)
}

// knownError is the message for an error code a redirect put in the
// address (?error=CODE), or "" for anything that is not one of hoithi's
// codes: the address is anyone's to write, the alert box is not.
func (h *Handler) knownError(c *fiber.Ctx, code string) string {
	if code == "" {
		return ""
	}
	l := h.lang(c)
	if !h.cat.text.Has(l.code, "err."+code) {
		return ""
	}
	return l.T("err." + code)
}

// formView carries a form's values and its field errors back to the page.
type formView struct {
	Values map[string]string
	Errors map[string]string
	Notice string
	Next   string
}

func (h *Handler) fieldErrors(c *fiber.Ctx, err error) (map[string]string, string) {
	l := h.lang(c)
	qe := h.asQuizError(err)
	fields := map[string]string{}
	for f, key := range qe.Fields {
		fields[f] = l.T(key)
	}
	return fields, l.T("err." + qe.Code)
}

func (h *Handler) registerPage(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	return h.renderRegister(c, fiber.StatusOK, formView{Values: map[string]string{}, Next: next}, h.contestOfNext(c, next))
}

// registerFields are the registration form's inputs in the order the page
// shows them, for the summary of errors at its top.
var registerFields = []string{"full_name", "birth_date", "id_number", "phone", "email", "province", "commune", "unit",
	"password", "age_group", "guardian", "guardian_full_name", "guardian_relationship", "guardian_phone",
	"guardian_consent", "consent"}

// fieldError is one line of a form's summary of errors: the message and
// the input it is about.
type fieldError struct {
	ID      string
	Label   string
	Message string
}

// renderRegister shows the registration form with the notice of the
// contest the person comes from (ct nil: the installation's), and after a
// refusal what was typed, each error beside its field and all of them in
// a summary at the top.
func (h *Handler) renderRegister(c *fiber.Ctx, status int, f formView, ct *quiz.Contest) error {
	l := h.lang(c)
	notice, err := h.Consents.Notice(c.UserContext(), ct, l.Code())
	if err != nil {
		return err
	}
	units, err := h.Accounts.Units(c.UserContext())
	if err != nil {
		return err
	}
	askIdentity := notice.IdentityAt != quiz.IdentityAtPrize
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if msg, ok := f.Errors["at_least_16"]; ok { // the page asks it as an age group
		delete(f.Errors, "at_least_16")
		f.Errors["age_group"] = msg
	}
	var summary []fieldError
	for _, name := range registerFields {
		if msg, ok := f.Errors[name]; ok {
			summary = append(summary, fieldError{ID: registerAnchor(name), Label: l.T(registerLabel(name)), Message: msg})
		}
	}
	return h.page(c, status, "register", l.T("page.register.title"), fiber.Map{
		"Form": f, "Provinces": h.Accounts.Provinces(), "Notice": noticeHTML(notice, 3), "NoticeVersion": notice.Version,
		"Controller": notice.Controller, "Contest": ct, "AskIdentity": askIdentity, "Units": units,
		"ShowGuardian": showGuardian(f, askIdentity, h.Now()), "Summary": summary,
	})
}

// registerLabel is the catalog key naming a registration field.
func registerLabel(name string) string {
	switch {
	case name == "age_group" || name == "guardian" || strings.HasPrefix(name, "guardian_"):
		return "register." + name
	case name == "consent":
		return "form.consent_legend"
	}
	return "form." + name
}

// registerAnchor is the id a summary line links to.
func registerAnchor(name string) string {
	switch name {
	case "age_group":
		return "age_group_16_plus"
	case "guardian":
		return "guardian_full_name"
	}
	return name
}

// showGuardian reports whether the form shows the legal representative's
// block: when the birth date typed makes the person under 16, when they
// said they are under 16, or when the block has an error. The page's
// script shows and hides it as the person types; this is the page as
// the server sends it, with or without a script.
func showGuardian(f formView, askIdentity bool, now time.Time) bool {
	for name := range f.Errors {
		if strings.HasPrefix(name, "guardian") {
			return true
		}
	}
	if !askIdentity {
		return f.Values["age_group"] == "under_16"
	}
	age, ok := quiz.AgeOn(typedBirthDate(f.Values["birth_date"]), now.In(quiz.Vietnam))
	return ok && age < quiz.AgeOfConsent
}

// typedBirthDate reads a date as people type it on the form, day first
// ("17/05/1990", "17-5-1990", "17.05.1990", "17051990"), or as the API
// writes it ("1990-05-17"), and returns it as the API writes it. What does
// not read as a date comes back as typed, for the check to refuse.
func typedBirthDate(s string) string {
	s = strings.TrimSpace(s)
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s
	}
	var day, month, year int
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		day, _ = strconv.Atoi(s[:2])
		month, _ = strconv.Atoi(s[2:4])
		year, _ = strconv.Atoi(s[4:])
	} else {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
		if len(parts) != 3 || len(parts[2]) != 4 {
			return s
		}
		var errs [3]error
		day, errs[0] = strconv.Atoi(parts[0])
		month, errs[1] = strconv.Atoi(parts[1])
		year, errs[2] = strconv.Atoi(parts[2])
		if errs[0] != nil || errs[1] != nil || errs[2] != nil {
			return s
		}
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return s
	}
	return d.Format(time.DateOnly)
}

func (h *Handler) registerForm(c *fiber.Ctx) error {
	var b registerBody
	next := "/"
	_, _, err := h.register(c, func() (registerBody, error) { // read only when the address may register
		next = safeNext(c.FormValue("next"))
		b = registerBody{
			FullName: c.FormValue("full_name"), BirthDate: typedBirthDate(c.FormValue("birth_date")), IDNumber: c.FormValue("id_number"),
			Phone: c.FormValue("phone"), Email: c.FormValue("email"), Province: c.FormValue("province"),
			Commune: c.FormValue("commune"), Unit: c.FormValue("unit"), Password: c.FormValue("password"),
			Consent: c.FormValue("consent") == "yes", ConsentVersion: c.FormValue("consent_version"),
			AtLeast16: c.FormValue("age_group") == "16_plus", contest: h.contestOfNext(c, next),
		}
		if c.FormValue("age_group") != "16_plus" {
			g := guardianForm(c)
			b.Guardian = &guardianBody{FullName: g.FullName, Relationship: g.Relationship, Phone: g.Phone, Consent: g.Consent}
			if c.FormValue("age_group") == "" && b.contest != nil && b.contest.IdentityAt == quiz.IdentityAtPrize &&
				g.Guardian == (quiz.Guardian{}) && !g.Consent {
				b.Guardian = nil // no age said and no representative: ask the age
			}
		}
		return b, nil
	})
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		fields, notice := h.pageFieldErrors(c, err)
		if _, ok := fields["birth_date"]; ok && fields["birth_date"] == h.lang(c).T(quiz.MsgBirthDateInvalid) {
			fields["birth_date"] = h.lang(c).T("register.birth_date_format")
		}
		values := map[string]string{"full_name": c.FormValue("full_name"), "birth_date": c.FormValue("birth_date"),
			"id_number": c.FormValue("id_number"), "phone": c.FormValue("phone"), "email": c.FormValue("email"),
			"province": c.FormValue("province"), "commune": c.FormValue("commune"), "unit": c.FormValue("unit"),
			"age_group": c.FormValue("age_group"), "guardian_consent": c.FormValue("guardian_consent")}
		for k, v := range guardianValues(c) {
			values[k] = v
		}
		status := statusOf[quiz.ErrorCode(err)]
		return h.renderRegister(c, status, formView{Values: values, Errors: fields, Notice: notice, Next: next}, b.contest)
	}
	h.setFlash(c, "register.welcome")
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (h *Handler) loginPage(c *fiber.Ctx) error {
	return h.page(c, fiber.StatusOK, "login", h.lang(c).T("page.login.title"),
		fiber.Map{"Form": formView{Values: map[string]string{}, Next: safeNext(c.Query("next"))}})
}

func (h *Handler) loginForm(c *fiber.Ctx) error {
	var login string
	next := "/"
	_, _, err := h.login(c, func() (loginBody, error) { // read only when the address may try
		next = safeNext(c.FormValue("next"))
		login = c.FormValue("login")
		return loginBody{Login: login, Password: c.FormValue("password")}, nil
	})
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		_, notice := h.fieldErrors(c, err)
		return h.page(c, statusOf[quiz.ErrorCode(err)], "login", h.lang(c).T("page.login.title"), fiber.Map{
			"Form": formView{Values: map[string]string{"login": login}, Notice: notice, Next: next},
		})
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// logoutForm ends the browser's session, as POST /api/v1/auth/logout does.
func (h *Handler) logoutForm(c *fiber.Ctx) error {
	h.clearSession(c)
	if err := h.endSessions(c); err != nil {
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handler) mePage(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	return h.renderMe(c, fiber.StatusOK, meForms{})
}

// startForm starts (or resumes) an attempt from the contest page and goes
// to it; a refusal goes back to the contest page with the reason.
func (h *Handler) startForm(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return loginRedirect(c)
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	if p.Role != quiz.RoleContestant {
		return c.Redirect("/contests/"+r.ContestSlug+"?error="+quiz.CodeForbidden, fiber.StatusSeeOther)
	}
	// A contest asking what the contestant has not given yet sends them to
	// give it: its consent form on its page, or their identity data on
	// their profile, back to the contest after.
	switch err := h.Consents.CheckEntry(c.UserContext(), p.UserID, id); quiz.ErrorCode(err) {
	case "":
	case quiz.CodeConsentRequired:
		return c.Redirect("/contests/"+r.ContestSlug+"?error="+quiz.CodeConsentRequired+"#consent", fiber.StatusSeeOther)
	case quiz.CodeIdentityRequired:
		return c.Redirect("/me/profile?next="+url.QueryEscape("/contests/"+r.ContestSlug), fiber.StatusSeeOther)
	default:
		return err
	}
	a, created, err := h.Engine.StartAttempt(c.UserContext(), p.UserID, id)
	if err != nil {
		if code := quiz.ErrorCode(err); code != quiz.CodeInternal {
			return c.Redirect("/contests/"+r.ContestSlug+"?error="+code, fiber.StatusSeeOther)
		}
		return err
	}
	if created {
		h.Metrics.AttemptsStarted.Inc()
	}
	return c.Redirect(attemptPagePath(a.ID), fiber.StatusSeeOther)
}

func attemptPagePath(id int64) string { return "/attempts/" + itoa(id) }

// attemptPage is the quiz while the attempt runs and its result after.
func (h *Handler) attemptPage(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return loginRedirect(c)
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if a, r, ok := h.Engine.Playing(c.UserContext(), p.UserID, id); ok {
		return h.page(c, fiber.StatusOK, "play", r.Name, fiber.Map{
			"Attempt": a, "Round": r, "WSPath": attemptPath(a.ID), "Strings": playStrings(h.lang(c)),
			"AckWaitMs": unsavedAfter.Milliseconds(),
		})
	}
	rev, err := h.Engine.Review(c.UserContext(), quiz.User{ID: p.UserID, Role: p.Role}, id)
	if err != nil {
		return err
	}
	a := rev.Detail.Attempt
	rv := roundView{Round: rev.Round, Status: rev.Round.Status(h.Now())} // nothing left to start
	if !lastTry(a, rev.Round) {
		if rv, err = h.roundView(c, rev.Round); err != nil {
			return err
		}
	}
	return h.page(c, fiber.StatusOK, "result", rev.Round.Name, fiber.Map{
		"Review": reviewOf(rev), "Attempt": a, "Round": rv, "Top": quiz.GuardedTop,
	})
}

// lastTry reports whether a is numbered as the round's last allowed
// attempt: its result page then offers no new start without reading the
// contestant's other attempts, which every contestant's page would read
// at the end of a rush. (Only a contestant's own result page offers one.)
func lastTry(a quiz.Attempt, r quiz.Round) bool {
	return r.MaxAttempts > 0 && a.Number >= r.MaxAttempts
}

func (h *Handler) leaderboardPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	board, err := h.publicBoard(c.UserContext(), c, id)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "leaderboard", r.Name, fiber.Map{
		"Round": r, "Status": r.Status(h.Now()), "Board": boardFor(boardReaderOf(c), id, defaultBoardLimit, board),
		"Limit": defaultBoardLimit, "Top": quiz.GuardedTop, "Strings": h.lang(c).Scripts("js."),
	})
}
