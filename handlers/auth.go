package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"

	"hoithi/quiz"
)

// sessionCookie carries the JWT for pages and the browser's websockets.
const sessionCookie = "hoithi_token"

const tokenIssuer = "hoithi"

// claims are the JWT's claims: the subject is the account id, the ID (jti)
// names the session, and epoch is the account's session epoch at sign-in.
// MustChange marks the session of an account that owes a password change
// (its password was chosen by someone else): the flag changes only with
// the password, which starts a new epoch, so the token can carry it.
type claims struct {
	Role       quiz.Role `json:"role"`
	Epoch      int64     `json:"epoch,omitempty"`
	MustChange bool      `json:"pwc,omitempty"`
	jwt.RegisteredClaims
}

// principal is who made a request, from a valid token.
type principal struct {
	UserID int64
	Role   quiz.Role
	// viaCookie is true when the token came from the session cookie, which
	// a browser sends on its own: such requests must come from this site.
	viaCookie bool
	// session is the token's session, which a logout ends.
	session quiz.Session
	// mustChange: the account must change its password before anything
	// else (mayWhileChangeOwed).
	mustChange bool
}

const (
	principalKey = "principal"
	// foreignCookieKey marks a request whose session cookie was set aside
	// because another site sent it.
	foreignCookieKey = "foreign_cookie"
)

// issueToken signs a token for u, with a session id of its own.
func (h *Handler) issueToken(u quiz.User, mustChange bool) (string, time.Time, error) {
	now := h.Now()
	exp := now.Add(h.TokenTTL)
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", time.Time{}, err
	}
	cl := claims{
		Role:       u.Role,
		Epoch:      u.SessionEpoch,
		MustChange: mustChange,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   strconv.FormatInt(u.ID, 10),
			ID:        base64.RawURLEncoding.EncodeToString(id),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, cl).SignedString(h.JWTKey)
	if err != nil {
		return "", time.Time{}, err
	}
	// The server knows what it just signed: the token's first request
	// finds it verified, as its later ones would.
	h.tokens.put(sha256.Sum256([]byte(signed)), principal{UserID: u.ID, Role: u.Role, mustChange: mustChange,
		session: quiz.Session{ID: cl.ID, UserID: u.ID, Epoch: u.SessionEpoch, ExpiresAt: cl.ExpiresAt.Time.UTC()}})
	return signed, exp, nil
}

// parseToken checks a token's signature, method, issuer and expiry. A
// token without a session id was signed by a hoithi from before sessions
// could end: its session is named after the token itself, so that a
// logout ends it like any other, and its epoch is the first, so that a
// password change or a disable ends it too. Its holder stays signed in
// across the upgrade.
func (h *Handler) parseToken(s string) (*principal, error) {
	p, sum, ok := h.tokens.get(s)
	if ok {
		if !h.Now().Before(p.session.ExpiresAt) {
			return nil, jwt.ErrTokenExpired
		}
		return &p, nil
	}
	verified, err := h.verifyToken(s)
	if err != nil {
		return nil, err
	}
	h.tokens.put(sum, *verified)
	return verified, nil
}

// verifyToken decodes a token and checks it (parseToken).
func (h *Handler) verifyToken(s string) (*principal, error) {
	var cl claims
	_, err := jwt.ParseWithClaims(s, &cl, func(*jwt.Token) (any, error) { return h.JWTKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(h.Now),
	)
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(cl.Subject, 10, 64)
	if err != nil || id <= 0 || !cl.Role.Valid() || cl.ExpiresAt == nil {
		return nil, jwt.ErrTokenInvalidClaims
	}
	if cl.ID == "" {
		sum := sha256.Sum256([]byte(s))
		cl.ID = "t" + base64.RawURLEncoding.EncodeToString(sum[:16])
	}
	return &principal{UserID: id, Role: cl.Role, mustChange: cl.MustChange, session: quiz.Session{
		ID: cl.ID, UserID: id, Epoch: cl.Epoch, ExpiresAt: cl.ExpiresAt.Time.UTC(),
	}}, nil
}

// authenticate reads the bearer token or, failing that, the session cookie.
// A bad bearer token is refused at once; a bad cookie is ignored (the
// visitor is anonymous) so that an expired session still sees public pages.
// A token outlives its session: one that was logged out, or whose account
// changed its password, was disabled or was deleted since, counts as bad.
// What has ended is kept in memory (Accounts.SessionOver), so the check
// reads nothing from the database on most requests.
//
// A cookie another site sent counts for nothing: a page elsewhere must not
// read, through the visitor's browser, what their session may see (an
// unpublished contest's leaderboard, say). The one exception is the
// browser's own navigation to a page (a link followed from a provincial
// portal), whose answer only the visitor sees.
func (h *Handler) authenticate(c *fiber.Ctx) error {
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return quiz.Errorf(quiz.CodeUnauthorized, "the Authorization header must be a Bearer token")
		}
		p, err := h.parseToken(strings.TrimSpace(token))
		if err != nil {
			return quiz.Errorf(quiz.CodeUnauthorized, "invalid or expired token")
		}
		if live, err := h.live(c, p); err != nil {
			return err
		} else if !live {
			return quiz.Errorf(quiz.CodeUnauthorized, "this session has ended; sign in again")
		}
		c.Locals(principalKey, p)
		if p.mustChange && !mayWhileChangeOwed(c) {
			return passwordChangeOwed(c)
		}
		return c.Next()
	}
	if cookie := c.Cookies(sessionCookie); cookie != "" {
		if !fromThisSite(c) && !pageNavigation(c) {
			c.Locals(foreignCookieKey, true)
			return c.Next()
		}
		if p, err := h.parseToken(cookie); err == nil {
			live, err := h.live(c, p)
			if err != nil {
				return err
			}
			if live {
				p.viaCookie = true
				c.Locals(principalKey, p)
				if p.mustChange && !mayWhileChangeOwed(c) {
					return passwordChangeOwed(c)
				}
			}
		}
	}
	return c.Next()
}

// live reports whether the session p holds still stands: it was not
// logged out, and its account has not changed its password, been disabled
// or been deleted since.
func (h *Handler) live(c *fiber.Ctx, p *principal) (bool, error) {
	over, err := h.Accounts.SessionOver(c.UserContext(), p.session)
	return !over, err
}

// pageNavigation reports whether a request is the browser's own top-level
// navigation to a page of the site (a link followed from elsewhere). The
// Sec-Fetch headers are set by the browser and no page's script can set
// them; the answer goes to the visitor's window, which the other site
// cannot read. The API and the websockets never count as such.
func pageNavigation(c *fiber.Ctx) bool {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
	default:
		return false
	}
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/ws/") {
		return false
	}
	return c.Get("Sec-Fetch-Mode") == "navigate" && c.Get("Sec-Fetch-Dest") == "document"
}

func principalOf(c *fiber.Ctx) *principal {
	p, _ := c.Locals(principalKey).(*principal)
	return p
}

// require lets through requests from an account that may act as role (any
// signed-in account when role is empty): 401 without one, 403 otherwise.
func require(role quiz.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principalOf(c)
		if p == nil {
			return quiz.Errorf(quiz.CodeUnauthorized, "sign in first")
		}
		if role != "" && !p.Role.Can(role) {
			return quiz.Errorf(quiz.CodeForbidden, "this needs the %s role", role)
		}
		return c.Next()
	}
}

// sameOrigin refuses state-changing requests that a browser sent from
// another site: any with a foreign Origin (so that no page elsewhere can
// post a login, a registration or an answer here), and those carrying the
// session cookie with a foreign Referer. SameSite=Lax already keeps the
// cookie off most of them; this closes the rest. Programs calling the API
// send no Origin and are not affected.
func sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	p := principalOf(c)
	foreignCookie, _ := c.Locals(foreignCookieKey).(bool)
	if c.Get(fiber.HeaderOrigin) == "" && (p == nil || !p.viaCookie) && !foreignCookie {
		return c.Next()
	}
	if !fromThisSite(c) {
		return quiz.Errorf(quiz.CodeForbidden, "cross-site request refused")
	}
	return c.Next()
}

// fromThisSite reports whether the request's Origin (or, lacking one, its
// Referer) is this site. A request with neither is allowed: browsers send
// Origin on every cross-site POST and websocket.
func fromThisSite(c *fiber.Ctx) bool {
	src := c.Get(fiber.HeaderOrigin)
	if src == "" {
		src = c.Get(fiber.HeaderReferer)
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, string(c.Request().Host()))
}

// setSession gives the browser the token in an HttpOnly cookie.
func (h *Handler) setSession(c *fiber.Ctx, token string, exp time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: exp,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.SecureCookie,
	})
}

func (h *Handler) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.SecureCookie,
	})
}

// registerBody is POST /auth/register's body.
type registerBody struct {
	FullName       string `json:"full_name"`
	BirthDate      string `json:"birth_date"`
	IDNumber       string `json:"id_number"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	Province       string `json:"province"`
	Commune        string `json:"commune"`
	Unit           string `json:"unit"`
	Password       string `json:"password"`
	Consent        bool   `json:"consent"`
	ConsentVersion string `json:"consent_version"`
	// Guardian is the legal representative's consent, needed under 16.
	Guardian *guardianBody `json:"guardian"`
	// AtLeast16: the person says they are 16 or over, when the contest
	// registered through asks no birth date.
	AtLeast16 bool `json:"at_least_16"`
	// ContestID is the contest registered through: its controller is the
	// one the consent names, and it says whether the identity number and
	// birth date are asked now.
	ContestID int64 `json:"contest_id"`

	contest *quiz.Contest // the page's contest, read from its next path
}

// userBrief is the account as login and registration return it.
type userBrief struct {
	ID       int64     `json:"id"`
	Role     quiz.Role `json:"role"`
	FullName string    `json:"full_name"`
}

type sessionAnswer struct {
	Token string    `json:"token"`
	User  userBrief `json:"user"`
	// MustChangePassword: the account's password was chosen by someone
	// else; every call but POST /me/password and logout answers 403
	// password_change_required until it is changed.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// register creates a contestant account, shared by the API and the page.
// read gives the form; it is called only once the client's address may
// still register, so that the body of a refused request is never read.
// Registrations refused for invalid input do not count against the
// client's limit: an office fixing a typo is not an attack. The password
// is hashed in the client's turn (hashing).
func (h *Handler) register(c *fiber.Ctx, read func() (registerBody, error)) (quiz.User, string, error) {
	ip := h.clientIP(c)
	addr := addressKey(ip)
	if h.RateLimit {
		if ok, retry := h.signups.take(addr); !ok {
			return quiz.User{}, "", rateLimited(c, retry)
		}
	}
	b, err := read()
	var u quiz.User
	if err == nil {
		// Only the password's hash waits for a hashing turn: the checks
		// and the database write run outside it, and registrations of an
		// opening rush share commits.
		c.SetUserContext(quiz.WithHashTurn(c.UserContext(), func(work func()) error {
			return h.hashing(c, func() error { work(); return nil })
		}))
		u, err = h.createContestant(c, b, ip)
	}
	if err != nil {
		switch quiz.ErrorCode(err) {
		case quiz.CodeValidation, codeMalformedJSON, quiz.CodeRateLimited:
			if h.RateLimit {
				h.signups.give(addr)
			}
		}
		return quiz.User{}, "", err
	}
	return h.startSession(c, u, false)
}

// startSession signs a token for u and gives it to the browser as the
// session cookie too; mustChange marks an account that owes a password
// change.
func (h *Handler) startSession(c *fiber.Ctx, u quiz.User, mustChange bool) (quiz.User, string, error) {
	token, exp, err := h.issueToken(u, mustChange)
	if err != nil {
		return quiz.User{}, "", err
	}
	h.setSession(c, token, exp)
	return u, token, nil
}

// createContestant registers a contestant with their consent to the notice
// of the contest they register through (the installation's without one),
// filled in as it was shown to them.
func (h *Handler) createContestant(c *fiber.Ctx, b registerBody, ip string) (quiz.User, error) {
	ct := b.contest
	if b.ContestID != 0 {
		found, err := h.Catalog.Contest(c.UserContext(), b.ContestID)
		if quiz.ErrorCode(err) == quiz.CodeNotFound || err == nil && found.PublishedAt == nil {
			return quiz.User{}, &quiz.Error{Code: quiz.CodeValidation, Message: "no such contest",
				Fields: map[string]string{"contest_id": quiz.MsgInvalid}}
		}
		if err != nil {
			return quiz.User{}, err
		}
		ct = &found
	}
	notice, err := h.Consents.Notice(c.UserContext(), ct, h.lang(c).Code())
	if err != nil {
		return quiz.User{}, err
	}
	if b.ConsentVersion != "" && b.Consent && notice.Version != b.ConsentVersion {
		return quiz.User{}, &quiz.Error{Code: quiz.CodeValidation, Message: "the consent text has changed",
			Fields: map[string]string{"consent": msgConsentChanged}}
	}
	return h.Accounts.Register(c.UserContext(), quiz.Registration{
		FullName: b.FullName, BirthDate: b.BirthDate, IDNumber: b.IDNumber, Phone: b.Phone, Email: b.Email,
		Province: b.Province, Commune: b.Commune, Unit: b.Unit, Password: b.Password, Consent: b.Consent,
		AtLeast16: b.AtLeast16, Guardian: b.Guardian.consent(), Notice: notice,
	}, quiz.ClientInfo{IP: ip, UserAgent: c.Get(fiber.HeaderUserAgent)})
}

const msgConsentChanged = "field.consent_changed"

func (h *Handler) registerAPI(c *fiber.Ctx) error {
	u, token, err := h.register(c, func() (b registerBody, err error) {
		err = decodeJSON(c, &b)
		return b, err
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sessionAnswer{Token: token, User: userBrief{u.ID, u.Role, u.FullName}})
}

type loginBody struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// login checks credentials under the limits on failed logins
// (checkPassword), shared by the API and the page; read gives the login
// and password.
func (h *Handler) login(c *fiber.Ctx, read func() (loginBody, error)) (quiz.User, string, error) {
	u, token, _, err := h.signIn(c, read)
	return u, token, err
}

// signIn is login, also saying whether the account owes a password
// change; its session is marked so.
func (h *Handler) signIn(c *fiber.Ctx, read func() (loginBody, error)) (quiz.User, string, bool, error) {
	u, err := h.checkPassword(c, read)
	if err != nil {
		return quiz.User{}, "", false, err
	}
	must, err := h.AccountAdmin.MustChangePassword(c.UserContext(), u.ID)
	if err != nil {
		return quiz.User{}, "", false, err
	}
	u, token, err := h.startSession(c, u, must)
	return u, token, must, err
}

func (h *Handler) loginAPI(c *fiber.Ctx) error {
	u, token, must, err := h.signIn(c, func() (b loginBody, err error) {
		err = decodeJSON(c, &b)
		return b, err
	})
	if err != nil {
		return err
	}
	return c.JSON(sessionAnswer{Token: token, User: userBrief{u.ID, u.Role, u.FullName}, MustChangePassword: must})
}

// logoutAPI ends the session of the token it is called with, bearer or
// cookie: that token gets 401 from then on, on every server sharing the
// database. Without a session there is nothing to end, and the answer is
// the same.
func (h *Handler) logoutAPI(c *fiber.Ctx) error {
	if err := h.endSessions(c); err != nil {
		return err
	}
	h.clearSession(c)
	return c.SendStatus(fiber.StatusNoContent)
}

// endSessions ends the request's session and, when it came with a bearer
// token, the session of the cookie sent from this site beside it too: a
// logout must leave no token of that browser usable by whoever copied it.
func (h *Handler) endSessions(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principalOf(c)
	if p != nil {
		if err := h.Accounts.EndSession(ctx, p.session); err != nil {
			return err
		}
	}
	if p != nil && p.viaCookie {
		return nil
	}
	cookie := c.Cookies(sessionCookie)
	if cookie == "" || !fromThisSite(c) {
		return nil
	}
	cp, err := h.parseToken(cookie)
	if err != nil || (p != nil && cp.session.ID == p.session.ID) {
		return nil
	}
	if live, err := h.live(c, cp); err != nil || !live {
		return err
	}
	return h.Accounts.EndSession(ctx, cp.session)
}

// meBody is a person's own account as GET /me shows it.
type meBody struct {
	ID        int64         `json:"id"`
	Role      quiz.Role     `json:"role"`
	FullName  string        `json:"full_name"`
	BirthDate string        `json:"birth_date,omitempty"`
	IDNumber  string        `json:"id_number,omitempty"`
	Phone     string        `json:"phone,omitempty"`
	Email     string        `json:"email,omitempty"`
	Province  string        `json:"province,omitempty"`
	Commune   string        `json:"commune,omitempty"`
	Unit      string        `json:"unit,omitempty"`
	CreatedAt string        `json:"created_at"`
	Consents  []consentBody `json:"consents"`
	// MustChangePassword: see sessionAnswer.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

type consentBody struct {
	Purpose  string `json:"purpose"`
	Version  string `json:"version"`
	AgreedAt string `json:"agreed_at"`
	// GivenBy is "self", or "guardian" for a legal representative's
	// consent, who is then named.
	GivenBy    string        `json:"given_by"`
	Guardian   *guardianInfo `json:"guardian,omitempty"`
	ContestID  *int64        `json:"contest_id"`
	Controller string        `json:"controller"`
	Lang       string        `json:"lang"`
	// TextSHA256 is the SHA-256 of the text shown, which the download of
	// one's own data holds word for word; empty for the first version.
	TextSHA256 string `json:"text_sha256"`
}

// guardianInfo is a legal representative as a consent record names them.
type guardianInfo struct {
	FullName     string `json:"full_name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

func consentBodyOf(k quiz.Consent) consentBody {
	out := consentBody{Purpose: k.Purpose, Version: k.Version, AgreedAt: apiTime(k.AgreedAt), GivenBy: k.GivenBy(),
		Controller: k.Controller, Lang: k.Lang, TextSHA256: k.TextSHA256}
	if k.ContestID != 0 {
		id := k.ContestID
		out.ContestID = &id
	}
	if g := k.Representative; g != nil {
		out.Guardian = &guardianInfo{g.FullName, g.Relationship, g.Phone}
	}
	return out
}

func (h *Handler) showMe(c *fiber.Ctx) error {
	p := principalOf(c)
	u, err := h.Accounts.User(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	consents, err := h.Accounts.Consents(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	body := meBody{ID: u.ID, Role: u.Role, FullName: u.FullName, BirthDate: u.BirthDate, IDNumber: u.IDNumber,
		Phone: u.Phone, Email: u.Email, Province: u.Province, Commune: u.Commune, Unit: u.Unit,
		CreatedAt: apiTime(u.CreatedAt), Consents: []consentBody{}, MustChangePassword: p.mustChange}
	for _, k := range consents {
		body.Consents = append(body.Consents, consentBodyOf(k))
	}
	return c.JSON(body)
}

// showConsent gives the consent text in force, for clients that register
// through the API: they show it and send its version back. With
// ?contest_id= it names that contest's controller, as a registration
// through that contest records it.
func (h *Handler) showConsent(c *fiber.Ctx) error {
	var ct *quiz.Contest
	if raw := c.Query("contest_id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return quiz.NotFound("contest")
		}
		found, err := h.Catalog.Contest(c.UserContext(), id)
		if err != nil {
			return err
		}
		if !visible(c, found.PublishedAt != nil) {
			return quiz.NotFound("contest")
		}
		ct = &found
	}
	vi, err := h.Consents.Notice(c.UserContext(), ct, langVI)
	if err != nil {
		return err
	}
	en, err := h.Consents.Notice(c.UserContext(), ct, langEN)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"purpose": quiz.PurposeContest, "version": vi.Version, "text_vi": vi.Text, "text_en": en.Text,
		"controller": controllerBodyOf(vi.Controller), "identity_at": vi.IdentityAt, "contest_id": vi.ContestID})
}

// passwordBody is POST /me/password's body.
type passwordBody struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword checks the current password, sets the new one and ends
// every session of the account; the session that asked goes on under a
// new token, set as the cookie too. Wrong current passwords count against
// the client's and the account's limits on failed logins, as deleting an
// account does (a token left on a shared computer must not let anyone
// guess at leisure), and both bcrypt computations wait their turn.
func (h *Handler) changePassword(c *fiber.Ctx, b passwordBody) (quiz.User, string, error) {
	p := principalOf(c)
	var u quiz.User
	err := h.guardPassword(c, func() (string, error) {
		me, err := h.Accounts.User(c.UserContext(), p.UserID)
		return me.Login(), err
	}, func() (bool, error) {
		var err error
		u, err = h.Accounts.ChangePassword(c.UserContext(), p.UserID, b.CurrentPassword, b.NewPassword)
		return wrongCurrentPassword(err), err
	})
	if err != nil {
		return quiz.User{}, "", err
	}
	// The password is the holder's own now, whoever chose the last one.
	if err := h.AccountAdmin.PasswordChanged(c.UserContext(), u.ID); err != nil {
		return quiz.User{}, "", err
	}
	return h.startSession(c, u, false)
}

func wrongCurrentPassword(err error) bool {
	var qe *quiz.Error
	return errors.As(err, &qe) && qe.Fields["current_password"] == quiz.MsgPasswordWrong
}

// changePasswordAPI is POST /api/v1/me/password: 200 with the session's
// new token; the one it was called with has ended with the others.
func (h *Handler) changePasswordAPI(c *fiber.Ctx) error {
	var b passwordBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	u, token, err := h.changePassword(c, b)
	if err != nil {
		return err
	}
	return c.JSON(sessionAnswer{Token: token, User: userBrief{u.ID, u.Role, u.FullName}})
}

// passwordView is the password form of the /me page.
type passwordView struct {
	Errors  map[string]string
	Notice  string
	Changed bool
}

// passwordForm is the password form of the /me page. The page comes back
// saying the password changed, or with the reason it did not.
func (h *Handler) passwordForm(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	b := passwordBody{CurrentPassword: c.FormValue("current_password"), NewPassword: c.FormValue("new_password")}
	if b.NewPassword != c.FormValue("new_password_confirm") {
		l := h.lang(c)
		return h.renderPasswordForm(c, fiber.StatusUnprocessableEntity, passwordView{
			Errors: map[string]string{"new_password_confirm": l.T(msgPasswordMismatch)}, Notice: l.T("err." + quiz.CodeValidation),
		})
	}
	_, _, err := h.changePassword(c, b)
	switch code := quiz.ErrorCode(err); code {
	case "":
		return h.renderPasswordForm(c, fiber.StatusOK, passwordView{Changed: true})
	case quiz.CodeInternal:
		return err
	case quiz.CodeUnauthorized:
		h.clearSession(c)
		return loginRedirect(c)
	default:
		fields, notice := h.fieldErrors(c, err)
		return h.renderPasswordForm(c, statusOf[code], passwordView{Errors: fields, Notice: notice})
	}
}

// renderPasswordForm shows the outcome of a password change where it was
// made: on /me, or on the page an account that owed the change was kept on.
func (h *Handler) renderPasswordForm(c *fiber.Ctx, status int, v passwordView) error {
	if p := principalOf(c); p != nil && p.mustChange {
		return h.passwordOwedPage(c, status, v)
	}
	return h.renderMe(c, status, meForms{Password: v})
}

const msgPasswordMismatch = "field.password_mismatch"
