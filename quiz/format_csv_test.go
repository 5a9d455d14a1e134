package quiz

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

func TestParseCSV(t *testing.T) {
	cases := []struct {
		name     string
		data     string
		lim      ImportLimits
		want     []string
		problems []string
	}{
		{
			name: "reads commas with a byte-order mark",
			data: "\ufeffChủ đề,Câu hỏi,A,B,C,Đáp án\nT,Q1,x,y,z,B\n",
			want: []string{"2: Q1 | x | *y | z"},
		},
		{
			name: "reads semicolons as Excel writes them under Vietnamese settings",
			data: "Câu hỏi;A;B;C;Đáp án\nQ1, còn gì nữa?;x;y;z;A, C\n",
			want: []string{"2: Q1, còn gì nữa? | *x | y | *z"},
		},
		{
			name: "reads tabs",
			data: "Question\tA\tB\tAnswer\nQ1\tx\ty\tb\n",
			want: []string{"2: Q1 | x | *y"},
		},
		{
			name: "reads CRLF line ends",
			data: "Câu hỏi,A,B,Đáp án\r\nQ1,x,y,A\r\n\r\nQ2,x,y,B\r\n",
			want: []string{"2: Q1 | *x | y", "4: Q2 | x | *y"},
		},
		{
			name: "reads quoted cells spanning lines and doubled quotes, counting lines from each record's start",
			data: "Câu hỏi,A,B,Đáp án\r\n" +
				"\"Dòng 1\r\nDòng 2\",x,y,A\r\n" +
				"\"Q \"\"trích\"\"\",x,\"y\r\nz\",B\r\n" +
				"Q3,x,y,A",
			want: []string{"2: Dòng 1\nDòng 2 | *x | y", "4: Q \"trích\" | x | *y\nz", "6: Q3 | *x | y"},
		},
		{
			name: "finds the separator outside quotes",
			data: "\"Câu hỏi (a;b;c;d;e)\",A,B,Đáp án\nQ1,x;1,y;2,A\n",
			want: []string{"2: Q1 | *x;1 | y;2"},
		},
		{
			name: "follows Excel's sep= line",
			data: "sep=;\nCâu hỏi;A;B;Đáp án\nQ1,2;x;y;A\n",
			want: []string{"3: Q1,2 | *x | y"},
		},
		{
			name: "reads NFD text",
			data: norm.NFD.String("Câu hỏi,A,B,Đáp án\nThủ tục?,Đúng,Sai,A và B\n"),
			want: []string{"2: Thủ tục? | *Đúng | *Sai"},
		},
		{
			name:     "reports an answer out of range on its line",
			data:     "Câu hỏi,A,B,C,Đáp án\nQ1,x,y,z,A\nQ2,x,y,z,D\n",
			want:     []string{"2: Q1 | *x | y | z"},
			problems: []string{"3 Đáp án import.answer_out_of_range [D A C]"},
		},
		{
			name:     "reports a quote never closed, and keeps the rows above it",
			data:     "Câu hỏi,A,B,Đáp án\nQ1,x,y,A\n\"Q2,x,y,A\nQ3,x,y,B\n",
			want:     []string{"2: Q1 | *x | y"},
			problems: []string{"3  import.csv_unclosed_quote []"},
		},
		{
			name:     "reports a quote never closed in the header alone",
			data:     "\"Câu hỏi,A,B,Đáp án\nQ1,x,y,A\n",
			problems: []string{"1  import.csv_unclosed_quote []"},
		},
		{
			name:     "reports an empty file",
			data:     "\ufeff",
			problems: []string{"0  import.empty_file []"},
		},
		{
			name:     "reports a header without an answer column",
			data:     "Câu hỏi,A,B\nQ1,x,y\n",
			problems: []string{"1 Đáp án import.missing_column [Đáp án]"},
		},
		{
			name:     "reports a long cell",
			data:     "Câu hỏi,A,B,Đáp án\nQ1,xxxxxx,y,A\n",
			lim:      ImportLimits{MaxCellChars: 5},
			problems: []string{"2 A import.cell_too_long [A 6 5]"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseCSV([]byte(c.data), c.lim)
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
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

func TestParseCSVReadsUTF16(t *testing.T) {
	text := "Câu hỏi\tA\tB\tĐáp án\r\nQ1\tx\ty\tB\r\n"
	data, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseCSV(data, DefaultImportLimits)
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	if got, want := briefs(p), []string{"2: Q1 | x | *y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("questions = %q, want %q (problems %v)", got, want, p.Problems)
	}
}

func TestParseCSVRefusesFilesItCannotRead(t *testing.T) {
	// Windows-1258 writes Vietnamese with precomposed vowels and combining
	// tone marks: "ỏ" is "o" and a hook above.
	win1258, err := charmap.Windows1258.NewEncoder().String("Câu ho\u0309i,A,B,Đa\u0301p a\u0301n\r\nThu\u0309 tu\u0323c,Đu\u0301ng,Sai,A\r\n")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		lim  ImportLimits
		want string // in the message
	}{
		{"a Windows-1258 file", []byte(win1258), DefaultImportLimits, "UTF-8"},
		{"a file over the size limit", []byte("Câu hỏi,A,B,Đáp án\nQ,x,y,A\n"), ImportLimits{MaxBytes: 10}, "giới hạn"},
		{"an .xlsx file", []byte("PK\x03\x04rest"), DefaultImportLimits, ".xlsx"},
		{"an .xls file", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), DefaultImportLimits, ".xls"},
		{"binary bytes", []byte("Câu hỏi\x00\x01"), DefaultImportLimits, "nhị phân"},
	}
	for _, c := range cases {
		t.Run("refuses "+c.name, func(t *testing.T) {
			p, err := ParseCSV(c.data, c.lim)
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
}

func TestParseCSVNamesTheLineOfTheFirstBadByte(t *testing.T) {
	data := []byte("Câu hỏi,A,B,Đáp án\nQ1,x,y,A\nQ2,\xe0,y,A\n")
	_, err := ParseCSV(data, DefaultImportLimits)
	if err == nil || !strings.Contains(err.Error(), "dòng 3") {
		t.Errorf("error = %v, want one naming line 3", err)
	}
}

// csvMaxLine is the last physical line of data: CRLF, LF and a lone CR
// each end one.
func csvMaxLine(data []byte) int {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
}

func FuzzParseCSV(f *testing.F) {
	seeds := []string{
		"\ufeffChủ đề,Câu hỏi,A,B,C,Đáp án\nT,Q1,x,y,z,B\n",
		"Câu hỏi;A;B;C;Đáp án\r\nQ1;x;y;z;A, C\r\n",
		"Question\tA\tB\tAnswer\nQ1\tx\ty\tb\n",
		"Câu hỏi,A,B,Đáp án\r\n\"Dòng 1\r\nDòng 2\",x,y,A\r\n\"Q \"\"t\"\"\",x,\"y\r\nz\",B\r\n",
		"sep=;\nCâu hỏi;A;B;Đáp án\nQ1,2;x;y;A\n",
		"Câu hỏi,A,B,Đáp án\nQ1,x,y,A\n\"Q2,x,y,A\nQ3,x,y,B\n",
		"NGÂN HÀNG\n\nCâu hỏi,Phương án A,Phương án B,Đáp án đúng\nQ,x,,A và B\n",
		"Câu hỏi,A,B,C,D,E,F,Đáp án\nQ,1,2,3,4,5,6,A;F\n",
		"\xff\xfeC\x00,\x00",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	lim := ImportLimits{MaxBytes: 1 << 20, MaxUnpacked: 1 << 20, MaxQuestions: 200, MaxCellChars: 300}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCSV(data, lim)
		if err != nil {
			if ErrorCode(err) != CodeInvalidFile {
				t.Fatalf("error %v is not %s", err, CodeInvalidFile)
			}
			return
		}
		maxLine := csvMaxLine(data)
		if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
			maxLine = len(data) // UTF-16: lines are not counted in bytes
		}
		checkParsed(t, p, maxLine)
		again, _ := ParseCSV(data, lim)
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("two parses of the same file differ")
		}
	})
}
