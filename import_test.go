package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// upload posts a file to a bank's import, with the query given.
func (s *testServer) upload(token string, bankID int64, name string, data []byte, query string) (int, []byte) {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		s.t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/banks/%d/import%s", s.URL, bankID, query), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

type importResult struct {
	Format     string `json:"format"`
	DryRun     bool   `json:"dry_run"`
	Imported   int    `json:"imported"`
	Duplicates int    `json:"duplicates"`
	Errors     []struct {
		Line    int    `json:"line"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
	Questions []struct {
		Line int    `json:"line"`
		Text string `json:"text"`
	} `json:"questions"`
}

func (s *testServer) mustImport(token string, bankID int64, name string, data []byte, query string) importResult {
	s.t.Helper()
	status, body := s.upload(token, bankID, name, data, query)
	if status != 200 {
		s.t.Fatalf("import %s%s: %d %s", name, query, status, body)
	}
	var r importResult
	if err := json.Unmarshal(body, &r); err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *testServer) newBank(token, name string) int64 {
	s.t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	s.mustCall(201, "POST", "/api/v1/banks", token, map[string]string{"name": name}, &out)
	return out.ID
}

func (s *testServer) questionCount(token string, bankID int64) int {
	s.t.Helper()
	var out struct {
		Questions []json.RawMessage `json:"questions"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/banks/%d/questions", bankID), token, nil, &out)
	return len(out.Questions)
}

func bankJSON(items ...string) []byte {
	return []byte(`{"format":"hoithi-bank","version":1,"name":"Thử","questions":[` + strings.Join(items, ",") + `]}`)
}

const (
	goodA = `{"topic":"Giao dịch điện tử","text":"Luật Giao dịch điện tử 2023 có số hiệu nào?","options":[{"text":"20/2023/QH15","correct":true},{"text":"51/2005/QH11"}],"reference":"Luật số 20/2023/QH15"}`
	goodB = `{"topic":"An ninh mạng","text":"Luật An ninh mạng 2025 có hiệu lực từ ngày nào?","options":[{"text":"01/07/2026","correct":true},{"text":"01/01/2026"}]}`
)

func TestImportRules(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.newBank(admin, "Ngân hàng nhập thử")

	t.Run("a dry run stores nothing and previews the questions", func(t *testing.T) {
		r := s.mustImport(admin, bank, "bank.json", bankJSON(goodA, goodB), "?dry_run=true")
		if !r.DryRun || r.Imported != 2 || len(r.Questions) != 2 || r.Questions[1].Line != 2 {
			t.Errorf("dry run %+v", r)
		}
		if n := s.questionCount(admin, bank); n != 0 {
			t.Errorf("%d questions stored by a dry run", n)
		}
	})
	t.Run("an import with an error stores nothing and names the line and field", func(t *testing.T) {
		bad := `{"text":"Thiếu đáp án đúng?","options":[{"text":"a"},{"text":"b"}]}`
		r := s.mustImport(admin, bank, "bank.json", bankJSON(goodA, bad), "")
		if r.Imported != 0 || len(r.Errors) != 1 || r.Errors[0].Line != 2 || r.Errors[0].Column != "options" || r.Errors[0].Message == "" {
			t.Errorf("report %+v", r)
		}
		if n := s.questionCount(admin, bank); n != 0 {
			t.Errorf("%d questions stored despite an error", n)
		}
		r = s.mustImport(admin, bank, "bank.json", bankJSON(goodA, bad), "?skip_invalid=true")
		if r.Imported != 1 || len(r.Errors) != 1 {
			t.Errorf("skip_invalid report %+v", r)
		}
		if n := s.questionCount(admin, bank); n != 1 {
			t.Errorf("%d questions stored with skip_invalid, want the 1 valid", n)
		}
	})
	t.Run("duplicates are counted, in NFD too, and not stored", func(t *testing.T) {
		nfd := norm.NFD.String(goodA)
		r := s.mustImport(admin, bank, "bank.json", bankJSON(nfd, goodB, goodB), "")
		if r.Imported != 1 || r.Duplicates != 2 || len(r.Errors) != 0 {
			t.Errorf("report %+v, want 1 imported and 2 duplicates", r)
		}
		if n := s.questionCount(admin, bank); n != 2 {
			t.Errorf("%d questions, want 2", n)
		}
	})
	t.Run("the same question with another answer is an error", func(t *testing.T) {
		flipped := strings.Replace(strings.Replace(goodB, `"correct":true`, `"correct":false`, 1), `"01/01/2026"}`, `"01/01/2026","correct":true}`, 1)
		r := s.mustImport(admin, bank, "bank.json", bankJSON(flipped), "")
		if len(r.Errors) != 1 || r.Imported != 0 {
			t.Errorf("report %+v, want the conflict reported", r)
		}
	})
	t.Run("a file that is not a bank is refused whole", func(t *testing.T) {
		for name, data := range map[string][]byte{
			"bank.json":  []byte("\x00\x01 not json"),
			"other.json": []byte(`{"format":"something-else","questions":[]}`),
		} {
			status, body := s.upload(admin, bank, name, data, "")
			if status != 422 || !strings.Contains(string(body), `"invalid_file"`) {
				t.Errorf("%s: %d %s, want 422 invalid_file", name, status, body)
			}
		}
		status, body := s.upload(admin, bank, "bank.docx", []byte("x"), "")
		if status != 422 || !strings.Contains(string(body), `"format"`) {
			t.Errorf("unknown extension: %d %s, want 422 naming format", status, body)
		}
	})
	t.Run("only organizers import", func(t *testing.T) {
		token, _ := s.contestant("Người Không Quyền")
		if status, _ := s.upload(token, bank, "bank.json", bankJSON(goodA), ""); status != 403 {
			t.Errorf("contestant import: %d, want 403", status)
		}
	})
}

func TestExportImportsBack(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	demo := s.demoBank(admin)
	for _, format := range []string{"json", "xlsx", "gift"} {
		t.Run(format, func(t *testing.T) {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/banks/%d/export?format=%s", s.URL, demo, format), nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
			}
			copyBank := s.newBank(admin, "Bản sao "+format)
			r := s.mustImport(admin, copyBank, "export."+format, data, "")
			if r.Imported != s.questionCount(admin, demo) || len(r.Errors) != 0 {
				t.Fatalf("re-import %+v", r)
			}
			// GIFT has no field for the reference.
			withReference := format != "gift"
			if got, want := questionsOf(t, s, admin, copyBank, withReference), questionsOf(t, s, admin, demo, withReference); got != want {
				t.Errorf("re-imported bank differs:\n%s\nwant\n%s", got, want)
			}
			// Importing the export into its own bank finds only duplicates.
			if r := s.mustImport(admin, demo, "export."+format, data, ""); r.Imported != 0 || r.Duplicates == 0 || len(r.Errors) != 0 {
				t.Errorf("re-import into the same bank %+v", r)
			}
		})
	}
}

// questionsOf is a bank's questions as text: topic, text, options with
// their correct flags, explanation and reference, in order.
func questionsOf(t *testing.T, s *testServer, token string, bankID int64, withReference bool) string {
	var out struct {
		Questions []struct {
			Topic, Text, Explanation, Reference string
			Options                             []struct {
				Text    string
				Correct bool
			}
		} `json:"questions"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/banks/%d/questions", bankID), token, nil, &out)
	var b strings.Builder
	for _, q := range out.Questions {
		if !withReference {
			q.Reference = ""
		}
		fmt.Fprintf(&b, "%s | %s | %s | %s\n", q.Topic, q.Text, q.Explanation, q.Reference)
		for _, o := range q.Options {
			fmt.Fprintf(&b, "  %v %s\n", o.Correct, o.Text)
		}
	}
	return b.String()
}

func TestImportCommand(t *testing.T) {
	s := startServer(t, nil)
	file := filepath.Join(t.TempDir(), "bank.json")
	os.WriteFile(file, bankJSON(goodA, goodB), 0o644)
	out, _, err := cli(t, s.DBPath, "import", "-bank", "Ngân hàng dòng lệnh", file)
	if err != nil || !strings.Contains(out, "imported 2 questions") || !strings.Contains(out, "created bank") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, _, err = cli(t, s.DBPath, "import", "-bank", "Ngân hàng dòng lệnh", file)
	if err != nil || !strings.Contains(out, "imported 0 questions") || !strings.Contains(out, "2 duplicates") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, bankJSON(`{"text":"","options":[]}`), 0o644)
	out, _, err = cli(t, s.DBPath, "import", "-bank", "Ngân hàng dòng lệnh", bad)
	if err == nil || !strings.Contains(out, "line 1") || !strings.Contains(out, "Mục này là bắt buộc") {
		t.Errorf("bad import: %v\n%s, want an error naming line 1 in Vietnamese", err, out)
	}
	if _, _, err := cli(t, s.DBPath, "import", "-bank", "x"); err == nil {
		t.Error("import without a file succeeded")
	}
}

func TestTemplateImportsItsExamples(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/banks/template.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	bank := s.newBank(admin, "Từ tệp mẫu")
	r := s.mustImport(admin, bank, "mau.xlsx", data, "")
	if r.Imported != 2 || len(r.Errors) != 0 {
		t.Errorf("the template imports as %+v, want its 2 example questions", r)
	}
}

func TestImportEveryFormat(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	t.Run("CSV with a BOM, semicolons and a cell over two lines", func(t *testing.T) {
		bank := s.newBank(admin, "CSV")
		csv := "\ufeffChủ đề;Câu hỏi;A;B;C;Đáp án;Căn cứ\r\n" +
			"Giao dịch điện tử;\"Luật Giao dịch điện tử 2023\r\ncó hiệu lực từ ngày nào?\";01/07/2024;01/01/2024;01/03/2006;A;Luật số 20/2023/QH15\r\n" +
			"An ninh mạng;Luật An ninh mạng 2025 hợp nhất những luật nào?;An toàn thông tin mạng 2015;An ninh mạng 2018;Giao dịch điện tử 2005;A, B;Luật số 116/2025/QH15\r\n"
		r := s.mustImport(admin, bank, "bank.csv", []byte(csv), "")
		if r.Format != "csv" || r.Imported != 2 || len(r.Errors) != 0 {
			t.Errorf("report %+v", r)
		}
	})
	t.Run("Aiken, and its errors by line", func(t *testing.T) {
		bank := s.newBank(admin, "Aiken")
		aiken := "Luật số 91/2025/QH15 là luật gì?\nA) Luật Bảo vệ dữ liệu cá nhân\nB) Luật An ninh mạng\nANSWER: A\n\nCâu thiếu đáp án\nA) Một\nB) Hai\n"
		r := s.mustImport(admin, bank, "bank.txt", []byte(aiken), "")
		if r.Format != "aiken" || r.Imported != 0 || len(r.Errors) != 1 || r.Errors[0].Line != 6 {
			t.Errorf("report %+v, want one error at line 6 and nothing stored", r)
		}
	})
	t.Run("Moodle's own GIFT file: unsupported types named by line", func(t *testing.T) {
		data, err := os.ReadFile("../shared/fixtures/moodle/questions.gift.txt")
		if err != nil {
			t.Skip("shared fixtures not present:", err)
		}
		bank := s.newBank(admin, "GIFT Moodle")
		r := s.mustImport(admin, bank, "questions.gift.txt", data, "?skip_invalid=true")
		var lines []int
		for _, e := range r.Errors {
			lines = append(lines, e.Line)
		}
		// Five questions are usable; the last two ({T} and {TRUE}) are the
		// same question, so one is a duplicate.
		if r.Format != "gift" || r.Imported != 4 || r.Duplicates != 1 || fmt.Sprint(lines) != "[2 5 31 34]" {
			t.Errorf("imported %d, %d duplicates, errors at %v; want 4, 1 and lines [2 5 31 34]", r.Imported, r.Duplicates, lines)
		}
	})
	t.Run("random bytes named .xlsx are refused whole", func(t *testing.T) {
		bank := s.newBank(admin, "Hỏng")
		status, body := s.upload(admin, bank, "bank.xlsx", bytes.Repeat([]byte{0x50, 0x4b, 0x03, 0x04, 0xff}, 100), "")
		if status != 422 || !strings.Contains(string(body), "invalid_file") || !strings.Contains(string(body), "xlsx:") {
			t.Errorf("%d %s", status, body)
		}
	})
}

func TestQuestionEditing(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.newBank(admin, "Soạn câu hỏi")
	q := func(text string) map[string]any {
		return map[string]any{"topic": "Chủ đề", "text": text,
			"options": []map[string]any{{"text": "Đúng", "correct": true}, {"text": "Sai"}}}
	}
	var first, second struct {
		ID int64 `json:"id"`
	}
	s.mustCall(201, "POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin, q("Câu thứ nhất?"), &first)
	s.mustCall(201, "POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin, q("Câu thứ hai?"), &second)
	path := func(id int64, rest string) string {
		return fmt.Sprintf("/api/v1/banks/%d/questions/%d%s", bank, id, rest)
	}
	runScenarios(t, s, []scenario{
		{"refuses a question the bank already has", "POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin, q("  Câu thứ nhất? "), 409, "duplicate_question", []string{"text"}},
		{"refuses an edit into another question", "PUT", path(second.ID, ""), admin, q("Câu thứ nhất?"), 409, "duplicate_question", []string{"text"}},
		{"refuses an edit of an unknown question", "PUT", path(999999, ""), admin, q("Câu mới?"), 404, "not_found", nil},
		{"refuses an invalid edit", "PUT", path(second.ID, ""), admin, map[string]any{"text": "Không phương án"}, 422, "validation_failed", []string{"options"}},
	})
	var edited struct {
		ID       int64 `json:"id"`
		Replaces int64 `json:"replaces"`
	}
	s.mustCall(200, "PUT", path(second.ID, ""), admin, q("Câu thứ hai, đã sửa?"), &edited)
	if edited.ID == second.ID || edited.Replaces != second.ID {
		t.Errorf("edit answered %+v, want a new id replacing %d", edited, second.ID)
	}
	inUse := func() int {
		var out struct {
			Banks []struct {
				ID            int64 `json:"id"`
				QuestionCount int   `json:"question_count"`
			} `json:"banks"`
		}
		s.mustCall(200, "GET", "/api/v1/banks", admin, nil, &out)
		for _, b := range out.Banks {
			if b.ID == bank {
				return b.QuestionCount
			}
		}
		return -1
	}
	if n := inUse(); n != 2 {
		t.Errorf("%d questions in use after the edit, want 2 (the old version retired)", n)
	}
	s.mustCall(200, "POST", path(first.ID, "/retire"), admin, nil, nil)
	if n := inUse(); n != 1 {
		t.Errorf("%d in use after retiring one, want 1", n)
	}
	s.mustCall(200, "POST", path(first.ID, "/restore"), admin, nil, nil)
	if n := inUse(); n != 2 {
		t.Errorf("%d in use after restoring, want 2", n)
	}
	if status, _ := s.call("POST", path(first.ID, "/retire"), "", nil); status != 401 {
		t.Errorf("retire without a token: %d", status)
	}
}
