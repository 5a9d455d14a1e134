package handlers

import (
	"html/template"
	"regexp"
	"strings"
	"testing"
)

func TestReviewListMarksAndEscapes(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	hostile := `<script>alert('x')</script> & "Điều 4" + 1` + "\x00"
	got := string(reviewList(lang{langVI, cat}, []reviewQuestion{
		{ID: 1, Text: hostile, Right: &yes, Chosen: []int64{11}, Explanation: hostile, Reference: "Luật số 20/2023/QH15",
			Options: []reviewOption{{ID: 11, Text: "Đúng <b>", Correct: &yes}, {ID: 12, Text: "Sai", Correct: &no}}},
		{ID: 2, Text: "Câu hai", Right: &no, Chosen: []int64{21},
			Options: []reviewOption{{ID: 21, Text: "Chọn nhầm", Correct: &no}, {ID: 22, Text: "Đáp án", Correct: &yes}, {ID: 23, Text: "Khác", Correct: &no}}},
		{ID: 3, Text: "Câu ba, bỏ trống", Options: []reviewOption{{ID: 31, Text: "Một"}}},
	}))

	// Every text is escaped as html/template escapes it: nothing a bank's
	// text holds becomes markup.
	var escaped strings.Builder
	if err := template.Must(template.New("").Parse(`{{.}}`)).Execute(&escaped, hostile); err != nil {
		t.Fatal(err)
	}
	if want := escaped.String(); strings.Count(got, want) != 2 || strings.Contains(got, "<script>") || strings.Contains(got, "<b>") {
		t.Errorf("texts not escaped as %q:\n%s", want, got)
	}
	for _, want := range []string{
		`<li class="review-q right">`, `<li class="review-q wrong">`,
		`<li class="is-correct is-chosen"><span lang="vi">Đúng &lt;b&gt;</span> <span class="tag">Bạn chọn</span> <span class="tag ok">Đáp án đúng</span></li>`,
		`<li><span lang="vi">Sai</span></li>`,
		`<li class="is-chosen"><span lang="vi">Chọn nhầm</span> <span class="tag">Bạn chọn</span></li>`,
		`<li class="is-correct"><span lang="vi">Đáp án</span> <span class="tag ok">Đáp án đúng</span></li>`,
		`<p class="ref">Căn cứ: <span lang="vi">Luật số 20/2023/QH15</span></p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in:\n%s", want, got)
		}
	}
	// A question left unanswered is wrong; one with no explanation or
	// reference shows neither.
	if n := strings.Count(got, `class="review-q wrong"`); n != 2 {
		t.Errorf("%d questions marked wrong, want 2:\n%s", n, got)
	}
	if n := strings.Count(got, `class="explain"`) + strings.Count(got, `class="ref"`); n != 2 {
		t.Errorf("%d explanations and references, want the first question's two", n)
	}
	if n := len(regexp.MustCompile(`<p class="verdict">[^<]+</p>`).FindAllString(got, -1)); n != 3 {
		t.Errorf("%d verdicts, want 3", n)
	}
}
