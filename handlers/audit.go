package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// audit writes what the signed-in account did to the audit log, naming
// them as they are now. It fails the request when the log cannot be
// written: personal data is not handed out unrecorded.
func (h *Handler) audit(c *fiber.Ctx, action string, roundID int64, detail string) error {
	return h.Audit.Audit(c.UserContext(), h.auditEntry(c, action, roundID, detail))
}

// auditOnce is audit for an action a person repeats on their own data: it
// is written once per account and period, so that reloading a page cannot
// flood the log.
func (h *Handler) auditOnce(c *fiber.Ctx, action string, within time.Duration, detail string) error {
	_, err := h.Audit.AuditOnce(c.UserContext(), h.auditEntry(c, action, 0, detail), within)
	return err
}

func (h *Handler) auditEntry(c *fiber.Ctx, action string, roundID int64, detail string) quiz.AuditEntry {
	e := quiz.AuditEntry{At: h.Now(), Action: action, RoundID: roundID, Detail: detail, IP: h.clientIP(c)}
	if p := principalOf(c); p != nil {
		e.UserID = p.UserID
		if u, err := h.Accounts.User(c.UserContext(), p.UserID); err == nil {
			e.Actor = quiz.StaffName(u)
		}
	}
	return e
}
