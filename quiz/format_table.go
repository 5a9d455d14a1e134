package quiz

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// What CSV and .xlsx banks share: one question a row, under a header row that
// organizers write in Vietnamese or English, with or without diacritics, in
// any case. format_csv.go and format_xlsx.go only turn their file into rows
// of cells and feed them to a tableReader, so both formats accept the same
// headers, read answers the same way and report the same problems.

// tableOptionLetters are the option columns a table may have: as many as a
// question may have options (MaxOptions), so that every bank hoithi holds
// comes back from its own Excel export. Organizers use A–F, and the
// template shows those.
const tableOptionLetters = "ABCDEFGHIJ"

// tableHeaderSearchRows is how many non-empty rows may stand above the header
// (a title such as "NGÂN HÀNG CÂU HỎI…", a date, a unit name): organizers
// often keep those in the sheet they were given.
const tableHeaderSearchRows = 10

// Message keys of the problems found in a table. Args are given with each.
const (
	msgTableEmptyFile       = "import.empty_file"             // no args
	msgTableMissingColumn   = "import.missing_column"         // column name
	msgTableMissingOptions  = "import.missing_option_columns" // no args
	msgTableDuplicateColumn = "import.duplicate_column"       // column as written
	msgTableMissingQuestion = "import.missing_question"       // column as written
	msgTableTooFewOptions   = "import.too_few_options"        // options found
	msgTableMissingAnswer   = "import.missing_answer"         // column as written
	msgTableAnswerUnread    = "import.answer_unreadable"      // the answer cell
	msgTableAnswerRange     = "import.answer_out_of_range"    // letter, first and last option letter of the header
	msgTableAnswerEmpty     = "import.answer_empty_option"    // letter, option column as written
	msgTableCellTooLong     = "import.cell_too_long"          // column as written, length, limit
	msgTableTooMany         = "import.too_many_questions"     // limit
)

// tableRole is what a column of the header holds.
type tableRole int

const (
	roleNone tableRole = iota
	roleTopic
	roleQuestion
	roleAnswer
	roleExplanation
	roleReference
	roleDifficulty
	roleOption // roleOption+i is option column i (A = 0)
)

// tableHeaderNames maps a folded header (tableFold) to its role. Option
// columns are recognized apart, by tableOptionRole.
var tableHeaderNames = map[string]tableRole{
	"chude": roleTopic, "chudecauhoi": roleTopic, "linhvuc": roleTopic, "chuyende": roleTopic,
	"topic": roleTopic, "category": roleTopic,

	"cauhoi": roleQuestion, "noidungcauhoi": roleQuestion, "noidung": roleQuestion,
	"question": roleQuestion, "questiontext": roleQuestion, "text": roleQuestion,

	"dapan": roleAnswer, "dapandung": roleAnswer, "dapanchinhxac": roleAnswer,
	"answer": roleAnswer, "answers": roleAnswer, "correct": roleAnswer,
	"correctanswer": roleAnswer, "correctanswers": roleAnswer, "key": roleAnswer,

	"giaithich": roleExplanation, "giaithichdapan": roleExplanation, "loigiai": roleExplanation,
	"explanation": roleExplanation, "feedback": roleExplanation,

	"cancu": roleReference, "cancuphaply": roleReference, "nguon": roleReference,
	"trichdan": roleReference, "reference": roleReference, "source": roleReference,

	"dokho": roleDifficulty, "mucdo": roleDifficulty, "capdo": roleDifficulty,
	"difficulty": roleDifficulty, "level": roleDifficulty,
}

// tableOptionPrefixes are the words that may stand before an option letter:
// "Phương án A", "PA A", "Đáp án A", "Option A", "Lựa chọn A", "Choice A".
var tableOptionPrefixes = []string{"", "phuongan", "pa", "dapan", "luachon", "option", "choice"}

// tableOptionRole recognizes an option column header; ok is false for any
// other header.
func tableOptionRole(folded string) (tableRole, bool) {
	for _, prefix := range tableOptionPrefixes {
		rest, found := strings.CutPrefix(folded, prefix)
		if !found || len(rest) != 1 {
			continue
		}
		if i := strings.IndexByte(strings.ToLower(tableOptionLetters), rest[0]); i >= 0 {
			return roleOption + tableRole(i), true
		}
	}
	return roleNone, false
}

// tableFold reduces a header or answer to what identifies it: lower case,
// without diacritics (đ as d), without the text in brackets ("Đáp án (ghi A,
// B…)") and keeping only letters and digits, so that "Câu hỏi", "CÂU HỎI",
// "cau hoi", "Câu hỏi (*)" and an NFD "Câu hỏi" are one header.
func tableFold(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tableRoleName is how a role's column is named to the organizer when it is
// missing: the header the template uses.
func tableRoleName(role tableRole) string {
	switch role {
	case roleQuestion:
		return "Câu hỏi"
	case roleAnswer:
		return "Đáp án"
	}
	return ""
}

// tableColumns says which cell of a row holds what, as read from the header.
type tableColumns struct {
	index   map[tableRole]int // role → cell index
	used    []int             // the cell indexes of index, left to right
	written []string          // cell index → the header as written in the file
	options []tableRole       // the option columns present, A before B
}

// readTableHeader reads cells as a header row. It returns the columns found
// and the duplicated headers (a second "Câu hỏi": the first one is used).
func readTableHeader(cells []string) (tableColumns, []string) {
	cols := tableColumns{index: map[tableRole]int{}, written: make([]string, len(cells))}
	var duplicates []string
	for i, cell := range cells {
		cols.written[i] = strings.TrimSpace(norm.NFC.String(cell))
		folded := tableFold(cell)
		role, ok := tableHeaderNames[folded]
		if !ok {
			role, _ = tableOptionRole(folded)
		}
		if role == roleNone {
			continue
		}
		if _, seen := cols.index[role]; seen {
			duplicates = append(duplicates, cols.written[i])
			continue
		}
		cols.index[role] = i
		cols.used = append(cols.used, i)
	}
	for i := range len(tableOptionLetters) {
		if _, ok := cols.index[roleOption+tableRole(i)]; ok {
			cols.options = append(cols.options, roleOption+tableRole(i))
		}
	}
	return cols, duplicates
}

// looksLikeHeader tells the header from the rows a sheet may have above it:
// it names the question column, or the answer column and two options.
func (c tableColumns) looksLikeHeader() bool {
	_, question := c.index[roleQuestion]
	_, answer := c.index[roleAnswer]
	return question || answer && len(c.options) >= 2
}

// tableReader turns the rows of a table, header first, into questions and
// problems. Feed it every row with add, then call finish.
type tableReader struct {
	lim    ImportLimits
	parsed Parsed

	header     bool // the header row has been found
	cols       tableColumns
	firstLine  int      // the first non-empty row, taken as the header if no row looks like one
	firstCells []string // its cells
	aboveRows  int      // non-empty rows seen while looking for the header
	dataRows   int      // non-empty rows below the header
	stopped    bool
}

// newTableReader starts reading a table under lim, whose zero fields the
// caller has already filled (tableLimits).
func newTableReader(lim ImportLimits) *tableReader {
	return &tableReader{lim: lim}
}

// add reads one row, found on line (the CSV line where the record starts, or
// the sheet row). It returns false once no further row is wanted: the header
// lacks a column every question needs, or the question limit is reached.
func (t *tableReader) add(line int, cells []string) bool {
	if t.stopped {
		return false
	}
	if !t.header {
		t.findHeader(line, cells)
		return !t.stopped
	}
	if t.emptyRow(cells) {
		return true
	}
	t.dataRows++
	if t.lim.MaxQuestions > 0 && t.dataRows > t.lim.MaxQuestions {
		t.problem(line, "", msgTableTooMany, t.lim.MaxQuestions)
		t.stopped = true
		return false
	}
	t.readRow(line, cells)
	return true
}

// finish returns what was read. A table whose header was never found is
// reported on its first non-empty row (the header's place), naming the
// columns missing there.
func (t *tableReader) finish() Parsed {
	if !t.header && !t.stopped {
		switch {
		case t.firstLine != 0:
			t.useHeader(t.firstLine, t.firstCells)
		case len(t.parsed.Problems) == 0:
			t.problem(0, "", msgTableEmptyFile)
		}
	}
	return t.parsed
}

// findHeader looks at a row above the header: it is the header if it looks
// like one; after tableHeaderSearchRows rows that do not, the first one is
// taken as the header so that its missing columns are reported.
func (t *tableReader) findHeader(line int, cells []string) {
	if tableAllEmpty(cells) {
		return
	}
	if t.firstLine == 0 {
		t.firstLine, t.firstCells = line, cells
	}
	if cols, _ := readTableHeader(cells); cols.looksLikeHeader() {
		t.useHeader(line, cells)
		return
	}
	t.aboveRows++
	if t.aboveRows >= tableHeaderSearchRows {
		t.useHeader(t.firstLine, t.firstCells)
	}
}

// useHeader takes cells as the header row and reports on line what it
// lacks; without a question or an answer column, or with fewer than two
// option columns, no row can be read and the reader stops.
func (t *tableReader) useHeader(line int, cells []string) {
	cols, duplicates := readTableHeader(cells)
	t.header, t.cols = true, cols
	for _, name := range duplicates {
		t.parsed.Problems = append(t.parsed.Problems, Problem{Line: line, Column: name,
			Key: msgTableDuplicateColumn, Args: []any{name}, Warning: true})
	}
	for _, role := range []tableRole{roleQuestion, roleAnswer} {
		if _, ok := cols.index[role]; !ok {
			t.problem(line, tableRoleName(role), msgTableMissingColumn, tableRoleName(role))
			t.stopped = true
		}
	}
	if len(cols.options) < 2 {
		t.problem(line, "", msgTableMissingOptions)
		t.stopped = true
	}
}

// emptyRow reports whether every cell the header names is blank: such rows
// (spacing, rows formatted but never filled) are skipped without a word.
func (t *tableReader) emptyRow(cells []string) bool {
	for _, i := range t.cols.used {
		if i < len(cells) && strings.TrimSpace(cells[i]) != "" {
			return false
		}
	}
	return true
}

// cell returns the trimmed NFC text of the column with role, "" when the
// header has no such column or the row stops short of it. Merged cells in
// .xlsx hold their value in the top-left cell only, the others read as
// empty: a "Chủ đề" merged down several rows names the topic of its first
// row alone, and a question merged down two rows leaves the second without
// text, which is reported rather than guessed.
func (t *tableReader) cell(cells []string, role tableRole) string {
	i, ok := t.cols.index[role]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(norm.NFC.String(cells[i]))
}

// column returns the header of role's column as written in the file.
func (t *tableReader) column(role tableRole) string {
	if i, ok := t.cols.index[role]; ok {
		return t.cols.written[i]
	}
	return tableRoleName(role)
}

// readRow turns one data row into a question, or into the problems that
// keep it from being one: every problem of the row is reported at once, so
// that the organizer fixes the file in one pass.
func (t *tableReader) readRow(line int, cells []string) {
	before := len(t.parsed.Problems)
	text := func(role tableRole) string {
		s := t.cell(cells, role)
		if n := utf8.RuneCountInString(s); t.lim.MaxCellChars > 0 && n > t.lim.MaxCellChars {
			t.problem(line, t.column(role), msgTableCellTooLong, t.column(role), n, t.lim.MaxCellChars)
		}
		return s
	}
	q := Question{
		Topic:       text(roleTopic),
		Text:        text(roleQuestion),
		Explanation: text(roleExplanation),
		Reference:   text(roleReference),
		Difficulty:  text(roleDifficulty),
	}
	optionAt := map[int]int{} // option letter (A = 0) → index in q.Options
	for _, role := range t.cols.options {
		if s := text(role); s != "" {
			optionAt[int(role-roleOption)] = len(q.Options)
			q.Options = append(q.Options, Option{Text: s})
		}
	}
	answer := text(roleAnswer)

	if q.Text == "" {
		t.problem(line, t.column(roleQuestion), msgTableMissingQuestion, t.column(roleQuestion))
	}
	if len(q.Options) < 2 {
		t.problem(line, "", msgTableTooFewOptions, len(q.Options))
	}
	letters, ok := tableAnswerLetters(answer)
	switch {
	case answer == "":
		t.problem(line, t.column(roleAnswer), msgTableMissingAnswer, t.column(roleAnswer))
	case !ok:
		t.problem(line, t.column(roleAnswer), msgTableAnswerUnread, tableShort(answer))
	}
	first, last := t.cols.options[0]-roleOption, t.cols.options[len(t.cols.options)-1]-roleOption
	for _, letter := range letters {
		at, filled := optionAt[letter]
		_, present := t.cols.index[roleOption+tableRole(letter)]
		switch {
		case !present:
			t.problem(line, t.column(roleAnswer), msgTableAnswerRange, tableLetter(letter),
				tableLetter(int(first)), tableLetter(int(last)))
		case !filled:
			t.problem(line, t.column(roleAnswer), msgTableAnswerEmpty, tableLetter(letter),
				t.column(roleOption+tableRole(letter)))
		default:
			q.Options[at].Correct = true
		}
	}
	if len(t.parsed.Problems) > before {
		return
	}
	t.parsed.Questions = append(t.parsed.Questions, ParsedQuestion{Line: line, Question: q})
}

// problem records a problem of line, in column when there is one.
func (t *tableReader) problem(line int, column, key string, args ...any) {
	t.parsed.Problems = append(t.parsed.Problems, Problem{Line: line, Column: column, Key: key, Args: args})
}

// tableAnswerFiller are the words an answer cell may hold besides letters:
// "A và C", "A and C", "Đáp án B", "Phương án D".
var tableAnswerFiller = map[string]bool{"va": true, "and": true, "dap": true, "an": true, "phuong": true}

// tableAnswerLetters reads the correct letters of an answer cell — "A", "a",
// "A, C", "A;C", "AC", "A và C", "A + C", "A/C", "B." — as option numbers
// (A = 0), in the order written, each once. Letters past F come back too,
// so that the caller can say which one is out of range; ok is false when
// the cell holds anything else ("1", "đúng").
func tableAnswerLetters(answer string) (letters []int, ok bool) {
	words := strings.FieldsFunc(norm.NFC.String(answer), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;/+&.)(-–:|", r)
	})
	seen := map[int]bool{}
	for _, word := range words {
		if tableAnswerFiller[tableFold(word)] {
			continue
		}
		for _, r := range word {
			r = unicode.ToUpper(r)
			if r < 'A' || r > 'Z' {
				return nil, false
			}
			if n := int(r - 'A'); !seen[n] {
				seen[n] = true
				letters = append(letters, n)
			}
		}
	}
	return letters, len(letters) > 0
}

// tableShort cuts s to what a message can quote: an answer cell holding a
// paragraph is named by its beginning.
func tableShort(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	return string([]rune(s)[:most]) + "…"
}

// tableLetter is the letter of option n (A = 0).
func tableLetter(n int) string {
	if n < 0 || n > 25 {
		return fmt.Sprint(n)
	}
	return string(rune('A' + n))
}

// tableAllEmpty reports whether every cell is blank.
func tableAllEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
