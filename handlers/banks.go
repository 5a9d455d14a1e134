package handlers

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

type bankBrief struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	QuestionCount int    `json:"question_count"`
}

func (h *Handler) listBanks(c *fiber.Ctx) error {
	banks, err := h.Catalog.Banks(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]bankBrief, 0, len(banks))
	for _, b := range banks {
		out = append(out, bankBrief{b.ID, b.Name, b.Description, b.QuestionCount})
	}
	return c.JSON(fiber.Map{"banks": out})
}

type createBankBody struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *Handler) createBank(c *fiber.Ctx) error {
	var b createBankBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	bank, err := h.Catalog.CreateBank(c.UserContext(), b.Name, b.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": bank.ID})
}

type optionBody struct {
	ID      int64  `json:"id,omitempty"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

type questionBody struct {
	ID          int64        `json:"id,omitempty"`
	Topic       string       `json:"topic"`
	Text        string       `json:"text"`
	Options     []optionBody `json:"options"`
	Explanation string       `json:"explanation"`
	Reference   string       `json:"reference"`
	Difficulty  string       `json:"difficulty"`
	Retired     bool         `json:"retired"`
}

func (h *Handler) listQuestions(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	qs, err := h.Catalog.Questions(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]questionBody, 0, len(qs))
	for _, q := range qs {
		out = append(out, questionBodyOf(q))
	}
	return c.JSON(fiber.Map{"questions": out})
}

// addQuestion adds one question typed in by an organizer or a script.
func (h *Handler) addQuestion(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var b questionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	q := questionOf(b)
	qid, err := h.Catalog.AddQuestion(c.UserContext(), id, q)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": qid})
}

func questionOf(b questionBody) quiz.Question {
	q := quiz.Question{Topic: b.Topic, Text: b.Text, Explanation: b.Explanation, Reference: b.Reference, Difficulty: b.Difficulty}
	for _, o := range b.Options {
		q.Options = append(q.Options, quiz.Option{Text: o.Text, Correct: o.Correct})
	}
	return q
}

// editQuestion replaces a question with its edited version, which gets a
// new id; the old one is retired.
func (h *Handler) editQuestion(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	qid, err := idParam(c, "qid")
	if err != nil {
		return err
	}
	var b questionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	newID, err := h.Catalog.EditQuestion(c.UserContext(), id, qid, questionOf(b))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": newID, "replaces": qid})
}

// retireQuestion and restoreQuestion take a question out of use and back.
func (h *Handler) retireQuestion(c *fiber.Ctx) error  { return h.setRetired(c, true) }
func (h *Handler) restoreQuestion(c *fiber.Ctx) error { return h.setRetired(c, false) }

func (h *Handler) setRetired(c *fiber.Ctx, retired bool) error {
	_, qid, err := h.retire(c, retired)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": qid, "retired": retired})
}

// retire retires or restores the question the path names, for the API and
// the bank page alike.
func (h *Handler) retire(c *fiber.Ctx, retired bool) (bankID, questionID int64, err error) {
	if bankID, err = idParam(c, "id"); err != nil {
		return 0, 0, err
	}
	if questionID, err = idParam(c, "qid"); err != nil {
		return 0, 0, err
	}
	return bankID, questionID, h.Catalog.SetRetired(c.UserContext(), bankID, questionID, retired)
}

// importProblem is one line of an import report.
type importProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

type importAnswer struct {
	Format     quiz.Format     `json:"format"`
	DryRun     bool            `json:"dry_run"`
	Imported   int             `json:"imported"`
	Duplicates int             `json:"duplicates"`
	Errors     []importProblem `json:"errors"`
	Warnings   []importProblem `json:"warnings"`
	// Questions previews what a dry run would store.
	Questions []previewQuestion `json:"questions,omitempty"`
}

type previewQuestion struct {
	Line int `json:"line"`
	questionBody
}

func problemsIn(l lang, ps []quiz.Problem) []importProblem {
	out := make([]importProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, importProblem{Line: p.Line, Column: p.Column, Message: l.T(p.Key, p.Args...)})
	}
	return out
}

// importReportBody shapes an import report in the reader's language.
func importReportBody(l lang, r quiz.ImportReport, dryRun bool) importAnswer {
	a := importAnswer{Format: r.Format, DryRun: dryRun, Imported: r.Imported, Duplicates: r.Duplicates,
		Errors: problemsIn(l, r.Errors), Warnings: problemsIn(l, r.Warnings)}
	if dryRun {
		for _, pq := range r.Questions {
			a.Questions = append(a.Questions, previewQuestion{Line: pq.Line, questionBody: questionBodyOf(pq.Question)})
		}
	}
	return a
}

func questionBodyOf(q quiz.Question) questionBody {
	qb := questionBody{ID: q.ID, Topic: q.Topic, Text: q.Text, Explanation: q.Explanation, Reference: q.Reference,
		Difficulty: q.Difficulty, Retired: q.Retired, Options: []optionBody{}}
	for _, o := range q.Options {
		qb.Options = append(qb.Options, optionBody{o.ID, o.Text, o.Correct})
	}
	return qb
}

// importBank reads an uploaded file into a bank, with ?dry_run=true to
// preview and ?skip_invalid=true to store the valid questions of a file
// that has errors.
func (h *Handler) importBank(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	fh, err := uploadedFile(c, "file")
	if err != nil {
		return err
	}
	if fh == nil {
		return &quiz.Error{Code: quiz.CodeValidation, Message: "the file is missing",
			Fields: map[string]string{"file": quiz.MsgRequired}}
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
	dryRun := c.QueryBool("dry_run")
	report, err := h.Catalog.Import(c.UserContext(), id, data, quiz.ImportOptions{
		Format: quiz.Format(c.Query("format")), FileName: fh.Filename, Sheet: c.Query("sheet"),
		DryRun: dryRun, SkipInvalid: c.QueryBool("skip_invalid"),
	})
	if err != nil {
		return err
	}
	return c.JSON(importReportBody(h.lang(c), report, dryRun))
}

// exportBank sends a bank as a file that imports back to the same
// questions.
func (h *Handler) exportBank(c *fiber.Ctx) error {
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
	format := quiz.Format(c.Query("format", string(quiz.FormatJSON)))
	var data []byte
	var ctype string
	switch format {
	case quiz.FormatJSON:
		data, err = quiz.ExportJSON(b, qs)
		ctype = "application/json"
	case quiz.FormatGIFT:
		data, ctype = quiz.ExportGIFT(b, qs), "text/plain; charset=utf-8"
	case quiz.FormatXLSX:
		data, err = quiz.ExportXLSX(b, qs)
		ctype = xlsxType
	default:
		return &quiz.Error{Code: quiz.CodeValidation, Message: "unknown export format",
			Fields: map[string]string{"format": quiz.MsgFormatInvalid}}
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, attachment(b.Name, string(format)))
	return c.Send(data)
}

// attachment is a Content-Disposition that saves under the bank's name,
// with an ASCII fallback for old clients (RFC 6266).
func attachment(name, ext string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, name)
	return fmt.Sprintf(`attachment; filename="%s.%s"; filename*=UTF-8''%s.%s`, ascii, ext, url.PathEscape(name), ext)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// bankTemplate sends the Excel template organizers fill in: the header, two
// example rows and a sheet of notes.
func (h *Handler) bankTemplate(c *fiber.Ctx) error {
	data, err := quiz.XLSXTemplate()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, xlsxType)
	c.Set(fiber.HeaderContentDisposition, attachment("mau-ngan-hang-cau-hoi", "xlsx"))
	return c.Send(data)
}
