package handlers

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// signedInUser returns the account making the request.
func (h *Handler) signedInUser(c *fiber.Ctx) (quiz.User, error) {
	return h.Accounts.User(c.UserContext(), principalOf(c).UserID)
}

// lockRound freezes a closed round's ranking and prizes.
func (h *Handler) lockRound(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	l, err := h.Results.Lock(c.UserContext(), id, by, h.clientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"locked": true, "locked_at": apiTimePtr(l.LockedAt), "locked_by": l.LockedBy,
		"actual": l.Actual, "contestants": l.Stats.Participants, "prizes": len(l.Winners())})
}

type unlockBody struct {
	Reason string `json:"reason"`
}

// unlockRound removes a round's lock; admins only, with a reason.
func (h *Handler) unlockRound(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b unlockBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	if err := h.Results.Unlock(c.UserContext(), id, by, b.Reason, h.clientIP(c)); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"locked": false})
}

// winners loads a round's list for an official and writes the audit entry
// for handing it out.
func (h *Handler) winners(c *fiber.Ctx, action, detail string) (quiz.WinnerList, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return quiz.WinnerList{}, err
	}
	l, err := h.Results.Winners(c.UserContext(), id)
	if err != nil {
		return quiz.WinnerList{}, err
	}
	if err := h.audit(c, action, id, detail); err != nil {
		return quiz.WinnerList{}, err
	}
	return l, nil
}

// showWinners is the whole list as JSON, streamed under an export turn.
func (h *Handler) showWinners(c *fiber.Ctx) error {
	leave, err := h.enterExport(c)
	if err != nil {
		return err
	}
	l, err := h.winners(c, quiz.AuditViewWinners, "json")
	if err != nil {
		leave()
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	winners := quiz.WinnersJSON{ProvinceName: h.Accounts.ProvinceName}
	h.streamBody(c, "json", leave, func(w io.Writer) error { return winners.Write(w, l) })
	return nil
}

// exportRetryAfter is the wait, in seconds, that a refused export is told
// to leave before trying again: about the time a 100,000-row workbook
// takes.
const exportRetryAfter = 10

// enterExport takes a turn to write a file of every contestant (see
// quiz.Results.Exports); leave ends it. A request that gets no turn in
// time is busy (503, with Retry-After).
func (h *Handler) enterExport(c *fiber.Ctx) (leave func(), err error) {
	leave, err = h.Results.Exports.Enter(c.UserContext())
	if quiz.ErrorCode(err) == quiz.CodeBusy {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(exportRetryAfter))
		h.Log.Warn("export refused: every export turn is taken", "path", c.Path())
	}
	return leave, err
}

// winnersFileName names a downloaded list after its contest and round.
func winnersFileName(l quiz.WinnerList) string {
	state := "tam-tinh"
	if l.Locked {
		state = "da-chot"
	}
	return fmt.Sprintf("ket-qua-%s-dot-%d-%s", l.Round.ContestSlug, l.Round.ID, state)
}

func (h *Handler) winnersXLSX(c *fiber.Ctx) error {
	leave, err := h.enterExport(c)
	if err != nil {
		return err
	}
	l, err := h.winners(c, quiz.AuditExportWinners, "xlsx")
	if err != nil {
		leave()
		return err
	}
	x := quiz.WinnersXLSX{ProvinceName: h.Accounts.ProvinceName, Made: h.Now()}
	c.Set(fiber.HeaderContentType, xlsxType)
	c.Set(fiber.HeaderContentDisposition, attachment(winnersFileName(l), "xlsx"))
	h.streamBody(c, "xlsx", leave, func(w io.Writer) error { return x.Write(w, l) })
	return nil
}

// streamBody sends what write writes as the answer's body while it is
// written, so that a large file is never held whole in memory, then calls
// done (which ends the export's turn: a turn lasts until the file is
// out). Once the first bytes are out the status cannot change: a failure
// then is logged and the download ends short, which the browser reports
// as failed. A client that stops reading fails the writes within the
// server's write timeout.
func (h *Handler) streamBody(c *fiber.Ctx, what string, done func(), write func(io.Writer) error) {
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer done()
		if err := write(w); err != nil {
			h.Log.Error("writing a download failed", "what", what, "err", err)
			return
		}
		if err := w.Flush(); err != nil {
			h.Log.Warn("sending a download failed", "what", what, "err", err)
		}
	})
}

// csvSeparator reads ?sep: comma by default, semicolon for Excel under
// Vietnamese regional settings.
func csvSeparator(c *fiber.Ctx) (rune, error) {
	switch c.Query("sep") {
	case "", "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	}
	return 0, &quiz.Error{Code: quiz.CodeValidation, Message: "sep must be comma or semicolon",
		Fields: map[string]string{"sep": quiz.MsgInvalid}}
}

// csvKeys reads ?header: the API's keys for programs ("keys") or the
// column names people read ("labels"); byDefault is the answer without
// it.
func csvKeys(c *fiber.Ctx, byDefault string) (bool, error) {
	header := c.Query("header")
	if header == "" {
		header = byDefault
	}
	switch header {
	case "labels":
		return false, nil
	case "keys":
		return true, nil
	}
	return false, &quiz.Error{Code: quiz.CodeValidation, Message: "header must be labels or keys",
		Fields: map[string]string{"header": quiz.MsgInvalid}}
}

func (h *Handler) winnersCSV(c *fiber.Ctx) error {
	sep, err := csvSeparator(c)
	if err != nil {
		return err
	}
	// The winners CSV is the file programs read (its columns are part of
	// the API): keys unless the page that people download it from asks for
	// labels.
	keys, err := csvKeys(c, "keys")
	if err != nil {
		return err
	}
	leave, err := h.enterExport(c)
	if err != nil {
		return err
	}
	l, err := h.winners(c, quiz.AuditExportWinners, "csv")
	if err != nil {
		leave()
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(winnersFileName(l), "csv"))
	x := quiz.WinnersCSV{Sep: sep, Keys: keys, ProvinceName: h.Accounts.ProvinceName}
	h.streamBody(c, "csv", leave, func(w io.Writer) error { return x.Write(w, l) })
	return nil
}

type auditBody struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	UserID  *int64 `json:"user_id"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	RoundID *int64 `json:"round_id"`
	Detail  string `json:"detail"`
	IP      string `json:"ip"`
}

// auditFilter reads ?round_id, ?action, ?before and ?limit.
func auditFilter(c *fiber.Ctx) (quiz.AuditFilter, error) {
	var f quiz.AuditFilter
	bad := quiz.FieldErrors{}
	for _, p := range []struct {
		name string
		into *int64
	}{{"round_id", &f.RoundID}, {"before", &f.Before}} {
		if v := c.Query(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(p.name, quiz.MsgInvalid)
			}
			*p.into = n
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			bad.Add("limit", quiz.MsgOutOfRange)
		}
		f.Limit = n
	}
	f.Action = c.Query("action")
	return f, bad.Err()
}

// showAudit lists the audit log, newest first.
func (h *Handler) showAudit(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := h.Audit.AuditLog(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]auditBody, len(entries))
	for i, e := range entries {
		out[i] = auditBody{ID: e.ID, At: apiTime(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail, IP: e.IP}
		if e.UserID != 0 {
			out[i].UserID = &e.UserID
		}
		if e.RoundID != 0 {
			out[i].RoundID = &e.RoundID
		}
	}
	return c.JSON(fiber.Map{"entries": out})
}
