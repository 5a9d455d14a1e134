package quiz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Exports write a bank's questions in use so that the file imports back to
// the same questions: text, options, correct set and topic always;
// explanation, reference and difficulty where the format has room for them.

// ExportJSON writes the bank in hoithi's own JSON format, every field.
func ExportJSON(b Bank, qs []Question) ([]byte, error) {
	f := BankFile{Format: BankFileFormat, Version: 1, Name: b.Name, Description: b.Description, Questions: []BankFileItem{}}
	for _, q := range qs {
		if q.Retired {
			continue
		}
		item := BankFileItem{Topic: q.Topic, Text: q.Text, Explanation: q.Explanation, Reference: q.Reference, Difficulty: q.Difficulty}
		for _, o := range q.Options {
			item.Options = append(item.Options, BankFileOption{Text: o.Text, Correct: o.Correct})
		}
		f.Questions = append(f.Questions, item)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("export json: %w", err)
	}
	return buf.Bytes(), nil
}

// ExportGIFT writes the bank in Moodle's GIFT format: each topic as a
// $CATEGORY, a question with one correct option as multiple choice, one
// with several as weighted multiple answers (the correct options share
// 100 %, each wrong one is −100 %), the explanation as general feedback.
// GIFT has no field for the reference or the difficulty.
func ExportGIFT(b Bank, qs []Question) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// %s\n// hoithi: %d questions\n\n", giftComment(b.Name), countInUse(qs))
	topic := "\x00"
	n := 0
	for _, q := range qs {
		if q.Retired {
			continue
		}
		if q.Topic != topic {
			topic = q.Topic
			// A category is a path: a slash inside a topic is written twice.
			fmt.Fprintf(&buf, "$CATEGORY: %s\n\n", strings.ReplaceAll(giftComment(topic), "/", "//"))
		}
		n++
		fmt.Fprintf(&buf, "::Q%d:: %s {\n", n, giftEscape(q.Text))
		correct := 0
		for _, o := range q.Options {
			if o.Correct {
				correct++
			}
		}
		for _, o := range q.Options {
			switch {
			case correct == 1 && o.Correct:
				fmt.Fprintf(&buf, "\t=%s\n", giftEscape(o.Text))
			case correct == 1:
				fmt.Fprintf(&buf, "\t~%s\n", giftEscape(o.Text))
			case o.Correct:
				fmt.Fprintf(&buf, "\t~%%%s%%%s\n", giftWeight(100, correct), giftEscape(o.Text))
			default:
				fmt.Fprintf(&buf, "\t~%%-100%%%s\n", giftEscape(o.Text))
			}
		}
		if q.Explanation != "" {
			fmt.Fprintf(&buf, "\t####%s\n", giftEscape(q.Explanation))
		}
		buf.WriteString("}\n\n")
	}
	return buf.Bytes()
}

func countInUse(qs []Question) int {
	n := 0
	for _, q := range qs {
		if !q.Retired {
			n++
		}
	}
	return n
}

// giftWeight is total/parts as Moodle writes grade fractions: up to five
// decimals, trailing zeros dropped (33.33333, 50, 25).
func giftWeight(total, parts int) string {
	w := strconv.FormatFloat(float64(total)/float64(parts), 'f', 5, 64)
	return strings.TrimSuffix(strings.TrimRight(w, "0"), ".")
}

// giftEscape escapes the characters GIFT gives a meaning to, and writes
// line breaks as \n.
func giftEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '~', '=', '#', '{', '}', ':', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// giftComment keeps a name on one line.
func giftComment(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " ")
}
