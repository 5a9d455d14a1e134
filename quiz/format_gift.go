package quiz

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Message keys of the problems the GIFT and Aiken readers report, with the
// args each takes. The unsupported question types each have their own key
// so that the Vietnamese text can name the type naturally.
const (
	msgGIFTEssay         = "import.gift_unsupported_essay"        // no args
	msgGIFTMatching      = "import.gift_unsupported_matching"     // no args
	msgGIFTNumerical     = "import.gift_unsupported_numerical"    // no args
	msgGIFTShortAnswer   = "import.gift_unsupported_short_answer" // no args
	msgGIFTNoAnswers     = "import.gift_no_answers"               // no args
	msgGIFTUnclosed      = "import.gift_unclosed_brace"           // no args
	msgGIFTUnopened      = "import.gift_unopened_brace"           // no args
	msgGIFTExtraBrace    = "import.gift_extra_brace"              // no args
	msgGIFTUnknownType   = "import.gift_unknown_type"             // no args
	msgGIFTBadWeight     = "import.gift_bad_weight"               // the weight as written
	msgGIFTPartialCredit = "import.gift_partial_credit"           // the options, comma-separated
	msgMoodleTooLong     = "import.text_too_long"                 // length, limit; Column names the field
	msgMoodleTooMany     = "import.too_many_questions"            // limit
)

// giftBlank stands where a missing-word question's answer block was.
const giftBlank = "_____"

// giftLine is one line of a GIFT file with its 1-based number.
type giftLine struct {
	number int
	text   string
}

// giftChoice is one option of a choice question as written: its text, its
// mark (= or ~) and its weight when one is given (~%50%).
type giftChoice struct {
	text     string
	equals   bool
	weight   float64
	weighted bool
}

// ParseGIFT reads a question bank in Moodle's GIFT format. Only the types a
// contest can use become questions: multiple choice, multiple answers,
// true/false and missing word. Every other question, and every question
// that is broken, is a problem at the line Moodle would name (its first
// line, comments left out) and the reader goes on with the next one, so
// that one import lists every fault of the file. More questions than
// lim.MaxQuestions, broken ones counted too so that a hostile file cannot
// pile up problems, is a problem at the first one too many, and reading
// stops there; a field longer than lim.MaxCellChars is a problem on its
// question. A limit left at zero takes its default.
func ParseGIFT(data []byte, lim ImportLimits) (Parsed, error) {
	text, err := moodleText(FormatGIFT, data, lim)
	if err != nil {
		return Parsed{}, err
	}
	lim = moodleLimits(lim)
	var p Parsed
	topic := ""
	count := 0
	for _, block := range splitGIFTBlocks(text) {
		if category, ok := strings.CutPrefix(strings.TrimSpace(block[0].text), "$CATEGORY:"); ok {
			// Moodle wants the category alone in its block; a question
			// written right under it is read as a question all the same.
			topic = giftCategoryTopic(category)
			block = block[1:]
			if len(block) == 0 {
				continue
			}
		}
		line := block[0].number
		count++
		if count > lim.MaxQuestions {
			p.Problems = append(p.Problems, Problem{Line: line, Key: msgMoodleTooMany, Args: []any{lim.MaxQuestions}})
			break
		}
		lines := make([]string, len(block))
		for i, l := range block {
			lines[i] = l.text
		}
		q, problems, ok := parseGIFTQuestion(strings.Join(lines, "\n"), line)
		p.Problems = append(p.Problems, problems...)
		if !ok {
			continue
		}
		q.Topic = topic
		if long := moodleTooLong(q, line, lim.MaxCellChars); len(long) > 0 {
			p.Problems = append(p.Problems, long...)
			continue
		}
		p.Questions = append(p.Questions, ParsedQuestion{Line: line, Question: q})
	}
	return p, nil
}

// splitGIFTBlocks cuts the file into questions the way Moodle does: blank
// lines separate them, and a line starting with // is a comment wherever it
// is, so it neither ends a question nor belongs to one. A block made only of
// comments is no question at all.
func splitGIFTBlocks(text string) [][]giftLine {
	var blocks [][]giftLine
	var current []giftLine
	for i, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		switch {
		case trimmed == "":
			if len(current) > 0 {
				blocks = append(blocks, current)
				current = nil
			}
		case strings.HasPrefix(trimmed, "//"):
		default:
			current = append(current, giftLine{number: i + 1, text: raw})
		}
	}
	if len(current) > 0 {
		blocks = append(blocks, current)
	}
	return blocks
}

// parseGIFTQuestion reads one question's text. ok is false when it cannot
// be used, and then problems say why; a usable question may still come
// with a warning.
func parseGIFTQuestion(raw string, line int) (q Question, problems []Problem, ok bool) {
	fail := func(key string, args ...any) (Question, []Problem, bool) {
		return Question{}, append(problems, Problem{Line: line, Key: key, Args: args}), false
	}
	text := strings.TrimSpace(raw)
	if rest, titled := strings.CutPrefix(text, "::"); titled {
		// The title has no place in hoithi. Without a closing :: Moodle
		// just drops the opening one and keeps the rest as the text.
		if end := indexGIFT(rest, "::"); end >= 0 {
			rest = rest[end+2:]
		}
		text = strings.TrimSpace(rest)
	}

	open, closing := indexGIFT(text, "{"), indexGIFT(text, "}")
	switch {
	case open < 0 && closing < 0:
		return fail(msgGIFTNoAnswers)
	case closing >= 0 && (open < 0 || closing < open):
		return fail(msgGIFTUnopened)
	case closing < 0:
		return fail(msgGIFTUnclosed)
	}
	answers, before, after := text[open+1:closing], text[:open], text[closing+1:]
	if indexGIFT(answers, "{") >= 0 || indexGIFT(after, "{") >= 0 || indexGIFT(after, "}") >= 0 {
		return fail(msgGIFTExtraBrace)
	}

	explanation := ""
	if i := lastIndexGIFT(answers, "####"); i >= 0 {
		explanation = CleanText(unescapeGIFT(stripGIFTMarker(answers[i+4:])))
		answers = answers[:i]
	}
	answers = strings.TrimSpace(answers)

	// The order of these tests is Moodle's: it decides which type a block
	// that fits several (a ~ and a ->, say) is.
	var options []Option
	switch {
	case answers == "":
		return fail(msgGIFTEssay)
	case answers[0] == '#':
		return fail(msgGIFTNumerical)
	case indexGIFT(answers, "~") >= 0:
		choices, bad := splitGIFTChoices(answers)
		if bad != "" {
			return fail(msgGIFTBadWeight, bad)
		}
		var partial []string
		options, partial = giftCorrectSet(choices)
		if len(partial) > 0 {
			problems = append(problems, Problem{Line: line, Key: msgGIFTPartialCredit, Args: []any{strings.Join(partial, ", ")}, Warning: true})
		}
	case indexGIFT(answers, "=") >= 0 && strings.Contains(answers, "->"):
		return fail(msgGIFTMatching)
	default:
		truth, isTrueFalse := giftTrueFalse(answers)
		switch {
		case isTrueFalse:
			options = []Option{{Text: "Đúng", Correct: truth}, {Text: "Sai", Correct: !truth}}
		case indexGIFT(answers, "=") >= 0:
			return fail(msgGIFTShortAnswer)
		default:
			return fail(msgGIFTUnknownType)
		}
	}

	correct := 0
	for _, o := range options {
		if o.Correct {
			correct++
		}
	}
	switch {
	case len(options) < 2:
		return fail(MsgTooFewOptions)
	case correct == 0:
		return fail(MsgNoCorrect)
	}

	questionText := before
	if giftBlankFollows(before, after) {
		questionText = before + giftBlank + after
	}
	q = Question{
		Text:        CleanText(unescapeGIFT(stripGIFTMarker(questionText))),
		Options:     options,
		Explanation: explanation,
	}
	return q, problems, true
}

// giftBlankFollows reports whether the text after the answer block goes on
// with the sentence, which makes the question a missing-word one with a
// blank where the block was. Moodle makes a blank of anything after the
// block; hoithi agrees except for stray characters (`";` left over from a
// copy) after a sentence that had already ended before the block: there is
// no blank to fill there, and the characters are dropped.
func giftBlankFollows(before, after string) bool {
	rest := strings.TrimSpace(after)
	if rest == "" {
		return false
	}
	if strings.IndexFunc(rest, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
		return true
	}
	head := strings.TrimSpace(before)
	if head == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(head)
	return !strings.ContainsRune(".?!:…", last)
}

// splitGIFTChoices cuts a choice block at every unescaped = and ~. Text
// before the first mark is an option too, a wrong one, as in Moodle. bad is
// the weight as written when one cannot be read.
func splitGIFTChoices(answers string) (choices []giftChoice, bad string) {
	add := func(mark byte, segment string) {
		if bad != "" {
			return
		}
		body := strings.TrimSpace(segment)
		c := giftChoice{equals: mark == '='}
		if strings.HasPrefix(body, "%") {
			end := strings.IndexByte(body[1:], '%')
			if end < 0 {
				bad = giftShort(body)
				return
			}
			w, err := strconv.ParseFloat(strings.TrimSpace(body[1:end+1]), 64)
			if err != nil || math.IsNaN(w) || w < -100 || w > 100 {
				bad = giftShort(body[:end+2])
				return
			}
			c.weight, c.weighted = w, true
			body = body[end+2:]
		}
		if feedback := indexGIFT(body, "#"); feedback >= 0 {
			body = body[:feedback]
		}
		c.text = CleanText(unescapeGIFT(stripGIFTMarker(body)))
		choices = append(choices, c)
	}
	start := 0
	var mark byte
	for i := 0; i < len(answers); i++ {
		if isGIFTEscape(answers, i) {
			i++
			continue
		}
		if answers[i] == '~' || answers[i] == '=' {
			if mark != 0 || strings.TrimSpace(answers[start:i]) != "" {
				add(mark, answers[start:i])
			}
			mark, start = answers[i], i+1
		}
	}
	add(mark, answers[start:])
	return choices, bad
}

// giftCorrectSet decides which options are correct. A contest scores a
// question right or wrong, never in part: when any option is marked =, the
// = options are the correct set; otherwise (weighted multiple answers) the
// options of positive weight are. partial lists the options whose Moodle
// weight that reading overrides, for a warning.
func giftCorrectSet(choices []giftChoice) (options []Option, partial []string) {
	anyEquals := false
	for _, c := range choices {
		anyEquals = anyEquals || c.equals
	}
	options = make([]Option, len(choices))
	for i, c := range choices {
		correct := c.weight > 0
		if anyEquals {
			correct = c.equals
			if (!c.equals && c.weight > 0) || (c.equals && c.weighted && c.weight != 100) {
				partial = append(partial, c.text)
			}
		}
		options[i] = Option{Text: c.text, Correct: correct}
	}
	return options, partial
}

// giftTrueFalse reads a true/false block: T, TRUE, F or FALSE, then
// feedback after #.
func giftTrueFalse(answers string) (truth, ok bool) {
	head := answers
	if feedback := indexGIFT(head, "#"); feedback >= 0 {
		head = head[:feedback]
	}
	switch strings.ToUpper(strings.TrimSpace(head)) {
	case "T", "TRUE":
		return true, true
	case "F", "FALSE":
		return false, true
	}
	return false, false
}

// giftCategoryTopic turns a Moodle category path ("$course$/top/Luật/Đất
// đai") into a topic: its last segment. A slash inside a name is written
// // in Moodle's paths; the context placeholder and "top" that Moodle puts
// in front are no topic of their own.
func giftCategoryTopic(path string) string {
	var segments []string
	var segment strings.Builder
	for i := 0; i < len(path); i++ {
		switch {
		case path[i] == '/' && i+1 < len(path) && path[i+1] == '/':
			segment.WriteByte('/')
			i++
		case path[i] == '/':
			segments = append(segments, segment.String())
			segment.Reset()
		default:
			segment.WriteByte(path[i])
		}
	}
	segments = append(segments, segment.String())
	topic, placeholder := "", false
	for _, s := range segments {
		s = Clean(unescapeGIFT(s))
		switch {
		case s == "":
		case topic == "" && len(s) > 1 && strings.HasPrefix(s, "$") && strings.HasSuffix(s, "$"):
			placeholder = true
		case topic == "" && placeholder && s == "top":
		default:
			topic = s
		}
	}
	return topic
}

// The format markers Moodle reads at the start of a text. hoithi drops
// them and keeps the text as plain text, whatever the marker said: an
// html-marked text keeps its tags as characters, escaped when shown.
var giftMarkers = []string{"[html]", "[moodle]", "[plain]", "[markdown]"}

func stripGIFTMarker(s string) string {
	s = strings.TrimSpace(s)
	for _, m := range giftMarkers {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

// isGIFTEscape reports whether s[i] starts one of the escapes GIFT knows:
// \= \~ \# \{ \} \: \\ and \n. Any other backslash is itself.
func isGIFTEscape(s string, i int) bool {
	return s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\=~#{}:n`, s[i+1]) >= 0
}

// indexGIFT is strings.Index that skips escaped characters.
func indexGIFT(s, sep string) int {
	for i := 0; i < len(s); i++ {
		if isGIFTEscape(s, i) {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sep) {
			return i
		}
	}
	return -1
}

// lastIndexGIFT is strings.LastIndex that skips escaped characters.
func lastIndexGIFT(s, sep string) int {
	last := -1
	for i := 0; i < len(s); i++ {
		if isGIFTEscape(s, i) {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sep) {
			last = i
		}
	}
	return last
}

// unescapeGIFT turns the escapes into the characters they stand for, once
// the text has been cut at the unescaped ones.
func unescapeGIFT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if isGIFTEscape(s, i) {
			if s[i+1] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i+1])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// giftShort keeps a quoted piece of the file short enough for a message.
func giftShort(s string) string {
	const limit = 20
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}

// moodleText turns an uploaded GIFT or Aiken file into NFC text with \n
// line ends, or says it cannot be read: no text at all, or larger than
// lim.MaxBytes (checked again here, as the JSON reader does, for callers
// other than Import). Moodle reads these files as
// UTF-8 (a byte order mark allowed); Windows Notepad's "Unicode" is UTF-16
// with a byte order mark, so that is decoded too. Anything else that is not
// UTF-8 cannot be read: guessing a legacy Vietnamese encoding (TCVN3, VNI,
// cp1258) would garble the text without a word. Text is made NFC before it
// is cut, so that a decomposed character never hides a GIFT mark: an NFD
// "≠" is "=" and a combining stroke.
func moodleText(format Format, data []byte, lim ImportLimits) (string, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return "", invalidFile(format, fmt.Sprintf("larger than %d bytes", lim.MaxBytes))
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return moodleUTF16(format, data[2:], func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 })
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return moodleUTF16(format, data[2:], func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) })
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(data, 0) >= 0 {
		return "", invalidFile(format, "binary content, not a text file")
	}
	if !utf8.Valid(data) {
		return "", invalidFile(format, "the text is not UTF-8; save the file as UTF-8 text")
	}
	return strings.ReplaceAll(norm.NFC.String(string(data)), "\r\n", "\n"), nil
}

// moodleUTF16 decodes UTF-16 read by unit, big or little end first. An
// unpaired surrogate becomes U+FFFD rather than a refusal: the rest of the
// text is still good.
func moodleUTF16(format Format, data []byte, unit func([]byte) uint16) (string, error) {
	if len(data)%2 != 0 {
		return "", invalidFile(format, "broken UTF-16 text (odd length)")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = unit(data[2*i:])
	}
	text := string(utf16.Decode(units))
	if strings.IndexByte(text, 0) >= 0 {
		return "", invalidFile(format, "binary content, not a text file")
	}
	return strings.ReplaceAll(norm.NFC.String(text), "\r\n", "\n"), nil
}

// moodleLimits fills in the default for a limit left at zero: these
// readers never run unbounded.
func moodleLimits(lim ImportLimits) ImportLimits {
	if lim.MaxQuestions <= 0 {
		lim.MaxQuestions = DefaultImportLimits.MaxQuestions
	}
	if lim.MaxCellChars <= 0 {
		lim.MaxCellChars = DefaultImportLimits.MaxCellChars
	}
	return lim
}

// moodleTooLong reports each field of q longer than limit characters, by
// the field's name as the API spells it.
func moodleTooLong(q Question, line, limit int) []Problem {
	var problems []Problem
	check := func(field, s string) {
		if n := utf8.RuneCountInString(s); n > limit {
			problems = append(problems, Problem{Line: line, Column: field, Key: msgMoodleTooLong, Args: []any{n, limit}})
		}
	}
	check("topic", q.Topic)
	check("text", q.Text)
	for _, o := range q.Options {
		if len(problems) > 0 && problems[len(problems)-1].Column == "options" {
			break
		}
		check("options", o.Text)
	}
	check("explanation", q.Explanation)
	return problems
}
