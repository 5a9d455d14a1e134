package data_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"hoithi/data"
	"hoithi/quiz"
)

// The demo contest teaches the law to citizens, so its bank is held to the
// rules below mechanically: a later edit that brings back a replaced decree,
// a stem that will date, an unnamed source or a guessable answer fails here.

// directiveName is how the bank names the provincial directive the demo
// contest comes from. The directive has no number the bank could cite, so
// it is named by its issuer and subject, the same way everywhere.
const directiveName = "Chỉ đạo của Ủy ban nhân dân tỉnh về tuyên truyền thực hiện thủ tục hành chính trên môi trường điện tử"

// citedWhole are the texts the bank cites without an article: their article
// numbers were not checked against the text, and a guessed one is worse than
// none.
var citedWhole = []string{"118/2025/NĐ-CP", "367/2025/NĐ-CP"}

var (
	numberedText = regexp.MustCompile(`\d+/\d{4}/(QH\d+|NĐ-CP)`)
	article      = regexp.MustCompile(`Điều \d+`)
	// replacedAsCurrent are the texts and terms that were replaced: the
	// 2018 one-stop decree, the 2020 decree on procedures done
	// electronically, and the levels 3 and 4 of online services.
	replacedAsCurrent = regexp.MustCompile(`61/2018|45/2020|[Mm]ức độ [34]\b`)
	saysReplaced      = regexp.MustCompile(`thay thế|hết hiệu lực`)
	// badCitation catches "điều 5", "Khoản 3", "Điểm a": Vietnamese
	// citations write "Điều", "khoản", "điểm".
	spaceBeforePunctuation = regexp.MustCompile(` [,.;:?!)]`)
	badCitation            = regexp.MustCompile(`(^|[^\pL])(điều \d|Khoản \d|Điểm [a-zđ]([^\pL]|$))`)
)

// bankRule is one rule of the demo bank: the problems it finds, one line each.
type bankRule struct {
	name  string
	check func(items []quiz.BankFileItem) []string
}

var bankRules = []bankRule{
	{"has at least 60 questions", func(items []quiz.BankFileItem) []string {
		if len(items) < 60 {
			return []string{fmt.Sprintf("%d questions, want at least 60", len(items))}
		}
		return nil
	}},
	{"explains every answer on one line and cites a numbered text and its article, or the directive by name", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			if strings.TrimSpace(q.Explanation) == "" || strings.ContainsAny(q.Explanation, "\r\n") {
				out = append(out, fmt.Sprintf("question %d: explanation %q, want one non-empty line", i+1, q.Explanation))
			}
			if strings.HasPrefix(q.Reference, directiveName) {
				continue
			}
			texts := numberedText.FindAllString(q.Reference, -1)
			whole := len(texts) > 0
			for _, t := range texts {
				whole = whole && slices.Contains(citedWhole, t)
			}
			if len(texts) == 0 || !article.MatchString(q.Reference) && !whole {
				out = append(out, fmt.Sprintf("question %d: reference %q names no numbered text with its article", i+1, q.Reference))
			}
		}
		return out
	}},
	{"fixes the date instead of saying hiện nay", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			lower := strings.ToLower(q.Text)
			if (strings.Contains(lower, "hiện nay") || strings.Contains(lower, "hiện hành")) && !strings.Contains(q.Text, "Tính đến ngày") {
				out = append(out, fmt.Sprintf("question %d: %q will date; fix it with \"Tính đến ngày …\"", i+1, q.Text))
			}
		}
		return out
	}},
	{"spells out thủ tục hành chính", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			for _, s := range append([]string{q.Text}, optionTexts(q)...) {
				if strings.Contains(s, "TTHC") {
					out = append(out, fmt.Sprintf("question %d: %q abbreviates thủ tục hành chính", i+1, s))
				}
			}
		}
		return out
	}},
	{"names its sources instead of an unnamed văn bản chỉ đạo", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			all := strings.Join(append([]string{q.Text, q.Explanation, q.Reference}, optionTexts(q)...), "\n")
			if strings.Contains(strings.ToLower(all), "văn bản chỉ đạo") {
				out = append(out, fmt.Sprintf("question %d: cites an unnamed văn bản chỉ đạo", i+1))
			}
		}
		return out
	}},
	{"leaves the several-answers hint to the page", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			lower := strings.ToLower(q.Text)
			for _, hint := range []string{"chọn tất cả", "chọn các đáp án", "chọn nhiều đáp án"} {
				if strings.Contains(lower, hint) {
					out = append(out, fmt.Sprintf("question %d: %q repeats the hint %q", i+1, q.Text, hint))
				}
			}
		}
		return out
	}},
	{"teaches replaced decrees and levels only as history", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			if saysReplaced.MatchString(q.Text) {
				continue
			}
			current := []string{q.Text}
			for _, o := range q.Options {
				if o.Correct {
					current = append(current, o.Text)
				}
			}
			for _, s := range current {
				if m := replacedAsCurrent.FindString(s); m != "" {
					out = append(out, fmt.Sprintf("question %d: %q presents %q as current", i+1, s, m))
				}
			}
		}
		return out
	}},
	{"puts the right answer where it cannot be guessed", func(items []quiz.BankFileItem) []string {
		// Positions of the right option among single-answer questions of
		// four options, in file order.
		var positions []int
		for _, q := range items {
			if len(q.Options) != 4 {
				continue
			}
			right := -1
			for j, o := range q.Options {
				if o.Correct {
					if right >= 0 {
						right = -2
						break
					}
					right = j
				}
			}
			if right >= 0 {
				positions = append(positions, right)
			}
		}
		if len(positions) < 8 {
			return []string{fmt.Sprintf("%d single-answer questions of four options, too few to judge", len(positions))}
		}
		var out []string
		count := [4]int{}
		for _, p := range positions {
			count[p]++
		}
		for p, n := range count {
			if n == 0 || n*10 > len(positions)*4 {
				out = append(out, fmt.Sprintf("option %d is right in %d of %d questions, want each position used and none above 40%%",
					p+1, n, len(positions)))
			}
		}
		// The position following a given one is guessable when the same
		// next position keeps coming back: a cycle A, D, C, B … is as
		// easy to game as "always A".
		next := map[int]map[int]int{}
		for j := 1; j < len(positions); j++ {
			if next[positions[j-1]] == nil {
				next[positions[j-1]] = map[int]int{}
			}
			next[positions[j-1]][positions[j]]++
		}
		guessed := 0
		for _, after := range next {
			most := 0
			for _, n := range after {
				most = max(most, n)
			}
			guessed += most
		}
		if pairs := len(positions) - 1; guessed*2 > pairs {
			out = append(out, fmt.Sprintf("the previous question's right option predicts the next one's in %d of %d pairs, want at most half",
				guessed, pairs))
		}
		return out
	}},
	{"writes Vietnamese as it is typeset", func(items []quiz.BankFileItem) []string {
		var out []string
		for i, q := range items {
			fields := append([]string{q.Topic, q.Text, q.Explanation, q.Reference}, optionTexts(q)...)
			for _, s := range fields {
				switch {
				case !norm.NFC.IsNormalString(s):
					out = append(out, fmt.Sprintf("question %d: %q is not NFC", i+1, s))
				case s != strings.TrimSpace(s) || strings.Contains(s, "  "):
					out = append(out, fmt.Sprintf("question %d: %q has stray spaces", i+1, s))
				case spaceBeforePunctuation.MatchString(s):
					out = append(out, fmt.Sprintf("question %d: %q has a space before punctuation", i+1, s))
				}
			}
			if badCitation.MatchString(q.Reference) {
				out = append(out, fmt.Sprintf("question %d: reference %q: write \"Điều\", \"khoản\", \"điểm\"", i+1, q.Reference))
			}
		}
		return out
	}},
}

func optionTexts(q quiz.BankFileItem) []string {
	out := make([]string, len(q.Options))
	for i, o := range q.Options {
		out[i] = o.Text
	}
	return out
}

func TestDemoBankTeachesTodaysLaw(t *testing.T) {
	bf, _, err := data.DemoBank()
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range bankRules {
		t.Run(rule.name, func(t *testing.T) {
			for _, p := range rule.check(bf.Questions) {
				t.Error(p)
			}
		})
	}
}

// Each rule must bite: a copy of the demo bank broken the way a rule
// forbids is rejected by that rule.
func TestDemoBankRulesCatchWhatTheyForbid(t *testing.T) {
	bf, _, err := data.DemoBank()
	if err != nil {
		t.Fatal(err)
	}
	// moveRight puts the right option of every single-answer question at
	// the position place gives for its rank among them.
	moveRight := func(items []quiz.BankFileItem, place func(rank int) int) []quiz.BankFileItem {
		rank := 0
		for _, q := range items {
			right := slices.IndexFunc(q.Options, func(o quiz.BankFileOption) bool { return o.Correct })
			if len(q.Options) != 4 || slices.IndexFunc(q.Options[right+1:], func(o quiz.BankFileOption) bool { return o.Correct }) >= 0 {
				continue
			}
			to := place(rank)
			q.Options[right], q.Options[to] = q.Options[to], q.Options[right]
			rank++
		}
		return items
	}
	breaks := []struct {
		rule, how string
		edit      func(items []quiz.BankFileItem) []quiz.BankFileItem
	}{
		{"has at least 60 questions", "59 questions", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			return items[:59]
		}},
		{"explains every answer on one line and cites a numbered text and its article, or the directive by name",
			"an explanation on two lines", func(items []quiz.BankFileItem) []quiz.BankFileItem {
				items[3].Explanation = "Dòng một.\nDòng hai."
				return items
			}},
		{"explains every answer on one line and cites a numbered text and its article, or the directive by name",
			"a law cited without its article", func(items []quiz.BankFileItem) []quiz.BankFileItem {
				items[5].Reference = "Luật Giao dịch điện tử số 20/2023/QH15"
				return items
			}},
		{"explains every answer on one line and cites a numbered text and its article, or the directive by name",
			"the directive cited without its name", func(items []quiz.BankFileItem) []quiz.BankFileItem {
				items[6].Reference = "Chỉ đạo của tỉnh"
				return items
			}},
		{"fixes the date instead of saying hiện nay", "a stem saying hiện nay", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[7].Text = "Luật Giao dịch điện tử đang có hiệu lực hiện nay mang số hiệu nào?"
			return items
		}},
		{"spells out thủ tục hành chính", "an option saying TTHC", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[9].Options[1].Text = "Nộp hồ sơ TTHC trực tiếp"
			return items
		}},
		{"names its sources instead of an unnamed văn bản chỉ đạo", "a reference to a văn bản chỉ đạo", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[11].Reference = "Văn bản chỉ đạo của UBND tỉnh; Luật Giao dịch điện tử số 20/2023/QH15, Điều 8"
			return items
		}},
		{"leaves the several-answers hint to the page", "a stem with the hint", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[13].Text += " Chọn tất cả các đáp án đúng."
			return items
		}},
		{"teaches replaced decrees and levels only as history", "the 2018 decree as the right answer", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[0].Text = "Nghị định nào quy định cơ chế một cửa, một cửa liên thông?"
			items[0].Options = []quiz.BankFileOption{{Text: "Nghị định số 61/2018/NĐ-CP", Correct: true}, {Text: "Nghị định số 69/2024/NĐ-CP"}}
			return items
		}},
		{"teaches replaced decrees and levels only as history", "levels 3 and 4 in a stem", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[2].Text = "Người dân nên dùng dịch vụ công trực tuyến mức độ 3, 4 để làm gì?"
			return items
		}},
		{"puts the right answer where it cannot be guessed", "the right answer always first", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			return moveRight(items, func(int) int { return 0 })
		}},
		{"puts the right answer where it cannot be guessed", "the right answer cycling A, D, C, B", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			return moveRight(items, func(rank int) int { return []int{0, 3, 2, 1}[rank%4] })
		}},
		{"writes Vietnamese as it is typeset", "a lower-case điều", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[15].Reference = "Luật Giao dịch điện tử số 20/2023/QH15, điều 8"
			return items
		}},
		{"writes Vietnamese as it is typeset", "a double space", func(items []quiz.BankFileItem) []quiz.BankFileItem {
			items[16].Text = strings.Replace(items[16].Text, " ", "  ", 1)
			return items
		}},
	}
	for _, rule := range bankRules {
		t.Run(rule.name, func(t *testing.T) {
			tried := 0
			for _, b := range breaks {
				if b.rule != rule.name {
					continue
				}
				tried++
				items := make([]quiz.BankFileItem, len(bf.Questions))
				for i, q := range bf.Questions {
					q.Options = slices.Clone(q.Options)
					items[i] = q
				}
				if problems := rule.check(b.edit(items)); len(problems) == 0 {
					t.Errorf("finds nothing wrong with %s", b.how)
				}
			}
			if tried == 0 {
				t.Error("no broken bank tries this rule")
			}
		})
	}
}
