package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// LiveStore is what the live quiz contract tests use of a store: the live
// games' methods (quiz.LiveStore without Bank), the answer writer, and
// what sets up a bank of questions.
type LiveStore interface {
	Store
	quiz.LiveAnswerWriter
	CreateLiveGame(ctx context.Context, g quiz.LiveGame, questions []quiz.LiveQuestion, newPIN func() string) (quiz.LiveGame, error)
	LiveGame(ctx context.Context, id int64) (quiz.LiveRecord, error)
	LiveGames(ctx context.Context, limit int) ([]quiz.LiveGame, error)
	UnfinishedLiveGames(ctx context.Context) ([]int64, error)
	UnfinishedLiveGame(ctx context.Context, pin string) (int64, error)
	AddLivePlayer(ctx context.Context, p quiz.LivePlayer) (quiz.LivePlayer, error)
	SetLiveToken(ctx context.Context, playerID int64, tokenHash string) error
	KickLivePlayer(ctx context.Context, playerID int64, at time.Time) error
	SaveLiveTransition(ctx context.Context, t quiz.LiveTransition) error
	SetLiveAutoAdvance(ctx context.Context, gameID int64, on bool) error
}

// RunLive runs the live quiz contract tests against the stores open opens.
func RunLive(t *testing.T, open func(t *testing.T) LiveStore) {
	t.Run("creating a game", func(t *testing.T) { testLiveCreate(t, open(t)) })
	t.Run("PINs", func(t *testing.T) { testLivePINs(t, open(t)) })
	t.Run("listing games", func(t *testing.T) { testLiveLists(t, open(t)) })
	t.Run("joining", func(t *testing.T) { testLiveJoin(t, open(t)) })
	t.Run("players' tokens and kicks, and auto-advance", func(t *testing.T) { testLiveUpdates(t, open(t)) })
	t.Run("moving a game on", func(t *testing.T) { testLiveTransitions(t, open(t)) })
	t.Run("answering live", func(t *testing.T) { testLiveAnswers(t, open(t)) })
}

// liveGame is a game in the lobby of a fresh store, with the questions it
// was created with.
type liveGame struct {
	store     LiveStore
	game      quiz.LiveGame
	questions []quiz.LiveQuestion
}

// liveQuestions stores a bank of n questions named bankName, the first with two correct
// options, and returns its id and the questions as a game shows them:
// options reversed.
func liveQuestions(t *testing.T, s Store, bankName string, n int) (int64, []quiz.LiveQuestion) {
	t.Helper()
	ctx := context.Background()
	bank, err := s.CreateBank(ctx, quiz.Bank{Name: bankName, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var qs []quiz.Question
	for i := range n {
		options := []quiz.Option{{Text: "Đúng", Correct: true}, {Text: "Sai"}, {Text: "Không rõ", Correct: i == 0}}
		qs = append(qs, quiz.Question{Text: fmt.Sprintf("Câu %d?", i+1), Options: options})
	}
	if _, err := s.AddQuestions(ctx, bank.ID, qs); err != nil {
		t.Fatal(err)
	}
	pool, err := s.Pool(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []quiz.LiveQuestion
	for i, q := range pool.Questions {
		options := slices.Clone(q.Options)
		slices.Reverse(options)
		out = append(out, quiz.LiveQuestion{Index: i, QuestionID: q.ID, Text: q.Text, Options: options})
	}
	return bank.ID, out
}

// newLiveGame creates a game of n questions, with the PIN pin, created at
// created.
func newLiveGame(t *testing.T, s LiveStore, n int, pin string, created time.Time) liveGame {
	t.Helper()
	bankID, qs := liveQuestions(t, s, "Ngân hàng "+pin, n)
	g, err := s.CreateLiveGame(context.Background(), quiz.LiveGame{Title: "Hội nghị tập huấn", BankID: bankID,
		SecondsPerQuestion: 20, PointsMode: quiz.PointsSpeed, StreakBonus: true, CreatedAt: created},
		qs, func() string { return pin })
	if err != nil {
		t.Fatal(err)
	}
	return liveGame{s, g, qs}
}

func (g liveGame) record(t *testing.T) quiz.LiveRecord {
	t.Helper()
	rec, err := g.store.LiveGame(context.Background(), g.game.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// join adds a player named nickname, of account userID (0: a guest).
func (g liveGame) join(t *testing.T, nickname string, userID int64) quiz.LivePlayer {
	t.Helper()
	p, err := g.tryJoin(nickname, userID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (g liveGame) tryJoin(nickname string, userID int64) (quiz.LivePlayer, error) {
	return g.store.AddLivePlayer(context.Background(), quiz.LivePlayer{GameID: g.game.ID, Nickname: nickname,
		NicknameKey: strings.ToLower(nickname), UserID: userID, TokenHash: "token " + nickname, JoinedAt: time.Now()})
}

// move stores the game's move to phase at question index.
func (g liveGame) move(t *testing.T, phase string, index int, at time.Time) {
	t.Helper()
	if err := g.store.SaveLiveTransition(context.Background(), quiz.LiveTransition{GameID: g.game.ID, Phase: phase,
		Index: index, At: at, Deadline: at.Add(20 * time.Second)}); err != nil {
		t.Fatal(err)
	}
}

// answer stores player's answer to question index with its correct
// options, worth points.
func (g liveGame) answer(player int64, index, points int, at time.Time) error {
	return g.store.SaveLiveAnswer(context.Background(), quiz.LiveAnswer{GameID: g.game.ID, PlayerID: player, Index: index,
		OptionIDs: g.questions[index].CorrectIDs(), Correct: true, Points: points, TimeMs: 1500, AnsweredAt: at})
}

func testLiveCreate(t *testing.T, s LiveStore) {
	created := time.Date(2026, 4, 10, 2, 0, 0, 123_000_000, time.UTC)
	g := newLiveGame(t, s, 3, "123456", created)
	rec := g.record(t)

	t.Run("the game reads back in the lobby as it was created", func(t *testing.T) {
		got := rec.Game
		if got.ID != g.game.ID || got.PIN != "123456" || got.Title != "Hội nghị tập huấn" || got.SecondsPerQuestion != 20 ||
			got.PointsMode != quiz.PointsSpeed || !got.StreakBonus || got.AutoAdvance || got.QuestionCount != 3 ||
			got.Phase != quiz.PhaseLobby || got.Index != -1 || !got.CreatedAt.Equal(created) || got.StartedAt != nil ||
			got.EndedAt != nil || got.HostID != 0 {
			t.Errorf("got %+v, want the game as created, in the lobby, with 3 questions", got)
		}
	})
	t.Run("the questions keep their options in the game's order with the correct set", func(t *testing.T) {
		if len(rec.Questions) != 3 {
			t.Fatalf("got %d questions, want 3", len(rec.Questions))
		}
		for i, q := range rec.Questions {
			want := g.questions[i]
			if q.Index != i || q.QuestionID != want.QuestionID || q.Text != want.Text || !slices.Equal(q.Options, want.Options) ||
				!q.OpenedAt.IsZero() || q.Closed() || q.Skipped {
				t.Errorf("question %d: got %+v, want %+v, not opened", i, q, want)
			}
		}
		if !rec.Questions[0].Multiple() || rec.Questions[1].Multiple() {
			t.Errorf("question 0 takes several options and 1 one; got %v and %v", rec.Questions[0].Multiple(), rec.Questions[1].Multiple())
		}
	})
	t.Run("game ids are random, with 15 digits", func(t *testing.T) {
		if id := g.game.ID; id < 100_000_000_000_000 || id > 999_999_999_999_999 {
			t.Errorf("game id %d, want 15 digits", id)
		}
	})
	t.Run("a missing game is not found", func(t *testing.T) {
		_, err := s.LiveGame(context.Background(), 12345)
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testLivePINs(t *testing.T, s LiveStore) {
	ctx := context.Background()
	first := newLiveGame(t, s, 1, "123456", time.Now())
	create := func(pins ...string) (quiz.LiveGame, int) {
		t.Helper()
		draws := 0
		g, err := s.CreateLiveGame(ctx, quiz.LiveGame{BankID: first.game.BankID, SecondsPerQuestion: 20, PointsMode: quiz.PointsSpeed,
			CreatedAt: time.Now()}, first.questions, func() string { draws++; return pins[min(draws-1, len(pins)-1)] })
		if err != nil {
			t.Fatal(err)
		}
		return g, draws
	}
	t.Run("a PIN held by a game not ended is drawn again", func(t *testing.T) {
		second, draws := create("123456", "654321")
		if second.PIN != "654321" || draws != 2 {
			t.Errorf("got PIN %s after %d draws, want 654321 after 2", second.PIN, draws)
		}
	})
	t.Run("eight draws of held PINs fail", func(t *testing.T) {
		_, err := s.CreateLiveGame(ctx, quiz.LiveGame{BankID: first.game.BankID, SecondsPerQuestion: 20, PointsMode: quiz.PointsSpeed,
			CreatedAt: time.Now()}, first.questions, func() string { return "123456" })
		if err == nil {
			t.Error("got a game, want an error")
		}
		if games, _ := s.LiveGames(ctx, 100); len(games) != 2 {
			t.Errorf("%d games stored, want the 2 created before", len(games))
		}
	})
	t.Run("an ended game's PIN may be drawn for a new one", func(t *testing.T) {
		first.move(t, quiz.PhaseEnded, 0, time.Now())
		third, draws := create("123456")
		if third.PIN != "123456" || third.ID == first.game.ID || draws != 1 {
			t.Errorf("got game %d with PIN %s after %d draws, want a new game with 123456 at once", third.ID, third.PIN, draws)
		}
	})
}

func testLiveLists(t *testing.T, s LiveStore) {
	ctx := context.Background()
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)
	var games []liveGame
	for i := range 3 {
		games = append(games, newLiveGame(t, s, 1, fmt.Sprintf("11111%d", i), start.Add(time.Duration(i)*time.Minute)))
	}
	games[1].join(t, "An", 0)
	kicked := games[1].join(t, "Bình", 0)
	games[1].join(t, "Cúc", 0)
	if err := s.KickLivePlayer(ctx, kicked.ID, start); err != nil {
		t.Fatal(err)
	}
	games[0].move(t, quiz.PhaseEnded, 0, start.Add(time.Hour))

	t.Run("lists games newest first, counting players not kicked", func(t *testing.T) {
		got, err := s.LiveGames(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		want := []int64{games[2].game.ID, games[1].game.ID, games[0].game.ID}
		if !slices.Equal(ids, want) {
			t.Fatalf("got games %v, want %v", ids, want)
		}
		if got[1].Players != 2 || got[0].Players != 0 || got[1].QuestionCount != 1 {
			t.Errorf("got %d and %d players, want 2 and 0", got[1].Players, got[0].Players)
		}
	})
	t.Run("takes at most the limit", func(t *testing.T) {
		got, err := s.LiveGames(ctx, 2)
		if err != nil || len(got) != 2 || got[0].ID != games[2].game.ID {
			t.Errorf("got %d games (%v), want the newest 2", len(got), err)
		}
	})
	t.Run("lists the games not ended, oldest first", func(t *testing.T) {
		got, err := s.UnfinishedLiveGames(ctx)
		want := []int64{games[1].game.ID, games[2].game.ID}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("got %v (%v), want %v", got, err, want)
		}
	})
	t.Run("finds a game not ended by its PIN, and not an ended one", func(t *testing.T) {
		if id, err := s.UnfinishedLiveGame(ctx, "111112"); err != nil || id != games[2].game.ID {
			t.Errorf("got %d (%v), want game %d", id, err, games[2].game.ID)
		}
		_, err := s.UnfinishedLiveGame(ctx, "111110")
		wantCode(t, err, quiz.CodeNotFound)
	})
}

func testLiveJoin(t *testing.T, s LiveStore) {
	ctx := context.Background()
	g := newLiveGame(t, s, 1, "222222", time.Now())
	user, err := s.CreateUser(ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Thị Hoa", Phone: "0987654321",
		CreatedAt: time.Now()}, "hash", nil)
	if err != nil {
		t.Fatal(err)
	}
	hoa := g.join(t, "Hoa Lê", user.ID)

	t.Run("numbers players in the order they join", func(t *testing.T) {
		guest := g.join(t, "Khách", 0)
		if hoa.Seq != 1 || guest.Seq != 2 || hoa.ID == guest.ID || hoa.ID < 100_000_000_000_000 {
			t.Errorf("got seq %d and %d, ids %d and %d; want 1 and 2 with random ids", hoa.Seq, guest.Seq, hoa.ID, guest.ID)
		}
	})
	t.Run("refuses a nickname taken in the game, whatever its case", func(t *testing.T) {
		_, err := g.tryJoin("KHÁCH", 0)
		wantCode(t, err, quiz.CodeNicknameTaken)
	})
	t.Run("refuses an account in the game already", func(t *testing.T) {
		_, err := g.tryJoin("Hoa 2", user.ID)
		wantCode(t, err, quiz.CodeAlreadyJoined)
	})
	t.Run("refuses a missing game", func(t *testing.T) {
		_, err := s.AddLivePlayer(ctx, quiz.LivePlayer{GameID: 777, Nickname: "X", NicknameKey: "x", TokenHash: "x", JoinedAt: time.Now()})
		wantCode(t, err, quiz.CodeNotFound)
	})
	t.Run("players join at once, each in a place of their own", func(t *testing.T) {
		const joins = 8
		var wg sync.WaitGroup
		errs := make([]error, joins)
		for i := range joins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = g.tryJoin(fmt.Sprintf("Người %d", i), 0)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("join %d: %v", i, err)
			}
		}
		var seqs []int
		for _, p := range g.record(t).Players {
			seqs = append(seqs, p.Seq)
		}
		if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(seqs, want) {
			t.Errorf("got places %v, want %v", seqs, want)
		}
	})
	t.Run("reads players back in join order with what they joined with", func(t *testing.T) {
		p := g.record(t).Players[0]
		if p.ID != hoa.ID || p.GameID != g.game.ID || p.Nickname != "Hoa Lê" || p.NicknameKey != strings.ToLower("Hoa Lê") ||
			p.UserID != user.ID || p.TokenHash != "token Hoa Lê" || !p.JoinedAt.Equal(hoa.JoinedAt.Truncate(time.Millisecond)) ||
			p.KickedAt != nil {
			t.Errorf("got %+v, want %+v", p, hoa)
		}
	})
	t.Run("refuses a game ended", func(t *testing.T) {
		g.move(t, quiz.PhaseEnded, 0, time.Now())
		_, err := g.tryJoin("Muộn", 0)
		wantCode(t, err, quiz.CodeGameEnded)
	})
}

func testLiveUpdates(t *testing.T, s LiveStore) {
	ctx := context.Background()
	g := newLiveGame(t, s, 1, "333333", time.Now())
	p := g.join(t, "An", 0)
	kickedAt := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)

	t.Run("replaces a player's token", func(t *testing.T) {
		if err := s.SetLiveToken(ctx, p.ID, "new token"); err != nil {
			t.Fatal(err)
		}
		if got := g.record(t).Players[0].TokenHash; got != "new token" {
			t.Errorf("got token %q, want %q", got, "new token")
		}
	})
	t.Run("kicks a player once, keeping the first time", func(t *testing.T) {
		for _, at := range []time.Time{kickedAt, kickedAt.Add(time.Minute)} {
			if err := s.KickLivePlayer(ctx, p.ID, at); err != nil {
				t.Fatal(err)
			}
		}
		if got := g.record(t).Players[0].KickedAt; got == nil || !got.Equal(kickedAt) {
			t.Errorf("kicked at %v, want %v", got, kickedAt)
		}
	})
	t.Run("turns auto-advance on and off", func(t *testing.T) {
		for _, on := range []bool{true, false, true} {
			if err := s.SetLiveAutoAdvance(ctx, g.game.ID, on); err != nil {
				t.Fatal(err)
			}
			if got := g.record(t).Game.AutoAdvance; got != on {
				t.Errorf("auto-advance %v, want %v", got, on)
			}
		}
	})
	t.Run("a missing player or game is not found", func(t *testing.T) {
		wantCode(t, s.SetLiveToken(ctx, 404, "x"), quiz.CodeNotFound)
		wantCode(t, s.KickLivePlayer(ctx, 404, kickedAt), quiz.CodeNotFound)
		wantCode(t, s.SetLiveAutoAdvance(ctx, 404, true), quiz.CodeNotFound)
	})
}

func testLiveTransitions(t *testing.T, s LiveStore) {
	ctx := context.Background()
	g := newLiveGame(t, s, 2, "444444", time.Now())
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)

	t.Run("opening a question starts the game once and sets the question's times", func(t *testing.T) {
		g.move(t, quiz.PhaseQuestion, 0, start)
		g.move(t, quiz.PhaseReveal, 0, start.Add(5*time.Second))
		g.move(t, quiz.PhaseQuestion, 1, start.Add(time.Minute))
		rec := g.record(t)
		if rec.Game.Phase != quiz.PhaseQuestion || rec.Game.Index != 1 || rec.Game.StartedAt == nil ||
			!rec.Game.StartedAt.Equal(start) || !rec.Game.Deadline.Equal(start.Add(time.Minute+20*time.Second)) {
			t.Errorf("game %+v, want question 1 open, started at %v", rec.Game, start)
		}
		if q := rec.Questions[1]; !q.OpenedAt.Equal(start.Add(time.Minute)) || !q.Deadline.Equal(start.Add(time.Minute+20*time.Second)) || q.Closed() {
			t.Errorf("question 1 %+v, want opened at %v", q, start.Add(time.Minute))
		}
	})
	t.Run("a reveal closes the question, skipped or not", func(t *testing.T) {
		if err := s.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: g.game.ID, Phase: quiz.PhaseReveal, Index: 1,
			At: start.Add(70 * time.Second), Skipped: true}); err != nil {
			t.Fatal(err)
		}
		rec := g.record(t)
		if q := rec.Questions[1]; !q.ClosedAt.Equal(start.Add(70*time.Second)) || !q.Skipped {
			t.Errorf("question 1 %+v, want closed and skipped", q)
		}
		if q := rec.Questions[0]; !q.ClosedAt.Equal(start.Add(5*time.Second)) || q.Skipped {
			t.Errorf("question 0 %+v, want closed, not skipped", q)
		}
		if !rec.Game.Deadline.IsZero() || rec.Game.Phase != quiz.PhaseReveal {
			t.Errorf("game %+v, want in reveal without a deadline", rec.Game)
		}
	})
	t.Run("opening a question again clears its closing and its skip", func(t *testing.T) {
		g.move(t, quiz.PhaseQuestion, 1, start.Add(2*time.Minute))
		if q := g.record(t).Questions[1]; q.Closed() || q.Skipped || !q.OpenedAt.Equal(start.Add(2*time.Minute)) {
			t.Errorf("question 1 %+v, want open again", q)
		}
	})
	t.Run("the leaderboard keeps the question's index", func(t *testing.T) {
		g.move(t, quiz.PhaseLeaderboard, 1, start.Add(3*time.Minute))
		if got := g.record(t).Game; got.Phase != quiz.PhaseLeaderboard || got.Index != 1 {
			t.Errorf("game in %s at %d, want leaderboard at 1", got.Phase, got.Index)
		}
	})
	t.Run("the end is stored with its time, and an ended game takes no more moves", func(t *testing.T) {
		g.move(t, quiz.PhaseEnded, 1, start.Add(4*time.Minute))
		got := g.record(t).Game
		if got.Phase != quiz.PhaseEnded || got.EndedAt == nil || !got.EndedAt.Equal(start.Add(4*time.Minute)) {
			t.Errorf("game %+v, want ended at %v", got, start.Add(4*time.Minute))
		}
		for _, phase := range []string{quiz.PhaseQuestion, quiz.PhaseReveal, quiz.PhaseLeaderboard, quiz.PhaseEnded} {
			err := s.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: g.game.ID, Phase: phase, Index: 0, At: start.Add(time.Hour)})
			wantCode(t, err, quiz.CodeGameEnded)
		}
		if got := g.record(t).Game; !got.EndedAt.Equal(start.Add(4 * time.Minute)) {
			t.Errorf("ended at %v after refused moves, want %v", got.EndedAt, start.Add(4*time.Minute))
		}
	})
	t.Run("a missing game is refused as an ended one", func(t *testing.T) {
		err := s.SaveLiveTransition(ctx, quiz.LiveTransition{GameID: 404, Phase: quiz.PhaseReveal, At: start})
		wantCode(t, err, quiz.CodeGameEnded)
	})
}

func testLiveAnswers(t *testing.T, s LiveStore) {
	ctx := context.Background()
	g := newLiveGame(t, s, 2, "555555", time.Now())
	var players []quiz.LivePlayer
	for i := range 40 {
		players = append(players, g.join(t, fmt.Sprintf("Người %d", i), 0))
	}
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)

	t.Run("refuses an answer in the lobby", func(t *testing.T) {
		wantCode(t, g.answer(players[0].ID, 0, 1000, start), quiz.CodeQuestionClosed)
	})
	g.move(t, quiz.PhaseQuestion, 0, start)
	t.Run("stores an answer to the open question as it was given", func(t *testing.T) {
		if err := g.answer(players[0].ID, 0, 950, start.Add(1500*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		got := g.record(t).Answers
		want := quiz.LiveAnswer{GameID: g.game.ID, PlayerID: players[0].ID, Index: 0, OptionIDs: g.questions[0].CorrectIDs(),
			Correct: true, Points: 950, TimeMs: 1500, AnsweredAt: start.Add(1500 * time.Millisecond)}
		if len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("refuses a second answer and keeps the first", func(t *testing.T) {
		wantCode(t, g.answer(players[0].ID, 0, 10, start.Add(3*time.Second)), quiz.CodeAlreadyAnswered)
		if got := g.record(t).Answers; len(got) != 1 || got[0].Points != 950 {
			t.Errorf("got %+v, want the first answer only", got)
		}
	})
	t.Run("refuses an answer to a question not open", func(t *testing.T) {
		wantCode(t, g.answer(players[1].ID, 1, 1000, start), quiz.CodeQuestionClosed)
	})
	t.Run("stores an answer with no option", func(t *testing.T) {
		err := s.SaveLiveAnswer(ctx, quiz.LiveAnswer{GameID: g.game.ID, PlayerID: players[1].ID, Index: 0, TimeMs: 2000,
			AnsweredAt: start.Add(2 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		got := g.record(t).Answers
		if len(got) != 2 || got[1].PlayerID != players[1].ID || len(got[1].OptionIDs) != 0 || got[1].Correct {
			t.Errorf("got %+v, want the empty answer second", got)
		}
	})
	t.Run("answers arriving together share commits, each stored once acknowledged", func(t *testing.T) {
		_, before := s.Commits()
		txBefore, _ := s.Commits()
		var wg sync.WaitGroup
		for i, p := range players[2:32] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.answer(p.ID, 0, 900-i, start.Add(3*time.Second+time.Duration(i)*time.Millisecond)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		txAfter, after := s.Commits()
		if ops := after - before; ops < 30 {
			t.Errorf("the writer committed %d operations, want the 30 answers among them", ops)
		}
		if n := txAfter - txBefore; n >= 30 {
			t.Errorf("30 answers took %d commits, want them batched", n)
		}
		if got := g.record(t).Answers; len(got) != 32 {
			t.Errorf("%d answers stored, want 32", len(got))
		}
	})
	t.Run("reads answers by question, then by time", func(t *testing.T) {
		g.move(t, quiz.PhaseReveal, 0, start.Add(20*time.Second))
		g.move(t, quiz.PhaseQuestion, 1, start.Add(time.Minute))
		if err := g.answer(players[5].ID, 1, 990, start.Add(time.Minute+time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := g.answer(players[4].ID, 1, 980, start.Add(time.Minute+2*time.Second)); err != nil {
			t.Fatal(err)
		}
		got := g.record(t).Answers
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if a.Index > b.Index || a.Index == b.Index && a.AnsweredAt.After(b.AnsweredAt) {
				t.Fatalf("answer %d (%d at %v) comes before answer %d (%d at %v)", i-1, a.Index, a.AnsweredAt, i, b.Index, b.AnsweredAt)
			}
		}
		if last := got[len(got)-1]; last.PlayerID != players[4].ID {
			t.Errorf("the last answer is player %d's, want %d's", last.PlayerID, players[4].ID)
		}
	})
	t.Run("an answer racing the reveal is stored if and only if it is acknowledged", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i, p := range players[32:40] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = g.answer(p.ID, 1, 500, start.Add(time.Minute+3*time.Second))
			}()
		}
		g.move(t, quiz.PhaseReveal, 1, start.Add(time.Minute+4*time.Second))
		wg.Wait()
		stored := map[int64]bool{}
		for _, a := range g.record(t).Answers {
			stored[a.PlayerID] = true
		}
		for i, p := range players[32:40] {
			if err := errs[i]; err != nil && quiz.ErrorCode(err) != quiz.CodeQuestionClosed {
				t.Errorf("player %d: got %v, want stored or question_closed", i, err)
			}
			if stored[p.ID] != (errs[i] == nil) {
				t.Errorf("player %d: stored %v, acknowledged %v", i, stored[p.ID], errs[i] == nil)
			}
		}
		wantCode(t, g.answer(players[39].ID, 1, 500, start.Add(time.Minute+5*time.Second)), quiz.CodeQuestionClosed)
	})
}
