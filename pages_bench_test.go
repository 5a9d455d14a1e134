package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A contestant's quiz page and result page through the whole server, as
// the browser asks for them: signed in, a round of 20 questions.
func BenchmarkAttemptPages(b *testing.B) {
	s := startServer(b, map[string]string{"HOITHI_RATE_LIMIT": "0"})
	admin := s.admin()
	for _, reveal := range []string{"after_close", "after_submit"} {
		fields := map[string]any{"question_count": 20, "max_attempts": 1, "reveal": reveal}
		if reveal == "after_submit" {
			fields["prizes"] = []map[string]any{} // a practice round shows its answers at the submit
		}
		round := s.round(admin, fields)
		token, _ := s.contestant("Nguyễn Thị Hồng Nhung")
		id := s.start(token, round)
		page := fmt.Sprintf("/attempts/%d", id)
		header := http.Header{"Authorization": {"Bearer " + token}}
		get := func(b *testing.B, want string) {
			for b.Loop() {
				resp, body := s.request("GET", page, header, "")
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
					b.Fatalf("GET %s: %d, no %s", page, resp.StatusCode, want)
				}
			}
		}
		if reveal == "after_close" {
			b.Run("quiz", func(b *testing.B) { get(b, `id="quiz"`) })
		}
		ws := s.dial(fmt.Sprintf("/ws/attempts/%d", id), token)
		ws.state()
		ws.send(map[string]any{"type": "submit", "seq": 1})
		ws.expect("result")
		ws.Close()
		want := `id="result-summary"`
		if reveal == "after_submit" {
			want = `class="review-q`
		}
		b.Run("result/"+reveal, func(b *testing.B) { get(b, want) })
	}
}
