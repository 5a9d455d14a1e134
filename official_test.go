package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const formType = "application/x-www-form-urlencoded"

func TestOfficialPages(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	contestant, _ := s.contestant("Người Xem")
	roundPage := fmt.Sprintf("/official/rounds/%d", roundID)

	// Before the close: the page says so and offers no list or lock.
	status, body, _ := s.page("GET", roundPage, official, nil, "")
	if status != 200 || !strings.Contains(body, "chưa kết thúc") || strings.Contains(body, `id="lock-form"`) {
		t.Errorf("round page while open: %d\n%s", status, body)
	}
	s.closeRound(admin, roundID)

	for _, c := range []struct {
		token string
		want  int
	}{{"", http.StatusSeeOther}, {contestant, 403}, {organizer, 403}, {official, 200}, {admin, 200}} {
		if status, _, _ := s.page("GET", "/official", c.token, nil, ""); status != c.want {
			t.Errorf("/official: %d, want %d", status, c.want)
		}
	}
	_, home, _ := s.page("GET", "/official", official, nil, "")
	if !strings.Contains(home, roundPage) || !strings.Contains(home, `href="/official"`) {
		t.Errorf("officials' home lacks the round or the nav link:\n%s", home)
	}

	_, body, _ = s.page("GET", roundPage, official, nil, "")
	for _, want := range []string{"Nguyễn Văn An", "Giải Nhất", "079090000", `id="lock-form"`, "tạm tính",
		`=HYPERLINK(&#34;http://x.example&#34;,&#34;bấm&#34;)`, "/winners.xlsx", "/print"} {
		if !strings.Contains(body, want) {
			t.Errorf("round page lacks %q", want)
		}
	}
	if strings.Contains(body, `<a href="http://x.example"`) {
		t.Error("the hostile unit became a link")
	}

	// Locking needs the box ticked; then the page says who locked.
	status, body, _ = s.page("POST", roundPage+"/lock", official, strings.NewReader(""), formType)
	if status != 422 || !strings.Contains(body, "đánh dấu ô xác nhận") {
		t.Errorf("lock without confirmation: %d", status)
	}
	// The refused page's language switch leads back to the round's page,
	// not to the form's POST-only address.
	req, _ := http.NewRequest("POST", s.URL+roundPage+"/lock", strings.NewReader(""))
	req.Header.Set("Content-Type", formType)
	req.Header.Set("Origin", s.URL)
	req.Header.Set("Referer", s.URL+roundPage)
	req.Header.Set("Cookie", "hoithi_token="+official)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	refused, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "/lang/en?next=" + url.QueryEscape(roundPage); !strings.Contains(string(refused), strings.ReplaceAll(want, "%2F", "%2f")) &&
		!strings.Contains(string(refused), want) {
		t.Errorf("refused lock page: no language link to %s", want)
	}
	var w winnersAnswer
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d/winners", roundID), official, nil, &w)
	if w.Locked {
		t.Fatal("a refused lock form locked the round")
	}
	status, _, hdr := s.page("POST", roundPage+"/lock", official, strings.NewReader("confirm=yes"), formType)
	if status != http.StatusSeeOther || hdr.Get("Location") != roundPage+"?done=locked" {
		t.Fatalf("lock form: %d %s", status, hdr.Get("Location"))
	}
	_, body, _ = s.page("GET", roundPage+"?done=locked", official, nil, "")
	if !strings.Contains(body, "Đã chốt kết quả") || !strings.Contains(body, "can-bo@so.gov.vn") || strings.Contains(body, `id="lock-form"`) ||
		strings.Contains(body, `id="unlock-form"`) {
		t.Errorf("round page after the lock, for an official:\n%s", body)
	}
	status, body, _ = s.page("POST", roundPage+"/lock", official, strings.NewReader("confirm=yes"), formType)
	if status != 409 || !strings.Contains(body, "đã được chốt") {
		t.Errorf("second lock form: %d", status)
	}
	// Only an admin sees and may use the unlock form, with a reason.
	if status, _, _ := s.page("POST", roundPage+"/unlock", official, strings.NewReader("reason=x"), formType); status != 403 {
		t.Errorf("unlock by an official: %d", status)
	}
	_, body, _ = s.page("GET", roundPage, admin, nil, "")
	if !strings.Contains(body, `id="unlock-form"`) {
		t.Error("no unlock form for the admin")
	}
	status, body, _ = s.page("POST", roundPage+"/unlock", admin, strings.NewReader("reason=+"), formType)
	if status != 422 || !strings.Contains(body, "Lý do mở chốt") {
		t.Errorf("unlock without a reason: %d", status)
	}

	// The printable list: administrative layout, winners only, no CCCD
	// unless asked for.
	s.setIssuer(official, s.contestOf(admin, roundID), map[string]string{"agency": "SỞ TƯ PHÁP", "sign_title": "GIÁM ĐỐC",
		"signer": "Lê Thị Hoa", "place": "Hà Nội"})
	status, body, _ = s.page("GET", roundPage+"/print", official, nil, "")
	today := time.Now().In(vietnamZone(t))
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "DANH SÁCH NGƯỜI ĐẠT GIẢI",
		fmt.Sprintf("Hà Nội</span>, ngày %02d tháng %02d năm %d", today.Day(), today.Month(), today.Year()),
		"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "NGƯỜI LẬP DANH SÁCH", "Lê Thị Hoa", "đã được chốt lúc"} {
		if !strings.Contains(body, want) {
			t.Errorf("print page lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(body, "Phạm Thị Dung") || strings.Contains(body, "079090000") {
		t.Errorf("print page shows a non-winner or a CCCD (status %d)", status)
	}
	if _, body, _ = s.page("GET", roundPage+"/print?full=true", official, nil, ""); !strings.Contains(body, "079090000") {
		t.Error("print page with full=true lacks the CCCD")
	}
	if status, _, _ := s.page("GET", roundPage+"/print", organizer, nil, ""); status != 403 {
		t.Errorf("print page for an organizer: %d", status)
	}

	// Certificates: one per winner, or one contestant's.
	_, body, _ = s.page("GET", roundPage+"/certificates", official, nil, "")
	if n := strings.Count(body, "GIẤY CHỨNG NHẬN"); n != 3 || !strings.Contains(body, "Giải Nhì") {
		t.Errorf("%d certificates, want 3", n)
	}
	_, dungID := findEntry(t, s, official, roundID, "Phạm Thị Dung")
	_, body, _ = s.page("GET", fmt.Sprintf("%s/certificates?user=%d", roundPage, dungID), official, nil, "")
	if strings.Count(body, "GIẤY CHỨNG NHẬN") != 1 || !strings.Contains(body, "Phạm Thị Dung") || !strings.Contains(body, "Đã tham gia") {
		t.Errorf("one contestant's certificate:\n%s", body)
	}
	if status, _, _ := s.page("GET", roundPage+"/certificates?user=999999", official, nil, ""); status != 404 {
		t.Errorf("certificate of nobody: %d", status)
	}

	// The audit page lists the lock and the print.
	_, body, _ = s.page("GET", "/official/audit", official, nil, "")
	for _, want := range []string{"Chốt kết quả", "In danh sách người đạt giải", "In giấy chứng nhận", "Cán bộ official (can-bo@so.gov.vn)"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
}

func TestContestantCertificate(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"question_count": 3})
	key := s.key(admin)
	player, _ := s.person(map[string]any{"full_name": "Vũ Thị Lan", "unit": "Trường THPT Chu Văn An"})
	other, _ := s.contestant("Không Thi")
	s.play(player, roundID, key, 3, nil)
	path := fmt.Sprintf("/me/rounds/%d/certificate", roundID)
	if status, _, _ := s.page("GET", path, player, nil, ""); status != 409 {
		t.Errorf("certificate before the close: %d, want 409", status)
	}
	s.closeRound(admin, roundID)
	s.setIssuer(s.staff("official", "can-bo-1@so.gov.vn"), s.contestOf(admin, roundID), theIssuer)
	status, body, _ := s.page("GET", path, player, nil, "")
	if status != 200 || !strings.Contains(body, "Vũ Thị Lan") || !strings.Contains(body, "3/3") {
		t.Errorf("own certificate: %d\n%s", status, body)
	}
	// Unlocked: the prize is not certain yet, so the certificate is of
	// participation.
	if strings.Contains(body, "Giải Nhất") || !strings.Contains(body, "Đã tham gia") {
		t.Error("a certificate names a prize before the lock")
	}
	if status, _, _ := s.page("GET", path, other, nil, ""); status != 404 {
		t.Errorf("certificate of someone who did not take part: %d", status)
	}
	official := s.staff("official", "can-bo-2@so.gov.vn")
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
	if _, body, _ := s.page("GET", path, player, nil, ""); !strings.Contains(body, "Giải Nhất") {
		t.Error("the locked round's certificate lacks the prize")
	}
	if status, _, hdr := s.page("GET", path, "", nil, ""); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
		t.Errorf("certificate without a session: %d %s", status, hdr.Get("Location"))
	}
}

// findEntry returns the rank and user id of a contestant in a round's list.
func findEntry(t *testing.T, s *testServer, token string, roundID int64, name string) (rank int, userID int64) {
	t.Helper()
	var l struct {
		Entries []struct {
			Rank     int    `json:"rank"`
			UserID   int64  `json:"user_id"`
			FullName string `json:"full_name"`
		} `json:"entries"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d/winners", roundID), token, nil, &l)
	for _, e := range l.Entries {
		if e.FullName == name {
			return e.Rank, e.UserID
		}
	}
	t.Fatalf("%s not in the list", name)
	return 0, 0
}

func vietnamZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPublicResults(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	s.closeRound(admin, roundID)
	api := fmt.Sprintf("/api/v1/rounds/%d/results", roundID)
	page := fmt.Sprintf("/rounds/%d/results", roundID)
	if status, body := s.call("GET", api, "", nil); status != 409 || !strings.Contains(string(body), "not_locked") {
		t.Errorf("results before the lock: %d %s", status, body)
	}
	if status, body, _ := s.page("GET", page, "", nil, ""); status != 200 || !strings.Contains(body, `id="results-pending"`) {
		t.Errorf("results page before the lock: %d", status)
	}
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)

	status, body := s.call("GET", api, "", nil)
	var res struct {
		Contestants int `json:"contestants"`
		Entries     []struct {
			Rank  int    `json:"rank"`
			Prize string `json:"prize"`
			Name  string `json:"name"`
			Unit  string `json:"unit"`
		} `json:"entries"`
		Units []struct {
			Unit  string `json:"unit"`
			Prize string `json:"prize"`
		} `json:"units"`
	}
	if err := json.Unmarshal(body, &res); status != 200 || err != nil {
		t.Fatalf("results: %d %v %s", status, err, body)
	}
	if res.Contestants != 5 || len(res.Entries) != 3 || res.Entries[0].Name != "Nguyễn Văn An" || res.Entries[0].Prize != "Giải Nhất" ||
		res.Entries[2].Unit != "Phường Bến Nghé" || len(res.Units) != 2 {
		t.Errorf("results %+v", res)
	}
	// Name and unit only: no CCCD, phone, birth date or address.
	for _, secret := range []string{"079090", "0800000", "1990-05-06", "Sài Gòn", "birth", "phone", "id_number"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the public results hold %q: %s", secret, body)
		}
	}
	status, html, _ := s.page("GET", page, "", nil, "")
	if status != 200 || !strings.Contains(html, "Nguyễn Văn An") || !strings.Contains(html, "Giải tập thể") || strings.Contains(html, "079090") {
		t.Errorf("results page after the lock: %d", status)
	}
	var contests struct {
		Contests []struct {
			Slug string `json:"slug"`
		} `json:"contests"`
	}
	s.mustCall(200, "GET", "/api/v1/contests", "", nil, &contests)
	linked := false
	for _, c := range contests.Contests {
		_, html, _ := s.page("GET", "/contests/"+c.Slug, "", nil, "")
		linked = linked || strings.Contains(html, fmt.Sprintf(`href="/rounds/%d/results"`, roundID))
	}
	if !linked {
		t.Error("no contest page links the locked round's results")
	}

	// An unpublished contest's results are not public.
	var r struct {
		ContestID int64 `json:"contest_id"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), admin, nil, &r)
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/contests/%d/unpublish", r.ContestID), admin, nil, nil)
	if status, _ := s.call("GET", api, "", nil); status != 404 {
		t.Errorf("results of an unpublished contest: %d, want 404", status)
	}
	if status, _ := s.call("GET", api, official, nil); status != 200 {
		t.Errorf("results of an unpublished contest for staff: %d, want 200", status)
	}
}
