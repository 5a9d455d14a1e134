package handlers

import (
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

// claims are the JWT's claims: the subject is the account id.
type claims struct {
	Role quiz.Role `json:"role"`
	jwt.RegisteredClaims
}

// principal is who made a request, from a valid token.
type principal struct {
	UserID int64
	Role   quiz.Role
	// viaCookie is true when the token came from the session cookie, which
	// a browser sends on its own: such requests must come from this site.
	viaCookie bool
}

const principalKey = "principal"

// issueToken signs a token for u.
func (h *Handler) issueToken(u quiz.User) (string, time.Time, error) {
	now := h.Now()
	exp := now.Add(h.TokenTTL)
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Role: u.Role,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   strconv.FormatInt(u.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	})
	signed, err := token.SignedString(h.JWTKey)
	return signed, exp, err
}

// parseToken checks a token's signature, method, issuer and expiry.
func (h *Handler) parseToken(s string) (*principal, error) {
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
	if err != nil || id <= 0 || !cl.Role.Valid() {
		return nil, jwt.ErrTokenInvalidClaims
	}
	return &principal{UserID: id, Role: cl.Role}, nil
}

// authenticate reads the bearer token or, failing that, the session cookie.
// A bad bearer token is refused at once; a bad cookie is ignored (the
// visitor is anonymous) so that an expired session still sees public pages.
// A token outlives a deleted account: one whose account is gone counts as
// bad. Which accounts are gone is kept in memory (Accounts.Gone), so the
// check reads nothing from the database on most requests.
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
		if gone, err := h.Accounts.Gone(c.UserContext(), p.UserID); err != nil {
			return err
		} else if gone {
			return quiz.Errorf(quiz.CodeUnauthorized, "the account no longer exists")
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
	if cookie := c.Cookies(sessionCookie); cookie != "" {
		if p, err := h.parseToken(cookie); err == nil {
			gone, err := h.Accounts.Gone(c.UserContext(), p.UserID)
			if err != nil {
				return err
			}
			if !gone {
				p.viaCookie = true
				c.Locals(principalKey, p)
			}
		}
	}
	return c.Next()
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
	if c.Get(fiber.HeaderOrigin) == "" && (p == nil || !p.viaCookie) {
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
		err = h.hashing(c, func() (err error) {
			u, err = h.createContestant(c, b, ip)
			return err
		})
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
	return h.startSession(c, u)
}

// startSession signs a token for u and gives it to the browser as the
// session cookie too.
func (h *Handler) startSession(c *fiber.Ctx, u quiz.User) (quiz.User, string, error) {
	token, exp, err := h.issueToken(u)
	if err != nil {
		return quiz.User{}, "", err
	}
	h.setSession(c, token, exp)
	return u, token, nil
}

func (h *Handler) createContestant(c *fiber.Ctx, b registerBody, ip string) (quiz.User, error) {
	if b.ConsentVersion != "" && b.Consent {
		text, err := h.Accounts.ConsentText(c.UserContext(), quiz.PurposeContest)
		if err != nil {
			return quiz.User{}, err
		}
		if text.Version != b.ConsentVersion {
			return quiz.User{}, &quiz.Error{Code: quiz.CodeValidation, Message: "the consent text has changed",
				Fields: map[string]string{"consent": msgConsentChanged}}
		}
	}
	return h.Accounts.Register(c.UserContext(), quiz.Registration{
		FullName: b.FullName, BirthDate: b.BirthDate, IDNumber: b.IDNumber, Phone: b.Phone, Email: b.Email,
		Province: b.Province, Commune: b.Commune, Unit: b.Unit, Password: b.Password, Consent: b.Consent,
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
	u, err := h.checkPassword(c, read)
	if err != nil {
		return quiz.User{}, "", err
	}
	return h.startSession(c, u)
}

func (h *Handler) loginAPI(c *fiber.Ctx) error {
	u, token, err := h.login(c, func() (b loginBody, err error) {
		err = decodeJSON(c, &b)
		return b, err
	})
	if err != nil {
		return err
	}
	return c.JSON(sessionAnswer{Token: token, User: userBrief{u.ID, u.Role, u.FullName}})
}

// logoutAPI ends the browser session. A bearer token stays valid until it
// expires; API clients simply forget it.
func (h *Handler) logoutAPI(c *fiber.Ctx) error {
	h.clearSession(c)
	return c.SendStatus(fiber.StatusNoContent)
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
}

type consentBody struct {
	Purpose  string `json:"purpose"`
	Version  string `json:"version"`
	AgreedAt string `json:"agreed_at"`
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
		CreatedAt: apiTime(u.CreatedAt), Consents: []consentBody{}}
	for _, k := range consents {
		body.Consents = append(body.Consents, consentBody{k.Purpose, k.Version, apiTime(k.AgreedAt)})
	}
	return c.JSON(body)
}

// showConsent gives the consent text in force, for clients that register
// through the API: they show it and send its version back.
func (h *Handler) showConsent(c *fiber.Ctx) error {
	text, err := h.Accounts.ConsentText(c.UserContext(), quiz.PurposeContest)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"purpose": text.Purpose, "version": text.Version, "text_vi": text.BodyVI, "text_en": text.BodyEN})
}
