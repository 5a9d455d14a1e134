package quiz

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A live quiz is hosted: a host screen shows one question at a time to a
// room, every player answers the same question at once on a phone, points
// reward right and fast answers, and the leaderboard shows between
// questions. Live runs the games; a transport (the websockets) carries what
// it says to the people in them through a LiveSink.

// Points modes of a live game.
const (
	// PointsSpeed rewards right and fast answers (LivePoints).
	PointsSpeed = "speed"
	// PointsAccuracy gives 1 point a right answer, for exams.
	PointsAccuracy = "accuracy"
)

// Phases of a live game. A game goes lobby → question 0 → reveal →
// leaderboard → question 1 … → ended.
const (
	PhaseLobby       = "lobby"
	PhaseQuestion    = "question"
	PhaseReveal      = "reveal"
	PhaseLeaderboard = "leaderboard"
	PhaseEnded       = "ended"
	// phaseClosing is a question that takes no more answers while its
	// reveal is stored; it is never stored itself.
	phaseClosing = "closing"
)

// Limits of a live game.
const (
	MinLiveSeconds   = 5
	MaxLiveSeconds   = 120
	MaxLiveQuestions = 100
	// MaxLivePlayers bounds one game, so that nobody can fill the server's
	// memory by scripting joins.
	MaxLivePlayers = 20000
	MaxNicknameLen = 20
	maxLiveTitle   = 200
)

// Pauses of a game that advances by itself, and how often the host hears
// the count of answers.
const (
	LiveRevealPause      = 5 * time.Second
	LiveLeaderboardPause = 5 * time.Second
	LiveCountEvery       = 250 * time.Millisecond
	// liveEndedKept is how long an ended game stays in memory, so that a
	// phone that reconnects still gets the final standings.
	liveEndedKept = 15 * time.Minute
	// liveTopEntries is the length of the leaderboard players see.
	liveTopEntries = 10
)

// Error codes of the live quiz, sent to players and hosts.
const (
	CodeNicknameTaken   = "nickname_taken"
	CodeInvalidNickname = "invalid_nickname"
	CodeQuestionClosed  = "question_closed"
	CodeQuestionNotOpen = "question_not_open"
	CodeAlreadyAnswered = "already_answered"
	CodePlayerKicked    = "player_kicked"
	CodeInvalidToken    = "invalid_token"
	CodeGameEnded       = "game_ended"
	CodeGameFull        = "game_full"
	// CodeAlreadyJoined is a second join of one account while its first
	// is being stored (two tabs at once); the account's player is theirs
	// once it is.
	CodeAlreadyJoined = "already_joined"
	// CodeWrongGameState is a host command the game cannot take now
	// (start once started, next once ended…).
	CodeWrongGameState = "wrong_game_state"
)

// AuditExportLiveResults is a live game's results downloaded as a file
// (xlsx or csv), written to the audit log as winners files are.
const AuditExportLiveResults = "export_live_results"

// Message keys of the live quiz's invalid input.
const (
	MsgLiveSeconds       = "live.field.seconds_range"
	MsgLiveQuestionCount = "live.field.question_count_range"
	MsgLivePointsMode    = "live.field.points_mode"
	MsgLiveQuestionIDs   = "live.field.question_not_in_bank"
	MsgLiveRepeated      = "live.field.question_repeated"
	MsgLiveCountMismatch = "live.field.question_count_mismatch"
	MsgNicknameChars     = "live.field.nickname_chars"
)

// LiveSettings is what an organizer chooses for a new game.
type LiveSettings struct {
	Title  string
	BankID int64
	// QuestionIDs are the questions in the order shown; empty draws
	// QuestionCount at random from the bank's questions in use.
	QuestionIDs        []int64
	QuestionCount      int
	SecondsPerQuestion int
	PointsMode         string // "" is PointsSpeed
	StreakBonus        bool
	AutoAdvance        bool
}

// LiveGame is a game and where it stands.
type LiveGame struct {
	ID                 int64
	PIN                string
	Title              string
	BankID             int64
	HostID             int64 // who created it; 0 when unknown
	SecondsPerQuestion int
	PointsMode         string
	StreakBonus        bool
	AutoAdvance        bool
	QuestionCount      int
	Phase              string
	// Index is the question shown or last shown, from 0; -1 in the lobby.
	Index     int
	Deadline  time.Time // of the open question; zero otherwise
	CreatedAt time.Time
	StartedAt *time.Time
	EndedAt   *time.Time
	// Players counts those not kicked; Connected those of them with a
	// connection open now (known only while the game is in memory).
	Players   int
	Connected int
}

// JoinPath is where players join the game: the page asks for a nickname
// with the PIN filled in.
func (g LiveGame) JoinPath() string { return "/live/join?pin=" + g.PIN }

// Limit is the time each question is open.
func (g LiveGame) Limit() time.Duration { return time.Duration(g.SecondsPerQuestion) * time.Second }

// LiveQuestion is one question of a game as the game shows it, with the
// correct options (never sent to players before the reveal).
type LiveQuestion struct {
	Index      int
	QuestionID int64
	Text       string
	Options    []Option // in the game's order
	OpenedAt   time.Time
	Deadline   time.Time
	ClosedAt   time.Time
	Skipped    bool
}

// Closed reports whether the question has been shown and closed.
func (q LiveQuestion) Closed() bool { return !q.ClosedAt.IsZero() }

// Multiple reports whether several options are correct: the player must
// then choose every correct option and no other.
func (q LiveQuestion) Multiple() bool { return len(q.CorrectIDs()) > 1 }

// CorrectIDs returns the correct options' ids, sorted.
func (q LiveQuestion) CorrectIDs() []int64 {
	var ids []int64
	for _, o := range q.Options {
		if o.Correct {
			ids = append(ids, o.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// LivePlayer is someone playing a game.
type LivePlayer struct {
	ID          int64
	GameID      int64
	Nickname    string
	NicknameKey string // case-folded, for uniqueness
	UserID      int64  // a signed-in contestant; 0 for a guest
	TokenHash   string // SHA-256 of the rejoin token, hex
	JoinedAt    time.Time
	// Seq is the player's place in the order of joining, from 1, given as
	// the player is stored: the last tie-break.
	Seq      int
	KickedAt *time.Time
}

// LiveAnswer is a player's one answer to one question of a game.
type LiveAnswer struct {
	GameID     int64
	PlayerID   int64
	Index      int
	OptionIDs  []int64 // sorted
	Correct    bool
	Points     int
	TimeMs     int64 // from the question's opening, on the server's clock
	AnsweredAt time.Time
}

// LiveRecord is a game as stored: what a restart or a results page needs.
type LiveRecord struct {
	Game      LiveGame
	Questions []LiveQuestion
	Players   []LivePlayer // in join order
	Answers   []LiveAnswer
}

// LiveTransition is a game's move to a phase, stored before anyone hears
// of it.
type LiveTransition struct {
	GameID int64
	Phase  string
	Index  int
	At     time.Time
	// Deadline of the question a PhaseQuestion opens.
	Deadline time.Time
	// Skipped marks the question a PhaseReveal closes as skipped.
	Skipped bool
}

// LiveStore is what Live needs from storage.
type LiveStore interface {
	Bank(ctx context.Context, id int64) (Bank, error)
	Pool(ctx context.Context, bankID int64) (Pool, error)
	// CreateLiveGame stores a new game in the lobby with its questions,
	// with an id of its own and a PIN from newPIN that no game not ended
	// holds (drawing again while one does).
	CreateLiveGame(ctx context.Context, g LiveGame, questions []LiveQuestion, newPIN func() string) (LiveGame, error)
	LiveGame(ctx context.Context, id int64) (LiveRecord, error)
	// LiveGames lists games, newest first.
	LiveGames(ctx context.Context, limit int) ([]LiveGame, error)
	UnfinishedLiveGames(ctx context.Context) ([]int64, error)
	// UnfinishedLiveGame returns the id of the game not ended that holds
	// pin, or not_found.
	UnfinishedLiveGame(ctx context.Context, pin string) (int64, error)
	// AddLivePlayer stores a player with an id of its own; a nickname key
	// taken in the game is CodeNicknameTaken.
	AddLivePlayer(ctx context.Context, p LivePlayer) (LivePlayer, error)
	SetLiveToken(ctx context.Context, playerID int64, tokenHash string) error
	KickLivePlayer(ctx context.Context, playerID int64, at time.Time) error
	SaveLiveTransition(ctx context.Context, t LiveTransition) error
	SetLiveAutoAdvance(ctx context.Context, gameID int64, on bool) error
}

// LiveAnswerWriter stores answers through the batched writer the attempts
// use: SaveLiveAnswer returns once the answer is committed. It fails with
// CodeQuestionClosed when the stored game no longer has that question
// open, and CodeAlreadyAnswered when the player has an answer to it.
type LiveAnswerWriter interface {
	SaveLiveAnswer(ctx context.Context, a LiveAnswer) error
}

// LiveSink carries a game's messages to the people in it; the websocket
// layer implements it. Each message is one JSON text frame, encoded once
// for everyone it goes to. Live calls the sink with the game's lock held,
// in the order the game happens, so the sink must not block (queue the
// bytes and return) and must not call Live back.
type LiveSink interface {
	// ToPlayers sends msg to every player of the game with a connection
	// registered (see Live.Connect).
	ToPlayers(gameID int64, msg []byte)
	// ToPlayer sends msg to one player's connection(s).
	ToPlayer(gameID, playerID int64, msg []byte)
	// ToHost sends msg to the game's host connection(s).
	ToHost(gameID int64, msg []byte)
	// ToHostLatest sends msg to the host like ToHost, as the newest of
	// what latest names: one not yet written of the same name gives way
	// to it (a question's count of answers).
	ToHostLatest(gameID int64, latest string, msg []byte)
	// Drop closes a player's connections once what is queued for them is
	// sent: the host kicked them.
	Drop(gameID, playerID int64)
}

type discardSink struct{}

func (discardSink) ToPlayers(int64, []byte)            {}
func (discardSink) ToPlayer(int64, int64, []byte)      {}
func (discardSink) ToHost(int64, []byte)               {}
func (discardSink) ToHostLatest(int64, string, []byte) {}
func (discardSink) Drop(int64, int64)                  {}

type sinkBox struct{ LiveSink }

// Live runs live games: it creates them, keeps every game not ended in
// memory, takes joins, answers and host commands, scores, and tells each
// party what it must see through the sink. Every change is stored before
// anyone hears of it, so a restart carries games on (Start).
type Live struct {
	store   LiveStore
	answers LiveAnswerWriter
	clock   Clock
	log     *slog.Logger
	sink    atomic.Pointer[sinkBox]

	mu      sync.Mutex
	takeMu  sync.Mutex // held while a game is taken up (takeUp)
	games   map[int64]*liveGame
	byPIN   map[string]*liveGame
	stopped bool
}

// NewLive returns the live quiz service. answers is the store's batched
// writer for answers; clock is RealClock{} in the server.
func NewLive(store LiveStore, answers LiveAnswerWriter, clock Clock, log *slog.Logger) *Live {
	if log == nil {
		log = slog.Default()
	}
	l := &Live{store: store, answers: answers, clock: clock, log: log,
		games: map[int64]*liveGame{}, byPIN: map[string]*liveGame{}}
	l.sink.Store(&sinkBox{discardSink{}})
	return l
}

// SetSink sets where the games' messages go; until it is called they go
// nowhere. The websocket layer sets it once, before serving.
func (l *Live) SetSink(s LiveSink) {
	if s == nil {
		s = discardSink{}
	}
	l.sink.Store(&sinkBox{s})
}

func (l *Live) out() LiveSink { return l.sink.Load().LiveSink }

// Start takes up every game not ended when the server stopped: a single
// node runs them all. A node of a cluster does not call it; each of its
// games is taken up by the node the load balancer sends its PIN to, when
// the first socket arrives (GameByPIN).
func (l *Live) Start(ctx context.Context) error {
	ids, err := l.store.UnfinishedLiveGames(ctx)
	if err != nil {
		return fmt.Errorf("live: unfinished games: %w", err)
	}
	for _, id := range ids {
		if _, err := l.takeUp(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// takeUpPIN takes up the game not ended that holds pin, unless this node
// holds it already.
func (l *Live) takeUpPIN(ctx context.Context, pin string) (*liveGame, error) {
	id, err := l.store.UnfinishedLiveGame(ctx, pin)
	if err != nil {
		return nil, err
	}
	return l.takeUp(ctx, id)
}

// takeUp loads from the store a game not ended that this node does not
// hold yet: one a server held when it stopped, or, in a cluster, one
// created on another node or whose node died. A question that was open is
// closed as it was: the answers stored before the stop keep their points,
// and those who had not answered get none. Reopening it would give the
// players who saw it the time of the outage to look the answer up, and
// would measure times against an opening nobody saw. The game then waits
// for the host's next command, whatever its auto-advance: the room may not
// be back yet.
func (l *Live) takeUp(ctx context.Context, id int64) (*liveGame, error) {
	l.takeMu.Lock() // one take-up at a time: two sockets of one game do it once
	defer l.takeMu.Unlock()
	if g := l.loaded(id); g != nil {
		return g, nil
	}
	rec, err := l.store.LiveGame(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("live: load game %d: %w", id, err)
	}
	g := newLiveGame(rec)
	g.l = l
	if rec.Game.Phase == PhaseQuestion {
		now := l.clock.Now()
		closedAt := now
		if q := rec.Questions[rec.Game.Index]; !q.Deadline.IsZero() && q.Deadline.Before(now) {
			closedAt = q.Deadline
		}
		if err := l.store.SaveLiveTransition(ctx, LiveTransition{GameID: id, Phase: PhaseReveal,
			Index: rec.Game.Index, At: closedAt}); err != nil {
			return nil, fmt.Errorf("live: close the question open at the stop in game %d: %w", id, err)
		}
		g.mu.Lock()
		g.reveal(closedAt, false)
		g.mu.Unlock()
		l.log.Info("live game taken up: the question open at the stop is closed",
			"game", id, "question", rec.Game.Index)
	}
	l.mu.Lock()
	l.games[id] = g
	l.byPIN[g.game.PIN] = g
	l.mu.Unlock()
	return g, nil
}

// Stop cancels every timer and waits for the changes under way. Games stay
// as stored; the next Start takes them up.
func (l *Live) Stop() {
	l.mu.Lock()
	l.stopped = true
	games := make([]*liveGame, 0, len(l.games))
	for _, g := range l.games {
		games = append(games, g)
	}
	l.mu.Unlock()
	for _, g := range games {
		g.step.Lock()
		g.mu.Lock()
		g.stopTimers()
		g.mu.Unlock()
		g.step.Unlock()
	}
}

func (l *Live) isStopped() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped
}

// newPIN draws six digits from crypto/rand: no PIN says anything about
// another.
func newPIN() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// Create makes a game in the lobby for host from a bank: the questions
// chosen, in their order, or QuestionCount drawn at random from the bank's
// questions in use; each question's options are shuffled.
func (l *Live) Create(ctx context.Context, host User, s LiveSettings) (LiveGame, error) {
	bad := FieldErrors{}
	s.Title = Clean(s.Title)
	checkLen(bad, "title", s.Title, maxLiveTitle)
	if s.SecondsPerQuestion < MinLiveSeconds || s.SecondsPerQuestion > MaxLiveSeconds {
		bad.Add("seconds_per_question", MsgLiveSeconds)
	}
	switch s.PointsMode {
	case "":
		s.PointsMode = PointsSpeed
	case PointsSpeed, PointsAccuracy:
	default:
		bad.Add("points_mode", MsgLivePointsMode)
	}
	if s.PointsMode == PointsAccuracy {
		s.StreakBonus = false // accuracy counts right answers only
	}
	bank, err := l.store.Bank(ctx, s.BankID)
	if ErrorCode(err) == CodeNotFound {
		bad.Add("bank_id", MsgBankNotFound)
		return LiveGame{}, bad.Err()
	}
	if err != nil {
		return LiveGame{}, err
	}
	pool, err := l.store.Pool(ctx, s.BankID)
	if err != nil {
		return LiveGame{}, err
	}
	var drawn []DrawnQuestion
	if len(s.QuestionIDs) > 0 {
		drawn = chosenQuestions(bad, pool, s)
	} else {
		switch {
		case s.QuestionCount < 1 || s.QuestionCount > MaxLiveQuestions:
			bad.Add("question_count", MsgLiveQuestionCount)
		case s.QuestionCount > len(pool.Questions):
			bad.Add("question_count", MsgNotEnoughInBank)
		}
		if err := bad.Err(); err != nil {
			return LiveGame{}, err
		}
		var seed Seed
		_, _ = rand.Read(seed[:])
		drawn, err = Draw(pool.Questions, s.QuestionCount, nil, seed)
		if err != nil {
			return LiveGame{}, err
		}
	}
	if err := bad.Err(); err != nil {
		return LiveGame{}, err
	}
	shown := pool.shown(drawn)
	questions := make([]LiveQuestion, len(shown))
	for i, q := range shown {
		questions[i] = LiveQuestion{Index: i, QuestionID: q.ID, Text: q.Text, Options: q.Options}
	}
	if s.Title == "" {
		s.Title = bank.Name
	}
	g := LiveGame{Title: s.Title, BankID: s.BankID, HostID: host.ID, SecondsPerQuestion: s.SecondsPerQuestion,
		PointsMode: s.PointsMode, StreakBonus: s.StreakBonus, AutoAdvance: s.AutoAdvance,
		QuestionCount: len(questions), Phase: PhaseLobby, Index: -1, CreatedAt: l.clock.Now().UTC()}
	g, err = l.store.CreateLiveGame(ctx, g, questions, newPIN)
	if err != nil {
		return LiveGame{}, err
	}
	rec := LiveRecord{Game: g, Questions: questions}
	lg := newLiveGame(rec)
	lg.l = l
	l.mu.Lock()
	l.games[g.ID] = lg
	l.byPIN[g.PIN] = lg
	l.mu.Unlock()
	return g, nil
}

// chosenQuestions checks the organizer's choice of questions and returns
// them in the order given, each with its options shuffled.
func chosenQuestions(bad FieldErrors, pool Pool, s LiveSettings) []DrawnQuestion {
	if len(s.QuestionIDs) > MaxLiveQuestions {
		bad.Add("question_ids", MsgLiveQuestionCount)
		return nil
	}
	if s.QuestionCount != 0 && s.QuestionCount != len(s.QuestionIDs) {
		bad.Add("question_count", MsgLiveCountMismatch)
	}
	inUse := make(map[int64]PoolQuestion, len(pool.Questions))
	for _, q := range pool.Questions {
		inUse[q.ID] = q
	}
	seen := map[int64]bool{}
	drawn := make([]DrawnQuestion, 0, len(s.QuestionIDs))
	for _, id := range s.QuestionIDs {
		q, ok := inUse[id]
		if !ok {
			bad.Add("question_ids", MsgLiveQuestionIDs)
			continue
		}
		if seen[id] {
			bad.Add("question_ids", MsgLiveRepeated)
			continue
		}
		seen[id] = true
		order := slices.Clone(q.OptionIDs)
		mrand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		drawn = append(drawn, DrawnQuestion{QuestionID: id, OptionOrder: order})
	}
	return drawn
}

// Game returns a game and where it stands: from memory while it runs,
// else as stored.
func (l *Live) Game(ctx context.Context, id int64) (LiveGame, error) {
	if g := l.loaded(id); g != nil {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.view(), nil
	}
	rec, err := l.store.LiveGame(ctx, id)
	if err != nil {
		return LiveGame{}, err
	}
	g := rec.Game
	for _, p := range rec.Players {
		if p.KickedAt == nil {
			g.Players++
		}
	}
	return g, nil
}

// GameByPIN returns the game not ended that players join with pin, taking
// it up from the store when this node does not hold it yet.
func (l *Live) GameByPIN(ctx context.Context, pin string) (LiveGame, error) {
	l.mu.Lock()
	g := l.byPIN[pin]
	l.mu.Unlock()
	if g == nil {
		var err error
		if g, err = l.takeUpPIN(ctx, pin); err != nil {
			return LiveGame{}, err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.view(), nil
}

// Games lists the latest games, newest first.
func (l *Live) Games(ctx context.Context, limit int) ([]LiveGame, error) {
	games, err := l.store.LiveGames(ctx, limit)
	if err != nil {
		return nil, err
	}
	for i, g := range games {
		if lg := l.loaded(g.ID); lg != nil {
			lg.mu.Lock()
			games[i] = lg.view()
			lg.mu.Unlock()
		}
	}
	return games, nil
}

// CanHost reports whether an account may host games: organizers (and
// admins). Organizers share banks and contests, so any of them may take a
// game's host screen, as a colleague takes over a projector.
func CanHost(r Role) bool { return r.Can(RoleOrganizer) }

// loaded returns the game in memory, or nil.
func (l *Live) loaded(id int64) *liveGame {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.games[id]
}

// running returns a game in memory for a command, or not_found.
func (l *Live) running(id int64) (*liveGame, error) {
	g := l.loaded(id)
	if g == nil {
		return nil, NotFound("game")
	}
	return g, nil
}

// forget drops an ended game from memory, and its PIN if no newer game
// has taken it.
func (l *Live) forget(g *liveGame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.games[g.id] == g {
		delete(l.games, g.id)
	}
	if l.byPIN[g.pin] == g {
		delete(l.byPIN, g.pin)
	}
}

// releasePIN lets a new game take an ended game's PIN.
func (l *Live) releasePIN(g *liveGame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byPIN[g.pin] == g {
		delete(l.byPIN, g.pin)
	}
}
