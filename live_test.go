package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hoithi/quiz"
	"hoithi/store"
	"hoithi/web"
)

// liveGame is a game as POST and GET /api/v1/live answer it.
type liveGame struct {
	GameID        int64   `json:"game_id"`
	PIN           string  `json:"pin"`
	JoinURL       *string `json:"join_url"`
	JoinPath      *string `json:"join_path"`
	Phase         string  `json:"phase"`
	QuestionIndex *int    `json:"question_index"`
	QuestionCount int     `json:"question_count"`
	Players       int     `json:"players"`
	PointsMode    string  `json:"points_mode"`
}

type liveResults struct {
	Players []struct {
		Rank     int    `json:"rank"`
		Nickname string `json:"nickname"`
		Points   int    `json:"points"`
		Correct  int    `json:"correct"`
		AnswerMs int64  `json:"answer_ms"`
	} `json:"players"`
	Questions []struct {
		Index        int     `json:"index"`
		Status       string  `json:"status"`
		Players      int     `json:"players"`
		Answered     int     `json:"answered"`
		Correct      int     `json:"correct"`
		ShareCorrect float64 `json:"share_correct"`
		Options      []struct {
			ID      int64 `json:"id"`
			Correct bool  `json:"correct"`
			Count   int   `json:"count"`
		} `json:"options"`
	} `json:"questions"`
}

// createLive makes a game of the demo bank's first n questions.
func (s *testServer) createLive(token string, n int, fields map[string]any) liveGame {
	s.t.Helper()
	bank := s.demoBank(token)
	var ids []int64
	for _, q := range s.bankQuestions(token, bank).Questions[:n] {
		ids = append(ids, q.ID)
	}
	body := map[string]any{"bank_id": bank, "question_ids": ids, "seconds_per_question": 20}
	for k, v := range fields {
		body[k] = v
	}
	var g liveGame
	s.mustCall(http.StatusCreated, "POST", "/api/v1/live", token, body, &g)
	return g
}

// beside runs a second hoithi on the server's database file, as the
// command line does, with a live service of its own on a fake clock. The
// websocket through which phones play is another part of the server; the
// games here are played through the service itself, and the server reads
// what they stored.
type beside struct {
	db    *store.DB
	live  *quiz.Live
	clock *quiz.FakeClock
}

func (s *testServer) beside(t *testing.T) *beside {
	t.Helper()
	db, err := store.Open(s.DBPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &beside{db: db, clock: quiz.NewFakeClock(time.Now())}
	b.live = quiz.NewLive(db, db, b.clock, nil)
	if err := b.live.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *beside) close() {
	b.live.Stop()
	b.db.Close()
}

func (b *beside) key(t *testing.T, gameID int64) []quiz.LiveQuestion {
	t.Helper()
	rec, err := b.db.LiveGame(context.Background(), gameID)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Questions
}

func (b *beside) join(t *testing.T, gameID int64, nickname string) int64 {
	t.Helper()
	j, err := b.live.Join(context.Background(), gameID, nickname, 0)
	if err != nil {
		t.Fatalf("join %q: %v", nickname, err)
	}
	if err := b.live.Connect(gameID, j.PlayerID); err != nil {
		t.Fatal(err)
	}
	return j.PlayerID
}

func (b *beside) answer(t *testing.T, gameID, playerID int64, index int, ids []int64) {
	t.Helper()
	if err := b.live.Answer(context.Background(), gameID, playerID, index, ids); err != nil {
		t.Fatalf("answer: %v", err)
	}
}

func wrongOf(q quiz.LiveQuestion) []int64 {
	for _, o := range q.Options {
		if !o.Correct {
			return []int64{o.ID}
		}
	}
	return nil
}

func TestLiveGamesAreCreatedByOrganizers(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	official := s.staff("official", "can-bo@so.gov.vn")
	contestant, _ := s.contestant("Nguyễn Văn An")
	bank := s.demoBank(admin)
	demo := s.bankQuestions(admin, bank)

	for _, tt := range []struct {
		name       string
		token      string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
		wantText   string
	}{
		{"refuses a caller not signed in", "", map[string]any{"bank_id": bank, "question_count": 3, "seconds_per_question": 20},
			401, "unauthorized", "", ""},
		{"refuses a contestant", contestant, map[string]any{"bank_id": bank, "question_count": 3, "seconds_per_question": 20},
			403, "forbidden", "", ""},
		{"refuses an official", official, map[string]any{"bank_id": bank, "question_count": 3, "seconds_per_question": 20},
			403, "forbidden", "", ""},
		{"refuses a body that is not JSON", organizer, "{", 400, "malformed_json", "", ""},
		{"refuses 4 seconds a question, in words", organizer, map[string]any{"bank_id": bank, "question_count": 3, "seconds_per_question": 4},
			422, "validation_failed", "seconds_per_question", "Mỗi câu từ 5 đến 120 giây."},
		{"refuses a bank that does not exist", organizer, map[string]any{"bank_id": 987654, "question_count": 3, "seconds_per_question": 20},
			422, "validation_failed", "bank_id", ""},
		{"refuses 101 questions", organizer, map[string]any{"bank_id": bank, "question_count": 101, "seconds_per_question": 20},
			422, "validation_failed", "question_count", "Từ 1 đến 100 câu hỏi."},
		{"refuses a question not of the bank", organizer, map[string]any{"bank_id": bank, "question_ids": []int64{demo.Questions[0].ID, 42},
			"seconds_per_question": 20}, 422, "validation_failed", "question_ids", ""},
		{"refuses an unknown points mode", organizer, map[string]any{"bank_id": bank, "question_count": 3, "seconds_per_question": 20,
			"points_mode": "may_rui"}, 422, "validation_failed", "points_mode", ""},
		{"refuses a bank id of the wrong type", organizer, map[string]any{"bank_id": "1", "question_count": 3, "seconds_per_question": 20},
			422, "validation_failed", "bank_id", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.call("POST", "/api/v1/live", tt.token, tt.body)
			var out struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			json.Unmarshal(body, &out)
			if status != tt.wantStatus || out.Error.Code != tt.wantCode {
				t.Fatalf("status %d %s, want %d %s", status, body, tt.wantStatus, tt.wantCode)
			}
			if tt.wantField != "" && out.Error.Fields[tt.wantField] == "" {
				t.Errorf("fields %v, want %s", out.Error.Fields, tt.wantField)
			}
			if tt.wantText != "" && out.Error.Fields[tt.wantField] != tt.wantText {
				t.Errorf("message %q, want %q", out.Error.Fields[tt.wantField], tt.wantText)
			}
		})
	}
	var list struct {
		Games []liveGame `json:"games"`
	}
	s.mustCall(200, "GET", "/api/v1/live", organizer, nil, &list)
	if len(list.Games) != 0 {
		t.Errorf("refused games were stored: %+v", list.Games)
	}

	t.Run("an organizer gets the game's id, PIN and join address", func(t *testing.T) {
		var g liveGame
		s.mustCall(201, "POST", "/api/v1/live", organizer, map[string]any{"bank_id": bank, "question_count": 5,
			"seconds_per_question": 30, "points_mode": "accuracy"}, &g)
		if !regexp.MustCompile(`^\d{6}$`).MatchString(g.PIN) || g.JoinURL == nil ||
			*g.JoinURL != s.URL+"/live/join?pin="+g.PIN || g.GameID < 1e14 {
			t.Errorf("game %+v", g)
		}
		var got liveGame
		s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d", g.GameID), organizer, nil, &got)
		if got.Phase != "lobby" || got.QuestionIndex != nil || got.QuestionCount != 5 || got.PIN != g.PIN ||
			got.PointsMode != "accuracy" || got.Players != 0 {
			t.Errorf("state %+v", got)
		}
		s.mustCall(200, "GET", "/api/v1/live", organizer, nil, &list)
		if len(list.Games) != 1 || list.Games[0].GameID != g.GameID {
			t.Errorf("list %+v", list.Games)
		}
	})
	t.Run("an unknown game is not found", func(t *testing.T) {
		if status, _ := s.call("GET", "/api/v1/live/123456789012345", organizer, nil); status != 404 {
			t.Errorf("status %d, want 404", status)
		}
		if status, _ := s.call("GET", "/api/v1/live/abc/results", official, nil); status != 404 {
			t.Errorf("status %d, want 404", status)
		}
	})
	t.Run("a contestant cannot read a game or its results", func(t *testing.T) {
		g := s.createLive(admin, 2, nil)
		for _, path := range []string{"", "/results", "/results.xlsx", "/results.csv"} {
			if status, _ := s.call("GET", fmt.Sprintf("/api/v1/live/%d%s", g.GameID, path), contestant, nil); status != 403 {
				t.Errorf("%s: status %d, want 403", path, status)
			}
		}
	})
}

// TestLiveResultsAreExported plays a game beside the server, then reads
// its results from the server as JSON, a workbook and CSV, each download
// written to the audit log.
func TestLiveResultsAreExported(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "can-bo@so.gov.vn")
	g := s.createLive(admin, 2, map[string]any{"title": "Hội nghị tập huấn"})

	b := s.beside(t)
	ctx := context.Background()
	key := b.key(t, g.GameID)
	lan, minh, formula := b.join(t, g.GameID, "Lan"), b.join(t, g.GameID, "Minh"), b.join(t, g.GameID, "=1+2")
	b.join(t, g.GameID, "Vắng mặt")
	if err := b.live.StartGame(ctx, g.GameID); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(time.Second)
	b.answer(t, g.GameID, lan, 0, key[0].CorrectIDs())
	b.answer(t, g.GameID, minh, 0, wrongOf(key[0]))
	b.clock.Advance(9 * time.Second)
	b.answer(t, g.GameID, formula, 0, key[0].CorrectIDs())
	b.clock.Advance(10 * time.Second) // the deadline
	waitPhase(t, b, g.GameID, quiz.PhaseReveal)
	for range 2 {
		if err := b.live.Next(ctx, g.GameID); err != nil {
			t.Fatal(err)
		}
	}
	b.answer(t, g.GameID, minh, 1, key[1].CorrectIDs())
	if err := b.live.End(ctx, g.GameID); err != nil {
		t.Fatal(err)
	}
	b.close()

	var res liveResults
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), official, nil, &res)
	var ranked []string
	for _, p := range res.Players {
		ranked = append(ranked, fmt.Sprintf("%d %s %d %d", p.Rank, p.Nickname, p.Points, p.Correct))
	}
	want := []string{"1 Minh 1000 1", "2 Lan 975 1", "3 =1+2 750 1", "4 Vắng mặt 0 0"}
	if strings.Join(ranked, "|") != strings.Join(want, "|") {
		t.Errorf("players %q, want %q", ranked, want)
	}
	q0 := res.Questions[0]
	if q0.Status != "played" || q0.Players != 4 || q0.Answered != 3 || q0.Correct != 2 || q0.ShareCorrect != 0.5 {
		t.Errorf("question 0 %+v", q0)
	}

	t.Run("the workbook has the players with points and right answers, and each question's share", func(t *testing.T) {
		resp, body := s.request("GET", fmt.Sprintf("/api/v1/live/%d/results.xlsx", g.GameID),
			http.Header{"Authorization": {"Bearer " + official}}, "")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("status %d, %v", resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("Người chơi")
		if !containsRow(rows, []string{"Hạng", "Biệt danh", "Điểm", "Số câu đúng"}) ||
			!containsRow(rows, []string{"1", "Minh", "1000", "1"}) || !containsRow(rows, []string{"3", "=1+2", "750", "1"}) {
			t.Errorf("players sheet %q", rows)
		}
		if v, _ := f.GetCellFormula("Người chơi", "B12"); v != "" {
			t.Errorf("a nickname became a formula: %q", v)
		}
		qrows, _ := f.GetRows("Câu hỏi")
		if !containsRow(qrows, []string{"1", key[0].Text}) || !containsCell(qrows, "50") {
			t.Errorf("questions sheet %q", qrows)
		}
	})
	t.Run("the CSV opens in Excel: a byte order mark, Vietnamese headings, formulas defused", func(t *testing.T) {
		resp, body := s.request("GET", fmt.Sprintf("/api/v1/live/%d/results.csv", g.GameID),
			http.Header{"Authorization": {"Bearer " + official}}, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "\ufeffHạng,Biệt danh,Điểm,Số câu đúng") {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
		if !strings.Contains(body, "\r\n3,'=1+2,750,1,") || !strings.Contains(body, "\r\n2,Lan,975,1,1,21.000,Khách\r\n") {
			t.Errorf("body %q", body)
		}
		_, body = s.request("GET", fmt.Sprintf("/api/v1/live/%d/results.csv?table=questions&header=keys", g.GameID),
			http.Header{"Authorization": {"Bearer " + official}}, "")
		if !strings.HasPrefix(body, "\ufeffindex,question,correct_options,status,players,answered,correct,share_correct\r\n1,") ||
			!strings.Contains(body, ",played,4,3,2,0.5000\r\n") {
			t.Errorf("questions %q", body)
		}
		if status, _ := s.call("GET", fmt.Sprintf("/api/v1/live/%d/results.csv?table=x", g.GameID), official, nil); status != 422 {
			t.Errorf("table=x: status %d, want 422", status)
		}
	})
	t.Run("every download is in the audit log", func(t *testing.T) {
		var out struct {
			Entries []struct {
				Action string `json:"action"`
				Detail string `json:"detail"`
			} `json:"entries"`
		}
		s.mustCall(200, "GET", "/api/v1/audit?action="+quiz.AuditExportLiveResults, official, nil, &out)
		var details []string
		for _, e := range out.Entries {
			details = append(details, e.Detail)
		}
		id := fmt.Sprint(g.GameID)
		if len(details) != 3 || details[0] != "game="+id+" csv questions" || details[2] != "game="+id+" xlsx" {
			t.Errorf("audit %q", details)
		}
	})
	t.Run("an ended game has no join address", func(t *testing.T) {
		s2 := s.restart(t)
		var got liveGame
		s2.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d", g.GameID), admin, nil, &got)
		if got.Phase != "ended" || got.JoinURL != nil || got.Players != 4 {
			t.Errorf("state %+v", got)
		}
	})
}

func waitPhase(t *testing.T, b *beside, gameID int64, phase string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, _ := b.live.Game(context.Background(), gameID)
		if g.Phase == phase {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the game is in its %s phase, want %s", g.Phase, phase)
		}
		time.Sleep(time.Millisecond)
	}
}

func containsRow(rows [][]string, prefix []string) bool {
	for _, r := range rows {
		if len(r) >= len(prefix) && strings.Join(r[:len(prefix)], "\x00") == strings.Join(prefix, "\x00") {
			return true
		}
	}
	return false
}

func containsCell(rows [][]string, v string) bool {
	for _, r := range rows {
		for _, c := range r {
			if c == v {
				return true
			}
		}
	}
	return false
}

// TestLiveGameSurvivesAServerRestart stops a hoithi with a question open
// and one answer acknowledged: the server that starts next closes the
// question as it was, keeps the answer's points, and lets the host carry
// on from the next question.
func TestLiveGameSurvivesAServerRestart(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	g := s.createLive(admin, 2, nil)
	b := s.beside(t)
	key := b.key(t, g.GameID)
	lan := b.join(t, g.GameID, "Lan")
	b.join(t, g.GameID, "Minh")
	if err := b.live.StartGame(context.Background(), g.GameID); err != nil {
		t.Fatal(err)
	}
	b.answer(t, g.GameID, lan, 0, key[0].CorrectIDs())
	b.close() // stops with question 0 open

	s = s.restart(t)
	var got liveGame
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d", g.GameID), admin, nil, &got)
	if got.Phase != "reveal" || got.QuestionIndex == nil || *got.QuestionIndex != 0 || got.PIN != g.PIN || got.Players != 2 {
		t.Errorf("state after the restart %+v", got)
	}
	var res liveResults
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
	if len(res.Players) != 2 || res.Players[0].Nickname != "Lan" || res.Players[0].Points != 1000 ||
		res.Players[1].Points != 0 || res.Questions[0].Status != "played" || res.Questions[0].Answered != 1 {
		t.Errorf("results after the restart %+v", res)
	}
}

// Every message the live quiz names is in the catalog in both languages,
// and every error it gives has words.
func TestLiveMessagesAreInTheCatalog(t *testing.T) {
	var catalog map[string]map[string]string
	if err := json.Unmarshal(web.Messages, &catalog); err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool { return catalog[key]["vi"] != "" && catalog[key]["en"] != "" }
	named := regexp.MustCompile(`"((?:live|field|ux)\.[a-z_.]+)"`)
	files, _ := filepath.Glob("quiz/live*.go")
	files = append(files, "handlers/live.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllSubmatch(data, -1) {
			if key := string(m[1]); !strings.HasSuffix(key, ".") && !has(key) {
				t.Errorf("%s names %s, which the catalog lacks", name, key)
			}
		}
	}
	codes := regexp.MustCompile(`Code[A-Za-z]+ += "([a-z_]+)"`)
	data, _ := os.ReadFile("quiz/live.go")
	for _, m := range codes.FindAllSubmatch(data, -1) {
		code := string(m[1])
		if !has("live.err."+code) && !has("err."+code) {
			t.Errorf("error code %s has no words", code)
		}
	}
	if !bytes.Contains(data, []byte("CodeNicknameTaken")) {
		t.Error("quiz/live.go no longer declares the live codes")
	}
}
