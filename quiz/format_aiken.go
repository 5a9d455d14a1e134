package quiz

import "strings"

// Message keys of the problems only the Aiken reader reports, with their
// args. Fewer than two options is field.too_few_options, as everywhere.
const (
	msgAikenNotStarted      = "import.aiken_question_not_started"  // no args
	msgAikenNotFinished     = "import.aiken_question_not_finished" // no args
	msgAikenBadAnswer       = "import.aiken_bad_answer"            // what follows ANSWER:
	msgAikenAnswerNotOption = "import.aiken_answer_not_an_option"  // the letter
	msgAikenDuplicateLetter = "import.aiken_duplicate_letter"      // the letter
)

// aikenDraft is the question being read: its text lines and options so far.
type aikenDraft struct {
	line    int
	text    []string
	options []Option
	letters []byte
	// failed is set once a problem has been reported for the question: the
	// rest of it is still read, so that its lines raise no more problems,
	// but it is not kept.
	failed bool
}

// ParseAiken reads a question bank in Moodle's Aiken format: question text
// on one or more lines, then options "A) …" or "A. …" (the space after the
// mark may be missing), then "ANSWER: X" naming the one correct option.
// Blank lines between questions are optional and ignored everywhere, as in
// Moodle. A problem names the line where Moodle finds it: the ANSWER line
// of a question with fewer than two options, an option or ANSWER line with
// no question before it, the line that starts a new question while the
// previous one waits for its ANSWER. A question still unfinished at the end
// of the file is named by its first line. Limits are those of ParseGIFT.
func ParseAiken(data []byte, lim ImportLimits) (Parsed, error) {
	text, err := moodleText(FormatAiken, data, lim)
	if err != nil {
		return Parsed{}, err
	}
	lim = moodleLimits(lim)
	var p Parsed
	problem := func(line int, key string, args ...any) {
		p.Problems = append(p.Problems, Problem{Line: line, Key: key, Args: args})
	}
	var draft *aikenDraft
	count := 0
	for i, raw := range strings.Split(text, "\n") {
		line := i + 1
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" {
			continue
		}
		if rest, isAnswer := strings.CutPrefix(trimmed, "ANSWER:"); isAnswer {
			switch {
			case draft == nil:
				problem(line, msgAikenNotStarted)
			case draft.failed:
			case len(draft.options) < 2:
				problem(line, MsgTooFewOptions)
			default:
				if q, ok := draft.finish(rest, line, lim.MaxCellChars, &p); ok {
					p.Questions = append(p.Questions, ParsedQuestion{Line: draft.line, Question: q})
				}
			}
			draft = nil
			continue
		}
		if letter, option, isOption := aikenOption(trimmed); isOption {
			switch {
			case draft == nil:
				problem(line, msgAikenNotStarted)
			case draft.failed:
			case strings.IndexByte(string(draft.letters), letter) >= 0:
				problem(line, msgAikenDuplicateLetter, string(letter))
				draft.failed = true
			default:
				draft.letters = append(draft.letters, letter)
				draft.options = append(draft.options, Option{Text: option})
			}
			continue
		}
		if draft != nil && len(draft.options) > 0 {
			if !draft.failed {
				problem(line, msgAikenNotFinished)
			}
			draft = nil
		}
		if draft == nil {
			count++
			if count > lim.MaxQuestions {
				problem(line, msgMoodleTooMany, lim.MaxQuestions)
				return p, nil
			}
			draft = &aikenDraft{line: line}
		}
		draft.text = append(draft.text, trimmed)
	}
	if draft != nil && !draft.failed {
		problem(draft.line, msgAikenNotFinished)
	}
	return p, nil
}

// finish makes the question once its ANSWER line is read, or reports why
// it cannot be made.
func (d *aikenDraft) finish(answer string, line, maxChars int, p *Parsed) (Question, bool) {
	letter, ok := aikenAnswerLetter(answer)
	if !ok {
		p.Problems = append(p.Problems, Problem{Line: line, Key: msgAikenBadAnswer, Args: []any{giftShort(strings.TrimSpace(answer))}})
		return Question{}, false
	}
	at := strings.IndexByte(string(d.letters), letter)
	if at < 0 {
		p.Problems = append(p.Problems, Problem{Line: line, Key: msgAikenAnswerNotOption, Args: []any{string(letter)}})
		return Question{}, false
	}
	q := Question{Text: CleanText(strings.Join(d.text, "\n")), Options: d.options}
	for i := range q.Options {
		q.Options[i].Text = CleanText(q.Options[i].Text)
		q.Options[i].Correct = i == at
	}
	if long := moodleTooLong(q, d.line, maxChars); len(long) > 0 {
		p.Problems = append(p.Problems, long...)
		return Question{}, false
	}
	return q, true
}

// aikenOption reads an option line: a capital letter, ")" or ".", and the
// option's text, with or without a space between.
func aikenOption(line string) (letter byte, text string, ok bool) {
	if len(line) < 2 || line[0] < 'A' || line[0] > 'Z' || (line[1] != ')' && line[1] != '.') {
		return 0, "", false
	}
	return line[0], strings.TrimSpace(line[2:]), true
}

// aikenAnswerLetter reads what follows "ANSWER:": one letter, in either
// case, perhaps written "B)" or "B." like the option it names.
func aikenAnswerLetter(answer string) (byte, bool) {
	s := strings.TrimSpace(answer)
	s = strings.TrimRight(s, ").")
	if len(s) != 1 {
		return 0, false
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c, c >= 'A' && c <= 'Z'
}
