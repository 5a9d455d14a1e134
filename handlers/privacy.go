package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// ownDataBody is the file a person downloads with everything kept about
// them (the right of access of Law 91/2025/QH15).
type ownDataBody struct {
	ExportedAt string           `json:"exported_at"`
	Account    ownAccountBody   `json:"account"`
	Consents   []ownConsentBody `json:"consents"`
	Attempts   []ownAttemptBody `json:"attempts"`
	Results    []ownResultBody  `json:"results"`
	Live       []ownLiveBody    `json:"live_games"`
}

// ownLiveBody is a live quiz the person played signed in.
type ownLiveBody struct {
	GameID   int64  `json:"game_id"`
	Title    string `json:"title"`
	Nickname string `json:"nickname"`
	JoinedAt string `json:"joined_at"`
	Points   int    `json:"points"`
	Correct  int    `json:"correct"`
	Answered int    `json:"answered"`
}

type ownAccountBody struct {
	ID           int64     `json:"id"`
	Role         quiz.Role `json:"role"`
	FullName     string    `json:"full_name"`
	BirthDate    string    `json:"birth_date"`
	IDNumber     string    `json:"id_number"`
	Phone        string    `json:"phone"`
	Email        string    `json:"email"`
	Province     string    `json:"province"`
	ProvinceName string    `json:"province_name"`
	Commune      string    `json:"commune"`
	Unit         string    `json:"unit"`
	CreatedAt    string    `json:"created_at"`
}

type ownConsentBody struct {
	Purpose   string `json:"purpose"`
	Version   string `json:"version"`
	AgreedAt  string `json:"agreed_at"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	// The text of that version, word for word, and when it was published.
	Text            string `json:"text"`
	TextPublishedAt string `json:"text_published_at"`
	// WithdrawnAt is when the person withdrew this consent; null while it
	// stands.
	WithdrawnAt *string `json:"withdrawn_at"`
}

type ownAttemptBody struct {
	ID            int64   `json:"id"`
	ContestID     int64   `json:"contest_id"`
	ContestTitle  string  `json:"contest_title"`
	RoundID       int64   `json:"round_id"`
	RoundName     string  `json:"round_name"`
	Number        int     `json:"number"`
	StartedAt     string  `json:"started_at"`
	Deadline      string  `json:"deadline"`
	SubmittedAt   *string `json:"submitted_at"`
	AutoSubmitted bool    `json:"auto_submitted"`
	Score         *int    `json:"score"`
	Correct       *int    `json:"correct"`
	Total         int     `json:"total"`
	Prediction    *int    `json:"prediction"`
}

type ownResultBody struct {
	ContestID       int64   `json:"contest_id"`
	ContestTitle    string  `json:"contest_title"`
	RoundID         int64   `json:"round_id"`
	RoundName       string  `json:"round_name"`
	LockedAt        *string `json:"locked_at"`
	Rank            int     `json:"rank"`
	Prize           string  `json:"prize"`
	Score           int     `json:"score"`
	Correct         int     `json:"correct"`
	Total           int     `json:"total"`
	Prediction      *int    `json:"prediction"`
	PredictionError *int    `json:"prediction_error"`
	DurationMs      int64   `json:"duration_ms"`
	// Recorded is the personal data copied into the ranking at the lock.
	Recorded recordedBody `json:"recorded"`
}

type recordedBody struct {
	FullName  string `json:"full_name"`
	BirthDate string `json:"birth_date"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Unit      string `json:"unit"`
	Province  string `json:"province"`
	Commune   string `json:"commune"`
}

// ownDataDetail is the audit detail of a person reading their own data:
// how much of it there was.
func ownDataDetail(d quiz.OwnData) string {
	return fmt.Sprintf("consents=%d attempts=%d results=%d", len(d.Consents), len(d.Attempts), len(d.Results))
}

func (h *Handler) ownDataBodyOf(d quiz.OwnData) ownDataBody {
	u := d.Account
	body := ownDataBody{
		ExportedAt: apiTime(h.Now()),
		Account: ownAccountBody{ID: u.ID, Role: u.Role, FullName: u.FullName, BirthDate: u.BirthDate,
			IDNumber: u.IDNumber, Phone: u.Phone, Email: u.Email, Province: u.Province,
			Commune: u.Commune, Unit: u.Unit, CreatedAt: apiTime(u.CreatedAt)},
		Consents: []ownConsentBody{}, Attempts: []ownAttemptBody{}, Results: []ownResultBody{}, Live: []ownLiveBody{},
	}
	if u.Province != "" {
		body.Account.ProvinceName = h.Accounts.ProvinceName(u.Province)
	}
	body.Consents = ownConsentBodies(d.Consents)
	for _, a := range d.Attempts {
		body.Attempts = append(body.Attempts, ownAttemptBody{ID: a.ID, ContestID: a.ContestID,
			ContestTitle: a.ContestTitle, RoundID: a.RoundID, RoundName: a.RoundName, Number: a.Number,
			StartedAt: apiTime(a.StartedAt), Deadline: apiTime(a.Deadline), SubmittedAt: apiTimePtr(a.SubmittedAt),
			AutoSubmitted: a.AutoSubmitted, Score: a.Score, Correct: a.Correct, Total: a.Total, Prediction: a.Prediction})
	}
	for _, r := range d.Results {
		body.Results = append(body.Results, ownResultBody{ContestID: r.ContestID, ContestTitle: r.ContestTitle,
			RoundID: r.RoundID, RoundName: r.RoundName, LockedAt: apiTimePtr(r.LockedAt), Rank: r.Rank,
			Prize: r.Prize, Score: r.Score, Correct: r.Correct, Total: r.Total, Prediction: r.Prediction,
			PredictionError: r.PredictionError, DurationMs: r.DurationMs,
			Recorded: recordedBody{FullName: r.FullName, BirthDate: r.BirthDate, IDNumber: r.IDNumber,
				Phone: r.Phone, Unit: r.Unit, Province: r.Province, Commune: r.Commune}})
	}
	for _, v := range d.Live {
		body.Live = append(body.Live, ownLiveBody{GameID: v.GameID, Title: v.Title, Nickname: v.Nickname,
			JoinedAt: apiTime(v.JoinedAt), Points: v.Points, Correct: v.Correct, Answered: v.Answered})
	}
	return body
}

func ownConsentBodies(consents []quiz.ConsentRecord) []ownConsentBody {
	out := make([]ownConsentBody, 0, len(consents))
	for _, k := range consents {
		out = append(out, ownConsentBody{Purpose: k.Purpose, Version: k.Version,
			AgreedAt: apiTime(k.AgreedAt), IP: k.IP, UserAgent: k.UserAgent,
			Text: k.TextVI, TextPublishedAt: apiTime(k.TextPublishedAt), WithdrawnAt: apiTimePtr(k.WithdrawnAt)})
	}
	return out
}

// ownDataAuditEvery is how often a person's downloads of their own data
// are recorded: the first of each hour is, the repeats are not (one
// contestant reloading wrote thousands of rows in seconds).
const ownDataAuditEvery = time.Hour

// downloadOwnData gives the signed-in person a file with everything kept
// about them. The download is written to the audit log first: personal
// data is not handed out unrecorded, even to its owner.
func (h *Handler) downloadOwnData(c *fiber.Ctx) error {
	p := principalOf(c)
	d, err := h.Privacy.OwnData(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	detail := ownDataDetail(d)
	if err := h.auditOnce(c, quiz.AuditOwnData, ownDataAuditEvery, detail); err != nil {
		return err
	}
	data, err := json.MarshalIndent(h.ownDataBodyOf(d), "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="hoithi-du-lieu-%d.json"`, d.Account.ID))
	c.Type("json", "utf-8")
	return c.Send(append(data, '\n'))
}

// passwordConfirmBody is the body of DELETE /api/v1/me and POST
// /api/v1/me/consent/withdraw: the account's password, asked again.
type passwordConfirmBody struct {
	Password string `json:"password"`
}

// eraser removes a contestant's personal data: Privacy.DeleteAccount or
// Privacy.WithdrawConsent.
type eraser func(ctx context.Context, userID int64, client quiz.ClientInfo) (quiz.Deletion, error)

// eraseOwnAccount deletes the signed-in contestant's personal data with
// erase once their password is checked again, and signs the browser out.
// Wrong passwords count against the client's limit on failed logins: a
// token left on a shared computer must not let anyone guess the password
// at leisure.
func (h *Handler) eraseOwnAccount(c *fiber.Ctx, password string, erase eraser) (quiz.Deletion, error) {
	p := principalOf(c)
	ctx := c.UserContext()
	u, err := h.Accounts.User(ctx, p.UserID)
	if err != nil {
		return quiz.Deletion{}, err
	}
	if u.Role != quiz.RoleContestant {
		return quiz.Deletion{}, quiz.Errorf(quiz.CodeForbidden, "staff accounts are removed by an admin")
	}
	checked, err := h.checkPassword(c, func() (loginBody, error) { return loginBody{Login: u.Login(), Password: password}, nil })
	if err != nil {
		return quiz.Deletion{}, err
	}
	if checked.ID != u.ID {
		return quiz.Deletion{}, quiz.Errorf(quiz.CodeInvalidLogin, "wrong password")
	}
	d, err := erase(ctx, u.ID, quiz.ClientInfo{IP: h.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)})
	if err != nil {
		return quiz.Deletion{}, err
	}
	h.clearSession(c)
	return d, nil
}

// deleteAccount is DELETE /api/v1/me.
func (h *Handler) deleteAccount(c *fiber.Ctx) error {
	var b passwordConfirmBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if _, err := h.eraseOwnAccount(c, b.Password, h.Privacy.DeleteAccount); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deleteForm is the delete form of the /me page. On success the visitor is
// signed out and sent to the home page with a notice; otherwise the page
// comes back with the reason.
func (h *Handler) deleteForm(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	l := h.lang(c)
	if c.FormValue("confirm") != "yes" {
		return h.renderMe(c, fiber.StatusUnprocessableEntity, meForms{DeleteError: l.T("privacy.delete_confirm_required")})
	}
	_, err := h.eraseOwnAccount(c, c.FormValue("password"), h.Privacy.DeleteAccount)
	switch quiz.ErrorCode(err) {
	case "":
		return c.Redirect("/?notice=privacy.deleted", fiber.StatusSeeOther)
	case quiz.CodeInvalidLogin:
		return h.renderMe(c, fiber.StatusUnauthorized, meForms{DeleteError: l.T("privacy.delete_wrong_password")})
	case quiz.CodeForbidden, quiz.CodeRateLimited:
		return h.renderMe(c, statusOf[quiz.ErrorCode(err)], meForms{DeleteError: l.T("err." + quiz.ErrorCode(err))})
	case quiz.CodeUnauthorized:
		h.clearSession(c)
		return loginRedirect(c)
	}
	return err
}

// withdrawAnswer is POST /api/v1/me/consent/withdraw's answer: the
// receipt, every consent of the account with when it was withdrawn, and
// how many rows of locked rankings lost the person's data.
type withdrawAnswer struct {
	Consents []ownConsentBody `json:"consents"`
	Results  int              `json:"results"`
}

// withdrawConsentAPI is POST /api/v1/me/consent/withdraw: the contestant
// withdraws their consent, which removes their personal data as DELETE
// /api/v1/me does, and gets the record of the withdrawal.
func (h *Handler) withdrawConsentAPI(c *fiber.Ctx) error {
	var b passwordConfirmBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	d, err := h.eraseOwnAccount(c, b.Password, h.Privacy.WithdrawConsent)
	if err != nil {
		return err
	}
	return c.JSON(withdrawAnswer{Consents: ownConsentBodies(d.Withdrawn), Results: d.Results})
}

// withdrawView is the withdrawal page: the confirmation step, or once
// done the receipt.
type withdrawView struct {
	Consents []consentView
	Error    string
	Done     bool
	Staff    bool
	// Login is the account's, for the browser's password manager.
	Login string
}

// consentView is a consent as pages show it, its purpose in words.
type consentView struct {
	quiz.ConsentRecord
	PurposeText string
}

func (h *Handler) consentViews(c *fiber.Ctx, consents []quiz.ConsentRecord) []consentView {
	l := h.lang(c)
	out := make([]consentView, 0, len(consents))
	for _, k := range consents {
		key := "mydata.purpose." + k.Purpose
		if !h.cat.text.Has(l.code, key) {
			key = "mydata.purpose.other"
		}
		out = append(out, consentView{ConsentRecord: k, PurposeText: l.T(key)})
	}
	return out
}

// withdrawPage is the confirmation step of a withdrawal: what it does,
// then the password and the box to tick.
func (h *Handler) withdrawPage(c *fiber.Ctx) error {
	u, err := h.ownAccount(c)
	if u == nil {
		return err
	}
	consents, err := h.Privacy.Consents(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	return h.renderWithdraw(c, fiber.StatusOK, withdrawView{Consents: h.consentViews(c, consents), Staff: u.Role != quiz.RoleContestant,
		Login: u.Login()})
}

func (h *Handler) renderWithdraw(c *fiber.Ctx, status int, v withdrawView) error {
	return h.page(c, status, "withdraw", h.lang(c).T("mydata.withdraw.title"), fiber.Map{"Withdraw": v})
}

// withdrawForm withdraws the consent from the confirmation page and shows
// the receipt; the visitor is signed out. A refusal comes back with the
// reason and changes nothing.
func (h *Handler) withdrawForm(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	l := h.lang(c)
	refuse := func(status int, message string) error {
		v := withdrawView{Error: message}
		if consents, err := h.Privacy.Consents(c.UserContext(), principalOf(c).UserID); err == nil {
			v.Consents = h.consentViews(c, consents)
		}
		if u, err := h.Accounts.User(c.UserContext(), principalOf(c).UserID); err == nil {
			v.Login = u.Login()
		}
		return h.renderWithdraw(c, status, v)
	}
	if c.FormValue("confirm") != "yes" {
		return refuse(fiber.StatusUnprocessableEntity, l.T("mydata.withdraw.confirm_required"))
	}
	d, err := h.eraseOwnAccount(c, c.FormValue("password"), h.Privacy.WithdrawConsent)
	switch code := quiz.ErrorCode(err); code {
	case "":
		return h.renderWithdraw(c, fiber.StatusOK, withdrawView{Done: true, Consents: h.consentViews(c, d.Withdrawn)})
	case quiz.CodeInvalidLogin:
		return refuse(fiber.StatusUnauthorized, l.T("mydata.withdraw.wrong_password"))
	case quiz.CodeForbidden, quiz.CodeRateLimited:
		return refuse(statusOf[code], l.T("err."+code))
	case quiz.CodeUnauthorized:
		h.clearSession(c)
		return loginRedirect(c)
	}
	return err
}

// prizeNotice is what the contest page and /me tell a winner: the prizes
// of locked rounds, each with its certificate, and whether officials
// still need the identity number and birth date to hand them over.
type prizeNotice struct {
	Prizes          []quiz.OwnResult
	MissingIdentity bool
}

// prizeNoticeOf returns the signed-in contestant's prizes in the contest
// (any contest when contestID is 0), or nil when there are none.
func (h *Handler) prizeNoticeOf(c *fiber.Ctx, contestID int64) (*prizeNotice, error) {
	p := principalOf(c)
	if p == nil || p.Role != quiz.RoleContestant {
		return nil, nil
	}
	prizes, err := h.Privacy.Prizes(c.UserContext(), p.UserID)
	if err != nil {
		return nil, err
	}
	if contestID != 0 {
		prizes = slices.DeleteFunc(prizes, func(r quiz.OwnResult) bool { return r.ContestID != contestID })
	}
	if len(prizes) == 0 {
		return nil, nil
	}
	u, err := h.Accounts.User(c.UserContext(), p.UserID)
	if err != nil {
		return nil, err
	}
	return &prizeNotice{Prizes: prizes, MissingIdentity: u.IDNumber == "" || u.BirthDate == ""}, nil
}

// ownAccount returns the signed-in visitor's account for a page of their
// own. Without one it sends the visitor to the login page and returns nil
// (with the error, if any, of sending them): a session whose account is
// gone is ended first.
func (h *Handler) ownAccount(c *fiber.Ctx) (*quiz.User, error) {
	p := principalOf(c)
	if p == nil {
		return nil, loginRedirect(c)
	}
	u, err := h.Accounts.User(c.UserContext(), p.UserID)
	if quiz.ErrorCode(err) == quiz.CodeUnauthorized {
		h.clearSession(c)
		return nil, loginRedirect(c)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// meForms is what the forms of the /me page say after a post: the delete
// form's error, the password form's outcome.
type meForms struct {
	DeleteError string
	Password    passwordView
}

// renderMe shows the visitor's own data page, with what its forms say
// after a post. A session whose account is gone is ended.
func (h *Handler) renderMe(c *fiber.Ctx, status int, forms meForms) error {
	u, err := h.ownAccount(c)
	if u == nil {
		return err
	}
	consents, err := h.Privacy.Consents(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	prizes, err := h.prizeNoticeOf(c, 0)
	if err != nil {
		return err
	}
	return h.page(c, status, "me", h.lang(c).T("page.me.title"), fiber.Map{"Me": *u, "Consents": h.consentViews(c, consents),
		"DeleteError": forms.DeleteError, "Password": forms.Password, "Prizes": prizes})
}

// ownDataView is the readable page of everything kept about a person.
type ownDataView struct {
	quiz.OwnData
	Consents   []consentView
	ExportedAt time.Time
}

// ownDataPage shows everything kept about the signed-in person as a page
// to read and print, beside the JSON file. It is recorded in the audit
// log as the file is, once an hour, under an action of its own.
func (h *Handler) ownDataPage(c *fiber.Ctx) error {
	u, err := h.ownAccount(c)
	if u == nil {
		return err
	}
	d, err := h.Privacy.OwnData(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	detail := ownDataDetail(d)
	if err := h.auditOnce(c, quiz.AuditOwnDataPage, ownDataAuditEvery, detail); err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, "mydata", h.lang(c).T("mydata.data.title"), fiber.Map{
		"Own": ownDataView{OwnData: d, Consents: h.consentViews(c, d.Consents), ExportedAt: h.Now()},
	})
}
