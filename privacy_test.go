package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// ownData is the downloaded file, decoded.
type ownData struct {
	Account struct {
		ID       int64  `json:"id"`
		FullName string `json:"full_name"`
		IDNumber string `json:"id_number"`
		Phone    string `json:"phone"`
	} `json:"account"`
	Consents []struct {
		Purpose   string `json:"purpose"`
		Version   string `json:"version"`
		AgreedAt  string `json:"agreed_at"`
		IP        string `json:"ip"`
		UserAgent string `json:"user_agent"`
		Text      string `json:"text"`
	} `json:"consents"`
	Attempts []struct {
		ID          int64   `json:"id"`
		RoundID     int64   `json:"round_id"`
		StartedAt   string  `json:"started_at"`
		SubmittedAt *string `json:"submitted_at"`
		Score       *int    `json:"score"`
		Prediction  *int    `json:"prediction"`
	} `json:"attempts"`
	Results []struct {
		RoundID  int64  `json:"round_id"`
		Rank     int    `json:"rank"`
		Prize    string `json:"prize"`
		Recorded struct {
			IDNumber string `json:"id_number"`
		} `json:"recorded"`
	} `json:"results"`
}

// download fetches GET /api/v1/me/data with a bearer token.
func (s *testServer) download(token string) (int, http.Header, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/me/data", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// sqlDB opens the server's database file beside the server, as another
// process would.
func (s *testServer) sqlDB() *sql.DB {
	s.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+s.DBPath+"?_busy_timeout=10000")
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { db.Close() })
	return db
}

// submitAttempt submits a started attempt, unanswered, over its websocket.
func (s *testServer) submitAttempt(token string, attemptID int64) {
	s.t.Helper()
	ws := s.dial(attemptWS(attemptID), token)
	ws.state()
	ws.send(map[string]any{"type": "submit", "seq": 1, "prediction": 3})
	ws.expect("result")
	ws.Close()
}

// lockedResult inserts a row into a round's locked ranking at position
// (and rank) n, as a lock would, copying the person's data from their
// account.
func lockedResult(t *testing.T, db *sql.DB, roundID int64, n int, userID, attemptID int64) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO round_results (round_id, position, rank, prize_tier, prize, user_id, attempt_id,
		full_name, birth_date, id_number, phone, unit, province, commune, score, correct, total, duration_ms,
		started_at, submitted_at)
		SELECT ?1, ?2, ?2, 1, 'Giải Nhất', id, ?3, full_name, birth_date, id_number, phone, unit, province, 'Phường Ba Đình',
		0, 0, 5, 1000, 0, 1000 FROM users WHERE id = ?4`, roundID, n, attemptID, userID)
	if err != nil {
		t.Fatal(err)
	}
}

func TestOwnDataDownload(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, id := s.contestant("Đỗ Thị Mai")
	roundID := s.round(admin, map[string]any{"prediction_prompt": "Bao nhiêu người dự thi?", "prediction_target": "participants"})
	attemptID := s.start(token, roundID)
	s.submitAttempt(token, attemptID)
	lockedResult(t, s.sqlDB(), roundID, 1, id, attemptID)

	status, header, body := s.download(token)
	if status != 200 {
		t.Fatalf("download: %d %s", status, body)
	}
	if got, want := header.Get("Content-Disposition"), fmt.Sprintf(`attachment; filename="hoithi-du-lieu-%d.json"`, id); got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var d ownData
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if d.Account.ID != id || d.Account.FullName != "Đỗ Thị Mai" || len(d.Account.IDNumber) != 12 || d.Account.Phone == "" {
		t.Errorf("account %+v", d.Account)
	}
	if len(d.Consents) != 1 {
		t.Fatalf("consents %+v, want the one given at registration", d.Consents)
	}
	k := d.Consents[0]
	if k.Purpose != "contest" || k.Version != "contest-2026-02" || k.IP != "127.0.0.1" || k.UserAgent == "" ||
		!strings.Contains(k.Text, "91/2025/QH15") || len(k.AgreedAt) != len("2026-01-01T00:00:00.000Z") {
		t.Errorf("consent %+v", k)
	}
	if len(d.Attempts) != 1 {
		t.Fatalf("attempts %+v, want one", d.Attempts)
	}
	a := d.Attempts[0]
	if a.ID != attemptID || a.RoundID != roundID || a.SubmittedAt == nil || a.Score == nil || a.Prediction == nil || *a.Prediction != 3 ||
		!strings.HasSuffix(a.StartedAt, "Z") {
		t.Errorf("attempt %+v", a)
	}
	if len(d.Results) != 1 || d.Results[0].Rank != 1 || d.Results[0].Prize != "Giải Nhất" || d.Results[0].Recorded.IDNumber != d.Account.IDNumber {
		t.Errorf("results %+v, want the locked row", d.Results)
	}

	var n int
	s.sqlDB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'own_data' AND user_id = ?", id).Scan(&n)
	if n != 1 {
		t.Errorf("%d audit entries for the download, want 1", n)
	}
	if status, _, _ := s.download(""); status != 401 {
		t.Errorf("anonymous download: %d, want 401", status)
	}
}

func TestDeleteAccount(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	token, id := s.contestant("Quách Văn Tùng")
	other, _ := s.contestant("Mạc Thị Hằng")
	attemptID := s.start(token, roundID)
	s.submitAttempt(token, attemptID)
	s.submitAttempt(other, s.start(other, roundID))
	db := s.sqlDB()
	lockedResult(t, db, roundID, 1, id, attemptID)
	var phone string
	db.QueryRow("SELECT phone FROM users WHERE id = ?", id).Scan(&phone)

	board := func() string {
		_, raw := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard?limit=10", roundID), "", nil)
		return string(raw)
	}
	if !strings.Contains(board(), "Quách Văn Tùng") {
		t.Fatalf("the leaderboard does not show the contestant before deletion: %s", board())
	}

	runScenarios(t, s, []scenario{
		{name: "refuses a staff account", method: "DELETE", path: "/api/v1/me", token: admin,
			body: map[string]string{"password": testAdminPassword}, wantStatus: 403, wantCode: "forbidden"},
		{name: "refuses a wrong password", method: "DELETE", path: "/api/v1/me", token: token,
			body: map[string]string{"password": "sai-mat-khau"}, wantStatus: 401, wantCode: "invalid_credentials"},
		{name: "refuses an empty password", method: "DELETE", path: "/api/v1/me", token: token,
			body: map[string]string{}, wantStatus: 401, wantCode: "invalid_credentials"},
		{name: "refuses an anonymous caller", method: "DELETE", path: "/api/v1/me",
			body: map[string]string{"password": "mat-khau-123"}, wantStatus: 401, wantCode: "unauthorized"},
	})
	t.Run("a refused deletion changes nothing", func(t *testing.T) {
		s.mustCall(200, "POST", "/api/v1/auth/login", "", map[string]string{"login": phone, "password": "mat-khau-123"}, nil)
		status, body := s.call("GET", "/api/v1/me", token, nil)
		if status != 200 || !strings.Contains(string(body), "Quách Văn Tùng") {
			t.Errorf("GET /me: %d %s", status, body)
		}
	})

	// A leaderboard socket opened before the deletion: its board is the one
	// built with the name.
	watcher := s.dial(fmt.Sprintf("/ws/rounds/%d/leaderboard", roundID), "")
	if first := watcher.readBoard(); !strings.Contains(string(first.Raw), "Quách Văn Tùng") {
		t.Fatalf("the socket's first board does not show the contestant: %s", first.Raw)
	}

	req, _ := http.NewRequest("DELETE", s.URL+"/api/v1/me", strings.NewReader(`{"password":"mat-khau-123"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d, want 204", resp.StatusCode)
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "hoithi_token=;") {
		t.Errorf("the session cookie was not cleared: %q", c)
	}

	t.Run("signing in fails", func(t *testing.T) {
		status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": phone, "password": "mat-khau-123"})
		if status != 401 || !strings.Contains(string(body), "invalid_credentials") {
			t.Errorf("login: %d %s, want 401 invalid_credentials", status, body)
		}
	})
	t.Run("the old token no longer works", func(t *testing.T) {
		for _, call := range [][2]string{{"GET", "/api/v1/me"}, {"GET", "/api/v1/me/data"}, {"DELETE", "/api/v1/me"}} {
			status, body := s.call(call[0], call[1], token, map[string]string{"password": "mat-khau-123"})
			if status != 401 {
				t.Errorf("%s %s: %d %s, want 401", call[0], call[1], status, body)
			}
		}
	})
	t.Run("the leaderboard drops the name", func(t *testing.T) {
		raw := board()
		if strings.Contains(raw, "Quách Văn Tùng") || !strings.Contains(raw, "Người dùng đã xóa") || !strings.Contains(raw, "Mạc Thị Hằng") {
			t.Errorf("leaderboard after deletion: %s", raw)
		}
	})
	t.Run("a socket watching the leaderboard is pushed the board without the name", func(t *testing.T) {
		for {
			b := watcher.readBoard() // fails if nothing comes within seconds
			if b.Type == "leaderboard" && !strings.Contains(string(b.Raw), "Quách Văn Tùng") {
				if !strings.Contains(string(b.Raw), "Người dùng đã xóa") {
					t.Errorf("pushed %s, want the deleted account's line renamed", b.Raw)
				}
				return
			}
		}
	})
	t.Run("the locked result keeps its rank without the person", func(t *testing.T) {
		var rank int
		var prize, name, birth, idNumber, rowPhone, commune, unit string
		err := db.QueryRow(`SELECT rank, prize, full_name, birth_date, id_number, phone, commune, unit
			FROM round_results WHERE round_id = ? AND user_id = ?`, roundID, id).
			Scan(&rank, &prize, &name, &birth, &idNumber, &rowPhone, &commune, &unit)
		if err != nil {
			t.Fatal(err)
		}
		if rank != 1 || prize != "Giải Nhất" || unit != "Sở Tư pháp" || name != "Người dùng đã xóa" ||
			birth != "" || idNumber != "" || rowPhone != "" || commune != "" {
			t.Errorf("locked row: %d %q %q %q %q %q %q %q", rank, prize, name, birth, idNumber, rowPhone, commune, unit)
		}
	})
	t.Run("the audit log records it without the person's data", func(t *testing.T) {
		var actor, detail string
		err := db.QueryRow("SELECT actor, detail FROM audit_log WHERE action = 'delete_account' AND user_id = ?", id).Scan(&actor, &detail)
		if err != nil || strings.Contains(actor+detail, "Quách") || strings.Contains(actor+detail, phone) {
			t.Errorf("audit entry %q %q, %v", actor, detail, err)
		}
	})
	t.Run("the other contestant is untouched", func(t *testing.T) {
		status, body := s.call("GET", "/api/v1/me", other, nil)
		if status != 200 || !strings.Contains(string(body), "Mạc Thị Hằng") {
			t.Errorf("GET /me: %d %s", status, body)
		}
	})
}

func TestDeleteAccountPage(t *testing.T) {
	s := startServer(t, nil)
	token, _ := s.contestant("Tôn Nữ Thu")
	form := func(password, confirm string) (int, string, http.Header) {
		v := url.Values{"password": {password}}
		if confirm != "" {
			v.Set("confirm", confirm)
		}
		return s.page("POST", "/me/delete", token, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
	}

	status, body, _ := s.page("GET", "/me", token, nil, "")
	if status != 200 || !strings.Contains(body, "Dữ liệu cá nhân của tôi") || !strings.Contains(body, `href="/api/v1/me/data"`) ||
		!strings.Contains(body, `action="/me/delete"`) {
		t.Fatalf("/me: %d, want the personal data section", status)
	}
	if strings.Contains(body, `name="confirm" value="yes" checked`) {
		t.Error("the confirmation box is ticked in advance")
	}
	if status, body, _ := s.page("GET", "/me", s.admin(), nil, ""); status != 200 || strings.Contains(body, `action="/me/delete"`) {
		t.Errorf("a staff account's /me: %d, want no delete form", status)
	}

	t.Run("asks for the confirmation box", func(t *testing.T) {
		status, body, _ := form("mat-khau-123", "")
		if status != 422 || !strings.Contains(body, "Hãy đánh dấu ô xác nhận") {
			t.Errorf("got %d, want 422 with the Vietnamese notice", status)
		}
	})
	t.Run("says the password is wrong", func(t *testing.T) {
		status, body, _ := form("sai-mat-khau", "yes")
		if status != 401 || !strings.Contains(body, "Mật khẩu không đúng. Tài khoản của bạn chưa bị xóa.") {
			t.Errorf("got %d, want 401 with the Vietnamese notice", status)
		}
	})
	s.mustCall(200, "GET", "/api/v1/me", token, nil, nil)

	status, _, header := form("mat-khau-123", "yes")
	if status != 303 || header.Get("Location") != "/?notice=privacy.deleted" {
		t.Fatalf("delete: %d to %q, want 303 to the home page", status, header.Get("Location"))
	}
	if c := header.Get("Set-Cookie"); !strings.Contains(c, "hoithi_token=;") {
		t.Errorf("the session cookie was not cleared: %q", c)
	}
	if status, _, header := s.page("GET", "/me", token, nil, ""); status != 303 || !strings.HasPrefix(header.Get("Location"), "/login") {
		t.Errorf("/me with the old cookie: %d %q, want a redirect to the login page", status, header.Get("Location"))
	}
}
