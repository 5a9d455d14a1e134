package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
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

// liveBank stores a bank of n single-answer questions.
func liveBank(t *testing.T, db *DB, n int) (quiz.Bank, []int64) {
	t.Helper()
	ctx := context.Background()
	bank, err := db.CreateBank(ctx, quiz.Bank{Name: "Ngân hàng trực tiếp", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range n {
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu %d?", i+1),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Không rõ"}}})
	}
	ids, err := db.AddQuestions(ctx, bank.ID, qs)
	if err != nil {
		t.Fatal(err)
	}
	return bank, ids
}

func correctOf(q quiz.LiveQuestion) []int64 { return q.CorrectIDs() }

// TestLiveGameCarriesOnAfterARestart stops the server with a question
// open: the answers acknowledged before the stop keep their points, the
// question is closed as it was, and the host carries on from the next
// question with the same players and points.
func TestLiveGameCarriesOnAfterARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hoithi.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bank, ids := liveBank(t, db, 3)
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)
	clock := quiz.NewFakeClock(start)
	sink := &liveSink{}
	live := quiz.NewLive(db, db, clock, nil)
	live.SetSink(sink)
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bank.ID, QuestionIDs: ids, SecondsPerQuestion: 30,
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
	if err := live.Answer(ctx, g.ID, an.PlayerID, 0, correctOf(key[0])); err != nil {
		t.Fatal(err)
	}
	// The server stops with question 0 open; Bình has not answered.
	live.Stop()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
		err := live.Answer(ctx, g.ID, binh.PlayerID, 0, correctOf(key[0]))
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
			if err := live.Answer(ctx, g.ID, p.PlayerID, 1, correctOf(key[1])); err != nil {
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

func TestLivePINs(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	bank, ids := liveBank(t, db, 1)
	newGame := func(pins ...string) quiz.LiveGame {
		t.Helper()
		next := 0
		draw := func() string { next++; return pins[min(next-1, len(pins)-1)] }
		g, err := db.CreateLiveGame(ctx, quiz.LiveGame{BankID: bank.ID, SecondsPerQuestion: 20, PointsMode: quiz.PointsSpeed,
			CreatedAt: time.Now()}, []quiz.LiveQuestion{{QuestionID: ids[0], Text: "Câu 1?"}}, draw)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	first := newGame("123456")
	t.Run("a PIN held by a game not ended is drawn again", func(t *testing.T) {
		second := newGame("123456", "654321")
		if first.PIN != "123456" || second.PIN != "654321" {
			t.Errorf("PINs %s and %s", first.PIN, second.PIN)
		}
	})
	t.Run("an ended game's PIN may be drawn for a new one", func(t *testing.T) {
		if err := db.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: first.ID, Phase: quiz.PhaseEnded, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if third := newGame("123456"); third.PIN != "123456" || third.ID == first.ID {
			t.Errorf("third game %+v", third)
		}
	})
	t.Run("an ended game takes no more moves", func(t *testing.T) {
		err := db.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: first.ID, Phase: quiz.PhaseQuestion, Index: 0, At: time.Now()})
		if quiz.ErrorCode(err) != quiz.CodeGameEnded {
			t.Errorf("got %v, want game_ended", err)
		}
	})
	t.Run("game ids are random, with 15 digits", func(t *testing.T) {
		if first.ID < minRandomID || first.ID > maxRandomID {
			t.Errorf("game id %d", first.ID)
		}
	})
}

// TestLiveAnswersGoThroughTheBatchedWriter: answers arriving together are
// committed together, each acknowledged only after its commit, and none
// lands once the stored question is closed.
func TestLiveAnswersGoThroughTheBatchedWriter(t *testing.T) {
	ctx := context.Background()
	commits := &commitCounter{}
	db := openTest(t, Options{Observer: commits, MaxWait: 20 * time.Millisecond})
	bank, ids := liveBank(t, db, 1)
	clock := quiz.NewFakeClock(time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC))
	live := quiz.NewLive(db, db, clock, nil)
	defer live.Stop()
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bank.ID, QuestionIDs: ids, SecondsPerQuestion: 20})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := db.LiveGame(ctx, g.ID)
	var players []quiz.LiveJoined
	for i := range 40 {
		p, err := live.Join(ctx, g.ID, fmt.Sprintf("Người %d", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		live.Connect(g.ID, p.PlayerID)
		players = append(players, p)
	}
	if err := live.StartGame(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	before := commits.count()
	var wg sync.WaitGroup
	for _, p := range players[:30] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := live.Answer(ctx, g.ID, p.PlayerID, 0, correctOf(rec.Questions[0])); err != nil {
				t.Error(err)
				return
			}
			// Acknowledged: the answer is there for any reader.
			var n int
			db.r.QueryRow("SELECT count(*) FROM live_answers WHERE game_id = ? AND player_id = ?", g.ID, p.PlayerID).Scan(&n)
			if n != 1 {
				t.Errorf("player %d was acknowledged with no answer stored", p.PlayerID)
			}
		}()
	}
	wg.Wait()
	if n := commits.count() - before; n >= 30 {
		t.Errorf("30 answers took %d commits, want them batched", n)
	}
	if err := db.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: g.ID, Phase: quiz.PhaseReveal, Index: 0, At: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	err = db.SaveLiveAnswer(ctx, quiz.LiveAnswer{GameID: g.ID, PlayerID: players[35].PlayerID, Index: 0, OptionIDs: []int64{1},
		AnsweredAt: clock.Now()})
	if quiz.ErrorCode(err) != quiz.CodeQuestionClosed {
		t.Errorf("an answer after the stored reveal: %v, want question_closed", err)
	}
}

type commitCounter struct {
	mu sync.Mutex
	n  int
}

func (c *commitCounter) Committed(int, time.Duration, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *commitCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// A deleted account's live-quiz nicknames go with its other data; the
// player's points stay, anonymous.
func TestDeletingAnAccountErasesItsLiveNicknames(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	bank, ids := liveBank(t, db, 2)
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	live := quiz.NewLive(db, db, quiz.NewFakeClock(time.Now()), nil)
	live.SetSink(&liveSink{})
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bank.ID, QuestionIDs: ids, SecondsPerQuestion: 30})
	if err != nil {
		t.Fatal(err)
	}
	hoa, err := live.Join(ctx, g.ID, "Hoa Lê", user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Join(ctx, g.ID, "Khách", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := quiz.NewPrivacy(db, time.Now).DeleteAccount(ctx, user.ID, quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT id, nickname, coalesce(user_id, 0) FROM live_players WHERE game_id = ? ORDER BY seq", g.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, uid int64
		var nick string
		if err := rows.Scan(&id, &nick, &uid); err != nil {
			t.Fatal(err)
		}
		if id == hoa.PlayerID && (nick != quiz.DeletedName || uid != 0) {
			t.Errorf("the deleted account's player: nickname %q, account %d; want %q and none", nick, uid, quiz.DeletedName)
		}
		got = append(got, nick)
	}
	if len(got) != 2 || got[1] != "Khách" {
		t.Errorf("players %q, want the guest kept as they were", got)
	}
	live.Stop()
}

// The live quizzes an account played signed in are part of the data it
// downloads: the nickname it chose and its score, a skipped question not
// counted; a guest's play is nobody's.
func TestOwnDataListsTheLiveQuizzesPlayed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	bank, ids := liveBank(t, db, 2)
	user, err := db.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := quiz.NewFakeClock(time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC))
	live := quiz.NewLive(db, db, clock, nil)
	live.SetSink(&liveSink{})
	defer live.Stop()
	g, err := live.Create(ctx, quiz.User{}, quiz.LiveSettings{BankID: bank.ID, QuestionIDs: ids, SecondsPerQuestion: 30,
		Title: "Hội nghị tập huấn"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := db.LiveGame(ctx, g.ID)
	hoa, err := live.Join(ctx, g.ID, "Hoa Lê", user.ID)
	if err != nil {
		t.Fatal(err)
	}
	guest, err := live.Join(ctx, g.ID, "Khách", 0)
	if err != nil {
		t.Fatal(err)
	}
	live.Connect(g.ID, hoa.PlayerID)
	live.Connect(g.ID, guest.PlayerID)
	if err := live.StartGame(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	// The first question is answered right, then skipped: it earns nothing.
	if err := live.Answer(ctx, g.ID, hoa.PlayerID, 0, correctOf(rec.Questions[0])); err != nil {
		t.Fatal(err)
	}
	if err := live.Skip(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if err := live.Answer(ctx, g.ID, hoa.PlayerID, 1, correctOf(rec.Questions[1])); err != nil {
		t.Fatal(err)
	}
	if err := live.End(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	d, err := db.OwnData(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Live) != 1 {
		t.Fatalf("own live plays %+v, want the one game", d.Live)
	}
	v := d.Live[0]
	if v.GameID != g.ID || v.Title != "Hội nghị tập huấn" || v.Nickname != "Hoa Lê" || v.Correct != 1 || v.Answered != 2 ||
		v.Points != 983 {
		// 983: right at 1 s of 30, round(1000 × (1 − 1/60)); the skipped
		// question's 1000 do not count.
		t.Errorf("own live play %+v, want the game with 1 right answer of 2 answered and 983 points", v)
	}
}
