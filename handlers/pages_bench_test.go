package handlers

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// benchResultPage is a contestant's result page of a 20-question round
// whose answers are revealed: what each contestant's browser opens at the
// end of a rush.
func benchResultPage(b testing.TB) (*pages, pageData) {
	cat, err := loadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	p, err := loadPages(cat, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	submitted := now.Add(4 * time.Minute)
	a := quiz.Attempt{ID: 1765000000123456, RoundID: 7, UserID: 9, Number: 1, StartedAt: now, Deadline: now.Add(10 * time.Minute),
		SubmittedAt: &submitted, Score: 150, Correct: 15, Total: 20}
	rev := reviewBody{AttemptID: a.ID, RoundID: 7, Number: 1, Status: statusSubmitted, Total: 20, Revealed: true}
	score, correct, d, rank := 150, 15, int64(240000), 812
	rev.Score, rev.Correct, rev.DurationMs, rev.Rank = &score, &correct, &d, &rank
	for q := range 20 {
		right := q%4 != 0
		rq := reviewQuestion{ID: 100 + int64(q), Right: &right, Chosen: []int64{1000 + int64(4*q)},
			Text:        fmt.Sprintf("Câu %d. Theo Luật Giao dịch điện tử năm 2023, người dân thực hiện thủ tục hành chính trên môi trường điện tử có quyền nào sau đây?", q+1),
			Explanation: "Khoản 1 Điều 4 Luật Giao dịch điện tử năm 2023.", Reference: "Luật Giao dịch điện tử số 20/2023/QH15"}
		for o := range 4 {
			ok := o == 0
			rq.Options = append(rq.Options, reviewOption{ID: 1000 + int64(4*q+o), Correct: &ok,
				Text: fmt.Sprintf("Phương án %c: được cơ quan có thẩm quyền tiếp nhận, giải quyết hồ sơ trực tuyến và trả kết quả", 'A'+o)})
		}
		rev.Questions = append(rev.Questions, rq)
	}
	r := roundView{Round: quiz.Round{ID: 7, Name: "Tuần 1", ContestSlug: "hoi-thi", Reveal: "after_close"}, Status: quiz.StatusOpen, Left: 1, CanStart: true}
	u := quiz.User{ID: 9, Role: quiz.RoleContestant, FullName: "Nguyễn Thị Hồng Nhung"}
	return p, pageData{L: lang{langVI, cat}, User: &u, Title: r.Name, Path: "/attempts/1765000000123456",
		Data: fiber.Map{"Review": rev, "Attempt": a, "Round": r, "Top": quiz.GuardedTop}}
}

// Drawing the page from its data, without reading it: with the answers
// revealed, and without (the review waits for the round's close).
func BenchmarkResultPage(b *testing.B) {
	for _, revealed := range []bool{true, false} {
		b.Run(fmt.Sprintf("revealed=%v", revealed), func(b *testing.B) {
			p, pd := benchResultPage(b)
			data := pd.Data.(fiber.Map)
			rev := data["Review"].(reviewBody)
			rev.Revealed = revealed
			data["Review"] = rev
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := p.sets[langVI]["result"].ExecuteTemplate(&buf, "layout.html", pd); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/page")
		})
	}
}

// The quiz page as a contestant's browser opens it after their start:
// every contestant of a rush, within its first seconds.
func BenchmarkPlayPage(b *testing.B) {
	p, pd := benchResultPage(b)
	data := pd.Data.(fiber.Map)
	a := data["Attempt"].(quiz.Attempt)
	a.SubmittedAt = nil
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		pd.Data = fiber.Map{"Attempt": a, "Round": data["Round"].(roundView).Round, "WSPath": attemptPath(a.ID),
			"Strings": playStrings(pd.L), "AckWaitMs": unsavedAfter.Milliseconds()}
		if err := p.sets[langVI]["play"].ExecuteTemplate(&buf, "layout.html", pd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
