package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// audit writes what the signed-in account did to the audit log, naming
// them as they are now. It fails the request when the log cannot be
// written: personal data is not handed out unrecorded.
func (h *Handler) audit(c *fiber.Ctx, action string, roundID int64, detail string) error {
	e := quiz.AuditEntry{At: h.Now(), Action: action, RoundID: roundID, Detail: detail, IP: h.clientIP(c)}
	if p := principalOf(c); p != nil {
		e.UserID = p.UserID
		if u, err := h.Accounts.User(c.UserContext(), p.UserID); err == nil {
			e.Actor = quiz.StaffName(u)
		}
	}
	return h.Audit.Audit(c.UserContext(), e)
}
