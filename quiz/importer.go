package quiz

// The shared vocabulary of question-bank files: what a parser returns, the
// problems it reports with their place in the file, and the limits that
// keep a huge or hostile file from hurting the server. Each format has its
// own file (format_*.go); Import (import.go) turns what they read into
// questions of a bank.

// Format names a question-bank file format.
type Format string

// The formats hoithi reads; xlsx, json and gift are also written.
const (
	FormatXLSX  Format = "xlsx"
	FormatCSV   Format = "csv"
	FormatJSON  Format = "json"
	FormatGIFT  Format = "gift"
	FormatAiken Format = "aiken"
)

// CodeInvalidFile is the error for a file that cannot be read in its
// format at all: corrupt, binary, too large once unpacked.
const CodeInvalidFile = "invalid_file"

// Problem is something wrong in an imported file: where, and what. Key is
// a message key of the UI catalog ("import.*" or "field.*"), formatted with
// Args, so that organizers read it in their language.
type Problem struct {
	// Line is the file's physical line for CSV (a record spanning lines
	// counts from its first line), GIFT and Aiken (the line Moodle would
	// name); the sheet row for xlsx (header = 1); the 1-based position in
	// "questions" for JSON; 0 for the file as a whole.
	Line int
	// Column names the column or field at fault when there is one: the
	// header as written in the file ("Đáp án") or the letter ("C").
	Column string
	Key    string
	Args   []any
	// Warning marks a problem that does not stop the question from being
	// imported (a partial-credit GIFT option counted as wrong, say).
	Warning bool
}

// ParsedQuestion is one question read from a file, not yet normalized or
// validated, with the line it starts on.
type ParsedQuestion struct {
	Line     int
	Question Question
}

// Parsed is everything a parser read from one file.
type Parsed struct {
	Questions []ParsedQuestion
	Problems  []Problem
}

// ImportLimits bound what one import may hold.
type ImportLimits struct {
	MaxBytes     int64 // the file as uploaded
	MaxUnpacked  int64 // an xlsx file's parts once unzipped
	MaxQuestions int
	MaxCellChars int // one cell, field or option, in characters
}

// DefaultImportLimits are generous for any real bank (10,000 questions in
// .xlsx is about 1 MB) and small enough that a hostile file cannot exhaust
// the server.
var DefaultImportLimits = ImportLimits{
	MaxBytes:     20 << 20,
	MaxUnpacked:  200 << 20,
	MaxQuestions: 20000,
	MaxCellChars: 4000,
}

// invalidFile is the error for a file that cannot be read as format.
func invalidFile(format Format, reason string) *Error {
	return &Error{Code: CodeInvalidFile, Message: string(format) + ": " + reason}
}
