package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// Limits on reset links asked for by e-mail: per client address (an
// office behind one address has few people who forget at once) and per
// address asked for, whether or not it has an account, so that the limit
// tells nothing and nobody's mailbox is flooded.
const (
	forgotPerAddress    = 20
	forgotAddressWindow = 15 * time.Minute
	forgotPerEmail      = 3
	forgotEmailWindow   = time.Hour
)

// forgotLimits counts requests for reset mails.
type forgotLimits struct {
	byClient *limiter
	byEmail  *limiter
}

func newForgotLimits(now func() time.Time) forgotLimits {
	return forgotLimits{
		byClient: newLimiter(forgotPerAddress, forgotAddressWindow, now),
		byEmail:  newLimiter(forgotPerEmail, forgotEmailWindow, now),
	}
}

// mayWhileChangeOwed lists what an account that owes a password change
// may still do: read its account, change the password, sign out or in
// again, and switch the language. Everything else is refused, whatever
// spelling of a path routes to it.
func mayWhileChangeOwed(c *fiber.Ctx) bool {
	p := c.Path()
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
		return p == "/api/v1/me" || p == pathPasswordOwed || p == "/login" || strings.HasPrefix(p, "/lang/")
	case fiber.MethodPost:
		switch p {
		case "/api/v1/me/password", "/me/password", "/api/v1/auth/logout", "/logout", "/api/v1/auth/login", "/login":
			return true
		}
	}
	return false
}

// pathPasswordOwed is the page an account that owes a password change is
// kept on until it has changed it.
const pathPasswordOwed = "/me/password"

// passwordChangeOwed answers a request that an account owing a password
// change may not make: 403 password_change_required from the API and
// the websockets, the password form for pages.
func passwordChangeOwed(c *fiber.Ctx) error {
	p := strings.ToLower(c.Path())
	c.Set(fiber.HeaderCacheControl, "no-store")
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/ws/") {
		return quiz.Errorf(quiz.CodePasswordChangeRequired,
			"this account's password was chosen by someone else: change it first (POST /api/v1/me/password)")
	}
	return c.Redirect(pathPasswordOwed, fiber.StatusSeeOther)
}

// passwordOwedForm is GET /me/password: the password form on its own, for
// an account that must choose its own password before going on. Others
// find the same form on /me.
func (h *Handler) passwordOwedForm(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return loginRedirect(c)
	}
	if !p.mustChange {
		return c.Redirect("/me#password", fiber.StatusSeeOther)
	}
	return h.passwordOwedPage(c, fiber.StatusOK, passwordView{})
}

func (h *Handler) passwordOwedPage(c *fiber.Ctx, status int, v passwordView) error {
	return h.page(c, status, "password", h.lang(c).T("reset.owed_title"), fiber.Map{"Password": v})
}

// siteURL is where people reach the site: HOITHI_PUBLIC_URL, else what
// the request was sent to.
func (h *Handler) siteURL(c *fiber.Ctx) string {
	if h.PublicURL != "" {
		return strings.TrimRight(h.PublicURL, "/")
	}
	return c.Protocol() + "://" + string(c.Request().Host())
}

func resetURL(base, token string) string { return base + "/reset/" + token }

// resetLinkBody is a reset link as the API gives it to staff.
type resetLinkBody struct {
	URL       string      `json:"url"`
	ExpiresAt string      `json:"expires_at"`
	Account   accountBody `json:"account"`
}

// issueReset issues a reset link for the account in the path, as the
// signed-in organizer or admin, who has checked the person by phone.
func (h *Handler) issueReset(c *fiber.Ctx) (quiz.ResetLink, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return quiz.ResetLink{}, err
	}
	return h.AccountAdmin.IssueReset(c.UserContext(), h.actor(c), id)
}

// actor is the signed-in staff member, for the audit log.
func (h *Handler) actor(c *fiber.Ctx) quiz.Actor {
	p := principalOf(c)
	by := quiz.Actor{ID: p.UserID, IP: h.clientIP(c)}
	if me, err := h.Accounts.User(c.UserContext(), p.UserID); err == nil {
		by.Name = quiz.StaffName(me)
	}
	return by
}

// issueResetAPI is POST /api/v1/users/{id}/reset → 201 {url, expires_at,
// account}. The link is shown this once; only its hash is kept.
func (h *Handler) issueResetAPI(c *fiber.Ctx) error {
	link, err := h.issueReset(c)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(resetLinkBody{URL: resetURL(h.siteURL(c), link.Token),
		ExpiresAt: apiTime(link.ExpiresAt), Account: h.accountBodyOf(c, link.Account)})
}

// accountBody is an account as staff see it to check a person by phone:
// enough to ask "which year were you born? the last three digits of your
// identity number?", and never the whole number, the birth date or the
// address.
type accountBody struct {
	ID            int64     `json:"id"`
	Role          quiz.Role `json:"role"`
	FullName      string    `json:"full_name"`
	Unit          string    `json:"unit,omitempty"`
	Province      string    `json:"province,omitempty"`
	ProvinceName  string    `json:"province_name,omitempty"`
	Commune       string    `json:"commune,omitempty"`
	BirthYear     int       `json:"birth_year,omitempty"`
	IDNumberLast3 string    `json:"id_number_last3,omitempty"`
	HasEmail      bool      `json:"has_email"`
	Disabled      bool      `json:"disabled"`
	// CanReset: the caller may issue a reset link for this account.
	CanReset bool `json:"can_reset"`
}

func (h *Handler) accountBodyOf(c *fiber.Ctx, u quiz.User) accountBody {
	b := accountBody{ID: u.ID, Role: u.Role, FullName: u.FullName, Unit: u.Unit, Province: u.Province,
		Commune: u.Commune, BirthYear: quiz.BirthYear(u), IDNumberLast3: quiz.IDNumberTail(u),
		HasEmail: u.Email != "", Disabled: u.DisabledAt != nil}
	if u.Province != "" {
		b.ProvinceName = h.Accounts.ProvinceName(u.Province)
	}
	if p := principalOf(c); p != nil {
		by := quiz.User{ID: p.UserID, Role: p.Role}
		b.CanReset = quiz.MayReset(by, u) == nil && u.DisabledAt == nil
	}
	return b
}

// findAccountsAPI is GET /api/v1/accounts?login=PHONE_OR_EMAIL: the
// account with exactly that phone or e-mail, as a list of none or one.
func (h *Handler) findAccountsAPI(c *fiber.Ctx) error {
	u, err := h.AccountAdmin.FindAccount(c.UserContext(), h.actor(c), c.Query("login"))
	if quiz.ErrorCode(err) == quiz.CodeNotFound {
		return c.JSON(fiber.Map{"accounts": []accountBody{}})
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accounts": []accountBody{h.accountBodyOf(c, u)}})
}

// forgotBody is POST /auth/forgot's body.
type forgotBody struct {
	Email string `json:"email"`
}

// requestResetMail asks for a reset link by e-mail, under the limits per
// client address and per address asked for. The answer is the same
// whether or not the address has an account; the mail leaves in the
// background.
func (h *Handler) requestResetMail(c *fiber.Ctx, email string) error {
	if !h.AccountAdmin.MailsReset() || h.PublicURL == "" {
		return quiz.Errorf(quiz.CodeResetByEmailOff, "this installation sends no mail; ask the organizers for a reset link")
	}
	client := h.clientKey(c)
	if h.RateLimit {
		if ok, retry := h.forgot.byClient.take(client); !ok {
			return rateLimited(c, retry)
		}
	}
	normalized := quiz.NormalizeEmail(email)
	if h.RateLimit && normalized != "" {
		if ok, retry := h.forgot.byEmail.take(accountKey(normalized)); !ok {
			return rateLimited(c, retry)
		}
	}
	base, vi := strings.TrimRight(h.PublicURL, "/"), lang{langVI, h.cat}
	err := h.AccountAdmin.RequestByEmail(email, h.clientIP(c), func(link quiz.ResetLink) quiz.Mail {
		return quiz.Mail{Subject: vi.T("reset.mail_subject"), Text: vi.T("reset.mail_body", link.Account.FullName,
			resetURL(base, link.Token), link.ExpiresAt.In(vietnam).Format("15:04 ngày 02/01/2006"))}
	})
	if quiz.ErrorCode(err) == quiz.CodeValidation && h.RateLimit {
		h.forgot.byClient.give(client) // a typo is not an attempt
	}
	return err
}

// forgotAPI is POST /api/v1/auth/forgot {email} → 202, whatever the
// address.
func (h *Handler) forgotAPI(c *fiber.Ctx) error {
	var b forgotBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := h.requestResetMail(c, b.Email); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted",
		"expires_in_seconds": int(quiz.EmailResetTTL / time.Second)})
}

// resetBody is POST /auth/reset's body: the token travels in the body,
// not in the address, so that no log of addresses holds it.
type resetBody struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// useReset sets the password through a link, hashing in the client's
// turn.
func (h *Handler) useReset(c *fiber.Ctx, token, password string) (quiz.User, error) {
	ctx := quiz.WithHashTurn(c.UserContext(), func(work func()) error {
		return h.hashing(c, func() error { work(); return nil })
	})
	return h.AccountAdmin.Reset(ctx, token, password, h.clientIP(c))
}

// resetAPI is POST /api/v1/auth/reset {token, new_password} → 200 {user,
// must_change_password}: the password is set and every session of the
// account has ended; the holder signs in with it. 404
// reset_link_unknown, 410 reset_link_expired or reset_link_used.
func (h *Handler) resetAPI(c *fiber.Ctx) error {
	var b resetBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	u, err := h.useReset(c, b.Token, b.NewPassword)
	if err != nil {
		return err
	}
	must, err := h.AccountAdmin.MustChangePassword(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": userBrief{u.ID, u.Role, u.FullName}, "must_change_password": must})
}

// resetView is what the reset page shows.
type resetView struct {
	Token     string
	Name      string
	Login     string // for password managers, which file the new password under it
	ExpiresAt time.Time
	Problem   string // why the link cannot be used, in words
	Done      bool
	// ChangeAgain: the password set here must be changed at sign-in.
	ChangeAgain bool
	Mail        bool // people may ask for a new link by e-mail
	Form        passwordView
}

// resetPage is GET /reset/{token}: the new password asked twice, or why
// the link cannot be used. The link holds the token, so the page is kept
// by no cache and sends no Referer to anything it links to.
func (h *Handler) resetPage(c *fiber.Ctx) error {
	token := c.Params("token")
	r, u, err := h.AccountAdmin.CheckReset(c.UserContext(), token)
	v := resetView{Token: token, Mail: h.AccountAdmin.MailsReset() && h.PublicURL != ""}
	if err != nil {
		return h.resetProblem(c, v, err)
	}
	v.Name, v.Login, v.ExpiresAt, v.ChangeAgain = u.FullName, u.Login(), r.ExpiresAt, r.MustChangeAfter(u)
	return h.renderReset(c, fiber.StatusOK, v)
}

// resetForm is POST /reset/{token}. The token itself is what proves the
// form came from its holder, so the route needs neither a session nor the
// same-origin check (which a page that sends no Referer could not pass).
func (h *Handler) resetForm(c *fiber.Ctx) error {
	token := c.Params("token")
	v := resetView{Token: token, Mail: h.AccountAdmin.MailsReset() && h.PublicURL != ""}
	r, u, err := h.AccountAdmin.CheckReset(c.UserContext(), token)
	if err != nil {
		return h.resetProblem(c, v, err)
	}
	v.Name, v.Login, v.ExpiresAt, v.ChangeAgain = u.FullName, u.Login(), r.ExpiresAt, r.MustChangeAfter(u)
	l := h.lang(c)
	password := c.FormValue("new_password")
	if password != c.FormValue("new_password_confirm") {
		v.Form = passwordView{Errors: map[string]string{"new_password_confirm": l.T(msgPasswordMismatch)},
			Notice: l.T("err." + quiz.CodeValidation)}
		return h.renderReset(c, fiber.StatusUnprocessableEntity, v)
	}
	_, err = h.useReset(c, token, password)
	switch code := quiz.ErrorCode(err); code {
	case "":
		v.Done = true
		return h.renderReset(c, fiber.StatusOK, v)
	case quiz.CodeValidation, quiz.CodeRateLimited, quiz.CodeBusy:
		fields, notice := h.fieldErrors(c, err)
		v.Form = passwordView{Errors: fields, Notice: notice}
		return h.renderReset(c, statusOf[code], v)
	default:
		return h.resetProblem(c, v, err)
	}
}

// resetProblem shows why a link cannot be used, in words; an internal
// error goes to the error handler with the token out of the path it logs.
func (h *Handler) resetProblem(c *fiber.Ctx, v resetView, err error) error {
	code := quiz.ErrorCode(err)
	status, known := statusOf[code]
	if !known || code == quiz.CodeInternal {
		c.Path("/reset/…")
		return err
	}
	v.Problem = h.lang(c).T("err." + code)
	return h.renderReset(c, status, v)
}

func (h *Handler) renderReset(c *fiber.Ctx, status int, v resetView) error {
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex")
	return h.page(c, status, "reset", h.lang(c).T("reset.title"), v)
}

// forgotView is what the forgot page shows.
type forgotView struct {
	Mail   bool // the installation mails reset links
	Sent   bool
	Email  string
	Errors map[string]string
	Notice string
}

// forgotPage is GET /forgot: how to get a reset link.
func (h *Handler) forgotPage(c *fiber.Ctx) error {
	return h.renderForgot(c, fiber.StatusOK, forgotView{})
}

// forgotForm is POST /forgot: the same answer whether or not the address
// has an account.
func (h *Handler) forgotForm(c *fiber.Ctx) error {
	email := c.FormValue("email")
	err := h.requestResetMail(c, email)
	if quiz.ErrorCode(err) == quiz.CodeInternal {
		return err
	}
	v := forgotView{Email: email, Sent: err == nil}
	if err != nil {
		v.Errors, v.Notice = h.fieldErrors(c, err)
	}
	status := fiber.StatusOK
	if err != nil {
		status = statusOf[quiz.ErrorCode(err)]
	}
	return h.renderForgot(c, status, v)
}

func (h *Handler) renderForgot(c *fiber.Ctx, status int, v forgotView) error {
	v.Mail = h.AccountAdmin.MailsReset() && h.PublicURL != ""
	return h.page(c, status, "forgot", h.lang(c).T("reset.forgot_title"), v)
}

// accountsView is the organizers' account help page.
type accountsView struct {
	Login    string
	Searched bool
	Found    *accountBody
	Errors   map[string]string
	Notice   string
	Link     *issuedLink
}

// issuedLink is a link just issued, shown once to the staff member.
type issuedLink struct {
	URL       string
	ExpiresAt time.Time
	Name      string
	Staff     bool // a staff account: it changes the password again at sign-in
}

// accountsPage is GET /organize/accounts?login=…: find the account of a
// person who called, check them with what it shows, issue a link.
func (h *Handler) accountsPage(c *fiber.Ctx) error {
	v := accountsView{Login: c.Query("login")}
	if strings.TrimSpace(v.Login) != "" {
		v.Searched = true
		u, err := h.AccountAdmin.FindAccount(c.UserContext(), h.actor(c), v.Login)
		switch quiz.ErrorCode(err) {
		case "":
			b := h.accountBodyOf(c, u)
			v.Found = &b
		case quiz.CodeNotFound:
		case quiz.CodeInternal:
			return err
		default:
			v.Errors, v.Notice = h.fieldErrors(c, err)
			return h.renderAccounts(c, statusOf[quiz.ErrorCode(err)], v)
		}
	}
	return h.renderAccounts(c, fiber.StatusOK, v)
}

// issueResetForm is POST /organize/accounts/{id}/reset: the link, shown
// once on the page (never in an address).
func (h *Handler) issueResetForm(c *fiber.Ctx) error {
	l := h.lang(c)
	if c.FormValue("verified") != "yes" {
		v := accountsView{Login: c.FormValue("login"), Notice: l.T("reset.verify_first")}
		return h.renderAccounts(c, fiber.StatusUnprocessableEntity, v)
	}
	link, err := h.issueReset(c)
	if code := quiz.ErrorCode(err); code != "" {
		if code == quiz.CodeInternal {
			return err
		}
		v := accountsView{Login: c.FormValue("login"), Notice: l.T("err." + code)}
		return h.renderAccounts(c, statusOf[code], v)
	}
	v := accountsView{Link: &issuedLink{URL: resetURL(h.siteURL(c), link.Token), ExpiresAt: link.ExpiresAt,
		Name: link.Account.FullName, Staff: link.Account.Role.Staff()}}
	return h.renderAccounts(c, fiber.StatusOK, v)
}

func (h *Handler) renderAccounts(c *fiber.Ctx, status int, v accountsView) error {
	return h.page(c, status, "accounts", h.lang(c).T("reset.accounts_title"), v)
}
