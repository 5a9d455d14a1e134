package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// issuedLink is POST /users/{id}/reset's answer.
type issuedLink struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	Account   struct {
		ID       int64  `json:"id"`
		FullName string `json:"full_name"`
	} `json:"account"`
}

// token is the link's token, the last segment of its URL.
func (l issuedLink) token() string { return l.URL[strings.LastIndexByte(l.URL, '/')+1:] }

// issueLink has token's account issue a reset link for the account id.
func (s *testServer) issueLink(token string, id int64) issuedLink {
	s.t.Helper()
	var link issuedLink
	s.mustCall(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/users/%d/reset", id), token, nil, &link)
	return link
}

// pwPost posts a form, with a session cookie when token is not empty, as
// a browser on this site does.
func (s *testServer) pwPost(path, token string, values url.Values) (*http.Response, string) {
	s.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {s.URL}, "Accept": {"text/html"}}
	if token != "" {
		h.Set("Cookie", "hoithi_token="+token)
	}
	return s.request("POST", path, h, values.Encode())
}

// pwGet gets a page as a browser does, signed in when token is not empty.
func (s *testServer) pwGet(path, token string) (*http.Response, string) {
	s.t.Helper()
	h := http.Header{"Accept": {"text/html"}}
	if token != "" {
		h.Set("Cookie", "hoithi_token="+token)
	}
	return s.request("GET", path, h, "")
}

func TestStaffIssueResetLinks(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_LOG_LEVEL": "debug"})
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	official := s.staff("official", "can-bo@so.gov.vn")
	admin := s.admin()
	oldSession, id := s.person(map[string]any{"full_name": "Đinh Thị Thu", "phone": "0905123456", "id_number": "048190012345",
		"birth_date": "1990-07-21"})

	var found struct {
		Accounts []map[string]any `json:"accounts"`
	}
	t.Run("an organizer finds the caller's account by the phone they give, and sees enough to check them, not their papers", func(t *testing.T) {
		s.mustCall(http.StatusOK, "GET", "/api/v1/accounts?login="+url.QueryEscape("0905 123 456"), organizer, nil, &found)
		if len(found.Accounts) != 1 {
			t.Fatalf("found %v, want one account", found.Accounts)
		}
		a := found.Accounts[0]
		if a["full_name"] != "Đinh Thị Thu" || a["birth_year"] != float64(1990) || a["id_number_last3"] != "345" ||
			a["province_name"] == nil || a["can_reset"] != true {
			t.Errorf("found %v", a)
		}
		for _, private := range []string{"id_number", "birth_date", "phone", "email", "commune_address"} {
			if _, ok := a[private]; ok {
				t.Errorf("the answer holds %s: %v", private, a)
			}
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/accounts?login=0905123457", organizer, nil, &found)
		if len(found.Accounts) != 0 {
			t.Errorf("another number found %v", found.Accounts)
		}
		status, body := s.call("GET", "/api/v1/accounts?login=Thu", organizer, nil)
		if status != http.StatusUnprocessableEntity || errorCode(t, body) != "validation_failed" || !strings.Contains(string(body), `"login"`) {
			t.Errorf("a name as the search: %d %s, want 422 on login", status, body)
		}
		if status, _ := s.call("GET", "/api/v1/accounts?login=0905123456", official, nil); status != http.StatusForbidden {
			t.Errorf("an official searching: %d, want 403", status)
		}
	})

	var link issuedLink
	t.Run("the organizer issues a link for a day, on this site's address", func(t *testing.T) {
		link = s.issueLink(organizer, id)
		if !strings.HasPrefix(link.URL, s.URL+"/reset/") || len(link.token()) < 43 {
			t.Errorf("url %q, want %s/reset/ and a token of 256 bits", link.URL, s.URL)
		}
		expires, err := time.Parse(time.RFC3339, link.ExpiresAt)
		if err != nil || expires.Sub(time.Now()) < 23*time.Hour || expires.Sub(time.Now()) > 24*time.Hour {
			t.Errorf("expires_at %q (%v), want 24 h from now", link.ExpiresAt, err)
		}
		if link.Account.ID != id || link.Account.FullName != "Đinh Thị Thu" {
			t.Errorf("account %+v", link.Account)
		}
	})

	t.Run("the link's page asks for the password twice, keeps no copy and sends no Referer", func(t *testing.T) {
		resp, body := s.pwGet("/reset/"+link.token(), "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Đinh Thị Thu") || !strings.Contains(body, `name="new_password_confirm"`) {
			t.Fatalf("reset page: %d\n%s", resp.StatusCode, body)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q, want no-referrer", got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", got)
		}
	})

	t.Run("two different passwords are refused and change nothing", func(t *testing.T) {
		resp, body := s.pwPost("/reset/"+link.token(), "", url.Values{"new_password": {"mat-khau-moi-1"}, "new_password_confirm": {"mat-khau-moi-2"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "không khớp") {
			t.Errorf("mismatch: %d", resp.StatusCode)
		}
		resp, body = s.pwPost("/reset/"+link.token(), "", url.Values{"new_password": {"ngan"}, "new_password_confirm": {"ngan"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "ít nhất 8 ký tự") {
			t.Errorf("short: %d", resp.StatusCode)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", oldSession, nil, nil)
	})

	t.Run("the new password is set, from any page, and every session of the account ends", func(t *testing.T) {
		// A form posted from a page that sends no Referer carries "Origin: null".
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {"null"}, "Accept": {"text/html"},
			"Sec-Fetch-Site": {"same-origin"}}
		resp, body := s.request("POST", "/reset/"+link.token(), h,
			url.Values{"new_password": {"mat-khau-moi-1"}, "new_password_confirm": {"mat-khau-moi-1"}}.Encode())
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Đã đặt mật khẩu mới") {
			t.Fatalf("reset: %d\n%s", resp.StatusCode, body)
		}
		if status, _ := s.call("GET", "/api/v1/me", oldSession, nil); status != http.StatusUnauthorized {
			t.Errorf("the session from before: %d, want 401", status)
		}
		s.login("0905123456", "mat-khau-moi-1")
		if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": "0905123456", "password": "mat-khau-123"}); status != http.StatusUnauthorized {
			t.Errorf("the old password: %d, want 401", status)
		}
	})

	t.Run("a used link says so, on the page and in the API", func(t *testing.T) {
		resp, body := s.pwGet("/reset/"+link.token(), "")
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "đã được dùng") || strings.Contains(body, "reset_link_used") {
			t.Errorf("used link page: %d\n%s", resp.StatusCode, body)
		}
		status, raw := s.call("POST", "/api/v1/auth/reset", "", map[string]string{"token": link.token(), "new_password": "mat-khau-moi-3"})
		if status != http.StatusGone || errorCode(t, raw) != "reset_link_used" {
			t.Errorf("used link: %d %s, want 410 reset_link_used", status, raw)
		}
		s.login("0905123456", "mat-khau-moi-1")
	})

	t.Run("an unknown link says so", func(t *testing.T) {
		resp, body := s.pwGet("/reset/"+strings.Repeat("x", 43), "")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "không tồn tại") {
			t.Errorf("unknown link page: %d", resp.StatusCode)
		}
		status, raw := s.call("POST", "/api/v1/auth/reset", "", map[string]string{"token": "abc", "new_password": "mat-khau-moi-3"})
		if status != http.StatusNotFound || errorCode(t, raw) != "reset_link_unknown" {
			t.Errorf("unknown link: %d %s, want 404 reset_link_unknown", status, raw)
		}
	})

	t.Run("an expired link says so", func(t *testing.T) {
		expired := s.issueLink(organizer, id)
		if _, err := s.sqlDB().ExecContext(context.Background(), "UPDATE password_resets SET expires_at = 0 WHERE used_at IS NULL"); err != nil {
			t.Fatal(err)
		}
		status, raw := s.call("POST", "/api/v1/auth/reset", "", map[string]string{"token": expired.token(), "new_password": "mat-khau-moi-3"})
		if status != http.StatusGone || errorCode(t, raw) != "reset_link_expired" {
			t.Errorf("expired link: %d %s, want 410 reset_link_expired", status, raw)
		}
		resp, body := s.pwGet("/reset/"+expired.token(), "")
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "đã hết hạn") {
			t.Errorf("expired link page: %d", resp.StatusCode)
		}
	})

	t.Run("the API sets a password through a link with the token in the body", func(t *testing.T) {
		l := s.issueLink(admin, id)
		var out struct {
			User struct {
				ID int64 `json:"id"`
			} `json:"user"`
			MustChange bool `json:"must_change_password"`
		}
		s.mustCall(http.StatusOK, "POST", "/api/v1/auth/reset", "", map[string]string{"token": l.token(), "new_password": "mat-khau-moi-4"}, &out)
		if out.User.ID != id || out.MustChange {
			t.Errorf("answer %+v", out)
		}
		s.login("0905123456", "mat-khau-moi-4")
	})

	t.Run("the audit log says who issued which link for whom, and naming no contestant", func(t *testing.T) {
		var audit struct {
			Entries []struct {
				Actor  string `json:"actor"`
				Detail string `json:"detail"`
				IP     string `json:"ip"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=issue_reset_link", admin, nil, &audit)
		if len(audit.Entries) != 3 || !strings.Contains(audit.Entries[2].Actor, "to-chuc@so.gov.vn") ||
			!strings.Contains(audit.Entries[2].Detail, fmt.Sprintf("account=%d", id)) || strings.Contains(audit.Entries[2].Detail, "Thu") {
			t.Errorf("issue entries %+v", audit.Entries)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=reset_password", admin, nil, &audit)
		if len(audit.Entries) != 2 || !strings.Contains(audit.Entries[1].Detail, "link issued by account=") || audit.Entries[1].IP != "127.0.0.1" {
			t.Errorf("reset entries %+v", audit.Entries)
		}
	})

	t.Run("no token is ever written to the server's log", func(t *testing.T) {
		if log := s.stderr.String(); strings.Contains(log, link.token()) || strings.Contains(log, "/reset/") {
			t.Errorf("the log holds a link:\n%s", log)
		}
		_, metrics := s.pwGet("/metrics", "")
		if strings.Contains(metrics, link.token()) || !strings.Contains(metrics, `route="/reset/:token"`) {
			t.Errorf("the metrics name a link, or not the route:\n%s", metrics)
		}
	})
}

func TestWhoMayResetWhom(t *testing.T) {
	s := startServer(t, nil)
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	other := s.staff("organizer", "to-chuc-2@so.gov.vn")
	official := s.staff("official", "can-bo@so.gov.vn")
	admin := s.admin()
	contestant, contestantID := s.contestant("Bùi Văn Nam")
	ids := map[string]int64{}
	var list struct {
		Users []struct {
			ID    int64  `json:"id"`
			Email string `json:"email"`
		} `json:"users"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/users", admin, nil, &list)
	for _, u := range list.Users {
		ids[u.Email] = u.ID
	}
	for _, tt := range []struct {
		name   string
		by     string
		target int64
		want   int
	}{
		{"an organizer may not for another organizer", organizer, ids["to-chuc-2@so.gov.vn"], http.StatusForbidden},
		{"an organizer may not for an official", organizer, ids["can-bo@so.gov.vn"], http.StatusForbidden},
		{"an organizer may not for an admin", organizer, ids[testAdminEmail], http.StatusForbidden},
		{"an official may not for a contestant", official, contestantID, http.StatusForbidden},
		{"a contestant may not for themself", contestant, contestantID, http.StatusForbidden},
		{"an admin may not for their own account", admin, ids[testAdminEmail], http.StatusForbidden},
		{"nobody for an account that does not exist", admin, 999999999999999, http.StatusNotFound},
		{"an organizer may for a contestant", other, contestantID, http.StatusCreated},
		{"an admin may for an organizer", admin, ids["to-chuc@so.gov.vn"], http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := s.call("POST", fmt.Sprintf("/api/v1/users/%d/reset", tt.target), tt.by, nil); status != tt.want {
				t.Errorf("got %d %s, want %d", status, body, tt.want)
			}
		})
	}
	t.Run("without a session there is no link", func(t *testing.T) {
		if status, _ := s.call("POST", fmt.Sprintf("/api/v1/users/%d/reset", contestantID), "", nil); status != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", status)
		}
	})
}

func TestPasswordChangeOwed(t *testing.T) {
	s := startServer(t, nil)
	if _, _, err := cli(t, s.DBPath, "user", "add", "-email", "to-chuc@so.gov.vn", "-password", "mat-khau-duoc-cap", "-role", "organizer",
		"-name", "Hà Thị Mai", "-must-change"); err != nil {
		t.Fatal(err)
	}
	type signedIn struct {
		Token      string `json:"token"`
		MustChange bool   `json:"must_change_password"`
	}
	signIn := func(password string) signedIn {
		var login signedIn
		s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": "to-chuc@so.gov.vn", "password": password}, &login)
		return login
	}
	login := signIn("mat-khau-duoc-cap")
	if !login.MustChange {
		t.Fatal("login does not say the password must change")
	}
	token := login.Token

	t.Run("the API refuses everything but reading the account, the change and logout", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/banks"}, {"POST", "/api/v1/banks"}, {"GET", "/API/V1/BANKS"}, {"GET", "/api/v1/me/data"},
			{"GET", "/api/v1/audit"}, {"GET", "/api/v1/contests"}, {"POST", "/api/v1/users/1/reset"}, {"GET", "/ws/rounds/1/leaderboard"},
		} {
			status, body := s.call(r.method, r.path, token, map[string]string{"name": "x"})
			if status != http.StatusForbidden || errorCode(t, body) != "password_change_required" {
				t.Errorf("%s %s: %d %s, want 403 password_change_required", r.method, r.path, status, body)
			}
		}
		var me struct {
			MustChange bool `json:"must_change_password"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
		if !me.MustChange {
			t.Error("GET /me does not say the password must change")
		}
	})

	t.Run("every page leads to the password form, which says why", func(t *testing.T) {
		for _, path := range []string{"/", "/organize", "/me", "/official", "/organize/accounts"} {
			resp, _ := s.pwGet(path, token)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me/password" {
				t.Errorf("%s: %d to %q, want 303 to /me/password", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		resp, body := s.pwGet("/me/password", token)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "do người khác đặt") || !strings.Contains(body, `action="/me/password"`) {
			t.Errorf("password page: %d", resp.StatusCode)
		}
	})

	t.Run("a refused change stays on the form and changes nothing", func(t *testing.T) {
		resp, body := s.pwPost("/me/password", token, url.Values{"current_password": {"sai-mat-khau"},
			"new_password": {"mat-khau-cua-toi"}, "new_password_confirm": {"mat-khau-cua-toi"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "do người khác đặt") || !strings.Contains(body, "không đúng") {
			t.Errorf("wrong current password: %d", resp.StatusCode)
		}
		status, _ := s.call("GET", "/api/v1/banks", token, nil)
		if status != http.StatusForbidden {
			t.Errorf("after a refused change: %d, want 403", status)
		}
	})

	t.Run("once changed, the account goes on, and later sign-ins owe nothing", func(t *testing.T) {
		var changed struct {
			Token string `json:"token"`
		}
		s.mustCall(http.StatusOK, "POST", "/api/v1/me/password", token, map[string]string{
			"current_password": "mat-khau-duoc-cap", "new_password": "mat-khau-cua-toi"}, &changed)
		s.mustCall(http.StatusOK, "GET", "/api/v1/banks", changed.Token, nil, nil)
		login := signIn("mat-khau-cua-toi")
		if login.MustChange {
			t.Error("a sign-in after the change still owes one")
		}
		if resp, _ := s.pwGet("/organize", login.Token); resp.StatusCode != http.StatusOK {
			t.Errorf("/organize after the change: %d", resp.StatusCode)
		}
	})

	t.Run("a password set from the command line is owed again, unless the holder chose it", func(t *testing.T) {
		if _, _, err := cli(t, s.DBPath, "user", "password", "-email", "to-chuc@so.gov.vn", "-password", "mat-khau-tam-1"); err != nil {
			t.Fatal(err)
		}
		if !signIn("mat-khau-tam-1").MustChange {
			t.Error("user password: no change owed")
		}
		if _, _, err := cli(t, s.DBPath, "user", "password", "-email", "to-chuc@so.gov.vn", "-password", "mat-khau-tam-2", "-must-change=false"); err != nil {
			t.Fatal(err)
		}
		if signIn("mat-khau-tam-2").MustChange {
			t.Error("user password -must-change=false: a change owed")
		}
	})

	t.Run("a staff account reset through an admin's link owes a change at sign-in", func(t *testing.T) {
		var list struct {
			Users []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"users"`
		}
		admin := s.admin()
		s.mustCall(http.StatusOK, "GET", "/api/v1/users?role=organizer", admin, nil, &list)
		l := s.issueLink(admin, list.Users[0].ID)
		var out struct {
			MustChange bool `json:"must_change_password"`
		}
		s.mustCall(http.StatusOK, "POST", "/api/v1/auth/reset", "", map[string]string{"token": l.token(), "new_password": "mat-khau-tam-3"}, &out)
		login := signIn("mat-khau-tam-3")
		if !out.MustChange || !login.MustChange {
			t.Errorf("answer %v, login %v: want a change owed", out.MustChange, login.MustChange)
		}
	})
}

func TestFirstAdminChangesThePrintedPassword(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_ADMIN_EMAIL": "", "HOITHI_ADMIN_PASSWORD": ""})
	out := s.stdout.String()
	i := strings.Index(out, "password: ")
	if i < 0 {
		t.Fatalf("no printed password:\n%s", out)
	}
	printed := strings.Fields(out[i+len("password: "):])[0]
	var login struct {
		Token      string `json:"token"`
		MustChange bool   `json:"must_change_password"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": "admin@localhost", "password": printed}, &login)
	if !login.MustChange {
		t.Error("the printed password need not change")
	}
	if status, body := s.call("GET", "/api/v1/users", login.Token, nil); status != http.StatusForbidden || errorCode(t, body) != "password_change_required" {
		t.Errorf("GET /users with the printed password: %d %s", status, body)
	}
	t.Run("a password from the environment is the operator's own and owes nothing", func(t *testing.T) {
		s := startServer(t, nil)
		s.mustCall(http.StatusOK, "GET", "/api/v1/users", s.admin(), nil, nil)
	})
}
