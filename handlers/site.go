package handlers

import (
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
}

func (h *Handler) roundView(c *fiber.Ctx, r quiz.Round) (roundView, error) {
	now := h.Now()
	v := roundView{Round: r, Status: r.Status(now), Left: -1}
	p := principalOf(c)
	if p != nil && p.Role == quiz.RoleContestant {
		attempts, err := h.Engine.AttemptsOf(c.UserContext(), p.UserID, r.ID)
		if err != nil {
			return roundView{}, err
		}
		v.Attempts = attempts
		for i := range attempts {
			if !attempts[i].Submitted() && attempts[i].Deadline.After(now) {
				v.Running = &attempts[i]
			}
		}
		if r.MaxAttempts > 0 {
			v.Left = max(0, r.MaxAttempts-len(attempts))
		}
	}
	v.CanStart = v.Status == quiz.StatusOpen && v.Running == nil && v.Left != 0 && (p == nil || p.Role == quiz.RoleContestant)
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
	ct, err := h.Catalog.ContestBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !visible(c, ct.PublishedAt != nil) {
		return quiz.NotFound("contest")
	}
	v, err := h.contestView(c, ct)
	if err != nil {
		return err
	}
	notice := h.knownError(c, c.Query("error"))
	prizes, err := h.prizeNoticeOf(c, ct.ID)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "contest", ct.Title, fiber.Map{"Contest": v, "Notice": notice, "Prizes": prizes})
}

// knownError is the message for an error code a redirect put in the
// address (?error=CODE), or "" for anything that is not one of hoithi's
// codes: the address is anyone's to write, the alert box is not.
func (h *Handler) knownError(c *fiber.Ctx, code string) string {
	if code == "" {
		return ""
	}
	l := h.lang(c)
	if _, ok := h.cat.text[l.code]["err."+code]; !ok {
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
	return h.renderRegister(c, fiber.StatusOK, formView{Values: map[string]string{}, Next: safeNext(c.Query("next"))})
}

func (h *Handler) renderRegister(c *fiber.Ctx, status int, f formView) error {
	text, err := h.Accounts.ConsentText(c.UserContext(), quiz.PurposeContest)
	if err != nil {
		return err
	}
	consent := text.BodyVI
	if h.lang(c).Code() == langEN {
		consent = text.BodyEN
	}
	units, err := h.Accounts.Units(c.UserContext())
	if err != nil {
		return err
	}
	return h.page(c, status, "register", h.lang(c).T("page.register.title"), fiber.Map{
		"Form": f, "Provinces": h.Accounts.Provinces(), "ConsentText": consent, "ConsentVersion": text.Version,
		"Units": units,
	})
}

func (h *Handler) registerForm(c *fiber.Ctx) error {
	var b registerBody
	next := "/"
	_, _, err := h.register(c, func() (registerBody, error) { // read only when the address may register
		b = registerBody{
			FullName: c.FormValue("full_name"), BirthDate: c.FormValue("birth_date"), IDNumber: c.FormValue("id_number"),
			Phone: c.FormValue("phone"), Email: c.FormValue("email"), Province: c.FormValue("province"),
			Commune: c.FormValue("commune"), Unit: c.FormValue("unit"), Password: c.FormValue("password"),
			Consent: c.FormValue("consent") == "yes", ConsentVersion: c.FormValue("consent_version"),
		}
		next = safeNext(c.FormValue("next"))
		return b, nil
	})
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		fields, notice := h.fieldErrors(c, err)
		values := map[string]string{"full_name": b.FullName, "birth_date": b.BirthDate, "id_number": b.IDNumber,
			"phone": b.Phone, "email": b.Email, "province": b.Province, "commune": b.Commune, "unit": b.Unit}
		status := statusOf[quiz.ErrorCode(err)]
		return h.renderRegister(c, status, formView{Values: values, Errors: fields, Notice: notice, Next: next})
	}
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
	rev, err := h.Engine.Review(c.UserContext(), quiz.User{ID: p.UserID, Role: p.Role}, id)
	if err != nil {
		return err
	}
	a := rev.Detail.Attempt
	l := h.lang(c)
	if !a.Submitted() && a.UserID == p.UserID {
		return h.page(c, fiber.StatusOK, "play", rev.Round.Name, fiber.Map{
			"Attempt": a, "Round": rev.Round, "WSPath": attemptPath(a.ID), "Strings": l.Prefix("js."),
		})
	}
	rv, err := h.roundView(c, rev.Round)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "result", rev.Round.Name, fiber.Map{
		"Review": reviewOf(rev), "Attempt": a, "Round": rv, "Top": quiz.GuardedTop,
	})
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
		"Limit": defaultBoardLimit, "Top": quiz.GuardedTop, "Strings": h.lang(c).Prefix("js."),
	})
}
