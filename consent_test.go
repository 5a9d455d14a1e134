package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hoithi/messages"
)

// The data notice names the contest's controller, each consent keeps the
// words shown, and a contest run by a controller the contestant has not
// consented to asks for consent before the first start.

// installationController is the controller the tests' installation names.
var installationController = map[string]string{
	"HOITHI_CONTROLLER_NAME":    "Sở Tư pháp tỉnh Quảng Trị",
	"HOITHI_CONTROLLER_ADDRESS": "Số 1 đường Hùng Vương, phường Đông Hà, tỉnh Quảng Trị",
	"HOITHI_CONTROLLER_CONTACT": "0233 3852 000, sotuphap@quangtri.gov.vn",
}

// communeController is a contest's own controller.
var communeController = map[string]string{"name": "UBND xã Cam Lộ", "address": "Thôn 1, xã Cam Lộ, tỉnh Quảng Trị",
	"contact": "0233 3871 234"}

// contestWith creates and publishes a contest with the fields given (slug
// and title added) and one open round with prizes; it returns the
// contest's id, slug and round.
func (s *testServer) contestWith(token string, fields map[string]any) (id int64, slug string, roundID int64) {
	s.t.Helper()
	slug = fmt.Sprintf("hoi-thi-%d", slugSeq.Add(1))
	body := map[string]any{"slug": slug, "title": "Hội thi tìm hiểu pháp luật"}
	for k, v := range fields {
		body[k] = v
	}
	var created struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/contests", token, body, &created)
	now := time.Now().UTC()
	var round struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/contests/%d/rounds", created.ID), token, map[string]any{
		"name": "Tuần 1", "bank_id": s.demoBank(token), "opens_at": now.Add(-time.Minute).Format(time.RFC3339),
		"closes_at": now.Add(24 * time.Hour).Format(time.RFC3339), "duration_seconds": 600, "question_count": 5,
		"max_attempts": 2, "reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}},
	}, &round)
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/contests/%d/publish", created.ID), token, nil, nil)
	return created.ID, slug, round.ID
}

// registration is a valid API registration of an adult, overridden by
// fields (a nil value removes the field).
func registration(fields map[string]any) map[string]any {
	n := phoneSeq.Add(1)
	body := map[string]any{"full_name": "Hồ Thị Lan", "birth_date": "1990-01-02", "id_number": fmt.Sprintf("0451900%05d", n),
		"phone": fmt.Sprintf("09%08d", n), "province": "44", "password": "mat-khau-123", "consent": true}
	for k, v := range fields {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return body
}

// registerAs registers through the API and returns the token.
func (s *testServer) registerAs(fields map[string]any) string {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/auth/register", "", registration(fields), &out)
	return out.Token
}

// meConsent is a consent as GET /me lists it.
type meConsent struct {
	Version    string `json:"version"`
	GivenBy    string `json:"given_by"`
	ContestID  *int64 `json:"contest_id"`
	Controller string `json:"controller"`
	Lang       string `json:"lang"`
	TextSHA256 string `json:"text_sha256"`
	Guardian   *struct {
		FullName     string `json:"full_name"`
		Relationship string `json:"relationship"`
		Phone        string `json:"phone"`
	} `json:"guardian"`
}

func (s *testServer) myConsents(token string) []meConsent {
	s.t.Helper()
	var me struct {
		Consents []meConsent `json:"consents"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	return me.Consents
}

func errorFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return e.Error.Fields
}

func TestConsentNamesTheController(t *testing.T) {
	s := startServer(t, installationController)
	admin := s.admin()
	contestID, slug, _ := s.contestWith(admin, map[string]any{"controller": communeController})

	t.Run("the installation's notice names the controller from the settings", func(t *testing.T) {
		var notice struct {
			Version    string            `json:"version"`
			TextVI     string            `json:"text_vi"`
			TextEN     string            `json:"text_en"`
			Controller map[string]string `json:"controller"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/consent", "", nil, &notice)
		if notice.Version != "contest-2026-02" || notice.Controller["name"] != "Sở Tư pháp tỉnh Quảng Trị" ||
			!strings.Contains(notice.TextVI, "Bên kiểm soát và xử lý dữ liệu cá nhân: Sở Tư pháp tỉnh Quảng Trị. Địa chỉ: Số 1 đường Hùng Vương") ||
			!strings.Contains(notice.TextEN, "0233 3852 000, sotuphap@quangtri.gov.vn") {
			t.Errorf("notice %+v", notice)
		}
		for _, want := range []string{"số định danh cá nhân", "Điều 24 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15", "dưới 7 tuổi",
			"Nghị định số 356/2025/NĐ-CP", "12 tháng", "Rút lại sự đồng ý", "Tải dữ liệu", "Khiếu nại: gửi đến Sở Tư pháp tỉnh Quảng Trị qua 0233 3852 000",
			"chỉ họ tên và đơn vị", "Bản ghi sự đồng ý"} {
			if !strings.Contains(notice.TextVI, want) {
				t.Errorf("the notice lacks %q", want)
			}
		}
		if strings.Contains(strings.ToLower(notice.TextVI), "căn cước công dân") {
			t.Error("the notice says căn cước công dân; Decree 356/2025 names it số định danh cá nhân")
		}
	})
	t.Run("a contest's notice names its own controller", func(t *testing.T) {
		var notice struct {
			TextVI     string            `json:"text_vi"`
			Controller map[string]string `json:"controller"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/consent?contest_id=%d", contestID), "", nil, &notice)
		if notice.Controller["name"] != "UBND xã Cam Lộ" || !strings.Contains(notice.TextVI, "Liên hệ: 0233 3871 234") ||
			strings.Contains(notice.TextVI, "Sở Tư pháp") {
			t.Errorf("notice %+v", notice)
		}
	})
	t.Run("the public notice pages show the same text, linked from every page's foot", func(t *testing.T) {
		status, body, _ := s.page("GET", "/privacy", "", nil, "")
		if status != 200 || !strings.Contains(body, "Sở Tư pháp tỉnh Quảng Trị") || !strings.Contains(body, "số định danh cá nhân") {
			t.Errorf("/privacy: %d", status)
		}
		status, body, _ = s.page("GET", "/contests/"+slug+"/privacy", "", nil, "")
		if status != 200 || !strings.Contains(body, "UBND xã Cam Lộ") || strings.Contains(body, "Sở Tư pháp tỉnh Quảng Trị") {
			t.Errorf("/contests/%s/privacy: %d", slug, status)
		}
		_, body, _ = s.page("GET", "/", "", nil, "")
		if !strings.Contains(body, `<a href="/privacy">Thông báo xử lý dữ liệu cá nhân</a>`) {
			t.Error("the home page's foot has no link to the notice")
		}
	})
	t.Run("a registration through a contest records that contest's text, word for word", func(t *testing.T) {
		token := s.registerAs(map[string]any{"contest_id": contestID})
		ks := s.myConsents(token)
		if len(ks) != 1 || ks[0].Controller != "UBND xã Cam Lộ" || ks[0].ContestID == nil || *ks[0].ContestID != contestID ||
			ks[0].GivenBy != "self" || ks[0].Version != "contest-2026-02" {
			t.Fatalf("consents %+v", ks)
		}
		_, _, data := s.download(token)
		var d struct {
			Consents []struct {
				Text string `json:"text"`
			} `json:"consents"`
		}
		if err := json.Unmarshal(data, &d); err != nil || len(d.Consents) != 1 {
			t.Fatalf("own data %s: %v", data, err)
		}
		sum := sha256.Sum256([]byte(d.Consents[0].Text))
		if hex.EncodeToString(sum[:]) != ks[0].TextSHA256 || !strings.Contains(d.Consents[0].Text, "UBND xã Cam Lộ") {
			t.Errorf("the text downloaded does not hash to the record's %s", ks[0].TextSHA256)
		}
	})
	t.Run("an unpublished contest's controller is not shown to visitors", func(t *testing.T) {
		hiddenID, hiddenSlug, _ := s.contestWith(admin, map[string]any{"controller": map[string]string{"name": "Ban tổ chức chưa công bố",
			"address": "Chưa công bố", "contact": "0233 3000 000"}})
		s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/contests/%d/unpublish", hiddenID), admin, nil, nil)
		_, body, _ := s.page("GET", "/register?next=/contests/"+hiddenSlug, "", nil, "")
		if strings.Contains(body, "Ban tổ chức chưa công bố") || !strings.Contains(body, "Sở Tư pháp tỉnh Quảng Trị") {
			t.Error("the form names an unpublished contest's controller")
		}
		if status, _ := s.call("GET", fmt.Sprintf("/api/v1/consent?contest_id=%d", hiddenID), "", nil); status != http.StatusNotFound {
			t.Errorf("the consent text of an unpublished contest: %d, want 404", status)
		}
	})
	t.Run("a registration from a contest's page names that contest", func(t *testing.T) {
		form := url.Values{"full_name": {"Võ Văn Nam"}, "birth_date": {"02/01/1991"}, "id_number": {"045191000777"},
			"phone": {"0987000111"}, "province": {"44"}, "password": {"mat-khau-123"}, "consent": {"yes"},
			"next": {"/contests/" + slug}}
		resp, _ := s.form("/register", form, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contests/"+slug {
			t.Fatalf("register: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		token := s.login("0987000111", "mat-khau-123")
		if ks := s.myConsents(token); len(ks) != 1 || ks[0].Controller != "UBND xã Cam Lộ" || ks[0].Lang != "vi" {
			t.Errorf("consents %+v", ks)
		}
	})
}

func TestNeutralControllerWhenNoneIsSet(t *testing.T) {
	s := startServer(t, nil)
	var notice struct {
		TextVI     string            `json:"text_vi"`
		Controller map[string]string `json:"controller"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/consent", "", nil, &notice)
	if notice.Controller["name"] != "Cơ quan, đơn vị tổ chức cuộc thi" || strings.Contains(notice.TextVI, "{controller") {
		t.Errorf("notice %+v, want the organizing agency named neutrally", notice.Controller)
	}
}

// form posts a form as the browser does, from this site, with cookies.
func (s *testServer) form(path string, form url.Values, cookies []*http.Cookie) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.URL)
	req.Header.Set("Accept", "text/html")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// browse gets a page as the browser does, with cookies.
func (s *testServer) browse(path string, cookies []*http.Cookie) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func sessionCookie(token string) *http.Cookie {
	return &http.Cookie{Name: "hoithi_token", Value: token}
}

func TestStartNeedsConsentToTheContestsController(t *testing.T) {
	s := startServer(t, installationController)
	admin := s.admin()
	contestID, slug, roundID := s.contestWith(admin, map[string]any{"controller": communeController})
	_, sameSlug, sameRound := s.contestWith(admin, nil)
	token, _ := s.contestant("Hồ Thị Lan")
	start := fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID)

	t.Run("a contest under the controller consented to at registration lets them start", func(t *testing.T) {
		s.start(token, sameRound)
		if _, body := s.browse("/contests/"+sameSlug, []*http.Cookie{sessionCookie(token)}); strings.Contains(body, `id="consent-title"`) {
			t.Error("the contest page asks for a consent given already")
		}
	})
	t.Run("a contest under another controller refuses the start with consent_required", func(t *testing.T) {
		status, body := s.call("POST", start, token, nil)
		if status != http.StatusConflict || errorCode(t, body) != "consent_required" {
			t.Fatalf("start: %d %s, want 409 consent_required", status, body)
		}
		var n int
		s.sqlDB().QueryRow("SELECT count(*) FROM attempts WHERE round_id = ?", roundID).Scan(&n)
		if n != 0 {
			t.Errorf("%d attempts stored after the refusal, want none", n)
		}
	})
	t.Run("the round page's start goes to the contest's consent form", func(t *testing.T) {
		resp, _ := s.form(fmt.Sprintf("/rounds/%d/start", roundID), url.Values{}, []*http.Cookie{sessionCookie(token)})
		if want := "/contests/" + slug + "?error=consent_required#consent"; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("start form: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		_, body := s.browse("/contests/"+slug+"?error=consent_required", []*http.Cookie{sessionCookie(token)})
		for _, want := range []string{`id="consent-title"`, "Cuộc thi này do UBND xã Cam Lộ tổ chức", `action="/contests/` + slug + `/consent"`,
			"Bên kiểm soát và xử lý dữ liệu cá nhân: UBND xã Cam Lộ", "Bạn cần đọc và đồng ý với thông báo xử lý dữ liệu cá nhân"} {
			if !strings.Contains(body, want) {
				t.Errorf("the contest page lacks %q", want)
			}
		}
	})
	t.Run("consent refused unticked, 422 naming consent", func(t *testing.T) {
		status, body := s.call("POST", fmt.Sprintf("/api/v1/contests/%d/consent", contestID), token, map[string]any{"consent": false})
		if status != http.StatusUnprocessableEntity || errorFields(t, body)["consent"] == "" {
			t.Errorf("consent false: %d %s", status, body)
		}
		resp, page := s.form("/contests/"+slug+"/consent", url.Values{}, []*http.Cookie{sessionCookie(token)})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="consent-error"`) {
			t.Errorf("consent form unticked: %d", resp.StatusCode)
		}
	})
	t.Run("the consent form records the consent and says so", func(t *testing.T) {
		resp, _ := s.form("/contests/"+slug+"/consent", url.Values{"consent": {"yes"}}, []*http.Cookie{sessionCookie(token)})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("consent form: %d", resp.StatusCode)
		}
		cookies := append(resp.Cookies(), sessionCookie(token))
		_, body := s.browse("/contests/"+slug, cookies)
		if !strings.Contains(body, "Đã ghi nhận sự đồng ý của bạn") || strings.Contains(body, `id="consent-title"`) {
			t.Error("after consenting, the contest page does not say so or still asks")
		}
		ks := s.myConsents(token)
		if len(ks) != 2 || ks[1].Controller != "UBND xã Cam Lộ" || ks[1].ContestID == nil || *ks[1].ContestID != contestID {
			t.Errorf("consents %+v, want the registration's and the contest's", ks)
		}
		s.start(token, roundID)
	})
	t.Run("the API records a consent once: 201, then 200", func(t *testing.T) {
		other, _ := s.contestant("Võ Văn Nam")
		path := fmt.Sprintf("/api/v1/contests/%d/consent", contestID)
		var out struct {
			Recorded   bool              `json:"recorded"`
			Controller map[string]string `json:"controller"`
		}
		s.mustCall(http.StatusCreated, "POST", path, other, map[string]any{"consent": true}, &out)
		if !out.Recorded || out.Controller["name"] != "UBND xã Cam Lộ" {
			t.Errorf("consent: %+v", out)
		}
		s.mustCall(http.StatusOK, "POST", path, other, map[string]any{"consent": true}, &out)
		if out.Recorded {
			t.Error("a second consent was recorded")
		}
		s.start(other, roundID)
	})
	t.Run("staff and strangers cannot consent for a contestant", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/contests/%d/consent", contestID)
		if status, _ := s.call("POST", path, "", map[string]any{"consent": true}); status != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", status)
		}
		if status, _ := s.call("POST", path, admin, map[string]any{"consent": true}); status != http.StatusForbidden {
			t.Errorf("admin: %d, want 403", status)
		}
	})
	t.Run("an account that consented to the first text, which named nobody, consents again", func(t *testing.T) {
		old, id := s.contestant("Trần Thị Cúc")
		if _, err := s.sqlDB().Exec("UPDATE consents SET version = 'contest-2026-01', controller = '', shown_sha256 = NULL WHERE user_id = ?", id); err != nil {
			t.Fatal(err)
		}
		status, body := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", sameRound), old, nil)
		if status != http.StatusConflict || errorCode(t, body) != "consent_required" {
			t.Errorf("start: %d %s, want 409 consent_required", status, body)
		}
	})
}

func TestStartNeedsIdentityWhereAskedAtRegistration(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	prizeID, prizeSlug, prizeRound := s.contestWith(admin, map[string]any{"identity_at": "prize"})
	_, regSlug, regRound := s.contestWith(admin, nil)
	token := s.registerAs(map[string]any{"contest_id": prizeID, "birth_date": nil, "id_number": nil, "at_least_16": true})

	t.Run("the contest that asks winners only lets them start", func(t *testing.T) {
		s.start(token, prizeRound)
	})
	t.Run("a contest that asks at registration refuses with identity_required", func(t *testing.T) {
		status, body := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", regRound), token, nil)
		if status != http.StatusConflict || errorCode(t, body) != "identity_required" {
			t.Errorf("start: %d %s, want 409 identity_required", status, body)
		}
	})
	t.Run("its page sends them to complete their profile and back", func(t *testing.T) {
		resp, _ := s.form(fmt.Sprintf("/rounds/%d/start", regRound), url.Values{}, []*http.Cookie{sessionCookie(token)})
		if want := "/me/profile?next=%2Fcontests%2F" + regSlug; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("start form: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		_, body := s.browse("/contests/"+regSlug, []*http.Cookie{sessionCookie(token)})
		if !strings.Contains(body, `href="/me/profile?next=%2fcontests%2f`+regSlug+`"`) && !strings.Contains(body, `href="/me/profile?next=%2Fcontests%2F`+regSlug+`"`) {
			t.Error("the contest page has no link to complete the profile")
		}
		_, body = s.browse("/contests/"+prizeSlug, []*http.Cookie{sessionCookie(token)})
		if strings.Contains(body, `id="identity"`) {
			t.Error("the winners-only contest asks for the identity number")
		}
	})
}

func TestPatchContest(t *testing.T) {
	s := startServer(t, installationController)
	admin := s.admin()
	contestant, _ := s.contestant("Hồ Thị Lan")
	id, _, _ := s.contestWith(admin, nil)
	path := fmt.Sprintf("/api/v1/contests/%d", id)
	type detail struct {
		Title              string            `json:"title"`
		Rules              string            `json:"rules"`
		Controller         map[string]string `json:"controller"`
		ControllerInEffect map[string]string `json:"controller_in_effect"`
		IdentityAt         string            `json:"identity_at"`
		RulesURL           string            `json:"rules_url"`
		PrivacyURL         string            `json:"privacy_url"`
	}
	var before detail
	s.mustCall(http.StatusOK, "GET", path, "", nil, &before)
	if !strings.HasPrefix(before.Rules, "Điều 1. Đơn vị tổ chức") || before.IdentityAt != "registration" ||
		before.Controller["name"] != "" || before.ControllerInEffect["name"] != "Sở Tư pháp tỉnh Quảng Trị" ||
		!strings.HasSuffix(before.RulesURL, "/rules") || !strings.HasSuffix(before.PrivacyURL, "/privacy") {
		t.Fatalf("a new contest %+v, want the template rules and the installation's controller", before)
	}

	runScenarios(t, s, []scenario{
		{name: "anonymous is refused", method: "PATCH", path: path, body: map[string]any{"title": "X"}, wantStatus: 401},
		{name: "a contestant is refused", method: "PATCH", path: path, token: contestant, body: map[string]any{"title": "X"}, wantStatus: 403},
		{name: "an unknown contest is not found", method: "PATCH", path: "/api/v1/contests/999999", token: admin, body: map[string]any{"title": "X"}, wantStatus: 404},
		{name: "bad values name their fields", method: "PATCH", path: path, token: admin,
			body: map[string]any{"title": " ", "identity_at": "", "rules": strings.Repeat("a", 20001),
				"controller": map[string]any{"name": "UBND xã Cam Lộ", "contact": "gọi xã"}},
			wantStatus: 422, wantCode: "validation_failed",
			wantFields: []string{"title", "identity_at", "rules", "controller.address", "controller.contact"}},
		{name: "a wrong type is refused", method: "PATCH", path: path, token: admin, body: map[string]any{"rules": 5},
			wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"rules"}},
	})
	var after detail
	s.mustCall(http.StatusOK, "GET", path, "", nil, &after)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused change changed the contest:\n%+v\nwas\n%+v", after, before)
	}

	var changed detail
	s.mustCall(http.StatusOK, "PATCH", path, admin, map[string]any{"rules": "Điều 1. Thể lệ riêng\r\n- Một ý", "identity_at": "prize",
		"controller": communeController}, &changed)
	if changed.Rules != "Điều 1. Thể lệ riêng\n- Một ý" || changed.IdentityAt != "prize" || changed.Title != before.Title ||
		changed.Controller["name"] != "UBND xã Cam Lộ" || changed.ControllerInEffect["contact"] != "0233 3871 234" {
		t.Errorf("after PATCH %+v", changed)
	}
	s.mustCall(http.StatusOK, "PATCH", path, admin, map[string]any{"controller": map[string]any{"name": "", "address": "", "contact": ""}}, &changed)
	if changed.Controller["name"] != "" || changed.ControllerInEffect["name"] != "Sở Tư pháp tỉnh Quảng Trị" || changed.IdentityAt != "prize" {
		t.Errorf("after clearing the controller %+v, want the installation's in effect", changed)
	}
}

// Every message key of registration, consent and rules that the code names
// has its text in both languages: a missing one would show as the key.
func TestConsentMessagesExist(t *testing.T) {
	key := regexp.MustCompile(`"((?:register|consent|rules)\.[a-z_0-9]*[a-z0-9])"`)
	for _, dir := range []string{"quiz", "handlers"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range key.FindAllStringSubmatch(string(data), -1) {
				for _, lang := range []string{"vi", "en"} {
					if messages.Text(lang, m[1]) == m[1] {
						t.Errorf("%s names %q, which has no %s text", f, m[1], lang)
					}
				}
			}
		}
	}
}
