package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// The organizers' pages: banks, their questions, and importing a file with
// a preview before anything is stored.

// staffPage lets through a signed-in account that may act as role; others
// go to the login page or get a 403 page.
func staffPage(role quiz.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principalOf(c)
		if p == nil {
			return loginRedirect(c)
		}
		if !p.Role.Can(role) {
			return quiz.Errorf(quiz.CodeForbidden, "this page needs the %s role", role)
		}
		return c.Next()
	}
}

func (h *Handler) organizePage(c *fiber.Ctx) error {
	return h.renderOrganize(c, fiber.StatusOK, nil, nil)
}

// renderOrganize shows the organizers' home, with a refused bank or
// contest form when there is one.
func (h *Handler) renderOrganize(c *fiber.Ctx, status int, bankForm, contestForm *formView) error {
	banks, err := h.Catalog.Banks(c.UserContext())
	if err != nil {
		return err
	}
	contests, err := h.Catalog.Contests(c.UserContext(), false)
	if err != nil {
		return err
	}
	return h.page(c, status, "organize", h.lang(c).T("org.title"), fiber.Map{
		"Banks": banks, "Contests": contests, "Notice": h.notice(c), "Form": bankForm, "ContestForm": contestForm,
	})
}

func (h *Handler) createBankForm(c *fiber.Ctx) error {
	b, err := h.Catalog.CreateBank(c.UserContext(), c.FormValue("name"), c.FormValue("description"))
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		fields, notice := h.fieldErrors(c, err)
		return h.renderOrganize(c, statusOf[quiz.ErrorCode(err)], &formView{
			Values: map[string]string{"name": c.FormValue("name"), "description": c.FormValue("description")},
			Errors: fields, Notice: notice}, nil)
	}
	return c.Redirect("/organize/banks/"+itoa(b.ID), fiber.StatusSeeOther)
}

// bankPage lists a bank's questions, those matching ?q= when given (case
// and diacritics ignored), with the import form and the export links.
func (h *Handler) bankPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Catalog.Bank(c.UserContext(), id)
	if err != nil {
		return err
	}
	qs, err := h.Catalog.Questions(c.UserContext(), id)
	if err != nil {
		return err
	}
	query := c.Query("q")
	shown := qs
	if query != "" {
		shown = nil
		for _, q := range qs {
			if quiz.Matches(q.Topic+" "+q.Text+" "+q.Reference, query) {
				shown = append(shown, q)
			}
		}
	}
	return h.page(c, fiber.StatusOK, "bank", b.Name, fiber.Map{
		"Bank": b, "Questions": shown, "Total": len(qs), "Query": query, "Notice": h.notice(c),
	})
}

// pendingImport is an uploaded file kept between its preview and the
// organizer's confirmation, so that it is not uploaded twice.
type pendingImport struct {
	bankID  int64
	userID  int64
	name    string
	format  quiz.Format
	sheet   string
	data    []byte
	expires time.Time
}

// pendingImports holds previews for pendingTTL, within bounds: each
// organizer keeps their newest pendingPerUser previews, and all previews
// together hold at most pendingBytes of files, the oldest going first.
type pendingImports struct {
	mu    sync.Mutex
	items map[string]*pendingImport
}

const (
	pendingTTL     = 30 * time.Minute
	pendingPerUser = 3
	pendingBytes   = 128 << 20
)

func (p *pendingImports) put(now time.Time, item *pendingImport) string {
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	token := hex.EncodeToString(raw)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.items == nil {
		p.items = map[string]*pendingImport{}
	}
	for k, v := range p.items {
		if now.After(v.expires) {
			delete(p.items, k)
		}
	}
	for p.count(item.userID) >= pendingPerUser {
		p.dropOldest(item.userID)
	}
	for len(p.items) > 0 && p.size()+len(item.data) > pendingBytes {
		p.dropOldest(0)
	}
	item.expires = now.Add(pendingTTL)
	p.items[token] = item
	return token
}

// count returns how many previews userID has waiting.
func (p *pendingImports) count(userID int64) int {
	n := 0
	for _, v := range p.items {
		if v.userID == userID {
			n++
		}
	}
	return n
}

// size returns the bytes of the files waiting.
func (p *pendingImports) size() int {
	n := 0
	for _, v := range p.items {
		n += len(v.data)
	}
	return n
}

// dropOldest forgets the oldest preview of userID, or of anyone for 0.
func (p *pendingImports) dropOldest(userID int64) {
	oldest := ""
	for k, v := range p.items {
		if (userID == 0 || v.userID == userID) && (oldest == "" || v.expires.Before(p.items[oldest].expires)) {
			oldest = k
		}
	}
	delete(p.items, oldest)
}

// take removes and returns a preview, if it is still there and is the
// same organizer's for the same bank.
func (p *pendingImports) take(now time.Time, token string, bankID, userID int64) *pendingImport {
	p.mu.Lock()
	defer p.mu.Unlock()
	item := p.items[token]
	if item == nil || now.After(item.expires) || item.bankID != bankID || item.userID != userID {
		return nil
	}
	delete(p.items, token)
	return item
}

// previewImport reads an uploaded file without storing it and shows what
// would be imported, with every problem by line.
func (h *Handler) previewImport(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Catalog.Bank(c.UserContext(), id)
	if err != nil {
		return err
	}
	back := "/organize/banks/" + itoa(id)
	fh, err := uploadedFile(c, "file")
	if err != nil {
		return err
	}
	if fh == nil {
		return c.Redirect(back+"?notice=import.no_file", fiber.StatusSeeOther)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, quiz.DefaultImportLimits.MaxBytes+1))
	if err != nil {
		return err
	}
	item := &pendingImport{bankID: id, userID: principalOf(c).UserID, name: fh.Filename,
		format: quiz.Format(c.FormValue("format")), sheet: c.FormValue("sheet"), data: data}
	report, err := h.Catalog.Import(c.UserContext(), id, data, quiz.ImportOptions{
		Format: item.format, FileName: item.name, Sheet: item.sheet, DryRun: true})
	l := h.lang(c)
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		_, notice := h.fieldErrors(c, err)
		if qe := h.asQuizError(err); qe.Code == quiz.CodeInvalidFile {
			notice += " " + qe.Message
		}
		return h.page(c, statusOf[quiz.ErrorCode(err)], "import", b.Name, fiber.Map{"Bank": b, "File": fh.Filename, "Failed": notice})
	}
	token := h.imports.put(h.Now(), item)
	return h.page(c, fiber.StatusOK, "import", b.Name, fiber.Map{
		"Bank": b, "File": fh.Filename, "Token": token, "Report": importReportBody(l, report, true),
		"Valid": len(report.Questions),
	})
}

// confirmImport stores a previewed file: all of it, or with skip=1 its
// valid questions.
func (h *Handler) confirmImport(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	back := "/organize/banks/" + itoa(id)
	item := h.imports.take(h.Now(), c.Params("token"), id, principalOf(c).UserID)
	if item == nil {
		return c.Redirect(back+"?notice=import.expired", fiber.StatusSeeOther)
	}
	report, err := h.Catalog.Import(c.UserContext(), id, item.data, quiz.ImportOptions{
		Format: item.format, FileName: item.name, Sheet: item.sheet, SkipInvalid: c.FormValue("skip") == "1"})
	if err != nil {
		return err
	}
	if report.Imported == 0 && len(report.Errors) > 0 {
		return c.Redirect(back+"?notice=import.nothing_stored", fiber.StatusSeeOther)
	}
	return c.Redirect(back+"?notice=import.done&n="+itoa(int64(report.Imported)), fiber.StatusSeeOther)
}

// notice is the message a redirect asked for with ?notice=KEY (and ?n=),
// shown only when it is one of the import messages or the notice that an
// account was deleted.
func (h *Handler) notice(c *fiber.Ctx) string {
	key := c.Query("notice")
	if !strings.HasPrefix(key, "import.") && key != "privacy.deleted" {
		return ""
	}
	l := h.lang(c)
	if !h.cat.text.Has(l.code, key) {
		return ""
	}
	return l.T(key, c.QueryInt("n"))
}

// retireForm and restoreForm take a question out of use and back, from the
// bank page.
func (h *Handler) retireForm(c *fiber.Ctx) error  { return h.setRetiredForm(c, true) }
func (h *Handler) restoreForm(c *fiber.Ctx) error { return h.setRetiredForm(c, false) }

func (h *Handler) setRetiredForm(c *fiber.Ctx, retired bool) error {
	id, qid, err := h.retire(c, retired)
	if err != nil {
		return err
	}
	return c.Redirect("/organize/banks/"+itoa(id)+"#question-"+itoa(qid), fiber.StatusSeeOther)
}

// editorPage shows the question editor: empty for a new question
// (qid "new"), filled in for an edit.
func (h *Handler) editorPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Catalog.Bank(c.UserContext(), id)
	if err != nil {
		return err
	}
	q := quiz.Question{Options: make([]quiz.Option, 4)}
	if c.Params("qid") != "new" {
		qid, err := idParam(c, "qid")
		if err != nil {
			return err
		}
		if q, err = h.Catalog.Question(c.UserContext(), id, qid); err != nil {
			return err
		}
	}
	return h.renderEditor(c, fiber.StatusOK, b, q, nil, "")
}

func (h *Handler) renderEditor(c *fiber.Ctx, status int, b quiz.Bank, q quiz.Question, fields map[string]string, notice string) error {
	for len(q.Options) < quiz.MaxOptions {
		q.Options = append(q.Options, quiz.Option{})
	}
	return h.page(c, status, "editor", b.Name, fiber.Map{"Bank": b, "Question": q, "Errors": fields, "Notice": notice})
}

// saveQuestionForm adds or edits a question from the editor; empty option
// rows are left out.
func (h *Handler) saveQuestionForm(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Catalog.Bank(c.UserContext(), id)
	if err != nil {
		return err
	}
	q := quiz.Question{Topic: c.FormValue("topic"), Text: c.FormValue("text"), Explanation: c.FormValue("explanation"),
		Reference: c.FormValue("reference"), Difficulty: c.FormValue("difficulty")}
	for i := range quiz.MaxOptions {
		text := c.FormValue("option" + strconv.Itoa(i))
		if strings.TrimSpace(text) == "" {
			continue
		}
		q.Options = append(q.Options, quiz.Option{Text: text, Correct: c.FormValue("correct"+strconv.Itoa(i)) == "1"})
	}
	var qid int64
	if c.Params("qid") == "new" {
		qid, err = h.Catalog.AddQuestion(c.UserContext(), id, q)
	} else {
		old, perr := idParam(c, "qid")
		if perr != nil {
			return perr
		}
		q.ID = old
		qid, err = h.Catalog.EditQuestion(c.UserContext(), id, old, q)
	}
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal || quiz.ErrorCode(err) == quiz.CodeNotFound {
			return err
		}
		fields, notice := h.fieldErrors(c, err)
		return h.renderEditor(c, statusOf[quiz.ErrorCode(err)], b, q, fields, notice)
	}
	return c.Redirect("/organize/banks/"+itoa(id)+"#question-"+itoa(qid), fiber.StatusSeeOther)
}

// listUnits gives the units contestants choose from (empty: free text).
func (h *Handler) listUnits(c *fiber.Ctx) error {
	units, err := h.Accounts.Units(c.UserContext())
	return h.unitsAnswer(c, units, err)
}

// unitsAnswer is {units:[…], members:{unit: size}}, empty rather than null.
func (h *Handler) unitsAnswer(c *fiber.Ctx, units []string, err error) error {
	if err != nil {
		return err
	}
	if units == nil {
		units = []string{}
	}
	members, err := h.Results.UnitMembers(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"units": units, "members": members})
}

// replaceUnits sets the units list from {units:[...], members?:{unit: size}}.
func (h *Handler) replaceUnits(c *fiber.Ctx) error {
	var b struct {
		Units   []string       `json:"units"`
		Members map[string]int `json:"members"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	units, err := h.setUnits(c, b.Units, b.Members)
	return h.unitsAnswer(c, units, err)
}

// setUnits replaces the units list and their sizes. Sizes are checked
// against the new list before anything is stored.
func (h *Handler) setUnits(c *fiber.Ctx, names []string, members map[string]int) ([]string, error) {
	list := make([]string, 0, len(names))
	for _, n := range names {
		if n = quiz.Clean(n); n != "" {
			list = append(list, n)
		}
	}
	if err := h.Results.CheckUnitMembers(list, members); err != nil {
		return nil, err
	}
	units, err := h.Accounts.SetUnits(c.UserContext(), names)
	if err != nil {
		return nil, err
	}
	return units, h.Results.SetUnitMembers(c.UserContext(), units, members)
}

func (h *Handler) unitsPage(c *fiber.Ctx) error {
	units, err := h.Accounts.Units(c.UserContext())
	if err != nil {
		return err
	}
	members, err := h.Results.UnitMembers(c.UserContext())
	if err != nil {
		return err
	}
	lines := make([]string, len(units))
	for i, u := range units {
		lines[i] = u
		if n := members[u]; n > 0 {
			lines[i] = u + ": " + strconv.Itoa(n)
		}
	}
	return h.page(c, fiber.StatusOK, "units", h.lang(c).T("units.title"), fiber.Map{
		"Units": strings.Join(lines, "\n"), "Count": len(units), "Notice": h.notice(c)})
}

// unitLines reads units typed one a line, each with an optional size
// after a colon: "Xã Đông Hòa: 1200".
func unitLines(text string) ([]string, map[string]int) {
	var names []string
	members := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		name, n, ok := pairLine(line)
		if !ok {
			name = strings.TrimSpace(line)
		}
		names = append(names, name)
		if ok && n > 0 {
			members[name] = n
		}
	}
	return names, members
}

// saveUnitsForm takes the list typed one unit a line, or a CSV file whose
// first column holds the units (a header "Đơn vị" or "Unit" is skipped).
func (h *Handler) saveUnitsForm(c *fiber.Ctx) error {
	names, members := unitLines(c.FormValue("units"))
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, 2<<20))
		if err != nil {
			return err
		}
		names, members = unitsFromCSV(data)
	}
	units, err := h.setUnits(c, names, members)
	if err != nil {
		if quiz.ErrorCode(err) == quiz.CodeInternal {
			return err
		}
		fields, notice := h.fieldErrors(c, err)
		return h.page(c, statusOf[quiz.ErrorCode(err)], "units", h.lang(c).T("units.title"), fiber.Map{
			"Units": c.FormValue("units"), "Notice": notice + " " + fields["units"] + fields["members"]})
	}
	return c.Redirect("/organize/units?notice=import.units_saved&n="+strconv.Itoa(len(units)), fiber.StatusSeeOther)
}

// unitsFromCSV reads the first column of a CSV file (UTF-8, a BOM, commas
// or semicolons), leaving out a header row.
func unitsFromCSV(data []byte) ([]string, map[string]int) {
	text := strings.TrimPrefix(string(data), "\ufeff")
	var out []string
	members := map[string]int{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		cell, rest := line, ""
		if j := strings.IndexAny(line, ",;\t"); j >= 0 {
			cell, rest = line[:j], line[j+1:]
		}
		cell = strings.Trim(strings.TrimSpace(cell), `"`)
		if i == 0 {
			switch quiz.Fold(cell) {
			case "don vi", "unit", "ten don vi":
				continue
			}
		}
		out = append(out, cell)
		if j := strings.IndexAny(rest, ",;\t"); j >= 0 {
			rest = rest[:j]
		}
		if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(rest), `"`)); err == nil && n > 0 {
			members[cell] = n
		}
	}
	return out, members
}
