package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"hoithi/web"
)

// profile is PATCH /api/v1/me's answer, decoded.
type profile struct {
	ID        int64    `json:"id"`
	FullName  string   `json:"full_name"`
	BirthDate string   `json:"birth_date"`
	IDNumber  string   `json:"id_number"`
	Phone     string   `json:"phone"`
	Email     string   `json:"email"`
	Province  string   `json:"province"`
	Commune   string   `json:"commune"`
	Unit      string   `json:"unit"`
	Changed   []string `json:"changed"`
}

// correct sends PATCH /api/v1/me and wants 200.
func (s *testServer) correct(token string, body map[string]any) profile {
	s.t.Helper()
	var p profile
	s.mustCall(http.StatusOK, "PATCH", "/api/v1/me", token, body, &p)
	return p
}

// phoneOf reads an account's phone from the database.
func (s *testServer) phoneOf(userID int64) string {
	s.t.Helper()
	var phone string
	if err := s.sqlDB().QueryRow("SELECT phone FROM users WHERE id = ?", userID).Scan(&phone); err != nil {
		s.t.Fatal(err)
	}
	return phone
}

func TestCorrectOwnDataThroughTheAPI(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, id := s.person(map[string]any{"full_name": "Đặng Văn Bình", "commune": "Phường Sài Gòn"})
	other, otherID := s.contestant("Hà Thị Cúc")
	phone := s.phoneOf(id)
	s.mustCall(http.StatusOK, "PUT", "/api/v1/units", admin, map[string]any{"units": []string{"Sở Tư pháp", "UBND phường Sài Gòn"}}, nil)

	runScenarios(t, s, []scenario{
		{name: "refuses an anonymous caller", method: "PATCH", path: "/api/v1/me", body: map[string]string{"unit": "Sở Tư pháp"},
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "refuses a staff account", method: "PATCH", path: "/api/v1/me", token: admin, body: map[string]string{"full_name": "Quản trị"},
			wantStatus: 403, wantCode: "forbidden"},
		{name: "refuses broken JSON", method: "PATCH", path: "/api/v1/me", token: token, body: `{"unit":`,
			wantStatus: 400, wantCode: "malformed_json"},
		{name: "refuses a landline", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"phone": "0243825000", "current_password": "mat-khau-123"}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"phone"}},
		{name: "refuses a province outside the 34", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"province": "02"}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"province"}},
		{name: "refuses a unit not on the organizer's list", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"unit": "Hội nông dân"}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"unit"}},
		{name: "refuses an 11-digit identity number", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"id_number": "07909000001"}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"id_number"}},
		{name: "refuses to empty the identity number", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"id_number": ""}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"id_number"}},
		{name: "asks the password to change the phone", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"phone": "0977000111"}, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"current_password"}},
		{name: "says a wrong password is wrong", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"phone": "0977000111", "current_password": "sai-mat-khau"}, wantStatus: 422, wantCode: "validation_failed",
			wantFields: []string{"current_password"}},
		{name: "refuses another account's phone", method: "PATCH", path: "/api/v1/me", token: token,
			body: map[string]string{"phone": s.phoneOf(otherID), "current_password": "mat-khau-123"}, wantStatus: 409, wantCode: "account_exists",
			wantFields: []string{"phone"}},
	})
	t.Run("a refused correction changes nothing and writes nothing", func(t *testing.T) {
		var me struct {
			FullName string `json:"full_name"`
			Phone    string `json:"phone"`
			Unit     string `json:"unit"`
			Province string `json:"province"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
		if me.FullName != "Đặng Văn Bình" || me.Phone != phone || me.Unit != "Sở Tư pháp" || me.Province != "79" {
			t.Errorf("account after refused corrections: %+v", me)
		}
		var n int
		s.sqlDB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'update_profile'").Scan(&n)
		if n != 0 {
			t.Errorf("%d audit entries after refused corrections, want 0", n)
		}
	})

	t.Run("takes a name typed in NFD and a unit as the list writes it", func(t *testing.T) {
		got := s.correct(token, map[string]any{"full_name": norm.NFD.String("Đặng  Văn Bính"), "unit": "ubnd phuong sai gon"})
		if got.FullName != "Đặng Văn Bính" || got.Unit != "UBND phường Sài Gòn" || !slices.Equal(got.Changed, []string{"full_name", "unit"}) {
			t.Errorf("answer %+v", got)
		}
		var actor, detail string
		err := s.sqlDB().QueryRow("SELECT actor, detail FROM audit_log WHERE action = 'update_profile' AND user_id = ?", id).Scan(&actor, &detail)
		if err != nil || detail != "fields=full_name,unit" || strings.Contains(detail, "UBND") {
			t.Errorf("audit entry %q %q, %v; want the fields named, not their values", actor, detail, err)
		}
	})
	t.Run("the public leaderboard shows the corrected name", func(t *testing.T) {
		roundID := s.round(admin, nil)
		s.submitAttempt(token, s.start(token, roundID))
		s.correct(token, map[string]any{"full_name": "Đặng Văn Bình"})
		_, raw := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard", roundID), "", nil)
		if !strings.Contains(string(raw), "Đặng Văn Bình") || strings.Contains(string(raw), "Đặng Văn Bính") {
			t.Errorf("leaderboard after the correction: %s", raw)
		}
	})
	t.Run("a new phone signs in and the session goes on", func(t *testing.T) {
		s.download(token) // an entry in the audit log naming the account by its phone
		got := s.correct(token, map[string]any{"phone": "+84 977 000 111", "current_password": "mat-khau-123"})
		if got.Phone != "0977000111" || !slices.Equal(got.Changed, []string{"phone"}) {
			t.Fatalf("answer %+v", got)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)
		s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": "0977000111", "password": "mat-khau-123"}, nil)
		if status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": phone, "password": "mat-khau-123"}); status != 401 {
			t.Errorf("login with the old phone: %d %s, want 401", status, body)
		}
		// The old phone is free for someone else.
		s.person(map[string]any{"phone": phone})
	})
	t.Run("the audit log keeps no corrected phone or name", func(t *testing.T) {
		var n, total int
		db := s.sqlDB()
		db.QueryRow("SELECT count(*) FROM audit_log WHERE user_id = ?", id).Scan(&total)
		db.QueryRow(`SELECT count(*) FROM audit_log WHERE actor LIKE ?1 OR detail LIKE ?1 OR actor LIKE '%Bính%'`, "%"+phone+"%").Scan(&n)
		if total < 4 || n != 0 {
			t.Errorf("%d of the account's %d audit entries hold the old phone or name, want none", n, total)
		}
	})
	t.Run("the other account is untouched", func(t *testing.T) {
		status, body := s.call("GET", "/api/v1/me", other, nil)
		if status != 200 || !strings.Contains(string(body), "Hà Thị Cúc") {
			t.Errorf("GET /me: %d %s", status, body)
		}
	})
}

// A token left signed in on a shared computer must not let anyone guess
// the password by trying to change the phone: wrong passwords count as
// failed logins to the account.
func TestCorrectionPasswordGuessesAreLimited(t *testing.T) {
	s := startServer(t, nil)
	token, id := s.contestant("Lý Thị Dung")
	for i := 0; i < 10; i++ {
		status, body := s.call("PATCH", "/api/v1/me", token, map[string]string{"phone": "0977000222", "current_password": fmt.Sprintf("doan-%d", i)})
		if status != 422 {
			t.Fatalf("guess %d: %d %s, want 422", i+1, status, body)
		}
	}
	status, body := s.call("PATCH", "/api/v1/me", token, map[string]string{"phone": "0977000222", "current_password": "mat-khau-123"})
	if status != 429 || errorCode(t, body) != "rate_limited" {
		t.Errorf("after 10 wrong passwords the right one got %d %s, want 429 rate_limited", status, body)
	}
	if phone := s.phoneOf(id); phone == "0977000222" {
		t.Error("the phone changed after the limit")
	}
}

func TestCorrectionsAroundTheLock(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "can-bo-sua@so.gov.vn")
	roundID := s.round(admin, map[string]any{"question_count": 3})
	key := s.key(admin)
	token, _ := s.person(map[string]any{"full_name": "Vương Thị Em", "unit": "Sở Tư pháp", "commune": "Phường Bến Thành"})
	s.play(token, roundID, key, 3, nil)
	s.closeRound(admin, roundID)
	winners := func() winnersAnswer {
		var w winnersAnswer
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d/winners", roundID), official, nil, &w)
		return w
	}

	t.Run("the unit stays while the round waits for its lock", func(t *testing.T) {
		status, body := s.call("PATCH", "/api/v1/me", token, map[string]string{"unit": "Sở Nội vụ"})
		if status != 422 || !strings.Contains(string(body), `"unit"`) {
			t.Errorf("unit change after the close: %d %s, want 422 naming unit", status, body)
		}
	})
	t.Run("a name corrected before the lock reaches the list, and the round's log tells the officials", func(t *testing.T) {
		s.correct(token, map[string]any{"full_name": "Vương Thị Êm"})
		if w := winners(); len(w.Entries) != 1 || w.Entries[0].FullName != "Vương Thị Êm" {
			t.Errorf("provisional list %+v, want the corrected name", w.Entries)
		}
		_, body, _ := s.page("GET", fmt.Sprintf("/official/rounds/%d", roundID), official, nil, "")
		if !strings.Contains(body, "Người dự thi sửa thông tin cá nhân") {
			t.Error("the officials' round page does not show the correction in its log")
		}
	})

	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
	t.Run("a locked round keeps the data as it was locked", func(t *testing.T) {
		got := s.correct(token, map[string]any{"full_name": "Vương Thị Én", "unit": "Sở Nội vụ", "commune": "Phường Sài Gòn"})
		if got.Unit != "Sở Nội vụ" {
			t.Fatalf("the unit did not change once the round was locked: %+v", got)
		}
		w := winners()
		if len(w.Entries) != 1 {
			t.Fatalf("locked list %+v", w.Entries)
		}
		if e := w.Entries[0]; e.FullName != "Vương Thị Êm" || e.Unit != "Sở Tư pháp" || e.Commune != "Phường Bến Thành" {
			t.Errorf("locked row %+v, want the data as locked", e)
		}
		var results struct {
			Entries []struct {
				Name string `json:"name"`
				Unit string `json:"unit"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d/results", roundID), "", nil, &results)
		raw, _ := json.Marshal(results)
		if !strings.Contains(string(raw), "Vương Thị Êm") || strings.Contains(string(raw), "Sở Nội vụ") {
			t.Errorf("published results %s, want the data as locked", raw)
		}
	})
}

func TestProfilePage(t *testing.T) {
	s := startServer(t, nil)
	token, id := s.person(map[string]any{"full_name": "Kiều Văn Giang", "birth_date": "1988-09-02"})
	form := func(values url.Values) (int, string, http.Header) {
		full := url.Values{"full_name": {"Kiều Văn Giang"}, "birth_date": {"02/09/1988"}, "id_number": {""},
			"phone": {s.phoneOf(id)}, "email": {""}, "province": {"79"}, "commune": {"Phường Sài Gòn"}, "unit": {"Sở Tư pháp"}}
		var idNumber string
		s.sqlDB().QueryRow("SELECT id_number FROM users WHERE id = ?", id).Scan(&idNumber)
		full.Set("id_number", idNumber)
		for k, v := range values {
			full[k] = v
		}
		return s.page("POST", "/me/profile", token, strings.NewReader(full.Encode()), "application/x-www-form-urlencoded")
	}

	if status, _, h := s.page("GET", "/me/profile", "", nil, ""); status != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q, want a redirect to the login page", status, h.Get("Location"))
	}
	status, body, _ := s.page("GET", "/me/profile?next=/contests/hoi-thi", token, nil, "")
	if status != 200 || !strings.Contains(body, `value="Kiều Văn Giang"`) || !strings.Contains(body, `value="02/09/1988"`) ||
		!strings.Contains(body, `name="next" value="/contests/hoi-thi"`) {
		t.Fatalf("profile page: %d, want the form filled in with the birth date day first and next kept", status)
	}

	t.Run("a wrong value comes back with the reason beside the field and what was typed", func(t *testing.T) {
		status, body, _ := form(url.Values{"phone": {"12345"}, "unit": {"Sở Nội vụ"}, "current_password": {"mat-khau-123"}})
		if status != 422 || !strings.Contains(body, "phone-error") || !strings.Contains(body, `value="Sở Nội vụ"`) ||
			strings.Contains(body, "mat-khau-123") {
			t.Errorf("got %d, want 422 with the phone's error, the typed unit and no password", status)
		}
		if !strings.Contains(body, `lang="vi"`) || strings.Contains(body, "validation_failed") {
			t.Error("the error page is not plain Vietnamese")
		}
	})
	t.Run("asks for the password to change the phone", func(t *testing.T) {
		status, body, _ := form(url.Values{"phone": {"0977000333"}})
		if status != 422 || !strings.Contains(body, "Nhập mật khẩu hiện tại để đổi số điện thoại hoặc email.") {
			t.Errorf("got %d, want 422 asking for the password", status)
		}
	})
	t.Run("saves and says so", func(t *testing.T) {
		status, _, h := form(url.Values{"unit": {"Sở Nội vụ"}, "birth_date": {"3/9/1988"}})
		if status != 303 || h.Get("Location") != "/me/profile?saved=1" {
			t.Fatalf("save: %d %q, want 303 back to the form", status, h.Get("Location"))
		}
		_, body, _ := s.page("GET", "/me/profile?saved=1", token, nil, "")
		if !strings.Contains(body, "Đã lưu thông tin của bạn.") || !strings.Contains(body, `value="Sở Nội vụ"`) || !strings.Contains(body, `value="03/09/1988"`) {
			t.Error("the form after saving does not say so or show the new values")
		}
	})
	t.Run("goes on to next, on this site only", func(t *testing.T) {
		for next, want := range map[string]string{"/contests/hoi-thi?x=1": "/contests/hoi-thi?x=1", "//evil.example/": "/", "https://evil.example/": "/"} {
			status, _, h := form(url.Values{"next": {next}})
			if status != 303 || h.Get("Location") != want {
				t.Errorf("next %q: %d to %q, want 303 to %q", next, status, h.Get("Location"), want)
			}
		}
	})
	t.Run("a staff account is told to ask an admin", func(t *testing.T) {
		_, body, _ := s.page("GET", "/me/profile", s.admin(), nil, "")
		if !strings.Contains(body, "do quản trị viên thay đổi") || strings.Contains(body, `id="profile-form"`) {
			t.Error("a staff account's profile page shows the form")
		}
	})
}

// Every message key the correction and withdrawal code names is in the
// catalog, in both languages (the catalog refuses to load otherwise).
func TestMyDataMessagesAreInTheCatalog(t *testing.T) {
	var catalog map[string]map[string]string
	if err := json.Unmarshal(web.Messages, &catalog); err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`"(mydata\.[a-z_0-9.]*[a-z_0-9])"`)
	files, _ := filepath.Glob("quiz/*.go")
	more, _ := filepath.Glob("handlers/*.go")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(data), -1) {
			if catalog[m[1]]["vi"] == "" || catalog[m[1]]["en"] == "" {
				t.Errorf("%s names %q, which the catalog lacks", f, m[1])
			}
		}
	}
}
