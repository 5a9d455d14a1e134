package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// twoNodes starts two hoithi nodes on one fresh PostgreSQL database, with
// one session key file between them, as a cluster runs. Each node runs on
// a fake clock of its own (a.clock, b.clock).
func twoNodes(t *testing.T) (a, b *testServer) {
	t.Helper()
	db := freshPostgres(t)
	key := filepath.Join(t.TempDir(), "session.key")
	if err := os.WriteFile(key, []byte(hex.EncodeToString([]byte("a key every node of this cluster shares"))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOITHI_DB": db, "HOITHI_KEY_FILE": key}
	a = startServerOn(t, env, quiz.NewFakeClock(time.Now()))
	env["HOITHI_DEMO"] = "0" // the first node seeded it
	b = startServerOn(t, env, quiz.NewFakeClock(time.Now()))
	return a, b
}

// waitSignedOut waits until the node refuses token, a session signed out
// on another node; it fails after 10 s.
func (s *testServer) waitSignedOut(t *testing.T, token string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for status, _ := s.call("GET", "/api/v1/me", token, nil); status != 401; status, _ = s.call("GET", "/api/v1/me", token, nil) {
		if time.Now().After(deadline) {
			t.Fatalf("the node still accepts a session signed out on another node: %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTwoNodesOnPostgreSQL(t *testing.T) {
	a, b := twoNodes(t)
	admin := a.admin()
	key := a.key(admin)
	roundID := a.round(admin, nil)

	t.Run("a contestant plays a round on one node and the other ranks it", func(t *testing.T) {
		if board := b.board(roundID, "", ""); len(board.Entries) != 0 { // node B now keeps the empty board
			t.Fatalf("node B's board before anyone played: %s", board.Raw)
		}
		token, _ := a.contestant("Nguyễn Văn An")
		a.play(token, roundID, key, 3, nil)
		deadline := time.Now().Add(10 * time.Second)
		for {
			board := b.board(roundID, "", "")
			if len(board.Entries) == 1 && board.Entries[0].Name == "Nguyễn Văn An" && board.Entries[0].Score == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node B's board %s, want Nguyễn Văn An with 3", board.Raw)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("a session from one node works on the other", func(t *testing.T) {
		token, _ := a.contestant("Trần Thị Bình")
		b.mustCall(200, "GET", "/api/v1/me", token, nil, nil)
	})

	t.Run("a newer socket on one node closes the older one on the other", func(t *testing.T) {
		token, _ := a.contestant("Lê Văn Cường")
		id := a.start(token, roundID)
		older := a.dial(attemptWS(id), token)
		older.state()
		newer := b.dial(attemptWS(id), token)
		newer.state()
		older.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := older.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 {
			t.Fatalf("the older socket, on node A, got %v; want close 4001", err)
		}
		newer.send(map[string]any{"type": "answer", "seq": 1, "question_id": 0, "option_ids": []int64{}})
		if m := newer.expect("error"); m["code"] != "unknown_question" {
			t.Errorf("the newer socket, on node B, answered %v", m)
		}
	})

	t.Run("a submission at the deadline on one node reaches the socket on the other", func(t *testing.T) {
		short := a.round(admin, map[string]any{"duration_seconds": 60})
		token, _ := a.contestant("Hoàng Văn Giang")
		id := a.start(token, short) // node A keeps its deadline
		ws := b.dial(attemptWS(id), token)
		ws.state()
		a.clock.Advance(2 * time.Minute) // past the attempt's deadline and grace
		result := ws.expect("result")
		if result["attempt_id"] != float64(id) || result["auto"] != true {
			t.Errorf("node B's socket got %v, want the automatic result of attempt %d", result, id)
		}
		ws.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		var more map[string]any
		if err := ws.ReadJSON(&more); err == nil {
			t.Errorf("after the result the socket got %v, want nothing more", more)
		}
	})

	t.Run("a contest published on one node opens on the other as soon as it hears of it", func(t *testing.T) {
		var contest, round struct {
			ID int64 `json:"id"`
		}
		a.mustCall(201, "POST", "/api/v1/contests", admin, map[string]string{"slug": "cong-bo-o-nut-a", "title": "Công bố ở nút A"}, &contest)
		now := time.Now().UTC()
		a.mustCall(201, "POST", fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID), admin, map[string]any{
			"name": "Đợt một", "bank_id": a.demoBank(admin), "opens_at": now.Add(-time.Minute).Format(time.RFC3339),
			"closes_at": now.Add(time.Hour).Format(time.RFC3339), "duration_seconds": 600, "question_count": 5,
			"max_attempts": 1, "reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}},
		}, &round)
		b.mustCall(200, "GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), admin, nil, nil) // node B now keeps it hidden
		token, _ := a.contestant("Lê Văn Cường")
		b.mustCall(404, "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", round.ID), token, nil, nil)
		a.mustCall(200, "POST", fmt.Sprintf("/api/v1/contests/%d/publish", contest.ID), admin, nil, nil)
		// Events reach node B in order: once it has heard of a logout
		// announced after the publication, it has heard of that too.
		later, _ := a.contestant("Người Ra Sau")
		a.mustCall(204, "POST", "/api/v1/auth/logout", later, nil, nil)
		b.waitSignedOut(t, later)
		if status, body := b.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", round.ID), token, nil); status != 201 {
			t.Errorf("node B, after hearing of the publication: %d %s, want the attempt started", status, body)
		}
	})

	t.Run("a signed-out session ends on both nodes", func(t *testing.T) {
		token, _ := a.contestant("Phạm Thị Dung")
		b.mustCall(200, "GET", "/api/v1/me", token, nil, nil)
		a.mustCall(204, "POST", "/api/v1/auth/logout", token, nil, nil)
		b.waitSignedOut(t, token)
	})

	t.Run("an attempt whose node died is submitted at its deadline once its contestant comes back elsewhere", func(t *testing.T) {
		short := a.round(admin, map[string]any{"duration_seconds": 60})
		token, _ := a.contestant("Đỗ Thị Hạnh")
		id := a.start(token, short)          // its deadline is node A's to keep
		a.dial(attemptWS(id), token).state() // the contestant sees the questions there
		a.Stop()                             // and node A dies
		// Past the deadline on node B's clock, before its first sweep of
		// attempts no node keeps (5 minutes after its start).
		b.clock.Set(a.clock.Now().Add(2 * time.Minute))
		ws := b.dial(attemptWS(id), token)
		ws.state()
		result := ws.expect("result")
		if result["attempt_id"] != float64(id) || result["auto"] != true || result["duration_ms"] != float64(60000) {
			t.Errorf("node B's socket got %v, want attempt %d submitted at its deadline, 60000 ms", result, id)
		}
	})
}

// TestALiveGameGoesOnOnAnotherNodeWhenItsNodeDies: a game's sockets reach
// one node (a balancer routes them by PIN); when that node dies, the
// host's and the players' sockets reach another, which takes the game up
// from its stored state and carries on.
func TestALiveGameGoesOnOnAnotherNodeWhenItsNodeDies(t *testing.T) {
	a, b := twoNodes(t)
	admin := a.admin()
	key := a.liveKey(admin)
	g := a.createLive(admin, 2, nil)
	host := a.liveDial(t, g, admin)
	host.want(t, "lobby")
	an := a.liveJoin(t, g, "An")
	binh := a.liveJoin(t, g, "Bình")
	host.send(t, map[string]any{"type": "start"})
	q0 := an.want(t, "question")
	binh.want(t, "question")
	an.answer(t, 0, choice(t, q0, key, true))
	an.want(t, "ack")
	a.Stop() // with question 0 open: Bình never answered it

	host = b.liveDial(t, g, admin)
	if m := host.until(t, "reveal"); num(m["index"]) != 0 {
		t.Errorf("node B's host got %v, want question 0 closed", m)
	}
	back := b.liveDial(t, g, "")
	back.send(t, map[string]any{"type": "rejoin", "token": an.token})
	if j := back.want(t, "joined"); int64(num(j["player_id"])) != an.playerID || num(j["points"]) != 1000 {
		t.Errorf("An rejoined on node B as %v, want player %d with the 1000 points node A stored", j, an.playerID)
	}
	host.send(t, map[string]any{"type": "next"})
	host.send(t, map[string]any{"type": "next"})
	q1 := back.until(t, "question")
	if num(q1["index"]) != 1 {
		t.Fatalf("node B asked %v, want question 1", q1)
	}
	back.answer(t, 1, choice(t, q1, key, true))
	back.want(t, "ack")
	back.until(t, "reveal") // An was the last one connected to answer
	var res liveResults
	b.mustCall(200, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
	if len(res.Players) != 2 || res.Players[0].Nickname != "An" || res.Players[0].Points <= 1000 || res.Players[1].Points != 0 {
		t.Errorf("results on node B %+v, want An ahead with both answers, Bình with none", res.Players)
	}
}
