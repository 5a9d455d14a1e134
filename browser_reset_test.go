package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The password browser tests drive Chromium through a forgotten password,
// as it is mended at a provincial office: the citizen calls, an organizer
// finds the account by the phone number, checks the person, issues a link
// and sends it; the citizen opens it on the phone and sets a new password.
// And through an installation's first morning: the admin signs in with the
// password printed on the console and must choose their own first.

func TestBrowserPasswordReset(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	server.staff("organizer", "to-chuc@so.gov.vn")
	const (
		name     = "Phan Thị Lan"
		phone    = "0911222333"
		password = "mat-khau-moi-cua-lan"
	)
	server.person(map[string]any{"full_name": name, "phone": phone, "id_number": "038185004567", "birth_date": "1985-11-30"})
	b := startBrowser(t, chromium)
	var link string
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}

	step("the organizer signs in and the header leads to the account help page", func(t *testing.T, s *testServer) {
		b.desktop(t)
		b.open(t, s.URL+"/login")
		b.do(t, "sign in", chromedp.SendKeys(chromedp.ID("login"), "to-chuc@so.gov.vn"),
			chromedp.SendKeys(chromedp.ID("password"), staffPassword))
		if status := b.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("sign in: %d", status)
		}
		if status := b.click(t, "#nav-accounts"); status != http.StatusOK || b.location(t) != "/organize/accounts" {
			t.Fatalf("Tài khoản: %d at %s", status, b.location(t))
		}
		b.fitsDesktop(t)
	})

	step("the organizer finds the caller by phone and sees what to check", func(t *testing.T, s *testServer) {
		b.do(t, "type the phone", chromedp.SendKeys(chromedp.ID("find-login"), "0911 222 333"))
		if status := b.click(t, `form[role="search"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("search: %d", status)
		}
		if got := b.text(t, "#found h3"); got != name {
			t.Fatalf("found %q, want %q", got, name)
		}
		facts := b.text(t, "#found dl")
		for _, want := range []string{"1985", "…567", "Sở Tư pháp"} {
			if !strings.Contains(facts, want) {
				t.Errorf("the facts %q lack %q", facts, want)
			}
		}
		if strings.Contains(facts, "038185004567") || strings.Contains(facts, "30/11/1985") {
			t.Errorf("the facts show the ID number or the birth date: %q", facts)
		}
	})

	step("after the call, the organizer ticks the check and gets the link, shown once", func(t *testing.T, s *testServer) {
		b.do(t, "tick the check", chromedp.Click(chromedp.CSS(`#issue-form input[name="verified"]`)))
		if status := b.click(t, `#issue-form button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("issue: %d", status)
		}
		link = eval[string](t, b, `document.getElementById('reset-url').value`)
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(s.URL) + `/reset/[A-Za-z0-9_-]{43}$`).MatchString(link) {
			t.Fatalf("link %q", link)
		}
		if got := b.text(t, "#link-title"); !strings.Contains(got, name) {
			t.Errorf("the link is for %q, want %s", got, name)
		}
		b.fitsDesktop(t)
		b.phone(t)
		b.fitsPhone(t)
		if status := b.click(t, `form[action="/logout"] button`); status != http.StatusOK {
			t.Fatalf("sign out: %d", status)
		}
	})

	step("the citizen who forgot finds from the login page what to do", func(t *testing.T, s *testServer) {
		b.open(t, s.URL+"/login")
		if status := b.click(t, "#forgot-link"); status != http.StatusOK {
			t.Fatalf("Quên mật khẩu?: %d", status)
		}
		if got := b.text(t, "#forgot-call"); !strings.Contains(got, "gọi điện cho ban tổ chức") {
			t.Errorf("the page says %q", got)
		}
		b.fitsPhone(t)
	})

	step("the citizen opens the link on a phone and is asked for the new password twice", func(t *testing.T, s *testServer) {
		if status := b.open(t, link); status != http.StatusOK {
			t.Fatalf("open the link: %d", status)
		}
		if got := b.text(t, "h1"); got != "Đặt mật khẩu mới" {
			t.Errorf("title %q", got)
		}
		if got := b.text(t, "main"); !strings.Contains(got, name) {
			t.Errorf("the page does not name the account: %q", got)
		}
		b.fitsPhone(t)
		b.do(t, "type two different passwords", chromedp.SendKeys(chromedp.ID("new-password"), password),
			chromedp.SendKeys(chromedp.ID("new-password-confirm"), password+"x"))
		if status := b.click(t, `#reset-form button[type="submit"]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("two different passwords: %d, want 422", status)
		}
		if got := b.text(t, "#new-password-confirm-error"); got != "Hai lần nhập mật khẩu mới không khớp nhau." {
			t.Errorf("error %q", got)
		}
	})

	step("the new password is set and the citizen signs in with it", func(t *testing.T, s *testServer) {
		b.do(t, "type the password twice", chromedp.SendKeys(chromedp.ID("new-password"), password),
			chromedp.SendKeys(chromedp.ID("new-password-confirm"), password))
		if status := b.click(t, `#reset-form button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("reset: %d", status)
		}
		if got := b.text(t, "#reset-done"); !strings.HasPrefix(got, "Đã đặt mật khẩu mới.") {
			t.Errorf("notice %q", got)
		}
		b.fitsPhone(t)
		if status := b.click(t, "#reset-login"); status != http.StatusOK {
			t.Fatalf("to the login page: %d", status)
		}
		b.do(t, "sign in", chromedp.SendKeys(chromedp.ID("login"), phone), chromedp.SendKeys(chromedp.ID("password"), password))
		if status := b.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("sign in: %d", status)
		}
		if got := b.text(t, "#nav-me"); got != name {
			t.Errorf("signed in as %q, want %q", got, name)
		}
	})

	step("the link, once used, says so in words", func(t *testing.T, s *testServer) {
		if status := b.open(t, link); status != http.StatusGone {
			t.Fatalf("the used link: %d, want 410", status)
		}
		if got := b.text(t, "#reset-problem"); !strings.Contains(got, "đã được dùng") {
			t.Errorf("problem %q", got)
		}
	})

	step("no page reported a script or loading error but the refusals asked for", func(t *testing.T, s *testServer) {
		for _, e := range b.errors.all() {
			// The two passwords that differ answer 422, the used link 410.
			if strings.HasPrefix(e, "network error") && strings.HasSuffix(e, "("+link+")") &&
				(strings.Contains(e, "status of 422") || strings.Contains(e, "status of 410")) {
				continue
			}
			t.Errorf("the browser reported %s, want no error", e)
		}
	})
}

func TestBrowserFirstSignInChangesThePassword(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, map[string]string{"HOITHI_ADMIN_EMAIL": "", "HOITHI_ADMIN_PASSWORD": ""})
	m := regexp.MustCompile(`First admin account: (\S+)  password: (\S+)`).FindStringSubmatch(server.stdout.String())
	if m == nil {
		t.Fatalf("no printed password:\n%s", server.stdout.String())
	}
	email, printed := m[1], m[2]
	const chosen = "mat-khau-cua-quan-tri"
	b := startBrowser(t, chromium)
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}

	step("the admin signs in with the printed password and is asked for one of their own", func(t *testing.T, s *testServer) {
		b.open(t, s.URL+"/login")
		b.do(t, "sign in", chromedp.SendKeys(chromedp.ID("login"), email), chromedp.SendKeys(chromedp.ID("password"), printed))
		if status := b.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("sign in: %d", status)
		}
		if got := b.location(t); got != "/me/password" {
			t.Fatalf("after signing in: at %s, want /me/password", got)
		}
		if got := b.text(t, "h1"); got != "Chọn mật khẩu của riêng bạn" {
			t.Errorf("title %q", got)
		}
		b.fitsPhone(t)
	})

	step("every other page leads back to the form", func(t *testing.T, s *testServer) {
		for _, path := range []string{"/organize", "/admin/users", "/me"} {
			if status := b.open(t, s.URL+path); status != http.StatusOK || b.location(t) != "/me/password" {
				t.Errorf("%s: %d at %s, want the password form", path, status, b.location(t))
			}
		}
	})

	step("the admin chooses a password and goes on to the staff accounts", func(t *testing.T, s *testServer) {
		b.do(t, "change the password", chromedp.SendKeys(chromedp.ID("current-password"), printed),
			chromedp.SendKeys(chromedp.ID("new-password"), chosen), chromedp.SendKeys(chromedp.ID("new-password-confirm"), chosen))
		if status := b.click(t, `#password-form button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("change: %d", status)
		}
		if got := b.text(t, "#password-changed"); got == "" {
			t.Error("no word that the password changed")
		}
		if status := b.click(t, "#nav-accounts"); status != http.StatusOK || b.location(t) != "/admin/users" {
			t.Fatalf("Tài khoản: %d at %s", status, b.location(t))
		}
		b.fitsPhone(t)
	})

	step("the admin gives their own account a name, which the header shows", func(t *testing.T, s *testServer) {
		b.desktop(t)
		b.do(t, "type the name", chromedp.Clear(chromedp.CSS(`form[action$="/name"] input[name="full_name"]`)),
			chromedp.SendKeys(chromedp.CSS(`form[action$="/name"] input[name="full_name"]`), "Trương Công Minh"))
		if status := b.click(t, `form[action$="/name"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("rename: %d", status)
		}
		if got := b.text(t, "#nav-me"); got != "Trương Công Minh" {
			t.Errorf("header says %q", got)
		}
		b.fitsDesktop(t)
		s.login(email, chosen)
	})
	if errs := b.errors.all(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
