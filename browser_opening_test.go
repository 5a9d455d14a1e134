package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// A contestant waiting on the home page for a round to open sees its
// start button come at the opening, counted down, without reloading; the
// page as the server draws it holds the button hidden with the time left.
func TestBrowserStartComesAtTheOpening(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Phạm Văn Đức")
	var me struct {
		Phone string `json:"phone"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	opens := s.now().Truncate(time.Second).Add(6 * time.Second)
	round := s.round(admin, map[string]any{"opens_at": opens.UTC().Format(time.RFC3339), "prizes": []any{}})
	later := s.round(admin, map[string]any{"opens_at": s.now().Add(48 * time.Hour).UTC().Format(time.RFC3339),
		"closes_at": s.now().Add(72 * time.Hour).UTC().Format(time.RFC3339), "prizes": []any{}})

	t.Run("drawn hidden, with the time left", func(t *testing.T) {
		_, home := s.request("GET", "/", http.Header{"Authorization": {"Bearer " + token}}, "")
		for _, r := range []struct {
			id       int64
			min, max time.Duration
		}{{round, 0, 6 * time.Second}, {later, 47 * time.Hour, 48 * time.Hour}} {
			m := regexp.MustCompile(fmt.Sprintf(`<form method="post" action="/rounds/%d/start" class="opens-start" data-opens-in-ms="(\d+)" hidden>`, r.id)).FindStringSubmatch(home)
			if m == nil {
				t.Fatalf("round %d: no hidden start form on the home page", r.id)
			}
			if ms, _ := strconv.ParseInt(m[1], 10, 64); time.Duration(ms)*time.Millisecond <= r.min || time.Duration(ms)*time.Millisecond > r.max {
				t.Errorf("round %d opens in %d ms, want within (%v, %v]", r.id, ms, r.min, r.max)
			}
		}
		// Staff do not start attempts: nothing waits for them.
		if _, page := s.request("GET", "/", http.Header{"Authorization": {"Bearer " + admin}}, ""); strings.Contains(page, "opens-start") {
			t.Error("an organizer's home page waits to offer a start")
		}
	})

	b := startBrowser(t, chromium)
	b.phone(t)
	b.signIn(t, s, me.Phone, "mat-khau-123")
	b.open(t, s.URL+"/")
	sel := func(id int64, css string) string { return fmt.Sprintf("#round-%d %s", id, css) }
	visible := func(css string) string {
		return fmt.Sprintf(`(e => e !== null && e.getClientRects().length > 0)(document.querySelector(%s))`, jsString(css))
	}
	if eval[bool](t, b, visible(sel(round, "form.opens-start"))) || !eval[bool](t, b, visible(sel(round, ".opens-wait"))) {
		t.Fatal("before the opening: the start button shown, or no word of when it comes")
	}
	if wait := b.text(t, sel(round, ".opens-wait")); !strings.Contains(wait, opens.In(quiz.Vietnam).Format("15:04")) ||
		!regexp.MustCompile(`\(còn 00:0\d\)$`).MatchString(wait) {
		t.Errorf("before the opening: %q, want the opening time and the seconds left", wait)
	}
	b.waitTrue(t, "the start button at the opening", visible(sel(round, "form.opens-start button")))
	if now := s.now(); now.Before(opens) {
		t.Errorf("the start button came %v before the opening", opens.Sub(now))
	}
	if eval[bool](t, b, visible(sel(round, ".opens-wait"))) || b.text(t, sel(round, `[role="status"]`)) != "Đợt thi đã mở. Bạn có thể bấm Vào thi." {
		t.Errorf("at the opening: the wait still shown, or the opening not announced (%q)", b.text(t, sel(round, `[role="status"]`)))
	}
	if eval[bool](t, b, visible(sel(later, "form.opens-start"))) {
		t.Error("the round of the day after tomorrow offers its start too")
	}
	if status := b.click(t, sel(round, "form.opens-start button")); status != http.StatusOK || !strings.HasPrefix(b.location(t), "/attempts/") ||
		!eval[bool](t, b, `document.getElementById('quiz') !== null`) {
		t.Errorf("the start at the opening: status %d at %s, want the quiz", status, b.location(t))
	}
}
