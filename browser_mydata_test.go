package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The citizen's own data, in the browser on a phone: a prize winner signs
// in and is told of the prize with the certificate in view, on /me and on
// the contest's page; corrects their unit; reads everything kept about
// them; withdraws their consent and can no longer sign in.

// inView is a script condition: the element sel finds is shown within the
// first screen of the page, without scrolling.
func inView(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
		const r = e.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight; })()`, jsString(sel))
}

func TestBrowserCitizenOwnData(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	admin := server.admin()
	official := server.staff("official", "can-bo-trao-giai@so.gov.vn")
	roundID := server.round(admin, map[string]any{"question_count": 3})
	key := server.key(admin)
	const (
		fullName = "Trịnh Thị Oanh"
		phone    = "0966123456"
		password = "mat-khau-123"
	)
	token, _ := server.person(map[string]any{"full_name": fullName, "phone": phone, "unit": "Sở Tư pháp"})
	server.play(token, roundID, key, 3, nil)
	server.closeRound(admin, roundID)
	server.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
	var slug string
	server.sqlDB().QueryRow("SELECT c.slug FROM contests c JOIN rounds r ON r.contest_id = c.id WHERE r.id = ?", roundID).Scan(&slug)
	certificate := fmt.Sprintf(`#prizes a[href="/me/rounds/%d/certificate"]`, roundID)

	phoneTab := startBrowser(t, chromium)
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}
	signIn := func(t *testing.T, s *testServer) int64 {
		t.Helper()
		phoneTab.open(t, s.URL+"/login?next=/me")
		phoneTab.do(t, "type the phone and password",
			chromedp.SendKeys(chromedp.ID("login"), phone),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		return phoneTab.click(t, `form[action="/login"] button[type="submit"]`)
	}

	step("the winner signs in and /me tells of the prize with the certificate in view", func(t *testing.T, s *testServer) {
		if status := signIn(t, s); status != http.StatusOK {
			t.Fatalf("sign in: status %d, want 200 after the redirect", status)
		}
		if got := phoneTab.location(t); got != "/me" {
			t.Fatalf("after signing in: at %s, want /me", got)
		}
		if got := phoneTab.text(t, "#prizes h2"); got != "Chúc mừng bạn đã đoạt giải!" {
			t.Errorf("prize notice %q, want the congratulation", got)
		}
		if got, want := phoneTab.text(t, "#prizes li p"), "Bạn đạt Giải Nhất — Đợt thử, Hội thi thử nghiệm. Ban tổ chức đã chốt kết quả."; got != want {
			t.Errorf("prize line %q, want %q", got, want)
		}
		if !eval[bool](t, phoneTab, inView(certificate)) {
			t.Error("the certificate link is not in view on the phone's first screen")
		}
		phoneTab.fitsPhone(t)
	})

	step("the contest's page tells the winner too", func(t *testing.T, s *testServer) {
		phoneTab.open(t, s.URL+"/contests/"+slug)
		if got := phoneTab.text(t, "#prizes h2"); got != "Chúc mừng bạn đã đoạt giải!" {
			t.Errorf("prize notice %q on the contest page", got)
		}
		if !eval[bool](t, phoneTab, inView(certificate)) {
			t.Error("the certificate link is not in view on the contest page")
		}
		phoneTab.fitsPhone(t)
	})

	step("the citizen corrects their unit", func(t *testing.T, s *testServer) {
		phoneTab.open(t, s.URL+"/me")
		if status := phoneTab.click(t, "#me-profile"); status != http.StatusOK {
			t.Fatalf("Sửa thông tin của tôi: status %d", status)
		}
		if got := phoneTab.text(t, "h1"); got != "Sửa thông tin cá nhân" {
			t.Errorf("heading %q", got)
		}
		phoneTab.fitsPhone(t)
		if got := eval[string](t, phoneTab, `document.getElementById('unit').value`); got != "Sở Tư pháp" {
			t.Fatalf("the form shows the unit %q, want the one registered", got)
		}
		eval[bool](t, phoneTab, `(document.getElementById('unit').value = '') === ''`)
		phoneTab.do(t, "type the new unit", chromedp.SendKeys(chromedp.ID("unit"), "Sở Nội vụ"))
		if status := phoneTab.click(t, `#profile-form button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("save: status %d, want 200 after the redirect", status)
		}
		if got := phoneTab.text(t, "#profile-saved"); got != "Đã lưu thông tin của bạn." {
			t.Errorf("after saving: %q, want the saved notice", got)
		}
		phoneTab.open(t, s.URL+"/me")
		if got := eval[string](t, phoneTab, `Array.from(document.querySelectorAll('.facts dd')).map(d => d.textContent).join('|')`); !containsAll(got, "Sở Nội vụ") {
			t.Errorf("/me shows %q, want the new unit", got)
		}
	})

	step("the readable data page shows the correction and the result as locked", func(t *testing.T, s *testServer) {
		if status := phoneTab.click(t, "#me-data"); status != http.StatusOK {
			t.Fatalf("Xem toàn bộ dữ liệu của tôi: status %d", status)
		}
		account := phoneTab.text(t, `section[aria-labelledby="data-account"]`)
		results := phoneTab.text(t, `section[aria-labelledby="data-results"]`)
		if !containsAll(account, "Sở Nội vụ", "Hồ Chí Minh") || !containsAll(results, "Giải Nhất", "Sở Tư pháp", "3/3 câu") {
			t.Errorf("data page: account %q, results %q", account, results)
		}
		phoneTab.fitsPhone(t)
	})

	step("the citizen withdraws consent after the page says what it does", func(t *testing.T, s *testServer) {
		phoneTab.open(t, s.URL+"/me")
		if status := phoneTab.click(t, "#withdraw-start"); status != http.StatusOK {
			t.Fatalf("Rút lại sự đồng ý: status %d", status)
		}
		if got := phoneTab.text(t, "h1"); got != "Rút lại sự đồng ý xử lý dữ liệu cá nhân" {
			t.Errorf("heading %q", got)
		}
		phoneTab.fitsPhone(t)
		phoneTab.do(t, "type the password and tick the box",
			chromedp.SendKeys(chromedp.ID("withdraw-password"), password),
			chromedp.Click(chromedp.CSS(`#withdraw-form input[name="confirm"]`)),
		)
		if status := phoneTab.click(t, `#withdraw-form button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("withdraw: status %d, want 200", status)
		}
		if got := phoneTab.text(t, "h1"); got != "Đã rút lại sự đồng ý" {
			t.Errorf("heading %q, want the receipt", got)
		}
		if got := phoneTab.text(t, "#withdraw-receipt"); !containsAll(got, "contest-2026-02", "Đã rút lại lúc") {
			t.Errorf("receipt %q", got)
		}
		if got := phoneTab.text(t, "#nav-me"); got != "" {
			t.Errorf("still signed in as %q", got)
		}
	})

	step("and can no longer sign in", func(t *testing.T, s *testServer) {
		if status := signIn(t, s); status != http.StatusUnauthorized {
			t.Errorf("sign in after the withdrawal: status %d, want 401", status)
		}
		if got, want := phoneTab.text(t, "#form-notice"), "Số điện thoại/email hoặc mật khẩu không đúng."; got != want {
			t.Errorf("login notice %q, want %q", got, want)
		}
	})
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
