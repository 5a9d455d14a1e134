package quiz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// testSheet is one sheet of a workbook built for a test: its rows from A1,
// then any edit (styles, merges) on the open file.
type testSheet struct {
	name string
	rows [][]any
	edit func(f *excelize.File, sheet string) error
}

// buildWorkbook writes sheets into a real .xlsx with excelize, the way the
// tests get their fixtures without binary files in the repository.
func buildWorkbook(t testing.TB, sheets ...testSheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		if s.edit != nil {
			if err := s.edit(f, s.name); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// styleCells gives the cells from first to last the number format numFmt.
func styleCells(f *excelize.File, sheet, first, last string, numFmt int) error {
	style, err := f.NewStyle(&excelize.Style{NumFmt: numFmt})
	if err != nil {
		return err
	}
	return f.SetCellStyle(sheet, first, last, style)
}

var testHeader = []any{"Chủ đề", "Câu hỏi", "A", "B", "C", "D", "Đáp án"}

func TestParseXLSX(t *testing.T) {
	cases := []struct {
		name     string
		sheets   []testSheet
		sheet    string
		want     []string
		problems []string
	}{
		{
			name: "reads the first sheet with a Vietnamese header",
			sheets: []testSheet{{name: "Ngân hàng", rows: [][]any{testHeader,
				{"T", "Q1", "x", "y", "z", "w", "A"},
				{"T", "Q2", "x", "y", "z", "", "B, C"},
			}}, {name: "Khác", rows: [][]any{testHeader, {"T", "other", "x", "y", "", "", "A"}}}},
			want: []string{"2: Q1 | *x | y | z | w", "3: Q2 | x | *y | *z"},
		},
		{
			name: "reads a named sheet",
			sheets: []testSheet{{name: "Hướng dẫn", rows: [][]any{{"Ghi chú"}}},
				{name: "Câu hỏi", rows: [][]any{testHeader, {"T", "Q1", "x", "y", "", "", "B"}}}},
			sheet: "Câu hỏi",
			want:  []string{"2: Q1 | x | *y"},
		},
		{
			name: "reads a named sheet whatever its case and diacritics",
			sheets: []testSheet{{name: "Hướng dẫn", rows: [][]any{{"Ghi chú"}}},
				{name: "Câu hỏi", rows: [][]any{testHeader, {"T", "Q1", "x", "y", "", "", "B"}}}},
			sheet: "CAU HOI",
			want:  []string{"2: Q1 | x | *y"},
		},
		{
			name: "reads English headers and six options",
			sheets: []testSheet{{name: "Questions", rows: [][]any{
				{"Topic", "Question", "A", "B", "C", "D", "E", "F", "Answer", "Explanation", "Reference", "Difficulty"},
				{"T", "Q1", "1", "2", "3", "4", "5", "6", "a;f", "", "", ""},
			}}},
			want: []string{"2: Q1 | *1 | 2 | 3 | 4 | 5 | *6"},
		},
		{
			name: "reads numbers, percentages and dates as Excel shows them",
			sheets: []testSheet{{name: "S", rows: [][]any{testHeader,
				{"T", "Bao nhiêu?", 54, 3.5, 0.25, 45099, "A"},
				{"T", "Ngày nào?", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 45465, "", "", "B"},
			}, edit: func(f *excelize.File, s string) error {
				if err := styleCells(f, s, "E2", "E2", 9); err != nil {
					return err
				}
				if err := styleCells(f, s, "F2", "F2", 14); err != nil {
					return err
				}
				if err := styleCells(f, s, "D3", "D3", 14); err != nil {
					return err
				}
				custom := "d/m/yyyy"
				style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
				if err != nil {
					return err
				}
				return f.SetCellStyle(s, "C3", "C3", style)
			}}},
			want: []string{"2: Bao nhiêu? | *54 | 3.5 | 25% | 22/06/2023", "3: Ngày nào? | 1/7/2024 | *22/06/2024"},
		},
		{
			name: "keeps a merged cell's value in its top-left cell only",
			sheets: []testSheet{{name: "S", rows: [][]any{testHeader,
				{"Chủ đề gộp", "Q1", "x", "y", "", "", "A"},
				{"", "Q2", "x", "y", "", "", "B"},
				{"T", "Câu gộp hai dòng", "x", "y", "", "", "A"},
				{"T", "", "x", "y", "", "", "A"},
			}, edit: func(f *excelize.File, s string) error {
				if err := f.MergeCell(s, "A2", "A3"); err != nil {
					return err
				}
				return f.MergeCell(s, "B4", "B5")
			}}},
			want:     []string{"2: Q1 | *x | y", "3: Q2 | x | *y", "4: Câu gộp hai dòng | *x | y"},
			problems: []string{"5 Câu hỏi import.missing_question [Câu hỏi]"},
		},
		{
			name: "skips empty rows and names sheet rows",
			sheets: []testSheet{{name: "S", rows: [][]any{
				{"Tiêu đề của ngân hàng"}, {}, testHeader,
				{"T", "Q1", "x", "y", "", "", "A"},
				{}, {nil, nil, nil}, {"", "", ""},
				{"T", "Q2", "x", "", "z", "", "C"},
			}}},
			want: []string{"4: Q1 | *x | y", "8: Q2 | x | *z"},
		},
		{
			name: "reports answer letters out of range and on empty options",
			sheets: []testSheet{{name: "S", rows: [][]any{testHeader,
				{"T", "Q1", "x", "y", "z", "w", "G"},
				{"T", "Q2", "x", "y", "", "", "C"},
			}}},
			problems: []string{
				"2 Đáp án import.answer_out_of_range [G A D]",
				"3 Đáp án import.answer_empty_option [C C]",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseXLSX(buildWorkbook(t, c.sheets...), c.sheet, DefaultImportLimits)
			if err != nil {
				t.Fatalf("ParseXLSX: %v", err)
			}
			if got := briefs(p); !reflect.DeepEqual(got, c.want) {
				t.Errorf("questions:\n got %q\nwant %q", got, c.want)
			}
			if got := problemList(p); !reflect.DeepEqual(got, c.problems) {
				t.Errorf("problems:\n got %q\nwant %q", got, c.problems)
			}
		})
	}
}

func TestParseXLSXReportsAnUnknownSheetWithTheSheetsThereAre(t *testing.T) {
	data := buildWorkbook(t, testSheet{name: "Câu hỏi"}, testSheet{name: "Hướng dẫn"})
	_, err := ParseXLSX(data, "Đề 1", DefaultImportLimits)
	if ErrorCode(err) != CodeInvalidFile {
		t.Fatalf("error = %v, want %s", err, CodeInvalidFile)
	}
	for _, want := range []string{`"Đề 1"`, `"Câu hỏi", "Hướng dẫn"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %s", err.Error(), want)
		}
	}
}

// zipPart is one file inside an .xlsx package.
type zipPart struct {
	name string
	body []byte
}

// unzipParts reads every part of an .xlsx package.
func unzipParts(t testing.TB, data []byte) []zipPart {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var parts []zipPart
	for _, part := range zr.File {
		rc, err := part.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, zipPart{part.Name, body})
	}
	return parts
}

// storedZip writes parts into a zip, uncompressed, replacing the part named
// replace by content when given, then lets extra add its own.
func storedZip(t testing.TB, parts []zipPart, replace string, content []byte, extra func(w *zip.Writer)) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, part := range parts {
		body := part.body
		if part.name == replace {
			body = content
		}
		pw, err := w.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(body)
	}
	if extra != nil {
		extra(w)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rezip copies the parts of an .xlsx into a new zip, stored uncompressed,
// replacing the part named replace by content when given and adding extra.
func rezip(t testing.TB, data []byte, replace string, content []byte, extra func(w *zip.Writer)) []byte {
	return storedZip(t, unzipParts(t, data), replace, content, extra)
}

func TestParseXLSXRefusesDamagedAndHostileFiles(t *testing.T) {
	valid := buildWorkbook(t, testSheet{name: "S", rows: [][]any{testHeader, {"T", "Q1", "x", "y", "", "", "A"}}})
	lim := ImportLimits{MaxBytes: 1 << 20, MaxUnpacked: 1 << 20, MaxQuestions: 100, MaxCellChars: 1000}
	zeros := make([]byte, 4<<20)

	// A bomb that says what it is: a part whose header declares 4 MB.
	bomb := rezip(t, valid, "", nil, func(w *zip.Writer) {
		pw, _ := w.CreateHeader(&zip.FileHeader{Name: "xl/media/image1.png", Method: zip.Deflate})
		pw.Write(zeros)
	})
	// A bomb that lies: its header declares 100 bytes, its data inflates to 4 MB.
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(zeros)
	fw.Close()
	liar := rezip(t, valid, "", nil, func(w *zip.Writer) {
		pw, _ := w.CreateRaw(&zip.FileHeader{Name: "xl/media/image1.png", Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(zeros[:100]), CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
		pw.Write(deflated.Bytes())
	})
	random := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	var encrypted bytes.Buffer
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "Câu hỏi")
	if err := f.Write(&encrypted, excelize.Options{Password: "bí mật"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	docx := rezip(t, valid, "", nil, nil)
	docx = func() []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
			pw, _ := w.Create(name)
			pw.Write([]byte("<x/>"))
		}
		w.Close()
		return buf.Bytes()
	}()
	corrupt := slices.Clone(rezip(t, valid, "", nil, nil))
	if i := bytes.Index(corrupt, []byte("<sheetData")); i > 0 {
		corrupt[i+3] ^= 0xff // a flipped byte in a stored part: its checksum no longer matches
	}

	// Rows with one cell in the last column, XFD: excelize pads each with
	// 16,383 blanks.
	var wide strings.Builder
	wide.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r := 1; r <= 200; r++ {
		fmt.Fprintf(&wide, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
	}
	wide.WriteString(`</sheetData></worksheet>`)
	wideRows := rezip(t, valid, "xl/worksheets/sheet1.xml", []byte(wide.String()), nil)
	// A number with 309 digits under the format "0": seconds a cell.
	hugeNumber := buildWorkbook(t, testSheet{name: "S", rows: [][]any{testHeader, {"T", "Q1", 1e308, "y", "", "", "A"}},
		edit: func(f *excelize.File, s string) error { return styleCells(f, s, "C2", "C2", 1) }})
	// The same, hidden from a scan of the raw bytes by a character reference.
	disguised := rezip(t, valid, "xl/worksheets/sheet1.xml", []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
		`<sheetData><row r="1"><c r="C7" s="1"><v>&#49;<!-- -->e300</v></c></row></sheetData></worksheet>`), nil)
	longFormat := buildWorkbook(t, testSheet{name: "S", rows: [][]any{testHeader, {"T", "Q1", 1, "y", "", "", "A"}},
		edit: func(f *excelize.File, s string) error {
			code := strings.Repeat("0", 40)
			style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			if err != nil {
				return err
			}
			return f.SetCellStyle(s, "C2", "C2", style)
		}})
	otherCharset := rezip(t, valid, "xl/worksheets/sheet1.xml",
		[]byte(`<?xml version="1.0" encoding="windows-1258"?><worksheet><sheetData/></worksheet>`), nil)

	cases := []struct {
		name string
		data []byte
		want string // in the message
	}{
		{"a sheet of rows reaching the last column", wideRows, "quá nhiều ô"},
		{"a number too large to format", hugeNumber, "ô C2 chứa số"},
		{"a huge number written with a character reference", disguised, "ô C7 chứa số"},
		{"a number format of 40 digits", longFormat, "định dạng số bất thường"},
		{"a part in another encoding than UTF-8", otherCharset, "UTF-8"},
		{"a zip bomb whose part declares more than the limit", bomb, "giải nén"},
		{"a zip bomb whose part inflates past what it declares", liar, "hỏng"},
		{"random bytes named .xlsx", random, "không phải sổ tính"},
		{"a text file named .xlsx", []byte("Câu hỏi,A,B,Đáp án\n"), "không phải sổ tính"},
		{"an empty file", nil, "không phải sổ tính"},
		{"a password-protected workbook", encrypted.Bytes(), "mật khẩu"},
		{"an .xls file", append(slices.Clone(xlsxOLESignature), make([]byte, 512)...), ".xls"},
		{"a Word file", docx, "không phải sổ tính"},
		{"a truncated workbook", valid[:len(valid)/2], "không phải sổ tính"},
		{"a workbook with a damaged part", corrupt, "hỏng"},
		{"a file over the size limit", append(slices.Clone(valid), make([]byte, 1<<20)...), "giới hạn"},
	}
	for _, c := range cases {
		t.Run("refuses "+c.name, func(t *testing.T) {
			p, err := ParseXLSX(c.data, "", lim)
			if ErrorCode(err) != CodeInvalidFile {
				t.Fatalf("error = %v, want code %s", err, CodeInvalidFile)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q does not mention %q", err.Error(), c.want)
			}
			if len(p.Questions) != 0 || len(p.Problems) != 0 {
				t.Errorf("got %d questions and %d problems with the error, want none", len(p.Questions), len(p.Problems))
			}
		})
	}
	t.Run("still reads the valid workbook under the same limits", func(t *testing.T) {
		p, err := ParseXLSX(valid, "", lim)
		if err != nil || len(p.Questions) != 1 {
			t.Fatalf("got %d questions, %v; want 1, nil", len(p.Questions), err)
		}
	})
}

func TestXLSXTemplate(t *testing.T) {
	data, err := XLSXTemplate()
	if err != nil {
		t.Fatalf("XLSXTemplate: %v", err)
	}
	t.Run("parses back into its two examples", func(t *testing.T) {
		p, err := ParseXLSX(data, "", DefaultImportLimits)
		if err != nil {
			t.Fatalf("ParseXLSX: %v", err)
		}
		if len(p.Problems) != 0 {
			t.Fatalf("problems = %v, want none", problemList(p))
		}
		if len(p.Questions) != 2 {
			t.Fatalf("got %d questions, want 2", len(p.Questions))
		}
		if got, want := p.Questions[0].Question.Multiple(), false; got != want {
			t.Errorf("first example multiple = %v, want %v", got, want)
		}
		if got, want := brief(p.Questions[1].Question), "Khi Luật An ninh mạng số 116/2025/QH15 có hiệu lực thi hành, những luật nào "+
			"hết hiệu lực? | Luật Giao dịch điện tử số 20/2023/QH15 | *Luật An toàn thông tin mạng số 86/2015/QH13 | "+
			"*Luật An ninh mạng số 24/2018/QH14 | Luật Bảo vệ bí mật nhà nước số 117/2025/QH15"; got != want {
			t.Errorf("second example:\n got %q\nwant %q", got, want)
		}
		for _, pq := range p.Questions {
			if _, err := pq.Question.Normalize(); err != nil {
				t.Errorf("example on row %d does not normalize: %v", pq.Line, err)
			}
		}
	})
	t.Run("says what the demo bank says", func(t *testing.T) {
		raw, err := os.ReadFile("../data/demo/bank.json")
		if err != nil {
			t.Skipf("no demo bank beside the package: %v", err)
		}
		var bank BankFile
		if err := json.Unmarshal(raw, &bank); err != nil {
			t.Fatal(err)
		}
		p, _ := ParseXLSX(data, "", DefaultImportLimits)
		for _, pq := range p.Questions {
			q := pq.Question
			i := slices.IndexFunc(bank.Questions, func(b BankFileItem) bool { return b.Text == q.Text })
			if i < 0 {
				t.Errorf("example %q is not in the demo bank", q.Text)
				continue
			}
			b := bank.Questions[i]
			if q.Topic != b.Topic || q.Explanation != b.Explanation || q.Reference != b.Reference {
				t.Errorf("example %q: topic, explanation or reference differ from the demo bank", q.Text)
			}
			var got, want []string
			for _, o := range q.Options {
				got = append(got, fmt.Sprint(o.Text, o.Correct))
			}
			for _, o := range b.Options {
				want = append(want, fmt.Sprint(o.Text, o.Correct))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("example %q options:\n got %q\nwant %q", q.Text, got, want)
			}
		}
	})
	t.Run("has a styled header, column widths and a sheet of notes", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, want := f.GetSheetList(), []string{"Câu hỏi", "Hướng dẫn"}; !slices.Equal(got, want) {
			t.Errorf("sheets = %q, want %q", got, want)
		}
		header, _ := f.GetRows("Câu hỏi")
		want := []string{"Chủ đề", "Câu hỏi", "A", "B", "C", "D", "E", "F", "Đáp án", "Giải thích", "Căn cứ", "Độ khó"}
		if len(header) == 0 || !slices.Equal(header[0], want) {
			t.Errorf("header = %q, want %q", header, want)
		}
		style, _ := f.GetCellStyle("Câu hỏi", "B1")
		if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("header cell B1 is not bold (style %d, %v)", style, err)
		}
		if w, _ := f.GetColWidth("Câu hỏi", "B"); w < 40 {
			t.Errorf("question column width = %v, want a wide one", w)
		}
		notes, _ := f.GetRows("Hướng dẫn")
		text := fmt.Sprint(notes)
		for _, want := range []string{"Đáp án", "B, C", "A đến F", "CSV UTF-8", ".xlsx", "20.000 câu hỏi", "4.000 ký tự"} {
			if !strings.Contains(text, want) {
				t.Errorf("notes do not mention %q", want)
			}
		}
	})
}

// fuzzBase is a small valid workbook whose worksheet FuzzParseXLSX replaces.
var fuzzBase = sync.OnceValue(func() []byte {
	return buildWorkbook(&testing.B{}, testSheet{name: "Sheet1", rows: [][]any{
		testHeader, {"T", "Q1", "x", "y", "z", "w", "A, C"}, {"T", "Q2", 1, 0.5, "", "", "B"},
	}})
})

func FuzzParseXLSX(f *testing.F) {
	base := fuzzBase()
	template, err := XLSXTemplate()
	if err != nil {
		f.Fatal(err)
	}
	baseParts := unzipParts(f, base)
	sheetXML := func(data []byte) []byte {
		for _, part := range unzipParts(f, data) {
			if part.name == "xl/worksheets/sheet1.xml" {
				return part.body
			}
		}
		return nil
	}
	// As a whole file: valid, stored uncompressed so that mutations reach
	// the XML, and hostile.
	f.Add(base, false)
	f.Add(template, false)
	f.Add(rezip(f, base, "", nil, nil), false)
	f.Add([]byte("PK\x03\x04 not really"), false)
	f.Add(append(slices.Clone(xlsxOLESignature), "EncryptedPackage"...), false)
	// As the worksheet of an otherwise valid workbook, so that the fuzzer
	// works on what excelize and the table reader see.
	f.Add(sheetXML(base), true)
	f.Add(sheetXML(template), true)
	f.Add([]byte(`<worksheet><sheetData><row r="1048576"><c r="A1" t="inlineStr"><is><t>Câu hỏi</t></is></c></row></sheetData></worksheet>`), true)
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>999</v></c><c r="XFD2" s="99"><v>1e308</v></c></row><row r="1"/></sheetData></worksheet>`), true)
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="A2" s="1"><v>45099</v></c><c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><v>#N/A</v></c></row></sheetData></worksheet>`), true)

	lim := ImportLimits{MaxBytes: 1 << 20, MaxUnpacked: 4 << 20, MaxQuestions: 200, MaxCellChars: 300}
	f.Fuzz(func(t *testing.T, data []byte, asSheet bool) {
		if asSheet {
			data = storedZip(t, baseParts, "xl/worksheets/sheet1.xml", data, nil)
		}
		p, err := ParseXLSX(data, "", lim)
		if err != nil {
			if ErrorCode(err) != CodeInvalidFile {
				t.Fatalf("error %v is not %s", err, CodeInvalidFile)
			}
			return
		}
		checkParsed(t, p, excelize.TotalRows)
		again, _ := ParseXLSX(data, "", lim)
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("two parses of the same file differ")
		}
	})
}

// BenchmarkParseXLSX10k measures the import of a 10,000-question workbook,
// the size the issue names: time and bytes allocated per parse, the file's
// size, and the peak of the live heap while parsing.
func BenchmarkParseXLSX10k(b *testing.B) {
	data := bench10kWorkbook(b)
	b.ReportAllocs()

	runtime.GC()
	peak := heapPeakSampler()
	for b.Loop() {
		p, err := ParseXLSX(data, "", DefaultImportLimits)
		if err != nil || len(p.Questions) != 10000 {
			b.Fatalf("got %d questions, %v; want 10000", len(p.Questions), err)
		}
	}
	b.ReportMetric(float64(peak()), "peak-heap-bytes")
	b.ReportMetric(float64(len(data)), "file-bytes")
}

// bench10kWorkbook writes 10,000 four-option questions with the streaming
// writer, as an organizer's large bank would look.
func bench10kWorkbook(b *testing.B) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	header := []any{"Chủ đề", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Giải thích", "Căn cứ"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{
			fmt.Sprintf("Chủ đề %d", i%8),
			fmt.Sprintf("Câu hỏi số %d: theo quy định hiện hành, thủ tục hành chính trên môi trường điện tử được thực hiện như thế nào?", i+1),
			fmt.Sprintf("Phương án thứ nhất của câu %d", i+1),
			fmt.Sprintf("Phương án thứ hai của câu %d", i+1),
			fmt.Sprintf("Phương án thứ ba của câu %d", i+1),
			fmt.Sprintf("Phương án thứ tư của câu %d", i+1),
			[]string{"A", "B", "C", "D", "A, C"}[i%5],
			"Giải thích ngắn gọn vì sao phương án này đúng theo văn bản hiện hành.",
			"Luật Giao dịch điện tử số 20/2023/QH15",
		}
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// heapPeakSampler watches the live heap every millisecond until the
// returned function is called, which gives the highest value seen.
func heapPeakSampler() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}
