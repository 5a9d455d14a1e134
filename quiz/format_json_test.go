package quiz

import (
	"os"
	"testing"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		questions int
		problems  []int // lines
		invalid   bool
	}{
		{"reads hoithi's format", `{"format":"hoithi-bank","version":1,"questions":[{"text":"a?","options":[{"text":"x","correct":true},{"text":"y"}]}]}`, 1, nil, false},
		{"takes a file without the format name", `{"questions":[{"text":"a?","options":[]}]}`, 1, nil, false},
		{"takes a BOM", "\ufeff" + `{"questions":[]}`, 0, nil, false},
		{"names a question that does not decode by position", `{"questions":[{"text":"a?"},{"text":1},{"text":"c?"}]}`, 2, []int{2}, false},
		{"refuses another format", `{"format":"moodle-xml","questions":[]}`, 0, nil, true},
		{"refuses a later version", `{"format":"hoithi-bank","version":2,"questions":[]}`, 0, nil, true},
		{"refuses a file with no questions list", `{"format":"hoithi-bank"}`, 0, nil, true},
		{"refuses what is not JSON", "\x00PK", 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseJSON([]byte(tt.in), DefaultImportLimits)
			if tt.invalid {
				if ErrorCode(err) != CodeInvalidFile {
					t.Fatalf("got %v, want invalid_file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, pr := range p.Problems {
				lines = append(lines, pr.Line)
			}
			if len(p.Questions) != tt.questions || len(lines) != len(tt.problems) {
				t.Errorf("%d questions and problems at %v, want %d and %v", len(p.Questions), lines, tt.questions, tt.problems)
			}
		})
	}
	lim := DefaultImportLimits
	lim.MaxQuestions = 1
	p, _ := ParseJSON([]byte(`{"questions":[{"text":"a"},{"text":"b"}]}`), lim)
	if len(p.Questions) != 1 || len(p.Problems) != 1 || p.Problems[0].Key != "import.too_many_questions" {
		t.Errorf("over the limit: %+v", p)
	}
}

func FuzzParseJSON(f *testing.F) {
	if demo, err := os.ReadFile("../data/demo/bank.json"); err == nil {
		f.Add(demo)
	}
	f.Add([]byte(`{"questions":[{"text":"a?","options":[{"text":"x","correct":true}]}]}`))
	f.Add([]byte(`{"questions":[1,"x",null,{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseJSON(data, DefaultImportLimits)
		if err != nil {
			if ErrorCode(err) != CodeInvalidFile {
				t.Fatalf("error %v is not invalid_file", err)
			}
			return
		}
		for _, pr := range p.Problems {
			if pr.Line < 1 || pr.Line > len(p.Questions)+len(p.Problems) {
				t.Fatalf("problem at position %d of %d", pr.Line, len(p.Questions)+len(p.Problems))
			}
		}
		again, _ := ParseJSON(data, DefaultImportLimits)
		if len(again.Questions) != len(p.Questions) || len(again.Problems) != len(p.Problems) {
			t.Fatal("two parses of the same file differ")
		}
	})
}
