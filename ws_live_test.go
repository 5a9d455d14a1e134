package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The live quiz over its real websocket, /ws/live/{pin}: a host and
// several players on the real server, the server's clock faked where
// points depend on time.

// liveWS is a game's websocket path.
func liveWS(g liveGame) string { return fmt.Sprintf("/ws/live/%s?game=%d", g.PIN, g.GameID) }

// liveConn is a test client of the live socket: a player once joined.
// Its methods take the test they fail.
type liveConn struct {
	*websocket.Conn
	playerID int64
	token    string
	nickname string
	// raw keeps every message the client read, for the checks that no
	// correct option arrives before its reveal.
	raw []string
}

// next returns the next message, failing after a few seconds.
func (c *liveConn) next(t *testing.T) msg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	c.raw = append(c.raw, string(data))
	var m msg
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not JSON: %s", data)
	}
	return m
}

// want reads the next message and checks its type.
func (c *liveConn) want(t *testing.T, kind string) msg {
	t.Helper()
	m := c.next(t)
	if m["type"] != kind {
		t.Fatalf("got %v, want a %q message", m, kind)
	}
	return m
}

// until reads messages up to the first of type kind (the host hears of
// players and counts in between).
func (c *liveConn) until(t *testing.T, kind string) msg {
	t.Helper()
	for {
		if m := c.next(t); m["type"] == kind {
			return m
		}
	}
}

// closed reads until the server's close frame and returns its code.
func (c *liveConn) closed(t *testing.T) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := c.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			t.Fatalf("read: %v, want a close frame", err)
		}
		c.raw = append(c.raw, string(data))
	}
}

func (c *liveConn) send(t *testing.T, v any) {
	t.Helper()
	if err := c.WriteJSON(v); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// answer sends an answer to question index.
func (c *liveConn) answer(t *testing.T, index int, ids []int64) {
	t.Helper()
	c.send(t, map[string]any{"type": "answer", "question_index": index, "option_ids": ids})
}

// liveDial opens the game's socket with a bearer token (none for a guest);
// it closes when t ends.
func (s *testServer) liveDial(t *testing.T, g liveGame, token string) *liveConn {
	t.Helper()
	return &liveConn{Conn: s.in(t).dial(liveWS(g), token).Conn}
}

// liveJoin opens a guest's socket and joins with nickname.
func (s *testServer) liveJoin(t *testing.T, g liveGame, nickname string) *liveConn {
	t.Helper()
	c := s.liveDial(t, g, "")
	c.send(t, map[string]any{"type": "join", "nickname": nickname})
	j := c.want(t, "joined")
	c.playerID, c.token, c.nickname = int64(num(j["player_id"])), j["token"].(string), nickname
	return c
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// liveKey maps each option id of the demo bank to whether it is correct.
func (s *testServer) liveKey(token string) map[int64]bool {
	s.t.Helper()
	key := map[int64]bool{}
	for _, q := range s.bankQuestions(token, s.demoBank(token)).Questions {
		for _, o := range q.Options {
			key[o.ID] = o.Correct
		}
	}
	return key
}

// choice returns a right (or a wrong) option of a question message.
func choice(t *testing.T, q msg, key map[int64]bool, right bool) []int64 {
	t.Helper()
	var ids []int64
	for _, o := range q["options"].([]any) {
		id := int64(num(o.(map[string]any)["id"]))
		if key[id] == right {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.Fatalf("question %v has no %v option", q["index"], right)
	}
	if right {
		return ids // every right option: a multiple-answer question needs them all
	}
	return ids[:1]
}

// keysOf returns a message's field names, sorted.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// noCorrectOptions fails when a message a player got before a reveal
// could tell a correct option: a question's options carry id and text
// only, and nothing but a reveal has correct_option_ids.
func noCorrectOptions(t *testing.T, who string, raw []string) {
	t.Helper()
	for _, data := range raw {
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		switch m["type"] {
		case "reveal", "result", "leaderboard", "ended", "final":
			t.Errorf("%s got %s before the reveal", who, data)
		case "question":
			want := []string{"count", "deadline", "index", "multiple", "options", "remaining_ms", "seconds", "server_time", "text", "type"}
			if got := keysOf(m); !slices.Equal(got, want) {
				t.Errorf("%s: question fields %v, want %v", who, got, want)
			}
			for _, o := range m["options"].([]any) {
				if got := keysOf(o.(map[string]any)); !slices.Equal(got, []string{"id", "text"}) {
					t.Errorf("%s: option fields %v, want id and text", who, got)
				}
			}
		}
		if strings.Contains(data, "correct_option_ids") {
			t.Errorf("%s got the correct options before the reveal: %s", who, data)
		}
	}
}

func TestLiveGameOverWebsockets(t *testing.T) {
	s := startServerOnFakeClock(t, nil)
	admin := s.admin()
	key := s.liveKey(admin)
	g := s.createLive(admin, 2, map[string]any{"streak_bonus": true, "seconds_per_question": 20})

	host := s.liveDial(t, g, admin)
	lobby := host.want(t, "lobby")
	if lobby["pin"] != g.PIN || lobby["phase"] != "lobby" || len(lobby["players"].([]any)) != 0 {
		t.Fatalf("lobby %v", lobby)
	}
	an := s.liveJoin(t, g, "An")
	binh := s.liveJoin(t, g, "Bình")
	chi := s.liveJoin(t, g, "Chi")
	players := []*liveConn{an, binh, chi}
	for _, p := range players {
		if m := host.want(t, "player_joined"); int64(num(m["player_id"])) != p.playerID || m["nickname"] != p.nickname {
			t.Errorf("host heard %v, want %s joining", m, p.nickname)
		}
	}

	t.Run("a nickname already in the game is refused whatever its case, and the socket stays open", func(t *testing.T) {
		other := s.liveDial(t, g, "")
		other.send(t, map[string]any{"type": "join", "nickname": "  an "})
		if m := other.want(t, "error"); m["code"] != "nickname_taken" || m["message"] == "" {
			t.Errorf("got %v, want nickname_taken with words", m)
		}
		other.send(t, map[string]any{"type": "rejoin", "token": "not-a-token"})
		if m := other.want(t, "error"); m["code"] != "invalid_token" {
			t.Errorf("got %v, want invalid_token", m)
		}
		other.Close()
	})

	t.Run("a player cannot send host commands", func(t *testing.T) {
		an.send(t, map[string]any{"type": "start"})
		if m := an.want(t, "error"); m["code"] != "bad_message" {
			t.Errorf("got %v, want bad_message", m)
		}
	})

	host.send(t, map[string]any{"type": "start"})
	var q0 msg
	for _, p := range players {
		q0 = p.want(t, "question")
	}
	if hq := host.until(t, "question"); hq["text"] != q0["text"] || num(q0["remaining_ms"]) != 20000 {
		t.Fatalf("host's question %v, players' %v", hq, q0)
	}

	s.clock.Advance(2 * time.Second)
	an.answer(t, 0, choice(t, q0, key, true))
	an.want(t, "ack")
	if m := host.until(t, "answers"); num(m["answered"]) != 1 || num(m["connected"]) != 3 {
		t.Errorf("host's count %v, want 1 of 3", m)
	}
	s.clock.Advance(2 * time.Second)
	binh.answer(t, 0, choice(t, q0, key, false))
	binh.want(t, "ack")
	s.clock.Advance(4 * time.Second)

	t.Run("nothing a player receives before the reveal holds the correct options", func(t *testing.T) {
		for _, p := range players {
			noCorrectOptions(t, p.nickname, p.raw)
		}
	})

	chi.answer(t, 0, choice(t, q0, key, true))
	chi.want(t, "ack")

	t.Run("the question is revealed as soon as every player has answered", func(t *testing.T) {
		for _, p := range players {
			r := p.want(t, "reveal")
			if num(r["answered"]) != 3 || num(r["correct_count"]) != 2 || len(r["correct_option_ids"].([]any)) == 0 {
				t.Errorf("%s: reveal %v", p.nickname, r)
			}
		}
		if r := host.until(t, "reveal"); num(r["answered"]) != 3 {
			t.Errorf("host's reveal %v", r)
		}
	})

	t.Run("points follow the formula: 1000 × (1 − t / 2T)", func(t *testing.T) {
		for _, tt := range []struct {
			p             *liveConn
			points, rank  float64
			correct, seen bool
		}{
			{an, 950, 1, true, true},  // at 2 s of 20
			{chi, 800, 2, true, true}, // at 8 s
			{binh, 0, 3, false, true},
		} {
			r := tt.p.want(t, "result")
			if num(r["points"]) != tt.points || num(r["total_points"]) != tt.points || num(r["rank"]) != tt.rank ||
				r["correct"] != tt.correct || r["answered"] != true || num(r["players"]) != 3 {
				t.Errorf("%s: result %v, want %v points, rank %v", tt.p.nickname, r, tt.points, tt.rank)
			}
		}
	})

	t.Run("an answer after the reveal is refused", func(t *testing.T) {
		binh.answer(t, 0, choice(t, q0, key, true))
		if m := binh.want(t, "error"); m["code"] != "question_closed" {
			t.Errorf("got %v, want question_closed", m)
		}
	})

	host.send(t, map[string]any{"type": "next"})
	t.Run("the leaderboard reaches everyone, with the right answers beside the points", func(t *testing.T) {
		for _, p := range append(players, host) {
			var b msg
			if p == host {
				b = host.until(t, "leaderboard")
			} else {
				b = p.want(t, "leaderboard")
			}
			var got []string
			for _, e := range b["entries"].([]any) {
				e := e.(map[string]any)
				got = append(got, fmt.Sprintf("%v %v %v %v", e["rank"], e["nickname"], e["points"], e["correct"]))
			}
			want := []string{"1 An 950 1", "2 Chi 800 1", "3 Bình 0 0"}
			if !slices.Equal(got, want) {
				t.Errorf("leaderboard %v, want %v", got, want)
			}
		}
	})

	host.send(t, map[string]any{"type": "next"})
	var q1 msg
	for _, p := range players {
		q1 = p.want(t, "question")
	}
	s.clock.Advance(time.Second)
	an.answer(t, 1, choice(t, q1, key, true))
	an.want(t, "ack")
	// The deadline's timer was set before the question went out.
	s.clock.Advance(20*time.Second - time.Second)

	t.Run("the question closes at its deadline on the server's clock", func(t *testing.T) {
		for _, p := range players {
			p.want(t, "reveal")
		}
		r := an.want(t, "result")
		// 1000 × (1 − 1/40) = 975, and 100 more for a second right answer in a row.
		if num(r["points"]) != 1075 || num(r["total_points"]) != 2025 || num(r["streak"]) != 2 || num(r["correct_answers"]) != 2 {
			t.Errorf("An's result %v, want 1075 points for 2025 in all", r)
		}
		if r := chi.want(t, "result"); r["answered"] != false || num(r["points"]) != 0 || num(r["total_points"]) != 800 {
			t.Errorf("Chi's result %v, want no answer", r)
		}
		binh.want(t, "result")
		chi.answer(t, 1, choice(t, q1, key, true))
		if m := chi.want(t, "error"); m["code"] != "question_closed" {
			t.Errorf("a late answer got %v, want question_closed", m)
		}
	})

	host.send(t, map[string]any{"type": "next"}) // the leaderboard
	host.send(t, map[string]any{"type": "next"}) // after the last question: the end
	t.Run("the end gives everyone the standings and each player their own", func(t *testing.T) {
		for _, tt := range []struct {
			p      *liveConn
			rank   float64
			points float64
		}{{an, 1, 2025}, {chi, 2, 800}, {binh, 3, 0}} {
			tt.p.want(t, "leaderboard")
			if e := tt.p.want(t, "ended"); len(e["entries"].([]any)) != 3 {
				t.Errorf("%s: ended %v", tt.p.nickname, e)
			}
			if f := tt.p.want(t, "final"); num(f["rank"]) != tt.rank || num(f["points"]) != tt.points || num(f["players"]) != 3 {
				t.Errorf("%s: final %v, want rank %v with %v points", tt.p.nickname, f, tt.rank, tt.points)
			}
		}
		if e := host.until(t, "ended"); len(e["entries"].([]any)) != 3 {
			t.Errorf("host's end %v", e)
		}
		var res liveResults
		s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
		if len(res.Players) != 3 || res.Players[0].Nickname != "An" || res.Players[0].Points != 2025 || res.Players[0].Correct != 2 {
			t.Errorf("results %+v", res.Players)
		}
	})

	t.Run("a phone that reconnects after the end finds its game by id and gets its standing", func(t *testing.T) {
		an.Close()
		again := s.liveDial(t, g, "")
		again.send(t, map[string]any{"type": "rejoin", "token": an.token})
		if j := again.want(t, "joined"); j["phase"] != "ended" || num(j["points"]) != 2025 {
			t.Errorf("joined %v", j)
		}
		again.want(t, "ended")
		if f := again.want(t, "final"); num(f["rank"]) != 1 {
			t.Errorf("final %v", f)
		}
		if status := s.wsStatus(fmt.Sprintf("/ws/live/%s", g.PIN), nil); status != http.StatusNotFound {
			t.Errorf("the ended game's PIN alone: %d, want 404", status)
		}
	})
}

// wsStatus dials path and returns the handshake's status.
func (s *testServer) wsStatus(path string, header http.Header) int {
	s.t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+path, header)
	if err == nil {
		c.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		s.t.Fatalf("dial %s: %v", path, err)
	}
	return resp.StatusCode
}

func TestLiveRejoinAfterADroppedConnection(t *testing.T) {
	s := startServerOnFakeClock(t, nil)
	admin := s.admin()
	key := s.liveKey(admin)
	g := s.createLive(admin, 2, nil)
	host := s.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := s.liveJoin(t, g, "An")
	binh := s.liveJoin(t, g, "Bình")
	host.send(t, map[string]any{"type": "start"})
	q0 := an.want(t, "question")
	binh.want(t, "question")
	an.answer(t, 0, choice(t, q0, key, true))
	an.want(t, "ack")

	// The phone's connection drops without a word.
	an.UnderlyingConn().Close()
	if m := host.until(t, "player_left"); int64(num(m["player_id"])) != an.playerID || num(m["connected"]) != 1 {
		t.Errorf("host heard %v, want An leaving", m)
	}
	binh.answer(t, 0, choice(t, q0, key, false))
	binh.want(t, "ack")
	binh.want(t, "reveal") // Bình was the last one connected to answer

	back := s.liveDial(t, g, "")
	t.Run("the token rejoins the same player with the same points", func(t *testing.T) {
		back.send(t, map[string]any{"type": "rejoin", "token": an.token})
		j := back.want(t, "joined")
		if int64(num(j["player_id"])) != an.playerID || j["nickname"] != "An" || num(j["points"]) != 1000 || num(j["correct"]) != 1 {
			t.Errorf("joined %v, want An with 1000 points", j)
		}
		back.want(t, "reveal")
		if r := back.want(t, "result"); num(r["total_points"]) != 1000 || num(r["rank"]) != 1 {
			t.Errorf("result %v", r)
		}
		if m := host.until(t, "player_joined"); m["rejoined"] != true {
			t.Errorf("host heard %v, want a rejoin", m)
		}
	})
	back.playerID, back.token, back.nickname = an.playerID, an.token, "An"

	host.send(t, map[string]any{"type": "next"})
	host.send(t, map[string]any{"type": "next"})
	back.want(t, "leaderboard")
	q1 := back.want(t, "question")
	back.answer(t, 1, choice(t, q1, key, true))
	back.want(t, "ack")
	back.Close()

	t.Run("a rejoin while a question is open resends it and the acknowledgement", func(t *testing.T) {
		again := s.liveDial(t, g, "")
		again.send(t, map[string]any{"type": "rejoin", "token": an.token})
		again.want(t, "joined")
		if q := again.want(t, "question"); num(q["index"]) != 1 {
			t.Errorf("question %v, want the second", q)
		}
		if a := again.want(t, "ack"); num(a["question_index"]) != 1 {
			t.Errorf("ack %v", a)
		}
		t.Run("and the answer stays final", func(t *testing.T) {
			again.answer(t, 1, choice(t, q1, key, false))
			if m := again.want(t, "error"); m["code"] != "already_answered" {
				t.Errorf("got %v, want already_answered", m)
			}
		})
	})

	t.Run("a newer socket of the same player replaces the older one", func(t *testing.T) {
		// A socket that has said "joined" holds the player: the next
		// rejoin replaces it, however soon it comes (twenty in a row).
		rejoin := func() *liveConn {
			c := s.liveDial(t, g, "")
			c.send(t, map[string]any{"type": "rejoin", "token": an.token})
			c.want(t, "joined")
			return c
		}
		older := rejoin()
		for i := range 20 {
			newer := rejoin()
			if code := older.closed(t); code != 4001 {
				t.Fatalf("rejoin %d: the older socket closed with %d, want 4001", i+1, code)
			}
			older = newer
		}
	})
}

func TestLiveKick(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	g := s.createLive(admin, 1, nil)
	host := s.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := s.liveJoin(t, g, "An")
	binh := s.liveJoin(t, g, "Bình")
	host.until(t, "player_joined")
	host.until(t, "player_joined")

	host.send(t, map[string]any{"type": "kick", "player_id": binh.playerID})
	t.Run("the kicked player hears it and is dropped with 4003", func(t *testing.T) {
		binh.want(t, "kicked")
		if code := binh.closed(t); code != 4003 {
			t.Errorf("closed with %d, want 4003", code)
		}
	})
	t.Run("the host hears the player is gone", func(t *testing.T) {
		m := host.until(t, "player_kicked")
		if int64(num(m["player_id"])) != binh.playerID || num(m["players"]) != 1 {
			t.Errorf("got %v", m)
		}
	})
	t.Run("the kicked player's token rejoins nobody and the nickname stays taken", func(t *testing.T) {
		c := s.liveDial(t, g, "")
		c.send(t, map[string]any{"type": "rejoin", "token": binh.token})
		if m := c.want(t, "error"); m["code"] != "player_kicked" {
			t.Errorf("rejoin got %v, want player_kicked", m)
		}
		c.send(t, map[string]any{"type": "join", "nickname": "Bình"})
		if m := c.want(t, "error"); m["code"] != "nickname_taken" {
			t.Errorf("join got %v, want nickname_taken", m)
		}
	})
	t.Run("a kick needs a player of the game", func(t *testing.T) {
		host.send(t, map[string]any{"type": "kick"})
		if m := host.until(t, "error"); m["code"] != "bad_message" {
			t.Errorf("got %v", m)
		}
	})
	t.Run("the others play on", func(t *testing.T) {
		host.send(t, map[string]any{"type": "start"})
		an.want(t, "question")
	})
}

func TestLivePlayersAnswerOnlyForThemselves(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	key := s.liveKey(admin)
	g := s.createLive(admin, 1, map[string]any{"seconds_per_question": 60})
	host := s.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := s.liveJoin(t, g, "An")
	binh := s.liveJoin(t, g, "Bình")
	stranger := s.liveDial(t, g, "")
	host.send(t, map[string]any{"type": "start"})
	q := an.want(t, "question")
	binh.want(t, "question")

	t.Run("a socket that has not joined cannot answer", func(t *testing.T) {
		stranger.answer(t, 0, choice(t, q, key, true))
		if m := stranger.want(t, "error"); m["code"] != "bad_message" {
			t.Errorf("got %v, want bad_message", m)
		}
	})
	t.Run("an answer naming another player is the sender's", func(t *testing.T) {
		an.send(t, map[string]any{"type": "answer", "question_index": 0, "option_ids": choice(t, q, key, false), "player_id": binh.playerID})
		an.want(t, "ack")
		binh.answer(t, 0, choice(t, q, key, true))
		binh.want(t, "ack")
		if r := binh.want(t, "reveal"); num(r["answered"]) != 2 {
			t.Errorf("reveal %v", r)
		}
		if r := binh.want(t, "result"); r["correct"] != true {
			t.Errorf("Bình's own answer was not his: %v", r)
		}
		an.want(t, "reveal")
		if r := an.want(t, "result"); r["correct"] != false {
			t.Errorf("An's result %v", r)
		}
	})
	t.Run("malformed messages are refused with bad_message", func(t *testing.T) {
		for _, frame := range []string{`{"type":"answer","question_index":0}`, `not json`, `{"type":"dance"}`} {
			if err := an.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
				t.Fatal(err)
			}
			if m := an.want(t, "error"); m["code"] != "bad_message" {
				t.Errorf("%s: got %v, want bad_message", frame, m)
			}
		}
		if err := an.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"answer"}`)); err != nil {
			t.Fatal(err)
		}
		if m := an.want(t, "error"); m["code"] != "bad_message" {
			t.Errorf("binary frame: got %v, want bad_message", m)
		}
	})
}

func TestLiveSocketHandshake(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	g := s.createLive(admin, 1, nil)
	contestant, _ := s.contestant("Trần Thị Mai")
	for _, tt := range []struct {
		name   string
		path   string
		header http.Header
		want   int
	}{
		{"an unknown PIN finds nothing", "/ws/live/000000", nil, http.StatusNotFound},
		{"a PIN that is not six digits finds nothing", "/ws/live/12a456", nil, http.StatusNotFound},
		{"a game id with another PIN finds nothing", fmt.Sprintf("/ws/live/%s?game=%d", g.PIN, g.GameID+1), nil, http.StatusNotFound},
		{"a browser's socket from another site is refused", liveWS(g), http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"a browser's socket from this site opens", liveWS(g), http.Header{"Origin": {s.URL}}, http.StatusSwitchingProtocols},
		{"a program's socket (no Origin) opens", fmt.Sprintf("/ws/live/%s", g.PIN), nil, http.StatusSwitchingProtocols},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.in(t).wsStatus(tt.path, tt.header); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("an organizer's session cookie makes the host", func(t *testing.T) {
		c, _, err := websocket.DefaultDialer.Dial(s.WSURL+liveWS(g), cookieHeader(admin, s.URL))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		host := &liveConn{Conn: c}
		host.want(t, "lobby")
	})
	t.Run("a contestant is a player, and joining again gives back the same player", func(t *testing.T) {
		first := s.liveDial(t, g, contestant)
		first.send(t, map[string]any{"type": "join", "nickname": "Mai"})
		j1 := first.want(t, "joined")
		second := s.liveDial(t, g, contestant)
		second.send(t, map[string]any{"type": "join", "nickname": "Mai khác"})
		j2 := second.want(t, "joined")
		if j1["player_id"] != j2["player_id"] || j2["nickname"] != "Mai" || j1["token"] == j2["token"] {
			t.Errorf("joins %v and %v, want the same player under a new token", j1, j2)
		}
	})
	t.Run("the host's commands need a game that can take them", func(t *testing.T) {
		host := s.liveDial(t, g, admin)
		host.want(t, "lobby")
		host.send(t, map[string]any{"type": "skip"})
		if m := host.until(t, "error"); m["code"] != "wrong_game_state" || m["message"] == "" {
			t.Errorf("got %v, want wrong_game_state", m)
		}
		host.send(t, map[string]any{"type": "join", "nickname": "Host"})
		if m := host.until(t, "error"); m["code"] != "bad_message" {
			t.Errorf("got %v, want bad_message", m)
		}
	})
	t.Run("errors read in the language of the handshake", func(t *testing.T) {
		c, _, err := websocket.DefaultDialer.Dial(s.WSURL+liveWS(g), http.Header{"Accept-Language": {"en"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		p := &liveConn{Conn: c}
		p.send(t, map[string]any{"type": "join", "nickname": "Mai"})
		if m := p.want(t, "error"); m["message"] != "Someone in this game has this nickname. Choose another." {
			t.Errorf("got %v", m)
		}
	})
}

// A player whose phone stops reading holds up nobody: the game goes on
// for everyone else at its pace. (On loopback the kernel's buffers take
// this whole game for the stalled phone; the queue that closes a socket
// once it is full is tested with a connection that takes nothing, in
// hub.TestStalledSubscriberDoesNotHoldUpTheOthers.)
func TestLiveStalledPlayerHoldsUpNobody(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	key := s.liveKey(admin)
	const questions = 30
	g := s.createLive(admin, questions, map[string]any{"seconds_per_question": 120})
	host := s.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := s.liveJoin(t, g, "An")

	// The stalled phone: a receive buffer as small as the kernel allows,
	// and nobody reading it after the join.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			_ = rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
			return err
		}}
		return d.DialContext(ctx, network, addr)
	}}
	stalled, _, err := dialer.Dial(s.WSURL+liveWS(g), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if err := stalled.WriteJSON(map[string]any{"type": "join", "nickname": "Treo"}); err != nil {
		t.Fatal(err)
	}
	host.until(t, "player_joined")
	host.until(t, "player_joined")

	host.send(t, map[string]any{"type": "start"})
	for i := range questions {
		q := an.want(t, "question")
		an.answer(t, i, choice(t, q, key, true))
		an.want(t, "ack")
		host.send(t, map[string]any{"type": "next"}) // the stalled player never answers: the host closes the question
		an.want(t, "reveal")
		an.want(t, "result")
		host.send(t, map[string]any{"type": "next"})
		an.want(t, "leaderboard")
		host.send(t, map[string]any{"type": "next"})
	}
	t.Run("the player who reads gets the whole game in time", func(t *testing.T) {
		an.want(t, "ended")
		if f := an.want(t, "final"); num(f["rank"]) != 1 || num(f["correct"]) != questions {
			t.Errorf("final %v", f)
		}
	})
}

func TestLiveSocketsCloseGoingAwayAtShutdown(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	g := s.createLive(admin, 1, nil)
	host := s.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := s.liveJoin(t, g, "An")
	host.until(t, "player_joined")
	s.Stop()
	for _, c := range []*liveConn{host, an} {
		if code := c.closed(t); code != websocket.CloseGoingAway {
			t.Errorf("closed with %d, want 1001", code)
		}
	}
	t.Run("the game stays as it was for the next start", func(t *testing.T) {
		s = startServer(t, map[string]string{"HOITHI_DB": s.DBPath})
		var got liveGame
		s.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d", g.GameID), admin, nil, &got)
		if got.Phase != "lobby" || got.Players != 1 {
			t.Errorf("after the restart %+v", got)
		}
	})
}

// A hall behind one address shares the cap on websockets per client
// address with every other kind of socket; a phone over it is refused
// before the upgrade, and a place is free again once a socket closes.
func TestLiveSocketsCountTowardTheCapPerAddress(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_WS_PER_ADDRESS": "2"})
	admin := s.admin()
	g := s.createLive(admin, 1, nil)
	first := s.liveJoin(t, g, "An")
	s.liveJoin(t, g, "Bình")
	t.Run("the third socket from the address gets 429", func(t *testing.T) {
		if got := s.in(t).wsStatus(liveWS(g), nil); got != http.StatusTooManyRequests {
			t.Errorf("got %d, want 429", got)
		}
	})
	t.Run("a socket that closes frees its place", func(t *testing.T) {
		first.Close()
		deadline := time.Now().Add(5 * time.Second)
		for s.in(t).wsStatus(liveWS(g), nil) != http.StatusSwitchingProtocols {
			if time.Now().After(deadline) {
				t.Fatal("the place is still taken")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
