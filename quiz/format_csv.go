package quiz

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// msgCSVUnclosedQuote is the problem of a quote opened and never closed.
const msgCSVUnclosedQuote = "import.csv_unclosed_quote"

// ParseCSV reads a question bank kept as CSV: the header row and one question
// a row, as in the .xlsx template (format_table.go). Files come from Excel
// under Vietnamese regional settings (semicolons), from other systems
// (commas, sometimes tabs), with or without a byte-order mark, with CRLF
// line ends and with quoted cells spanning lines; all of that is found from
// the file itself. A question's Line is the physical line its record starts
// on. A file that is not UTF-8 text cannot be read at all: guessing between
// Windows-1258, TCVN3 and VNI would turn the wrong guess into wrong
// questions, so the organizer is told how to save it as UTF-8.
func ParseCSV(data []byte, lim ImportLimits) (Parsed, error) {
	lim = tableLimits(lim)
	if int64(len(data)) > lim.MaxBytes {
		return Parsed{}, invalidFile(FormatCSV, "tệp lớn hơn giới hạn "+tableSize(lim.MaxBytes))
	}
	text, err := csvText(data)
	if err != nil {
		return Parsed{}, err
	}
	t := newTableReader(lim)
	text, line, delim := csvSeparatorHint(text)
	if delim == 0 {
		delim = csvDelimiter(text)
	}
	if unclosed := csvRecords(text, delim, line, t.add); unclosed > 0 {
		t.problem(unclosed, "", msgCSVUnclosedQuote)
	}
	return t.finish(), nil
}

// csvText returns data as UTF-8 text with one kind of line end, "\n": a
// UTF-8 byte-order mark is dropped, UTF-16 with a byte-order mark (Excel's
// "Unicode Text") is converted, and a cell's CRLF becomes "\n" as it would
// in a spreadsheet cell.
func csvText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		decoded, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", invalidFile(FormatCSV, "tệp UTF-16 bị hỏng; hãy lưu lại dạng \"CSV UTF-8\"")
		}
		data = decoded
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "", invalidFile(FormatCSV, "đây là tệp Excel (.xlsx), không phải .csv; hãy tải lên với định dạng xlsx")
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "", invalidFile(FormatCSV, "đây là tệp Excel cũ (.xls), không phải .csv; hãy mở bằng Excel và lưu dạng .xlsx hoặc \"CSV UTF-8\"")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return "", invalidFile(FormatCSV, "tệp chứa dữ liệu nhị phân, không phải văn bản CSV")
	}
	if !utf8.Valid(data) {
		line := 1
		for len(data) > 0 {
			r, size := utf8.DecodeRune(data)
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			data = data[size:]
		}
		return "", invalidFile(FormatCSV, fmt.Sprintf("tệp không được lưu bằng bảng mã UTF-8 "+
			"(dòng %d có ký tự không đọc được; có thể tệp dùng bảng mã Windows-1258, TCVN3 hay VNI). "+
			"Trong Excel, hãy chọn Lưu thành (Save As) → \"CSV UTF-8 (Comma delimited)\" rồi tải lên lại", line))
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.ReplaceAll(text, "\r", "\n"), nil
}

// csvSeparatorHint reads the "sep=;" line Excel reads and writes to name the
// separator. With one, it returns the text after it, which starts on line 2,
// and the separator; without, the text as given, line 1 and 0.
func csvSeparatorHint(text string) (string, int, byte) {
	first, rest, found := strings.Cut(text, "\n")
	if found && len(first) == 5 && strings.EqualFold(first[:4], "sep=") &&
		strings.IndexByte(",;\t", first[4]) >= 0 {
		return rest, 2, first[4]
	}
	return text, 1, 0
}

// csvDelimiter finds the separator from the first line that has one, counting
// outside quotes: the one it holds most of, commas winning a tie. Excel
// under Vietnamese regional settings writes semicolons, other systems commas
// or tabs.
func csvDelimiter(text string) byte {
	inQuotes := false
	var commas, semicolons, tabs int
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			inQuotes = !inQuotes
		case inQuotes:
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		case c == '\t':
			tabs++
		case c == '\n' && commas+semicolons+tabs > 0:
			i = len(text)
		}
	}
	best, most := byte(','), commas
	if semicolons > most {
		best, most = ';', semicolons
	}
	if tabs > most {
		best = '\t'
	}
	return best
}

// csvRecords splits text (with "\n" line ends) into records of cells and
// hands each to row with the physical line it starts on, first being the
// line text starts on; it stops when row returns false. A quoted cell may
// hold separators, line breaks and doubled quotes; text after its closing
// quote is kept, as spreadsheets do. A quote left open runs to the end of
// the file and would swallow every row below it into one cell: that record
// is not given, and csvRecords returns the line it starts on (else 0).
func csvRecords(text string, delim byte, first int, row func(line int, cells []string) bool) (unclosed int) {
	line := first
	i := 0
	for i < len(text) {
		start := line
		var cells []string
		for {
			var cell string
			if text[i] == '"' {
				var b strings.Builder
				i++
				for {
					j := strings.IndexByte(text[i:], '"')
					if j < 0 {
						return start
					}
					b.WriteString(text[i : i+j])
					line += strings.Count(text[i:i+j], "\n")
					i += j + 1
					if i < len(text) && text[i] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				end := csvCellEnd(text, i, delim)
				b.WriteString(text[i:end])
				cell, i = b.String(), end
			} else {
				end := csvCellEnd(text, i, delim)
				cell, i = text[i:end], end
			}
			cells = append(cells, cell)
			if i >= len(text) {
				break
			}
			if text[i] == delim {
				i++
				if i >= len(text) {
					cells = append(cells, "")
					break
				}
				continue
			}
			i++ // the "\n" ending the record
			line++
			break
		}
		if !row(start, cells) {
			return 0
		}
	}
	return 0
}

// csvCellEnd is the index of the separator or line end closing the unquoted
// text that starts at i.
func csvCellEnd(text string, i int, delim byte) int {
	for j := i; j < len(text); j++ {
		if text[j] == delim || text[j] == '\n' {
			return j
		}
	}
	return len(text)
}

// tableSize writes a byte count as organizers read file sizes.
func tableSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// tableLimits fills the limits left at zero with the defaults: a zero limit
// would otherwise let a hostile file through unbounded.
func tableLimits(lim ImportLimits) ImportLimits {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultImportLimits.MaxBytes
	}
	if lim.MaxUnpacked <= 0 {
		lim.MaxUnpacked = DefaultImportLimits.MaxUnpacked
	}
	if lim.MaxQuestions <= 0 {
		lim.MaxQuestions = DefaultImportLimits.MaxQuestions
	}
	if lim.MaxCellChars <= 0 {
		lim.MaxCellChars = DefaultImportLimits.MaxCellChars
	}
	return lim
}
