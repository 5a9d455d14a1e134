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

// Registration: the ages of Law 91/2025/QH15, Art. 24, the legal
// representative's consent, the contest that asks identity only from
// winners, and the page a person fixes their typing on.

// bornYearsAgo is the birth date of someone who turns n today in Vietnam,
// shifted by days.
func bornYearsAgo(n, days int) string {
	return time.Now().In(vietnamZoneOf()).AddDate(-n, 0, days).Format(time.DateOnly)
}

func vietnamZoneOf() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

var father = map[string]any{"full_name": "Trần Văn Bình", "relationship": "Cha", "phone": "0905 123 456", "consent": true}

func TestRegistrationAges(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	prizeID, _, _ := s.contestWith(admin, map[string]any{"identity_at": "prize"})
	noBirth := map[string]any{"contest_id": prizeID, "birth_date": nil, "id_number": nil}
	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return registration(out)
	}
	half := map[string]any{"full_name": "Trần Văn Bình", "relationship": "Cha", "phone": "12", "consent": false}
	runScenarios(t, s, []scenario{
		{name: "under 16 without a representative names guardian", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "birth_date", bornYearsAgo(16, 1)), wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"guardian"}},
		{name: "under 7 names birth_date, representative or not", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "birth_date", bornYearsAgo(7, 1), "guardian", father), wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"birth_date"}},
		{name: "a representative's block is checked field by field", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "birth_date", bornYearsAgo(12, 0), "guardian", half), wantStatus: 422, wantCode: "validation_failed",
			wantFields: []string{"guardian.phone", "guardian.consent"}},
		{name: "16 today in Vietnam registers alone", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "birth_date", bornYearsAgo(16, 0)), wantStatus: 201},
		{name: "7 today registers with a representative", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "birth_date", bornYearsAgo(7, 0), "guardian", father), wantStatus: 201},
		{name: "a winners-only contest asks the age instead of the birth date", method: "POST", path: "/api/v1/auth/register",
			body: with(noBirth), wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"at_least_16"}},
		{name: "a winners-only contest takes someone who says they are 16", method: "POST", path: "/api/v1/auth/register",
			body: with(noBirth, "at_least_16", true), wantStatus: 201},
		{name: "a winners-only contest takes a representative instead", method: "POST", path: "/api/v1/auth/register",
			body: with(noBirth, "guardian", father), wantStatus: 201},
		{name: "registration at large still asks the birth date and identity number", method: "POST", path: "/api/v1/auth/register",
			body: with(map[string]any{"birth_date": nil, "id_number": nil}, "at_least_16", true), wantStatus: 422, wantCode: "validation_failed",
			wantFields: []string{"birth_date", "id_number"}},
		{name: "an unknown contest is refused", method: "POST", path: "/api/v1/auth/register",
			body: with(nil, "contest_id", 999999), wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"contest_id"}},
	})

	t.Run("the representative's consent is recorded beside the child's", func(t *testing.T) {
		token := s.registerAs(map[string]any{"birth_date": bornYearsAgo(12, 0), "guardian": father})
		ks := s.myConsents(token)
		if len(ks) != 2 || ks[0].GivenBy != "self" || ks[1].GivenBy != "guardian" || ks[1].Guardian == nil ||
			ks[1].Guardian.FullName != "Trần Văn Bình" || ks[1].Guardian.Relationship != "Cha" || ks[1].Guardian.Phone != "0905123456" ||
			ks[1].Version != ks[0].Version || ks[1].TextSHA256 != ks[0].TextSHA256 {
			t.Errorf("consents %+v", ks)
		}
	})
	t.Run("nothing is stored for a refused registration", func(t *testing.T) {
		var n int
		s.sqlDB().QueryRow("SELECT count(*) FROM users WHERE full_name = 'Hồ Thị Lan'").Scan(&n)
		if n != 5 { // the four 201s above and the one just made
			t.Errorf("%d accounts, want 5", n)
		}
	})
}

// registerForm is a valid registration form of an adult.
func registerForm(phone string) url.Values {
	return url.Values{"full_name": {"Nguyễn Thị Hoa"}, "birth_date": {"17/05/1990"}, "id_number": {"079190001234"},
		"phone": {phone}, "email": {"hoa-" + phone + "@example.vn"}, "province": {"79"}, "commune": {"Phường Sài Gòn"},
		"unit": {"UBND phường Sài Gòn"}, "password": {"mat-khau-an-toan"}, "consent": {"yes"}, "next": {"/"}}
}

func TestRegistrationPage(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	_, prizeSlug, _ := s.contestWith(admin, map[string]any{"identity_at": "prize"})

	t.Run("the birth date is typed as text, and the consent box sits just above the button", func(t *testing.T) {
		_, body, _ := s.page("GET", "/register", "", nil, "")
		birth := regexp.MustCompile(`<input id="birth_date"[^>]*>`).FindString(body)
		if !strings.Contains(birth, `type="text"`) || !strings.Contains(birth, `inputmode="numeric"`) || strings.Contains(body, `type="date"`) {
			t.Errorf("birth date input %s, want text with a numeric keyboard, no date picker", birth)
		}
		if !strings.Contains(body, "ví dụ 17/05/1990") {
			t.Error("no example of the date format")
		}
		tail := body[strings.Index(body, `id="consent"`):]
		tail = tail[:strings.Index(tail, `<button type="submit"`)]
		if strings.Count(tail, "<input") != 0 {
			t.Errorf("inputs between the consent box and the button:\n%s", tail)
		}
		if !strings.Contains(body, `href="/privacy"`) || !strings.Contains(body, "Bên kiểm soát và xử lý dữ liệu cá nhân") {
			t.Error("the form does not show and link the notice")
		}
	})
	t.Run("a refused form keeps what was typed but the password, with each error beside its field and in a focused summary", func(t *testing.T) {
		form := registerForm("0912 34")
		form.Set("birth_date", "31/02/1990")
		form.Del("consent")
		resp, body := s.form("/register", form, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("register: %d, want 422", resp.StatusCode)
		}
		for _, want := range []string{
			`id="error-summary" tabindex="-1" autofocus`,
			`<a href="#birth_date">Ngày sinh: Ngày sinh chưa đúng: hãy nhập ngày/tháng/năm, ví dụ 17/05/1990.</a>`,
			`<a href="#phone">Số điện thoại: Số điện thoại không hợp lệ`,
			`<a href="#consent">`,
			`<p class="error" id="birth_date-error">Ngày sinh chưa đúng`, `<p class="error" id="phone-error">`, `<p class="error" id="consent-error">`,
			`value="Nguyễn Thị Hoa"`, `value="31/02/1990"`, `value="0912 34"`, `value="hoa-0912 34@example.vn"`, `value="Phường Sài Gòn"`,
			`<option value="79" selected>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if raw := rawKey(body); raw != "" {
			t.Errorf("the form shows the message key %q", raw)
		}
		if strings.Contains(body, "mat-khau-an-toan") {
			t.Error("the refused form gives the password back")
		}
		// The summary lists the fields in the page's order.
		if b, p := strings.Index(body, `href="#birth_date"`), strings.Index(body, `href="#phone"`); b < 0 || p < b {
			t.Error("the summary is not in the page's order")
		}
	})
	t.Run("a birth date under 16 brings the representative's block back shown, without a script", func(t *testing.T) {
		form := registerForm("0912000333")
		form.Set("birth_date", time.Now().In(vietnamZoneOf()).AddDate(-12, 0, 0).Format("02/01/2006"))
		resp, body := s.form("/register", form, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("register: %d, want 422", resp.StatusCode)
		}
		block := regexp.MustCompile(`<fieldset class="consent guardian[^"]*" id="guardian"[^>]*>`).FindString(body)
		if block == "" || strings.Contains(block, "hidden") || !strings.Contains(body, `<a href="#guardian_full_name">`) ||
			!strings.Contains(body, "Người dưới 16 tuổi cần cha, mẹ hoặc người giám hộ") {
			t.Errorf("guardian block %q, want it shown with its error", block)
		}
		form.Set("guardian_full_name", "Nguyễn Văn Hùng")
		form.Set("guardian_relationship", "Cha")
		form.Set("guardian_phone", "0905 123 456")
		form.Set("guardian_consent", "yes")
		if resp, _ := s.form("/register", form, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("register with the representative: %d", resp.StatusCode)
		}
		ks := s.myConsents(s.login("0912000333", "mat-khau-an-toan"))
		if len(ks) != 2 || ks[1].Guardian == nil || ks[1].Guardian.FullName != "Nguyễn Văn Hùng" {
			t.Errorf("consents %+v", ks)
		}
	})
	t.Run("an adult's page hides the block", func(t *testing.T) {
		_, body, _ := s.page("GET", "/register", "", nil, "")
		if !regexp.MustCompile(`id="guardian" hidden>`).MatchString(body) {
			t.Error("the representative's block shows on an empty form")
		}
	})
	t.Run("the page lands with a welcome, the birth date stored as the API writes it", func(t *testing.T) {
		resp, _ := s.form("/register", registerForm("0912000444"), nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("register: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		landing, body := s.browse("/", resp.Cookies())
		if !strings.Contains(body, `<p class="notice success flash" role="status">Đăng ký thành công.`) {
			t.Error("the landing page has no welcome")
		}
		// The message shows once.
		var again []*http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "hoithi_token" {
				again = append(again, c)
			}
		}
		for _, c := range landing.Cookies() {
			if c.Name == "hoithi_flash" && c.Value != "" {
				again = append(again, c)
			}
		}
		if _, body := s.browse("/", again); strings.Contains(body, "Đăng ký thành công.") {
			t.Error("the welcome shows twice")
		}
		var me struct {
			BirthDate string `json:"birth_date"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", s.login("0912000444", "mat-khau-an-toan"), nil, &me)
		if me.BirthDate != "1990-05-17" {
			t.Errorf("birth date %q, want 1990-05-17", me.BirthDate)
		}
	})
	t.Run("a message the server did not leave is not shown", func(t *testing.T) {
		_, body := s.browse("/", []*http.Cookie{{Name: "hoithi_flash", Value: "err.internal"}})
		if strings.Contains(body, `class="notice success flash"`) {
			t.Error("the page shows a message named by a cookie anyone can set")
		}
	})
	t.Run("a contest asking winners only asks the age, not the birth date nor the identity number", func(t *testing.T) {
		_, body, _ := s.page("GET", "/register?next=/contests/"+prizeSlug, "", nil, "")
		if strings.Contains(body, `id="birth_date"`) || strings.Contains(body, `id="id_number"`) || !strings.Contains(body, `id="age_group_16_plus"`) ||
			!strings.Contains(body, "chỉ khi bạn đoạt giải và nhận giải") {
			t.Error("the form asks identity data the contest does not")
		}
		form := registerForm("0912000555")
		form.Del("birth_date")
		form.Del("id_number")
		form.Set("next", "/contests/"+prizeSlug)
		resp, body := s.form("/register", form, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#age_group_16_plus">Độ tuổi: Hãy cho biết bạn đã đủ 16 tuổi chưa.</a>`) {
			t.Errorf("without an age: %d", resp.StatusCode)
		}
		form.Set("age_group", "16_plus")
		if resp, _ := s.form("/register", form, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("with the age: %d", resp.StatusCode)
		}
		var me struct {
			BirthDate string `json:"birth_date"`
			IDNumber  string `json:"id_number"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", s.login("0912000555", "mat-khau-an-toan"), nil, &me)
		if me.BirthDate != "" || me.IDNumber != "" {
			t.Errorf("stored %+v, want no birth date nor identity number", me)
		}
	})
}

func TestTypedBirthDates(t *testing.T) {
	s := startServer(t, nil)
	for i, typed := range []string{"17/05/1990", "17-5-1990", "17.05.1990", "17051990", "1990-05-17", " 17 05 1990 "} {
		form := registerForm(fmt.Sprintf("09120007%02d", i))
		form.Set("birth_date", typed)
		if resp, body := s.form("/register", form, nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%q: %d %s", typed, resp.StatusCode, excerpt(body, "error"))
		}
	}
}
