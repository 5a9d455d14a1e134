package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// key returns each question's correct options, read as an organizer.
func (s *testServer) key(token string) map[int64][]int64 {
	s.t.Helper()
	var out struct {
		Questions []struct {
			ID      int64 `json:"id"`
			Options []struct {
				ID      int64 `json:"id"`
				Correct bool  `json:"correct"`
			} `json:"options"`
		} `json:"questions"`
	}
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/banks/%d/questions", s.demoBank(token)), token, nil, &out)
	key := map[int64][]int64{}
	for _, q := range out.Questions {
		for _, o := range q.Options {
			if o.Correct {
				key[q.ID] = append(key[q.ID], o.ID)
			}
		}
	}
	return key
}

func attemptWS(id int64) string { return fmt.Sprintf("/ws/attempts/%d", id) }

func TestAttemptAnswerAckAndReconnect(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Đặng Văn Hải")
	roundID := s.round(admin, map[string]any{"question_count": 6})
	id := s.start(token, roundID)

	ws := s.dial(attemptWS(id), token)
	first := ws.state()
	if first.Status != "in_progress" || len(first.Questions) != 6 || len(first.Answers) != 0 {
		t.Fatalf("first state %+v", first)
	}
	for _, q := range first.Questions {
		for _, o := range q.Options {
			if o.Correct != nil {
				t.Fatal("the state carries the correct options while the attempt runs")
			}
		}
	}
	chosen := map[string][]int64{}
	for i, q := range first.Questions[:4] {
		opt := q.Options[i%len(q.Options)].ID
		ws.send(map[string]any{"type": "answer", "seq": i + 1, "question_id": q.ID, "option_ids": []int64{opt}})
		chosen[strconv.FormatInt(q.ID, 10)] = []int64{opt}
	}
	// Change the answer to the first question: the later one replaces it.
	q0 := first.Questions[0]
	ws.send(map[string]any{"type": "answer", "seq": 5, "question_id": q0.ID, "option_ids": []int64{q0.Options[1].ID}})
	chosen[strconv.FormatInt(q0.ID, 10)] = []int64{q0.Options[1].ID}
	for seq := 1; seq <= 5; seq++ {
		m := ws.expect("ack")
		if m["seq"] != float64(seq) {
			t.Fatalf("ack %v, want seq %d in order", m, seq)
		}
	}
	ws.Close()

	again := s.dial(attemptWS(id), token)
	second := again.state()
	if second.Deadline != first.Deadline {
		t.Errorf("deadline moved on reconnect: %s then %s", first.Deadline, second.Deadline)
	}
	for i := range first.Questions {
		if first.Questions[i].ID != second.Questions[i].ID {
			t.Fatalf("question order changed on reconnect")
		}
		for j := range first.Questions[i].Options {
			if first.Questions[i].Options[j].ID != second.Questions[i].Options[j].ID {
				t.Fatalf("option order changed on reconnect")
			}
		}
	}
	if fmt.Sprint(second.Answers) != fmt.Sprint(chosen) {
		t.Errorf("answers after reconnect %v, want every acknowledged one %v", second.Answers, chosen)
	}
}

func TestNewerSocketReplacesOlder(t *testing.T) {
	s := startServer(t, nil)
	token, _ := s.contestant("Bùi Thị Lan")
	id := s.start(token, s.round(s.admin(), nil))
	old := s.dial(attemptWS(id), token)
	old.state()
	fresh := s.dial(attemptWS(id), token)
	fresh.state()
	old.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := old.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 {
		t.Fatalf("old socket got %v, want close 4001", err)
	}
	// The fresh socket still works.
	fresh.send(map[string]any{"type": "answer", "seq": 1, "question_id": 0, "option_ids": []int64{}})
	if m := fresh.expect("error"); m["code"] != "unknown_question" {
		t.Errorf("fresh socket answered %v", m)
	}
}

func TestAttemptRefusesBadMessages(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	token, _ := s.contestant("Ngô Văn Minh")
	key := s.key(admin)
	id := s.start(token, s.round(admin, map[string]any{"question_count": 10}))
	ws := s.dial(attemptWS(id), token)
	st := ws.state()

	var single, multiple *struct {
		ID int64
		o  []int64
	}
	for _, q := range st.Questions {
		var opts []int64
		for _, o := range q.Options {
			opts = append(opts, o.ID)
		}
		if len(key[q.ID]) > 1 && multiple == nil {
			multiple = &struct {
				ID int64
				o  []int64
			}{q.ID, opts}
		}
		if len(key[q.ID]) == 1 && single == nil {
			single = &struct {
				ID int64
				o  []int64
			}{q.ID, opts}
		}
	}
	if single == nil {
		t.Fatal("no single-answer question drawn")
	}
	other := st.Questions[0].ID
	if other == single.ID {
		other = st.Questions[1].ID
	}
	var otherOption int64
	for _, q := range st.Questions {
		if q.ID == other {
			otherOption = q.Options[0].ID
		}
	}

	cases := []struct {
		name string
		send func()
		code string
	}{
		{"text that is not JSON", func() { ws.WriteMessage(websocket.TextMessage, []byte("xin chào")) }, "bad_message"},
		{"a binary frame", func() { ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2}) }, "bad_message"},
		{"an unknown type", func() { ws.send(map[string]any{"type": "cheat", "seq": 1}) }, "bad_message"},
		{"an answer without seq", func() {
			ws.send(map[string]any{"type": "answer", "question_id": single.ID, "option_ids": []int64{single.o[0]}})
		}, "bad_message"},
		{"an answer without options", func() { ws.send(map[string]any{"type": "answer", "seq": 2, "question_id": single.ID}) }, "bad_message"},
		{"a wrong type of field", func() { ws.send(map[string]any{"type": "answer", "seq": "x", "question_id": single.ID}) }, "bad_message"},
		{"a question not in the attempt", func() {
			ws.send(map[string]any{"type": "answer", "seq": 3, "question_id": 987654, "option_ids": []int64{1}})
		}, "unknown_question"},
		{"an option of another question", func() {
			ws.send(map[string]any{"type": "answer", "seq": 4, "question_id": single.ID, "option_ids": []int64{otherOption}})
		}, "invalid_option"},
		{"two options on a single-answer question", func() {
			ws.send(map[string]any{"type": "answer", "seq": 5, "question_id": single.ID, "option_ids": single.o[:2]})
		}, "invalid_option"},
	}
	for _, c := range cases {
		t.Run("refuses "+c.name, func(t *testing.T) {
			c.send()
			m := ws.expect("error")
			if m["code"] != c.code || m["message"] == "" {
				t.Errorf("got %v, want %s with a message", m, c.code)
			}
		})
	}
	if multiple != nil {
		ws.send(map[string]any{"type": "answer", "seq": 6, "question_id": multiple.ID, "option_ids": multiple.o[:2]})
		ws.expect("ack")
	}
	// None of the refused answers was stored.
	ws.Close()
	st = s.dial(attemptWS(id), token).state()
	if multiple == nil && len(st.Answers) != 0 || multiple != nil && len(st.Answers) != 1 {
		t.Errorf("answers stored %v; refused answers must change nothing", st.Answers)
	}
}

func TestSubmitScoresAndRanks(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	key := s.key(admin)
	roundID := s.round(admin, map[string]any{"question_count": 8, "points_per_question": 5,
		"prediction_prompt": "Bao nhiêu người?", "prediction_target": "participants"})

	play := func(name string, right int) msg {
		token, _ := s.contestant(name)
		id := s.start(token, roundID)
		ws := s.dial(attemptWS(id), token)
		st := ws.state()
		ws.answer(st, key, len(st.Questions), right)
		ws.send(map[string]any{"type": "submit", "seq": 100, "prediction": -1})
		if m := ws.expect("error"); m["code"] != "invalid_prediction" {
			t.Fatalf("negative prediction: %v", m)
		}
		ws.send(map[string]any{"type": "submit", "seq": 101, "prediction": 2})
		res := ws.expect("result")
		ws.send(map[string]any{"type": "submit", "seq": 102})
		if m := ws.expect("error"); m["code"] != "already_submitted" {
			t.Errorf("second submit: %v, want already_submitted", m)
		}
		ws.send(map[string]any{"type": "answer", "seq": 103, "question_id": st.Questions[0].ID, "option_ids": []int64{}})
		if m := ws.expect("error"); m["code"] != "already_submitted" {
			t.Errorf("answer after submit: %v, want already_submitted", m)
		}
		return res
	}
	a := play("Trịnh Văn Nam", 6)
	if a["score"] != float64(30) || a["correct"] != float64(6) || a["total"] != float64(8) || a["rank"] != float64(1) || a["seq"] != float64(101) {
		t.Errorf("first result %v, want 30 points, 6/8, rank 1", a)
	}
	b := play("Lý Thị Oanh", 8)
	if b["score"] != float64(40) || b["rank"] != float64(1) {
		t.Errorf("second result %v, want 40 points at rank 1", b)
	}

	var board struct {
		Total   *int `json:"total"` // null: the round asks a prediction and is open
		Entries []struct {
			Rank  int    `json:"rank"`
			Name  string `json:"name"`
			Unit  string `json:"unit"`
			Score int    `json:"score"`
		} `json:"entries"`
	}
	_, raw := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard?limit=10", roundID), "", nil)
	s.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard?limit=10", roundID), "", nil, &board)
	if board.Total != nil || len(board.Entries) != 2 || board.Entries[0].Name != "Lý Thị Oanh" || board.Entries[1].Rank != 2 || board.Entries[0].Unit != "Sở Tư pháp" {
		t.Errorf("leaderboard %+v", board)
	}
	for _, secret := range []string{"09", "0010950", "1995-03-04", "phone", "id_number", "birth_date"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the public leaderboard contains %q: %s", secret, raw)
		}
	}
	if status, _ := s.call("GET", fmt.Sprintf("/api/v1/rounds/%d/leaderboard?limit=0", roundID), "", nil); status != 422 {
		t.Errorf("limit=0: %d, want 422", status)
	}
}

func TestDeadlineAndAutoSubmit(t *testing.T) {
	const grace = 300 * time.Millisecond
	s := startServerOnFakeClock(t, map[string]string{"HOITHI_GRACE": grace.String()})
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"duration_seconds": 1, "max_attempts": 0})

	t.Run("submits at the deadline and tells the open socket", func(t *testing.T) {
		token, _ := s.contestant("Mai Văn Phúc")
		id := s.start(token, roundID)
		ws := s.dial(attemptWS(id), token)
		st := ws.state()
		ws.send(map[string]any{"type": "answer", "seq": 1, "question_id": st.Questions[0].ID, "option_ids": []int64{st.Questions[0].Options[0].ID}})
		ws.expect("ack")
		// What waits on the server's clock: the attempt's submit among them.
		waiting := s.clock.Waiting()
		s.clock.Advance(time.Second)
		if n := s.clock.Waiting(); n != waiting {
			t.Fatalf("at the deadline %d timers wait on the server's clock, want %d: the submit waits for the grace", n, waiting)
		}
		ws.send(map[string]any{"type": "answer", "seq": 2, "question_id": st.Questions[1].ID, "option_ids": []int64{st.Questions[1].Options[0].ID}})
		if m := ws.read(); m["type"] != "ack" {
			t.Fatalf("answer at the deadline, within the grace: %v, want ack", m)
		}
		s.clock.Advance(grace)
		if n := s.clock.Waiting(); n != waiting-1 {
			t.Fatalf("after the grace %d timers wait on the server's clock, want %d: the attempt's submit runs on it", n, waiting-1)
		}
		res := ws.read()
		if res["type"] != "result" || res["auto"] != true {
			t.Fatalf("got %v, want an automatic result", res)
		}
		if res["duration_ms"] != float64(1000) {
			t.Errorf("working time %v ms, want the full 1000", res["duration_ms"])
		}
		ws.send(map[string]any{"type": "answer", "seq": 3, "question_id": st.Questions[1].ID, "option_ids": []int64{st.Questions[1].Options[1].ID}})
		if m := ws.expect("error"); m["code"] != "deadline_passed" {
			t.Errorf("answer after the deadline: %v, want deadline_passed", m)
		}
		ws.send(map[string]any{"type": "submit", "seq": 4})
		if m := ws.expect("error"); m["code"] != "deadline_passed" {
			t.Errorf("submit after the deadline: %v, want deadline_passed", m)
		}
	})

	t.Run("submits even with nobody connected", func(t *testing.T) {
		token, _ := s.contestant("Cao Thị Quỳnh")
		id := s.start(token, roundID)
		s.clock.Advance(time.Second + grace)
		// The submit runs beside the request below; the wait only guards
		// against a hang.
		deadline := time.Now().Add(10 * time.Second)
		for {
			var a struct {
				Status string `json:"status"`
				Score  *int   `json:"score"`
			}
			s.mustCall(200, "GET", fmt.Sprintf("/api/v1/attempts/%d", id), token, nil, &a)
			if a.Status == "submitted" {
				if a.Score == nil || *a.Score != 0 {
					t.Errorf("auto-submitted attempt without answers scored %v", a.Score)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the attempt was not submitted after the clock passed its deadline and grace")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("the deadline never passes the round's close", func(t *testing.T) {
		closes := s.now().Add(2 * time.Second).UTC().Truncate(time.Second)
		short := s.round(admin, map[string]any{"duration_seconds": 600, "closes_at": closes.Format(time.RFC3339Nano)})
		token, _ := s.contestant("Đỗ Văn Sơn")
		var out struct {
			Deadline string `json:"deadline"`
		}
		s.mustCall(201, "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", short), token, nil, &out)
		if got, _ := time.Parse(time.RFC3339, out.Deadline); !got.Equal(closes) {
			t.Errorf("deadline %s, want the round's close %s", out.Deadline, closes.Format(time.RFC3339Nano))
		}
	})
}

func TestAttemptSocketHandshake(t *testing.T) {
	s := startServer(t, nil)
	token, _ := s.contestant("Hà Văn Tú")
	other, _ := s.contestant("Kiều Thị Uyên")
	id := s.start(token, s.round(s.admin(), nil))
	cases := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"without a token", http.Header{}, 401},
		{"with someone else's token", http.Header{"Authorization": {"Bearer " + other}}, 403},
		{"with the session cookie from another site", http.Header{"Cookie": {"hoithi_token=" + token}, "Origin": {"https://evil.example"}}, 401},
	}
	for _, c := range cases {
		t.Run("refuses a handshake "+c.name, func(t *testing.T) {
			_, resp, err := websocket.DefaultDialer.Dial(s.WSURL+attemptWS(id), c.header)
			if err == nil || resp == nil || resp.StatusCode != c.want {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Errorf("got %v (status %d), want %d", err, status, c.want)
			}
		})
	}
	// A request that is no websocket handshake gets an API error, and the
	// connection stays an HTTP one.
	plain := []struct {
		name    string
		version string
		key     string
	}{
		{"a plain GET", "", ""},
		{"another websocket version", "8", "dGhlIHNhbXBsZSBub25jZQ=="},
		{"a key that is not 16 bytes", "13", "c2hvcnQ="},
	}
	for _, c := range plain {
		t.Run("answers 400 bad_request to "+c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+attemptWS(id), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			if c.version != "" {
				req.Header.Set("Connection", "Upgrade")
				req.Header.Set("Upgrade", "websocket")
				req.Header.Set("Sec-WebSocket-Version", c.version)
				req.Header.Set("Sec-WebSocket-Key", c.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error struct{ Code string } }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != 400 || body.Error.Code != "bad_request" {
				t.Errorf("status %d, code %q; want 400 bad_request", resp.StatusCode, body.Error.Code)
			}
		})
	}
	t.Run("accepts the session cookie from this site", func(t *testing.T) {
		h := http.Header{"Cookie": {"hoithi_token=" + token}, "Origin": {s.URL}}
		c, _, err := websocket.DefaultDialer.Dial(s.WSURL+attemptWS(id), h)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		(&wsConn{t, c}).state()
	})
}

func TestLeaderboardSocketPushes(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	watcher := s.dial(fmt.Sprintf("/ws/rounds/%d/leaderboard?limit=5", roundID), "")
	first := watcher.expect("leaderboard")
	if first["total"] != float64(0) {
		t.Fatalf("first push %v, want an empty board", first)
	}
	for _, name := range []string{"Người Thi Một", "Người Thi Hai", "Người Thi Ba"} {
		token, _ := s.contestant(name)
		ws := s.dial(attemptWS(s.start(token, roundID)), token)
		ws.state()
		ws.send(map[string]any{"type": "submit", "seq": 1})
		ws.expect("result")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := watcher.expect("leaderboard")
		if m["total"] == float64(3) {
			entries := m["entries"].([]any)
			if len(entries) != 3 || entries[0].(map[string]any)["name"] == "" {
				t.Errorf("entries %v", entries)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the board never showed all three submissions")
		}
	}
}

func TestShutdownClosesSocketsGoingAway(t *testing.T) {
	s := startServer(t, nil)
	token, _ := s.contestant("Lạc Văn Vinh")
	ws := s.dial(attemptWS(s.start(token, s.round(s.admin(), nil))), token)
	ws.state()
	s.Stop()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("got %v, want close 1001 (going away)", err)
	}
}
