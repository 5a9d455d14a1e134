package quiz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// sent is one message a Live game handed to its sink.
type sent struct {
	to     string // "players", "player", "host" or "drop"
	player int64
	raw    []byte
	m      map[string]any
	latest string // for the host: what a newer message of the name replaces
}

// recorder is a LiveSink that keeps every message, for the tests to read
// as each party would receive it.
type recorder struct {
	mu      sync.Mutex
	all     []sent
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(s sent) {
	if s.raw != nil {
		if err := json.Unmarshal(s.raw, &s.m); err != nil {
			panic(fmt.Sprintf("message is not JSON: %s", s.raw))
		}
	}
	r.mu.Lock()
	r.all = append(r.all, s)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) ToPlayers(_ int64, msg []byte) { r.add(sent{to: "players", raw: msg}) }
func (r *recorder) ToPlayer(_ int64, id int64, msg []byte) {
	r.add(sent{to: "player", player: id, raw: msg})
}
func (r *recorder) ToHost(_ int64, msg []byte) { r.add(sent{to: "host", raw: msg}) }
func (r *recorder) ToHostLatest(_ int64, latest string, msg []byte) {
	r.add(sent{to: "host", raw: msg, latest: latest})
}
func (r *recorder) Drop(_ int64, id int64) { r.add(sent{to: "drop", player: id}) }

// inbox reads the messages one party receives, in order: the host's, or
// a player's (broadcasts to players and their own).
type inbox struct {
	r      *recorder
	host   bool
	player int64
	pos    int
}

func (r *recorder) host() *inbox { return &inbox{r: r, host: true, pos: r.count()} }
func (r *recorder) player(id int64) *inbox {
	return &inbox{r: r, player: id, pos: r.count()}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.all)
}

func (in *inbox) mine(s sent) bool {
	if in.host {
		return s.to == "host"
	}
	return s.to == "players" || (s.to == "player" || s.to == "drop") && s.player == in.player
}

// next returns the party's next message, waiting for it (the game's
// timers run in goroutines of their own).
func (in *inbox) next(t *testing.T) sent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		in.r.mu.Lock()
		for in.pos < len(in.r.all) {
			s := in.r.all[in.pos]
			in.pos++
			if in.mine(s) {
				in.r.mu.Unlock()
				return s
			}
		}
		changed := in.r.changed
		in.r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no message came for %s", in.name())
		}
	}
}

func (in *inbox) name() string {
	if in.host {
		return "the host"
	}
	return fmt.Sprintf("player %d", in.player)
}

// expect fails unless the party's next message is of type kind.
func (in *inbox) expect(t *testing.T, kind string) map[string]any {
	t.Helper()
	s := in.next(t)
	if s.to == "drop" {
		if kind != "drop" {
			t.Fatalf("%s: got dropped, want a %q message", in.name(), kind)
		}
		return nil
	}
	if got := s.m["type"]; got != kind {
		t.Fatalf("%s: got %s, want a %q message", in.name(), s.raw, kind)
	}
	return s.m
}

// quiet fails if the party has a message waiting now.
func (in *inbox) quiet(t *testing.T) {
	t.Helper()
	in.r.mu.Lock()
	defer in.r.mu.Unlock()
	for _, s := range in.r.all[in.pos:] {
		if in.mine(s) {
			t.Fatalf("%s got %s, want nothing", in.name(), s.raw)
		}
	}
}

type liveFixture struct {
	t         *testing.T
	ctx       context.Context
	db        *store.DB
	clock     *quiz.FakeClock
	live      *quiz.Live
	rec       *recorder
	bank      quiz.Bank
	questions []int64 // ids in the bank's order
}

var liveStart = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// liveQuestions are a bank of four: single, multiple, single, single.
var liveQuestions = []quiz.Question{
	{Text: "Cổng Dịch vụ công quốc gia ở địa chỉ nào?", Options: []quiz.Option{
		{Text: "dichvucong.gov.vn", Correct: true}, {Text: "dichvucong.com"}, {Text: "congdichvu.vn"}}},
	{Text: "Những giấy tờ nào là giấy tờ tùy thân?", Options: []quiz.Option{
		{Text: "Thẻ căn cước", Correct: true}, {Text: "Hộ chiếu", Correct: true}, {Text: "Thẻ thư viện"}}},
	{Text: "Chữ ký số có giá trị pháp lý như chữ ký tay?", Options: []quiz.Option{
		{Text: "Đúng", Correct: true}, {Text: "Sai"}}},
	{Text: "Ứng dụng định danh điện tử quốc gia là?", Options: []quiz.Option{
		{Text: "VNeID", Correct: true}, {Text: "Zalo"}, {Text: "Facebook"}}},
}

func newLiveFixture(t *testing.T) *liveFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := quiz.NewFakeClock(liveStart)
	catalog := quiz.NewCatalog(db, clock.Now)
	bank, err := catalog.CreateBank(ctx, "Ngân hàng hội nghị", "")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := catalog.AddQuestions(ctx, bank.ID, liveQuestions)
	if err != nil {
		t.Fatal(err)
	}
	f := &liveFixture{t: t, ctx: ctx, db: db, clock: clock, rec: newRecorder(), bank: bank, questions: ids}
	f.live = quiz.NewLive(db, db, clock, nil)
	f.live.SetSink(f.rec)
	t.Cleanup(f.live.Stop)
	return f
}

// create makes a game of the bank's first n questions in bank order, 20
// seconds each, changed by change.
func (f *liveFixture) create(n int, change func(*quiz.LiveSettings)) quiz.LiveGame {
	f.t.Helper()
	s := quiz.LiveSettings{BankID: f.bank.ID, QuestionIDs: f.questions[:n], SecondsPerQuestion: 20}
	if change != nil {
		change(&s)
	}
	g, err := f.live.Create(f.ctx, quiz.User{Role: quiz.RoleOrganizer}, s)
	if err != nil {
		f.t.Fatalf("create: %v", err)
	}
	return g
}

// key returns the game's questions as stored, with the correct options.
func (f *liveFixture) key(gameID int64) []quiz.LiveQuestion {
	f.t.Helper()
	rec, err := f.db.LiveGame(f.ctx, gameID)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec.Questions
}

func wrongIDs(q quiz.LiveQuestion) []int64 {
	for _, o := range q.Options {
		if !o.Correct {
			return []int64{o.ID}
		}
	}
	return nil
}

// player is one phone in a test.
type player struct {
	quiz.LiveJoined
	in *inbox
}

// join joins a guest and connects them, as the socket layer does: the
// joined message first, then the connection's registration and Connect.
func (f *liveFixture) join(gameID int64, nickname string) *player {
	f.t.Helper()
	j, err := f.live.Join(f.ctx, gameID, nickname, 0)
	if err != nil {
		f.t.Fatalf("join %q: %v", nickname, err)
	}
	p := &player{LiveJoined: j, in: f.rec.player(j.PlayerID)}
	if err := f.live.Connect(gameID, j.PlayerID); err != nil {
		f.t.Fatalf("connect %q: %v", nickname, err)
	}
	return p
}

func (f *liveFixture) answer(gameID int64, p *player, index int, ids []int64) error {
	return f.live.Answer(f.ctx, gameID, p.PlayerID, index, ids)
}

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := quiz.ErrorCode(err); got != code {
		t.Fatalf("got error %v, want %s", err, code)
	}
}

func num(m map[string]any, key string) int {
	v, _ := m[key].(float64)
	return int(v)
}

func TestLivePointsFollowTheFormula(t *testing.T) {
	const T = 20 * time.Second
	for _, tt := range []struct {
		name        string
		mode        string
		correct     bool
		taken       time.Duration
		streak      int
		streakBonus bool
		want        int
	}{
		{"a right answer at once earns 1000", quiz.PointsSpeed, true, 0, 0, false, 1000},
		{"under half a second earns the full 1000", quiz.PointsSpeed, true, 499 * time.Millisecond, 0, false, 1000},
		{"half a second is counted by the formula", quiz.PointsSpeed, true, 500 * time.Millisecond, 0, false, 988},
		{"at half time a right answer earns 750", quiz.PointsSpeed, true, T / 2, 0, false, 750},
		{"at the deadline a right answer earns 500", quiz.PointsSpeed, true, T, 0, false, 500},
		{"after the deadline it earns no less than 500", quiz.PointsSpeed, true, T + time.Second, 0, false, 500},
		{"two seconds in earns 950", quiz.PointsSpeed, true, 2 * time.Second, 0, false, 950},
		{"a wrong answer earns nothing", quiz.PointsSpeed, false, 0, 3, true, 0},
		{"the first right answer of a streak earns no bonus", quiz.PointsSpeed, true, T / 2, 0, true, 750},
		{"the second right answer in a row earns 100 more", quiz.PointsSpeed, true, T / 2, 1, true, 850},
		{"the fourth in a row earns 300 more", quiz.PointsSpeed, true, 0, 3, true, 1300},
		{"the sixth in a row earns the most, 500 more", quiz.PointsSpeed, true, T, 5, true, 1000},
		{"the bonus stays at 500 after that", quiz.PointsSpeed, true, T, 12, true, 1000},
		{"without the streak bonus a streak earns nothing more", quiz.PointsSpeed, true, T, 5, false, 500},
		{"in the accuracy mode a right answer is 1 point", quiz.PointsAccuracy, true, T, 5, false, 1},
		{"in the accuracy mode a wrong answer is 0", quiz.PointsAccuracy, false, 0, 0, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := quiz.LivePoints(tt.mode, tt.correct, tt.taken, T, tt.streak, tt.streakBonus); got != tt.want {
				t.Errorf("LivePoints = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNicknames(t *testing.T) {
	for _, tt := range []struct {
		name, in, want, field string
	}{
		{"is trimmed and its inner spaces made one", "  Nguyễn   An \t", "Nguyễn An", ""},
		{"is stored in NFC", "Nguye\u0302\u0303n", "Nguyễn", ""},
		{"may be 20 characters", strings.Repeat("ư", 20), strings.Repeat("ư", 20), ""},
		{"may not be 21 characters", strings.Repeat("ư", 21), "", quiz.MsgTooLong},
		{"may not be empty", "   ", "", quiz.MsgRequired},
		{"may not hold a control character", "An\x07", "", quiz.MsgNicknameChars},
		{"may not turn the text direction", "An\u202eBình", "", quiz.MsgNicknameChars},
		{"may not hold a zero-width space", "An\u200bAn", "", quiz.MsgNicknameChars},
		{"may hold an emoji sequence", "An 👩‍💻", "An 👩‍💻", ""},
		{"may not be invalid UTF-8", "An\xff", "", quiz.MsgNicknameChars},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := quiz.NormalizeNickname(tt.in)
			if tt.field == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var qe *quiz.Error
			if !errorsAs(err, &qe) || qe.Code != quiz.CodeInvalidNickname || qe.Fields["nickname"] != tt.field {
				t.Fatalf("got %q, %v; want invalid_nickname with %s", got, err, tt.field)
			}
		})
	}
	t.Run("is the same nickname in any case and either normal form", func(t *testing.T) {
		_, a, _ := quiz.NormalizeNickname("ĐỨC Anh")
		_, b, _ := quiz.NormalizeNickname("đu\u031b\u0301c anh")
		if a != b {
			t.Errorf("keys %q and %q differ", a, b)
		}
	})
}

func errorsAs(err error, target **quiz.Error) bool {
	for err != nil {
		if qe, ok := err.(*quiz.Error); ok {
			*target = qe
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestLiveGameIsCreatedWithCheckedSettings(t *testing.T) {
	f := newLiveFixture(t)
	host := quiz.User{Role: quiz.RoleOrganizer}
	for _, tt := range []struct {
		name  string
		s     quiz.LiveSettings
		field string
	}{
		{"refuses 4 seconds a question", quiz.LiveSettings{BankID: f.bank.ID, QuestionCount: 2, SecondsPerQuestion: 4}, "seconds_per_question"},
		{"refuses 121 seconds a question", quiz.LiveSettings{BankID: f.bank.ID, QuestionCount: 2, SecondsPerQuestion: 121}, "seconds_per_question"},
		{"refuses a bank that does not exist", quiz.LiveSettings{BankID: 999, QuestionCount: 2, SecondsPerQuestion: 20}, "bank_id"},
		{"refuses more questions than the bank has", quiz.LiveSettings{BankID: f.bank.ID, QuestionCount: 5, SecondsPerQuestion: 20}, "question_count"},
		{"refuses no question", quiz.LiveSettings{BankID: f.bank.ID, SecondsPerQuestion: 20}, "question_count"},
		{"refuses an unknown points mode", quiz.LiveSettings{BankID: f.bank.ID, QuestionCount: 2, SecondsPerQuestion: 20, PointsMode: "luck"}, "points_mode"},
		{"refuses a question of another bank", quiz.LiveSettings{BankID: f.bank.ID, QuestionIDs: []int64{f.questions[0], 12345}, SecondsPerQuestion: 20}, "question_ids"},
		{"refuses a question chosen twice", quiz.LiveSettings{BankID: f.bank.ID, QuestionIDs: []int64{f.questions[0], f.questions[0]}, SecondsPerQuestion: 20}, "question_ids"},
		{"refuses a count other than the questions chosen", quiz.LiveSettings{BankID: f.bank.ID, QuestionIDs: f.questions[:2], QuestionCount: 3, SecondsPerQuestion: 20}, "question_count"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.live.Create(f.ctx, host, tt.s)
			var qe *quiz.Error
			if !errorsAs(err, &qe) || qe.Code != quiz.CodeValidation || qe.Fields[tt.field] == "" {
				t.Fatalf("got %v, want validation_failed on %s", err, tt.field)
			}
		})
	}
	if games, _ := f.live.Games(f.ctx, 10); len(games) != 0 {
		t.Errorf("refused games were stored: %+v", games)
	}

	t.Run("draws N questions at random with a PIN and a join path", func(t *testing.T) {
		g, err := f.live.Create(f.ctx, host, quiz.LiveSettings{BankID: f.bank.ID, QuestionCount: 3, SecondsPerQuestion: 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.PIN) != 6 || strings.Trim(g.PIN, "0123456789") != "" {
			t.Errorf("PIN %q is not six digits", g.PIN)
		}
		if g.JoinPath() != "/live/join?pin="+g.PIN || g.QuestionCount != 3 || g.Phase != quiz.PhaseLobby ||
			g.PointsMode != quiz.PointsSpeed || g.Title != "Ngân hàng hội nghị" {
			t.Errorf("game %+v", g)
		}
		seen := map[int64]bool{}
		for _, q := range f.key(g.ID) {
			if seen[q.QuestionID] || !slices.Contains(f.questions, q.QuestionID) {
				t.Errorf("question %d drawn twice or not from the bank", q.QuestionID)
			}
			seen[q.QuestionID] = true
		}
		if byPIN, err := f.live.GameByPIN(f.ctx, g.PIN); err != nil || byPIN.ID != g.ID {
			t.Errorf("GameByPIN = %+v, %v", byPIN, err)
		}
	})
	t.Run("keeps the chosen questions in their order", func(t *testing.T) {
		chosen := []int64{f.questions[3], f.questions[1]}
		g := f.create(0, func(s *quiz.LiveSettings) {
			s.QuestionIDs = chosen
			s.PointsMode = quiz.PointsAccuracy
			s.StreakBonus = true
		})
		key := f.key(g.ID)
		if len(key) != 2 || key[0].QuestionID != chosen[0] || key[1].QuestionID != chosen[1] {
			t.Errorf("questions %+v, want %v in that order", key, chosen)
		}
		if g.StreakBonus {
			t.Error("the accuracy mode kept a streak bonus")
		}
	})
}

// TestLiveGameRunsFromLobbyToEnd plays a whole game: two players, an early
// reveal when both have answered, a reveal at the deadline, the streak
// bonus, a multiple-answer question scored by its exact set, and the end.
func TestLiveGameRunsFromLobbyToEnd(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(3, func(s *quiz.LiveSettings) { s.StreakBonus = true })
	key := f.key(g.ID)
	host := f.rec.host()
	if err := f.live.HostConnect(g.ID); err != nil {
		t.Fatal(err)
	}
	lobby := host.expect(t, "lobby")
	if lobby["pin"] != g.PIN || len(lobby["players"].([]any)) != 0 {
		t.Errorf("lobby %v", lobby)
	}

	an := f.join(g.ID, "An")
	var joined map[string]any
	json.Unmarshal(an.Message, &joined)
	if joined["type"] != "joined" || joined["nickname"] != "An" || joined["token"] != an.Token || num(joined, "points") != 0 ||
		int64(joined["player_id"].(float64)) != an.PlayerID {
		t.Errorf("joined %v", joined)
	}
	if len(an.Token) < 40 {
		t.Errorf("token %q is shorter than 256 bits", an.Token)
	}
	if e := host.expect(t, "player_joined"); e["nickname"] != "An" || num(e, "players") != 1 || num(e, "connected") != 1 {
		t.Errorf("host heard %v", e)
	}
	binh := f.join(g.ID, "Bình")
	host.expect(t, "player_joined")

	t.Run("a nickname is taken whatever its case", func(t *testing.T) {
		_, err := f.live.Join(f.ctx, g.ID, "  an ", 0)
		mustCode(t, err, quiz.CodeNicknameTaken)
	})
	t.Run("an answer in the lobby is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 0, key[0].CorrectIDs()), quiz.CodeQuestionNotOpen)
	})

	if err := f.live.StartGame(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	q := an.in.expect(t, "question")
	if num(q, "index") != 0 || q["text"] != key[0].Text || len(q["options"].([]any)) != 3 || num(q, "remaining_ms") != 20000 ||
		q["deadline"] != quiz.APITime(liveStart.Add(20*time.Second)) {
		t.Errorf("question %v", q)
	}
	binh.in.expect(t, "question")
	host.expect(t, "question")
	mustCode(t, f.live.StartGame(f.ctx, g.ID), quiz.CodeWrongGameState)

	f.clock.Advance(2 * time.Second)
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	if a := an.in.expect(t, "ack"); num(a, "question_index") != 0 {
		t.Errorf("ack %v", a)
	}
	if c := host.expect(t, "answers"); num(c, "answered") != 1 || num(c, "connected") != 2 {
		t.Errorf("count %v", c)
	}
	t.Run("a second answer to a question is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 0, wrongIDs(key[0])), quiz.CodeAlreadyAnswered)
	})
	f.clock.Advance(8 * time.Second)
	if err := f.answer(g.ID, binh, 0, wrongIDs(key[0])); err != nil {
		t.Fatal(err)
	}
	binh.in.expect(t, "ack")
	if c := host.expect(t, "answers"); num(c, "answered") != 2 {
		t.Errorf("count %v", c)
	}

	// Both have answered: the reveal comes before the deadline.
	reveal := an.in.expect(t, "reveal")
	if ids := reveal["correct_option_ids"].([]any); len(ids) != 1 || int64(ids[0].(float64)) != key[0].CorrectIDs()[0] {
		t.Errorf("reveal %v", reveal)
	}
	if num(reveal, "answered") != 2 || num(reveal, "correct_count") != 1 {
		t.Errorf("reveal counts %v", reveal)
	}
	r := an.in.expect(t, "result")
	if r["correct"] != true || num(r, "points") != 950 || num(r, "total_points") != 950 || num(r, "rank") != 1 ||
		num(r, "correct_answers") != 1 {
		t.Errorf("An's result %v", r)
	}
	binh.in.expect(t, "reveal")
	if r := binh.in.expect(t, "result"); r["correct"] != false || num(r, "points") != 0 || num(r, "rank") != 2 {
		t.Errorf("Bình's result %v", r)
	}
	host.expect(t, "reveal")
	t.Run("an answer after the reveal is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, binh, 0, key[0].CorrectIDs()), quiz.CodeQuestionClosed)
	})

	if err := f.live.Next(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	board := an.in.expect(t, "leaderboard")
	entries := board["entries"].([]any)
	if len(entries) != 2 || entries[0].(map[string]any)["nickname"] != "An" || num(entries[0].(map[string]any), "points") != 950 ||
		num(entries[0].(map[string]any), "correct") != 1 {
		t.Errorf("leaderboard %v", board)
	}
	binh.in.expect(t, "leaderboard")
	host.expect(t, "leaderboard")

	// Question 1 takes two options: half the set is wrong, the set right.
	if err := f.live.Next(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if q := an.in.expect(t, "question"); q["multiple"] != true || num(q, "index") != 1 {
		t.Errorf("question %v", q)
	}
	binh.in.expect(t, "question")
	host.expect(t, "question")
	both := key[1].CorrectIDs()
	if err := f.answer(g.ID, an, 1, both[:1]); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	f.clock.Advance(5 * time.Second)
	if err := f.answer(g.ID, binh, 1, both); err != nil {
		t.Fatal(err)
	}
	binh.in.expect(t, "ack")
	reveal = an.in.expect(t, "reveal")
	if num(reveal, "correct_count") != 1 {
		t.Errorf("reveal %v", reveal)
	}
	if r := an.in.expect(t, "result"); r["correct"] != false || num(r, "total_points") != 950 || num(r, "streak") != 0 {
		t.Errorf("An's result %v", r)
	}
	binh.in.expect(t, "reveal")
	if r := binh.in.expect(t, "result"); num(r, "points") != 875 || num(r, "total_points") != 875 || num(r, "streak") != 1 {
		t.Errorf("Bình's result %v", r)
	}

	// Question 2 closes at its deadline; Bình's second right answer in a
	// row earns 100 more.
	for range 2 {
		if err := f.live.Next(f.ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	an.in.expect(t, "leaderboard")
	an.in.expect(t, "question")
	binh.in.expect(t, "leaderboard")
	binh.in.expect(t, "question")
	f.clock.Advance(300 * time.Millisecond)
	if err := f.answer(g.ID, binh, 2, key[2].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	binh.in.expect(t, "ack")
	f.clock.Advance(18700 * time.Millisecond)
	if err := f.answer(g.ID, an, 2, key[2].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	an.in.expect(t, "reveal")
	if r := an.in.expect(t, "result"); num(r, "points") != 525 || num(r, "streak") != 1 {
		t.Errorf("An's result %v", r)
	}
	binh.in.expect(t, "reveal")
	if r := binh.in.expect(t, "result"); num(r, "points") != 1100 || num(r, "total_points") != 1975 || num(r, "rank") != 1 {
		t.Errorf("Bình's result %v", r)
	}
	mustCode(t, f.live.Skip(f.ctx, g.ID), quiz.CodeWrongGameState)

	host = f.rec.host()
	for range 2 {
		if err := f.live.Next(f.ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	an.in.expect(t, "leaderboard")
	ended := an.in.expect(t, "ended")
	entries = ended["entries"].([]any)
	if len(entries) != 2 || entries[0].(map[string]any)["nickname"] != "Bình" || num(entries[0].(map[string]any), "points") != 1975 ||
		num(entries[0].(map[string]any), "correct") != 2 || num(entries[1].(map[string]any), "points") != 950+525 {
		t.Errorf("ended %v", ended)
	}
	if final := an.in.expect(t, "final"); num(final, "rank") != 2 || num(final, "correct") != 2 {
		t.Errorf("An's final %v", final)
	}
	host.expect(t, "leaderboard")
	host.expect(t, "ended")
	mustCode(t, f.live.Next(f.ctx, g.ID), quiz.CodeGameEnded)
	if _, err := f.live.Join(f.ctx, g.ID, "Muộn", 0); quiz.ErrorCode(err) != quiz.CodeGameEnded {
		t.Errorf("a join after the end: %v", err)
	}
	if _, err := f.live.GameByPIN(f.ctx, g.PIN); quiz.ErrorCode(err) != quiz.CodeNotFound {
		t.Errorf("an ended game's PIN still finds it: %v", err)
	}

	t.Run("the stored results rank as the game did", func(t *testing.T) {
		res, err := f.live.Results(f.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Players) != 2 || res.Players[0].Nickname != "Bình" || res.Players[0].Points != 1975 || res.Players[0].Correct != 2 ||
			res.Players[1].Nickname != "An" || res.Players[1].Rank != 2 || res.Players[1].Correct != 2 {
			t.Errorf("players %+v", res.Players)
		}
		if res.Game.Phase != quiz.PhaseEnded || res.Game.EndedAt == nil {
			t.Errorf("game %+v", res.Game)
		}
		q0 := res.Questions[0]
		if q0.Status != quiz.LivePlayed || q0.Players != 2 || q0.Answered != 2 || q0.Correct != 1 || q0.ShareCorrect() != 0.5 {
			t.Errorf("question 0 %+v", q0)
		}
		counts := 0
		for _, o := range q0.Options {
			counts += o.Count
		}
		if counts != 2 {
			t.Errorf("option counts of question 0 add up to %d, want 2", counts)
		}
	})
}

func TestLiveAnswers(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(4, nil)
	key := f.key(g.ID)
	an, binh := f.join(g.ID, "An"), f.join(g.ID, "Bình")
	if err := f.live.StartGame(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "question")

	t.Run("an option of another question is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 0, key[1].CorrectIDs()), quiz.CodeInvalidOption)
	})
	t.Run("two options for a single-answer question are refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 0, []int64{key[0].Options[0].ID, key[0].Options[1].ID}), quiz.CodeInvalidOption)
	})
	t.Run("no option is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 0, nil), quiz.CodeInvalidOption)
	})
	t.Run("a question not open yet is refused", func(t *testing.T) {
		mustCode(t, f.answer(g.ID, an, 1, key[1].CorrectIDs()), quiz.CodeQuestionNotOpen)
		mustCode(t, f.answer(g.ID, an, 9, key[1].CorrectIDs()), quiz.CodeQuestionNotOpen)
	})
	t.Run("an unknown player cannot answer", func(t *testing.T) {
		mustCode(t, f.live.Answer(f.ctx, g.ID, 42, 0, key[0].CorrectIDs()), quiz.CodeNotFound)
	})
	an.in.quiet(t)

	t.Run("an answer at the deadline is refused", func(t *testing.T) {
		f.clock.Advance(20 * time.Second)
		mustCode(t, f.answer(g.ID, binh, 0, key[0].CorrectIDs()), quiz.CodeQuestionClosed)
		binh.in.expect(t, "question")
		r := binh.in.expect(t, "reveal")
		if num(r, "answered") != 0 {
			t.Errorf("reveal %v", r)
		}
		if res := binh.in.expect(t, "result"); res["answered"] != false || num(res, "points") != 0 {
			t.Errorf("result %v", res)
		}
	})
	t.Run("nothing refused was stored", func(t *testing.T) {
		rec, err := f.db.LiveGame(f.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Answers) != 0 {
			t.Errorf("stored %+v", rec.Answers)
		}
	})
	t.Run("an answer to a past question is refused", func(t *testing.T) {
		f.live.Next(f.ctx, g.ID)
		f.live.Next(f.ctx, g.ID)
		mustCode(t, f.answer(g.ID, an, 0, key[0].CorrectIDs()), quiz.CodeQuestionClosed)
	})
}

// TestLiveRevealsWhenEveryConnectedPlayerHasAnswered: players whose phone
// dropped are not waited for, but a room with nobody connected waits for
// the deadline.
func TestLiveRevealsWhenEveryConnectedPlayerHasAnswered(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, nil)
	key := f.key(g.ID)
	an, binh := f.join(g.ID, "An"), f.join(g.ID, "Bình")
	f.live.Disconnect(g.ID, binh.PlayerID)
	if err := f.live.StartGame(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "question")
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	an.in.expect(t, "reveal")
	an.in.expect(t, "result")

	f.live.Next(f.ctx, g.ID)
	f.live.Next(f.ctx, g.ID)
	an.in.expect(t, "leaderboard")
	an.in.expect(t, "question")
	f.live.Disconnect(g.ID, an.PlayerID)
	f.clock.Advance(19 * time.Second)
	an.in.quiet(t)
	if g, _ := f.live.Game(f.ctx, g.ID); g.Phase != quiz.PhaseQuestion || g.Connected != 0 {
		t.Fatalf("with nobody connected the game is %+v, want the question still open", g)
	}
	f.clock.Advance(time.Second)
	an.in.expect(t, "reveal")
}

// TestLiveRevealsWhenTheLastToAnswerLeaves: the one player not answered
// disconnects; everyone still there has answered.
func TestLiveRevealsWhenTheLastToAnswerLeaves(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(1, nil)
	key := f.key(g.ID)
	an, binh := f.join(g.ID, "An"), f.join(g.ID, "Bình")
	f.live.StartGame(f.ctx, g.ID)
	an.in.expect(t, "question")
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	an.in.quiet(t)
	f.live.Disconnect(g.ID, binh.PlayerID)
	an.in.expect(t, "reveal")
}

func TestLiveKick(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, nil)
	key := f.key(g.ID)
	host := f.rec.host()
	an, binh, chi := f.join(g.ID, "An"), f.join(g.ID, "Bình"), f.join(g.ID, "Chi")
	host.expect(t, "player_joined")
	host.expect(t, "player_joined")
	host.expect(t, "player_joined")
	f.live.StartGame(f.ctx, g.ID)
	host.expect(t, "question")
	for _, p := range []*player{an, binh} {
		if err := f.answer(g.ID, p, 0, key[0].CorrectIDs()); err != nil {
			t.Fatal(err)
		}
	}
	host.expect(t, "answers")
	chi.in.expect(t, "question")

	// Chi, the only one not answered, is kicked: the question is revealed.
	if err := f.live.Kick(f.ctx, g.ID, chi.PlayerID); err != nil {
		t.Fatal(err)
	}
	chi.in.expect(t, "kicked")
	chi.in.expect(t, "drop")
	if e := host.expect(t, "player_kicked"); e["nickname"] != "Chi" || num(e, "players") != 2 {
		t.Errorf("host heard %v", e)
	}
	reveal := host.expect(t, "reveal")
	if num(reveal, "players") != 2 || num(reveal, "answered") != 2 {
		t.Errorf("reveal %v", reveal)
	}

	t.Run("a kicked player cannot answer, rejoin or connect", func(t *testing.T) {
		f.live.Next(f.ctx, g.ID)
		f.live.Next(f.ctx, g.ID)
		mustCode(t, f.answer(g.ID, chi, 1, key[1].CorrectIDs()), quiz.CodePlayerKicked)
		_, err := f.live.Rejoin(f.ctx, g.ID, chi.Token)
		mustCode(t, err, quiz.CodePlayerKicked)
		mustCode(t, f.live.Connect(g.ID, chi.PlayerID), quiz.CodePlayerKicked)
	})
	t.Run("a kicked player's nickname stays taken", func(t *testing.T) {
		_, err := f.live.Join(f.ctx, g.ID, "chi", 0)
		mustCode(t, err, quiz.CodeNicknameTaken)
	})
	t.Run("a kicked player leaves the leaderboards and the results", func(t *testing.T) {
		f.live.End(f.ctx, g.ID)
		res, err := f.live.Results(f.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Players {
			if p.Nickname == "Chi" {
				t.Errorf("results list Chi: %+v", res.Players)
			}
		}
		if g, _ := f.live.Game(f.ctx, g.ID); g.Players != 2 {
			t.Errorf("the game counts %d players, want 2", g.Players)
		}
	})
}

func TestLiveRejoin(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, nil)
	key := f.key(g.ID)
	an := f.join(g.ID, "An")
	f.join(g.ID, "Bình")
	f.live.StartGame(f.ctx, g.ID)
	an.in.expect(t, "question")
	f.clock.Advance(time.Second)
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	f.live.Disconnect(g.ID, an.PlayerID)

	t.Run("the token gives the same player back with the open question and the ack", func(t *testing.T) {
		j, err := f.live.Rejoin(f.ctx, g.ID, an.Token)
		if err != nil {
			t.Fatal(err)
		}
		if j.PlayerID != an.PlayerID || j.Nickname != "An" || j.Token != an.Token {
			t.Errorf("rejoined as %+v", j)
		}
		if err := f.live.Connect(g.ID, j.PlayerID); err != nil {
			t.Fatal(err)
		}
		q := an.in.expect(t, "question")
		if num(q, "remaining_ms") != 19000 {
			t.Errorf("question %v", q)
		}
		an.in.expect(t, "ack")
	})
	t.Run("another token finds nobody", func(t *testing.T) {
		_, err := f.live.Rejoin(f.ctx, g.ID, an.Token[:len(an.Token)-1]+"x")
		mustCode(t, err, quiz.CodeInvalidToken)
		_, err = f.live.Rejoin(f.ctx, g.ID, "")
		mustCode(t, err, quiz.CodeInvalidToken)
	})
	f.clock.Advance(19 * time.Second)
	an.in.expect(t, "reveal")
	an.in.expect(t, "result")
	t.Run("a rejoin after the reveal gives the same points, the reveal and the result", func(t *testing.T) {
		f.live.Disconnect(g.ID, an.PlayerID)
		j, err := f.live.Rejoin(f.ctx, g.ID, an.Token)
		if err != nil {
			t.Fatal(err)
		}
		var joined map[string]any
		json.Unmarshal(j.Message, &joined)
		if num(joined, "points") != 975 || num(joined, "correct") != 1 || joined["phase"] != "reveal" {
			t.Errorf("joined %v", joined)
		}
		f.live.Connect(g.ID, j.PlayerID)
		an.in.expect(t, "reveal")
		if r := an.in.expect(t, "result"); num(r, "total_points") != 975 {
			t.Errorf("result %v", r)
		}
	})
	t.Run("a signed-in contestant who joins again gets their player back under a new token", func(t *testing.T) {
		u, err := f.db.CreateUser(f.ctx, quiz.User{Role: quiz.RoleContestant, FullName: "Lê Cường", Phone: "0912000111",
			CreatedAt: liveStart}, "x", nil)
		if err != nil {
			t.Fatal(err)
		}
		first, err := f.live.Join(f.ctx, g.ID, "Cường", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.live.Join(f.ctx, g.ID, "Tên khác", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.PlayerID != first.PlayerID || again.Nickname != "Cường" || again.Token == first.Token {
			t.Errorf("joined again as %+v, first %+v", again, first)
		}
		_, err = f.live.Rejoin(f.ctx, g.ID, first.Token)
		mustCode(t, err, quiz.CodeInvalidToken)
		if _, err := f.live.Rejoin(f.ctx, g.ID, again.Token); err != nil {
			t.Errorf("the new token: %v", err)
		}
	})
}

func TestLiveSkip(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, nil)
	key := f.key(g.ID)
	an := f.join(g.ID, "An")
	f.join(g.ID, "Bình")
	f.live.StartGame(f.ctx, g.ID)
	an.in.expect(t, "question")
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ack")
	if err := f.live.Skip(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if s := an.in.expect(t, "skipped"); num(s, "index") != 0 {
		t.Errorf("skipped %v", s)
	}
	if q := an.in.expect(t, "question"); num(q, "index") != 1 {
		t.Errorf("question %v", q)
	}
	// Skipping the last question ends the game.
	if err := f.live.Skip(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "skipped")
	ended := an.in.expect(t, "ended")
	for _, e := range ended["entries"].([]any) {
		if num(e.(map[string]any), "points") != 0 || num(e.(map[string]any), "correct") != 0 {
			t.Errorf("a skipped question counted: %v", ended)
		}
	}
	res, _ := f.live.Results(f.ctx, g.ID)
	if res.Questions[0].Status != quiz.LiveSkipped || res.Players[0].Points != 0 {
		t.Errorf("results %+v", res)
	}
}

func TestLiveAutoAdvance(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, func(s *quiz.LiveSettings) { s.AutoAdvance = true })
	an := f.join(g.ID, "An")
	f.live.StartGame(f.ctx, g.ID)
	an.in.expect(t, "question")
	f.clock.Advance(20 * time.Second)
	an.in.expect(t, "reveal")
	an.in.expect(t, "result")
	waitTimers(t, f.clock, 1)
	f.clock.Advance(quiz.LiveRevealPause)
	an.in.expect(t, "leaderboard")
	waitTimers(t, f.clock, 1)
	f.clock.Advance(quiz.LiveLeaderboardPause)
	if q := an.in.expect(t, "question"); num(q, "index") != 1 {
		t.Errorf("question %v", q)
	}

	t.Run("turned off, the game waits for the host", func(t *testing.T) {
		if err := f.live.SetAutoAdvance(f.ctx, g.ID, false); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(20 * time.Second)
		an.in.expect(t, "reveal")
		an.in.expect(t, "result")
		f.clock.Advance(time.Minute)
		an.in.quiet(t)
		if g, _ := f.live.Game(f.ctx, g.ID); g.Phase != quiz.PhaseReveal || g.AutoAdvance {
			t.Errorf("game %+v", g)
		}
	})
}

// waitTimers waits until n functions wait on the clock: the code under
// test sets its timers in goroutines of its own.
func waitTimers(t *testing.T, c *quiz.FakeClock, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Waiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers wait, want %d", c.Waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLiveTellsPlayersNoCorrectOptionBeforeTheReveal checks every message
// a player gets before a reveal, and those a reconnecting phone gets, for
// the fields they may have: a field added for the correct options fails
// it.
func TestLiveTellsPlayersNoCorrectOptionBeforeTheReveal(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, nil)
	key := f.key(g.ID)
	an, binh := f.join(g.ID, "An"), f.join(g.ID, "Bình")
	f.join(g.ID, "Chi") // never answers: no early reveal
	f.live.StartGame(f.ctx, g.ID)
	if err := f.answer(g.ID, an, 0, key[0].CorrectIDs()); err != nil {
		t.Fatal(err)
	}
	f.live.Disconnect(g.ID, binh.PlayerID)
	j, err := f.live.Rejoin(f.ctx, g.ID, binh.Token)
	if err != nil {
		t.Fatal(err)
	}
	f.live.Connect(g.ID, j.PlayerID)
	j2, _ := f.live.Rejoin(f.ctx, g.ID, an.Token)
	f.live.Connect(g.ID, j2.PlayerID)
	f.clock.Advance(20 * time.Second)
	an.in.expect(t, "question")
	an.in.expect(t, "ack")
	an.in.expect(t, "question")
	an.in.expect(t, "ack")
	an.in.expect(t, "reveal")

	allowed := map[string][]string{
		"question": {"type", "index", "count", "text", "multiple", "options", "deadline", "seconds", "remaining_ms", "server_time"},
		"ack":      {"type", "question_index"},
		"joined":   {"type", "game_id", "player_id", "nickname", "token", "points", "correct", "phase", "question_count"},
	}
	check := func(raw []byte) {
		var m map[string]any
		json.Unmarshal(raw, &m)
		want, ok := allowed[m["type"].(string)]
		if !ok {
			t.Errorf("a player got %s before the reveal", raw)
			return
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sorted := slices.Clone(want)
		sort.Strings(sorted)
		if !slices.Equal(keys, sorted) {
			t.Errorf("%s message has fields %v, want %v", m["type"], keys, sorted)
		}
		if opts, ok := m["options"].([]any); ok {
			for _, o := range opts {
				if len(o.(map[string]any)) != 2 {
					t.Errorf("an option has fields %v, want id and text", o)
				}
			}
		}
	}
	check(j.Message)
	check(j2.Message)
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	for _, s := range f.rec.all {
		if s.to == "host" || s.to == "drop" {
			continue
		}
		if s.m["type"] == "reveal" {
			break
		}
		check(s.raw)
	}
}

// TestLiveRanksTies: in the accuracy mode equal right answers are ranked
// by the time spent answering (a question not answered counting whole),
// then by who joined first.
func TestLiveRanksTies(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(2, func(s *quiz.LiveSettings) { s.PointsMode = quiz.PointsAccuracy })
	key := f.key(g.ID)
	slow, fast, late, idle := f.join(g.ID, "Chậm"), f.join(g.ID, "Nhanh"), f.join(g.ID, "Vắng 1"), f.join(g.ID, "Vắng 2")
	f.live.StartGame(f.ctx, g.ID)
	f.clock.Advance(2 * time.Second)
	f.answer(g.ID, fast, 0, key[0].CorrectIDs())
	f.clock.Advance(time.Second)
	f.answer(g.ID, slow, 0, key[0].CorrectIDs())
	f.clock.Advance(17 * time.Second)
	slow.in.expect(t, "question")
	slow.in.expect(t, "ack")
	slow.in.expect(t, "reveal")
	if r := slow.in.expect(t, "result"); num(r, "points") != 1 || num(r, "rank") != 2 {
		t.Errorf("slow player's result %v", r)
	}
	if err := f.live.End(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	res, err := f.live.Results(f.ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range res.Players {
		order = append(order, fmt.Sprintf("%d %s %d %d %d", p.Rank, p.Nickname, p.Points, p.Correct, p.AnswerMs))
	}
	want := []string{"1 Nhanh 1 1 2000", "2 Chậm 1 1 3000", "3 Vắng 1 0 0 20000", "4 Vắng 2 0 0 20000"}
	if !slices.Equal(order, want) {
		t.Errorf("ranked %q, want %q", order, want)
	}
	_, _ = late, idle
}

func TestLiveHostHearsAnswerCountsAtMostFourTimesASecond(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(1, nil)
	key := f.key(g.ID)
	var players []*player
	for i := range 6 {
		players = append(players, f.join(g.ID, fmt.Sprintf("Người %d", i)))
	}
	host := f.rec.host()
	f.live.StartGame(f.ctx, g.ID)
	host.expect(t, "question")
	for _, p := range players[:3] {
		if err := f.answer(g.ID, p, 0, key[0].CorrectIDs()); err != nil {
			t.Fatal(err)
		}
	}
	if c := host.expect(t, "answers"); num(c, "answered") != 1 {
		t.Errorf("first count %v", c)
	}
	host.quiet(t)
	f.clock.Advance(quiz.LiveCountEvery)
	if c := host.expect(t, "answers"); num(c, "answered") != 3 || num(c, "connected") != 6 || num(c, "players") != 6 {
		t.Errorf("second count %v", c)
	}
	host.quiet(t)
	t.Run("each count takes the place of the question's count not yet written", func(t *testing.T) {
		f.rec.mu.Lock()
		defer f.rec.mu.Unlock()
		for _, s := range f.rec.all {
			if s.to == "host" && strings.HasPrefix(string(s.raw), `{"type":"answers"`) && s.latest != "answers 0" {
				t.Errorf("count %s sent as latest %q, want \"answers 0\"", s.raw, s.latest)
			}
		}
	})
}

func TestLiveHostCommandsNeedARunningGame(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(1, nil)
	mustCode(t, f.live.Next(f.ctx, g.ID), quiz.CodeWrongGameState)
	mustCode(t, f.live.Skip(f.ctx, g.ID), quiz.CodeWrongGameState)
	mustCode(t, f.live.Kick(f.ctx, g.ID, 1), quiz.CodeNotFound)
	mustCode(t, f.live.StartGame(f.ctx, 12345), quiz.CodeNotFound)
	if err := f.live.End(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	mustCode(t, f.live.End(f.ctx, g.ID), quiz.CodeGameEnded)
	mustCode(t, f.live.StartGame(f.ctx, g.ID), quiz.CodeGameEnded)
}

// TestLiveKeepsAnEndedGameForReconnectingPhones: for a while after the
// end a phone that reconnects gets the final standings; then the game
// leaves memory and is read from the store.
func TestLiveKeepsAnEndedGameForReconnectingPhones(t *testing.T) {
	f := newLiveFixture(t)
	g := f.create(1, nil)
	an := f.join(g.ID, "An")
	if err := f.live.End(f.ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ended")
	an.in.expect(t, "final")
	f.live.Disconnect(g.ID, an.PlayerID)
	if _, err := f.live.Rejoin(f.ctx, g.ID, an.Token); err != nil {
		t.Fatal(err)
	}
	if err := f.live.Connect(g.ID, an.PlayerID); err != nil {
		t.Fatal(err)
	}
	an.in.expect(t, "ended")
	if final := an.in.expect(t, "final"); num(final, "rank") != 1 {
		t.Errorf("final %v", final)
	}
	waitTimers(t, f.clock, 1)
	f.clock.Advance(15 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for quiz.ErrorCode(f.live.Connect(g.ID, an.PlayerID)) != quiz.CodeNotFound {
		if time.Now().After(deadline) {
			t.Fatal("the ended game is still in memory after 15 minutes")
		}
		time.Sleep(time.Millisecond)
	}
	if got, err := f.live.Game(f.ctx, g.ID); err != nil || got.Phase != quiz.PhaseEnded || got.Players != 1 {
		t.Errorf("the game from the store: %+v, %v", got, err)
	}
}
