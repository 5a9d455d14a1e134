package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// eventually retries check until it holds or a few polling periods pass.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 8 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cookieHeader(token string, origin string) http.Header {
	h := http.Header{"Cookie": {"hoithi_token=" + token}}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return h
}

func TestLogoutEndsTheSession(t *testing.T) {
	s := startServer(t, nil)

	t.Run("a bearer token gets 401 once logged out", func(t *testing.T) {
		token, _ := s.contestant("Lê Thị Hoa")
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)
		s.mustCall(http.StatusNoContent, "POST", "/api/v1/auth/logout", token, nil, nil)
		status, body := s.call("GET", "/api/v1/me", token, nil)
		if status != http.StatusUnauthorized || errorCode(t, body) != "unauthorized" {
			t.Errorf("GET /me after logout: %d %s, want 401 unauthorized", status, body)
		}
		if status, _ := s.call("POST", "/api/v1/auth/logout", token, nil); status != http.StatusUnauthorized {
			t.Errorf("a second logout with the ended token: %d, want 401", status)
		}
	})

	t.Run("the account's other sessions go on", func(t *testing.T) {
		first := s.admin()
		second := s.admin()
		s.mustCall(http.StatusNoContent, "POST", "/api/v1/auth/logout", first, nil, nil)
		s.mustCall(http.StatusOK, "GET", "/api/v1/banks", second, nil, nil)
	})

	t.Run("a logout without a token answers 204", func(t *testing.T) {
		s.mustCall(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", nil, nil)
	})

	t.Run("the cookie's token ends with the API logout", func(t *testing.T) {
		token := s.admin()
		resp, _ := s.request("POST", "/api/v1/auth/logout", cookieHeader(token, s.URL), "")
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("logout with the cookie: %d, want 204", resp.StatusCode)
		}
		if status, _ := s.call("GET", "/api/v1/banks", token, nil); status != http.StatusUnauthorized {
			t.Errorf("the cookie's token after logout: %d, want 401", status)
		}
	})

	t.Run("the page's logout ends the cookie's token", func(t *testing.T) {
		token := s.admin()
		resp, _ := s.request("POST", "/logout", cookieHeader(token, s.URL), "")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /logout: %d, want 303", resp.StatusCode)
		}
		if status, _ := s.call("GET", "/api/v1/banks", token, nil); status != http.StatusUnauthorized {
			t.Errorf("the token after the page's logout: %d, want 401", status)
		}
		resp, _ = s.request("GET", "/organize/", cookieHeader(token, ""), "")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("a page with the ended cookie: %d to %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("a logout with a bearer token ends the cookie sent beside it", func(t *testing.T) {
		bearer, cookie := s.admin(), s.admin()
		h := cookieHeader(cookie, "")
		h.Set("Authorization", "Bearer "+bearer)
		if resp, _ := s.request("POST", "/api/v1/auth/logout", h, ""); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d, want 204", resp.StatusCode)
		}
		for name, token := range map[string]string{"bearer": bearer, "cookie": cookie} {
			if status, _ := s.call("GET", "/api/v1/banks", token, nil); status != http.StatusUnauthorized {
				t.Errorf("the %s token after logout: %d, want 401", name, status)
			}
		}
	})
}

func TestLogoutReachesEveryServerOnTheDatabase(t *testing.T) {
	one := startServer(t, nil)
	two := startServer(t, map[string]string{"HOITHI_DB": one.DBPath})
	token := one.admin()
	two.mustCall(http.StatusOK, "GET", "/api/v1/banks", token, nil, nil)
	one.mustCall(http.StatusNoContent, "POST", "/api/v1/auth/logout", token, nil, nil)
	eventually(t, "the other server refuses the ended token", func() bool {
		status, _ := two.call("GET", "/api/v1/banks", token, nil)
		return status == http.StatusUnauthorized
	})
	// And the log survives a restart: a new process reads it at start.
	two.Stop()
	three := startServer(t, map[string]string{"HOITHI_DB": one.DBPath})
	if status, _ := three.call("GET", "/api/v1/banks", token, nil); status != http.StatusUnauthorized {
		t.Errorf("a restarted server took the ended token: %d, want 401", status)
	}
}

// A token signed by a hoithi from before sessions could end (no session
// id) keeps its holder signed in across the upgrade, and ends as any
// session does: by its logout, or by a password change.
func TestTokensOfAnOlderHoithiGoOn(t *testing.T) {
	secret := "a-secret-shared-by-two-versions-0123456789"
	s := startServer(t, map[string]string{"HOITHI_JWT_SECRET": secret})
	contestant, _ := s.contestant("Lý Thị Hoa")
	var me struct {
		ID    int64  `json:"id"`
		Phone string `json:"phone"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", contestant, nil, &me)
	older := func(issued time.Time) string {
		return signToken(t, []byte(secret), jwt.MapClaims{"iss": "hoithi", "sub": fmt.Sprint(me.ID), "role": "contestant",
			"iat": issued.Unix(), "exp": issued.Add(time.Hour).Unix()})
	}
	phone, laptop := older(time.Now().Add(-2*time.Second)), older(time.Now().Add(-time.Second))
	t.Run("is taken on the API and on pages", func(t *testing.T) {
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", phone, nil, nil)
		resp, _ := s.request("GET", "/me", cookieHeader(phone, ""), "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the account page with an older cookie: %d, want 200", resp.StatusCode)
		}
	})
	t.Run("its logout ends it and no other", func(t *testing.T) {
		s.mustCall(http.StatusNoContent, "POST", "/api/v1/auth/logout", phone, nil, nil)
		if status, _ := s.call("GET", "/api/v1/me", phone, nil); status != http.StatusUnauthorized {
			t.Errorf("the older token after its logout: %d, want 401", status)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", laptop, nil, nil)
	})
	t.Run("a password change ends it", func(t *testing.T) {
		s.mustCall(http.StatusOK, "POST", "/api/v1/me/password", contestant,
			map[string]string{"current_password": "mat-khau-123", "new_password": "mat-khau-moi-456"}, nil)
		if status, _ := s.call("GET", "/api/v1/me", laptop, nil); status != http.StatusUnauthorized {
			t.Errorf("an older token after a password change: %d, want 401", status)
		}
	})
}

func TestChangePassword(t *testing.T) {
	s := startServer(t, nil)
	const password = "mat-khau-123"
	token, _ := s.contestant("Đỗ Văn Nam")
	var me struct {
		Phone string `json:"phone"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	other := s.login(me.Phone, password)

	for _, tt := range []struct {
		name, current, next, field string
	}{
		{"refuses a wrong current password", "khong-dung-1", "mat-khau-moi-1", "current_password"},
		{"refuses a missing current password", "", "mat-khau-moi-1", "current_password"},
		{"refuses a short new password", password, "ngan", "new_password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.call("POST", "/api/v1/me/password", token, map[string]string{
				"current_password": tt.current, "new_password": tt.next})
			var e struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			json.Unmarshal(body, &e)
			if status != 422 || e.Error.Code != "validation_failed" || e.Error.Fields[tt.field] == "" {
				t.Errorf("got %d %s, want 422 naming %s", status, body, tt.field)
			}
			s.mustCall(http.StatusOK, "GET", "/api/v1/me", other, nil, nil) // nothing ended
		})
	}

	var changed struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/me/password", token,
		map[string]string{"current_password": password, "new_password": "mat-khau-moi-456"}, &changed)
	t.Run("ends the account's other sessions", func(t *testing.T) {
		if status, _ := s.call("GET", "/api/v1/me", other, nil); status != http.StatusUnauthorized {
			t.Errorf("another session after the change: %d, want 401", status)
		}
	})
	t.Run("goes on with the new token it returns", func(t *testing.T) {
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", changed.Token, nil, nil)
		if status, _ := s.call("GET", "/api/v1/me", token, nil); status != http.StatusUnauthorized {
			t.Errorf("the token the change was made with: %d, want 401 (the new one replaces it)", status)
		}
	})
	t.Run("signs in with the new password only", func(t *testing.T) {
		s.login(me.Phone, "mat-khau-moi-456")
		if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": me.Phone, "password": password}); status != 401 {
			t.Errorf("the old password: %d, want 401", status)
		}
	})

	t.Run("the /me page's form changes it and keeps the browser signed in", func(t *testing.T) {
		token := s.login(me.Phone, "mat-khau-moi-456")
		elsewhere := s.login(me.Phone, "mat-khau-moi-456")
		form := url.Values{"current_password": {"sai-mat-khau"}, "new_password": {"mat-khau-trang"}, "new_password_confirm": {"mat-khau-trang"}}
		h := cookieHeader(token, s.URL)
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, page := s.request("POST", "/me/password", h, form.Encode())
		if resp.StatusCode != 422 || !strings.Contains(page, "Mật khẩu hiện tại không đúng") {
			t.Errorf("a wrong current password: %d, want 422 with the reason in Vietnamese", resp.StatusCode)
		}
		form.Set("current_password", "mat-khau-moi-456")
		form.Set("new_password_confirm", "mat-khau-khac")
		resp, page = s.request("POST", "/me/password", h, form.Encode())
		if resp.StatusCode != 422 || !strings.Contains(page, "không khớp") {
			t.Errorf("two different new passwords: %d, want 422 saying they differ", resp.StatusCode)
		}
		form.Set("new_password_confirm", "mat-khau-trang")
		resp, page = s.request("POST", "/me/password", h, form.Encode())
		if resp.StatusCode != 200 || !strings.Contains(page, `id="password-changed"`) {
			t.Fatalf("the change: %d, want 200 saying it changed", resp.StatusCode)
		}
		var fresh string
		for _, c := range resp.Cookies() {
			if c.Name == "hoithi_token" {
				fresh = c.Value
			}
		}
		if fresh == "" {
			t.Fatal("no new session cookie")
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", fresh, nil, nil)
		for name, old := range map[string]string{"the page's old cookie": token, "another session": elsewhere} {
			if status, _ := s.call("GET", "/api/v1/me", old, nil); status != 401 {
				t.Errorf("%s after the change: %d, want 401", name, status)
			}
		}
	})
}

func TestAdminDisablesStaffAccounts(t *testing.T) {
	s := startServer(t, nil)
	if _, _, err := cli(t, s.DBPath, "user", "add", "-email", "to-chuc@so.gov.vn", "-password", "mat-khau-to-chuc", "-role", "organizer",
		"-name", "Phòng CCHC", "-must-change=false"); err != nil {
		t.Fatal(err)
	}
	admin := s.admin()
	organizer := s.login("to-chuc@so.gov.vn", "mat-khau-to-chuc")
	_, contestantID := s.contestant("Phan Văn Bình")

	type staff struct {
		ID       int64  `json:"id"`
		Role     string `json:"role"`
		Email    string `json:"email"`
		Disabled bool   `json:"disabled"`
	}
	var list struct {
		Users []staff `json:"users"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/users?role=staff", admin, nil, &list)
	ids := map[string]int64{}
	for _, u := range list.Users {
		ids[u.Email] = u.ID
		if u.Role == "contestant" {
			t.Errorf("the staff list holds a contestant: %+v", u)
		}
	}
	orgID, adminID := ids["to-chuc@so.gov.vn"], ids[testAdminEmail]
	if len(list.Users) != 2 || orgID == 0 || adminID == 0 {
		t.Fatalf("staff list %+v, want the admin and the organizer", list.Users)
	}

	for _, tt := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"an organizer cannot list staff", "GET", "/api/v1/users", organizer, 403},
		{"an organizer cannot disable anyone", "POST", fmt.Sprintf("/api/v1/users/%d/disable", adminID), organizer, 403},
		{"an admin cannot disable their own account", "POST", fmt.Sprintf("/api/v1/users/%d/disable", adminID), admin, 403},
		{"a contestant's account is not disabled this way", "POST", fmt.Sprintf("/api/v1/users/%d/disable", contestantID), admin, 404},
		{"an unknown role is refused", "GET", "/api/v1/users?role=contestant", admin, 422},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := s.call(tt.method, tt.path, tt.token, nil); status != tt.want {
				t.Errorf("got %d %s, want %d", status, body, tt.want)
			}
		})
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/banks", organizer, nil, nil)

	var disabled struct {
		User staff `json:"user"`
	}
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/users/%d/disable", orgID), admin, nil, &disabled)
	if !disabled.User.Disabled {
		t.Errorf("answer %+v, want disabled", disabled.User)
	}
	t.Run("a disabled account's sessions end at once", func(t *testing.T) {
		if status, _ := s.call("GET", "/api/v1/banks", organizer, nil); status != http.StatusUnauthorized {
			t.Errorf("the organizer's token: %d, want 401", status)
		}
	})
	t.Run("a disabled account's right password gets 403 account_disabled", func(t *testing.T) {
		status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": "to-chuc@so.gov.vn", "password": "mat-khau-to-chuc"})
		if status != http.StatusForbidden || errorCode(t, body) != "account_disabled" {
			t.Errorf("got %d %s, want 403 account_disabled", status, body)
		}
	})
	t.Run("a wrong password says only that", func(t *testing.T) {
		status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": "to-chuc@so.gov.vn", "password": "khong-phai-no"})
		if status != http.StatusUnauthorized || errorCode(t, body) != "invalid_credentials" {
			t.Errorf("got %d %s, want 401 invalid_credentials", status, body)
		}
	})
	t.Run("the page's login says the account is disabled", func(t *testing.T) {
		form := url.Values{"login": {"to-chuc@so.gov.vn"}, "password": {"mat-khau-to-chuc"}}
		resp, page := s.request("POST", "/login", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form.Encode())
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "đã bị quản trị viên khoá") {
			t.Errorf("got %d, want 403 with the reason in Vietnamese", resp.StatusCode)
		}
	})

	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/users/%d/enable", orgID), admin, nil, &disabled)
	t.Run("an enabled account signs in again; its old sessions stay ended", func(t *testing.T) {
		if disabled.User.Disabled {
			t.Errorf("answer %+v, want enabled", disabled.User)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/banks", s.login("to-chuc@so.gov.vn", "mat-khau-to-chuc"), nil, nil)
		if status, _ := s.call("GET", "/api/v1/banks", organizer, nil); status != http.StatusUnauthorized {
			t.Errorf("the token from before: %d, want 401", status)
		}
	})
	t.Run("the audit log names both changes", func(t *testing.T) {
		var audit struct {
			Entries []struct {
				Action string `json:"action"`
				Actor  string `json:"actor"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit", admin, nil, &audit)
		seen := map[string]bool{}
		for _, e := range audit.Entries {
			seen[e.Action] = true
		}
		if !seen["disable_account"] || !seen["enable_account"] {
			t.Errorf("audit %+v, want disable_account and enable_account", audit.Entries)
		}
	})
}

func TestUserCommandsWhileServing(t *testing.T) {
	s := startServer(t, nil)
	if _, _, err := cli(t, s.DBPath, "user", "add", "-email", "can-bo@so.gov.vn", "-password", "mat-khau-can-bo", "-role", "official",
		"-name", "Cán bộ thẩm định", "-must-change=false"); err != nil {
		t.Fatal(err)
	}
	official := s.login("can-bo@so.gov.vn", "mat-khau-can-bo")
	s.mustCall(http.StatusOK, "GET", "/api/v1/audit", official, nil, nil)

	t.Run("disable ends the running server's sessions within its polling period", func(t *testing.T) {
		out, _, err := cli(t, s.DBPath, "user", "disable", "-email", "CAN-BO@so.gov.vn")
		if err != nil || !strings.Contains(out, "disabled official account") {
			t.Fatalf("user disable: %v %q", err, out)
		}
		eventually(t, "the server refuses the disabled account's token", func() bool {
			status, _ := s.call("GET", "/api/v1/audit", official, nil)
			return status == http.StatusUnauthorized
		})
		status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": "can-bo@so.gov.vn", "password": "mat-khau-can-bo"})
		if status != http.StatusForbidden || errorCode(t, body) != "account_disabled" {
			t.Errorf("login: %d %s, want 403 account_disabled", status, body)
		}
	})
	t.Run("enable lets it sign in again", func(t *testing.T) {
		if out, _, err := cli(t, s.DBPath, "user", "enable", "-email", "can-bo@so.gov.vn"); err != nil || !strings.Contains(out, "enabled official account") {
			t.Fatalf("user enable: %v %q", err, out)
		}
		official = s.login("can-bo@so.gov.vn", "mat-khau-can-bo")
	})
	t.Run("password sets it and ends every session", func(t *testing.T) {
		if out, _, err := cli(t, s.DBPath, "user", "password", "-email", "can-bo@so.gov.vn", "-password", "mat-khau-moi-1"); err != nil || !strings.Contains(out, "set") {
			t.Fatalf("user password: %v %q", err, out)
		}
		eventually(t, "the server refuses the token from before", func() bool {
			status, _ := s.call("GET", "/api/v1/audit", official, nil)
			return status == http.StatusUnauthorized
		})
		s.login("can-bo@so.gov.vn", "mat-khau-moi-1")
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"disable refuses an unknown e-mail", []string{"disable", "-email", "ai-do@so.gov.vn"}, "no staff account has the e-mail"},
		{"disable needs an e-mail", []string{"disable"}, "-email E is required"},
		{"enable refuses an unknown e-mail", []string{"enable", "-email", "ai-do@so.gov.vn"}, "no staff account has the e-mail"},
		{"password refuses a short password", []string{"password", "-email", "can-bo@so.gov.vn", "-password", "ngan"}, "password: The password needs at least 8 characters."},
		{"password refuses an unknown e-mail", []string{"password", "-email", "ai-do@so.gov.vn", "-password", "mat-khau-dai-1"}, "no account has the e-mail"},
		{"an unknown subcommand is refused", []string{"remove"}, "usage: hoithi user"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := cli(t, s.DBPath, append([]string{"user"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
	t.Run("nothing above changed the password", func(t *testing.T) {
		s.login("can-bo@so.gov.vn", "mat-khau-moi-1")
	})
	t.Run("password also helps a contestant who gave an e-mail, naming them by id only in the audit log", func(t *testing.T) {
		s.mustCall(http.StatusCreated, "POST", "/api/v1/auth/register", "", map[string]any{
			"full_name": "Vũ Thị Mai", "birth_date": "1990-01-02", "id_number": "001190099999", "phone": "0977000123",
			"email": "mai@gmail.example", "province": "01", "password": "mat-khau-123", "consent": true}, nil)
		if _, _, err := cli(t, s.DBPath, "user", "password", "-email", "Mai@Gmail.example", "-password", "mat-khau-moi-2"); err != nil {
			t.Fatal(err)
		}
		s.login("0977000123", "mat-khau-moi-2")
		var audit struct {
			Entries []struct {
				Action string `json:"action"`
				Detail string `json:"detail"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=set_password", s.admin(), nil, &audit)
		if len(audit.Entries) == 0 || strings.Contains(audit.Entries[0].Detail, "Mai") {
			t.Errorf("audit %+v, want the newest set_password naming the account by id only", audit.Entries)
		}
	})
}

// A token left on a shared computer cannot guess the password through the
// password form: wrong current passwords count against the account's limit
// on failed logins, as wrong logins do.
func TestWrongCurrentPasswordsCountAgainstTheAccount(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1"})
	token, _ := s.contestant("Phan Thị Thu")
	var me struct {
		Phone string `json:"phone"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	change := func(from, current string) int {
		resp, _ := s.request("POST", "/api/v1/me/password", http.Header{"Authorization": {"Bearer " + token}, "X-Forwarded-For": {from}},
			`{"current_password":"`+current+`","new_password":"mat-khau-moi-789"}`)
		return resp.StatusCode
	}
	for i := range 10 { // from ten addresses: the account's count, not an address's
		if status := change(fmt.Sprintf("198.51.100.%d", i), fmt.Sprintf("doan-sai-%d", i)); status != 422 {
			t.Fatalf("wrong current password %d: %d, want 422", i+1, status)
		}
	}
	if status := change("203.0.113.5", "mat-khau-123"); status != http.StatusTooManyRequests {
		t.Errorf("the right password after ten wrong ones: %d, want 429 until the window passes", status)
	}
	if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": me.Phone, "password": "mat-khau-123"}); status != http.StatusTooManyRequests {
		t.Errorf("a login to the account after ten wrong current passwords: %d, want 429", status)
	}
}
