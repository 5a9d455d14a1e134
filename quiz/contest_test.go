package quiz

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func validRound() Round {
	opens := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	return Round{Name: "Tuần 1", BankID: 1, OpensAt: opens, ClosesAt: opens.Add(7 * 24 * time.Hour),
		DurationSeconds: 600, QuestionCount: 10, TopicQuotas: map[string]int{"A": 3},
		MaxAttempts: 2, PredictionPrompt: "Bao nhiêu người đúng hết?", PredictionTarget: TargetPerfectScorers,
		Reveal: RevealAfterClose, Prizes: []Prize{{"Giải Nhất", 1}}}
}

func TestRoundNormalize(t *testing.T) {
	topics := map[string]int{"A": 5, "B": 10}
	tests := []struct {
		name   string
		change func(*Round)
		field  string
		key    string
	}{
		{"accepts a valid round", func(*Round) {}, "", ""},
		{"requires a name", func(r *Round) { r.Name = " " }, "name", MsgRequired},
		{"closes after it opens", func(r *Round) { r.ClosesAt = r.OpensAt }, "closes_at", MsgClosesBeforeOpens},
		{"duration at least a second", func(r *Round) { r.DurationSeconds = 0 }, "duration_seconds", MsgRangeDuration},
		{"no more questions than the bank", func(r *Round) { r.QuestionCount = 16 }, "question_count", MsgNotEnoughInBank},
		{"quota topic must exist", func(r *Round) { r.TopicQuotas = map[string]int{"Z": 1} }, "topic_quotas", MsgUnknownTopic},
		{"quota within its topic", func(r *Round) { r.TopicQuotas = map[string]int{"A": 6} }, "topic_quotas", MsgNotEnoughInBank},
		{"quotas within the count", func(r *Round) { r.TopicQuotas = map[string]int{"A": 5, "B": 6} }, "topic_quotas", MsgQuotaOverCount},
		{"a target needs a prompt", func(r *Round) { r.PredictionPrompt = "" }, "prediction_prompt", MsgRequired},
		{"a prompt needs a known target", func(r *Round) { r.PredictionTarget = "winners" }, "prediction_target", MsgTargetInvalid},
		{"an unknown target is named even without a prompt", func(r *Round) { r.PredictionTarget, r.PredictionPrompt = "winners", "" }, "prediction_target", MsgTargetInvalid},
		{"a prompt needs a target", func(r *Round) { r.PredictionTarget = "" }, "prediction_target", MsgTargetRequired},
		{"reveal from the list", func(r *Round) { r.Reveal = "later" }, "reveal", MsgRevealInvalid},
		{"a prize round keeps its answers until the close", func(r *Round) { r.Reveal = RevealAfterSubmit }, "reveal", MsgRevealPrizes},
		{"a practice round may reveal after each submit", func(r *Round) { r.Reveal, r.Prizes = RevealAfterSubmit, nil }, "", ""},
		{"prize counts are positive", func(r *Round) { r.Prizes = []Prize{{"Giải Nhất", 0}} }, "prizes", MsgRangePrizes},
		{"max attempts not negative", func(r *Round) { r.MaxAttempts = -1 }, "max_attempts", MsgRangeMaxAttempts},
		{"at most 500 questions an attempt", func(r *Round) { r.QuestionCount = 501 }, "question_count", MsgRangeQuestionCount},
		{"at most 20 prize tiers", func(r *Round) {
			r.Prizes = nil
			for i := range 21 {
				r.Prizes = append(r.Prizes, Prize{fmt.Sprintf("Giải %d", i+1), 1})
			}
		}, "prizes", MsgRangePrizes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRound()
			tt.change(&r)
			_, err := r.normalize(topics, true)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			qe, ok := err.(*Error)
			if !ok || qe.Fields[tt.field] != tt.key {
				t.Errorf("got %v, want %s: %s", err, tt.field, tt.key)
			}
		})
	}
	if _, err := validRound().normalize(nil, false); err == nil || err.(*Error).Fields["bank_id"] != MsgBankNotFound {
		t.Errorf("a missing bank gave %v", err)
	}
}

func TestRoundRevealDefaults(t *testing.T) {
	prize := validRound()
	prize.Reveal = ""
	got, err := prize.normalize(map[string]int{"A": 5, "B": 10}, true)
	if err != nil || got.Reveal != RevealAfterClose {
		t.Errorf("a prize round without a policy: %q, %v; want after_close", got.Reveal, err)
	}
	practice := validRound()
	practice.Reveal, practice.Prizes = "", nil
	got, err = practice.normalize(map[string]int{"A": 5, "B": 10}, true)
	if err != nil || got.Reveal != RevealAfterSubmit {
		t.Errorf("a practice round without a policy: %q, %v; want after_submit", got.Reveal, err)
	}
}

// A prize round stored with after_submit (made before the rule, or written
// to the database by hand) still shows nothing before its close.
func TestPrizeRoundRevealsOnlyAfterClose(t *testing.T) {
	r := validRound()
	r.Reveal = RevealAfterSubmit
	before, after := r.ClosesAt.Add(-time.Minute), r.ClosesAt
	if r.RevealsAt(true, before) {
		t.Error("a prize round revealed a submitted attempt before its close")
	}
	if !r.RevealsAt(true, after) {
		t.Error("a prize round did not reveal a submitted attempt after its close")
	}
	r.Prizes = nil
	if !r.RevealsAt(true, before) || r.RevealsAt(false, before) {
		t.Error("a practice round with after_submit should reveal submitted attempts, and only those, at once")
	}
}

func TestRoundStatus(t *testing.T) {
	r := validRound()
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{r.OpensAt.Add(-time.Millisecond), StatusUpcoming},
		{r.OpensAt, StatusOpen},
		{r.ClosesAt.Add(-time.Millisecond), StatusOpen},
		{r.ClosesAt, StatusClosed},
	} {
		if got := r.Status(tt.at); got != tt.want {
			t.Errorf("Status(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
	locked := r.ClosesAt
	r.LockedAt = &locked
	if got := r.Status(r.ClosesAt.Add(time.Hour)); got != StatusLocked {
		t.Errorf("locked round status %s", got)
	}
}

func TestQuestionNormalize(t *testing.T) {
	q := Question{Topic: norm.NFD.String(" Dữ liệu "), Text: norm.NFD.String("Luật số mấy?  "),
		Options: []Option{{Text: "91/2025/QH15", Correct: true}, {Text: " 19/2025/QH15 "}}}
	got, err := q.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != "Dữ liệu" || got.Text != "Luật số mấy?" || got.Options[1].Text != "19/2025/QH15" {
		t.Errorf("got %+v", got)
	}
	bad := []struct {
		name string
		q    Question
		key  string
	}{
		{"one option", Question{Text: "?", Options: []Option{{Text: "a", Correct: true}}}, MsgTooFewOptions},
		{"no correct option", Question{Text: "?", Options: []Option{{Text: "a"}, {Text: "b"}}}, MsgNoCorrect},
		{"the same option twice once normalized", Question{Text: "?", Options: []Option{{Text: "Đúng", Correct: true}, {Text: norm.NFD.String("Đúng ")}}}, MsgDuplicateOption},
	}
	for _, tt := range bad {
		_, err := tt.q.Normalize()
		if qe, ok := err.(*Error); !ok || qe.Fields["options"] != tt.key {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.key)
		}
	}
}
