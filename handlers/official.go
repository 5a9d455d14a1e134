package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// rankingRowsShown is how many rows of the full ranking the officials' round
// page shows; the files have them all.
const rankingRowsShown = 200

// officialPage lists every contest's rounds with their state, for officials.
func (h *Handler) officialPage(c *fiber.Ctx) error {
	contests, err := h.Catalog.Contests(c.UserContext(), false)
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "official", h.lang(c).T("official.title"), fiber.Map{
		"Contests": contests, "Now": h.Now(),
	})
}

// winnersView is what the officials' round page shows.
type winnersView struct {
	Round   quiz.Round
	Status  string
	List    *quiz.WinnerList
	Winners []quiz.Winner
	Ranking []quiz.Winner
	More    int // ranking rows not shown
	Flagged int // winners with a flag
	Audit   []auditLine
	IsAdmin bool
	Notice  string
	Error   string
	Reason  string
	Closed  bool
}

// winnersPage shows a round's ranking and prizes, its lock, and its files.
func (h *Handler) winnersPage(c *fiber.Ctx) error {
	v := winnersView{}
	switch c.Query("done") {
	case "locked":
		v.Notice = h.lang(c).T("official.locked_notice")
	case "unlocked":
		v.Notice = h.lang(c).T("official.unlocked_notice")
	}
	return h.renderWinners(c, fiber.StatusOK, v)
}

func (h *Handler) renderWinners(c *fiber.Ctx, status int, v winnersView) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	v.Round, v.Status = r, r.Status(h.Now())
	v.IsAdmin = principalOf(c).Role == quiz.RoleAdmin
	v.Closed = !h.Now().Before(r.ClosesAt)
	if v.Closed {
		l, err := h.Results.Winners(c.UserContext(), id)
		if err != nil {
			return err
		}
		if err := h.audit(c, quiz.AuditViewWinners, id, "page"); err != nil {
			return err
		}
		v.List = &l
		v.Winners = l.Winners()
		for _, w := range v.Winners {
			if len(w.Flags) > 0 {
				v.Flagged++
			}
		}
		v.Ranking = l.Entries[:min(len(l.Entries), rankingRowsShown)]
		v.More = len(l.Entries) - len(v.Ranking)
	}
	entries, err := h.Audit.AuditLog(c.UserContext(), quiz.AuditFilter{RoundID: id, Limit: 20})
	if err != nil {
		return err
	}
	v.Audit = h.auditLines(c, entries)
	return h.page(c, status, "winners", r.Name, v)
}

// lockForm locks a round from its page.
func (h *Handler) lockForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return h.renderWinners(c, fiber.StatusUnprocessableEntity, winnersView{Error: h.lang(c).T("official.confirm_needed")})
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	if _, err := h.Results.Lock(c.UserContext(), id, by, h.clientIP(c)); err != nil {
		return h.formRefused(c, err, winnersView{})
	}
	return c.Redirect(fmt.Sprintf("/official/rounds/%d?done=locked", id), fiber.StatusSeeOther)
}

// unlockForm removes a round's lock from its page; admins only.
func (h *Handler) unlockForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if principalOf(c).Role != quiz.RoleAdmin {
		return quiz.Errorf(quiz.CodeForbidden, "only an admin may unlock a round")
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	if err := h.Results.Unlock(c.UserContext(), id, by, reason, h.clientIP(c)); err != nil {
		return h.formRefused(c, err, winnersView{Reason: reason})
	}
	return c.Redirect(fmt.Sprintf("/official/rounds/%d?done=unlocked", id), fiber.StatusSeeOther)
}

// formRefused shows the round page again with why a lock or unlock was
// refused, or passes on an error that is not the user's.
func (h *Handler) formRefused(c *fiber.Ctx, err error, v winnersView) error {
	var qe *quiz.Error
	if !errors.As(err, &qe) || qe.Code == quiz.CodeNotFound {
		return err
	}
	v.Error = h.lang(c).T("err." + qe.Code)
	if msg, ok := qe.Fields["reason"]; ok {
		v.Error = h.lang(c).T("official.reason") + ": " + h.lang(c).T(msg)
	}
	return h.renderWinners(c, statusOf[qe.Code], v)
}

// printView is a printable document: the list to sign, or certificates.
type printView struct {
	List    quiz.WinnerList
	Winners []quiz.Winner
	Groups  []prizeGroup
	// Issuer is who issues and signs: as stored for the contest, or as an
	// official is typing it in the toolbar.
	Issuer quiz.CertificateIssuer
	Full   bool
	Today  time.Time
	// Day, Month and Year of today in Vietnam, for "ngày … tháng … năm …":
	// day and month take a leading zero below 10, as documents write them.
	Day, Month, Year string
	Province         func(string) string
	L                lang
	Single           bool
	// Toolbar is the officials' toolbar; nil on a contestant's own
	// certificate, which only prints what officials stored.
	Toolbar *issuerToolbar
}

type prizeGroup struct {
	Prize   string
	Winners []quiz.Winner
}

func (h *Handler) printView(c *fiber.Ctx, l quiz.WinnerList, ci quiz.CertificateIssuer) printView {
	v := printView{List: l, Winners: l.Winners(), Issuer: ci, Today: h.Now(), Province: h.Accounts.ProvinceName, L: h.lang(c)}
	today := v.Today.In(quiz.Vietnam)
	v.Day, v.Month, v.Year = today.Format("02"), today.Format("01"), today.Format("2006")
	for _, w := range v.Winners {
		if n := len(v.Groups); n == 0 || v.Groups[n-1].Prize != w.Prize {
			v.Groups = append(v.Groups, prizeGroup{Prize: w.Prize})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Winners = append(g.Winners, w)
	}
	return v
}

// officialView is a printable document as officials see it: the issuer
// stored for the round's contest (or the usual names before one is), the
// form as refused when there is one, and the toolbar.
func (h *Handler) officialView(c *fiber.Ctx, l quiz.WinnerList, full bool, form *issuerForm) (printView, error) {
	ci, err := h.Certificates.Issuer(c.UserContext(), l.Round.ContestID)
	if err != nil {
		return printView{}, err
	}
	shown := ci
	switch {
	case form != nil:
		shown = form.Issuer
	case !ci.Issued():
		shown = quiz.DefaultIssuer(l.Round.ContestID)
	}
	v := h.printView(c, l, shown)
	v.Full = full
	v.Toolbar = h.toolbar(c, l.Round, ci, form)
	return v, nil
}

// printPage is the winners list as an A4 document in Vietnamese
// administrative style, with a signature block, for a browser to print.
func (h *Handler) printPage(c *fiber.Ctx) error {
	return h.renderPrint(c, fiber.StatusOK, nil)
}

func (h *Handler) renderPrint(c *fiber.Ctx, status int, form *issuerForm) error {
	full := c.QueryBool("full") || c.Method() == fiber.MethodPost && c.FormValue("full") == "true"
	detail := "print"
	if full {
		detail = "print full"
	}
	l, err := h.winners(c, quiz.AuditExportWinners, detail)
	if err != nil {
		return err
	}
	v, err := h.officialView(c, l, full, form)
	if err != nil {
		return err
	}
	v.Toolbar.FullURL = c.Path()
	if !full {
		v.Toolbar.FullURL += "?full=true"
	}
	return h.document(c, status, "print", v)
}

// certificatesPage prints a certificate for each prize winner of a round,
// or for one contestant of it with ?user=ID.
func (h *Handler) certificatesPage(c *fiber.Ctx) error {
	return h.renderCertificates(c, fiber.StatusOK, nil)
}

func (h *Handler) renderCertificates(c *fiber.Ctx, status int, form *issuerForm) error {
	detail := "winners"
	user := int64(0)
	if s := c.Query("user"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return quiz.NotFound("contestant")
		}
		user, detail = n, "user "+s
	}
	l, err := h.winners(c, quiz.AuditCertificates, detail)
	if err != nil {
		return err
	}
	v, err := h.officialView(c, l, false, form)
	if err != nil {
		return err
	}
	if user != 0 {
		v.Winners, v.Single = nil, true
		for _, e := range l.Entries {
			if e.UserID == user {
				v.Winners = []quiz.Winner{e}
			}
		}
		if len(v.Winners) == 0 {
			return quiz.NotFound("contestant")
		}
	}
	return h.document(c, status, "certificates", v)
}

// document renders a printable page: a whole document of its own, without
// the site's header and footer.
func (h *Handler) document(c *fiber.Ctx, status int, name string, v printView) error {
	set, err := h.pages.set(v.L, name)
	if err != nil {
		return err
	}
	if err := draw(c, status, set, "document", v); err != nil {
		return fmt.Errorf("handlers: render %s: %w", name, err)
	}
	return nil
}

// auditPage shows the audit log, newest first, a page at a time.
func (h *Handler) auditPage(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	entries, err := h.Audit.AuditLog(c.UserContext(), f)
	if err != nil {
		return err
	}
	next := int64(0)
	if len(entries) == f.Limit {
		next = entries[len(entries)-1].ID
	}
	return h.page(c, fiber.StatusOK, "audit", h.lang(c).T("audit.title"), fiber.Map{
		"Entries": h.auditLines(c, entries), "Next": next, "Filter": f,
	})
}

// myCertificatePage prints a contestant's own certificate for a closed
// round they took part in: of their prize once the round is locked, else
// of participation. Only the contestant's own row is read, never the
// round's ranking. The issuer and signer are the ones officials stored for
// the contest and nothing the request carries; before officials store
// them, the page says the certificate is not issued yet.
func (h *Handler) myCertificatePage(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return loginRedirect(c)
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, w, err := h.Results.ContestantResult(c.UserContext(), id, p.UserID)
	if err != nil {
		return err
	}
	ci, err := h.Certificates.Issuer(c.UserContext(), r.ContestID)
	if err != nil {
		return err
	}
	if !ci.Issued() {
		return h.page(c, fiber.StatusOK, "certificates", h.lang(c).T("cert.not_issued_title"), fiber.Map{"Round": r})
	}
	l := quiz.WinnerList{Round: r, Locked: r.LockedAt != nil, LockedAt: r.LockedAt, Actual: r.Actual}
	if !l.Locked {
		w.Prize = "" // prizes are only certain once locked
	}
	v := h.printView(c, l, ci)
	v.Winners, v.Single = []quiz.Winner{w}, true
	return h.document(c, fiber.StatusOK, "certificates", v)
}
