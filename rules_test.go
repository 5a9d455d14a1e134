package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawKey finds a message key shown as itself, its text missing (the
// page's script, register.js, is no key).
func rawKey(body string) string {
	for _, m := range regexp.MustCompile(`\b(?:rules|consent|register)\.[a-z_]+\b`).FindAllString(body, -1) {
		if m != "register.js" {
			return m
		}
	}
	return ""
}

// A contest's rules (thể lệ): a template filled in from the contest and
// its rounds, edited by the organizer, shown as text on the contest page.

func TestContestRulesOnItsPage(t *testing.T) {
	s := startServer(t, installationController)
	admin := s.admin()
	id, slug, roundID := s.contestWith(admin, nil)
	var round struct {
		OpensAt string `json:"opens_at"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), "", nil, &round)
	opens, err := time.Parse(time.RFC3339, round.OpensAt)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a new contest's rules are the template, filled in from the contest", func(t *testing.T) {
		status, body, _ := s.page("GET", "/contests/"+slug, "", nil, "")
		if status != 200 {
			t.Fatalf("contest page: %d", status)
		}
		for _, want := range []string{
			`<h2 id="rules-title">Thể lệ cuộc thi</h2>`,
			"<h3>Điều 1. Đơn vị tổ chức</h3>",
			"Cuộc thi do Sở Tư pháp tỉnh Quảng Trị tổ chức. Địa chỉ: Số 1 đường Hùng Vương, phường Đông Hà, tỉnh Quảng Trị.",
			"<li>Tuần 1: từ " + opens.In(vietnamZone(t)).Format("15:04 ngày 02/01/2006") + " đến",
			"mỗi lượt thi 5 câu hỏi, làm trong 10 phút, mỗi câu trả lời đúng được 1 điểm; mỗi người được thi tối đa 2 lượt.",
			"<li>Tuần 1: giải cá nhân gồm 1 Giải Nhất, 2 Giải Nhì.</li>",
			"<ol><li>Điểm cao hơn.</li>",
			`<a href="/contests/` + slug + `/privacy">Thông báo xử lý dữ liệu cá nhân</a>`,
			"chọn đủ tất cả các đáp án đúng và không chọn đáp án sai nào",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the contest page lacks %q", want)
			}
		}
		if strings.Contains(body, "[Các đợt thi]") || strings.Contains(body, "[Đơn vị tổ chức]") {
			t.Error("a placeholder is shown as typed")
		}
	})
	t.Run("what the organizer types is shown as text, never as HTML", func(t *testing.T) {
		s.mustCall(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/contests/%d", id), admin,
			map[string]any{"rules": "Điều 1. <script>alert(1)</script>\n- <a href=\"https://example.com\">giải</a>\n[Giải thưởng]"}, nil)
		_, body, _ := s.page("GET", "/contests/"+slug+"/rules", "", nil, "")
		if strings.Contains(body, "<script>alert") || strings.Contains(body, `<a href="https://example.com">`) {
			t.Error("the rules page holds HTML typed in the rules")
		}
		if !strings.Contains(body, "<h3>Điều 1. &lt;script&gt;alert(1)&lt;/script&gt;</h3>") ||
			!strings.Contains(body, "<li>&lt;a href=&#34;https://example.com&#34;&gt;giải&lt;/a&gt;</li>") ||
			!strings.Contains(body, "<li>Tuần 1: giải cá nhân gồm 1 Giải Nhất, 2 Giải Nhì.</li>") {
			t.Errorf("the rules page does not show the rules as text:\n%s", excerpt(body, "Điều 1."))
		}
	})
	t.Run("an unpublished contest's rules are for staff only", func(t *testing.T) {
		s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/contests/%d/unpublish", id), admin, nil, nil)
		if status, _, _ := s.page("GET", "/contests/"+slug+"/rules", "", nil, ""); status != 404 {
			t.Errorf("anonymous: %d, want 404", status)
		}
		if status, _, _ := s.page("GET", "/contests/"+slug+"/rules", admin, nil, ""); status != 200 {
			t.Errorf("organizer: %d, want 200", status)
		}
	})
	t.Run("the demo contest publishes its rules with the deadline filled in", func(t *testing.T) {
		_, body, _ := s.page("GET", "/contests/tim-hieu-tthc-dien-tu", "", nil, "")
		if !strings.Contains(body, "trong thời hạn 05 ngày làm việc kể từ ngày công bố kết quả chính thức") || strings.Contains(body, "……") {
			t.Error("the demo's rules lack the complaint deadline")
		}
	})
}

func TestBuilderEditsRulesAndController(t *testing.T) {
	s := startServer(t, installationController)
	admin := s.admin()
	id, slug, _ := s.contestWith(admin, nil)
	builder := fmt.Sprintf("/organize/contests/%d", id)

	_, body, _ := s.page("GET", builder, admin, nil, "")
	if raw := rawKey(body); raw != "" {
		t.Errorf("the builder shows the message key %q", raw)
	}
	for _, want := range []string{`action="/organize/contests/` + fmt.Sprint(id) + `/settings"`, `id="settings-rules"`,
		"Điều 1. Đơn vị tổ chức", "dùng đơn vị mặc định của hệ thống: Sở Tư pháp tỉnh Quảng Trị", "[Các đợt thi]</code>",
		`id="rules-blank"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the builder lacks %q", want)
		}
	}
	settings := func(controller string) url.Values {
		return url.Values{"title": {"Hội thi tìm hiểu pháp luật"}, "description": {""}, "identity_at": {"prize"},
			"controller_name": {controller}, "controller_address": {""}, "controller_contact": {"0233 3871 234"},
			"rules": {"Điều 1. Thể lệ <mới>\n- Khiếu nại trong 05 ngày"}}
	}

	t.Run("a refused form keeps what was typed, each error beside its field and in a summary", func(t *testing.T) {
		resp, body := s.form(builder+"/settings", settings("UBND xã Cam Lộ"), []*http.Cookie{sessionCookie(admin)})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("settings: %d, want 422", resp.StatusCode)
		}
		for _, want := range []string{
			`id="settings-summary" tabindex="-1" autofocus`,
			`<a href="#settings-controller_address">Địa chỉ: Cần đủ tên, địa chỉ và thông tin liên hệ`,
			`<p class="error" id="settings-controller_address-error">Cần đủ tên, địa chỉ`,
			`value="UBND xã Cam Lộ"`, "Điều 1. Thể lệ &lt;mới&gt;",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		var ct struct {
			Rules      string `json:"rules"`
			IdentityAt string `json:"identity_at"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d", id), admin, nil, &ct)
		if !strings.HasPrefix(ct.Rules, "Điều 1. Đơn vị tổ chức") || ct.IdentityAt != "registration" {
			t.Errorf("a refused form changed the contest: %+v", ct)
		}
	})
	t.Run("a saved form shows on the contest page", func(t *testing.T) {
		form := settings("UBND xã Cam Lộ")
		form.Set("controller_address", "Thôn 1, xã Cam Lộ")
		resp, _ := s.form(builder+"/settings", form, []*http.Cookie{sessionCookie(admin)})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != builder+"#settings" {
			t.Fatalf("settings: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := s.browse(builder, append(resp.Cookies(), sessionCookie(admin)))
		if !strings.Contains(body, "Đã lưu thể lệ và cài đặt của cuộc thi.") || !regexp.MustCompile(`name="identity_at" value="prize" checked`).MatchString(body) {
			t.Error("the builder does not say the settings were saved, or lost them")
		}
		_, page, _ := s.page("GET", "/contests/"+slug, "", nil, "")
		if !strings.Contains(page, "<h3>Điều 1. Thể lệ &lt;mới&gt;</h3>") {
			t.Error("the contest page does not show the new rules")
		}
		_, notice, _ := s.page("GET", "/contests/"+slug+"/privacy", "", nil, "")
		if !strings.Contains(notice, "UBND xã Cam Lộ") || !strings.Contains(notice, "chỉ khi bạn đoạt giải và nhận giải") {
			t.Error("the contest's notice does not name its new controller and identity rule")
		}
	})
}
