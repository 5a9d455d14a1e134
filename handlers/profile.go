package handlers

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// profileBody is PATCH /api/v1/me's body: the fields to correct, each
// left out (or null) staying as it is. current_password is needed only to
// change the phone or the e-mail.
type profileBody struct {
	FullName        *string `json:"full_name"`
	BirthDate       *string `json:"birth_date"`
	IDNumber        *string `json:"id_number"`
	Phone           *string `json:"phone"`
	Email           *string `json:"email"`
	Province        *string `json:"province"`
	Commune         *string `json:"commune"`
	Unit            *string `json:"unit"`
	CurrentPassword string  `json:"current_password"`
}

// profileAnswer is PATCH /api/v1/me's answer: the account's data as it
// now is, and the fields the request changed.
type profileAnswer struct {
	ID        int64    `json:"id"`
	FullName  string   `json:"full_name"`
	BirthDate string   `json:"birth_date"`
	IDNumber  string   `json:"id_number"`
	Phone     string   `json:"phone"`
	Email     string   `json:"email"`
	Province  string   `json:"province"`
	Commune   string   `json:"commune"`
	Unit      string   `json:"unit"`
	Changed   []string `json:"changed"`
}

// updateProfile corrects the signed-in contestant's data, for the API and
// the page. A current password, when sent, is checked under the limits on
// failed logins (checkPassword), as deleting the account checks it: a
// wrong one counts, and the answer names the field.
func (h *Handler) updateProfile(c *fiber.Ctx, b profileBody) (quiz.ProfileUpdate, error) {
	ctx := c.UserContext()
	u, err := h.Accounts.User(ctx, principalOf(c).UserID)
	if err != nil {
		return quiz.ProfileUpdate{}, err
	}
	if u.Role != quiz.RoleContestant {
		return quiz.ProfileUpdate{}, quiz.Errorf(quiz.CodeForbidden, "staff accounts are changed by an admin")
	}
	edit := quiz.ProfileEdit{FullName: b.FullName, BirthDate: b.BirthDate, IDNumber: b.IDNumber, Phone: b.Phone,
		Email: b.Email, Province: b.Province, Commune: b.Commune, Unit: b.Unit}
	if b.CurrentPassword != "" {
		checked, err := h.checkPassword(c, func() (loginBody, error) {
			return loginBody{Login: u.Login(), Password: b.CurrentPassword}, nil
		})
		if quiz.ErrorCode(err) == quiz.CodeInvalidLogin || err == nil && checked.ID != u.ID {
			return quiz.ProfileUpdate{}, &quiz.Error{Code: quiz.CodeValidation, Message: "wrong password",
				Fields: map[string]string{"current_password": quiz.MsgPasswordWrong}}
		}
		if err != nil {
			return quiz.ProfileUpdate{}, err
		}
		edit.PasswordChecked = true
	}
	rules, err := h.Accounts.ProfileRules(ctx)
	if err != nil {
		return quiz.ProfileUpdate{}, err
	}
	return h.Privacy.UpdateProfile(ctx, u.ID, edit, rules,
		quiz.ClientInfo{IP: h.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)})
}

// updateProfileAPI is PATCH /api/v1/me.
func (h *Handler) updateProfileAPI(c *fiber.Ctx) error {
	var b profileBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	upd, err := h.updateProfile(c, b)
	if err != nil {
		return err
	}
	u := upd.User
	changed := upd.Changed
	if changed == nil {
		changed = []string{}
	}
	return c.JSON(profileAnswer{ID: u.ID, FullName: u.FullName, BirthDate: u.BirthDate, IDNumber: u.IDNumber,
		Phone: u.Phone, Email: u.Email, Province: u.Province, Commune: u.Commune, Unit: u.Unit, Changed: changed})
}

// profileView is what the profile page shows.
type profileView struct {
	Form formView
	// Staff accounts are not corrected here.
	Staff bool
	// MissingIdentity is true when the account has no identity number or
	// no birth date, which a contest may ask only of its prize winners.
	MissingIdentity bool
	Saved           bool
}

// profilePage is the form a contestant corrects their data with. A
// redirect that needs the identity number and the birth date (a round of
// a contest asking them, a prize to claim) sends the person here with
// ?next= where to go back once saved.
func (h *Handler) profilePage(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	return h.renderProfile(c, fiber.StatusOK, profileView{Saved: c.Query("saved") == "1",
		Form: formView{Next: profileNext(c.Query("next"))}})
}

// renderProfile shows the profile page; a form without values shows the
// account's. A session whose account is gone is ended.
func (h *Handler) renderProfile(c *fiber.Ctx, status int, v profileView) error {
	u, err := h.ownAccount(c)
	if u == nil {
		return err
	}
	if v.Form.Values == nil {
		v.Form.Values = map[string]string{"full_name": u.FullName, "birth_date": quiz.BirthDateVN(u.BirthDate),
			"id_number": u.IDNumber, "phone": u.Phone, "email": u.Email, "province": u.Province,
			"commune": u.Commune, "unit": u.Unit}
	}
	v.Staff = u.Role != quiz.RoleContestant
	v.MissingIdentity = u.IDNumber == "" || u.BirthDate == ""
	units, err := h.Accounts.Units(c.UserContext())
	if err != nil {
		return err
	}
	return h.page(c, status, "profile", h.lang(c).T("mydata.profile.title"), fiber.Map{
		"Profile": v, "Form": v.Form, "Provinces": h.Accounts.Provinces(), "Units": units,
	})
}

// profileForm saves the profile page's form: to next, or back to the page
// saying it is saved; with an error, the page comes back with what was
// typed (never the password) and the reason beside each field.
func (h *Handler) profileForm(c *fiber.Ctx) error {
	if principalOf(c) == nil {
		return loginRedirect(c)
	}
	values := map[string]string{}
	for _, name := range []string{"full_name", "birth_date", "id_number", "phone", "email", "province", "commune", "unit"} {
		values[name] = c.FormValue(name)
	}
	field := func(name string) *string { v := values[name]; return &v }
	birth := birthDateFromForm(values["birth_date"])
	b := profileBody{FullName: field("full_name"), BirthDate: &birth, IDNumber: field("id_number"),
		Phone: field("phone"), Email: field("email"), Province: field("province"), Commune: field("commune"),
		Unit: field("unit"), CurrentPassword: c.FormValue("current_password")}
	next := profileNext(c.FormValue("next"))
	_, err := h.updateProfile(c, b)
	switch code := quiz.ErrorCode(err); code {
	case "":
		if next != "" {
			return c.Redirect(next, fiber.StatusSeeOther)
		}
		return c.Redirect("/me/profile?saved=1", fiber.StatusSeeOther)
	case quiz.CodeInternal:
		return err
	case quiz.CodeUnauthorized:
		h.clearSession(c)
		return loginRedirect(c)
	default:
		fields, notice := h.fieldErrors(c, err)
		return h.renderProfile(c, statusOf[code], profileView{Form: formView{Values: values, Errors: fields,
			Notice: notice, Next: next}})
	}
}

// profileNext is where the profile form leads once saved: a path on this
// site (safeNext), or "" to come back to the form.
func profileNext(next string) string {
	if next == "" {
		return ""
	}
	return safeNext(next)
}

// dayFirstDate is a date as Vietnamese people write it, 17/5/1990.
var dayFirstDate = regexp.MustCompile(`^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$`)

// birthDateFromForm reads the page's birth date, written day first, into
// the API's YYYY-MM-DD; anything else goes on as typed, for the check to
// name.
func birthDateFromForm(s string) string {
	m := dayFirstDate.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("%s-%02d-%02d", m[3], month, day)
}
