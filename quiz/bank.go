package quiz

import (
	"time"
	"unicode/utf8"
)

// Bank is a named set of questions that rounds draw from.
type Bank struct {
	ID            int64
	Name          string
	Description   string
	QuestionCount int // questions in use, retired ones left out
	CreatedAt     time.Time
}

// Question is a choice question: one or several options are correct.
type Question struct {
	ID          int64
	BankID      int64
	Topic       string
	Text        string
	Options     []Option
	Explanation string
	Reference   string
	Difficulty  string // as the organizer wrote it ("dễ", "khó", "2"…); not used in drawing
	Retired     bool
}

// Option is one answer a contestant can choose.
type Option struct {
	ID      int64
	Text    string
	Correct bool
}

// Multiple reports whether more than one option is correct, in which case
// the contestant must choose every correct option and no other.
func (q Question) Multiple() bool {
	n := 0
	for _, o := range q.Options {
		if o.Correct {
			n++
		}
	}
	return n > 1
}

// Limits on a question, in characters.
const (
	MaxOptions        = 10
	maxTopicLen       = 100
	maxQuestionLen    = 2000
	maxOptionLen      = 500
	maxExplanationLen = 4000
	maxReferenceLen   = 500
)

// Message keys for question problems.
const (
	MsgTooFewOptions   = "field.too_few_options"
	MsgTooManyOptions  = "field.too_many_options"
	MsgNoCorrect       = "field.no_correct_option"
	MsgDuplicateOption = "field.duplicate_option"
)

// Normalize cleans every text of q (NFC, trimmed) and reports what makes it
// unusable in a contest.
func (q Question) Normalize() (Question, error) {
	bad := FieldErrors{}
	q.Topic = Clean(q.Topic)
	q.Text = CleanText(q.Text)
	q.Explanation = CleanText(q.Explanation)
	q.Reference = Clean(q.Reference)
	q.Difficulty = Clean(q.Difficulty)
	checkLen(bad, "topic", q.Topic, maxTopicLen)
	checkLen(bad, "difficulty", q.Difficulty, 50)
	if q.Text == "" {
		bad.Add("text", MsgRequired)
	}
	checkLen(bad, "text", q.Text, maxQuestionLen)
	checkLen(bad, "explanation", q.Explanation, maxExplanationLen)
	checkLen(bad, "reference", q.Reference, maxReferenceLen)

	options := make([]Option, 0, len(q.Options))
	seen := map[string]bool{}
	correct := 0
	for _, o := range q.Options {
		o.Text = CleanText(o.Text)
		if o.Text == "" {
			bad.Add("options", MsgRequired)
			continue
		}
		if utf8.RuneCountInString(o.Text) > maxOptionLen {
			bad.Add("options", MsgTooLong)
		}
		if seen[o.Text] {
			bad.Add("options", MsgDuplicateOption)
		}
		seen[o.Text] = true
		if o.Correct {
			correct++
		}
		options = append(options, o)
	}
	q.Options = options
	switch {
	case len(options) < 2:
		bad.Add("options", MsgTooFewOptions)
	case len(options) > MaxOptions:
		bad.Add("options", MsgTooManyOptions)
	case correct == 0:
		bad.Add("options", MsgNoCorrect)
	}
	return q, bad.Err()
}

func checkLen(bad FieldErrors, field, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		bad.Add(field, MsgTooLong)
	}
}
