package quiz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// xlsxMaxParts bounds the entries of an .xlsx package. A workbook has a
// dozen parts, a few hundred with pictures; a zip of a million empty entries
// is an attack on the reader, not a question bank.
const xlsxMaxParts = 10000

// xlsxColumnsPerRow is the average width, in cells up to the last filled
// one, that the rows of a sheet may have: the template has 12 columns. A
// cell far to the right makes excelize fill the row with blanks up to it,
// so a small file of rows with one cell in column XFD would cost minutes
// of work, and formatting a number or a date costs up to some 50 µs: the
// budget stops the first after a few rows and bounds the second to seconds.
const xlsxColumnsPerRow = 16

// xlsxDisplayDate is how Excel under Vietnamese regional settings shows a
// cell in the default short date format (number format 14): what the
// organizer saw is what the question says.
const xlsxDisplayDate = "dd/mm/yyyy"

// xlsxOLESignature starts a Compound File: an Excel 97-2003 .xls, or an .xlsx
// encrypted with a password to open, which Excel wraps in one.
var xlsxOLESignature = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// ParseXLSX reads a question bank from an Excel workbook: the sheet named
// sheet, or the first one when sheet is "", with a header row and one
// question a row (format_table.go). Cells read as the organizer sees them
// in Excel: numbers, percentages and dates through their number format,
// formulas by their last computed value. A question's Line is its sheet row.
//
// The package is checked with archive/zip before excelize opens it: every
// part is inflated once, counting, so that a zip bomb is refused after
// lim.MaxUnpacked bytes whatever sizes its headers claim, and a damaged or
// foreign file gets a reason an organizer can act on instead of a parser's
// error. What would cost excelize minutes on a small file is refused as
// well: numbers it formats in time growing with the square of their digits
// (xlsxScanValues), extravagant number formats (xlsxCheckNumberFormats) and
// rows reaching far to the right (xlsxColumnsPerRow).
func ParseXLSX(data []byte, sheet string, lim ImportLimits) (p Parsed, err error) {
	lim = tableLimits(lim)
	if int64(len(data)) > lim.MaxBytes {
		return Parsed{}, invalidFile(FormatXLSX, "tệp lớn hơn giới hạn "+tableSize(lim.MaxBytes))
	}
	if err := xlsxCheckPackage(data, lim.MaxUnpacked); err != nil {
		return Parsed{}, err
	}
	// excelize is a large parser fed with files from outside; should a
	// malformed part still make it panic, the upload is refused as damaged
	// rather than taking the request down.
	defer func() {
		if r := recover(); r != nil {
			p, err = Parsed{}, invalidFile(FormatXLSX, "tệp bị hỏng, không đọc được")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxUnpacked,
		UnzipXMLSizeLimit: min(lim.MaxUnpacked, excelize.StreamChunkSize),
		ShortDatePattern:  xlsxDisplayDate,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return Parsed{}, invalidFile(FormatXLSX, "tệp bị hỏng hoặc không phải sổ tính Excel, không mở được ("+err.Error()+")")
	}
	defer f.Close()
	// Sheets are decoded lazily; they are read under the same rule as the
	// scan in xlsxCheckPackage, so that no part it could not read is read.
	f.CharsetTranscoder(xlsxRefuseCharset)
	name, err := xlsxSheetName(f, sheet)
	if err != nil {
		return Parsed{}, err
	}
	if err := xlsxCheckNumberFormats(f); err != nil {
		return Parsed{}, err
	}
	rows, err := f.Rows(name)
	if err != nil {
		return Parsed{}, invalidFile(FormatXLSX, fmt.Sprintf("không đọc được trang tính %q (%v)", name, err))
	}
	defer rows.Close()
	t := newTableReader(lim)
	row := 0
	cellBudget := (lim.MaxQuestions + tableHeaderSearchRows + 1) * xlsxColumnsPerRow
	for rows.Next() {
		row++
		if row > excelize.TotalRows {
			return Parsed{}, invalidFile(FormatXLSX, fmt.Sprintf("trang tính %q có hơn %d dòng", name, excelize.TotalRows))
		}
		cells, err := rows.Columns()
		if err != nil {
			return Parsed{}, invalidFile(FormatXLSX, fmt.Sprintf("trang tính %q bị hỏng ở dòng %d (%v)", name, row, err))
		}
		if cellBudget -= len(cells); cellBudget < 0 {
			return Parsed{}, invalidFile(FormatXLSX, fmt.Sprintf("trang tính %q có quá nhiều ô có dữ liệu "+
				"(đến dòng %d); hãy xóa các dòng, cột thừa bên ngoài bảng câu hỏi", name, row))
		}
		if !t.add(row, cells) {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return Parsed{}, invalidFile(FormatXLSX, fmt.Sprintf("trang tính %q bị hỏng (%v)", name, err))
	}
	return t.finish(), nil
}

// Bounds on the number formats of a workbook, beyond which formatting
// cells costs more than a question bank can be worth. Excel itself allows
// 255 characters a format and some 250 custom formats a workbook; real
// formats have a handful of digit placeholders.
const (
	xlsxMaxNumberFormats    = 1000
	xlsxMaxFormatChars      = 255
	xlsxMaxFormatDigitSlots = 30
)

// xlsxCheckNumberFormats refuses a workbook whose custom number formats are
// beyond what Excel writes: every formatted cell scans the list of formats
// and parses its own, in time that grows with the format's length and
// with the square of its digit placeholders.
func xlsxCheckNumberFormats(f *excelize.File) error {
	if f.Styles == nil || f.Styles.NumFmts == nil {
		return nil
	}
	formats := f.Styles.NumFmts.NumFmt
	if len(formats) > xlsxMaxNumberFormats {
		return invalidFile(FormatXLSX, fmt.Sprintf("sổ tính có hơn %d định dạng số tự tạo, không phải một sổ tính bình thường",
			xlsxMaxNumberFormats))
	}
	for _, numFmt := range formats {
		if numFmt == nil {
			continue
		}
		for _, code := range []string{numFmt.FormatCode, numFmt.FormatCode16} {
			if utf8.RuneCountInString(code) > xlsxMaxFormatChars || xlsxDigitSlots(code) > xlsxMaxFormatDigitSlots {
				return invalidFile(FormatXLSX, fmt.Sprintf("sổ tính có định dạng số bất thường (%.40q…); "+
					"hãy chọn các ô và đặt lại định dạng General rồi lưu lại", code))
			}
		}
	}
	return nil
}

// xlsxDigitSlots counts the digit placeholders (0 # ?) of a number format,
// leaving out quoted text and escaped characters.
func xlsxDigitSlots(code string) int {
	n := 0
	quoted, escaped := false, false
	for _, r := range code {
		switch {
		case escaped:
			escaped = false
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\\':
			escaped = true
		case r == '0' || r == '#' || r == '?':
			n++
		}
	}
	return n
}

// xlsxCheckPackage refuses, with the reason, what is not an .xlsx workbook
// excelize may safely open: an .xls or a password-protected workbook (both
// Compound Files), bytes that are not a zip, a zip that is not a workbook
// (.docx, .ods), a damaged part, or parts inflating to more than maxUnpacked.
func xlsxCheckPackage(data []byte, maxUnpacked int64) error {
	if bytes.HasPrefix(data, xlsxOLESignature) {
		if bytes.Contains(data, xlsxUTF16LE("EncryptedPackage")) {
			return invalidFile(FormatXLSX, "sổ tính được đặt mật khẩu để mở; hãy mở bằng Excel, "+
				"bỏ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu) rồi lưu và tải lên lại")
		}
		return invalidFile(FormatXLSX, "đây là tệp Excel 97-2003 (.xls); hãy mở bằng Excel và lưu thành Excel Workbook (.xlsx)")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalidFile(FormatXLSX, "tệp không phải sổ tính Excel .xlsx hoặc đã bị hỏng, tải lên chưa hết (không đọc được dạng nén zip của .xlsx)")
	}
	if len(zr.File) > xlsxMaxParts {
		return invalidFile(FormatXLSX, fmt.Sprintf("tệp có hơn %d thành phần, không phải một sổ tính bình thường", xlsxMaxParts))
	}
	var contentTypes, workbook, openDocument bool
	for _, part := range zr.File {
		switch name := strings.ToLower(strings.ReplaceAll(part.Name, "\\", "/")); {
		case name == "[content_types].xml":
			contentTypes = true
		case strings.HasPrefix(name, "xl/"):
			workbook = true
		case name == "mimetype":
			openDocument = true
		}
	}
	switch {
	case openDocument && !workbook:
		return invalidFile(FormatXLSX, "đây là tệp OpenDocument (.ods); hãy mở và lưu thành Excel Workbook (.xlsx)")
	case !contentTypes || !workbook:
		return invalidFile(FormatXLSX, "tệp nén này không phải sổ tính Excel .xlsx")
	}
	var unpacked int64
	for _, part := range zr.File {
		if unpacked+int64(min(part.UncompressedSize64, 1<<62)) > maxUnpacked {
			return xlsxTooLarge(maxUnpacked)
		}
		n, err := xlsxInflate(part, maxUnpacked-unpacked)
		unpacked += n
		if unpacked > maxUnpacked {
			return xlsxTooLarge(maxUnpacked)
		}
		var refused *Error
		if errors.As(err, &refused) {
			return refused
		}
		if err != nil {
			return invalidFile(FormatXLSX, fmt.Sprintf("tệp bị hỏng: không giải nén được phần %q (%v)", part.Name, err))
		}
	}
	return nil
}

// xlsxInflate reads a part to the end, at most limit+1 bytes of it, and
// returns how many it got. archive/zip checks each part's checksum and
// declared size on the way. Every part is also scanned as XML for cell
// values (xlsxScanValues), whatever its name: the workbook's relationships,
// not the name, tell excelize which part is a sheet.
func xlsxInflate(part *zip.File, limit int64) (int64, error) {
	if part.FileInfo().IsDir() {
		return 0, nil
	}
	rc, err := part.Open()
	if err != nil {
		return 0, errors.New("kiểu nén không được hỗ trợ")
	}
	defer rc.Close()
	counted := &xlsxCountingReader{r: io.LimitReader(rc, limit+1)}
	if err := xlsxScanValues(counted); err != nil {
		return counted.n, err
	}
	_, err = io.Copy(io.Discard, counted)
	var corrupt flate.CorruptInputError
	switch {
	case err == nil:
	case errors.Is(err, zip.ErrChecksum):
		err = errors.New("dữ liệu không khớp mã kiểm tra")
	case errors.Is(err, zip.ErrFormat), errors.As(err, &corrupt):
		err = errors.New("dữ liệu nén không hợp lệ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("dữ liệu bị cắt cụt")
	}
	return counted.n, err
}

// xlsxCountingReader counts the bytes read through it.
type xlsxCountingReader struct {
	r io.Reader
	n int64
}

func (c *xlsxCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// errXLSXCharset stops the XML decoders at a part declared in another
// encoding than UTF-8, which Excel never writes: the scan for numbers and
// excelize must read every part alike.
var errXLSXCharset = errors.New("xlsx: not utf-8")

// xlsxRefuseCharset is the CharsetReader of every XML decoder reading the
// file: labels that name UTF-8 or its ASCII subset pass, others stop it.
func xlsxRefuseCharset(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, errXLSXCharset
}

// xlsxScanValues reads a part as XML, if it is XML, and refuses the file
// when a cell value (a <v> element) is a number excelize cannot format in
// reasonable time: its formatting costs time in the square of the digits
// it writes, so a few thousand cells holding 1E+308 under the format "0"
// take minutes. Excel keeps 15 digits, and no question bank holds a number
// of 10^15 or more, or a non-zero one under 10^-9; it is refused naming the
// cell. Anything that is not XML ends the scan without a word: the part is
// then an image, or a sheet excelize will not read either.
func xlsxScanValues(r io.Reader) error {
	d := xml.NewDecoder(r)
	d.CharsetReader = xlsxRefuseCharset
	var cell string
	var value strings.Builder
	inValue := false
	for {
		token, err := d.RawToken()
		if errors.Is(err, errXLSXCharset) {
			return invalidFile(FormatXLSX, "tệp có phần không dùng bảng mã UTF-8, không phải do Excel tạo ra")
		}
		if err != nil {
			return nil
		}
		switch token := token.(type) {
		case xml.StartElement:
			if inValue {
				return invalidFile(FormatXLSX, fmt.Sprintf("giá trị của ô %s có cấu trúc không hợp lệ", cell))
			}
			switch token.Name.Local {
			case "c":
				cell = ""
				for _, attr := range token.Attr {
					if attr.Name.Local == "r" {
						cell = attr.Value
					}
				}
			case "v":
				inValue = true
				value.Reset()
			}
		case xml.CharData:
			if inValue {
				value.Write(token)
			}
		case xml.EndElement:
			if inValue && token.Name.Local == "v" {
				inValue = false
				if text := strings.TrimSpace(value.String()); xlsxUnshowableNumber(text) {
					return invalidFile(FormatXLSX, fmt.Sprintf("ô %s chứa số %.30q quá lớn hoặc quá nhỏ; "+
						"nếu cần giữ, hãy nhập dạng văn bản (định dạng ô Text)", cell, text))
				}
			}
		}
	}
}

// xlsxUnshowableNumber reports whether text is a number outside what
// xlsxScanValues lets excelize format.
func xlsxUnshowableNumber(text string) bool {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return errors.Is(err, strconv.ErrRange)
	}
	abs := math.Abs(v)
	return math.IsNaN(v) || abs >= 1e15 || v != 0 && abs < 1e-9
}

// xlsxTooLarge is the refusal of a package that unpacks past the limit.
func xlsxTooLarge(maxUnpacked int64) error {
	return invalidFile(FormatXLSX, "tệp khi giải nén lớn hơn giới hạn "+tableSize(maxUnpacked)+
		" (có thể là tệp độc hại dạng \"bom nén\"); hãy kiểm tra lại tệp")
}

// xlsxUTF16LE encodes ASCII s as UTF-16LE, the encoding of names inside a
// Compound File.
func xlsxUTF16LE(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// xlsxSheetName picks the sheet to read: the first when want is "", else
// the one named want, matched exactly or, failing that, ignoring case,
// diacritics and spaces as headers are.
func xlsxSheetName(f *excelize.File, want string) (string, error) {
	names := f.GetSheetList()
	if len(names) == 0 {
		return "", invalidFile(FormatXLSX, "sổ tính không có trang tính nào")
	}
	if want == "" {
		return names[0], nil
	}
	for _, name := range names {
		if name == want {
			return name, nil
		}
	}
	for _, name := range names {
		if tableFold(name) != "" && tableFold(name) == tableFold(want) {
			return name, nil
		}
	}
	quoted := make([]string, 0, min(len(names), 21))
	for i, name := range names {
		if i == 20 {
			quoted = append(quoted, "…")
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", name))
	}
	return "", invalidFile(FormatXLSX, fmt.Sprintf("không có trang tính %q; sổ tính có các trang: %s",
		want, strings.Join(quoted, ", ")))
}

// The template's sheets. The questions come first, so that ParseXLSX reads
// them when no sheet is named.
const (
	xlsxTemplateSheet = "Câu hỏi"
	xlsxNotesSheet    = "Hướng dẫn"
)

// xlsxTemplateHeader is the header of the template, in the order organizers
// fill it, with each column's width in characters.
var xlsxTemplateHeader = []struct {
	name  string
	width float64
}{
	{"Chủ đề", 22}, {"Câu hỏi", 55},
	{"A", 28}, {"B", 28}, {"C", 28}, {"D", 28}, {"E", 20}, {"F", 20},
	{"Đáp án", 10}, {"Giải thích", 50}, {"Căn cứ", 32}, {"Độ khó", 12},
}

// xlsxTemplateExamples are two questions of the demo bank (data/demo/bank.json),
// one with a single correct option and one with several, so that the
// template shows both ways of filling "Đáp án". The second lists its
// options in another order than the bank so that the answer reads "B, C".
var xlsxTemplateExamples = [][]string{
	{
		"Dịch vụ công trực tuyến",
		"Theo Nghị định số 69/2024/NĐ-CP, từ ngày 01/07/2024, công dân đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản nào?",
		"Tài khoản định danh điện tử (VNeID) của chính mình",
		"Tài khoản do Cổng Dịch vụ công quốc gia cấp trước đây, không cần liên kết",
		"Tài khoản mạng xã hội đã xác minh số điện thoại",
		"Tài khoản ứng dụng ngân hàng số đứng tên mình", "", "",
		"A",
		"Từ ngày 01/07/2024, công dân dùng tài khoản định danh điện tử (VNeID) của mình để đăng nhập Cổng Dịch vụ công quốc gia.",
		"Nghị định số 69/2024/NĐ-CP, Điều 40, khoản 3",
		"Dễ",
	},
	{
		"An ninh mạng và bí mật nhà nước",
		"Khi Luật An ninh mạng số 116/2025/QH15 có hiệu lực thi hành, những luật nào hết hiệu lực?",
		"Luật Giao dịch điện tử số 20/2023/QH15", "Luật An toàn thông tin mạng số 86/2015/QH13",
		"Luật An ninh mạng số 24/2018/QH14", "Luật Bảo vệ bí mật nhà nước số 117/2025/QH15", "", "",
		"B, C",
		"Luật An ninh mạng năm 2025 hợp nhất và thay thế Luật An toàn thông tin mạng năm 2015 và Luật An ninh mạng năm 2018.",
		"Luật An ninh mạng số 116/2025/QH15, Điều 44, khoản 2",
		"Trung bình",
	},
}

// xlsxTemplateNotes are the rows of the "Hướng dẫn" sheet: a column name and
// what goes in it, or a rule on a row of its own (empty first cell).
func xlsxTemplateNotes() [][2]string {
	lim := DefaultImportLimits
	return [][2]string{
		{"HƯỚNG DẪN NHẬP NGÂN HÀNG CÂU HỎI", ""},
		{"", "Mỗi dòng của trang \"" + xlsxTemplateSheet + "\" là một câu hỏi. Giữ nguyên dòng tiêu đề (dòng 1); " +
			"xóa hai dòng ví dụ rồi nhập câu hỏi của mình từ dòng 2."},
		{"Cột", "Ý nghĩa"},
		{"Chủ đề", fmt.Sprintf("Chủ đề (lĩnh vực) của câu hỏi, dùng để chia số câu theo chủ đề khi tạo đề thi. "+
			"Không bắt buộc; tối đa %d ký tự.", maxTopicLen)},
		{"Câu hỏi", fmt.Sprintf("Nội dung câu hỏi. Bắt buộc; tối đa %d ký tự. "+
			"Muốn xuống dòng trong ô, nhấn Alt+Enter.", maxQuestionLen)},
		{"A, B, C, D, E, F", fmt.Sprintf("Các phương án trả lời, mỗi phương án một ô. Cần ít nhất 2 và nhiều nhất 6 "+
			"phương án (A đến F); cột không dùng thì để trống. Mỗi phương án tối đa %d ký tự, "+
			"các phương án của một câu không được trùng nhau.", maxOptionLen)},
		{"Đáp án", "Chữ cái của phương án đúng, ví dụ: A. Câu có nhiều phương án đúng thì ghi các chữ cái, " +
			"cách nhau bằng dấu phẩy, ví dụ: B, C; người dự thi phải chọn đủ tất cả phương án đúng mới được điểm. " +
			"Mỗi chữ cái phải chỉ tới một ô phương án có nội dung."},
		{"Giải thích", fmt.Sprintf("Giải thích vì sao đáp án đúng; người dự thi xem được sau khi làm bài "+
			"nếu vòng thi cho xem đáp án. Không bắt buộc; tối đa %d ký tự.", maxExplanationLen)},
		{"Căn cứ", fmt.Sprintf("Văn bản pháp luật hay tài liệu làm căn cứ cho đáp án. "+
			"Không bắt buộc; tối đa %d ký tự.", maxReferenceLen)},
		{"Độ khó", "Ghi chú độ khó để ban tổ chức tham khảo, ví dụ: Dễ, Trung bình, Khó. Không bắt buộc."},
		{"Lưu ý", ""},
		{"", "Tên cột viết hoa hay thường, có dấu hay không dấu đều được; cũng có thể dùng tên tiếng Anh " +
			"(Topic, Question, Answer, Explanation, Reference, Difficulty). Các cột khác (STT, Ghi chú…) được bỏ qua."},
		{"", "Dòng trống được bỏ qua. Không gộp ô (merge) giữa các dòng: ô gộp chỉ giữ nội dung ở ô trên cùng bên trái."},
		{"", "Số, ngày tháng và phần trăm được đọc theo định dạng của ô, ngày tháng dạng ngày/tháng/năm; " +
			"muốn giữ đúng cách viết của mình, hãy đặt định dạng Text cho ô trước khi nhập."},
		{"", "Lưu tệp dạng Excel Workbook (.xlsx). Nếu lưu dạng CSV, hãy chọn \"CSV UTF-8\" để giữ đúng tiếng Việt. " +
			"Không đặt mật khẩu mở tệp."},
		{"", fmt.Sprintf("Giới hạn: tệp không quá %d MB, không quá %s câu hỏi, mỗi ô không quá %s ký tự.",
			lim.MaxBytes>>20, xlsxThousands(lim.MaxQuestions), xlsxThousands(lim.MaxCellChars))},
		{"", "Câu hỏi trùng nội dung và phương án với câu đã có trong ngân hàng được bỏ qua, không nhập hai lần."},
		{"", "Nếu tệp có lỗi, hệ thống chỉ rõ dòng, cột và cách sửa; sửa xong thì tải lên lại. " +
			"Trang \"" + xlsxNotesSheet + "\" này không được nhập, để nguyên cũng được."},
	}
}

// xlsxThousands writes n with dots between thousands, as Vietnamese does.
func xlsxThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// XLSXTemplate returns the workbook organizers download to write a bank in:
// the header ParseXLSX expects, two example questions and a sheet of notes.
// It is built on request rather than shipped as a file so that it cannot
// drift from the parser, which the tests read it back with.
func XLSXTemplate() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), xlsxTemplateSheet); err != nil {
		return nil, fmt.Errorf("xlsx template: %w", err)
	}
	if err := writeTemplateQuestions(f); err != nil {
		return nil, fmt.Errorf("xlsx template: %w", err)
	}
	if err := writeTemplateNotes(f); err != nil {
		return nil, fmt.Errorf("xlsx template: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("xlsx template: %w", err)
	}
	return buf.Bytes(), nil
}

// writeTemplateQuestions fills the question sheet: the header in white on
// dark blue, frozen in view, columns wide enough to read, and the examples
// wrapped in their cells with the answer letters centred.
func writeTemplateQuestions(f *excelize.File) error {
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	headerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF", Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    border,
	})
	if err != nil {
		return err
	}
	bodyStyle, err := f.NewStyle(&excelize.Style{
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Border:    border,
	})
	if err != nil {
		return err
	}
	answerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"},
		Border:    border,
	})
	if err != nil {
		return err
	}
	for i, h := range xlsxTemplateHeader {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(xlsxTemplateSheet, cell, h.name); err != nil {
			return err
		}
		if err := f.SetColWidth(xlsxTemplateSheet, col, col, h.width); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(xlsxTemplateHeader), 1)
	if err := f.SetCellStyle(xlsxTemplateSheet, "A1", last, headerStyle); err != nil {
		return err
	}
	if err := f.SetRowHeight(xlsxTemplateSheet, 1, 24); err != nil {
		return err
	}
	for r, example := range xlsxTemplateExamples {
		for c, value := range example {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellStr(xlsxTemplateSheet, cell, value); err != nil {
				return err
			}
		}
		first, _ := excelize.CoordinatesToCellName(1, r+2)
		end, _ := excelize.CoordinatesToCellName(len(xlsxTemplateHeader), r+2)
		if err := f.SetCellStyle(xlsxTemplateSheet, first, end, bodyStyle); err != nil {
			return err
		}
		answer, _ := excelize.CoordinatesToCellName(9, r+2)
		if err := f.SetCellStyle(xlsxTemplateSheet, answer, answer, answerStyle); err != nil {
			return err
		}
	}
	// The header stays in view while the organizer scrolls a long bank.
	return f.SetPanes(xlsxTemplateSheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	})
}

// writeTemplateNotes adds the notes sheet: a column name or "Lưu ý" in
// bold on the left, what it means wrapped on the right.
func writeTemplateNotes(f *excelize.File) error {
	if _, err := f.NewSheet(xlsxNotesSheet); err != nil {
		return err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F4E79"}})
	if err != nil {
		return err
	}
	nameStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	if err := f.SetColWidth(xlsxNotesSheet, "A", "A", 20); err != nil {
		return err
	}
	if err := f.SetColWidth(xlsxNotesSheet, "B", "B", 100); err != nil {
		return err
	}
	for i, note := range xlsxTemplateNotes() {
		row := i + 1
		a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
		if err := f.SetCellStr(xlsxNotesSheet, a, note[0]); err != nil {
			return err
		}
		if err := f.SetCellStr(xlsxNotesSheet, b, note[1]); err != nil {
			return err
		}
		style := nameStyle
		if row == 1 {
			style = titleStyle
		}
		if err := f.SetCellStyle(xlsxNotesSheet, a, a, style); err != nil {
			return err
		}
		if err := f.SetCellStyle(xlsxNotesSheet, b, b, textStyle); err != nil {
			return err
		}
	}
	return nil
}
