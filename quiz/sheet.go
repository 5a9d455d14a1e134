package quiz

import (
	"encoding/csv"
	"io"
	"strings"
)

// NewSheetCSV starts a CSV file that a spreadsheet opens right: it writes
// the UTF-8 byte order mark, then returns a writer with sep between fields
// (',' or ';', the list separator of Excel under Vietnamese regional
// settings) and CRLF line ends.
func NewSheetCSV(w io.Writer, sep rune) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true
	return cw, nil
}

// SheetText returns s made safe for a cell of a CSV file that a spreadsheet
// will open: a value that starts with = + - @, a tab or a carriage return
// would be read as a formula, so it gets a leading apostrophe and is shown
// as the text it is. Every text cell of every exported CSV passes here.
// Workbooks need no such mark: they hold text as typed text cells in the
// text number format, which no spreadsheet evaluates, so the text stays
// exactly as entered.
func SheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
