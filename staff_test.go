package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// staffID returns the id of the staff account with the e-mail.
func (s *testServer) staffID(admin, email string) int64 {
	s.t.Helper()
	var list struct {
		Users []struct {
			ID    int64  `json:"id"`
			Email string `json:"email"`
		} `json:"users"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/users", admin, nil, &list)
	for _, u := range list.Users {
		if u.Email == email {
			return u.ID
		}
	}
	s.t.Fatalf("no staff account %s", email)
	return 0
}

func TestAdminNamesStaffAccounts(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	_, contestantID := s.contestant("Lương Văn Hải")
	id := s.staffID(admin, "to-chuc@so.gov.vn")
	path := fmt.Sprintf("/api/v1/users/%d", id)

	t.Run("an admin sets the name, in NFC, and the list shows it", func(t *testing.T) {
		var out struct {
			User struct {
				FullName string `json:"full_name"`
			} `json:"user"`
		}
		s.mustCall(http.StatusOK, "PATCH", path, admin, map[string]string{"full_name": norm.NFD.String("  Nguyễn   Thị Ngọc Ánh ")}, &out)
		if want := norm.NFC.String("Nguyễn Thị Ngọc Ánh"); out.User.FullName != want {
			t.Errorf("name %q, want %q", out.User.FullName, want)
		}
		var me struct {
			FullName string `json:"full_name"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", organizer, nil, &me)
		if me.FullName != "Nguyễn Thị Ngọc Ánh" {
			t.Errorf("the organizer's own account says %q", me.FullName)
		}
	})
	t.Run("the change is in the audit log", func(t *testing.T) {
		var audit struct {
			Entries []struct {
				Actor  string `json:"actor"`
				Detail string `json:"detail"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=set_name", admin, nil, &audit)
		if len(audit.Entries) != 1 || !strings.Contains(audit.Entries[0].Actor, testAdminEmail) ||
			!strings.Contains(audit.Entries[0].Detail, "Nguyễn Thị Ngọc Ánh") {
			t.Errorf("entries %+v", audit.Entries)
		}
	})
	for _, tt := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
		code   string
	}{
		{"an empty name is refused", admin, path, map[string]string{"full_name": "  "}, 422, "validation_failed"},
		{"a missing name is refused", admin, path, map[string]string{}, 422, "validation_failed"},
		{"a name that is not a name is refused", admin, path, map[string]string{"full_name": "<b>x</b>"}, 422, "validation_failed"},
		{"a name of the wrong type is refused", admin, path, map[string]int{"full_name": 5}, 422, "validation_failed"},
		{"an organizer may not name anyone", organizer, path, map[string]string{"full_name": "Tên Mới"}, 403, "forbidden"},
		{"a contestant's name is not set here", admin, fmt.Sprintf("/api/v1/users/%d", contestantID), map[string]string{"full_name": "Tên Mới"}, 404, "not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.call("PATCH", tt.path, tt.token, tt.body)
			if status != tt.status || errorCode(t, body) != tt.code {
				t.Errorf("got %d %s, want %d %s", status, body, tt.status, tt.code)
			}
		})
	}
	t.Run("and nothing refused changed the name", func(t *testing.T) {
		var me struct {
			FullName string `json:"full_name"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", organizer, nil, &me)
		if me.FullName != "Nguyễn Thị Ngọc Ánh" {
			t.Errorf("name %q", me.FullName)
		}
	})
}

func TestStaffAccountsPage(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	id := s.staffID(admin, "to-chuc@so.gov.vn")

	t.Run("only admins see it", func(t *testing.T) {
		if resp, _ := s.pwGet("/admin/users", organizer); resp.StatusCode != http.StatusForbidden {
			t.Errorf("organizer: %d, want 403", resp.StatusCode)
		}
		if resp, _ := s.pwGet("/admin/users", ""); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %d, want 303 to sign in", resp.StatusCode)
		}
	})
	t.Run("it lists the staff with their names, roles and what may be done", func(t *testing.T) {
		resp, body := s.pwGet("/admin/users", admin)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"to-chuc@so.gov.vn", "Cán bộ organizer", "Ban tổ chức", "Quản trị viên",
			fmt.Sprintf(`action="/admin/users/%d/name"`, id), fmt.Sprintf(`action="/admin/users/%d/disable"`, id),
			fmt.Sprintf(`action="/admin/users/%d/reset"`, id), `href="/organize/accounts"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
	t.Run("a name is set from the page", func(t *testing.T) {
		resp, body := s.pwPost(fmt.Sprintf("/admin/users/%d/name", id), admin, url.Values{"full_name": {"Võ Thanh Tùng"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Võ Thanh Tùng") || !strings.Contains(body, `id="staff-notice"`) {
			t.Errorf("rename: %d", resp.StatusCode)
		}
		resp, body = s.pwPost(fmt.Sprintf("/admin/users/%d/name", id), admin, url.Values{"full_name": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Hãy nhập họ tên") || strings.Contains(body, "validation_failed") {
			t.Errorf("empty name: %d", resp.StatusCode)
		}
	})
	t.Run("an account is disabled and enabled from the page", func(t *testing.T) {
		resp, body := s.pwPost(fmt.Sprintf("/admin/users/%d/disable", id), admin, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Đã khóa tài khoản") {
			t.Errorf("disable: %d", resp.StatusCode)
		}
		if status, _ := s.call("GET", "/api/v1/banks", organizer, nil); status != http.StatusUnauthorized {
			t.Errorf("the disabled organizer's session: %d, want 401", status)
		}
		resp, _ = s.pwPost(fmt.Sprintf("/admin/users/%d/enable", id), admin, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("enable: %d", resp.StatusCode)
		}
		s.login("to-chuc@so.gov.vn", "mat-khau-123")
	})
	t.Run("a reset link for a staff account is shown once on the page", func(t *testing.T) {
		resp, body := s.pwPost(fmt.Sprintf("/admin/users/%d/reset", id), admin, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, s.URL+"/reset/") || !strings.Contains(body, "phải đổi mật khẩu") {
			t.Errorf("reset: %d", resp.StatusCode)
		}
	})
	t.Run("the admin cannot disable or reset their own account from it", func(t *testing.T) {
		me := s.staffID(admin, testAdminEmail)
		resp, body := s.pwPost(fmt.Sprintf("/admin/users/%d/disable", me), admin, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="staff-notice"`) {
			t.Errorf("disable self: %d", resp.StatusCode)
		}
		resp, _ = s.pwPost(fmt.Sprintf("/admin/users/%d/reset", me), admin, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("reset self: %d", resp.StatusCode)
		}
	})
}

func TestOrganizerAccountHelpPage(t *testing.T) {
	s := startServer(t, nil)
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	s.staff("official", "can-bo@so.gov.vn")
	_, id := s.person(map[string]any{"full_name": "Mai Văn Tiến", "phone": "0934555666", "id_number": "079088123987",
		"birth_date": "1988-02-03"})

	t.Run("a search by phone shows the name, birth year and the ID number's last digits only", func(t *testing.T) {
		resp, body := s.pwGet("/organize/accounts?login="+url.QueryEscape("0934 555 666"), organizer)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"Mai Văn Tiến", "1988", "…987", "Sở Tư pháp", fmt.Sprintf(`action="/organize/accounts/%d/reset"`, id)} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, private := range []string{"079088123987", "03/02/1988", "1988-02-03"} {
			if strings.Contains(body, private) {
				t.Errorf("the page shows %q", private)
			}
		}
	})
	t.Run("a link is issued only once the caller is checked", func(t *testing.T) {
		path := fmt.Sprintf("/organize/accounts/%d/reset", id)
		resp, body := s.pwPost(path, organizer, url.Values{"login": {"0934555666"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "/reset/") {
			t.Errorf("unchecked: %d", resp.StatusCode)
		}
		resp, body = s.pwPost(path, organizer, url.Values{"login": {"0934555666"}, "verified": {"yes"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, s.URL+"/reset/") || !strings.Contains(body, `id="reset-url"`) {
			t.Errorf("checked: %d", resp.StatusCode)
		}
	})
	t.Run("a staff account is found but its link is for an admin to issue", func(t *testing.T) {
		resp, body := s.pwGet("/organize/accounts?login=can-bo@so.gov.vn", organizer)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="cannot-reset"`) || strings.Contains(body, `id="issue-form"`) {
			t.Errorf("staff account: %d", resp.StatusCode)
		}
	})
	t.Run("a search that is not a phone or an address says so, in Vietnamese", func(t *testing.T) {
		resp, body := s.pwGet("/organize/accounts?login=Ti%E1%BA%BFn", organizer)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "số điện thoại hoặc một địa chỉ email") || strings.Contains(body, "login_invalid") {
			t.Errorf("a name as the search: %d", resp.StatusCode)
		}
		resp, body = s.pwGet("/organize/accounts?login=0934555667", organizer)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="not-found"`) {
			t.Errorf("nobody: %d", resp.StatusCode)
		}
	})
	t.Run("the header leads organizers to it", func(t *testing.T) {
		_, body := s.pwGet("/organize", organizer)
		if !strings.Contains(body, `href="/organize/accounts" id="nav-accounts"`) {
			t.Error("no link to the account help page")
		}
		_, body = s.pwGet("/", s.admin())
		if !strings.Contains(body, `href="/admin/users" id="nav-accounts"`) {
			t.Error("no link to the staff accounts page for admins")
		}
	})
}
