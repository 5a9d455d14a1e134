package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// withdrawal is POST /api/v1/me/consent/withdraw's answer, decoded.
type withdrawal struct {
	Consents []struct {
		Purpose     string  `json:"purpose"`
		Version     string  `json:"version"`
		AgreedAt    string  `json:"agreed_at"`
		Text        string  `json:"text"`
		WithdrawnAt *string `json:"withdrawn_at"`
	} `json:"consents"`
	Results int `json:"results"`
}

func TestWithdrawConsentThroughTheAPI(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	token, id := s.contestant("Tạ Văn Hùng")
	attemptID := s.start(token, roundID)
	s.submitAttempt(token, attemptID)
	db := s.sqlDB()
	lockedResult(t, db, roundID, 1, id, attemptID)
	phone := s.phoneOf(id)

	var before ownData
	_, _, raw := s.download(token)
	if err := json.Unmarshal(raw, &before); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"withdrawn_at": null`) {
		t.Errorf("the download does not say the consent stands: %s", raw)
	}

	runScenarios(t, s, []scenario{
		{name: "refuses a staff account", method: "POST", path: "/api/v1/me/consent/withdraw", token: admin,
			body: map[string]string{"password": testAdminPassword}, wantStatus: 403, wantCode: "forbidden"},
		{name: "refuses a wrong password", method: "POST", path: "/api/v1/me/consent/withdraw", token: token,
			body: map[string]string{"password": "sai-mat-khau"}, wantStatus: 401, wantCode: "invalid_credentials"},
		{name: "refuses an anonymous caller", method: "POST", path: "/api/v1/me/consent/withdraw",
			body: map[string]string{"password": "mat-khau-123"}, wantStatus: 401, wantCode: "unauthorized"},
		{name: "refuses broken JSON", method: "POST", path: "/api/v1/me/consent/withdraw", token: token,
			body: `{"password":`, wantStatus: 400, wantCode: "malformed_json"},
	})
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)

	start := time.Now().Add(-time.Second)
	var w withdrawal
	s.mustCall(http.StatusOK, "POST", "/api/v1/me/consent/withdraw", token, map[string]string{"password": "mat-khau-123"}, &w)
	t.Run("answers with the receipt", func(t *testing.T) {
		if len(w.Consents) != 1 || w.Results != 1 {
			t.Fatalf("answer %+v, want the one consent and the one locked row", w)
		}
		k := w.Consents[0]
		if k.Version != before.Consents[0].Version || k.AgreedAt != before.Consents[0].AgreedAt || k.WithdrawnAt == nil ||
			!strings.Contains(k.Text, "91/2025/QH15") {
			t.Fatalf("receipt %+v", k)
		}
		at, err := time.Parse(time.RFC3339, *k.WithdrawnAt)
		if err != nil || at.Before(start) || at.After(time.Now()) {
			t.Errorf("withdrawn at %s, want now", *k.WithdrawnAt)
		}
	})
	t.Run("keeps the record of the withdrawal", func(t *testing.T) {
		var ip, agent string
		err := db.QueryRow(`SELECT w.ip, w.user_agent FROM consent_withdrawals w JOIN consents k ON k.id = w.consent_id
			WHERE k.user_id = ?`, id).Scan(&ip, &agent)
		if err != nil || ip != "127.0.0.1" || agent == "" {
			t.Errorf("withdrawal record %q %q, %v", ip, agent, err)
		}
		var actor string
		err = db.QueryRow("SELECT actor FROM audit_log WHERE action = 'withdraw_consent' AND user_id = ?", id).Scan(&actor)
		if err != nil || strings.Contains(actor, "Tạ Văn") || strings.Contains(actor, phone) {
			t.Errorf("audit actor %q, %v", actor, err)
		}
	})
	t.Run("has the effect of a deletion", func(t *testing.T) {
		if status, body := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": phone, "password": "mat-khau-123"}); status != 401 {
			t.Errorf("login after the withdrawal: %d %s, want 401", status, body)
		}
		if status, _ := s.call("GET", "/api/v1/me", token, nil); status != 401 {
			t.Errorf("the old token: %d, want 401", status)
		}
		var name, idNumber string
		db.QueryRow("SELECT full_name, id_number FROM users WHERE id = ?", id).Scan(&name, &idNumber)
		if name != "Người dùng đã xóa" || idNumber != "" {
			t.Errorf("account after the withdrawal: %q %q", name, idNumber)
		}
		_, raw := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard", roundID), "", nil)
		if strings.Contains(string(raw), "Tạ Văn Hùng") {
			t.Errorf("leaderboard after the withdrawal: %s", raw)
		}
	})
}

func TestWithdrawConsentPage(t *testing.T) {
	s := startServer(t, nil)
	token, id := s.contestant("Lục Thị Khánh")
	form := func(values url.Values) (int, string, http.Header) {
		return s.page("POST", "/me/consent/withdraw", token, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
	}

	_, me, _ := s.page("GET", "/me", token, nil, "")
	if !strings.Contains(me, `href="/me/consent/withdraw"`) || !strings.Contains(me, "Tham gia cuộc thi, xác minh người đoạt giải và trao giải") {
		t.Fatal("/me has no withdrawal button or does not name the consent's purpose")
	}
	status, body, _ := s.page("GET", "/me/consent/withdraw", token, nil, "")
	for _, want := range []string{"Rút lại sự đồng ý xử lý dữ liệu cá nhân", "bị xóa ngay", "không đăng nhập lại được",
		"giữ nguyên", "Không thể hoàn tác", "Xóa tài khoản", "contest-2026-02"} {
		if !strings.Contains(body, want) {
			t.Errorf("the confirmation step lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(body, `name="confirm" value="yes" checked`) {
		t.Errorf("confirmation step: %d, want 200 with the box not ticked", status)
	}

	t.Run("asks for the confirmation box", func(t *testing.T) {
		status, body, _ := form(url.Values{"password": {"mat-khau-123"}})
		if status != 422 || !strings.Contains(body, "Sự đồng ý của bạn chưa bị rút lại.") {
			t.Errorf("got %d, want 422 saying nothing was withdrawn", status)
		}
	})
	t.Run("says the password is wrong", func(t *testing.T) {
		status, body, _ := form(url.Values{"password": {"sai-mat-khau"}, "confirm": {"yes"}})
		if status != 401 || !strings.Contains(body, "Mật khẩu không đúng. Sự đồng ý của bạn chưa bị rút lại.") {
			t.Errorf("got %d, want 401 saying the password is wrong", status)
		}
	})
	s.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, nil)

	status, body, header := form(url.Values{"password": {"mat-khau-123"}, "confirm": {"yes"}})
	if status != 200 || !strings.Contains(body, "Đã rút lại sự đồng ý") || !strings.Contains(body, "Đã rút lại lúc") {
		t.Fatalf("withdrawal: %d, want the receipt", status)
	}
	if c := header.Get("Set-Cookie"); !strings.Contains(c, "hoithi_token=;") {
		t.Errorf("the session cookie was not cleared: %q", c)
	}
	if strings.Contains(body, `id="nav-me"`) {
		t.Error("the receipt is shown as to a signed-in visitor")
	}
	var n int
	s.sqlDB().QueryRow(`SELECT count(*) FROM consent_withdrawals w JOIN consents k ON k.id = w.consent_id WHERE k.user_id = ?`, id).Scan(&n)
	if n != 1 {
		t.Errorf("%d withdrawal records, want 1", n)
	}
	if status, _, header := s.page("GET", "/me", token, nil, ""); status != 303 || !strings.HasPrefix(header.Get("Location"), "/login") {
		t.Errorf("/me with the old cookie: %d %q, want a redirect to the login page", status, header.Get("Location"))
	}
}

func TestOwnDataPage(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"question_count": 3})
	key := s.key(admin)
	token, id := s.person(map[string]any{"full_name": "Mai Văn Long", "birth_date": "1985-12-01", "province": "01"})
	s.play(token, roundID, key, 2, nil)

	if status, _, h := s.page("GET", "/me/data", "", nil, ""); status != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q, want a redirect to the login page", status, h.Get("Location"))
	}
	status, body, _ := s.page("GET", "/me/data", token, nil, "")
	if status != 200 {
		t.Fatalf("/me/data: %d", status)
	}
	var agreed, started int64
	db := s.sqlDB()
	db.QueryRow("SELECT agreed_at FROM consents WHERE user_id = ?", id).Scan(&agreed)
	db.QueryRow("SELECT started_at FROM attempts WHERE user_id = ?", id).Scan(&started)
	vietnam := time.FixedZone("ICT", 7*3600)
	for _, want := range []string{
		"Mai Văn Long", "01/12/1985", "Hà Nội", // the province by name
		"Tham gia cuộc thi, xác minh người đoạt giải và trao giải", "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15",
		time.UnixMilli(agreed).In(vietnam).Format("15:04 02/01/2006"), time.UnixMilli(started).In(vietnam).Format("15:04 02/01/2006"),
		"2/3 câu", `id="print-now"`, `href="/api/v1/me/data"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/me/data lacks %q", want)
		}
	}
	for _, technical := range []string{`"province"`, "contest-2026-02\"", ">contest<", ">01<"} {
		if strings.Contains(body, technical) {
			t.Errorf("/me/data shows the technical %s", technical)
		}
	}
	s.page("GET", "/me/data", token, nil, "")
	var n int
	db.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'own_data_page' AND user_id = ?", id).Scan(&n)
	if n != 1 {
		t.Errorf("%d audit entries for two views within the hour, want 1", n)
	}
}

func TestWinnerIsTold(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "can-bo-giai@so.gov.vn")
	roundID := s.round(admin, map[string]any{"question_count": 3})
	key := s.key(admin)
	winner, winnerID := s.person(map[string]any{"full_name": "Phan Thị Mơ"})
	loser, _ := s.person(map[string]any{"full_name": "Phan Văn Nam"})
	s.play(winner, roundID, key, 3, nil)
	s.play(loser, roundID, key, 1, nil)
	s.closeRound(admin, roundID)
	var slug string
	s.sqlDB().QueryRow("SELECT c.slug FROM contests c JOIN rounds r ON r.contest_id = c.id WHERE r.id = ?", roundID).Scan(&slug)
	certificate := fmt.Sprintf(`href="/me/rounds/%d/certificate"`, roundID)
	pages := []string{"/contests/" + slug, "/me"}

	for _, path := range pages {
		if _, body, _ := s.page("GET", path, winner, nil, ""); strings.Contains(body, `id="prizes"`) {
			t.Errorf("%s tells of a prize before the lock", path)
		}
	}
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
	for _, path := range pages {
		_, body, _ := s.page("GET", path, winner, nil, "")
		notice := sectionOf(body, `id="prizes"`)
		if !strings.Contains(notice, "Chúc mừng bạn đã đoạt giải!") || !strings.Contains(notice, "Giải Nhất") || !strings.Contains(notice, certificate) {
			t.Errorf("%s does not tell the winner with the certificate link:\n%s", path, notice)
		}
		if strings.Contains(body, `id="prize-identity"`) {
			t.Errorf("%s asks for identity data the winner gave", path)
		}
		if _, body, _ := s.page("GET", path, loser, nil, ""); strings.Contains(body, `id="prizes"`) {
			t.Errorf("%s tells someone without a prize of one", path)
		}
	}

	// A contest that asks identity only of prize winners: the winner has
	// neither number nor birth date yet.
	if _, err := s.sqlDB().Exec("UPDATE users SET id_number = '', birth_date = '' WHERE id = ?", winnerID); err != nil {
		t.Fatal(err)
	}
	for _, path := range pages {
		_, body, _ := s.page("GET", path, winner, nil, "")
		if !strings.Contains(body, `id="prize-identity"`) || !strings.Contains(body, `href="/me/profile?next=`) ||
			!strings.Contains(body, "số định danh cá nhân và ngày sinh") {
			t.Errorf("%s does not ask the winner to complete their data", path)
		}
	}
	s.correct(winner, map[string]any{"id_number": "079190001299", "birth_date": "1990-01-01"})
	if _, body, _ := s.page("GET", "/me", winner, nil, ""); strings.Contains(body, `id="prize-identity"`) {
		t.Error("/me still asks for the data once given")
	}
	var flagged int
	s.sqlDB().QueryRow("SELECT count(*) FROM audit_log WHERE action = 'update_profile' AND round_id = ?", roundID).Scan(&flagged)
	if flagged != 1 {
		t.Errorf("%d entries in the round's log for the winner's data, want 1", flagged)
	}
}

// sectionOf returns the part of a page from near to the end of the
// section it opens.
func sectionOf(body, near string) string {
	i := strings.Index(body, near)
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</section>")
	if end < 0 {
		return body[i:]
	}
	return body[i : i+end]
}
