package quiz

import (
	"fmt"
	"strings"
	"testing"
)

// trickyBank holds what an export must carry through: GIFT's special
// characters, line breaks, three correct options of five, a topic left
// empty after a named one, six options, text that looks like a formula.
func trickyBank() []Question {
	return []Question{
		{Topic: "Giao dịch điện tử", Text: "Ký hiệu nào sau đây: ~ = # { } \\ có nghĩa đặc biệt trong GIFT?",
			Options:     []Option{{Text: "= (dấu bằng)", Correct: true}, {Text: "~ (dấu ngã)"}, {Text: "{ và }"}},
			Explanation: "Dòng một.\nDòng hai: #1", Reference: "Luật số 20/2023/QH15", Difficulty: "khó"},
		{Topic: "", Text: "Chọn tất cả các số chẵn.",
			Options: []Option{{Text: "2", Correct: true}, {Text: "3"}, {Text: "4", Correct: true}, {Text: "5"}, {Text: "6", Correct: true}}},
		{Topic: "Luật/Nghị định", Text: "=SUM(A1:A2) là công thức?",
			Options: []Option{{Text: "+84", Correct: true}, {Text: "@user"}, {Text: "-1"}, {Text: "Đúng"}, {Text: "Sai"}, {Text: "Không rõ"}}},
		{Topic: "Mười phương án", Text: "Câu hỏi có mười phương án?",
			Options: []Option{{Text: "1"}, {Text: "2"}, {Text: "3"}, {Text: "4"}, {Text: "5"}, {Text: "6"}, {Text: "7"}, {Text: "8"}, {Text: "9"}, {Text: "10", Correct: true}}},
	}
}

func describe(qs []Question, withReference bool) string {
	var b strings.Builder
	for _, q := range qs {
		ref, diff := q.Reference, q.Difficulty
		if !withReference {
			ref, diff = "", ""
		}
		fmt.Fprintf(&b, "%q %q %q %q %q\n", q.Topic, q.Text, q.Explanation, ref, diff)
		for _, o := range q.Options {
			fmt.Fprintf(&b, "  %v %q\n", o.Correct, o.Text)
		}
	}
	return b.String()
}

func TestExportsReadBackToTheSameQuestions(t *testing.T) {
	bank := Bank{Name: "Ngân hàng khó"}
	want := trickyBank()
	for i := range want {
		var err error
		if want[i], err = want[i].Normalize(); err != nil {
			t.Fatal(err)
		}
	}
	type roundTrip struct {
		name          string
		write         func() ([]byte, error)
		read          func([]byte) (Parsed, error)
		withReference bool
	}
	for _, rt := range []roundTrip{
		{"json", func() ([]byte, error) { return ExportJSON(bank, want) },
			func(d []byte) (Parsed, error) { return ParseJSON(d, DefaultImportLimits) }, true},
		{"xlsx", func() ([]byte, error) { return ExportXLSX(bank, want) },
			func(d []byte) (Parsed, error) { return ParseXLSX(d, "", DefaultImportLimits) }, true},
		{"gift", func() ([]byte, error) { return ExportGIFT(bank, want), nil },
			func(d []byte) (Parsed, error) { return ParseGIFT(d, DefaultImportLimits) }, false},
	} {
		t.Run(rt.name, func(t *testing.T) {
			data, err := rt.write()
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := rt.read(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range parsed.Problems {
				t.Errorf("problem on line %d: %s %v", p.Line, p.Key, p.Args)
			}
			var got []Question
			for _, pq := range parsed.Questions {
				q, err := pq.Question.Normalize()
				if err != nil {
					t.Fatalf("line %d: %v", pq.Line, err)
				}
				got = append(got, q)
			}
			if g, w := describe(got, rt.withReference), describe(want, rt.withReference); g != w {
				t.Errorf("read back\n%s\nwant\n%s\nfile:\n%s", g, w, data)
			}
		})
	}
}

func TestExportsLeaveRetiredQuestionsOut(t *testing.T) {
	qs := trickyBank()
	qs[1].Retired = true
	data, _ := ExportJSON(Bank{Name: "b"}, qs)
	if strings.Contains(string(data), "số chẵn") {
		t.Error("the JSON export carries a retired question")
	}
	if strings.Contains(string(ExportGIFT(Bank{Name: "b"}, qs)), "số chẵn") {
		t.Error("the GIFT export carries a retired question")
	}
}
