package quiz

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// readTable feeds rows to a tableReader as lines 1, 2, 3…
func readTable(rows [][]string, lim ImportLimits) Parsed {
	t := newTableReader(tableLimits(lim))
	for i, row := range rows {
		if !t.add(i+1, row) {
			break
		}
	}
	return t.finish()
}

// brief is a question in a form a test can compare: text, options with the
// correct ones marked "*".
func brief(q Question) string {
	var b strings.Builder
	b.WriteString(q.Text)
	for _, o := range q.Options {
		b.WriteString(" | ")
		if o.Correct {
			b.WriteString("*")
		}
		b.WriteString(o.Text)
	}
	return b.String()
}

func briefs(p Parsed) []string {
	var out []string
	for _, pq := range p.Questions {
		out = append(out, fmt.Sprintf("%d: %s", pq.Line, brief(pq.Question)))
	}
	return out
}

// problemList shows problems as "line column key args" for comparison.
func problemList(p Parsed) []string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, fmt.Sprintf("%d %s %s %v", pr.Line, pr.Column, pr.Key, pr.Args))
	}
	return out
}

func TestTableFoldRecognizesHeaders(t *testing.T) {
	nfd := norm.NFD.String
	cases := []struct {
		header string
		want   tableRole
	}{
		{"Câu hỏi", roleQuestion},
		{"cau hoi", roleQuestion},
		{"CÂU HỎI", roleQuestion},
		{nfd("Câu hỏi"), roleQuestion},
		{"  Câu   hỏi (*) ", roleQuestion},
		{"Question", roleQuestion},
		{"Nội dung câu hỏi", roleQuestion},
		{"Đáp án", roleAnswer},
		{"Đáp án đúng", roleAnswer},
		{"ĐÁP ÁN ĐÚNG (ghi A, B…)", roleAnswer},
		{"dap an", roleAnswer},
		{"Answer", roleAnswer},
		{"Correct", roleAnswer},
		{"Chủ đề", roleTopic},
		{"Topic", roleTopic},
		{"Giải thích", roleExplanation},
		{"Explanation", roleExplanation},
		{"Căn cứ", roleReference},
		{"Reference", roleReference},
		{"Độ khó", roleDifficulty},
		{"Difficulty", roleDifficulty},
		{"A", roleOption},
		{"a", roleOption},
		{"A.", roleOption},
		{"Phương án A", roleOption},
		{"Option A", roleOption},
		{"Đáp án A", roleOption},
		{"F", roleOption + 5},
		{"Phương án F", roleOption + 5},
		{"K", roleNone},
		{"STT", roleNone},
		{"", roleNone},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			cols, _ := readTableHeader([]string{c.header})
			got := roleNone
			for role := range cols.index {
				got = role
			}
			if got != c.want {
				t.Errorf("role of %q = %d, want %d", c.header, got, c.want)
			}
		})
	}
}

func TestTableAnswerLetters(t *testing.T) {
	cases := []struct {
		answer string
		want   []int
		ok     bool
	}{
		{"A", []int{0}, true},
		{"a", []int{0}, true},
		{" b ", []int{1}, true},
		{"A, C", []int{0, 2}, true},
		{"A;C", []int{0, 2}, true},
		{"AC", []int{0, 2}, true},
		{"A và C", []int{0, 2}, true},
		{norm.NFD.String("A và C"), []int{0, 2}, true},
		{"A va C", []int{0, 2}, true},
		{"A and C", []int{0, 2}, true},
		{"A + C", []int{0, 2}, true},
		{"A/C/D", []int{0, 2, 3}, true},
		{"B.", []int{1}, true},
		{"Đáp án B", []int{1}, true},
		{"C, A, C", []int{2, 0}, true},
		{"G", []int{6}, true},
		{"1", nil, false},
		{"đúng", nil, false},
		{"", nil, false},
		{",", nil, false},
	}
	for _, c := range cases {
		t.Run(c.answer, func(t *testing.T) {
			got, ok := tableAnswerLetters(c.answer)
			if ok != c.ok || !reflect.DeepEqual(got, c.want) {
				t.Errorf("tableAnswerLetters(%q) = %v, %v; want %v, %v", c.answer, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestTableRows(t *testing.T) {
	header := []string{"Chủ đề", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Giải thích", "Căn cứ", "Độ khó"}
	cases := []struct {
		name     string
		rows     [][]string
		lim      ImportLimits
		want     []string
		problems []string
	}{
		{
			name: "reads a single and a multiple answer question",
			rows: [][]string{header,
				{"T", "Q1", "a1", "b1", "c1", "d1", "B"},
				{"T", "Q2", "a2", "b2", "c2", "", "A, C"},
			},
			want: []string{"2: Q1 | a1 | *b1 | c1 | d1", "3: Q2 | *a2 | b2 | *c2"},
		},
		{
			name: "keeps topic, explanation, reference and difficulty",
			rows: [][]string{header, {" Chủ đề 1 ", "Q", "x", "y", "", "", "A", "vì thế", "Luật 1", "Dễ"}},
			want: []string{"2: Q | *x | y"},
		},
		{
			name: "skips fully empty rows silently and keeps the sheet row",
			rows: [][]string{header, {}, {"", " ", ""}, {"T", "Q", "x", "y", "", "", "b"}},
			want: []string{"4: Q | x | *y"},
		},
		{
			name: "takes options from the non-empty columns in order",
			rows: [][]string{header, {"", "Q", "x", "", "z", "", "C"}},
			want: []string{"2: Q | x | *z"},
		},
		{
			name: "finds the header below a title row",
			rows: [][]string{{"NGÂN HÀNG CÂU HỎI NĂM 2025"}, {}, header, {"", "Q", "x", "y", "", "", "A"}},
			want: []string{"4: Q | *x | y"},
		},
		{
			name: "reads six options and English headers",
			rows: [][]string{
				{"Topic", "Question", "Option A", "Option B", "Option C", "Option D", "Option E", "Option F", "Correct"},
				{"", "Q", "1", "2", "3", "4", "5", "6", "F, e"},
			},
			want: []string{"2: Q | 1 | 2 | 3 | 4 | *5 | *6"},
		},
		{
			name:     "reports a missing question text",
			rows:     [][]string{header, {"T", "", "x", "y", "", "", "A"}},
			problems: []string{"2 Câu hỏi import.missing_question [Câu hỏi]"},
		},
		{
			name:     "reports fewer than two options",
			rows:     [][]string{header, {"T", "Q", "x", "", "", "", "A"}},
			problems: []string{"2  import.too_few_options [1]"},
		},
		{
			name:     "reports a missing answer",
			rows:     [][]string{header, {"T", "Q", "x", "y", "", "", " "}},
			problems: []string{"2 Đáp án import.missing_answer [Đáp án]"},
		},
		{
			name:     "reports an unreadable answer",
			rows:     [][]string{header, {"T", "Q", "x", "y", "", "", "1"}},
			problems: []string{"2 Đáp án import.answer_unreadable [1]"},
		},
		{
			name:     "quotes the beginning of a long unreadable answer",
			rows:     [][]string{header, {"T", "Q", "x", "y", "", "", "Phương án đúng là phương án thứ nhất, vì luật quy định như vậy"}},
			problems: []string{"2 Đáp án import.answer_unreadable [Phương án đúng là phương án thứ nhất, vì…]"},
		},
		{
			name:     "reports an answer letter out of range",
			rows:     [][]string{header, {"T", "Q", "x", "y", "z", "w", "E"}},
			problems: []string{"2 Đáp án import.answer_out_of_range [E A D]"},
		},
		{
			name: "reports an answer pointing at an empty option column, named as written",
			rows: [][]string{
				{"Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Đáp án đúng"},
				{"Q", "x", "y", "", "A, C"},
			},
			problems: []string{"2 Đáp án đúng import.answer_empty_option [C Phương án C]"},
		},
		{
			name: "reports every problem of a row at once",
			rows: [][]string{header, {"T", "", "x", "", "", "", "D"}},
			problems: []string{
				"2 Câu hỏi import.missing_question [Câu hỏi]",
				"2  import.too_few_options [1]",
				"2 Đáp án import.answer_empty_option [D D]",
			},
		},
		{
			name: "reports a cell longer than the limit",
			rows: [][]string{header, {"T", strings.Repeat("ă", 11), "x", "y", "", "", "A"}},
			lim:  ImportLimits{MaxCellChars: 10},
			problems: []string{
				"2 Câu hỏi import.cell_too_long [Câu hỏi 11 10]",
			},
		},
		{
			name: "stops at the question limit",
			rows: [][]string{header,
				{"", "Q1", "x", "y", "", "", "A"},
				{"", "Q2", "x", "y", "", "", "A"},
				{"", "Q3", "x", "y", "", "", "A"},
			},
			lim:      ImportLimits{MaxQuestions: 2},
			want:     []string{"2: Q1 | *x | y", "3: Q2 | *x | y"},
			problems: []string{"4  import.too_many_questions [2]"},
		},
		{
			name:     "reports a header without an answer column on its line",
			rows:     [][]string{{"Câu hỏi", "A", "B"}, {"Q", "x", "y"}},
			problems: []string{"1 Đáp án import.missing_column [Đáp án]"},
		},
		{
			name: "reports a header without a question column",
			rows: [][]string{{"Nội dung chính", "A", "B", "Đáp án"}, {"Q", "x", "y", "A"}},
			problems: []string{
				"1 Câu hỏi import.missing_column [Câu hỏi]",
			},
		},
		{
			name: "reports a file whose first row is no header",
			rows: [][]string{{"Q", "x", "y", "A"}, {"Q2", "x", "y", "B"}},
			problems: []string{
				"1 Câu hỏi import.missing_column [Câu hỏi]",
				"1 Đáp án import.missing_column [Đáp án]",
				"1  import.missing_option_columns []",
			},
		},
		{
			name:     "reports a header with one option column",
			rows:     [][]string{{"Câu hỏi", "A", "Đáp án"}, {"Q", "x", "A"}},
			problems: []string{"1  import.missing_option_columns []"},
		},
		{
			name:     "reports an empty file",
			rows:     [][]string{{}, {"", ""}},
			problems: []string{"0  import.empty_file []"},
		},
		{
			name: "warns of a duplicated column and uses the first",
			rows: [][]string{
				{"Câu hỏi", "A", "B", "Đáp án", "Câu hỏi"},
				{"Q", "x", "y", "B", "other"},
			},
			want:     []string{"2: Q | x | *y"},
			problems: []string{"1 Câu hỏi import.duplicate_column [Câu hỏi]"},
		},
		{
			name: "reads NFD text as NFC",
			rows: [][]string{
				{norm.NFD.String("Câu hỏi"), "A", "B", norm.NFD.String("Đáp án")},
				{norm.NFD.String("Thủ tục hành chính?"), norm.NFD.String("Đúng"), "Sai", norm.NFD.String("A và B")},
			},
			want: []string{"2: Thủ tục hành chính? | *Đúng | *Sai"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := readTable(c.rows, c.lim)
			if got := briefs(p); !reflect.DeepEqual(got, c.want) {
				t.Errorf("questions:\n got %q\nwant %q", got, c.want)
			}
			if got := problemList(p); !reflect.DeepEqual(got, c.problems) {
				t.Errorf("problems:\n got %q\nwant %q", got, c.problems)
			}
		})
	}
}

func TestTableRowKeepsEveryField(t *testing.T) {
	header := []string{"Chủ đề", "Câu hỏi", "A", "B", "Đáp án", "Giải thích", "Căn cứ", "Độ khó"}
	p := readTable([][]string{header, {" Giao dịch ", "Q\nhai dòng", "x", "y", "A", "Vì", "Luật", "Khó"}}, ImportLimits{})
	if len(p.Questions) != 1 {
		t.Fatalf("got %d questions, %v; want 1", len(p.Questions), p.Problems)
	}
	q := p.Questions[0].Question
	got := []string{q.Topic, q.Text, q.Explanation, q.Reference, q.Difficulty}
	want := []string{"Giao dịch", "Q\nhai dòng", "Vì", "Luật", "Khó"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %q, want %q", got, want)
	}
}

// checkParsed asserts what every parser promises whatever the input: a
// question has two options and a correct one, and lines stay in range.
func checkParsed(t *testing.T, p Parsed, maxLine int) {
	t.Helper()
	for _, q := range p.Questions {
		correct := 0
		for _, o := range q.Question.Options {
			if o.Correct {
				correct++
			}
		}
		if len(q.Question.Options) < 2 || correct < 1 {
			t.Fatalf("question on line %d has %d options, %d correct", q.Line, len(q.Question.Options), correct)
		}
		if q.Line < 1 || q.Line > maxLine {
			t.Fatalf("question line %d outside 1..%d", q.Line, maxLine)
		}
	}
	for _, pr := range p.Problems {
		if pr.Line < 0 || pr.Line > maxLine {
			t.Fatalf("problem line %d outside 0..%d", pr.Line, maxLine)
		}
		if !strings.HasPrefix(pr.Key, "import.") {
			t.Fatalf("problem key %q is not import.*", pr.Key)
		}
	}
}
