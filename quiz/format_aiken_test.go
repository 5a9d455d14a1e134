package quiz

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestParseAiken(t *testing.T) {
	runMoodleCases(t, ParseAiken, aikenCases())
}

// aikenCases cover every rule of the Aiken reader; the fuzzer starts from
// them too.
func aikenCases() []moodleCase {
	return []moodleCase{
		{
			name:      "reads options written A) and A., with or without a space",
			input:     "Thủ đô của Việt Nam là gì?\nA) Hà Nội\nB)Huế\nC. Đà Nẵng\nD.TP Hồ Chí Minh\nANSWER: A\n",
			questions: []moodleWant{{Line: 1, Text: "Thủ đô của Việt Nam là gì?", Options: "=Hà Nội|~Huế|~Đà Nẵng|~TP Hồ Chí Minh"}},
		},
		{
			name:  "reads question text over several lines and ignores blank lines",
			input: "Đọc đoạn sau:\n  \"Mọi người có quyền tự do.\"\n\nĐoạn trên trích từ đâu?\n\nA) Hiến pháp\n\nB) Bộ luật Dân sự\nANSWER: A\n\n\n",
			questions: []moodleWant{{Line: 1, Text: "Đọc đoạn sau:\n\"Mọi người có quyền tự do.\"\nĐoạn trên trích từ đâu?",
				Options: "=Hiến pháp|~Bộ luật Dân sự"}},
		},
		{
			name:  "reads questions with no blank line between them and answers written b or B)",
			input: "Q1\nA) a\nB) b\nANSWER: b\nQ2\nA) c\nB) d\nANSWER: B)\nQ3\nA) e\nB) f\nANSWER:A",
			questions: []moodleWant{
				{Line: 1, Text: "Q1", Options: "~a|=b"},
				{Line: 5, Text: "Q2", Options: "~c|=d"},
				{Line: 9, Text: "Q3", Options: "=e|~f"},
			},
		},
		{
			name:      "keeps html as characters",
			input:     "Chọn thẻ <b>đậm</b> & <script>x</script>?\nA) <b>\nB) &lt;i&gt;\nANSWER: A",
			questions: []moodleWant{{Line: 1, Text: "Chọn thẻ <b>đậm</b> & <script>x</script>?", Options: "=<b>|~&lt;i&gt;"}},
		},
		{
			name: "reports each broken question where Moodle finds the fault",
			input: "Q1\nA) a\nANSWER: A\n\nB) lạc\nANSWER: B\nQ2\nA) a\nB) b\nANSWER: AB\n" +
				"Q3\nA) a\nB) b\nANSWER: C\nQ4\nA) a\nA) b\nB) c\nANSWER: B\n" +
				"Q5\nA) a\nB) b\nQ6\nA) a\nB) b\nANSWER:\nQ7 tốt\nA) a\nB) b\nANSWER: B\nQ8 chưa xong\nA) a\n",
			questions: []moodleWant{{Line: 27, Text: "Q7 tốt", Options: "~a|=b"}},
			problems: []string{
				"3 field.too_few_options", "5 import.aiken_question_not_started", "6 import.aiken_question_not_started",
				"10 import.aiken_bad_answer [AB]", "14 import.aiken_answer_not_an_option [C]",
				"17 import.aiken_duplicate_letter [A]", "23 import.aiken_question_not_finished",
				"26 import.aiken_bad_answer []", "31 import.aiken_question_not_finished",
			},
		},
		{
			name:      "names the first line of a question without options at the end of the file",
			input:     "Q1\nA) a\nB) b\nANSWER: A\n\nCâu hỏi bị bỏ dở\nvẫn chưa có phương án",
			problems:  []string{"6 import.aiken_question_not_finished"},
			questions: []moodleWant{{Line: 1, Text: "Q1", Options: "=a|~b"}},
		},
		{
			name:      "reads CRLF, a byte order mark and no newline at the end",
			input:     "\xEF\xBB\xBFQ?\r\nA) a\r\nB) b\r\nANSWER: B",
			questions: []moodleWant{{Line: 1, Text: "Q?", Options: "~a|=b"}},
		},
		{
			name:      "composes decomposed Vietnamese",
			input:     norm.NFD.String("Câu hỏi tiếng Việt?\nA) Đúng rồi\nB) Sai rồi\nANSWER: A"),
			questions: []moodleWant{{Line: 1, Text: "Câu hỏi tiếng Việt?", Options: "=Đúng rồi|~Sai rồi"}},
		},
		{
			name:      "decodes UTF-16 with a byte order mark",
			input:     utf16LE("Câu hỏi?\r\nA) Có\r\nB) Không\r\nANSWER: B\r\n"),
			questions: []moodleWant{{Line: 1, Text: "Câu hỏi?", Options: "~Có|=Không"}},
		},
		{
			name:      "stops at the first question over the limit",
			input:     "Q1\nA) a\nB) b\nANSWER: A\n\nQ2\nA) a\nB) b\nANSWER: A\n\nQ3\nA) a\nB) b\nANSWER: A",
			lim:       ImportLimits{MaxQuestions: 1},
			questions: []moodleWant{{Line: 1, Text: "Q1", Options: "=a|~b"}},
			problems:  []string{"6 import.too_many_questions [1]"},
		},
		{
			name:      "reports text and options longer than the limit",
			input:     "abcdefghijk?\nA) a\nB) b\nANSWER: A\n\nQ2\nA) a\nB) abcdefghijk\nANSWER: A\n\nQ3\nA) a\nB) b\nANSWER: A",
			lim:       ImportLimits{MaxCellChars: 10},
			questions: []moodleWant{{Line: 11, Text: "Q3", Options: "=a|~b"}},
			problems:  []string{"1 import.text_too_long column=text [12 10]", "6 import.text_too_long column=options [11 10]"},
		},
		{name: "reads nothing from an empty file", input: ""},
		{name: "reads nothing from blank lines", input: "\n \r\n\t\n"},
	}
}

// TestParseAikenAgreesWithMoodleOnItsFixture checks Moodle's two good
// questions; the second keeps its html as text.
func TestParseAikenAgreesWithMoodleOnItsFixture(t *testing.T) {
	data := readMoodleFixture(t, "questions.aiken.txt")
	if string(data) != moodleQuestionsAiken {
		t.Errorf("the inline copy of questions.aiken.txt differs from the file")
	}
	p, err := ParseAiken(data, DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	checkMoodleResult(t, p, []moodleWant{
		{Line: 1, Text: "The Moodle project was started by:", Options: "~Petr Skoda|=Martin Dougiamas|~Eloy Lafuente|~Tim Hunt"},
		{Line: 8, Text: `Moodle's abilities include handling user input that includes <html class="cool"> & images:`, Options: "=True|~False"},
	}, nil)
}

// TestParseAikenAgreesWithMoodleOnItsErrors checks the lines Moodle names
// in its file of broken questions, and the two good ones it still reads.
func TestParseAikenAgreesWithMoodleOnItsErrors(t *testing.T) {
	data := readMoodleFixture(t, "aiken_errors.txt")
	if string(data) != moodleAikenErrors {
		t.Errorf("the inline copy of aiken_errors.txt differs from the file")
	}
	p, err := ParseAiken(data, DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	checkMoodleResult(t, p, []moodleWant{
		{Line: 9, Text: "A good question", Options: "=Correct|~Incorrect"},
		{Line: 18, Text: "A second good question", Options: "~Incorrect (No space)|=Correct (No space)"},
	}, []string{
		"3 field.too_few_options", "5 import.aiken_question_not_started",
		"7 import.aiken_question_not_started", "18 import.aiken_question_not_finished",
	})
}

func FuzzParseAiken(f *testing.F) {
	for _, seed := range []string{moodleQuestionsAiken, moodleAikenErrors, moodleQuestionsGIFT} {
		f.Add([]byte(seed))
	}
	for _, tc := range aikenCases() {
		f.Add([]byte(tc.input))
	}
	for _, seed := range []string{
		"A)", "ANSWER:", "ANSWER: A", "Q\nA)\nB)\nANSWER: A", "Q\nZ) a\nA) b\nANSWER: z", "Q\nA. a\nB. b\nANSWER: B.",
		"Q\r\nA) a\rB) b\r\nANSWER: A", "Q\nA) a\nB) b\nANSWER: A)).",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMoodleParse(t, ParseAiken, data)
	})
}

const moodleQuestionsAiken = `The Moodle project was started by:
A) Petr Skoda
B) Martin Dougiamas
C) Eloy Lafuente
D) Tim Hunt
ANSWER: B

Moodle's abilities include handling user input that includes <html class="cool"> & images:
A) True
B) False
ANSWER: A
`

const moodleAikenErrors = `A question with too few answers
A) Only answer
ANSWER: A

A) Question not started

ANSWER: Question not started

A good question
A) Correct
B) Incorrect
ANSWER: A

A question started but not finished
A) Correct-ish
B) Incorrect-ish

A second good question
A)Incorrect (No space)
B)Correct (No space)
ANSWER: B`
