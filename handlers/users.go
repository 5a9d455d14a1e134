package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// staffBody is a staff account as the admin's list shows it.
type staffBody struct {
	ID         int64     `json:"id"`
	Role       quiz.Role `json:"role"`
	FullName   string    `json:"full_name"`
	Email      string    `json:"email"`
	Disabled   bool      `json:"disabled"`
	DisabledAt *string   `json:"disabled_at"`
	CreatedAt  string    `json:"created_at"`
}

func staffBodyOf(u quiz.User) staffBody {
	return staffBody{ID: u.ID, Role: u.Role, FullName: u.FullName, Email: u.Email, Disabled: u.DisabledAt != nil,
		DisabledAt: apiTimePtr(u.DisabledAt), CreatedAt: apiTime(u.CreatedAt)}
}

// listUsers is GET /api/v1/users?role=staff|admin|organizer|official: the
// staff accounts, all of them or those of one role. Contestants are not
// listed here: their accounts hold personal data and are theirs to keep
// or delete.
func (h *Handler) listUsers(c *fiber.Ctx) error {
	role := c.Query("role", "staff")
	if role != "staff" && !quiz.Role(role).Staff() {
		return &quiz.Error{Code: quiz.CodeValidation, Message: "role must be staff, admin, organizer or official",
			Fields: map[string]string{"role": quiz.MsgRoleInvalid}}
	}
	users, err := h.Accounts.StaffAccounts(c.UserContext())
	if err != nil {
		return err
	}
	out := []staffBody{}
	for _, u := range users {
		if role == "staff" || u.Role == quiz.Role(role) {
			out = append(out, staffBodyOf(u))
		}
	}
	return c.JSON(fiber.Map{"users": out})
}

// disableUser and enableUser are POST /api/v1/users/{id}/disable and
// /enable. A disabled staff account cannot sign in and its sessions end at
// once; nobody disables their own account. Both answer the account as the
// list shows it, and both are written to the audit log.
func (h *Handler) disableUser(c *fiber.Ctx) error { return h.setDisabled(c, true) }
func (h *Handler) enableUser(c *fiber.Ctx) error  { return h.setDisabled(c, false) }

func (h *Handler) setDisabled(c *fiber.Ctx, disabled bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := principalOf(c)
	by := quiz.Actor{ID: p.UserID, IP: h.clientIP(c)}
	if me, err := h.Accounts.User(c.UserContext(), p.UserID); err == nil {
		by.Name = quiz.StaffName(me)
	}
	u, err := h.Accounts.SetDisabled(c.UserContext(), id, disabled, by)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": staffBodyOf(u)})
}
