package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// liveSink keeps what a game says, by party.
type liveSink struct {
	mu   sync.Mutex
	msgs []liveSent
}

type liveSent struct {
	to     string
	player int64
	m      map[string]any
}

func (s *liveSink) add(to string, player int64, raw []byte) {
	var m map[string]any
	json.Unmarshal(raw, &m)
	s.mu.Lock()
	s.msgs = append(s.msgs, liveSent{to, player, m})
	s.mu.Unlock()
}

func (s *liveSink) ToPlayers(_ int64, msg []byte)               { s.add("players", 0, msg) }
func (s *liveSink) ToPlayer(_ int64, id int64, msg []byte)      { s.add("player", id, msg) }
func (s *liveSink) ToHost(_ int64, msg []byte)                  { s.add("host", 0, msg) }
func (s *liveSink) ToHostLatest(id int64, _ string, msg []byte) { s.ToHost(id, msg) }
func (s *liveSink) Drop(int64, int64)                           {}

// wait returns the first message of type kind for player (0: to all
// players) at or after from, waiting for it.
func (s *liveSink) wait(t *testing.T, from int, player int64, kind string) (map[string]any, int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		for i := from; i < len(s.msgs); i++ {
			m := s.msgs[i]
			if m.m["type"] == kind && (player == 0 && m.to == "players" || m.to == "player" && m.player == player) {
				s.mu.Unlock()
				return m.m, i + 1
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %q message came", kind)
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *liveSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// testLiveRestart stops the server with a question open: the answers acknowledged before the stop keep their points, the
// question is closed as it was, and the host carries on from the next
// question with the same players and points.
func testLiveRestart(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	db := open(t)
	bankID, questions := liveQuestions(t, db, "Ngân hàng trực tiếp", 3)
	var ids []int64
	for _, q := range questions {
		ids = append(ids, q.QuestionID)
	}
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)
	clock := quiz.NewFakeClock(start)
	sink := &liveSink{}
	live := quiz.NewLive(db, db, clock, nil)
	live.SetSink(sink)
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bankID, QuestionIDs: ids, SecondsPerQuestion: 30,
		StreakBonus: true, AutoAdvance: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := db.LiveGame(ctx, g.ID)
	key := rec.Questions
	an, err := live.Join(ctx, g.ID, "An", 0)
	if err != nil {
		t.Fatal(err)
	}
	binh, err := live.Join(ctx, g.ID, "Bình", 0)
	if err != nil {
		t.Fatal(err)
	}
	live.Connect(g.ID, an.PlayerID)
	live.Connect(g.ID, binh.PlayerID)
	if err := live.StartGame(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Second)
	if err := live.Answer(ctx, g.ID, an.PlayerID, 0, liveCorrect(key[0])); err != nil {
		t.Fatal(err)
	}
	// The server stops with question 0 open; Bình has not answered.
	live.Stop()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = db.OpenAgain(t)
	clock = quiz.NewFakeClock(start.Add(2 * time.Minute))
	sink = &liveSink{}
	live = quiz.NewLive(db, db, clock, nil)
	live.SetSink(sink)
	if err := live.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Stop()

	t.Run("the open question is closed as it was, with the deadline as its closing", func(t *testing.T) {
		got, err := live.Game(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Phase != quiz.PhaseReveal || got.Index != 0 || got.PIN != g.PIN {
			t.Errorf("game after the restart %+v", got)
		}
		rec, _ := db.LiveGame(ctx, g.ID)
		if q := rec.Questions[0]; !q.ClosedAt.Equal(start.Add(30*time.Second)) || q.Skipped {
			t.Errorf("question 0 closed at %v (skipped %v), want its deadline", q.ClosedAt, q.Skipped)
		}
	})
	t.Run("the answer acknowledged before the stop keeps its points", func(t *testing.T) {
		j, err := live.Rejoin(ctx, g.ID, an.Token)
		if err != nil {
			t.Fatal(err)
		}
		var joined map[string]any
		json.Unmarshal(j.Message, &joined)
		if j.PlayerID != an.PlayerID || joined["points"] != float64(950) || joined["correct"] != float64(1) {
			t.Errorf("An rejoined as %v", joined)
		}
		from := sink.len()
		live.Connect(g.ID, an.PlayerID)
		sink.wait(t, from, an.PlayerID, "reveal")
		r, _ := sink.wait(t, from, an.PlayerID, "result")
		if r["total_points"] != float64(950) || r["rank"] != float64(1) {
			t.Errorf("An's result %v", r)
		}
	})
	t.Run("a player who had not answered gets nothing for it and can still rejoin", func(t *testing.T) {
		if _, err := live.Rejoin(ctx, g.ID, binh.Token); err != nil {
			t.Fatal(err)
		}
		live.Connect(g.ID, binh.PlayerID)
		res, err := live.Results(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Players[1].Nickname != "Bình" || res.Players[1].Points != 0 || res.Players[1].AnswerMs != 30000 {
			t.Errorf("results %+v", res.Players)
		}
	})
	t.Run("a late answer to the closed question is refused", func(t *testing.T) {
		err := live.Answer(ctx, g.ID, binh.PlayerID, 0, liveCorrect(key[0]))
		if quiz.ErrorCode(err) != quiz.CodeQuestionClosed {
			t.Errorf("got %v, want question_closed", err)
		}
	})
	t.Run("the game waits for the host, then carries on from the next question", func(t *testing.T) {
		clock.Advance(time.Minute)
		if got, _ := live.Game(ctx, g.ID); got.Phase != quiz.PhaseReveal {
			t.Fatalf("the game moved on by itself to %s", got.Phase)
		}
		from := sink.len()
		if err := live.Next(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := live.Next(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		q, _ := sink.wait(t, from, 0, "question")
		if q["index"] != float64(1) {
			t.Errorf("question %v", q)
		}
		clock.Advance(time.Second)
		for _, p := range []quiz.LiveJoined{an, binh} {
			if err := live.Answer(ctx, g.ID, p.PlayerID, 1, liveCorrect(key[1])); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := sink.wait(t, from, an.PlayerID, "result")
		// An's streak from before the stop earns 100 more.
		if r["points"] != float64(983+100) || r["total_points"] != float64(950+1083) || r["streak"] != float64(2) {
			t.Errorf("An's result %v", r)
		}
	})
	t.Run("a second restart, taken up by the game's first socket, gives the same standings", func(t *testing.T) {
		before, _ := live.Results(ctx, g.ID)
		live.Stop()
		again := quiz.NewLive(db, db, clock, nil)
		if _, err := again.GameByPIN(ctx, g.PIN); err != nil {
			t.Fatal(err)
		}
		defer again.Stop()
		after, _ := again.Results(ctx, g.ID)
		if fmt.Sprint(before.Players) != fmt.Sprint(after.Players) {
			t.Errorf("before %+v\nafter %+v", before.Players, after.Players)
		}
		j, err := again.Rejoin(ctx, g.ID, an.Token)
		if err != nil {
			t.Fatal(err)
		}
		var joined map[string]any
		json.Unmarshal(j.Message, &joined)
		if joined["points"] != float64(950+1083) {
			t.Errorf("joined %v", joined)
		}
	})
}

// liveCorrect is the correct answer of a live question.
func liveCorrect(q quiz.LiveQuestion) []int64 { return q.CorrectIDs() }
