package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// page fetches a page as a browser would, with the session cookie.
func (s *testServer) page(method, path, token string, body io.Reader, ctype string) (int, string, http.Header) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("Accept", "text/html")
	if token != "" {
		req.Header.Set("Cookie", "hoithi_token="+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", s.URL)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

func TestOrganizerPages(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	contestant, _ := s.contestant("Người Dự Thi")
	demo := s.demoBank(admin)

	if status, _, h := s.page("GET", "/organize", "", nil, ""); status != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %s, want a redirect to the login page", status, h.Get("Location"))
	}
	if status, body, _ := s.page("GET", "/organize", contestant, nil, ""); status != 403 || !strings.Contains(body, "không có quyền") {
		t.Errorf("contestant: %d, want a 403 page in Vietnamese", status)
	}
	status, body, _ := s.page("GET", "/organize", admin, nil, "")
	if status != 200 || !strings.Contains(body, "Ngân hàng câu hỏi mẫu") {
		t.Fatalf("organizer home: %d", status)
	}

	t.Run("search ignores diacritics", func(t *testing.T) {
		_, body, _ := s.page("GET", fmt.Sprintf("/organize/banks/%d?q=giao+dich+dien+tu+2023", demo), admin, nil, "")
		found := regexp.MustCompile(`Tìm thấy (\d+) câu`).FindStringSubmatch(body)
		if found == nil || found[1] == "0" || !strings.Contains(body, "Luật Giao dịch điện tử") {
			t.Errorf("search found %v", found)
		}
	})

	t.Run("an import is previewed, then stored on confirmation", func(t *testing.T) {
		bank := s.newBank(admin, "Ngân hàng trang")
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		part, _ := w.CreateFormFile("file", "bank.json")
		part.Write(bankJSON(goodA, goodB, `{"text":"Thiếu đáp án?","options":[{"text":"a"},{"text":"b"}]}`))
		w.Close()
		status, body, _ := s.page("POST", fmt.Sprintf("/organize/banks/%d/import", bank), admin, &buf, w.FormDataContentType())
		if status != 200 || !strings.Contains(body, "2 câu hỏi hợp lệ sẽ được nhập") || !strings.Contains(body, "Luật An ninh mạng 2025") {
			t.Fatalf("preview: %d\n%.2000s", status, body)
		}
		if n := s.questionCount(admin, bank); n != 0 {
			t.Fatalf("%d questions stored by the preview", n)
		}
		action := regexp.MustCompile(`action="(/organize/banks/\d+/import/[0-9a-f]+)"`).FindStringSubmatch(body)
		if action == nil || !strings.Contains(body, `name="skip" value="1"`) {
			t.Fatal("no confirmation form that skips the invalid question")
		}
		status, _, h := s.page("POST", action[1], admin, strings.NewReader("skip=1"), "application/x-www-form-urlencoded")
		if status != 303 || !strings.Contains(h.Get("Location"), "notice=import.done") {
			t.Fatalf("confirm: %d %s", status, h.Get("Location"))
		}
		if n := s.questionCount(admin, bank); n != 2 {
			t.Errorf("%d questions stored, want the 2 valid", n)
		}
		_, body, _ = s.page("GET", h.Get("Location"), admin, nil, "")
		if !strings.Contains(body, "Đã nhập 2 câu hỏi.") {
			t.Error("the bank page does not say how many were imported")
		}
		// The same preview cannot be stored twice.
		status, _, h = s.page("POST", action[1], admin, strings.NewReader("skip=1"), "application/x-www-form-urlencoded")
		if status != 303 || !strings.Contains(h.Get("Location"), "import.expired") {
			t.Errorf("second confirm: %d %s, want the preview gone", status, h.Get("Location"))
		}
	})
}

func TestQuestionEditorPages(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.newBank(admin, "Soạn trên trang")
	form := func(path, body string) (int, string, http.Header) {
		return s.page("POST", path, admin, strings.NewReader(body), "application/x-www-form-urlencoded")
	}
	editor := fmt.Sprintf("/organize/banks/%d/questions/new", bank)
	if status, body, _ := s.page("GET", editor, admin, nil, ""); status != 200 || !strings.Contains(body, `name="option9"`) {
		t.Fatalf("new question editor: %d", status)
	}
	status, body, _ := form(editor, "text=C%C3%A2u+h%E1%BB%8Fi%3F&option0=M%E1%BB%99t")
	if status != 422 || !strings.Contains(body, "Cần ít nhất 2 phương án.") {
		t.Errorf("a question with one option: %d, want 422 with the Vietnamese reason", status)
	}
	status, _, h := form(editor, "topic=Ch%E1%BB%A7+%C4%91%E1%BB%81&text=C%C3%A2u+h%E1%BB%8Fi+m%E1%BB%9Bi%3F&option0=%C4%90%C3%BAng&correct0=1&option1=Sai")
	if status != 303 {
		t.Fatalf("save: %d", status)
	}
	qid := regexp.MustCompile(`#question-(\d+)`).FindStringSubmatch(h.Get("Location"))
	if qid == nil {
		t.Fatalf("redirect %q names no question", h.Get("Location"))
	}
	path := fmt.Sprintf("/organize/banks/%d/questions/%s", bank, qid[1])
	if status, body, _ := s.page("GET", path, admin, nil, ""); status != 200 || !strings.Contains(body, "Câu hỏi mới?") {
		t.Errorf("edit page: %d", status)
	}
	status, _, h = form(path, "text=C%C3%A2u+h%E1%BB%8Fi+%C4%91%C3%A3+s%E1%BB%ADa%3F&option0=%C4%90%C3%BAng&correct0=1&option1=Sai")
	if status != 303 || strings.Contains(h.Get("Location"), "question-"+qid[1]+"$") {
		t.Fatalf("edit: %d %s", status, h.Get("Location"))
	}
	status, _, _ = form(path+"/retire", "")
	if status != 404 && status != 303 {
		t.Errorf("retire of the replaced question: %d", status)
	}
	_, body, _ = s.page("GET", fmt.Sprintf("/organize/banks/%d", bank), admin, nil, "")
	if !strings.Contains(body, "Câu hỏi đã sửa?") || !strings.Contains(body, "Dùng lại") {
		t.Errorf("bank page lacks the edited question or the retired old one")
	}
}

func TestContestBuilderPages(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.demoBank(admin)
	form := func(path string, values url.Values) (int, string, http.Header) {
		return s.page("POST", path, admin, strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
	}
	status, body, _ := form("/organize/contests", url.Values{"title": {"Hội thi tuần"}, "slug": {"Hội thi"}})
	if status != 422 || !strings.Contains(body, "Chỉ dùng chữ thường không dấu") {
		t.Errorf("a bad slug: %d, want 422 with the Vietnamese reason", status)
	}
	status, _, h := form("/organize/contests", url.Values{"title": {"Hội thi tuần"}, "slug": {"hoi-thi-tuan"}})
	if status != 303 {
		t.Fatalf("create contest: %d", status)
	}
	builder := h.Get("Location")
	round := url.Values{"name": {"Tuần 1"}, "bank_id": {fmt.Sprint(bank)}, "opens_at": {"2026-12-07T08:00"},
		"closes_at": {"2026-12-13T20:00"}, "duration_minutes": {"15"}, "question_count": {"20"},
		"topic_quotas": {"Giao dịch điện tử: 5\nAn ninh mạng và bí mật nhà nước: 5"}, "max_attempts": {"3"},
		"prediction_prompt": {"Bao nhiêu người trả lời đúng tất cả?"}, "prediction_target": {"perfect_scorers"},
		"reveal": {"after_close"}, "prizes": {"Giải Nhất: 1\nGiải Nhì: 2"}}
	bad := url.Values{}
	for k, v := range round {
		bad[k] = v
	}
	bad.Set("closes_at", "2026-12-01T08:00")
	bad.Set("topic_quotas", "Không có chủ đề này: 3")
	status, body, _ = form(builder+"/rounds", bad)
	if status != 422 || !strings.Contains(body, "Thời điểm kết thúc phải sau thời điểm bắt đầu.") || !strings.Contains(body, "Chủ đề không có trong ngân hàng câu hỏi.") {
		t.Errorf("a bad round: %d, want 422 naming both problems", status)
	}
	if status, _, _ = form(builder+"/rounds", round); status != 303 {
		t.Fatalf("create round: %d", status)
	}
	status, _, _ = form(builder+"/publish", url.Values{})
	if status != 303 {
		t.Fatalf("publish: %d", status)
	}
	var list struct {
		Contests []struct {
			Slug   string `json:"slug"`
			Rounds []struct {
				ID       int64  `json:"id"`
				OpensAt  string `json:"opens_at"`
				ClosesAt string `json:"closes_at"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	s.mustCall(200, "GET", "/api/v1/contests", "", nil, &list)
	var rounds []string
	var roundID int64
	for _, c := range list.Contests {
		if c.Slug == "hoi-thi-tuan" {
			for _, r := range c.Rounds {
				rounds = append(rounds, r.OpensAt+" "+r.ClosesAt)
				roundID = r.ID
			}
		}
	}
	// 08:00 and 20:00 in Vietnam are 01:00 and 13:00 UTC.
	if fmt.Sprint(rounds) != "[2026-12-07T01:00:00.000Z 2026-12-13T13:00:00.000Z]" {
		t.Fatalf("public rounds %v, want the round in UTC", rounds)
	}
	_, body, _ = s.page("GET", fmt.Sprintf("/organize/rounds/%d/preview", roundID), admin, nil, "")
	if n := strings.Count(body, `class="question"`); n != 20 || !strings.Contains(body, "Đáp án đúng") {
		t.Errorf("the preview shows %d questions, want 20 with the answers marked", n)
	}
	_, body, _ = s.page("GET", fmt.Sprintf("/organize/rounds/%d/edit", roundID), admin, nil, "")
	if !strings.Contains(body, `value="2026-12-07T08:00"`) || !strings.Contains(body, "Giao dịch điện tử: 5") {
		t.Errorf("the edit form does not show the round as typed in Vietnam time")
	}
	edited := url.Values{}
	for k, v := range round {
		edited[k] = v
	}
	edited.Set("name", "Tuần 1 (gia hạn)")
	edited.Set("closes_at", "2026-12-14T20:00")
	if status, _, _ = form(fmt.Sprintf("/organize/rounds/%d/edit", roundID), edited); status != 303 {
		t.Fatalf("edit round: %d", status)
	}
	if _, body, _ = s.page("GET", builder, admin, nil, ""); !strings.Contains(body, "Tuần 1 (gia hạn)") || !strings.Contains(body, "20:00 14/12/2026") {
		t.Errorf("the builder does not show the edited round")
	}
	if status, _, _ = form(fmt.Sprintf("/organize/rounds/%d/clone", roundID), url.Values{}); status != 303 {
		t.Fatalf("clone: %d", status)
	}
	_, body, _ = s.page("GET", builder, admin, nil, "")
	if strings.Count(body, "Tuần 1 (gia hạn)") < 2 || !strings.Contains(body, "08:00 14/12/2026") {
		t.Errorf("the builder page does not list the copy a week later in Vietnam time")
	}
}

func TestUnitsListFeedsRegistration(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	var out struct {
		Units []string `json:"units"`
	}
	s.mustCall(200, "PUT", "/api/v1/units", admin, map[string]any{"units": []string{" Sở Tư pháp ", "UBND phường Ba Đình", "sở tư pháp", ""}}, &out)
	if fmt.Sprint(out.Units) != "[Sở Tư pháp UBND phường Ba Đình]" {
		t.Fatalf("units %v, want the two distinct ones, cleaned", out.Units)
	}
	register := func(unit string) (int, []byte) {
		return s.call("POST", "/api/v1/auth/register", "", map[string]any{"full_name": "Người Có Đơn Vị", "birth_date": "1990-01-01",
			"id_number": "001090011111", "phone": fmt.Sprintf("09%08d", phoneSeq.Add(1)), "province": "01", "unit": unit,
			"password": "mat-khau-123", "consent": true})
	}
	if status, body := register("Đơn vị không có"); status != 422 || !strings.Contains(string(body), `"unit"`) {
		t.Errorf("a unit not on the list: %d %s, want 422 naming unit", status, body)
	}
	status, body := register("ubnd phuong ba dinh")
	if status != 201 {
		t.Fatalf("a unit typed loosely: %d %s", status, body)
	}
	var reg struct {
		Token string `json:"token"`
	}
	json.Unmarshal(body, &reg)
	var me struct {
		Unit string `json:"unit"`
	}
	s.mustCall(200, "GET", "/api/v1/me", reg.Token, nil, &me)
	if me.Unit != "UBND phường Ba Đình" {
		t.Errorf("unit stored as %q, want the list's spelling", me.Unit)
	}
	if _, body, _ := s.page("GET", "/register", "", nil, ""); !strings.Contains(body, `<option value="Sở Tư pháp">`) {
		t.Error("the registration page does not offer the units")
	}
	// A CSV upload replaces the list; an empty list frees the field again.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "don-vi.csv")
	part.Write([]byte("\ufeffĐơn vị;Ghi chú\r\nTrường THPT A;\r\nTrường THPT B;x\r\n"))
	w.Close()
	if status, _, h := s.page("POST", "/organize/units", admin, &buf, w.FormDataContentType()); status != 303 || !strings.Contains(h.Get("Location"), "n=2") {
		t.Errorf("CSV upload: %d %s", status, h.Get("Location"))
	}
	s.mustCall(200, "GET", "/api/v1/units", "", nil, &out)
	if fmt.Sprint(out.Units) != "[Trường THPT A Trường THPT B]" {
		t.Errorf("units after the upload %v", out.Units)
	}
	s.mustCall(200, "PUT", "/api/v1/units", admin, map[string]any{"units": []string{}}, nil)
	if status, _ := register("Bất kỳ đơn vị nào"); status != 201 {
		t.Errorf("free unit after clearing the list: %d", status)
	}
}
