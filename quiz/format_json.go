package quiz

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ParseJSON reads a bank in hoithi's own JSON format (BankFile). A question
// that does not decode is a problem at its 1-based position in "questions";
// a file that is not JSON, or of another format, cannot be read at all.
func ParseJSON(data []byte, lim ImportLimits) (Parsed, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return Parsed{}, invalidFile(FormatJSON, fmt.Sprintf("larger than %d bytes", lim.MaxBytes))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var f struct {
		Format    string            `json:"format"`
		Version   int               `json:"version"`
		Questions []json.RawMessage `json:"questions"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Parsed{}, invalidFile(FormatJSON, "not a JSON object with a \"questions\" list: "+err.Error())
	}
	if f.Format != "" && f.Format != BankFileFormat || f.Version > 1 {
		return Parsed{}, invalidFile(FormatJSON, fmt.Sprintf("format %q version %d is not %q version 1", f.Format, f.Version, BankFileFormat))
	}
	if f.Questions == nil {
		return Parsed{}, invalidFile(FormatJSON, "no \"questions\" list")
	}
	var p Parsed
	for i, raw := range f.Questions {
		line := i + 1
		if lim.MaxQuestions > 0 && len(p.Questions) >= lim.MaxQuestions {
			p.Problems = append(p.Problems, Problem{Line: line, Key: "import.too_many_questions", Args: []any{lim.MaxQuestions}})
			break
		}
		var item BankFileItem
		if err := json.Unmarshal(raw, &item); err != nil {
			p.Problems = append(p.Problems, Problem{Line: line, Key: "import.json_bad_question", Args: []any{err.Error()}})
			continue
		}
		q := Question{Topic: item.Topic, Text: item.Text, Explanation: item.Explanation,
			Reference: item.Reference, Difficulty: item.Difficulty}
		for _, o := range item.Options {
			q.Options = append(q.Options, Option{Text: o.Text, Correct: o.Correct})
		}
		p.Questions = append(p.Questions, ParsedQuestion{Line: line, Question: q})
	}
	return p, nil
}
