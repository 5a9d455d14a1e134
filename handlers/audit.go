package handlers

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// auditLine is an audit entry as the pages show it: who, in words, and
// what, as a sentence around the round's name (a link to the round).
type auditLine struct {
	At      time.Time
	Actor   string
	Before  string // the sentence up to the round's name
	Round   string // "Đợt thi thứ nhất — Cuộc thi …"; "" without a round
	RoundID int64  // the round, when it still exists
	After   string // the rest of the sentence
	IP      string
}

// auditLines turns audit entries into sentences in the visitor's language,
// naming rounds, contests and accounts rather than giving their ids. An
// action it does not know reads as its label, or as "another action".
func (h *Handler) auditLines(c *fiber.Ctx, entries []quiz.AuditEntry) []auditLine {
	l := h.lang(c)
	ctx := c.UserContext()
	rounds := map[int64]string{}
	roundName := func(id int64) (string, bool) {
		if name, ok := rounds[id]; ok {
			return name, name != ""
		}
		r, err := h.Catalog.Round(ctx, id)
		if err != nil {
			rounds[id] = ""
			return "", false
		}
		rounds[id] = fill(l.T("words.round"), map[string]string{"round": r.Name, "contest": r.ContestTitle})
		return rounds[id], true
	}
	people := map[int64]string{}
	person := func(id int64) string {
		if name, ok := people[id]; ok {
			return name
		}
		name := fill(l.T("words.audit.account_no"), map[string]string{"id": strconv.FormatInt(id, 10)})
		if u, err := h.Accounts.User(ctx, id); err == nil && u.FullName != "" {
			name = u.FullName
			if u.Role.Staff() {
				name = quiz.StaffName(u)
			}
		}
		people[id] = name
		return name
	}
	out := make([]auditLine, len(entries))
	for i, e := range entries {
		line := auditLine{At: e.At, Actor: actorWords(l, e.Actor), IP: e.IP}
		sentence := auditSentence(l, e, person)
		if e.RoundID != 0 {
			name, ok := roundName(e.RoundID)
			if ok {
				line.RoundID = e.RoundID
			} else {
				name = fill(l.T("words.round_gone"), map[string]string{"id": strconv.FormatInt(e.RoundID, 10)})
			}
			if !strings.Contains(sentence, "{round}") {
				sentence = fill(l.T("words.audit.generic_round"), map[string]string{"action": sentence})
			}
			line.Before, line.After, _ = strings.Cut(sentence, "{round}")
			line.Round = name
		} else {
			line.Before = strings.TrimSpace(strings.ReplaceAll(sentence, " {round}", ""))
		}
		out[i] = line
	}
	return out
}

// auditSentence is what an entry says, in words, with "{round}" where the
// round's name goes.
func auditSentence(l lang, e quiz.AuditEntry, person func(id int64) string) string {
	raw, kv := auditFields(e.Detail), map[string]string{}
	for k, v := range raw { // counts as the language writes them
		kv[k] = v
		if n, err := strconv.Atoi(v); err == nil {
			kv[k] = l.Int(n)
		}
	}
	t := func(key string, vars map[string]string) string { return fill(l.T("words.audit."+key), vars) }
	switch e.Action {
	case quiz.AuditLock:
		s := t("lock", nil)
		if n, p := kv["contestants"], kv["prizes"]; n != "" && p != "" {
			s += ": " + t("lock_figures", map[string]string{"contestants": n, "prizes": p})
			if a := kv["actual"]; a != "" {
				s += ", " + t("lock_actual", map[string]string{"actual": a})
			}
		}
		return s
	case quiz.AuditUnlock:
		s := t("unlock", nil)
		if reason := strings.TrimSpace(e.Detail); reason != "" {
			s += ", " + t("reason", map[string]string{"reason": reason})
		}
		return s
	case quiz.AuditViewWinners:
		if e.Detail == "json" {
			return t("view_json", nil)
		}
		return t("view_page", nil)
	case quiz.AuditExportWinners:
		format, file, _ := strings.Cut(e.Detail, " ")
		switch {
		case file != "" && (format == "xlsx" || format == "csv" || format == "json"):
			return t("export_file", map[string]string{"file": file})
		case e.Detail == "xlsx" || e.Detail == "csv":
			return t("export_"+e.Detail, nil)
		case e.Detail == "print":
			return t("export_print", nil)
		case e.Detail == "print full":
			return t("export_print_full", nil)
		}
		return t("export", nil)
	case quiz.AuditCertificates:
		if id, ok := strings.CutPrefix(e.Detail, "user "); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				return t("certificate_one", map[string]string{"person": person(n)})
			}
		}
		return t("certificates", nil)
	case quiz.AuditStatistics:
		if table, ok := strings.CutPrefix(e.Detail, "csv:"); ok && slices.Contains(statisticsTables, table) {
			return t("statistics_table", map[string]string{"table": l.T("statistics." + table)})
		}
		return t("statistics", nil)
	case quiz.AuditOwnData:
		return t("own_data", nil)
	case quiz.AuditDeleteAccount:
		return t("delete_account", nil)
	case quiz.AuditPurge:
		if cutoff, err := time.Parse(time.RFC3339, raw["cutoff"]); err == nil && kv["contests"] != "" && kv["accounts"] != "" {
			return t("purge", map[string]string{"cutoff": cutoff.In(vietnam).Format("02/01/2006"),
				"contests": kv["contests"], "accounts": kv["accounts"]})
		}
		return t("purge_plain", nil)
	case quiz.AuditDisableAccount, quiz.AuditEnableAccount, quiz.AuditSetPassword:
		who := l.T("words.audit.someone")
		if id, err := strconv.ParseInt(raw["account"], 10, 64); err == nil {
			who = person(id)
		}
		return t(e.Action, map[string]string{"person": who})
	case quiz.AuditEmailConflict:
		if m := emailConflict.FindStringSubmatch(e.Detail); m != nil {
			return t("email_conflict", map[string]string{"keeper": m[1], "others": m[2]})
		}
	}
	if label := l.T("audit.action." + e.Action); label != "audit.action."+e.Action {
		return label
	}
	return t("other", nil)
}

// emailConflict reads the detail the upgrade writes when two accounts'
// e-mails became one.
var emailConflict = regexp.MustCompile(`^accounts (\d+) and ([\d, ]+) had`)

// auditFields reads the "key=value key=value" details of an entry.
func auditFields(detail string) map[string]string {
	kv := map[string]string{}
	for _, f := range strings.Fields(detail) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// actorWords names who acted: a person as StaffLabel does, the server's
// own commands and a deleted account in words.
func actorWords(l lang, actor string) string {
	switch {
	case actor == "":
		return l.T("words.actor.system")
	case actor == "hoithi export (command line)":
		return l.T("words.actor.export")
	case actor == "hoithi purge (command line)":
		return l.T("words.actor.purge")
	case actor == "hoithi (upgrade)":
		return l.T("words.actor.upgrade")
	case strings.HasPrefix(actor, "hoithi "):
		return l.T("words.actor.command")
	case strings.HasPrefix(actor, quiz.DeletedName+" <"):
		return l.T("words.actor.deleted")
	}
	return quiz.ActorLabel(actor)
}

// fill puts vars into a text at their {name}.
func fill(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}
