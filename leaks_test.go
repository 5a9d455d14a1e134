package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A next parameter only ever leads to a path on this site: the language
// switch, the login and the registration all send the browser home for
// anything else.
func TestRedirectsStayOnThisSite(t *testing.T) {
	s := startServer(t, nil)
	evil := []string{
		"/%09/evil.example/", "/%0A/evil.example/", "/%0D/evil.example/", "//evil.example/",
		"/%5Cevil.example/", "/%5C/evil.example/", "https://evil.example/", "javascript:alert(1)",
		"%2F%2Fevil.example", "/%E3%80%80/evil.example", "/%00",
	}
	for _, next := range evil {
		t.Run("the language switch refuses next="+next, func(t *testing.T) {
			status, _, header := s.page("GET", "/lang/en?next="+next, "", nil, "")
			if status != http.StatusSeeOther || header.Get("Location") != "/" {
				t.Errorf("status %d, Location %q; want 303 to /", status, header.Get("Location"))
			}
		})
	}
	t.Run("the language switch keeps a local path", func(t *testing.T) {
		_, _, header := s.page("GET", "/lang/en?next="+url.QueryEscape("/contests/tim-hieu-tthc-dien-tu?x=1"), "", nil, "")
		if got := header.Get("Location"); got != "/contests/tim-hieu-tthc-dien-tu?x=1" {
			t.Errorf("Location %q, want the local path", got)
		}
	})
	t.Run("the login form refuses a next that leaves the site", func(t *testing.T) {
		form := url.Values{"login": {testAdminEmail}, "password": {testAdminPassword}, "next": {"/\t/evil.example/"}}
		status, _, header := s.page("POST", "/login", "", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		if status != http.StatusSeeOther || header.Get("Location") != "/" {
			t.Errorf("status %d, Location %q; want 303 to /", status, header.Get("Location"))
		}
	})
	t.Run("the login page does not carry a foreign next into its form", func(t *testing.T) {
		_, body, _ := s.page("GET", "/login?next=/%5C/evil.example/", "", nil, "")
		if !strings.Contains(body, `name="next" value="/"`) {
			t.Error("the login page's form carries the foreign next")
		}
	})
	t.Run("the registration page does not carry a foreign next into its form", func(t *testing.T) {
		_, body, _ := s.page("GET", "/register?next=/%09/evil.example/", "", nil, "")
		if !strings.Contains(body, `name="next" value="/"`) {
			t.Error("the registration page's form carries the foreign next")
		}
	})
}

// ?error= on a page shows one of hoithi's own messages or nothing: the
// address is anyone's to write and to send around.
func TestErrorNoticeShowsOnlyKnownMessages(t *testing.T) {
	s := startServer(t, nil)
	const page = "/contests/tim-hieu-tthc-dien-tu"
	fake := "Bạn đã trúng thưởng, hãy gọi 0900000000"
	_, body, _ := s.page("GET", page+"?error="+url.QueryEscape(fake), "", nil, "")
	if strings.Contains(body, `role="alert"`) {
		t.Errorf("the page shows a made-up error: %s", excerpt(body, "notice"))
	}
	_, body, _ = s.page("GET", page+"?error=attempts_exhausted", "", nil, "")
	if !strings.Contains(body, `class="notice error"`) {
		t.Error("the page does not show a known error code's message")
	}
}

// excerpt returns a little of body around the first occurrence of near.
func excerpt(body, near string) string {
	i := strings.Index(body, near)
	if i < 0 {
		return ""
	}
	return body[max(0, i-80):min(len(body), i+200)]
}

// Answers with personal data are never kept by a browser's or a proxy's
// cache: an office computer is shared.
func TestPersonalAnswersAreNotCached(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	s.closeRound(admin, roundID)
	contestant, _ := s.contestant("Người Xem Dữ Liệu")
	round := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	for _, tt := range []struct{ path, token string }{
		{"/api/v1/me", contestant},
		{"/api/v1/me/data", contestant},
		{round + "/winners", official},
		{round + "/winners.xlsx", official},
		{round + "/winners.csv", official},
		{"/api/v1/audit", official},
		{round + "/statistics", official},
		{round + "/statistics/provinces.csv", official},
		{round + "/winners", contestant}, // refused, and the refusal is not kept either
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := s.request("GET", tt.path, http.Header{"Authorization": {"Bearer " + tt.token}}, "")
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
		})
	}
	t.Run("a login's token is not kept either", func(t *testing.T) {
		resp, _ := s.request("POST", "/api/v1/auth/login", http.Header{"Content-Type": {"application/json"}},
			`{"login":"`+testAdminEmail+`","password":"`+testAdminPassword+`"}`)
		if got := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || got != "no-store" {
			t.Errorf("status %d, Cache-Control %q; want 200 and no-store", resp.StatusCode, got)
		}
	})
}

// auditCheckingWriter looks in the audit log when the export first writes
// to it: the entry must be there before any personal data leaves.
type auditCheckingWriter struct {
	db       *sql.DB
	roundID  int64
	checked  bool
	recorded bool
	bytes.Buffer
}

func (w *auditCheckingWriter) Write(p []byte) (int, error) {
	if !w.checked {
		w.checked = true
		var n int
		err := w.db.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'export_winners' AND round_id = ?", w.roundID).Scan(&n)
		w.recorded = err == nil && n > 0
	}
	return w.Buffer.Write(p)
}

func TestExportIsAuditedBeforeItIsWritten(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, _ := lockScenario(t, s)
	s.closeRound(admin, roundID)
	env := map[string]string{"HOITHI_DB": s.DBPath}
	w := &auditCheckingWriter{db: s.sqlDB(), roundID: roundID}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"export", "-round", strconv.FormatInt(roundID, 10), "-format", "csv", "-o", "-"},
		func(k string) string { return env[k] }, w, &stderr); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr.String())
	}
	if !w.checked || !w.recorded {
		t.Errorf("the export wrote (%v) before its audit entry was in the log (%v)", w.checked, w.recorded)
	}
	path := filepath.Join(t.TempDir(), "ket-qua.xlsx")
	if err := run(context.Background(), []string{"export", "-round", strconv.FormatInt(roundID, 10), "-o", path},
		func(k string) string { return env[k] }, &stderr, &stderr); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr.String())
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the exported file's mode is %v (%v), want 0600", info.Mode().Perm(), err)
	}
}

// A person downloading their own data again and again is recorded once an
// hour, and after they delete their account the audit log keeps what was
// done and by which account id, without their name or phone.
func TestOwnDataAuditIsBoundedAndForgetsTheDeleted(t *testing.T) {
	s := startServer(t, nil)
	official := s.staff("official", "kiem-tra@so.gov.vn")
	token, id := s.contestant("Vũ Thị Hạnh")
	var me struct {
		Phone string `json:"phone"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	for range 20 {
		if status, _, body := s.download(token); status != http.StatusOK {
			t.Fatalf("download: %d %s", status, body)
		}
	}
	db := s.sqlDB()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'own_data' AND user_id = ?", id).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d audit entries for 20 downloads in a row (%v), want 1", n, err)
	}
	// The same account an hour later is recorded again.
	if _, err := db.Exec("UPDATE audit_log SET at = at - 3600001 WHERE user_id = ?", id); err != nil {
		t.Fatal(err)
	}
	s.download(token)
	if err := db.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'own_data' AND user_id = ?", id).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d audit entries after a download an hour later (%v), want 2", n, err)
	}

	s.mustCall(http.StatusNoContent, "DELETE", "/api/v1/me", token, map[string]string{"password": "mat-khau-123"}, nil)
	_, body := s.fetch("/api/v1/audit?limit=1000", official)
	for _, secret := range []string{"Vũ Thị Hạnh", me.Phone} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the audit log still names the deleted account by %q", secret)
		}
	}
	var actions []string
	rows, err := db.Query("SELECT action, actor FROM audit_log WHERE user_id = ? ORDER BY id", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var action, actor string
		rows.Scan(&action, &actor)
		actions = append(actions, action)
		if actor != fmt.Sprintf("Người dùng đã xóa <deleted-%d>", id) {
			t.Errorf("actor %q of a %s entry, want the deleted account's label", actor, action)
		}
	}
	if got := strings.Join(actions, ","); got != "own_data,own_data,delete_account" {
		t.Errorf("the deleted account's entries are %s, want its two downloads and the deletion", got)
	}
}

// Without its token, /metrics answers only the local network: its counters
// of attempts would let anyone count what an open round's prediction asks.
func TestMetricsWithoutTokenStayOnTheLocalNetwork(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1"})
	metricsFrom := func(forwardedFor string) int {
		header := http.Header{}
		if forwardedFor != "" {
			header.Set("X-Forwarded-For", forwardedFor)
		}
		resp, _ := s.request("GET", "/metrics", header, "")
		return resp.StatusCode
	}
	for _, tt := range []struct {
		from string
		want int
	}{
		{"", http.StatusOK}, // the loopback scraper
		{"10.20.30.40", http.StatusOK},
		{"192.168.1.9", http.StatusOK},
		{"fd00::7", http.StatusOK},
		{"203.0.113.7", http.StatusForbidden},
		{"2001:db8::1", http.StatusForbidden},
	} {
		if got := metricsFrom(tt.from); got != tt.want {
			t.Errorf("metrics for a client at %q: %d, want %d", tt.from, got, tt.want)
		}
	}
}

func TestProfilesAreServedOnlyWhenAskedAndOnlyToTheMetricsToken(t *testing.T) {
	const token = "a-metrics-token-for-the-scraper"
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	t.Run("off by default: no route", func(t *testing.T) {
		s := startServer(t, map[string]string{"HOITHI_METRICS_TOKEN": token})
		if resp, _ := s.request("GET", "/debug/pprof/", nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("on, they need the token", func(t *testing.T) {
		s := startServer(t, map[string]string{"HOITHI_METRICS_TOKEN": token, "HOITHI_PPROF": "1"})
		for _, header := range []http.Header{{}, {"Authorization": {"Bearer not-the-token"}}} {
			if resp, _ := s.request("GET", "/debug/pprof/heap?debug=1", header, ""); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("without the token: status %d, want 401", resp.StatusCode)
			}
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/mutex?debug=1", "/debug/pprof/goroutine?debug=1"} {
			resp, body := s.request("GET", path, bearer, "")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "goroutine") && !strings.Contains(body, "heap") && !strings.Contains(body, "mutex") {
				t.Errorf("%s: status %d, body %.80q", path, resp.StatusCode, body)
			}
		}
	})
	t.Run("on without a token, the server refuses to start", func(t *testing.T) {
		_, err := loadConfig(func(key string) string { return map[string]string{"HOITHI_PPROF": "1"}[key] })
		if err == nil || !strings.Contains(err.Error(), "HOITHI_PPROF needs HOITHI_METRICS_TOKEN") {
			t.Errorf("config error %v, want one naming HOITHI_METRICS_TOKEN", err)
		}
	})
}
