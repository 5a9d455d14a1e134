package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hoithi/quiz"
)

// staff makes a staff account with the command line, on the server's
// database while it runs, and signs it in.
func (s *testServer) staff(role, email string) string {
	s.t.Helper()
	env := map[string]string{"HOITHI_DB": s.DBPath, "HOITHI_BCRYPT_COST": "4"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "-email", email, "-password", "mat-khau-123",
		"-role", role, "-name", "Cán bộ " + role, "-must-change=false"}, func(k string) string { return env[k] }, &out, &out); err != nil {
		s.t.Fatalf("user add: %v\n%s", err, out.String())
	}
	var login struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": email, "password": "mat-khau-123"}, &login)
	return login.Token
}

// person registers a contestant with the given fields over the defaults.
func (s *testServer) person(fields map[string]any) (string, int64) {
	s.t.Helper()
	n := phoneSeq.Add(1)
	body := map[string]any{
		"full_name": "Người dự thi", "birth_date": "1990-05-06", "id_number": fmt.Sprintf("0790900%05d", n),
		"phone": fmt.Sprintf("08%08d", n), "province": "79", "commune": "Phường Sài Gòn", "unit": "Sở Tư pháp",
		"password": "mat-khau-123", "consent": true,
	}
	for k, v := range fields {
		body[k] = v
	}
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/auth/register", "", body, &out)
	return out.Token, out.User.ID
}

// play makes one attempt: right answers to the first `right` questions,
// wrong ones to the rest, then a submit with the prediction (nil: none).
func (s *testServer) play(token string, roundID int64, key map[int64][]int64, right int, prediction *int) {
	s.t.Helper()
	ws := s.dial(attemptWS(s.start(token, roundID)), token)
	defer ws.Close()
	st := ws.state()
	ws.answer(st, key, len(st.Questions), right)
	submit := map[string]any{"type": "submit", "seq": 99}
	if prediction != nil {
		submit["prediction"] = *prediction
	}
	ws.send(submit)
	ws.expect("result")
}

// closeRound moves a round's close time into the past.
func (s *testServer) closeRound(token string, roundID int64) {
	s.t.Helper()
	var r map[string]any
	path := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	s.mustCall(http.StatusOK, "GET", path, token, nil, &r)
	now := s.now().UTC()
	r["opens_at"] = now.Add(-2 * time.Hour).Format(time.RFC3339Nano)
	r["closes_at"] = now.Add(-time.Millisecond).Format(time.RFC3339Nano)
	s.mustCall(http.StatusOK, "PUT", path, token, r, nil)
}

type winnersAnswer struct {
	Locked   bool    `json:"locked"`
	LockedAt *string `json:"locked_at"`
	LockedBy *string `json:"locked_by"`
	Actual   *int    `json:"actual"`
	Stats    struct {
		Participants int `json:"participants"`
		Attempts     int `json:"attempts"`
		Prizes       int `json:"prizes"`
	} `json:"stats"`
	Entries []struct {
		Rank            int      `json:"rank"`
		Prize           *string  `json:"prize"`
		FullName        string   `json:"full_name"`
		BirthDate       string   `json:"birth_date"`
		IDNumber        string   `json:"id_number"`
		Phone           string   `json:"phone"`
		Unit            string   `json:"unit"`
		Province        string   `json:"province"`
		Commune         string   `json:"commune"`
		Score           int      `json:"score"`
		Correct         int      `json:"correct"`
		Prediction      *int     `json:"prediction"`
		PredictionError *int     `json:"prediction_error"`
		DurationMs      int64    `json:"duration_ms"`
		StartedAt       string   `json:"started_at"`
		SubmittedAt     string   `json:"submitted_at"`
		Flags           []string `json:"flags"`
	} `json:"entries"`
	Units []struct {
		Rank         int     `json:"rank"`
		Unit         string  `json:"unit"`
		Participants int     `json:"participants"`
		Prize        *string `json:"prize"`
	} `json:"units"`
}

func (w winnersAnswer) names() string {
	var out []string
	for _, e := range w.Entries {
		p := "-"
		if e.Prize != nil {
			p = *e.Prize
		}
		out = append(out, fmt.Sprintf("%s:%d:%s", e.FullName, e.Rank, p))
	}
	return strings.Join(out, " | ")
}

func intp(n int) *int { return &n }

// prizeRound makes an admin, an official and an open round of 4 questions
// with two prize tiers, a group prize and a prediction of the number of
// contestants.
func prizeRound(s *testServer) (admin, official string, roundID int64) {
	admin = s.admin()
	official = s.staff("official", "can-bo@so.gov.vn")
	roundID = s.round(admin, map[string]any{
		"question_count": 4, "max_attempts": 2,
		"prediction_prompt": "Bao nhiêu người dự thi?", "prediction_target": "participants",
		"prizes":      []map[string]any{{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}},
		"unit_prizes": []map[string]any{{"name": "Giải tập thể", "count": 1}},
	})
	return admin, official, roundID
}

// lockScenario is a closed round of five contestants in three units, with
// a prediction of the number of contestants; it returns the round's id and
// the tokens of an admin and an official.
func lockScenario(t *testing.T, s *testServer) (roundID int64, admin, official string) {
	admin, official, roundID = prizeRound(s)
	key := s.key(admin)
	an, _ := s.person(map[string]any{"full_name": "Nguyễn Văn An", "unit": "Xã Đông Hòa"})
	binh, _ := s.person(map[string]any{"full_name": "Trần Thị Bình", "unit": "Xã Đông Hòa"})
	cuong, _ := s.person(map[string]any{"full_name": "Lê Văn Cường", "unit": "Phường Bến Nghé"})
	dung, _ := s.person(map[string]any{"full_name": "Phạm Thị Dung", "unit": "Phường Bến Nghé", "id_number": "079090012345"})
	hostile, _ := s.person(map[string]any{"full_name": "Hồ Văn Em", "unit": `=HYPERLINK("http://x.example","bấm")`, "id_number": "079090012345"})

	s.play(an, roundID, key, 4, intp(5))    // 4/4, exact prediction (5 take part)
	s.play(binh, roundID, key, 4, intp(9))  // 4/4, off by 4
	s.play(cuong, roundID, key, 4, nil)     // 4/4, no prediction: after every 4/4 with one
	s.play(dung, roundID, key, 2, intp(5))  // 2/4
	s.play(dung, roundID, key, 3, intp(50)) // 3/4: her best, by score
	s.play(hostile, roundID, key, 1, intp(5))
	return roundID, admin, official
}

func TestWinnersLockAndUnlock(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	contestant, _ := s.contestant("Khách")
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)

	// While the round is open there is no list, and no lock.
	for _, path := range []string{base + "/winners", base + "/winners.csv", base + "/winners.xlsx"} {
		status, body := s.call("GET", path, official, nil)
		if status != http.StatusConflict || !strings.Contains(string(body), "round_not_closed") {
			t.Errorf("GET %s while open: %d %s", path, status, body)
		}
	}
	if status, body := s.call("POST", base+"/lock", official, nil); status != http.StatusConflict || !strings.Contains(string(body), "round_not_closed") {
		t.Errorf("lock while open: %d %s", status, body)
	}
	s.closeRound(admin, roundID)

	runScenarios(t, s, []scenario{
		{"winners without a token", "GET", base + "/winners", "", nil, 401, "unauthorized", nil},
		{"winners for a contestant", "GET", base + "/winners", contestant, nil, 403, "forbidden", nil},
		{"lock by a contestant", "POST", base + "/lock", contestant, nil, 403, "forbidden", nil},
		{"unlock by an official", "POST", base + "/unlock", official, map[string]string{"reason": "x"}, 403, "forbidden", nil},
		{"unlock of an unlocked round", "POST", base + "/unlock", admin, map[string]string{"reason": "thử"}, 409, "not_locked", nil},
		{"lock of a missing round", "POST", "/api/v1/rounds/99999/lock", official, nil, 404, "not_found", nil},
		{"csv with a bad separator", "GET", base + "/winners.csv?sep=tab", official, nil, 422, "validation_failed", nil},
		{"audit for a contestant", "GET", "/api/v1/audit", contestant, nil, 403, "forbidden", nil},
		{"audit with a limit too large", "GET", "/api/v1/audit?limit=5000", official, nil, 422, "validation_failed", []string{"limit"}},
		{"audit with a bad round", "GET", "/api/v1/audit?round_id=abc", official, nil, 422, "validation_failed", []string{"round_id"}},
		{"unlock with a malformed body", "POST", base + "/unlock", admin, "{", 400, "malformed_json", nil},
		{"lock with a malformed id", "POST", "/api/v1/rounds/abc/lock", official, nil, 404, "not_found", nil},
		{"prize cap over 100", "PUT", base, admin, map[string]any{"prize_cap_percent": 150}, 422, "validation_failed", []string{"prize_cap_percent"}},
	})

	var before winnersAnswer
	s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &before)
	wantOrder := "Nguyễn Văn An:1:Giải Nhất | Trần Thị Bình:2:Giải Nhì | Lê Văn Cường:3:Giải Nhì | " +
		"Phạm Thị Dung:4:- | Hồ Văn Em:5:-"
	if before.Locked || before.Actual == nil || *before.Actual != 5 || before.names() != wantOrder {
		t.Fatalf("provisional list: locked %v actual %v\n got %s\nwant %s", before.Locked, before.Actual, before.names(), wantOrder)
	}
	if before.Stats.Participants != 5 || before.Stats.Attempts != 6 || before.Stats.Prizes != 3 {
		t.Errorf("stats %+v", before.Stats)
	}
	dung := before.Entries[3]
	if dung.Correct != 3 || dung.Prediction == nil || *dung.Prediction != 50 || *dung.PredictionError != 45 {
		t.Errorf("Dung's best attempt: %+v", dung)
	}
	if c := before.Entries[2]; c.Prediction != nil || c.PredictionError != nil {
		t.Errorf("Cường has no prediction: %+v", c)
	}
	// Dung and Em share a CCCD but neither won: no flag.
	for _, e := range before.Entries {
		if len(e.Flags) != 0 {
			t.Errorf("%s flagged %v", e.FullName, e.Flags)
		}
	}
	if len(before.Units) != 3 || before.Units[0].Unit != "Phường Bến Nghé" || before.Units[0].Rank != 1 ||
		before.Units[1].Unit != "Xã Đông Hòa" || before.Units[1].Rank != 1 || before.Units[2].Participants != 1 {
		t.Errorf("units %+v", before.Units)
	}
	a := before.Entries[0]
	if a.Phone == "" || len(a.Phone) != 10 || a.Phone[0] != '0' || a.IDNumber == "" || a.BirthDate != "1990-05-06" ||
		a.Province != "79" || a.Commune != "Phường Sài Gòn" {
		t.Errorf("personal data in the list: %+v", a)
	}

	var locked struct {
		Locked   bool   `json:"locked"`
		LockedBy string `json:"locked_by"`
	}
	s.mustCall(http.StatusOK, "POST", base+"/lock", official, nil, &locked)
	if !locked.Locked || !strings.Contains(locked.LockedBy, "can-bo@so.gov.vn") {
		t.Errorf("lock answer %+v", locked)
	}
	if status, body := s.call("POST", base+"/lock", official, nil); status != http.StatusConflict || !strings.Contains(string(body), "already_locked") {
		t.Errorf("second lock: %d %s", status, body)
	}
	var round struct {
		Status string `json:"status"`
	}
	s.mustCall(http.StatusOK, "GET", base, "", nil, &round)
	if round.Status != "locked" {
		t.Errorf("round status %q after the lock", round.Status)
	}

	// What happens to accounts and attempts after the lock changes nothing.
	db, err := sql.Open("sqlite3", "file:"+s.DBPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE users SET full_name = 'Tên Mới', unit = 'Đơn vị khác' WHERE full_name = 'Nguyễn Văn An'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE attempts SET score = 0, correct = 0 WHERE round_id = ? AND user_id IN (SELECT id FROM users WHERE full_name = 'Trần Thị Bình')", roundID); err != nil {
		t.Fatal(err)
	}
	var after winnersAnswer
	s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &after)
	if !after.Locked || after.LockedAt == nil || after.LockedBy == nil || !strings.Contains(*after.LockedBy, "can-bo@so.gov.vn") {
		t.Errorf("locked list: %+v %v %v", after.Locked, after.LockedAt, after.LockedBy)
	}
	before.Locked, before.LockedAt, before.LockedBy = after.Locked, after.LockedAt, after.LockedBy
	if !jsonEqual(t, before, after) {
		t.Errorf("the locked list differs from the list locked:\nbefore %+v\nafter  %+v", before, after)
	}

	// An admin unlocks with a reason: the list is computed again and shows
	// the changes; locking again stores the new list.
	if status, body := s.call("POST", base+"/unlock", admin, map[string]string{"reason": "  "}); status != 422 || !strings.Contains(string(body), `"reason"`) {
		t.Errorf("unlock without a reason: %d %s", status, body)
	}
	s.mustCall(http.StatusOK, "POST", base+"/unlock", admin, map[string]string{"reason": "Sửa điểm theo khiếu nại số 12"}, nil)
	var recomputed winnersAnswer
	s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &recomputed)
	if recomputed.Locked || !strings.HasPrefix(recomputed.names(), "Tên Mới:1:Giải Nhất | Lê Văn Cường:2:Giải Nhì | Phạm Thị Dung:3:Giải Nhì") {
		t.Errorf("after unlock: %s", recomputed.names())
	}
	s.mustCall(http.StatusOK, "POST", base+"/lock", official, nil, nil)

	var audit struct {
		Entries []struct {
			Action  string `json:"action"`
			Actor   string `json:"actor"`
			Detail  string `json:"detail"`
			RoundID *int64 `json:"round_id"`
		} `json:"entries"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/audit?round_id=%d&limit=50", roundID), official, nil, &audit)
	var actions []string
	for _, e := range audit.Entries {
		actions = append(actions, e.Action)
		if e.Action == "unlock" && (e.Detail != "Sửa điểm theo khiếu nại số 12" || !strings.Contains(e.Actor, testAdminEmail)) {
			t.Errorf("unlock entry %+v", e)
		}
	}
	// Newest first: lock, view, unlock, view, lock, views of the open round.
	if got := strings.Join(actions[:5], " "); got != "lock view_winners unlock view_winners lock" {
		t.Errorf("audit actions %v", actions)
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=unlock", admin, nil, &audit)
	if len(audit.Entries) != 1 {
		t.Errorf("audit filtered by action: %d entries", len(audit.Entries))
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

// fetch gets a file with a bearer token, failing the test unless it is 200.
func (s *testServer) fetch(path, token string) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, buf.String())
	}
	return resp, buf.Bytes()
}

func TestWinnersFiles(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	s.closeRound(admin, roundID)
	base := fmt.Sprintf("/api/v1/rounds/%d", roundID)
	s.mustCall(http.StatusOK, "POST", base+"/lock", official, nil, nil)
	var list winnersAnswer
	s.mustCall(http.StatusOK, "GET", base+"/winners", official, nil, &list)

	// CSV with ?header=keys: the BOM, the contract's columns as the API
	// names them, one row per entry, the lock in every row, and the
	// hostile unit as text.
	resp, data := s.fetch(base+"/winners.csv?header=keys", official)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("csv headers %q %q", ct, resp.Header.Get("Content-Disposition"))
	}
	if !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("csv starts with % x, want the BOM", data[:3])
	}
	records, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "rank,prize,full_name,birth_date,id_number,phone,unit,province,commune,score,correct,prediction,prediction_error,duration_ms,started_at,submitted_at"
	if got := strings.Join(records[0], ","); !strings.HasPrefix(got, wantHeader) || !strings.HasSuffix(got, "locked_at,locked_by") {
		t.Errorf("csv header %s", got)
	}
	if len(records) != len(list.Entries)+1 {
		t.Fatalf("csv has %d rows for %d entries", len(records), len(list.Entries))
	}
	for i, e := range list.Entries {
		r := records[i+1]
		prize := ""
		if e.Prize != nil {
			prize = *e.Prize
		}
		want := []string{strconv.Itoa(e.Rank), prize, e.FullName, e.BirthDate, e.IDNumber, e.Phone, quiz.SheetText(e.Unit),
			e.Province, e.Commune, strconv.Itoa(e.Score), strconv.Itoa(e.Correct), optString(e.Prediction),
			optString(e.PredictionError), strconv.FormatInt(e.DurationMs, 10), e.StartedAt, e.SubmittedAt}
		if !slices.Equal(r[:16], want) || r[len(r)-2] != *list.LockedAt || r[len(r)-1] != *list.LockedBy {
			t.Errorf("csv row %d\n got %q\nwant %q", i+1, r, want)
		}
	}
	if got := records[5][6]; got != `'=HYPERLINK("http://x.example","bấm")` {
		t.Errorf("hostile unit in csv: %q", got)
	}
	_, semi := s.fetch(base+"/winners.csv?sep=semicolon&header=keys", official)
	if line := strings.SplitN(string(semi[3:]), "\r\n", 2)[0]; !strings.HasPrefix(line, "rank;prize;full_name;") {
		t.Errorf("semicolon csv header %q", line)
	}

	// XLSX: the header block, then the table, read back row by row.
	_, book := s.fetch(base+"/winners.xlsx", official)
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"Danh sách", "Thống kê"}) {
		t.Errorf("sheets %q", sheets)
	}
	rows, err := f.GetRows("Danh sách")
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Join(flatten(rows[:quiz.HeaderRows]), " | ")
	for _, want := range []string{"Hội thi thử nghiệm", "Đợt thử", "giờ Việt Nam", "Đã chốt lúc", "can-bo@so.gov.vn", "5 (số người dự thi)"} {
		if !strings.Contains(header, want) {
			t.Errorf("header block lacks %q:\n%s", want, header)
		}
	}
	rawRows, err := f.GetRows("Danh sách", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	table := rows[quiz.HeaderRows:]
	if table[0][0] != "Hạng" || table[0][2] != "Họ và tên" || len(table) != len(list.Entries)+1 {
		t.Fatalf("table head %q, %d rows", table[0], len(table))
	}
	for i, e := range list.Entries {
		r := append(table[i+1], make([]string, 18)...)
		prize := ""
		if e.Prize != nil {
			prize = *e.Prize
		}
		birth, _ := time.Parse(time.DateOnly, e.BirthDate)
		started, _ := time.Parse(time.RFC3339, e.StartedAt)
		want := []string{strconv.Itoa(e.Rank), prize, e.FullName, birth.Format("02/01/2006"), e.IDNumber, e.Phone,
			e.Unit, "Hồ Chí Minh", e.Commune, strconv.Itoa(e.Score), strconv.Itoa(e.Correct),
			optString(e.Prediction), optString(e.PredictionError), strconv.FormatFloat(float64(e.DurationMs)/1000, 'f', 3, 64)}
		if !slices.Equal(r[:14], want) {
			t.Errorf("xlsx row %d\n got %q\nwant %q", i+1, r[:14], want)
		}
		// The start is a date cell holding Vietnam's wall-clock time to the
		// millisecond.
		serial, err := strconv.ParseFloat(rawRows[quiz.HeaderRows+1+i][14], 64)
		if err != nil {
			t.Fatalf("start cell %q: %v", rawRows[quiz.HeaderRows+1+i][14], err)
		}
		got := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(serial * float64(24*time.Hour)))
		wall := started.In(quiz.Vietnam)
		wantWall := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
		if d := got.Sub(wantWall); d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("xlsx row %d start %v, want %v", i+1, got, wantWall)
		}
	}
	// The hostile unit is a text cell holding the text, not a formula.
	cell := fmt.Sprintf("G%d", quiz.HeaderRows+6)
	if formula, _ := f.GetCellFormula("Danh sách", cell); formula != "" {
		t.Errorf("cell %s has the formula %q", cell, formula)
	}
	if typ, _ := f.GetCellType("Danh sách", cell); typ == excelize.CellTypeFormula {
		t.Errorf("cell %s is a formula cell", cell)
	}
	stats, _ := f.GetRows("Thống kê")
	if text := strings.Join(flatten(stats), " | "); !strings.Contains(text, "Số người dự thi | 5") || !strings.Contains(text, "Giải Nhì | 2 | 2") {
		t.Errorf("statistics sheet:\n%s", text)
	}

	// The command line writes the same list, while the server runs.
	dir := t.TempDir()
	env := map[string]string{"HOITHI_DB": s.DBPath}
	var out bytes.Buffer
	jsonPath := filepath.Join(dir, "ket-qua.json")
	if err := run(context.Background(), []string{"export", "-round", strconv.FormatInt(roundID, 10), "-o", jsonPath},
		func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("export: %v\n%s", err, out.String())
	}
	var fromCLI winnersAnswer
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fromCLI); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, fromCLI, list) {
		t.Errorf("export json differs from the API's:\n%s", raw)
	}
	for _, format := range []string{"xlsx", "csv"} {
		path := filepath.Join(dir, "ket-qua."+format)
		if err := run(context.Background(), []string{"export", "-round", strconv.FormatInt(roundID, 10), "-format", format, "-o", path},
			func(k string) string { return env[k] }, &out, &out); err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
	}
	// Both default to the keys programs read, as the API has them.
	_, byDefault := s.fetch(base+"/winners.csv", official)
	if raw, _ := os.ReadFile(filepath.Join(dir, "ket-qua.csv")); !bytes.Equal(raw, data) || !bytes.Equal(byDefault, data) {
		t.Error("the command line's csv or the API's without ?header differs from the API's with ?header=keys")
	}
	_, labelled := s.fetch(base+"/winners.csv?header=labels", official)
	labelsPath := filepath.Join(dir, "ket-qua-nhan.csv")
	if err := run(context.Background(), []string{"export", "-round", strconv.FormatInt(roundID, 10), "-header", "labels", "-o", labelsPath},
		func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("export -header labels: %v", err)
	}
	if raw, _ := os.ReadFile(labelsPath); !bytes.Equal(raw, labelled) {
		t.Error("the command line's csv with -header labels differs from the API's with ?header=labels")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "-o", "x.csv"}, "-round ID and -o FILE are required"},
		{[]string{"export", "-round", "99999", "-o", filepath.Join(dir, "x.csv")}, "Not found"},
		{[]string{"export", "-round", "1", "-format", "pdf", "-o", filepath.Join(dir, "x.pdf")}, "-format must be"},
	} {
		err := run(context.Background(), c.args, func(k string) string { return env[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	var audit struct {
		Entries []struct {
			Action string `json:"action"`
			Actor  string `json:"actor"`
		} `json:"entries"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=export_winners", official, nil, &audit)
	if len(audit.Entries) != 9 || !strings.Contains(audit.Entries[0].Actor, "command line") {
		t.Errorf("export audit entries %+v", audit.Entries)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func optString(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func TestOnePrizePerPersonAcrossRoundsAndUnitShares(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "can-bo@so.gov.vn")
	var contest struct {
		ID int64 `json:"id"`
	}
	s.mustCall(201, "POST", "/api/v1/contests", admin, map[string]any{"slug": "mot-giai", "title": "Một người một giải",
		"one_prize_per_person": true}, &contest)
	now := time.Now().UTC()
	newRound := func(name string) int64 {
		var r struct {
			ID int64 `json:"id"`
		}
		s.mustCall(201, "POST", fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID), admin, map[string]any{
			"name": name, "bank_id": s.demoBank(admin), "opens_at": now.Add(-time.Minute).Format(time.RFC3339),
			"closes_at": now.Add(time.Hour).Format(time.RFC3339), "duration_seconds": 600, "question_count": 3,
			"prizes":      []map[string]any{{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 1}},
			"unit_prizes": []map[string]any{{"name": "Giải tập thể", "count": 1}},
		}, &r)
		return r.ID
	}
	first, second := newRound("Tuần 1"), newRound("Tuần 2")
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/contests/%d/publish", contest.ID), admin, nil, nil)
	var shown struct {
		OnePrizePerPerson bool `json:"one_prize_per_person"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/contests/%d", contest.ID), admin, nil, &shown)
	if !shown.OnePrizePerPerson {
		t.Error("the contest does not show one_prize_per_person")
	}
	// Unit sizes: the small unit takes part more, by share.
	s.mustCall(200, "PUT", "/api/v1/units", admin, map[string]any{
		"units": []string{"Xã Đông Hòa", "Phường Bến Nghé"}, "members": map[string]int{"xa dong hoa": 100, "Phường Bến Nghé": 2}}, nil)
	if status, body := s.call("PUT", "/api/v1/units", admin, map[string]any{
		"units": []string{"Xã Đông Hòa"}, "members": map[string]int{"Xã Khác": 5}}); status != 422 || !strings.Contains(string(body), `"members"`) {
		t.Errorf("size of a unit not on the list: %d %s", status, body)
	}

	key := s.key(admin)
	an, _ := s.person(map[string]any{"full_name": "Nguyễn Văn An", "unit": "Xã Đông Hòa"})
	binh, _ := s.person(map[string]any{"full_name": "Trần Thị Bình", "unit": "Xã Đông Hòa"})
	cuong, _ := s.person(map[string]any{"full_name": "Lê Văn Cường", "unit": "Phường Bến Nghé"})
	for _, round := range []int64{first, second} {
		s.play(an, round, key, 3, nil)
		s.play(binh, round, key, 2, nil)
		s.play(cuong, round, key, 1, nil)
	}
	s.closeRound(admin, first)
	s.closeRound(admin, second)
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", first), official, nil, nil)

	var w winnersAnswer
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d/winners", second), official, nil, &w)
	// An holds Nhất from week 1, so week 2's Nhất passes to Bình, who holds
	// only Nhì and so takes the higher prize; Nhì goes to Cường.
	if got := w.names(); got != "Nguyễn Văn An:1:- | Trần Thị Bình:2:Giải Nhất | Lê Văn Cường:3:Giải Nhì" {
		t.Errorf("week 2 with one prize per person:\n%s", got)
	}
	for _, e := range w.Entries[:2] {
		if !slices.Contains(e.Flags, "prize_elsewhere") {
			t.Errorf("%s not flagged prize_elsewhere: %v", e.FullName, e.Flags)
		}
	}
	var full struct {
		Entries []struct {
			Note string `json:"note"`
		} `json:"entries"`
		Units []struct {
			Unit         string   `json:"unit"`
			Participants int      `json:"participants"`
			Members      *int     `json:"members"`
			SharePercent *float64 `json:"share_percent"`
			ShareRank    *int     `json:"share_rank"`
			Rank         int      `json:"rank"`
			Prize        *string  `json:"prize"`
		} `json:"units"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d/winners", second), official, nil, &full)
	if !strings.Contains(full.Entries[0].Note, "Giải Nhất") || !strings.Contains(full.Entries[0].Note, "Tuần 1") {
		t.Errorf("An's note %q", full.Entries[0].Note)
	}
	u := full.Units
	if len(u) != 2 || u[0].Unit != "Xã Đông Hòa" || u[0].Rank != 1 || u[0].Prize == nil || *u[0].SharePercent != 2 || *u[0].ShareRank != 2 ||
		u[1].Unit != "Phường Bến Nghé" || *u[1].Members != 2 || *u[1].SharePercent != 50 || *u[1].ShareRank != 1 || u[1].Prize != nil {
		t.Errorf("units %+v", u)
	}
}
