package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The result page offers a new start while the round leaves one, and
// not once the contestant's last allowed attempt is in.
func TestResultPageOffersAnotherAttemptWhileOneIsLeft(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Trần Văn Bình")
	play := func(round int64) int64 {
		id := s.start(token, round)
		ws := s.dial(fmt.Sprintf("/ws/attempts/%d", id), token)
		ws.state()
		ws.send(map[string]any{"type": "submit", "seq": 1})
		ws.expect("result")
		ws.Close()
		return id
	}
	offers := func(attempt, round int64) bool {
		t.Helper()
		resp, body := s.request("GET", fmt.Sprintf("/attempts/%d", attempt), http.Header{"Authorization": {"Bearer " + token}}, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="result-summary"`) {
			t.Fatalf("result page of %d: %d\n%s", attempt, resp.StatusCode, body)
		}
		return strings.Contains(body, fmt.Sprintf(`action="/rounds/%d/start"`, round))
	}

	two := s.round(admin, map[string]any{"max_attempts": 2})
	first := play(two)
	if !offers(first, two) {
		t.Error("the first of two attempts: no new start offered")
	}
	second := play(two)
	for _, a := range []int64{first, second} {
		if offers(a, two) {
			t.Errorf("attempt %d, both attempts used: a new start offered", a)
		}
	}
	unlimited := s.round(admin, map[string]any{"max_attempts": 0})
	if a := play(unlimited); !offers(a, unlimited) {
		t.Error("a round with no limit: no new start offered")
	}
}
