package quiz

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// moodleWant is a parsed question in a form a table can spell out: the
// options as "=correct|~wrong".
type moodleWant struct {
	Line        int
	Topic       string
	Text        string
	Options     string
	Explanation string
}

func moodleGot(p Parsed) []moodleWant {
	var got []moodleWant
	for _, pq := range p.Questions {
		var opts []string
		for _, o := range pq.Question.Options {
			mark := "~"
			if o.Correct {
				mark = "="
			}
			opts = append(opts, mark+o.Text)
		}
		got = append(got, moodleWant{pq.Line, pq.Question.Topic, pq.Question.Text, strings.Join(opts, "|"), pq.Question.Explanation})
	}
	return got
}

// moodleProblems spells problems as "line key", then the column, the args
// and "warning" when there are.
func moodleProblems(p Parsed) []string {
	var got []string
	for _, pr := range p.Problems {
		s := fmt.Sprintf("%d %s", pr.Line, pr.Key)
		if pr.Column != "" {
			s += " column=" + pr.Column
		}
		if len(pr.Args) > 0 {
			s += fmt.Sprint(" ", pr.Args)
		}
		if pr.Warning {
			s += " warning"
		}
		got = append(got, s)
	}
	return got
}

// moodleCase is one input and everything a reader should make of it.
type moodleCase struct {
	name      string
	input     string
	lim       ImportLimits
	questions []moodleWant
	problems  []string
}

func runMoodleCases(t *testing.T, parse func([]byte, ImportLimits) (Parsed, error), cases []moodleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse([]byte(tc.input), tc.lim)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			checkMoodleResult(t, p, tc.questions, tc.problems)
		})
	}
}

func checkMoodleResult(t *testing.T, p Parsed, questions []moodleWant, problems []string) {
	t.Helper()
	got := moodleGot(p)
	if len(got) != len(questions) {
		t.Errorf("got %d questions, want %d", len(got), len(questions))
	}
	for i := 0; i < len(got) || i < len(questions); i++ {
		var g, w moodleWant
		if i < len(got) {
			g = got[i]
		}
		if i < len(questions) {
			w = questions[i]
		}
		if g != w {
			t.Errorf("question %d:\n got %#v\nwant %#v", i+1, g, w)
		}
	}
	if gotProblems := moodleProblems(p); !reflect.DeepEqual(gotProblems, problems) && len(gotProblems)+len(problems) > 0 {
		t.Errorf("problems:\n got %q\nwant %q", gotProblems, problems)
	}
}

// readMoodleFixture reads one of Moodle's own test files, kept in the
// shared fixtures; a checkout without them skips the test.
func readMoodleFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../shared/fixtures/moodle/" + name)
	if os.IsNotExist(err) {
		t.Skipf("%s is not here: %v", name, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// utf16LE is s as Windows Notepad saves "Unicode" text.
func utf16LE(s string) string {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

// checkMoodleParse holds for any input: no panic, an error only for a file
// that is no text, questions usable in a contest, lines inside the file,
// and the same answer every time.
func checkMoodleParse(t *testing.T, parse func([]byte, ImportLimits) (Parsed, error), data []byte) {
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, lim := range []ImportLimits{DefaultImportLimits, {MaxQuestions: 3, MaxCellChars: 40}} {
		p, err := parse(data, lim)
		again, errAgain := parse(data, lim)
		if !reflect.DeepEqual(p, again) || fmt.Sprint(err) != fmt.Sprint(errAgain) {
			t.Fatalf("two parses differ:\n%#v %v\n%#v %v", p, err, again, errAgain)
		}
		if err != nil {
			if ErrorCode(err) != CodeInvalidFile {
				t.Fatalf("error %v, want code %s", err, CodeInvalidFile)
			}
			if len(p.Questions)+len(p.Problems) > 0 {
				t.Fatalf("an unreadable file gave %d questions and %d problems", len(p.Questions), len(p.Problems))
			}
			continue
		}
		if len(p.Questions) > lim.MaxQuestions {
			t.Errorf("%d questions, limit %d", len(p.Questions), lim.MaxQuestions)
		}
		for _, pq := range p.Questions {
			q := pq.Question
			if pq.Line < 1 || pq.Line > lines {
				t.Errorf("question on line %d of %d", pq.Line, lines)
			}
			correct := 0
			for _, o := range q.Options {
				if o.Correct {
					correct++
				}
				if !utf8.ValidString(o.Text) || !norm.NFC.IsNormalString(o.Text) {
					t.Errorf("option %q is not NFC UTF-8", o.Text)
				}
				if utf8.RuneCountInString(o.Text) > lim.MaxCellChars {
					t.Errorf("option of %d characters passed the limit %d", utf8.RuneCountInString(o.Text), lim.MaxCellChars)
				}
			}
			if len(q.Options) < 2 || correct < 1 {
				t.Errorf("question on line %d has %d options, %d correct", pq.Line, len(q.Options), correct)
			}
			for _, s := range []string{q.Text, q.Topic, q.Explanation} {
				if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
					t.Errorf("text %q is not NFC UTF-8", s)
				}
				if utf8.RuneCountInString(s) > lim.MaxCellChars {
					t.Errorf("text of %d characters passed the limit %d", utf8.RuneCountInString(s), lim.MaxCellChars)
				}
			}
		}
		for _, pr := range p.Problems {
			if pr.Line < 0 || pr.Line > lines {
				t.Errorf("problem %s on line %d of %d", pr.Key, pr.Line, lines)
			}
			if !strings.HasPrefix(pr.Key, "import.") && !strings.HasPrefix(pr.Key, "field.") {
				t.Errorf("problem key %q is not a message key", pr.Key)
			}
		}
	}
}

func TestParseGIFT(t *testing.T) {
	runMoodleCases(t, ParseGIFT, giftCases())
}

// giftCases cover every rule of the GIFT reader; the fuzzer starts from
// them too.
func giftCases() []moodleCase {
	tf := func(line int, text string, truth bool) moodleWant {
		if truth {
			return moodleWant{Line: line, Text: text, Options: "=Đúng|~Sai"}
		}
		return moodleWant{Line: line, Text: text, Options: "~Đúng|=Sai"}
	}
	return []moodleCase{
		{
			name:      "reads a multiple choice question with one = option",
			input:     "Ai là tác giả Truyện Kiều?{=Nguyễn Du ~Hồ Xuân Hương ~Nguyễn Trãi}\n",
			questions: []moodleWant{{Line: 1, Text: "Ai là tác giả Truyện Kiều?", Options: "=Nguyễn Du|~Hồ Xuân Hương|~Nguyễn Trãi"}},
		},
		{
			name:      "names the title line as the start and skips comments",
			input:     "// đầu tệp\n\n// ghi chú\n::Câu 1::\nThủ đô của Việt Nam?\n{\n  =Hà Nội\n  // ghi chú giữa câu\n  ~Huế\n}\n",
			questions: []moodleWant{{Line: 4, Text: "Thủ đô của Việt Nam?", Options: "=Hà Nội|~Huế"}},
		},
		{
			name:  "drops a title on the question's own line, or an unclosed ::",
			input: "::Câu 2:: Thủ đô?{=Hà Nội ~Huế}\n\n::Thủ đô nào?{=Hà Nội ~Huế}",
			questions: []moodleWant{
				{Line: 1, Text: "Thủ đô?", Options: "=Hà Nội|~Huế"},
				{Line: 3, Text: "Thủ đô nào?", Options: "=Hà Nội|~Huế"},
			},
		},
		{
			name:      "reads every escape and keeps other backslashes",
			input:     `Tính \{a\} \= b \~ c \# d \: e \\ f\ng tại C:\Windows?{=\= 5 # phản hồi ~\~ 4 ~\#3 ~x\\}`,
			questions: []moodleWant{{Line: 1, Text: "Tính {a} = b ~ c # d : e \\ f\ng tại C:\\Windows?", Options: "== 5|~~ 4|~#3|~x\\"}},
		},
		{
			name:      "an escaped colon starts no title",
			input:     `\::không phải tiêu đề:: câu hỏi?{=a ~b}`,
			questions: []moodleWant{{Line: 1, Text: "::không phải tiêu đề:: câu hỏi?", Options: "=a|~b"}},
		},
		{
			name: "takes the last segment of a category as the topic of the questions after it",
			input: "$CATEGORY: $course$/top/Pháp luật/Đất đai\n\nQ1?{=a ~b}\n\nQ2?{=a ~b}\n\n" +
				"$CATEGORY: Khác//Phụ\nQ3?{=a ~b}\n\n$CATEGORY: $course$/top\n\nQ4?{=a ~b}\n",
			questions: []moodleWant{
				{Line: 3, Topic: "Đất đai", Text: "Q1?", Options: "=a|~b"},
				{Line: 5, Topic: "Đất đai", Text: "Q2?", Options: "=a|~b"},
				{Line: 8, Topic: "Khác/Phụ", Text: "Q3?", Options: "=a|~b"},
				{Line: 12, Topic: "", Text: "Q4?", Options: "=a|~b"},
			},
		},
		{
			name:      "drops format markers and keeps html as characters",
			input:     "::T::[html]<p>Chọn <b>một</b> &amp; đúng</p>{=[plain]<i>a</i> ~[markdown]**b** ~[moodle]c}",
			questions: []moodleWant{{Line: 1, Text: "<p>Chọn <b>một</b> &amp; đúng</p>", Options: "=<i>a</i>|~**b**|~c"}},
		},
		{
			name:  "makes Đúng and Sai of true/false questions",
			input: "Mặt trời mọc ở hướng đông.{T}\n\nA.{TRUE}\n\nB.{F}\n\nC.{FALSE#sai rồi#đúng rồi}\n\nD.{ true }",
			questions: []moodleWant{
				tf(1, "Mặt trời mọc ở hướng đông.", true), tf(3, "A.", true), tf(5, "B.", false),
				tf(7, "C.", false), tf(9, "D.", true),
			},
		},
		{
			name: "shows the blank of a missing-word question",
			input: "Hà Nội là {=thủ đô ~thành phố cảng} của Việt Nam.\n\nNăm {\n=1945\n~1954\n} là năm độc lập.\n\n" +
				"Thủ đô của Việt Nam là {=Hà Nội ~Huế}.",
			questions: []moodleWant{
				{Line: 1, Text: "Hà Nội là _____ của Việt Nam.", Options: "=thủ đô|~thành phố cảng"},
				{Line: 3, Text: "Năm _____ là năm độc lập.", Options: "=1945|~1954"},
				{Line: 8, Text: "Thủ đô của Việt Nam là _____.", Options: "=Hà Nội|~Huế"},
			},
		},
		{
			name:  "ignores stray characters after the closing brace of a finished sentence",
			input: "Trái đất quay quanh mặt trời.{T}\";\n\nChọn đáp án đúng:{=a ~b} .",
			questions: []moodleWant{
				tf(1, "Trái đất quay quanh mặt trời.", true),
				{Line: 3, Text: "Chọn đáp án đúng:", Options: "=a|~b"},
			},
		},
		{
			name:  "takes the options of positive weight as the correct set when no option is =",
			input: "Chọn hai số chẵn.{~%50%2 ~%50%4 ~%-100%3 ~5}\n\nChọn một.{~%100%a ~b ~%0%c}",
			questions: []moodleWant{
				{Line: 1, Text: "Chọn hai số chẵn.", Options: "=2|=4|~3|~5"},
				{Line: 3, Text: "Chọn một.", Options: "=a|~b|~c"},
			},
		},
		{
			name:  "counts partial credit as wrong next to an = option, with a warning",
			input: "Câu hỏi khó.{~sai ~%50%gần đúng ~%25%hơi đúng =đúng}\n\nX?{=%50%a ~b}",
			questions: []moodleWant{
				{Line: 1, Text: "Câu hỏi khó.", Options: "~sai|~gần đúng|~hơi đúng|=đúng"},
				{Line: 3, Text: "X?", Options: "=a|~b"},
			},
			problems: []string{
				"1 import.gift_partial_credit [gần đúng, hơi đúng] warning",
				"3 import.gift_partial_credit [a] warning",
			},
		},
		{
			name: "reports each type a contest cannot use at its line",
			input: "Tự luận? {}\n\nTự luận có nhận xét chung? {####Gợi ý}\n\nGhép nối. {=Hà Nội -> Thủ đô =Huế -> Cố đô}\n\n" +
				"Năm nào? {#1945}\n\nTrả lời ngắn? {=Hà Nội =Ha Noi}\n\nMột đáp án? {=Hà Nội}\n\nCâu tốt?{=a ~b}",
			questions: []moodleWant{{Line: 13, Text: "Câu tốt?", Options: "=a|~b"}},
			problems: []string{
				"1 import.gift_unsupported_essay", "3 import.gift_unsupported_essay",
				"5 import.gift_unsupported_matching", "7 import.gift_unsupported_numerical",
				"9 import.gift_unsupported_short_answer", "11 import.gift_unsupported_short_answer",
			},
		},
		{
			name: "reports broken questions and goes on with the next",
			input: "Không có đáp án.\n\nMở mà không đóng {=a ~b\n\nĐóng mà không mở =a ~b}\n\nHai khối {=a ~b} và {=c ~d}\n\n" +
				"Khối lồng {=a {~b}\n\nKhông rõ loại {Hà Nội}\n\nTrọng số sai {~%abc%a =b}\n\nThiếu dấu % {~%50 a =b}\n\n" +
				"Một phương án {~a}\n\nKhông đáp án đúng {~a ~b}\n\nCâu tốt?{=a ~b}",
			questions: []moodleWant{{Line: 21, Text: "Câu tốt?", Options: "=a|~b"}},
			problems: []string{
				"1 import.gift_no_answers", "3 import.gift_unclosed_brace", "5 import.gift_unopened_brace",
				"7 import.gift_extra_brace", "9 import.gift_extra_brace", "11 import.gift_unknown_type",
				"13 import.gift_bad_weight [%abc%]", "15 import.gift_bad_weight [%50 a]",
				"17 field.too_few_options", "19 field.no_correct_option",
			},
		},
		{
			name:     "splits at a blank line inside the braces, as Moodle does",
			input:    "Câu hỏi {\n=a\n\n~b}\n",
			problems: []string{"1 import.gift_unclosed_brace", "4 import.gift_unopened_brace"},
		},
		{
			name:      "keeps general feedback as the explanation and drops answer feedback",
			input:     "Q?{=a#tốt lắm ~b#chưa đúng\n####[html]Vì <b>a</b> đúng.}",
			questions: []moodleWant{{Line: 1, Text: "Q?", Options: "=a|~b", Explanation: "Vì <b>a</b> đúng."}},
		},
		{
			name:      "reads text before the first mark as a wrong option, as Moodle does",
			input:     "Q?{a ~b =c}",
			questions: []moodleWant{{Line: 1, Text: "Q?", Options: "~a|~b|=c"}},
		},
		{
			name:      "reads \\n as a line break",
			input:     `Q?{=dòng 1\ndòng 2 ~b}`,
			questions: []moodleWant{{Line: 1, Text: "Q?", Options: "=dòng 1\ndòng 2|~b"}},
		},
		{
			name:  "reads CRLF line ends",
			input: "// c\r\nQ1?{=a ~b}\r\n\r\nQ2?{\r\n=a\r\n~b\r\n}\r\n",
			questions: []moodleWant{
				{Line: 2, Text: "Q1?", Options: "=a|~b"},
				{Line: 4, Text: "Q2?", Options: "=a|~b"},
			},
		},
		{
			name:      "skips a UTF-8 byte order mark",
			input:     "\xEF\xBB\xBF::T::Q?{=a ~b}",
			questions: []moodleWant{{Line: 1, Text: "Q?", Options: "=a|~b"}},
		},
		{
			name:      "decodes UTF-16 with a byte order mark",
			input:     utf16LE("// Notepad\r\nCâu hỏi?{=Đúng rồi ~Sai rồi}\r\n"),
			questions: []moodleWant{{Line: 2, Text: "Câu hỏi?", Options: "=Đúng rồi|~Sai rồi"}},
		},
		{
			name:  "composes decomposed Vietnamese, and a decomposed ≠ is no = mark",
			input: norm.NFD.String("$CATEGORY: Địa lý\nCâu hỏi về Việt Nam?{=Đúng rồi ~Sai rồi}\n\nĐúng hay sai: 1 ≠ 2?{=1 ≠ 2 ~1 \\= 2}"),
			questions: []moodleWant{
				{Line: 2, Topic: "Địa lý", Text: "Câu hỏi về Việt Nam?", Options: "=Đúng rồi|~Sai rồi"},
				{Line: 4, Topic: "Địa lý", Text: "Đúng hay sai: 1 ≠ 2?", Options: "=1 ≠ 2|~1 = 2"},
			},
		},
		{
			name:  "stops at the first question over the limit",
			input: "Q1?{=a ~b}\n\n$CATEGORY: X\n\nQ2?{=a ~b}\n\nQ3?{=a ~b}\n\nQ4?{=a ~b}",
			lim:   ImportLimits{MaxQuestions: 2},
			questions: []moodleWant{
				{Line: 1, Text: "Q1?", Options: "=a|~b"},
				{Line: 5, Topic: "X", Text: "Q2?", Options: "=a|~b"},
			},
			problems: []string{"7 import.too_many_questions [2]"},
		},
		{
			name:      "reports each field longer than the limit",
			input:     "abcdefghijk?{=a ~b}\n\nQ?{=a ~abcdefghijk}\n\nQ?{=a ~b ####abcdefghijk}\n\nQ?{=a ~b}\n\n$CATEGORY: abcdefghijk\nQ?{=a ~b}",
			lim:       ImportLimits{MaxCellChars: 10},
			questions: []moodleWant{{Line: 7, Text: "Q?", Options: "=a|~b"}},
			problems: []string{
				"1 import.text_too_long column=text [12 10]", "3 import.text_too_long column=options [11 10]",
				"5 import.text_too_long column=explanation [11 10]", "10 import.text_too_long column=topic [11 10]",
			},
		},
		{name: "reads nothing from an empty file", input: ""},
		{name: "reads nothing from a file of comments", input: "// chỉ có ghi chú\n\n// nữa\n"},
	}
}

func TestMoodleReadersRefuseFilesTheyCannotRead(t *testing.T) {
	inputs := map[string]string{
		"a zip file":            "PK\x03\x04\x14\x00\x00\x00\x08\x00",
		"invalid UTF-8":         "Câu hỏi?{=a ~b}\n\xC3\x28 \xFF\xFD\n",
		"a legacy code page":    "C\xE2u h\xF5i?{=a ~b}",
		"broken UTF-16":         "\xFF\xFEQ",
		"UTF-16 holding a NUL":  utf16LE("Q\x00?"),
		"a file over the limit": strings.Repeat("Q?{=a ~b}\n\n", 100),
	}
	parsers := map[Format]func([]byte, ImportLimits) (Parsed, error){FormatGIFT: ParseGIFT, FormatAiken: ParseAiken}
	for format, parse := range parsers {
		for name, input := range inputs {
			t.Run(string(format)+" refuses "+name, func(t *testing.T) {
				_, err := parse([]byte(input), ImportLimits{MaxBytes: 1 << 10})
				if ErrorCode(err) != CodeInvalidFile {
					t.Fatalf("got %v, want a %s error", err, CodeInvalidFile)
				}
				if !strings.HasPrefix(err.(*Error).Message, string(format)+": ") {
					t.Errorf("message %q does not name the format %s", err.(*Error).Message, format)
				}
			})
		}
	}
}

func TestParseGIFTReadsBackExportGIFT(t *testing.T) {
	questions := []Question{
		{Topic: "Luật Đất đai", Text: "Điều 1 {quy định} gì? a=b ~c #d :: e \\ f\nDòng hai",
			Options:     []Option{{Text: "Phạm vi = 1", Correct: true}, {Text: "Đối tượng ~ 2"}},
			Explanation: "Xem Điều 1.\n#### hết"},
		{Topic: "Luật Đất đai", Text: "Chọn ba.",
			Options: []Option{{Text: "a", Correct: true}, {Text: "b", Correct: true}, {Text: "c"}, {Text: "d", Correct: true}}},
		{Topic: "", Text: "Không chủ đề?", Options: []Option{{Text: "Có"}, {Text: "Không", Correct: true}}},
	}
	p, err := ParseGIFT(ExportGIFT(Bank{Name: "Ngân hàng"}, questions), DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) > 0 {
		t.Errorf("problems: %q", moodleProblems(p))
	}
	if len(p.Questions) != len(questions) {
		t.Fatalf("got %d questions, want %d", len(p.Questions), len(questions))
	}
	for i, pq := range p.Questions {
		if got, want := pq.Question, questions[i]; !reflect.DeepEqual(got, want) {
			t.Errorf("question %d:\n got %#v\nwant %#v", i+1, got, want)
		}
	}
}

// TestParseGIFTAgreesWithMoodleOnItsExamples checks the GIFT documentation's
// examples: what is a choice question becomes one, question by question,
// and every other type is an error at its first line.
func TestParseGIFTAgreesWithMoodleOnItsExamples(t *testing.T) {
	data := readMoodleFixture(t, "gift-examples.txt")
	if string(data) != moodleGIFTExamples {
		t.Errorf("the inline copy of gift-examples.txt differs from the file")
	}
	p, err := ParseGIFT(data, DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	grant := moodleWant{Text: "Who's buried in Grant's tomb?", Options: "~Grant|~Jefferson|=no one"}
	tomb := moodleWant{Text: "Grant is _____ in Grant's tomb.", Options: "~buried|=entombed|~living"}
	notBuried := moodleWant{Text: "Grant is buried in Grant's tomb.", Options: "~Đúng|=Sai"}
	at := func(line int, w moodleWant) moodleWant { w.Line = line; return w }
	checkMoodleResult(t, p, []moodleWant{
		at(8, grant), at(10, tomb), at(12, notBuried), at(25, grant), at(27, tomb),
		{Line: 29, Text: "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.", Options: "~second|~third|=fourth"},
		{Line: 35, Text: "Japanese characters originally came from what country?", Options: "~India|=China|~Korea|~Egypt"},
		at(49, notBuried),
		{Line: 51, Text: "The sun rises in the east.", Options: "=Đúng|~Sai"},
		{Line: 93, Text: "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of November.", Options: "~second|~third|=fourth"},
		{Line: 98, Text: "What's the answer to this multiple-choice question?", Options: "~wrong answer|~another wrong answer|=right answer"},
		at(113, notBuried),
		{Line: 115, Text: "Difficult question.", Options: "~wrong answer|~half credit answer|=full credit answer"},
		{Line: 117, Text: "Jesus Christ was from _____.", Options: "~Jerusalem|~Bethlehem|~Galilee|=Nazareth"},
		{Line: 130, Text: "What two people are entombed in Grant's tomb?", Options: "~No one|=Grant|=Grant's wife|~Grant's father"},
		{Line: 136, Text: "What two people are entombed in Grant's tomb?", Options: "~No one|=Grant|=Grant's wife|~Grant's father"},
		{Line: 143, Text: "Which answer equals 5?", Options: "~= 2 + 2|== 2 + 3|~= 2 + 4"},
		{Line: 148, Text: "Which of the following is NOT a control character for the GIFT import format?", Options: "~~|~=|~#|~{|~}|=\\"},
		at(167, grant), at(169, tomb), at(171, notBuried), at(184, tomb),
		{Line: 190, Text: "Difficult multiple choice question.", Options: "~wrong answer|~half credit answer|=full credit answer"},
	}, []string{
		"14 import.gift_unsupported_short_answer", "16 import.gift_unsupported_numerical",
		"43 import.gift_unsupported_short_answer", "45 import.gift_unsupported_short_answer",
		"55 import.gift_unsupported_matching", "61 import.gift_unsupported_matching",
		"70 import.gift_unsupported_numerical", "72 import.gift_unsupported_numerical",
		"74 import.gift_unsupported_numerical", "76 import.gift_unsupported_numerical",
		"85 import.gift_unsupported_numerical", "90 import.gift_unsupported_short_answer",
		"103 import.gift_unsupported_short_answer", "108 import.gift_unsupported_short_answer",
		"115 import.gift_partial_credit [half credit answer] warning",
		"117 import.gift_partial_credit [Bethlehem, Galilee] warning",
		"123 import.gift_unsupported_short_answer", "173 import.gift_unsupported_short_answer",
		"175 import.gift_unsupported_numerical", "177 import.gift_unsupported_matching",
		"190 import.gift_partial_credit [half credit answer] warning",
		"195 import.gift_unsupported_short_answer", "202 import.gift_unsupported_numerical",
	})
}

// TestParseGIFTAgreesWithMoodleOnItsFixture checks Moodle's one question of
// each type: markers dropped, stray characters after a brace ignored.
func TestParseGIFTAgreesWithMoodleOnItsFixture(t *testing.T) {
	data := readMoodleFixture(t, "questions.gift.txt")
	if string(data) != moodleQuestionsGIFT {
		t.Errorf("the inline copy of questions.gift.txt differs from the file")
	}
	p, err := ParseGIFT(data, DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	checkMoodleResult(t, p, []moodleWant{
		{Line: 14, Text: "What's between orange and green in the spectrum?", Options: "=yellow|~red|~blue"},
		{Line: 22, Text: "What's between orange and green in the spectrum?", Options: "=yellow|~red|=off-beige|~blue"},
		{Line: 41, Text: "42 is the Absolute Answer to everything.", Options: "~Đúng|=Sai",
			Explanation: "This is, of course, a Hitchiker's Guide to the Galaxy reference."},
		{Line: 46, Text: "TSL is blablabla.", Options: "=Đúng|~Sai"},
		{Line: 49, Text: "TSL is blablabla.", Options: "=Đúng|~Sai"},
	}, []string{
		"2 import.gift_unsupported_essay", "5 import.gift_unsupported_matching",
		"31 import.gift_unsupported_numerical", "34 import.gift_unsupported_short_answer",
	})
}

// BenchmarkParseGIFT reads a bank of 10,000 questions, twice the biggest
// an organizer is expected to upload.
func BenchmarkParseGIFT(b *testing.B) {
	var file strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&file, "$CATEGORY: Chủ đề %d\n\n::Câu %d::Theo Luật Đất đai, câu hỏi số %d hỏi điều gì?{\n", i%20, i, i)
		fmt.Fprintf(&file, "\t=Phương án đúng %d\n\t~Phương án sai thứ nhất\n\t~Phương án sai thứ hai\n\t####Giải thích \\{%d\\}\n}\n\n", i, i)
	}
	data := []byte(file.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p, err := ParseGIFT(data, DefaultImportLimits)
		if err != nil || len(p.Questions) != 10000 {
			b.Fatalf("got %d questions, %v", len(p.Questions), err)
		}
	}
}

func FuzzParseGIFT(f *testing.F) {
	for _, seed := range []string{moodleGIFTExamples, moodleQuestionsGIFT, moodleQuestionsAiken, moodleAikenErrors} {
		f.Add([]byte(seed))
	}
	for _, tc := range giftCases() {
		f.Add([]byte(tc.input))
	}
	for _, seed := range []string{
		"{", "}", "::", "::a", `\`, `{\}`, "{#}", "{=}", "{~}", "{~%}", "{~%%a =b}", "{~%1e400%a =b}",
		"{~%NaN%a ~%50%b}", "$CATEGORY:", "$CATEGORY: ////", "{####}", "a{T}b", "{=a->b ~c}", "\r\n\r\n{=a ~b}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMoodleParse(t, ParseGIFT, data)
	})
}

const moodleGIFTExamples = `//  EXAMPLE QUESTIONS for the GIFT import filter
//  by Paul Tsuchido Shew, January 2004.

//-----------------------------------------//
// Examples from the class description.
//-----------------------------------------//

Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

Grant is buried in Grant's tomb.{FALSE}

Who's buried in Grant's tomb?{=no one =nobody}

When was Ulysses S. Grant born?{#1822:1}


//-----------------------------------------//
// Examples from the documentation.
//-----------------------------------------//

// ===Multiple Choice===

Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

The American holiday of Thanksgiving is celebrated on the {
    ~second
    ~third
    =fourth
} Thursday of November.

Japanese characters originally came from what country? {
    ~India
    =China
    ~Korea
    ~Egypt}

// ===Short Answer===

Who's buried in Grant's tomb?{=no one =nobody}

Two plus two equals {=four =4}.

// ===True-False===

Grant is buried in Grant's tomb.{F}

The sun rises in the east.{T}

// ===Matching===

Matching Question. {
    =subquestion1 -> subanswer1
    =subquestion2 -> subanswer2
    =subquestion3 -> subanswer3
    }

Match the following countries with their corresponding capitals. {
    =Canada -> Ottawa
    =Italy  -> Rome
    =Japan  -> Tokyo
    =India  -> New Delhi
    }

// ===Numerical===

When was Ulysses S. Grant born? {#1822}

What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}.

What is the value of pi (to 3 decimal places)? {#3.141..3.142}.

When was Ulysses S. Grant born? {#
    =1822:0
    =%50%1822:2}

// OPTIONS

// ===Line Comments===

// Subheading: Numerical questions below
What's 2 plus 2? {#4}


// ===Question Name===

::Kanji Origins::Japanese characters originally
came from what country? {=China}

::Thanksgiving Date::The American holiday of Thanksgiving is
celebrated on the {~second ~third =fourth} Thursday of November.

// ===Feedback===

What's the answer to this multiple-choice question?{
~wrong answer#feedback comment on the wrong answer
~another wrong answer#feedback comment on this wrong answer
=right answer#Very good!}

Who's buried in Grant's tomb?{
=no one#excellent answer!
=nobody#excellent answer!}

// ===Specify text format===
[markdown]Who's buried in **Grant's tomb**?{
=no one#excellent answer!
=nobody#excellent answer!}

// ===Percentage Answer Weights===
Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}

Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}

::Jesus' hometown::Jesus Christ was from {
    ~Jerusalem#This was an important city, but the wrong answer.
    ~%25%Bethlehem#He was born here, but not raised here.
    ~%50%Galilee#You need to be more specific.
    =Nazareth#Yes! That's right!}.

::Jesus' hometown:: Jesus Christ was from {
    =Nazareth#Yes! That's right!
    =%75%Nazereth#Right, but misspelled.
    =%25%Bethlehem#He was born here, but not raised here.}

// ===Multiple Answers===

What two people are entombed in Grant's tomb? {
    ~No one
    ~%50%Grant
    ~%50%Grant's wife
    ~Grant's father }

What two people are entombed in Grant's tomb? {
    ~%-50%No one
    ~%50%Grant
    ~%50%Grant's wife
    ~%-50%Grant's father }

// ===Special Characters===
Which answer equals 5? {
     ~ \= 2 + 2
     = \= 2 + 3
     ~ \= 2 + 4  }

::GIFT Control Characters::
Which of the following is NOT a control character for the GIFT import format? {
   ~ \~     # \~ is a control character.
   ~ \=     # \= is a control character.
   ~ \#     # \# is a control character.
   ~ \{     # \{ is a control character.
   ~ \}     # \} is a control character.
   = \\     # Correct! \\ (backslash) is not a control character. BUT,
              it is used to escape the control characters. So, to specify
              a literal backslash, you must escape it with a backslash
              (as shown in this example).
}



//-----------------------------------------//
// Examples from gift/format.php.
//-----------------------------------------//

Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

Grant is buried in Grant's tomb.{FALSE}

Who's buried in Grant's tomb?{=no one =nobody}

When was Ulysses S. Grant born?{#1822:5}

Match the following countries with their corresponding
capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}

//-----------------------------------------//
// More complicated examples.
//-----------------------------------------//

::Grant's Tomb::Grant is {
      ~buried#No one is buried there.
      =entombed#Right answer!
      ~living#We hope not!
} in Grant's tomb.

Difficult multiple choice question.{
     ~wrong answer           #comment on wrong answer
     ~%50%half credit answer #comment on answer
     =full credit answer     #well done!}

::Jesus' hometown (Short answer ex.):: Jesus Christ was from {
     =Nazareth#Yes! That's right!
     =%75%Nazereth#Right, but misspelled.
     =%25%Bethlehem#He was born here, but not raised here.
}.

//this comment will be ignored by the filter
::Numerical example::
When was Ulysses S. Grant born? {#
     =1822:0      #Correct! 100% credit
     =%50%1822:2  #He was born in 1822.
                  You get 50% credit for being close.
}
`

const moodleQuestionsGIFT = `// essay
::Q8:: How are you? {}

// question: 2  name: Moodle activities
::Moodle activities::[html]Match the <b>activity</b> to the description.{
    =[html]An activity supporting asynchronous discussions. -> Forum
    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice
    =[plain]A bank of record entries which participants can add to. -> Database
    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki
    = -> Chat
}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{
    =yellow # right; good!
    ~red # [html]wrong, it's yellow
    ~[plain]blue # wrong, it's yellow
}

// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%50%yellow # right; good!
    ~%-100%red # [html]wrong
    ~%50%off-beige # right; good!
    ~%-100%[plain]blue # wrong
}

// math range question
::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}";

// question: 666  name: Shortanswer
::Shortanswer::Which is the best animal?{
    =Frog#Good!
    =%50%Cat#What is it with Moodlers and cats?
    =%0%*#Completely wrong
}

// true/false, with general feedback
::Q1:: 42 is the Absolute Answer to everything.{
FALSE#42 is the Ultimate Answer.#You gave the right answer.
####This is, of course, a Hitchiker's Guide to the Galaxy reference.}";

// name 0-11
::2-08 TSL::TSL is blablabla.{T}

// name 0-11
::2-08 TSL::TSL is blablabla.{TRUE}
`
