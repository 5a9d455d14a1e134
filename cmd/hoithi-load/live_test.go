package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

func TestPeek(t *testing.T) {
	for _, c := range []struct {
		msg   string
		typ   string
		index int
	}{
		{`{"type":"question","index":2,"count":3,"text":"…","multiple":false,"options":[{"id":1,"text":"A"}]}`, "question", 2},
		{`{"type":"ack","question_index":0}`, "ack", 0},
		{`{"type":"reveal","index":1,"correct_option_ids":[7],"options":[]}`, "reveal", 1},
		{`{"type":"result","index":1,"answered":true}`, "result", 1},
		{`{"type":"leaderboard","index":12,"entries":[{"rank":1,"player_id":5,"nickname":"\"index\":9"}]}`, "leaderboard", 12},
		{`{"type":"ended","entries":[],"players":3}`, "ended", -1},
		{`{"type":"final","nickname":"An","rank":1}`, "final", -1},
		{`{"type":"error","code":"question_closed","message":"…"}`, "error", -1},
		{`{"code":"x","type":"ack","question_index":4}`, "ack", 4},
		{` {"index":3, "type":"reveal"}`, "reveal", 3},
	} {
		typ, index, ok := peek([]byte(c.msg))
		if !ok || typ != c.typ || index != c.index {
			t.Errorf("peek(%s) = %q, %d, %v; want %q, %d", c.msg, typ, index, ok, c.typ, c.index)
		}
	}
	t.Run("a message that is not JSON is not read", func(t *testing.T) {
		if _, _, ok := peek([]byte(`{"type":`)); ok {
			t.Error("got ok")
		}
	})
}

// childFor is a child process's bookkeeping for n players whose reports
// come out on the returned channel.
func childFor(t *testing.T, n int) (*liveChild, <-chan liveReport) {
	r, w := io.Pipe()
	ch := &liveChild{o: liveOptions{wait: time.Minute, burst: time.Hour}, out: json.NewEncoder(w), events: map[eventKey]*liveEvent{},
		errs: map[string]int{}, questions: map[int]*liveQuestion{}, unanswered: map[int]int{}}
	for i := range n {
		ch.players = append(ch.players, &livePlayer{slot: i, pending: -1, rng: rand.New(rand.NewPCG(1, uint64(i)))})
	}
	reports := make(chan liveReport, 16)
	go func() {
		dec := json.NewDecoder(r)
		for {
			var rep liveReport
			if dec.Decode(&rep) != nil {
				return
			}
			reports <- rep
		}
	}()
	t.Cleanup(func() { w.Close() })
	return ch, reports
}

func expect(t *testing.T, reports <-chan liveReport, kind string, index, values, missing int) {
	t.Helper()
	select {
	case r := <-reports:
		if r.Kind != kind || r.Index != index || len(r.Values) != values || r.Missing != missing {
			t.Fatalf("got %s %d with %d values and %d missing; want %s %d with %d and %d",
				r.Kind, r.Index, len(r.Values), r.Missing, kind, index, values, missing)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no report; want %s %d", kind, index)
	}
}

func quiet(t *testing.T, reports <-chan liveReport) {
	t.Helper()
	select {
	case r := <-reports:
		t.Fatalf("got %s %d too early", r.Kind, r.Index)
	case <-time.After(50 * time.Millisecond):
	}
}

// question delivers question 0 to a player, as the read loop does; the
// answer it schedules is sent by the test (the burst is an hour).
func question(ch *liveChild, slot int) {
	msg := `{"type":"question","index":0,"count":1,"text":"?","multiple":false,"options":[{"id":11,"text":"A"},{"id":12,"text":"B"}],` +
		`"deadline":"2026-12-06T22:12:04.714Z","seconds":30,"remaining_ms":30000,"server_time":"` + time.Now().UTC().Format(time.RFC3339Nano) + `"}`
	ch.questionArrived(ch.players[slot], 0, []byte(msg), time.Now())
}

func TestLiveChildReports(t *testing.T) {
	t.Run("a broadcast is reported once every player has it", func(t *testing.T) {
		ch, reports := childFor(t, 3)
		ch.record(eventKey{"reveal", 0}, 0, 1)
		ch.record(eventKey{"reveal", 0}, 2, 1)
		quiet(t, reports)
		ch.record(eventKey{"reveal", 0}, 1, 1)
		expect(t, reports, "reveal", 0, 3, 0)
	})
	t.Run("a player whose socket closed is missing, not waited for", func(t *testing.T) {
		ch, reports := childFor(t, 3)
		ch.record(eventKey{"leaderboard", 1}, 0, 1)
		ch.playerGone(ch.players[1])
		quiet(t, reports)
		ch.record(eventKey{"leaderboard", 1}, 2, 1)
		expect(t, reports, "leaderboard", 1, 2, 1)
		ch.record(eventKey{"ended", -1}, 0, 1)
		ch.record(eventKey{"ended", -1}, 2, 1)
		expect(t, reports, "ended", -1, 2, 1)
	})
	t.Run("the acks wait for every answer scheduled to be sent and acknowledged", func(t *testing.T) {
		ch, reports := childFor(t, 2)
		question(ch, 0)
		question(ch, 1)
		expect(t, reports, "question", 0, 2, 0)
		ch.sending(0, 0, 100, true)
		ch.record(eventKey{"ack", 0}, 0, 5)
		quiet(t, reports)
		ch.sending(0, 1, 200, true)
		quiet(t, reports)
		ch.record(eventKey{"ack", 0}, 1, 7)
		expect(t, reports, "ack", 0, 2, 0)
	})
	t.Run("a refused answer is missing from the acks", func(t *testing.T) {
		ch, reports := childFor(t, 2)
		question(ch, 0)
		question(ch, 1)
		expect(t, reports, "question", 0, 2, 0)
		ch.sending(0, 0, 100, true)
		ch.sending(0, 1, 100, true)
		ch.fail(eventKey{"ack", 0}, 1)
		quiet(t, reports)
		ch.record(eventKey{"ack", 0}, 0, 5)
		expect(t, reports, "ack", 0, 1, 1)
	})
	t.Run("a player who left before answering is not waited for", func(t *testing.T) {
		ch, reports := childFor(t, 2)
		question(ch, 0)
		question(ch, 1)
		expect(t, reports, "question", 0, 2, 0)
		ch.sending(0, 0, 100, true)
		ch.playerGone(ch.players[1])
		ch.sending(0, 1, 0, false)
		quiet(t, reports)
		ch.record(eventKey{"ack", 0}, 0, 5)
		expect(t, reports, "ack", 0, 1, 0)
	})
	t.Run("the acks wait for the question to reach every player", func(t *testing.T) {
		ch, reports := childFor(t, 2)
		question(ch, 0)
		ch.sending(0, 0, 100, true)
		ch.record(eventKey{"ack", 0}, 0, 5)
		quiet(t, reports)
		question(ch, 1)
		expect(t, reports, "question", 0, 2, 0)
		ch.sending(0, 1, 150, true)
		ch.record(eventKey{"ack", 0}, 1, 5)
		expect(t, reports, "ack", 0, 2, 0)
	})
}
