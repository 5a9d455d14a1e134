package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Vietnamese pages carry no technical text: no error codes, no keys, no
// ids where a name can be given, numbers as Vietnamese write them.

// namelessStaff makes a staff account with the command line and no name,
// as `user add` without -name does, and signs it in.
func (s *testServer) namelessStaff(role, email string) string {
	s.t.Helper()
	env := map[string]string{"HOITHI_DB": s.DBPath, "HOITHI_BCRYPT_COST": "4"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "-email", email, "-password", "mat-khau-123", "-role", role},
		func(k string) string { return env[k] }, &out, &out); err != nil {
		s.t.Fatalf("user add: %v\n%s", err, out.String())
	}
	var login struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": email, "password": "mat-khau-123"}, &login)
	return login.Token
}

func TestErrorPagesShowNoCode(t *testing.T) {
	s := startServer(t, nil)
	for _, c := range []struct {
		name, lang, want string
	}{
		{"a missing page says so in Vietnamese, without a code", "", "Không tìm thấy trang"},
		{"a missing page says so in English, without a code", "en", "Page not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+"/khong-co-trang-nay", nil)
			req.Header.Set("Accept", "text/html")
			if c.lang != "" {
				req.Header.Set("Cookie", "hoithi_lang="+c.lang)
			}
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			body := buf.String()
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "<h1>"+c.want+"</h1>") {
				t.Errorf("status %d, want 404 and the heading %q:\n%s", resp.StatusCode, c.want, body)
			}
			for _, code := range []string{"not_found", "Mã lỗi", "Error code", "<code>", "(404)"} {
				if strings.Contains(body, code) {
					t.Errorf("the error page shows %q", code)
				}
			}
		})
	}
}

func TestOfficialPagesInWords(t *testing.T) {
	s := startServer(t, nil)
	roundID, _, official := tablesRound(t, s)
	nameless := s.namelessStaff("official", "f@x.vn")
	roundPage := fmt.Sprintf("/official/rounds/%d", roundID)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	s.page("GET", roundPage, official, nil, "")
	s.fetch(base+"/statistics/ages.csv", official)
	s.fetch(base+"/winners.xlsx", official)
	s.mustCall(http.StatusOK, "POST", base+"/lock", nameless, nil, nil)

	t.Run("a staff account without a name is named by its e-mail once", func(t *testing.T) {
		var list winnersAnswer
		s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &list)
		if list.LockedBy == nil || *list.LockedBy != "f@x.vn" {
			t.Errorf("locked_by %v, want f@x.vn", list.LockedBy)
		}
		_, body, _ := s.page("GET", roundPage, official, nil, "")
		if !regexp.MustCompile(`Đã chốt lúc [0-9:/ ]+ bởi f@x.vn<`).MatchString(body) {
			t.Errorf("the round page does not say the round was locked by f@x.vn")
		}
		_, book := s.fetch(base+"/winners.xlsx", official)
		f, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		status, _ := f.GetCellValue("Danh sách", "B5")
		if !strings.HasSuffix(status, " bởi f@x.vn") {
			t.Errorf("the workbook's lock line %q, want it to end in bởi f@x.vn", status)
		}
		_, audit, _ := s.page("GET", "/official/audit", official, nil, "")
		for _, page := range []string{body, audit, status} {
			for _, twice := range []string{"f@x.vn &lt;f@x.vn&gt;", "f@x.vn <f@x.vn>", "f@x.vn (f@x.vn)"} {
				if strings.Contains(page, twice) {
					t.Errorf("a page names the account as %q", twice)
				}
			}
		}
	})

	t.Run("the audit log says what was done to which round, in sentences", func(t *testing.T) {
		_, body, _ := s.page("GET", "/official/audit", official, nil, "")
		for _, want := range []string{
			"Chốt kết quả <a href=\"" + roundPage + "\">Đợt thử — Hội thi thử nghiệm</a>: 5 người dự thi, 3 giải, đáp án câu hỏi dự đoán: 5",
			"Tải danh sách kết quả <a href=\"" + roundPage + "\">Đợt thử — Hội thi thử nghiệm</a> (Excel)",
			"Tải bảng thống kê “Theo nhóm tuổi” <a href=\"" + roundPage + "\">Đợt thử — Hội thi thử nghiệm</a> (CSV)",
			"Xem danh sách kết quả <a href=\"" + roundPage + "\">Đợt thử — Hội thi thử nghiệm</a>",
			"<td>Cán bộ official (can-bo@so.gov.vn)</td>",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the audit page lacks %q", want)
			}
		}
		for _, technical := range []string{"contestants=", "csv:", ">xlsx<", ">page<", "view_winners", "export_winners",
			fmt.Sprintf(">%d</a>", roundID)} {
			if strings.Contains(body, technical) {
				t.Errorf("the audit page shows %q", technical)
			}
		}
	})

	t.Run("working times are seconds with a decimal comma and counts group thousands", func(t *testing.T) {
		_, body, _ := s.page("GET", roundPage, official, nil, "")
		if !regexp.MustCompile(`<td class="num">\d+,\d+ giây</td>`).MatchString(body) {
			t.Error("the round page shows no working time like 83,4 giây")
		}
		if strings.Contains(body, " ms<") {
			t.Error("the round page shows milliseconds")
		}
		req, _ := http.NewRequest("GET", s.URL+roundPage, nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Cookie", "hoithi_token="+official+"; hoithi_lang=en")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		if !regexp.MustCompile(`<td class="num">\d+\.\d+ s</td>`).MatchString(buf.String()) {
			t.Error("the English round page shows no working time like 83.4 s")
		}
	})
}

func TestLiveViewChartBeforeTheFirstSubmission(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	_, body, _ := s.page("GET", fmt.Sprintf("/organize/rounds/%d", roundID), admin, nil, "")
	for _, want := range []string{
		`<p id="stats-chart-empty" class="chart-empty">Chưa có bài nào được nộp.`,
		`data-y="Số bài nộp"`, `data-x="Thời gian (giờ Việt Nam)"`,
		`<span class="stat-value" id="stat-rate">0,0</span>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the live view lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<svg id="stats-chart"[^>]* hidden>`).MatchString(body) {
		t.Error("the live view shows an empty chart before the first submission")
	}
}
