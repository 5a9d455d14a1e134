package quiz

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
)

// ImportOptions say how to read a file into a bank.
type ImportOptions struct {
	Format      Format // empty: from FileName
	FileName    string
	Sheet       string // xlsx: a sheet by name; empty for the first
	DryRun      bool   // store nothing; report what would be stored
	SkipInvalid bool   // store the valid questions even when others have errors
	Limits      ImportLimits
}

// ImportReport is what an import stored, or would store in a dry run.
type ImportReport struct {
	Format     Format
	Imported   int // stored, or that would be stored
	Duplicates int // already in the bank or earlier in the file: not stored, not errors
	Errors     []Problem
	Warnings   []Problem
	// Questions are the new, valid questions, normalized, in file order.
	Questions []ParsedQuestion
}

// DetectFormat names a file's format: the one asked for, else by the file
// name's extension; a .txt file is Aiken when it has "ANSWER:" lines and
// GIFT otherwise.
func DetectFormat(asked, fileName string, data []byte) (Format, error) {
	if asked != "" {
		switch f := Format(strings.ToLower(asked)); f {
		case FormatXLSX, FormatCSV, FormatJSON, FormatGIFT, FormatAiken:
			return f, nil
		}
		return "", &Error{Code: CodeValidation, Message: "unknown format", Fields: map[string]string{"format": MsgFormatInvalid}}
	}
	switch strings.ToLower(filepath.Ext(fileName)) {
	case ".xlsx":
		return FormatXLSX, nil
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	case ".gift":
		return FormatGIFT, nil
	case ".txt":
		for _, line := range bytes.Split(data, []byte("\n")) {
			if bytes.HasPrefix(bytes.TrimSpace(line), []byte("ANSWER:")) {
				return FormatAiken, nil
			}
		}
		return FormatGIFT, nil
	}
	return "", &Error{Code: CodeValidation, Message: "unknown file type", Fields: map[string]string{"format": MsgFormatUnknown}}
}

// Message keys of import problems the importer itself reports.
const (
	MsgFormatInvalid = "field.format_invalid"
	MsgFormatUnknown = "field.format_unknown"
)

// parse reads data in format.
func parse(format Format, data []byte, sheet string, lim ImportLimits) (Parsed, error) {
	if reader, ok := readers[format]; ok {
		return reader(data, sheet, lim)
	}
	return Parsed{}, invalidFile(format, "unknown format")
}

// readers are the parsers of the formats, by format.
var readers = map[Format]func(data []byte, sheet string, lim ImportLimits) (Parsed, error){
	FormatXLSX:  ParseXLSX,
	FormatCSV:   func(data []byte, _ string, lim ImportLimits) (Parsed, error) { return ParseCSV(data, lim) },
	FormatJSON:  func(data []byte, _ string, lim ImportLimits) (Parsed, error) { return ParseJSON(data, lim) },
	FormatGIFT:  func(data []byte, _ string, lim ImportLimits) (Parsed, error) { return ParseGIFT(data, lim) },
	FormatAiken: func(data []byte, _ string, lim ImportLimits) (Parsed, error) { return ParseAiken(data, lim) },
}

// fingerprint identifies a question for duplicates: its text and the set of
// its option texts, normalized (NFC, trimmed, inner space collapsed).
func fingerprint(q Question) string {
	opts := make([]string, len(q.Options))
	for i, o := range q.Options {
		opts[i] = Clean(o.Text)
	}
	slices.Sort(opts)
	return Clean(q.Text) + "\x00" + strings.Join(opts, "\x01")
}

// answerKey is the set of a question's correct option texts.
func answerKey(q Question) string {
	var correct []string
	for _, o := range q.Options {
		if o.Correct {
			correct = append(correct, Clean(o.Text))
		}
	}
	slices.Sort(correct)
	return strings.Join(correct, "\x01")
}

// Import reads a file into a bank. Every question is normalized and
// checked; a question already in the bank or earlier in the file (same
// text and options) is counted as a duplicate and skipped; the same text
// and options with another correct set is an error. With any error nothing
// is stored unless SkipInvalid; a dry run stores nothing either way.
func (c *Catalog) Import(ctx context.Context, bankID int64, data []byte, opts ImportOptions) (ImportReport, error) {
	if _, err := c.store.Bank(ctx, bankID); err != nil {
		return ImportReport{}, err
	}
	lim := opts.Limits
	if lim == (ImportLimits{}) {
		lim = DefaultImportLimits
	}
	format, err := DetectFormat(string(opts.Format), opts.FileName, data)
	if err != nil {
		return ImportReport{}, err
	}
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return ImportReport{}, invalidFile(format, "the file is too large")
	}
	parsed, err := parse(format, data, opts.Sheet, lim)
	if err != nil {
		return ImportReport{}, err
	}
	existing, err := c.store.Questions(ctx, bankID)
	if err != nil {
		return ImportReport{}, err
	}
	known := make(map[string]string, len(existing)) // fingerprint → answer key
	for _, q := range existing {
		known[fingerprint(q)] = answerKey(q)
	}
	firstLine := map[string]int{} // fingerprint → line of its first occurrence in the file

	report := ImportReport{Format: format}
	for _, p := range parsed.Problems {
		if p.Warning {
			report.Warnings = append(report.Warnings, p)
		} else {
			report.Errors = append(report.Errors, p)
		}
	}
	for _, pq := range parsed.Questions {
		q, err := pq.Question.Normalize()
		if err != nil {
			report.Errors = append(report.Errors, fieldProblems(pq.Line, err)...)
			continue
		}
		fp, key := fingerprint(q), answerKey(q)
		if want, ok := known[fp]; ok {
			if want != key {
				p := Problem{Line: pq.Line, Key: "import.conflicting_answer"}
				if first, inFile := firstLine[fp]; inFile {
					p = Problem{Line: pq.Line, Key: "import.conflicting_answer_line", Args: []any{first}}
				}
				report.Errors = append(report.Errors, p)
				continue
			}
			report.Duplicates++
			continue
		}
		known[fp] = key
		firstLine[fp] = pq.Line
		report.Questions = append(report.Questions, ParsedQuestion{Line: pq.Line, Question: q})
	}
	slices.SortStableFunc(report.Errors, func(a, b Problem) int { return a.Line - b.Line })
	report.Imported = len(report.Questions)
	if len(report.Errors) > 0 && !opts.SkipInvalid {
		report.Imported = 0
	}
	if opts.DryRun || report.Imported == 0 {
		return report, nil
	}
	qs := make([]Question, len(report.Questions))
	for i, pq := range report.Questions {
		qs[i] = pq.Question
	}
	if _, err := c.store.AddQuestions(ctx, bankID, qs); err != nil {
		return ImportReport{}, err
	}
	return report, nil
}

// fieldProblems turns a question's validation error into problems at its
// line, one per field.
func fieldProblems(line int, err error) []Problem {
	qe, ok := err.(*Error)
	if !ok || len(qe.Fields) == 0 {
		return []Problem{{Line: line, Key: "import.invalid_question"}}
	}
	var out []Problem
	for _, field := range SortedFieldNames(qe.Fields) {
		out = append(out, Problem{Line: line, Column: field, Key: qe.Fields[field]})
	}
	return out
}

// SortedFieldNames returns the fields of a validation error in a stable
// order.
func SortedFieldNames(fields map[string]string) []string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	return names
}
