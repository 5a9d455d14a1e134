package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
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
