package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRegistrationAndRules is a family at the registration form on
// a phone, then the organizer at the contest builder: a typing mistake
// refused with everything kept, a 12-year-old registered with a parent's
// consent, the rules on the contest page, and the organizer naming the
// commune as the controller and editing the rules. The steps share the
// browser and go in order; the first that fails ends it.
func TestBrowserRegistrationAndRules(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, installationController)
	tab := startBrowser(t, chromium)

	const (
		childName  = "Trần Bảo Anh"
		childPhone = "0912345670"
		password   = "mat-khau-an-toan"
		parentName = "Trần Văn Bình"
		demoSlug   = "tim-hieu-tthc-dien-tu"
	)
	birth := time.Now().In(vietnamZoneOf()).AddDate(-12, 0, -3).Format("02/01/2006")
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}
	clear := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%s).value = ''`, jsString(id)))
	}
	value := func(t *testing.T, id string) string {
		t.Helper()
		return eval[string](t, tab, fmt.Sprintf(`document.getElementById(%s).value`, jsString(id)))
	}

	step("a refused form keeps what was typed and puts the focus on the summary of errors", func(t *testing.T, s *testServer) {
		tab.open(t, s.URL+"/register?next=/contests/"+demoSlug)
		if got := eval[string](t, tab, `document.getElementById('birth_date').type`); got != "text" {
			t.Errorf("birth date input type %q, want text (no date picker)", got)
		}
		tab.do(t, "fill in the form with a short phone number and no consent",
			chromedp.SendKeys(chromedp.ID("full_name"), childName),
			chromedp.SendKeys(chromedp.ID("birth_date"), birth),
			chromedp.SendKeys(chromedp.ID("id_number"), "044213000123"),
			chromedp.SendKeys(chromedp.ID("phone"), "09123"),
			chromedp.SetValue(chromedp.ID("province"), "44"),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		if status := tab.click(t, `form[action="/register"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("register: status %d, want 422", status)
		}
		tab.waitTrue(t, "the summary to take the focus", `document.activeElement && document.activeElement.id === 'error-summary'`)
		links := eval[[]string](t, tab, `Array.from(document.querySelectorAll('#error-summary a')).map(a => a.getAttribute('href'))`)
		for _, want := range []string{"#phone", "#guardian_full_name", "#consent"} {
			if !strings.Contains(strings.Join(links, " "), want) {
				t.Errorf("summary links %v, want one to %s", links, want)
			}
		}
		if got := tab.text(t, "#phone-error"); !strings.HasPrefix(got, "Số điện thoại không hợp lệ") {
			t.Errorf("phone error %q", got)
		}
		for id, want := range map[string]string{"full_name": childName, "birth_date": birth, "phone": "09123", "province": "44", "password": ""} {
			if got := value(t, id); got != want {
				t.Errorf("%s after the refusal %q, want %q", id, got, want)
			}
		}
		if eval[bool](t, tab, `document.getElementById('guardian').hidden`) {
			t.Error("the parent's block is hidden for a 12-year-old")
		}
		tab.fitsPhone(t)
	})

	step("a 12-year-old registers with a parent's consent and lands on the contest with a welcome", func(t *testing.T, s *testServer) {
		tab.do(t, "correct the phone, fill in the parent's block and both consents",
			clear("phone"),
			chromedp.SendKeys(chromedp.ID("phone"), childPhone),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.SendKeys(chromedp.ID("guardian_full_name"), parentName),
			chromedp.SendKeys(chromedp.ID("guardian_relationship"), "Cha"),
			chromedp.SendKeys(chromedp.ID("guardian_phone"), "0905123456"),
			chromedp.Click(chromedp.ID("guardian_consent")),
			chromedp.Click(chromedp.ID("consent")),
		)
		if status := tab.click(t, `form[action="/register"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("register: status %d, want 200 after the redirect", status)
		}
		if got := tab.location(t); got != "/contests/"+demoSlug {
			t.Errorf("after registering: at %s, want the contest", got)
		}
		if got := tab.text(t, "main .flash"); !strings.HasPrefix(got, "Đăng ký thành công") {
			t.Errorf("welcome %q", got)
		}
		ks := s.myConsents(tab.sessionToken(t, s.URL))
		if len(ks) != 2 || ks[1].GivenBy != "guardian" || ks[1].Guardian == nil || ks[1].Guardian.FullName != parentName ||
			ks[0].Controller != "Sở Tư pháp tỉnh Quảng Trị" {
			t.Errorf("consents %+v, want the child's and the parent's naming the installation's controller", ks)
		}
	})

	step("the guardian's block follows the birth date as it is typed", func(t *testing.T, s *testServer) {
		tab.click(t, `form[action="/logout"] button`)
		tab.open(t, s.URL+"/register")
		if !eval[bool](t, tab, `document.getElementById('guardian').hidden`) {
			t.Fatal("the parent's block shows on an empty form")
		}
		tab.do(t, "type a child's birth date", chromedp.SendKeys(chromedp.ID("birth_date"), birth))
		tab.waitTrue(t, "the parent's block to show", `!document.getElementById('guardian').hidden`)
		tab.do(t, "type an adult's instead", clear("birth_date"), chromedp.SendKeys(chromedp.ID("birth_date"), "17051990"))
		tab.waitTrue(t, "the parent's block to hide", `document.getElementById('guardian').hidden`)
	})

	step("the contest page shows the rules, filled in", func(t *testing.T, s *testServer) {
		tab.open(t, s.URL+"/contests/"+demoSlug)
		if got := tab.text(t, "#rules-title"); got != "Thể lệ cuộc thi" {
			t.Errorf("rules heading %q", got)
		}
		if got := tab.text(t, "#rules .rules-text h3"); got != "Điều 1. Đơn vị tổ chức" {
			t.Errorf("first section %q", got)
		}
		rules := tab.text(t, "#rules .rules-text")
		for _, want := range []string{"Cuộc thi do Sở Tư pháp tỉnh Quảng Trị tổ chức", "Đợt thi thứ nhất: từ", "1 Giải Nhất",
			"trong thời hạn 05 ngày làm việc"} {
			if !strings.Contains(rules, want) {
				t.Errorf("the rules lack %q", want)
			}
		}
		tab.fitsPhone(t)
	})

	step("the organizer names the commune as controller and edits the rules in the builder", func(t *testing.T, s *testServer) {
		tab.desktop(t)
		tab.open(t, s.URL+"/login")
		tab.do(t, "sign in",
			chromedp.SendKeys(chromedp.ID("login"), testAdminEmail),
			chromedp.SendKeys(chromedp.ID("password"), testAdminPassword),
		)
		tab.click(t, `form[action="/login"] button[type="submit"]`)
		var contests struct {
			Contests []struct {
				ID   int64  `json:"id"`
				Slug string `json:"slug"`
			} `json:"contests"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/contests", "", nil, &contests)
		tab.open(t, fmt.Sprintf("%s/organize/contests/%d#settings", s.URL, contests.Contests[0].ID))
		if got := value(t, "settings-rules"); !strings.HasPrefix(got, "Điều 1. Đơn vị tổ chức") {
			t.Fatalf("rules in the builder start %q", got[:min(len(got), 40)])
		}
		tab.do(t, "name the commune, half",
			chromedp.SendKeys(chromedp.ID("settings-controller_name"), "UBND xã Cam Lộ"),
			chromedp.SendKeys(chromedp.ID("settings-controller_contact"), "0233 3871 234"),
			clear("settings-rules"),
			chromedp.SetValue(chromedp.ID("settings-rules"), "Điều 1. Đơn vị tổ chức\nCuộc thi do [Đơn vị tổ chức] tổ chức.\n\nĐiều 2. Giải thưởng\n[Giải thưởng]"),
		)
		if status := tab.click(t, `form[action$="/settings"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("save without the address: status %d, want 422", status)
		}
		if got := tab.text(t, "#settings-controller_address-error"); !strings.HasPrefix(got, "Cần đủ tên, địa chỉ") {
			t.Errorf("address error %q", got)
		}
		tab.waitTrue(t, "the settings summary to take the focus", `document.activeElement && document.activeElement.id === 'settings-summary'`)
		if got := value(t, "settings-controller_name"); got != "UBND xã Cam Lộ" {
			t.Errorf("controller name after the refusal %q, want it kept", got)
		}
		tab.do(t, "add the address", chromedp.SendKeys(chromedp.ID("settings-controller_address"), "Thôn 1, xã Cam Lộ"))
		if status := tab.click(t, `form[action$="/settings"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("save: status %d, want 200 after the redirect", status)
		}
		if got := tab.text(t, "main .flash"); got != "Đã lưu thể lệ và cài đặt của cuộc thi." {
			t.Errorf("saved notice %q", got)
		}
		tab.fitsDesktop(t)
		tab.open(t, s.URL+"/contests/"+demoSlug)
		if got := tab.text(t, "#rules .rules-text p"); got != "Cuộc thi do UBND xã Cam Lộ tổ chức." {
			t.Errorf("rules on the contest page %q", got)
		}
		if got := tab.text(t, "#rules .rules-text li"); !strings.HasPrefix(got, "Đợt thi thứ nhất: giải cá nhân gồm 1 Giải Nhất") {
			t.Errorf("prizes on the contest page %q", got)
		}
	})

	step("no page reported a script, security or loading error", func(t *testing.T, s *testServer) {
		for _, e := range tab.errors.all() {
			// The refused forms answer 422, as the steps above want.
			if strings.HasPrefix(e, "network error") && strings.Contains(e, "status of 422") {
				continue
			}
			t.Errorf("the browser reported %s, want no error", e)
		}
	})
}
