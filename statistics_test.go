package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// statisticsStaff creates a staff account with the command line and signs
// it in, returning its token and id.
func statisticsStaff(t *testing.T, s *testServer, role, email string) (string, int64) {
	t.Helper()
	if _, _, err := cli(t, s.DBPath, "user", "add", "-email", email, "-password", "mat-khau-"+role, "-role", role,
		"-name", "Cán bộ thống kê", "-must-change=false"); err != nil {
		t.Fatalf("user add %s: %v", role, err)
	}
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": email, "password": "mat-khau-" + role}, &out)
	return out.Token, out.User.ID
}

// statisticsContestant registers a contestant with a province, a unit and
// a birth date.
func statisticsContestant(t *testing.T, s *testServer, name, province, unit, birth string) string {
	t.Helper()
	n := phoneSeq.Add(1)
	var out struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/auth/register", "", map[string]any{
		"full_name": name, "birth_date": birth, "id_number": fmt.Sprintf("0010950%05d", n),
		"phone": fmt.Sprintf("09%08d", n), "province": province, "unit": unit, "password": "mat-khau-123", "consent": true,
	}, &out)
	return out.Token
}

// statisticsAttempt takes an attempt over the websocket: right answers to
// the first right questions, a wrong one to the next, and a submit unless
// told not to.
func statisticsAttempt(t *testing.T, s *testServer, token string, roundID int64, key map[int64][]int64, right int, submit bool) {
	t.Helper()
	ws := s.dial(attemptWS(s.start(token, roundID)), token)
	seq := 0
	for i, q := range ws.state().Questions {
		if i > right {
			break
		}
		choice := key[q.ID]
		if i == right {
			for _, o := range q.Options {
				if !slices.Contains(key[q.ID], o.ID) {
					choice = []int64{o.ID}
					break
				}
			}
		}
		seq++
		ws.send(map[string]any{"type": "answer", "seq": seq, "question_id": q.ID, "option_ids": choice})
		ws.expect("ack")
	}
	if submit {
		ws.send(map[string]any{"type": "submit", "seq": seq + 1})
		ws.expect("result")
	}
	ws.Close()
}

type statisticsJSON struct {
	RoundID     int64  `json:"round_id"`
	RoundName   string `json:"round_name"`
	MaxScore    int    `json:"max_score"`
	AgeOn       string `json:"age_on"`
	Contestants int    `json:"contestants"`
	Attempts    int    `json:"attempts"`
	Days        []struct {
		Date        string `json:"date"`
		Contestants int    `json:"contestants"`
		Attempts    int    `json:"attempts"`
	} `json:"days"`
	Provinces []struct {
		Code        string `json:"code"`
		Name        string `json:"name"`
		Contestants int    `json:"contestants"`
		Attempts    int    `json:"attempts"`
	} `json:"provinces"`
	Units []struct {
		Unit        string `json:"unit"`
		Contestants int    `json:"contestants"`
		Attempts    int    `json:"attempts"`
	} `json:"units"`
	Ages []struct {
		Group       string `json:"group"`
		MinAge      *int   `json:"min_age"`
		MaxAge      *int   `json:"max_age"`
		Contestants int    `json:"contestants"`
		Attempts    int    `json:"attempts"`
	} `json:"ages"`
	Scores []struct {
		Score       int `json:"score"`
		Contestants int `json:"contestants"`
	} `json:"scores"`
	Questions []struct {
		ID       int64   `json:"id"`
		Text     string  `json:"text"`
		Answered int     `json:"answered"`
		Correct  int     `json:"correct"`
		Share    float64 `json:"share"`
	} `json:"questions"`
}

// statisticsDownload fetches a CSV file with a bearer token.
func statisticsDownload(t *testing.T, s *testServer, path, token string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

func TestStatisticsForOfficials(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official, officialID := statisticsStaff(t, s, "official", "thong-ke@so.gov.vn")
	organizer, _ := statisticsStaff(t, s, "organizer", "to-chuc@so.gov.vn")
	key := s.key(admin)

	vietnam, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	opens, closes := now.Add(-time.Minute), now.Add(3*time.Hour)
	roundID := s.round(admin, map[string]any{"question_count": 4, "points_per_question": 500, "max_attempts": 2,
		"opens_at": opens.Format(time.RFC3339), "closes_at": closes.Format(time.RFC3339)})
	closeDay := closes.In(vietnam)
	birth := func(years, days int) string { return closeDay.AddDate(-years, 0, days).Format(time.DateOnly) }

	const hostile = `=HYPERLINK("http://x","<b>bấm</b>")`
	// An, 18 on the close date: two attempts, 2 then 4 right (1000, 2000 points).
	an := statisticsContestant(t, s, "Nguyễn Văn An", "01", "Sở Tư pháp", birth(18, 0))
	statisticsAttempt(t, s, an, roundID, key, 2, true)
	statisticsAttempt(t, s, an, roundID, key, 4, true)
	// Bình turns 18 the day after the close: 1 right, 1 wrong (500 points).
	binh := statisticsContestant(t, s, "Trần Thị Bình", "01", hostile, birth(18, 1))
	statisticsAttempt(t, s, binh, roundID, key, 1, true)
	// Cường, 61, submits without answering (0 points).
	cuong := statisticsContestant(t, s, "Lê Văn Cường", "79", "Sở Tư pháp", birth(61, 0))
	statisticsAttempt(t, s, cuong, roundID, key, -1, true)
	// Dung is still at it: not a contestant yet, her answer counts nowhere.
	dung := statisticsContestant(t, s, "Phạm Thị Dung", "48", "Sở Y tế", birth(40, 0))
	statisticsAttempt(t, s, dung, roundID, key, 1, false)

	path := fmt.Sprintf("/api/v1/rounds/%d/statistics", roundID)
	var got statisticsJSON
	s.mustCall(http.StatusOK, "GET", path, official, nil, &got)

	t.Run("counts contestants and submitted attempts", func(t *testing.T) {
		if got.RoundID != roundID || got.Contestants != 3 || got.Attempts != 4 || got.MaxScore != 2000 {
			t.Errorf("round %d: %d contestants, %d attempts, max %d; want 3, 4, 2000", got.RoundID, got.Contestants, got.Attempts, got.MaxScore)
		}
		if got.AgeOn != closeDay.Format(time.DateOnly) {
			t.Errorf("ages on %s, want the close date %s", got.AgeOn, closeDay.Format(time.DateOnly))
		}
	})
	t.Run("counts per day in Vietnam's time, every day of the round listed", func(t *testing.T) {
		first, today := opens.In(vietnam).Format(time.DateOnly), time.Now().In(vietnam).Format(time.DateOnly)
		if len(got.Days) == 0 || got.Days[0].Date != first || got.Days[len(got.Days)-1].Date != today {
			t.Fatalf("days %+v, want %s to %s", got.Days, first, today)
		}
		last := got.Days[len(got.Days)-1]
		if last.Contestants != 3 || last.Attempts != 4 {
			t.Errorf("today %+v, want 3 contestants and 4 attempts", last)
		}
	})
	t.Run("counts by province, all 34 listed, most first", func(t *testing.T) {
		if len(got.Provinces) != 34 {
			t.Fatalf("%d provinces, want 34", len(got.Provinces))
		}
		p0, p1 := got.Provinces[0], got.Provinces[1]
		if p0.Code != "01" || p0.Name != "Hà Nội" || p0.Contestants != 2 || p0.Attempts != 3 ||
			p1.Code != "79" || p1.Name != "Hồ Chí Minh" || p1.Contestants != 1 || p1.Attempts != 1 {
			t.Errorf("first provinces %+v %+v, want Hà Nội 2/3 then Hồ Chí Minh 1/1", p0, p1)
		}
		for _, p := range got.Provinces[2:] {
			if p.Contestants != 0 || p.Attempts != 0 {
				t.Errorf("%s has %d/%d, want 0 (Dung has not submitted)", p.Name, p.Contestants, p.Attempts)
			}
		}
	})
	t.Run("counts by unit", func(t *testing.T) {
		want := fmt.Sprintf("[{Sở Tư pháp 2 3} {%s 1 1}]", hostile)
		if s := fmt.Sprint(got.Units); s != want {
			t.Errorf("units %s, want %s", s, want)
		}
	})
	t.Run("counts by age group on the close date", func(t *testing.T) {
		var rows []string
		for _, a := range got.Ages {
			bound := func(p *int) string {
				if p == nil {
					return "-"
				}
				return fmt.Sprint(*p)
			}
			rows = append(rows, fmt.Sprintf("%s[%s,%s]:%d/%d", a.Group, bound(a.MinAge), bound(a.MaxAge), a.Contestants, a.Attempts))
		}
		want := "under_18[0,17]:1/1 18_30[18,30]:1/2 31_45[31,45]:0/0 46_60[46,60]:0/0 over_60[61,-]:1/1 unknown[-,-]:0/0"
		if s := strings.Join(rows, " "); s != want {
			t.Errorf("ages %s\nwant %s", s, want)
		}
	})
	t.Run("counts best scores from 0 to the maximum", func(t *testing.T) {
		if s := fmt.Sprint(got.Scores); s != "[{0 1} {500 1} {1000 0} {1500 0} {2000 1}]" {
			t.Errorf("scores %s, want An's best 2000, Bình 500, Cường 0, zeros between", s)
		}
	})
	t.Run("gives each question's share of right answers, lowest first", func(t *testing.T) {
		answered, correct, unanswered := 0, 0, false
		for i, q := range got.Questions {
			answered += q.Answered
			correct += q.Correct
			if q.Answered == 0 {
				// Drawn but never answered: last, with a share of 0.
				unanswered = true
				if q.Share != 0 {
					t.Errorf("unanswered question %+v", q)
				}
				continue
			}
			if q.Text == "" || unanswered || q.Share != float64(q.Correct)/float64(q.Answered) {
				t.Errorf("question %+v", q)
			}
			if i > 0 && q.Share < got.Questions[i-1].Share {
				t.Errorf("question %d (share %v) after one with share %v", q.ID, q.Share, got.Questions[i-1].Share)
			}
		}
		// An: 3 answers (2 right), then 4 right; Bình: 2 answers (1 right).
		if answered != 9 || correct != 7 {
			t.Errorf("%d answers, %d right; want 9 and 7 from the submitted attempts", answered, correct)
		}
	})

	auditCount := func() []string {
		db, err := sql.Open("sqlite3", "file:"+s.DBPath+"?mode=ro&_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query("SELECT detail, coalesce(user_id, 0), coalesce(round_id, 0) FROM audit_log WHERE action = 'statistics' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var detail string
			var user, round int64
			if err := rows.Scan(&detail, &user, &round); err != nil {
				t.Fatal(err)
			}
			if user != officialID || round != roundID {
				t.Errorf("audit entry by user %d for round %d, want %d and %d", user, round, officialID, roundID)
			}
			out = append(out, detail)
		}
		return out
	}

	readCSV := func(t *testing.T, table, query string, sep rune) [][]string {
		t.Helper()
		status, header, data := statisticsDownload(t, s, path+"/"+table+".csv"+query, official)
		if status != 200 {
			t.Fatalf("%s.csv: status %d: %s", table, status, data)
		}
		if ct := header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		if cd := header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, table+".csv") {
			t.Errorf("content disposition %q", cd)
		}
		if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			t.Fatalf("%s.csv starts with %q, want the UTF-8 BOM", table, data[:min(len(data), 8)])
		}
		r := csv.NewReader(bytes.NewReader(data[3:]))
		r.Comma = sep
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v in %s", table, err, data)
		}
		return records
	}

	t.Run("CSV files are UTF-8 with a BOM and a header row", func(t *testing.T) {
		scores := readCSV(t, "scores", "", ',')
		if s := fmt.Sprint(scores); s != "[[Điểm Người thi] [0 1] [500 1] [1000 0] [1500 0] [2000 1]]" {
			t.Errorf("scores.csv %s", s)
		}
		ages := readCSV(t, "ages", "", ',')
		if s := fmt.Sprint(ages[0], ages[1], ages[5]); s != "[Nhóm tuổi Từ tuổi Đến tuổi Người thi Lượt thi] [Dưới 18 tuổi 0 17 1 1] [Trên 60 tuổi 61  1 1]" {
			t.Errorf("ages.csv %s", s)
		}
		provinces := readCSV(t, "provinces", "", ',')
		if len(provinces) != 35 || fmt.Sprint(provinces[1]) != "[01 Hà Nội 2 3]" {
			t.Errorf("provinces.csv has %d rows, first %v", len(provinces), provinces[1])
		}
		days := readCSV(t, "days", "", ',')
		if last := days[len(days)-1]; fmt.Sprint(days[0]) != "[Ngày Người thi Lượt thi]" || last[1] != "3" || last[2] != "4" {
			t.Errorf("days.csv %v", days)
		}
	})
	t.Run("a hostile unit name stays text in the CSV", func(t *testing.T) {
		units := readCSV(t, "units", "", ',')
		if len(units) != 3 || units[2][0] != "'"+hostile || units[2][1] != "1" {
			t.Errorf("units.csv %q, want the unit with a leading apostrophe", units)
		}
	})
	t.Run("sep=semicolon writes semicolons and decimal commas", func(t *testing.T) {
		status, _, data := statisticsDownload(t, s, path+"/questions.csv?sep=semicolon", official)
		if status != 200 || !bytes.HasPrefix(data, []byte("\ufeffMã câu hỏi;Câu hỏi;Lượt trả lời;Trả lời đúng;Tỉ lệ đúng\r\n")) {
			t.Fatalf("status %d, head %q", status, data[:min(len(data), 80)])
		}
		questions := readCSV(t, "questions", "?sep=semicolon", ';')
		share := regexp.MustCompile(`^(0|1|0,\d{1,4})$`)
		for _, row := range questions[1:] {
			if len(row) != 5 || !share.MatchString(row[4]) {
				t.Errorf("row %q, want 5 cells and a share like 0,6667", row)
			}
		}
	})
	t.Run("each download is in the audit log", func(t *testing.T) {
		want := []string{"csv:scores", "csv:ages", "csv:provinces", "csv:days", "csv:units", "csv:questions", "csv:questions"}
		if got := auditCount(); !slices.Equal(got, want) {
			t.Errorf("audit log %v, want %v", got, want)
		}
	})

	runScenarios(t, s, []scenario{
		{name: "statistics need a token", method: "GET", path: path, wantStatus: 401, wantCode: "unauthorized"},
		{name: "a CSV needs a token", method: "GET", path: path + "/units.csv", wantStatus: 401, wantCode: "unauthorized"},
		{name: "a contestant may not read statistics", method: "GET", path: path, token: an, wantStatus: 403, wantCode: "forbidden"},
		{name: "an organizer may not read statistics", method: "GET", path: path, token: organizer, wantStatus: 403, wantCode: "forbidden"},
		{name: "an organizer may not download a CSV", method: "GET", path: path + "/units.csv", token: organizer, wantStatus: 403, wantCode: "forbidden"},
		{name: "an admin may read statistics", method: "GET", path: path, token: admin, wantStatus: 200},
		{name: "an unknown round is not found", method: "GET", path: "/api/v1/rounds/999999/statistics", token: official, wantStatus: 404, wantCode: "not_found"},
		{name: "an unknown round has no CSV", method: "GET", path: "/api/v1/rounds/999999/statistics/days.csv", token: official, wantStatus: 404, wantCode: "not_found"},
		{name: "an unknown table is not found", method: "GET", path: path + "/people.csv", token: official, wantStatus: 404, wantCode: "not_found"},
		{name: "a table without .csv is not found", method: "GET", path: path + "/days", token: official, wantStatus: 404, wantCode: "not_found"},
		{name: "an unknown separator is refused", method: "GET", path: path + "/days.csv?sep=tab", token: official, wantStatus: 422, wantCode: "validation_failed", wantFields: []string{"sep"}},
	})
	if got := auditCount(); len(got) != 7 {
		t.Errorf("%d audit entries after refused requests, want still 7", len(got))
	}

	page := fmt.Sprintf("/official/rounds/%d/statistics", roundID)
	t.Run("the page has a chart and a table for each table", func(t *testing.T) {
		status, body, _ := s.page("GET", page, official, nil, "")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		if n := strings.Count(body, "<svg"); n != 6 {
			t.Errorf("%d charts, want 6", n)
		}
		if n := strings.Count(body, `role="img"`); n != 6 {
			t.Errorf("%d charts with role img, want 6", n)
		}
		if n := strings.Count(body, "<table"); n != 6 {
			t.Errorf("%d tables, want 6", n)
		}
		for _, table := range []string{"days", "provinces", "units", "ages", "scores", "questions"} {
			if !strings.Contains(body, fmt.Sprintf(`href="%s/%s.csv"`, path, table)) {
				t.Errorf("no CSV link for %s", table)
			}
		}
		if strings.Contains(body, "statistics.") {
			t.Errorf("a UI text is missing from the catalog: %s", regexp.MustCompile(`statistics\.[a-z_.0-9]+`).FindString(body))
		}
		if strings.Contains(body, "<b>bấm</b>") || !strings.Contains(body, "=HYPERLINK(&#34;http://x&#34;,&#34;&lt;b&gt;bấm&lt;/b&gt;&#34;)") {
			t.Error("the hostile unit name is not escaped on the page")
		}
		// Vietnamese figures: thousands with a dot, shares with a decimal comma.
		for _, want := range []string{"từ 0 đến 2.000 điểm", ">1.500<", "Tải CSV", "Hà Nội", "Trên 60 tuổi"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`>\d{1,3},\d %<`).MatchString(body) {
			t.Error("no share written like 66,7 %")
		}
	})
	t.Run("the page is in English on request", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.URL+page, nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Cookie", "hoithi_token="+official+"; hoithi_lang=en")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(data)
		for _, want := range []string{"Round statistics", "from 0 to 2,000 points", "Download CSV"} {
			if !strings.Contains(body, want) {
				t.Errorf("the English page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`>\d{1,3}\.\d%<`).MatchString(body) {
			t.Error("no share written like 66.7%")
		}
	})
	t.Run("the page is for officials", func(t *testing.T) {
		if status, _, h := s.page("GET", page, "", nil, ""); status != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s, want a redirect to the login page", status, h.Get("Location"))
		}
		for name, token := range map[string]string{"contestant": an, "organizer": organizer} {
			if status, _, _ := s.page("GET", page, token, nil, ""); status != 403 {
				t.Errorf("%s: %d, want 403", name, status)
			}
		}
		if status, _, _ := s.page("GET", "/official/rounds/999999/statistics", official, nil, ""); status != 404 {
			t.Errorf("unknown round: %d, want 404", status)
		}
	})
	if got := auditCount(); len(got) != 7 {
		t.Errorf("%d audit entries after the pages, want still 7 (only downloads are logged)", len(got))
	}
}

// An empty round still draws every chart and gives empty tables.
func TestStatisticsOfARoundWithoutAttempts(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	var got statisticsJSON
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d/statistics", roundID), admin, nil, &got)
	if got.Contestants != 0 || got.Attempts != 0 || len(got.Units) != 0 || len(got.Questions) != 0 ||
		len(got.Scores) != 6 || len(got.Provinces) != 34 || len(got.Ages) != 6 {
		t.Errorf("got %+v", got)
	}
	status, body, _ := s.page("GET", fmt.Sprintf("/official/rounds/%d/statistics", roundID), admin, nil, "")
	if status != 200 || strings.Count(body, "<svg") != 6 || !strings.Contains(body, "Chưa có số liệu.") {
		t.Errorf("empty page: status %d, %d charts", status, strings.Count(body, "<svg"))
	}
}
