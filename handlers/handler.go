// Package handlers serves hoithi over HTTP: the JSON API, the pages and the
// websockets. Every route is listed in routes.go.
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/hub"
	"hoithi/metrics"
	"hoithi/quiz"
)

// Deps is everything the handlers use, made in main.go.
type Deps struct {
	Accounts *quiz.Accounts
	Catalog  *quiz.Catalog
	Engine   *quiz.Engine
	Stats    quiz.StatsStore
	// Results ranks rounds, allocates prizes and locks the lists.
	Results *quiz.Results
	// Audit keeps the audit log of locks, exports and personal data.
	Audit quiz.AuditStore
	// Privacy gives contestants their data and deletes accounts.
	Privacy *quiz.Privacy
	// Certificates keeps who issues and signs each contest's certificates.
	Certificates *quiz.Certificates
	// AccountAdmin issues reset links, names staff accounts and keeps the
	// password changes that accounts owe.
	AccountAdmin *quiz.AccountAdmin
	// PublicURL is the site's address as people reach it, the base of
	// reset links; "" takes the request's own.
	PublicURL string
	// Consents names each contest's data controller, fills in the consent
	// text and keeps contestants out of a contest until they consented to
	// its controller and gave what it asks.
	Consents *quiz.Consents
	// Live runs the live quizzes.
	Live *quiz.Live
	// Notifier carries the domain's changes (quiz.Event) to what the
	// handlers keep: the verified tokens, the boards pushed to sockets.
	// The services above announce on the same one.
	Notifier quiz.Notifier
	// Ready reports whether the database answers, for /healthz.
	Ready   func(ctx context.Context) error
	Metrics *metrics.Metrics
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// Profiling serves Go's profiles under /debug/pprof/ to the bearer of
	// MetricsToken, which it needs, and records lock contention and
	// blocking for them.
	Profiling bool
	// JWTKey signs and checks the HS256 tokens.
	JWTKey   []byte
	TokenTTL time.Duration
	// RateLimit turns on the limits on failed logins (per client address
	// and per account) and registrations.
	RateLimit bool
	// SocketsPerAddress caps the websockets open from one client address;
	// 0 sets no cap.
	SocketsPerAddress int
	// HashWorkers is how many password hashes or checks run at once; more
	// wait their turn (0: one per core).
	HashWorkers int
	// SecureCookie marks the session cookie Secure (behind HTTPS).
	SecureCookie bool
	// TrustedProxies are the addresses and CIDR ranges of reverse proxies
	// whose X-Forwarded-For is believed.
	TrustedProxies []string
	Now            func() time.Time
	Log            *slog.Logger
}

// Handler holds the dependencies and what the handlers keep between
// requests.
type Handler struct {
	Deps
	pages   *pages
	cat     *catalog
	proxies proxies
	logins  *limiter // failed logins per client address
	signups *limiter // registrations per client address

	accounts *limiter     // failed logins per account, from any address
	forgot   forgotLimits // reset links asked for by e-mail
	hashes   *hashQueue   // password hashing, in turns by client address
	imports  pendingImports

	sockets *hub.Hub     // every open websocket, what it follows, the attempts' own
	boards  *boardFeeds  // the watched rounds' boards, encoded once and pushed
	figures *liveFigures // the rounds' live figures, computed once and pushed
	tokens  verifiedTokens
	texts   jsonTexts // the JSON of the texts state messages carry
}

// Limits from the contract: per client address and minute, and per
// account.
const (
	failedLoginsPerMinute  = 30
	registrationsPerMinute = 120
	failedLoginsPerAccount = 10
	accountLoginWindow     = 15 * time.Minute
)

// New builds the handlers.
func New(d Deps) (*Handler, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	p, err := loadPages(cat, d.Accounts)
	if err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.AccountAdmin == nil {
		return nil, errors.New("handlers: no AccountAdmin")
	}
	if d.Notifier == nil {
		return nil, errors.New("handlers: no Notifier")
	}
	trusted, err := parseProxies(d.TrustedProxies)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		Deps: d, pages: p, cat: cat, proxies: trusted,
		logins:   newLimiter(failedLoginsPerMinute, time.Minute, d.Now),
		accounts: newLimiter(failedLoginsPerAccount, accountLoginWindow, d.Now),
		signups:  newLimiter(registrationsPerMinute, time.Minute, d.Now),
		forgot:   newForgotLimits(d.Now),
		hashes:   newHashQueue(d.HashWorkers, hashQueuePerAddress, hashQueueTotal),
	}
	h.sockets = hub.New(hub.Config{PerAddress: d.SocketsPerAddress, Opened: func(kind string, delta int) {
		if d.Metrics != nil {
			d.Metrics.Sockets.WithLabelValues(kind).Add(float64(delta))
		}
	}})
	h.boards = newBoardFeeds(h.sockets, d.Engine.Board)
	var statsRead func(time.Duration)
	if d.Metrics != nil {
		statsRead = func(took time.Duration) { d.Metrics.StatsSeconds.Observe(took.Seconds()) }
	}
	h.figures = newLiveFigures(h.sockets, h.computeStats, d.Now, d.Log, statsRead)
	h.speakLive()
	d.Notifier.Subscribe(h.tokens.hear)
	d.Notifier.Subscribe(h.boards.hear)
	d.Notifier.Subscribe(h.hearClaim)
	d.Notifier.Subscribe(h.hearSubmitted)
	return h, nil
}

// App returns the Fiber application with every route.
func (h *Handler) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "hoithi",
		ErrorHandler:          h.handleError,
		Immutable:             true,
		BodyLimit:             uploadBodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Each connection reads its request's line and headers through a
		// buffer of this size (a cookie and a token fit many times over;
		// larger headers get 431), taken from a pool while a request is
		// read and given back while the connection waits for its next
		// one: tens of thousands of browsers keep a connection open
		// between requests, and the round's opening second reads as many
		// requests at once.
		ReadBufferSize:    8 << 10,
		ReduceMemoryUsage: true,

		// Bodies are streamed: limitBody refuses one over its route's limit
		// before it is read, and BodyLimit (the largest any route takes)
		// only caps what is read ahead. The multipart form of an upload is
		// read by its handler, once the caller's role is checked.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	})
	// A websocket's connection is the hub's once taken over (upgrade).
	app.Server().KeepHijackedConns = true
	h.routes(app)
	return app
}

// statusOf maps error codes to HTTP statuses; a code not listed is a 500.
var statusOf = map[string]int{
	quiz.CodeValidation:        fiber.StatusUnprocessableEntity,
	quiz.CodeNotFound:          fiber.StatusNotFound,
	quiz.CodeUnauthorized:      fiber.StatusUnauthorized,
	quiz.CodeInvalidLogin:      fiber.StatusUnauthorized,
	quiz.CodeForbidden:         fiber.StatusForbidden,
	quiz.CodeAccountDisabled:   fiber.StatusForbidden,
	quiz.CodeAccountExists:     fiber.StatusConflict,
	quiz.CodeSlugTaken:         fiber.StatusConflict,
	quiz.CodeBankNameTaken:     fiber.StatusConflict,
	quiz.CodeDuplicateQuestion: fiber.StatusConflict,
	quiz.CodeRoundLocked:       fiber.StatusConflict,
	quiz.CodeRoundNotClosed:    fiber.StatusConflict,
	quiz.CodeAlreadyLocked:     fiber.StatusConflict,
	quiz.CodeNotLocked:         fiber.StatusConflict,
	quiz.CodeRoundStarted:      fiber.StatusConflict,
	quiz.CodeRateLimited:       fiber.StatusTooManyRequests,
	quiz.CodeBusy:              fiber.StatusServiceUnavailable,
	quiz.CodeRoundNotOpen:      fiber.StatusConflict,
	quiz.CodeAttemptsExhausted: fiber.StatusConflict,
	quiz.CodeConsentRequired:   fiber.StatusConflict,
	quiz.CodeIdentityRequired:  fiber.StatusConflict,
	quiz.CodeNotEnough:         fiber.StatusConflict,
	quiz.CodeDeadlinePassed:    fiber.StatusConflict,
	quiz.CodeAlreadySubmitted:  fiber.StatusConflict,
	quiz.CodeUnknownQuestion:   fiber.StatusUnprocessableEntity,
	quiz.CodeInvalidOption:     fiber.StatusUnprocessableEntity,
	quiz.CodeInvalidPrediction: fiber.StatusUnprocessableEntity,
	quiz.CodeBadMessage:        fiber.StatusBadRequest,
	quiz.CodeInvalidFile:       fiber.StatusUnprocessableEntity,
	codeMalformedJSON:          fiber.StatusBadRequest,
	codeBodyTooLarge:           fiber.StatusRequestEntityTooLarge,
	codeUnsupportedEncoding:    fiber.StatusUnsupportedMediaType,
	codeBadRequest:             fiber.StatusBadRequest,
	codeRequestTimeout:         fiber.StatusRequestTimeout,
	quiz.CodeInternal:          fiber.StatusInternalServerError,

	// Reset links and the password change a new account owes.
	quiz.CodePasswordChangeRequired: fiber.StatusForbidden,
	quiz.CodeResetLinkUnknown:       fiber.StatusNotFound,
	quiz.CodeResetLinkExpired:       fiber.StatusGone,
	quiz.CodeResetLinkUsed:          fiber.StatusGone,
	quiz.CodeResetByEmailOff:        fiber.StatusNotFound,

	// A database that cannot be written (full, read-only): try again later.
	quiz.CodeStorageUnavailable: fiber.StatusServiceUnavailable,
}

// Codes of HTTP-level problems.
const (
	codeMalformedJSON       = "malformed_json"
	codeBodyTooLarge        = "body_too_large"
	codeUnsupportedEncoding = "unsupported_encoding"
	codeBadRequest          = "bad_request"
	codeRequestTimeout      = "request_timeout"
)

// apiError is the body of every error answer.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// handleError is Fiber's one error handler: it turns any error a handler
// returns into a JSON error or an HTML error page, by the request, and logs
// only what is the server's fault.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	qe := h.asQuizError(err)
	status, ok := statusOf[qe.Code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	// busy is a refusal by design, logged where it is made; the store logs
	// a database it cannot write once, not every request it refuses.
	if status >= 500 && qe.Code != quiz.CodeBusy && qe.Code != quiz.CodeStorageUnavailable {
		h.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	l := h.lang(c)
	body := apiErrorBody{Code: qe.Code, Message: l.T("err." + qe.Code)}
	if qe.Code == quiz.CodeInvalidFile {
		// What exactly is wrong with the file is worth the organizer's
		// reading: password-protected, not Excel, too large once unpacked…
		body.Message += " " + qe.Message
	}
	if len(qe.Fields) > 0 {
		body.Fields = make(map[string]string, len(qe.Fields))
		for field, key := range qe.Fields {
			body.Fields[field] = l.T(key)
		}
	}
	if status == fiber.StatusUnauthorized && len(c.Response().Header.Peek(fiber.HeaderWWWAuthenticate)) == 0 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="hoithi"`)
	}
	if wantsHTML(c) {
		return h.renderError(c, status, body)
	}
	return c.Status(status).JSON(apiError{Error: body})
}

// asQuizError turns any error into a *quiz.Error with a code from the
// table; errors that are not ours become "internal" with nothing leaked.
func (h *Handler) asQuizError(err error) *quiz.Error {
	var qe *quiz.Error
	if errors.As(err, &qe) {
		return qe
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return quiz.NotFound("page")
		case fiber.StatusRequestEntityTooLarge:
			return &quiz.Error{Code: codeBodyTooLarge, Message: fe.Message}
		case fiber.StatusRequestTimeout:
			// The server's read timeout: also what a connection opened
			// and left silent gets, where an HTTP client takes a 408 as
			// the server closing an idle connection.
			return &quiz.Error{Code: codeRequestTimeout, Message: fe.Message}
		}
		if fe.Code < 500 {
			return &quiz.Error{Code: codeBadRequest, Message: fe.Message}
		}
	}
	return &quiz.Error{Code: quiz.CodeInternal, Message: "internal error"}
}

// wantsHTML reports whether an error should be answered with a page: never
// under /api/, /ws/ or for scripts, otherwise when the client accepts HTML.
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/ws/") || p == "/healthz" || p == "/metrics" {
		return false
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

// decodeJSON reads a JSON body into v. Broken JSON is malformed_json; a
// value of the wrong type is validation_failed naming the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) == 0 {
		return &quiz.Error{Code: codeMalformedJSON, Message: "the request body must be a JSON object"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &quiz.Error{Code: quiz.CodeValidation, Message: "invalid input",
				Fields: map[string]string{te.Field: quiz.MsgInvalid}}
		}
		return &quiz.Error{Code: codeMalformedJSON, Message: "the request body is not valid JSON"}
	}
	return nil
}

// apiTime is how the API writes a time: UTC with milliseconds.
func apiTime(t time.Time) string { return quiz.APITime(t) }

func apiTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := apiTime(*t)
	return &s
}

// parseTime reads any RFC 3339 time.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t, err == nil
}

// idParam reads a numeric id from the path; a malformed id finds nothing.
// Ids have 15 digits: read as int64, which holds them on every platform.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, quiz.NotFound(name)
	}
	return id, nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
