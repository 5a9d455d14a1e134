package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// renameBody is PATCH /users/{id}'s body.
type renameBody struct {
	FullName *string `json:"full_name"`
}

// renameUserAPI is PATCH /api/v1/users/{id} {full_name} → 200 {user}: an
// admin names a staff account, as it prints on locked lists, certificates
// and the audit log. Audited.
func (h *Handler) renameUserAPI(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b renameBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.FullName == nil {
		return &quiz.Error{Code: quiz.CodeValidation, Message: "full_name is required",
			Fields: map[string]string{"full_name": quiz.MsgStaffNameRequired}}
	}
	u, err := h.AccountAdmin.SetStaffName(c.UserContext(), h.actor(c), id, *b.FullName)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": staffBodyOf(u)})
}

// staffView is the admins' page of staff accounts.
type staffView struct {
	Staff  []quiz.User
	Me     int64
	Notice string
	Failed bool
	// Errors of a refused rename, by account.
	NameErrors map[int64]string
	Names      map[int64]string // what was typed, by account
	Link       *issuedLink
}

// staffUsersPage is GET /admin/users: the staff accounts, each with its name to
// set, disable or enable, and a reset link to issue.
func (h *Handler) staffUsersPage(c *fiber.Ctx) error {
	return h.renderStaff(c, fiber.StatusOK, staffView{})
}

func (h *Handler) renderStaff(c *fiber.Ctx, status int, v staffView) error {
	staff, err := h.Accounts.StaffAccounts(c.UserContext())
	if err != nil {
		return err
	}
	v.Staff, v.Me = staff, principalOf(c).UserID
	return h.page(c, status, "staff", h.lang(c).T("staff.title"), v)
}

// staffFailed shows the staff page with why an action was refused.
func (h *Handler) staffFailed(c *fiber.Ctx, err error, v staffView) error {
	code := quiz.ErrorCode(err)
	if code == quiz.CodeInternal {
		return err
	}
	_, v.Notice = h.fieldErrors(c, err)
	v.Failed = true
	return h.renderStaff(c, statusOf[code], v)
}

// renameForm is POST /admin/users/{id}/name.
func (h *Handler) renameForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	name := c.FormValue("full_name")
	u, err := h.AccountAdmin.SetStaffName(c.UserContext(), h.actor(c), id, name)
	if err != nil {
		fields, _ := h.fieldErrors(c, err)
		v := staffView{NameErrors: map[int64]string{id: fields["full_name"]}, Names: map[int64]string{id: name}}
		return h.staffFailed(c, err, v)
	}
	return h.renderStaff(c, fiber.StatusOK, staffView{Notice: h.lang(c).T("staff.renamed", u.Email, u.FullName)})
}

// disableForm and enableForm are POST /admin/users/{id}/disable and
// /enable, as the API's.
func (h *Handler) disableForm(c *fiber.Ctx) error { return h.setDisabledForm(c, true) }
func (h *Handler) enableForm(c *fiber.Ctx) error  { return h.setDisabledForm(c, false) }

func (h *Handler) setDisabledForm(c *fiber.Ctx, disabled bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := h.Accounts.SetDisabled(c.UserContext(), id, disabled, h.actor(c))
	if err != nil {
		return h.staffFailed(c, err, staffView{})
	}
	key := "staff.enabled"
	if disabled {
		key = "staff.disabled"
	}
	return h.renderStaff(c, fiber.StatusOK, staffView{Notice: h.lang(c).T(key, u.Email)})
}

// staffResetForm is POST /admin/users/{id}/reset: a link for a staff
// account, shown once.
func (h *Handler) staffResetForm(c *fiber.Ctx) error {
	link, err := h.issueReset(c)
	if err != nil {
		return h.staffFailed(c, err, staffView{})
	}
	return h.renderStaff(c, fiber.StatusOK, staffView{Link: &issuedLink{URL: resetURL(h.siteURL(c), link.Token),
		ExpiresAt: link.ExpiresAt, Name: link.Account.FullName, Staff: true}})
}
