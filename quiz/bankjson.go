package quiz

import (
	"encoding/json"
	"fmt"
)

// BankFile is a question bank in hoithi's own JSON format, which keeps every
// field of a question.
type BankFile struct {
	Format      string         `json:"format"`
	Version     int            `json:"version"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Questions   []BankFileItem `json:"questions"`
}

// BankFileItem is one question of a BankFile.
type BankFileItem struct {
	Topic       string           `json:"topic"`
	Text        string           `json:"text"`
	Options     []BankFileOption `json:"options"`
	Explanation string           `json:"explanation,omitempty"`
	Reference   string           `json:"reference,omitempty"`
	Difficulty  string           `json:"difficulty,omitempty"`
}

// BankFileOption is one option of a BankFileItem.
type BankFileOption struct {
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// BankFileFormat names hoithi's JSON bank format.
const BankFileFormat = "hoithi-bank"

// ParseBankJSON reads a bank in hoithi's JSON format and returns its
// questions, normalized. Any invalid question makes it fail, naming the
// question's 1-based position.
func ParseBankJSON(data []byte) (BankFile, []Question, error) {
	var f BankFile
	if err := json.Unmarshal(data, &f); err != nil {
		return BankFile{}, nil, fmt.Errorf("bank json: %w", err)
	}
	if f.Format != BankFileFormat || f.Version != 1 {
		return BankFile{}, nil, fmt.Errorf("bank json: format %q version %d, want %q version 1", f.Format, f.Version, BankFileFormat)
	}
	qs := make([]Question, 0, len(f.Questions))
	for i, item := range f.Questions {
		q := Question{Topic: item.Topic, Text: item.Text, Explanation: item.Explanation, Reference: item.Reference, Difficulty: item.Difficulty}
		for _, o := range item.Options {
			q.Options = append(q.Options, Option{Text: o.Text, Correct: o.Correct})
		}
		q, err := q.Normalize()
		if err != nil {
			return BankFile{}, nil, fmt.Errorf("bank json: question %d: %w", i+1, err)
		}
		qs = append(qs, q)
	}
	return f, qs, nil
}
