package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHealthAndMetrics(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_METRICS_TOKEN": "metrics-secret"})
	s.mustCall(http.StatusOK, "GET", "/healthz", "", nil, nil)
	status, body := s.call("GET", "/healthz", "", nil)
	if status != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", status, body)
	}
	if status, _ := s.call("GET", "/metrics", "", nil); status != http.StatusUnauthorized {
		t.Errorf("metrics without token: %d, want 401", status)
	}
	status, body = s.call("GET", "/metrics", "metrics-secret", nil)
	if status != 200 || !strings.Contains(string(body), "hoithi_writer_commit_seconds") {
		t.Errorf("metrics with token: %d, %.200s", status, body)
	}
}

func TestDemoContestIsServedOnFirstStart(t *testing.T) {
	s := startServer(t, nil)
	var out struct {
		Contests []struct {
			Slug   string `json:"slug"`
			ID     int64  `json:"id"`
			Rounds []struct {
				Status   string `json:"status"`
				OpensAt  string `json:"opens_at"`
				ClosesAt string `json:"closes_at"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/contests", "", nil, &out)
	if len(out.Contests) != 1 || len(out.Contests[0].Rounds) != 1 || out.Contests[0].Rounds[0].Status != "open" {
		t.Fatalf("contests %+v, want the demo contest with one open round", out)
	}
	var demo struct {
		Rounds []struct {
			Reveal string `json:"reveal"`
			Prizes []any  `json:"prizes"`
		} `json:"rounds"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d", out.Contests[0].ID), "", nil, &demo)
	if r := demo.Rounds[0]; len(r.Prizes) == 0 || r.Reveal != "after_close" {
		t.Errorf("the demo round has %d prize tiers and reveals %s, want a prize round revealed after the close", len(r.Prizes), r.Reveal)
	}
	var banks struct {
		Banks []struct {
			QuestionCount int `json:"question_count"`
		} `json:"banks"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/banks", s.admin(), nil, &banks)
	if len(banks.Banks) != 1 || banks.Banks[0].QuestionCount < 40 {
		t.Errorf("banks %+v, want exactly one with at least 40 questions", banks)
	}
}

func TestNoDemoWhenAskedNot(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_DEMO": "0"})
	status, body := s.call("GET", "/api/v1/contests", "", nil)
	if status != 200 || strings.TrimSpace(string(body)) != `{"contests":[]}` {
		t.Errorf("got %d %s, want no contests", status, body)
	}
}

// scenario is one API request and what it must answer.
type scenario struct {
	name       string
	method     string
	path       string
	token      string
	body       any
	wantStatus int
	wantCode   string   // the error code, for errors
	wantFields []string // fields named by a validation error
}

func runScenarios(t *testing.T, s *testServer, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			status, body := s.call(sc.method, sc.path, sc.token, sc.body)
			if status != sc.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, sc.wantStatus, body)
			}
			if sc.wantCode == "" {
				return
			}
			var e struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body %s: %v", body, err)
			}
			if e.Error.Code != sc.wantCode || e.Error.Message == "" {
				t.Errorf("error %+v, want code %s with a message", e.Error, sc.wantCode)
			}
			for _, f := range sc.wantFields {
				if e.Error.Fields[f] == "" {
					t.Errorf("fields %v do not name %s", e.Error.Fields, f)
				}
			}
		})
	}
}

func TestRegisterAndLogin(t *testing.T) {
	s := startServer(t, nil)
	valid := func(change map[string]any) map[string]any {
		b := map[string]any{"full_name": "Trần Thị Bình", "birth_date": "1988-12-01", "id_number": "079188001234",
			"phone": "0987654321", "email": "binh@example.vn", "province": "79", "commune": "Phường Sài Gòn",
			"unit": "Trường THPT A", "password": "mat-khau-123", "consent": true}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	runScenarios(t, s, []scenario{
		{"refuses registration without consent", "POST", "/api/v1/auth/register", "", valid(map[string]any{"consent": false}), 422, "validation_failed", []string{"consent"}},
		{"refuses a missing consent field", "POST", "/api/v1/auth/register", "", func() map[string]any { b := valid(nil); delete(b, "consent"); return b }(), 422, "validation_failed", []string{"consent"}},
		{"names every invalid field", "POST", "/api/v1/auth/register", "", valid(map[string]any{"phone": "12345", "id_number": "12", "province": "63", "birth_date": "01/12/1988"}), 422, "validation_failed", []string{"phone", "id_number", "province", "birth_date"}},
		{"refuses a wrong type as a field error", "POST", "/api/v1/auth/register", "", valid(map[string]any{"consent": "yes"}), 422, "validation_failed", []string{"consent"}},
		{"refuses broken JSON", "POST", "/api/v1/auth/register", "", `{"full_name":`, 400, "malformed_json", nil},
		{"registers a citizen", "POST", "/api/v1/auth/register", "", valid(nil), 201, "", nil},
		{"refuses the same phone twice", "POST", "/api/v1/auth/register", "", valid(map[string]any{"email": "", "phone": "+84 987 654 321"}), 409, "account_exists", []string{"phone"}},
		{"signs in by phone in any spelling", "POST", "/api/v1/auth/login", "", map[string]string{"login": "+84987654321", "password": "mat-khau-123"}, 200, "", nil},
		{"signs in by e-mail in any case", "POST", "/api/v1/auth/login", "", map[string]string{"login": "Binh@Example.VN", "password": "mat-khau-123"}, 200, "", nil},
		{"refuses a wrong password", "POST", "/api/v1/auth/login", "", map[string]string{"login": "0987654321", "password": "sai-mat-khau"}, 401, "invalid_credentials", nil},
		{"refuses an unknown account the same way", "POST", "/api/v1/auth/login", "", map[string]string{"login": "0900000000", "password": "mat-khau-123"}, 401, "invalid_credentials", nil},
	})

	var me struct {
		FullName string `json:"full_name"`
		Phone    string `json:"phone"`
		Consents []struct {
			Version string `json:"version"`
		} `json:"consents"`
	}
	token, _ := s.contestant("Lê Văn Cường")
	s.mustCall(200, "GET", "/api/v1/me", token, nil, &me)
	if me.FullName != "Lê Văn Cường" || len(me.Consents) != 1 || me.Consents[0].Version == "" {
		t.Errorf("me %+v, want the name and one consent record", me)
	}
}

func TestRateLimits(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_RATE_LIMIT": "1"})
	// Each guess names another account: ten at one account hit its own limit.
	for i := range 30 {
		if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": fmt.Sprintf("09000000%02d", i), "password": "sai-mat-khau"}); status != 401 {
			t.Fatalf("failed login %d: status %d, want 401", i+1, status)
		}
	}
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/auth/login", strings.NewReader(`{"login":"0900000000","password":"sai-mat-khau"}`))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("31st failed login: %d Retry-After=%q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// A correct password is refused too while the limit holds, so that
	// guessing cannot go on.
	if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": testAdminEmail, "password": testAdminPassword}); status != 429 {
		t.Errorf("login during the limit: %d, want 429", status)
	}
}

func TestAuthorization(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	contestant, _ := s.contestant("Phạm Thị Dung")
	other, _ := s.contestant("Hoàng Văn Em")
	roundID := s.round(admin, nil)
	attemptID := s.start(contestant, roundID)
	bank := s.demoBank(admin)
	runScenarios(t, s, []scenario{
		{"refuses banks without a token", "GET", "/api/v1/banks", "", nil, 401, "unauthorized", nil},
		{"refuses banks to a contestant", "GET", "/api/v1/banks", contestant, nil, 403, "forbidden", nil},
		{"refuses a forged token", "GET", "/api/v1/banks", admin[:len(admin)-2] + "xx", nil, 401, "unauthorized", nil},
		{"refuses a token that is not a bearer", "GET", "/api/v1/me", "", nil, 401, "unauthorized", nil},
		{"lets the admin act as organizer", "GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin, nil, 200, "", nil},
		{"refuses contest creation to a contestant", "POST", "/api/v1/contests", contestant, map[string]string{"slug": "x", "title": "x"}, 403, "forbidden", nil},
		{"refuses someone else's attempt", "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), other, nil, 403, "forbidden", nil},
		{"shows the owner their attempt", "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), contestant, nil, 200, "", nil},
		{"refuses an attempt start by staff", "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), admin, nil, 403, "forbidden", nil},
		{"answers an unknown attempt with 404", "GET", "/api/v1/attempts/999999", contestant, nil, 404, "not_found", nil},
		{"answers a malformed id with 404", "GET", "/api/v1/attempts/abc", contestant, nil, 404, "not_found", nil},
		{"answers an unknown route with 404", "GET", "/api/v1/nothing", "", nil, 404, "not_found", nil},
	})
	// The review of a running attempt never carries the correct options.
	_, body := s.call("GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), contestant, nil)
	if strings.Contains(string(body), `"correct":true`) || strings.Contains(string(body), `"correct":false`) {
		t.Errorf("a running attempt's review shows correct options: %.300s", body)
	}
}

func TestContestAndRoundValidation(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	var contest struct {
		ID int64 `json:"id"`
	}
	s.mustCall(201, "POST", "/api/v1/contests", admin, map[string]string{"slug": "tuan-1", "title": "Tuần 1"}, &contest)
	bank := s.demoBank(admin)
	rounds := fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID)
	base := func(change map[string]any) map[string]any {
		b := map[string]any{"name": "Đợt 1", "bank_id": bank, "opens_at": "2026-12-01T08:00:00+07:00",
			"closes_at": "2026-12-08T08:00:00+07:00", "duration_seconds": 900, "question_count": 20,
			"topic_quotas": map[string]int{"Giao dịch điện tử": 5}, "max_attempts": 3,
			"prediction_prompt": "Bao nhiêu người đúng hết?", "prediction_target": "perfect_scorers",
			"reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}}}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	runScenarios(t, s, []scenario{
		{"refuses a taken slug", "POST", "/api/v1/contests", admin, map[string]string{"slug": "tuan-1", "title": "Khác"}, 409, "slug_taken", []string{"slug"}},
		{"refuses a slug with diacritics", "POST", "/api/v1/contests", admin, map[string]string{"slug": "tuần-1", "title": "Khác"}, 422, "validation_failed", []string{"slug"}},
		{"refuses a round closing before it opens", "POST", rounds, admin, base(map[string]any{"closes_at": "2026-11-30T08:00:00+07:00"}), 422, "validation_failed", []string{"closes_at"}},
		{"refuses a time that is not RFC 3339", "POST", rounds, admin, base(map[string]any{"opens_at": "01/12/2026 08:00"}), 422, "validation_failed", []string{"opens_at"}},
		{"refuses more questions than the bank holds", "POST", rounds, admin, base(map[string]any{"question_count": 500}), 422, "validation_failed", []string{"question_count"}},
		{"refuses a quota on an unknown topic", "POST", rounds, admin, base(map[string]any{"topic_quotas": map[string]int{"Không có": 1}}), 422, "validation_failed", []string{"topic_quotas"}},
		{"refuses an unknown bank", "POST", rounds, admin, base(map[string]any{"bank_id": 9999}), 422, "validation_failed", []string{"bank_id"}},
		{"refuses an unknown prediction target", "POST", rounds, admin, base(map[string]any{"prediction_target": "winners"}), 422, "validation_failed", []string{"prediction_target"}},
		{"refuses an unknown reveal policy", "POST", rounds, admin, base(map[string]any{"reveal": "soon"}), 422, "validation_failed", []string{"reveal"}},
		{"refuses to reveal a prize round's answers after each submit", "POST", rounds, admin, base(map[string]any{"reveal": "after_submit"}), 422, "validation_failed", []string{"reveal"}},
		{"reveals a practice round's answers after each submit", "POST", rounds, admin, base(map[string]any{"reveal": "after_submit", "prizes": []any{}}), 201, "", nil},
		{"refuses a round in an unknown contest", "POST", "/api/v1/contests/9999/rounds", admin, base(nil), 404, "not_found", nil},
		{"refuses a round in an unknown contest before reading its body", "POST", "/api/v1/contests/9999/rounds", admin, base(map[string]any{"opens_at": "x"}), 404, "not_found", nil},
		{"names a bad time with the other invalid fields", "POST", rounds, admin, base(map[string]any{"opens_at": "x", "question_count": 0, "prediction_target": ""}), 422, "validation_failed", []string{"opens_at", "question_count", "prediction_target"}},
		{"creates a valid round", "POST", rounds, admin, base(nil), 201, "", nil},
	})
	// The unpublished contest is not public; publishing shows it.
	var list struct {
		Contests []struct {
			Slug string `json:"slug"`
		} `json:"contests"`
	}
	s.mustCall(200, "GET", "/api/v1/contests", "", nil, &list)
	for _, c := range list.Contests {
		if c.Slug == "tuan-1" {
			t.Fatal("an unpublished contest is listed")
		}
	}
	if status, _ := s.call("GET", fmt.Sprintf("/api/v1/contests/%d", contest.ID), "", nil); status != 404 {
		t.Errorf("unpublished contest by id: %d, want 404", status)
	}
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/contests/%d/publish", contest.ID), admin, nil, nil)
	var shown struct {
		Rounds []struct {
			Status      string         `json:"status"`
			TopicQuotas map[string]int `json:"topic_quotas"`
			OpensAt     string         `json:"opens_at"`
		} `json:"rounds"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/contests/%d", contest.ID), "", nil, &shown)
	if len(shown.Rounds) != 2 {
		t.Fatalf("rounds %+v, want the prize round and the practice round", shown.Rounds)
	}
	for _, r := range shown.Rounds {
		if r.OpensAt != "2026-12-01T01:00:00.000Z" || r.TopicQuotas["Giao dịch điện tử"] != 5 {
			t.Errorf("round shown as %+v, want opens_at in UTC with milliseconds and the quota", r)
		}
	}
}

func TestStartAttemptRules(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Võ Thị Giang")
	upcoming := s.round(admin, map[string]any{"opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-02-01T00:00:00Z"})
	once := s.round(admin, map[string]any{"max_attempts": 1})
	first := s.start(token, once)

	var resumed struct {
		AttemptID int64  `json:"attempt_id"`
		WSPath    string `json:"ws_path"`
		Resumed   bool   `json:"resumed"`
	}
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", once), token, nil, &resumed)
	if resumed.AttemptID != first || !resumed.Resumed || resumed.WSPath != fmt.Sprintf("/ws/attempts/%d", first) {
		t.Errorf("second start %+v, want attempt %d resumed", resumed, first)
	}
	runScenarios(t, s, []scenario{
		{"refuses a round not open yet", "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", upcoming), token, nil, 409, "round_not_open", nil},
		{"refuses an unknown round", "POST", "/api/v1/rounds/9999/attempts", token, nil, 404, "not_found", nil},
	})
	ws := s.dial(fmt.Sprintf("/ws/attempts/%d", first), token)
	ws.state()
	ws.send(map[string]any{"type": "submit", "seq": 1})
	ws.expect("result")
	runScenarios(t, s, []scenario{
		{"refuses a start once max attempts are used", "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", once), token, nil, 409, "attempts_exhausted", nil},
	})
}

func TestRateLimitsBehindAProxy(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_RATE_LIMIT": "1", "HOITHI_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
	guesses := 0
	failedLogin := func(forwardedFor string) int {
		guesses++ // each at another account: ten at one account hit its own limit
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"login":"09000000%02d","password":"sai-mat-khau"}`, guesses)))
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The client forges the left part; the proxies appended the rest.
	for i := range 30 {
		if status := failedLogin(fmt.Sprintf("198.51.100.%d, 203.0.113.7, 10.1.2.3", i)); status != 401 {
			t.Fatalf("failed login %d: %d, want 401", i+1, status)
		}
	}
	if status := failedLogin("192.0.2.1, 203.0.113.7"); status != 429 {
		t.Errorf("31st failed login from 203.0.113.7 with a forged header: %d, want 429", status)
	}
	if status := failedLogin("203.0.113.8"); status != 401 {
		t.Errorf("another client behind the proxy: %d, want 401", status)
	}
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	post := func(path, body string, header http.Header) (int, string) {
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
		req.Header = header
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data := make([]byte, 4096)
		n, _ := resp.Body.Read(data)
		return resp.StatusCode, string(data[:n])
	}
	evil := "https://evil.example"
	cases := []struct {
		name   string
		path   string
		body   string
		header http.Header
		want   int
	}{
		{"a login posted from another site", "/api/v1/auth/login", `{"login":"` + testAdminEmail + `","password":"` + testAdminPassword + `"}`,
			http.Header{"Origin": {evil}, "Content-Type": {"application/json"}}, 403},
		{"a login form posted from another site", "/login", "login=" + testAdminEmail + "&password=" + testAdminPassword,
			http.Header{"Origin": {evil}, "Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"text/html"}}, 403},
		{"a contest created with the cookie from another site", "/api/v1/contests", `{"slug":"x","title":"x"}`,
			http.Header{"Cookie": {"hoithi_token=" + admin}, "Referer": {evil + "/page"}, "Content-Type": {"application/json"}}, 403},
		{"a program posting without Origin is served", "/api/v1/auth/login", `{"login":"` + testAdminEmail + `","password":"` + testAdminPassword + `"}`,
			http.Header{"Content-Type": {"application/json"}}, 200},
		{"the site's own form is served", "/login", "login=" + testAdminEmail + "&password=" + testAdminPassword,
			http.Header{"Origin": {s.URL}, "Content-Type": {"application/x-www-form-urlencoded"}}, 303},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, body := post(c.path, c.body, c.header); status != c.want {
				t.Errorf("status %d, want %d: %.200s", status, c.want, body)
			}
		})
	}
	var consent struct {
		Version string `json:"version"`
		TextVI  string `json:"text_vi"`
	}
	s.mustCall(200, "GET", "/api/v1/consent", "", nil, &consent)
	if consent.Version == "" || !strings.Contains(consent.TextVI, "91/2025/QH15") {
		t.Errorf("consent %+v", consent)
	}
	body := map[string]any{"full_name": "Phan Văn Tài", "birth_date": "1990-01-01", "id_number": "001090099999",
		"phone": "0911999888", "province": "01", "password": "mat-khau-123", "consent": true, "consent_version": "old"}
	status, data := s.call("POST", "/api/v1/auth/register", "", body)
	if status != 422 || !strings.Contains(string(data), `"consent"`) {
		t.Errorf("registration against an old consent text: %d %s, want 422 naming consent", status, data)
	}
	body["consent_version"] = consent.Version
	s.mustCall(201, "POST", "/api/v1/auth/register", "", body, nil)
}

func TestUnpublishAndClone(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"opens_at": "2026-12-01T08:00:00+07:00", "closes_at": "2026-12-07T17:00:00+07:00",
		"topic_quotas": map[string]int{"Giao dịch điện tử": 2}})
	var round struct {
		ContestID int64 `json:"contest_id"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), admin, nil, &round)

	var clone struct {
		ID          int64          `json:"id"`
		Name        string         `json:"name"`
		OpensAt     string         `json:"opens_at"`
		ClosesAt    string         `json:"closes_at"`
		TopicQuotas map[string]int `json:"topic_quotas"`
		Prizes      []struct {
			Name string `json:"name"`
		} `json:"prizes"`
	}
	s.mustCall(201, "POST", fmt.Sprintf("/api/v1/rounds/%d/clone", roundID), admin, nil, &clone)
	if clone.ID == roundID || clone.OpensAt != "2026-12-08T01:00:00.000Z" || clone.ClosesAt != "2026-12-14T10:00:00.000Z" ||
		clone.TopicQuotas["Giao dịch điện tử"] != 2 || len(clone.Prizes) != 1 {
		t.Errorf("clone %+v, want the same round a week later", clone)
	}
	s.mustCall(201, "POST", fmt.Sprintf("/api/v1/rounds/%d/clone", roundID), admin, map[string]any{"days": 14, "name": "Tuần 3"}, &clone)
	if clone.Name != "Tuần 3" || clone.OpensAt != "2026-12-15T01:00:00.000Z" {
		t.Errorf("clone with days and name %+v", clone)
	}
	if status, _ := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/clone", roundID), admin, map[string]any{"days": -1}); status != 422 {
		t.Errorf("negative days: %d, want 422", status)
	}

	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/contests/%d/unpublish", round.ContestID), admin, nil, nil)
	if status, _ := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), "", nil); status != 404 {
		t.Errorf("a round of an unpublished contest: %d, want 404 to the public", status)
	}
	token, _ := s.contestant("Người Đến Muộn")
	if status, _ := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil); status != 404 {
		t.Errorf("start in an unpublished contest: %d, want 404", status)
	}
}

func TestUpdateRound(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.demoBank(admin)
	roundID := s.round(admin, nil)
	body := func(change map[string]any) map[string]any {
		now := time.Now().UTC()
		b := map[string]any{"name": "Đợt đã sửa", "bank_id": bank, "opens_at": now.Add(-time.Minute).Format(time.RFC3339),
			"closes_at": now.Add(2 * time.Hour).Format(time.RFC3339), "duration_seconds": 600, "question_count": 5,
			"max_attempts": 2, "reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}}}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	path := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	var r struct {
		Name          string `json:"name"`
		QuestionCount int    `json:"question_count"`
	}
	s.mustCall(200, "PUT", path, admin, body(map[string]any{"question_count": 6}), &r)
	if r.Name != "Đợt đã sửa" || r.QuestionCount != 6 {
		t.Errorf("updated round %+v", r)
	}
	token, _ := s.contestant("Người Thi Trước")
	s.start(token, roundID)
	runScenarios(t, s, []scenario{
		{"refuses a new question count once attempts started", "PUT", path, admin, body(map[string]any{"question_count": 7}), 409, "round_started", []string{"question_count"}},
		{"refuses a shorter time per attempt once attempts started", "PUT", path, admin, body(map[string]any{"question_count": 6, "duration_seconds": 60}), 409, "round_started", []string{"duration_seconds"}},
		{"refuses invalid fields", "PUT", path, admin, body(map[string]any{"closes_at": "x"}), 422, "validation_failed", []string{"closes_at"}},
		{"refuses to reveal a prize round's answers after each submit", "PUT", path, admin, body(map[string]any{"question_count": 6, "reveal": "after_submit"}), 422, "validation_failed", []string{"reveal"}},
		{"refuses an update by a contestant", "PUT", path, token, body(nil), 403, "forbidden", nil},
		{"refuses an unknown round", "PUT", "/api/v1/rounds/99999", admin, body(nil), 404, "not_found", nil},
		{"moves the close once attempts started", "PUT", path, admin, body(map[string]any{"question_count": 6, "name": "Gia hạn"}), 200, "", nil},
	})
}
