package quiz

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"
	"time"
)

// liveGame is a game in memory. step serializes the game's moves from one
// phase to another, each stored before it is told (it is held across the
// store's write); mu guards the state and is held while the sink is
// called, so that every party hears the game in the order it happened.
// The lock order is step, then mu, then Live.mu.
type liveGame struct {
	l    *Live
	id   int64
	pin  string
	step sync.Mutex

	mu        sync.Mutex
	game      LiveGame
	phase     string // game.Phase, or phaseClosing
	questions []LiveQuestion
	players   map[int64]*livePlayer
	joined    []*livePlayer // join order
	nicknames map[string]bool
	byToken   map[string]*livePlayer
	byUser    map[int64]*livePlayer
	joining   int            // joins being stored
	joiners   map[int64]bool // accounts whose join is being stored

	// The current question's answers from players, stored ones by player
	// and those being stored; writes counts the latter so that the reveal
	// waits for them.
	answers map[int64]*LiveAnswer
	pending map[int64]bool
	writes  *sync.WaitGroup

	// Counts kept as they change, so that no answer walks every player:
	// players not kicked, those connected, those connected who answered
	// the open question, and every answer to it from players not kicked.
	active            int
	connected         int
	connectedAnswered int
	answered          int

	// gen grows with every move, so that a timer set for an earlier one
	// does nothing.
	gen   int
	timer Timer // the open question's deadline, or the pause before auto-advance

	standings []*livePlayer // players not kicked, ranked at the last reveal or kick

	// Encoded once, sent to every player and to each who reconnects.
	revealMsg, boardMsg, endedMsg, endedHostMsg []byte

	countTimer Timer // the next count of answers to the host
	countSent  time.Time
	dropTimer  Timer
}

// livePlayer is a player with their standing.
type livePlayer struct {
	LivePlayer
	conns  int
	seen   bool // has had a connection before
	kicked bool

	points, correct, streak int
	timeMs                  int64
	rank                    int
}

// newLiveGame builds a game from what is stored: the players' points,
// right answers, streaks and times are summed again from their answers to
// the questions closed, exactly as the reveals summed them.
func newLiveGame(rec LiveRecord) *liveGame {
	g := &liveGame{id: rec.Game.ID, pin: rec.Game.PIN, game: rec.Game, phase: rec.Game.Phase,
		questions: rec.Questions, players: map[int64]*livePlayer{}, nicknames: map[string]bool{},
		byToken: map[string]*livePlayer{}, byUser: map[int64]*livePlayer{}, joiners: map[int64]bool{},
		answers: map[int64]*LiveAnswer{}, pending: map[int64]bool{}, writes: &sync.WaitGroup{}}
	g.game.Players, g.game.Connected = 0, 0
	for _, p := range rec.Players {
		lp := &livePlayer{LivePlayer: p, kicked: p.KickedAt != nil}
		g.addPlayer(lp)
	}
	byQuestion := make([]map[int64]*LiveAnswer, len(rec.Questions))
	for i := range rec.Answers {
		a := &rec.Answers[i]
		if a.Index < 0 || a.Index >= len(byQuestion) {
			continue
		}
		if byQuestion[a.Index] == nil {
			byQuestion[a.Index] = map[int64]*LiveAnswer{}
		}
		byQuestion[a.Index][a.PlayerID] = a
	}
	for i, q := range g.questions {
		if !q.Closed() || q.Skipped {
			continue
		}
		for _, p := range g.joined {
			if !p.JoinedAt.After(q.ClosedAt) {
				g.settle(p, byQuestion[i][p.ID])
			}
		}
	}
	if g.game.Index >= 0 && byQuestion[g.game.Index] != nil {
		g.answers = byQuestion[g.game.Index]
		for _, a := range g.answers {
			if p := g.players[a.PlayerID]; p != nil && !p.kicked {
				g.answered++
			}
		}
	}
	g.rank()
	switch g.phase {
	case PhaseReveal, PhaseLeaderboard:
		g.revealMsg = g.encodeReveal()
		g.boardMsg = g.encodeBoard()
	case PhaseEnded:
		g.endedMsg, g.endedHostMsg = g.encodeEnded()
	}
	return g
}

// addPlayer puts a player in the game's indexes.
func (g *liveGame) addPlayer(p *livePlayer) {
	g.players[p.ID] = p
	g.joined = append(g.joined, p)
	// Joins stored in one batch may come back in any order: the player
	// moves back to their place, a few steps at most.
	for i := len(g.joined) - 1; i > 0 && g.joined[i-1].Seq > p.Seq; i-- {
		g.joined[i-1], g.joined[i] = g.joined[i], g.joined[i-1]
	}
	g.nicknames[p.NicknameKey] = true
	g.byToken[p.TokenHash] = p
	if p.UserID != 0 {
		g.byUser[p.UserID] = p
	}
	if !p.kicked {
		g.active++
	}
}

// settle adds a closed question to a player's standing: a right answer
// its points, one more right answer and one more in the streak; anything
// else ends the streak. The time counts the answer's time, or the whole
// question's for a player who did not answer (so that not answering never
// wins a tie). Only questions closed after the player joined count.
func (g *liveGame) settle(p *livePlayer, a *LiveAnswer) {
	if a != nil && a.Correct {
		p.points += a.Points
		p.correct++
		p.streak++
	} else {
		p.streak = 0
	}
	if a != nil {
		p.timeMs += a.TimeMs
	} else {
		p.timeMs += g.game.Limit().Milliseconds()
	}
}

// rank orders the players not kicked: more points, then more right
// answers, then less time answering, then the earlier join.
func (g *liveGame) rank() {
	g.standings = g.standings[:0]
	for _, p := range g.joined {
		if !p.kicked {
			g.standings = append(g.standings, p)
		}
	}
	slices.SortFunc(g.standings, compareLivePlayers)
	for i, p := range g.standings {
		p.rank = i + 1
	}
}

func compareLivePlayers(a, b *livePlayer) int {
	if c := cmp.Compare(b.points, a.points); c != 0 {
		return c
	}
	if c := cmp.Compare(b.correct, a.correct); c != 0 {
		return c
	}
	if c := cmp.Compare(a.timeMs, b.timeMs); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// view is the game as callers see it. The caller holds g.mu.
func (g *liveGame) view() LiveGame {
	v := g.game
	v.Phase = g.phase
	if v.Phase == phaseClosing {
		v.Phase = PhaseQuestion
	}
	v.Players, v.Connected = g.active, g.connected
	return v
}

func (g *liveGame) sink() LiveSink { return g.l.out() }

// broadcast sends msg to every player and to the host.
func (g *liveGame) broadcast(msg []byte) {
	s := g.sink()
	s.ToPlayers(g.id, msg)
	s.ToHost(g.id, msg)
}

// setTimer runs f after d unless the game moves on first. The caller holds
// g.mu.
func (g *liveGame) setTimer(d time.Duration, f func()) {
	if g.timer != nil {
		g.timer.Stop()
	}
	g.timer = g.l.clock.AfterFunc(d, f)
}

func (g *liveGame) stopTimers() {
	for _, t := range []Timer{g.timer, g.countTimer, g.dropTimer} {
		if t != nil {
			t.Stop()
		}
	}
	g.timer, g.countTimer = nil, nil
}

// openQuestion shows question index from now until deadline. The caller
// holds g.mu and has stored the move.
func (g *liveGame) openQuestion(index int, now, deadline time.Time) {
	q := &g.questions[index]
	q.OpenedAt, q.Deadline = now, deadline
	g.game.Index, g.game.Phase, g.phase, g.game.Deadline = index, PhaseQuestion, PhaseQuestion, deadline
	if g.game.StartedAt == nil {
		started := now
		g.game.StartedAt = &started
	}
	g.answers, g.pending, g.writes = map[int64]*LiveAnswer{}, map[int64]bool{}, &sync.WaitGroup{}
	g.connectedAnswered, g.answered = 0, 0
	g.revealMsg, g.boardMsg = nil, nil
	if g.countTimer != nil {
		g.countTimer.Stop()
		g.countTimer = nil
	}
	g.countSent = time.Time{}
	g.gen++
	gen := g.gen
	g.setTimer(deadline.Sub(now), func() { g.l.deadlinePassed(g, gen) })
	g.broadcast(g.encodeQuestion(now))
}

// reveal closes the current question at closedAt: unless it was skipped,
// its answers count, the players are ranked, and everyone hears the right
// options, the counts, and (each player) their own result. The caller
// holds g.mu and has stored the move.
func (g *liveGame) reveal(closedAt time.Time, skipped bool) {
	q := &g.questions[g.game.Index]
	q.ClosedAt, q.Skipped = closedAt, skipped
	g.game.Phase, g.phase, g.game.Deadline = PhaseReveal, PhaseReveal, time.Time{}
	g.gen++
	if g.timer != nil {
		g.timer.Stop()
	}
	if skipped {
		g.revealMsg = encodeJSON(liveIndexMsg{Type: "skipped", Index: q.Index})
		g.broadcast(g.revealMsg)
		g.boardMsg = g.encodeBoard()
		return
	}
	for _, p := range g.joined {
		if !p.JoinedAt.After(closedAt) {
			g.settle(p, g.answers[p.ID])
		}
	}
	g.rank()
	g.revealMsg = g.encodeReveal()
	g.boardMsg = g.encodeBoard()
	g.broadcast(g.revealMsg)
	s := g.sink()
	for _, p := range g.standings {
		if p.conns > 0 {
			s.ToPlayer(g.id, p.ID, g.encodeResult(p))
		}
	}
}

// showBoard moves from the reveal to the leaderboard. The caller holds
// g.mu and has stored the move.
func (g *liveGame) showBoard() {
	g.game.Phase, g.phase = PhaseLeaderboard, PhaseLeaderboard
	g.gen++
	g.broadcast(g.boardMsg)
}

// finish ends the game. The caller holds g.mu and has stored the move.
func (g *liveGame) finish(at time.Time) {
	ended := at
	g.game.Phase, g.phase, g.game.EndedAt, g.game.Deadline = PhaseEnded, PhaseEnded, &ended, time.Time{}
	g.gen++
	g.stopTimers()
	g.rank()
	g.endedMsg, g.endedHostMsg = g.encodeEnded()
	s := g.sink()
	s.ToPlayers(g.id, g.endedMsg)
	s.ToHost(g.id, g.endedHostMsg)
	for _, p := range g.standings {
		if p.conns > 0 {
			s.ToPlayer(g.id, p.ID, g.encodeFinal(p))
		}
	}
}

// autoAdvanceLater moves the game on after pause when it advances by
// itself. The caller holds g.mu.
func (g *liveGame) autoAdvanceLater(pause time.Duration) {
	if !g.game.AutoAdvance {
		return
	}
	gen := g.gen
	g.setTimer(pause, func() { g.l.autoAdvance(g, gen) })
}

// allAnswered reports whether every connected player not kicked has
// answered the open question, with at least one connected: a room whose
// phones all dropped waits for the deadline rather than revealing to
// nobody.
func (g *liveGame) allAnswered() bool {
	return g.phase == PhaseQuestion && g.connected > 0 && g.connectedAnswered >= g.connected
}

// countAnswers tells the host how many have answered, at most once every
// LiveCountEvery: the first answer at once, the rest gathered. The caller
// holds g.mu.
func (g *liveGame) countAnswers() {
	if g.countTimer != nil {
		return // a count is on its way
	}
	now := g.l.clock.Now()
	wait := g.countSent.Add(LiveCountEvery).Sub(now)
	if wait <= 0 {
		g.sendCount(now)
		return
	}
	gen := g.gen
	g.countTimer = g.l.clock.AfterFunc(wait, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.countTimer = nil
		if g.gen == gen && g.phase == PhaseQuestion {
			g.sendCount(g.l.clock.Now())
		}
	})
}

func (g *liveGame) sendCount(now time.Time) {
	g.countSent = now
	g.sink().ToHostLatest(g.id, "answers "+strconv.Itoa(g.game.Index), encodeJSON(liveCountMsg{Type: "answers",
		Index: g.game.Index, Answered: g.answered, Connected: g.connected, Players: g.active}))
}

// The moves. Each takes g.step, stores the move, then tells it.

// move runs f on a running game with its step taken.
func (l *Live) move(gameID int64, f func(g *liveGame) error) error {
	g, err := l.running(gameID)
	if err != nil {
		return err
	}
	g.step.Lock()
	defer g.step.Unlock()
	return f(g)
}

// StartGame opens the first question of a game in the lobby.
func (l *Live) StartGame(ctx context.Context, gameID int64) error {
	return l.move(gameID, func(g *liveGame) error {
		g.mu.Lock()
		phase := g.phase
		g.mu.Unlock()
		if phase != PhaseLobby {
			return g.wrongState("start")
		}
		return l.open(ctx, g, 0)
	})
}

// Next moves the game on by one step: an open question is closed now (its
// answers count), a reveal gives way to the leaderboard, the leaderboard to
// the next question, or after the last one to the end.
func (l *Live) Next(ctx context.Context, gameID int64) error {
	return l.move(gameID, func(g *liveGame) error {
		return l.next(ctx, g)
	})
}

func (l *Live) next(ctx context.Context, g *liveGame) error {
	g.mu.Lock()
	phase, index, count := g.phase, g.game.Index, len(g.questions)
	g.mu.Unlock()
	switch phase {
	case PhaseQuestion, phaseClosing:
		return l.close(ctx, g, index, false)
	case PhaseReveal:
		if err := l.store.SaveLiveTransition(ctx, LiveTransition{GameID: g.id, Phase: PhaseLeaderboard,
			Index: index, At: l.clock.Now()}); err != nil {
			return err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.showBoard()
		g.autoAdvanceLater(LiveLeaderboardPause)
		return nil
	case PhaseLeaderboard:
		if index+1 < count {
			return l.open(ctx, g, index+1)
		}
		return l.end(ctx, g)
	case PhaseEnded:
		return Errorf(CodeGameEnded, "the game has ended")
	}
	return g.wrongState("next")
}

// Skip closes the open question with no points for anyone and moves on to
// the next question (or, after the last, ends the game): for a question
// found wrong while it is shown.
func (l *Live) Skip(ctx context.Context, gameID int64) error {
	return l.move(gameID, func(g *liveGame) error {
		g.mu.Lock()
		phase, index, count := g.phase, g.game.Index, len(g.questions)
		g.mu.Unlock()
		if phase != PhaseQuestion && phase != phaseClosing {
			return g.wrongState("skip")
		}
		if err := l.close(ctx, g, index, true); err != nil {
			return err
		}
		if index+1 < count {
			return l.open(ctx, g, index+1)
		}
		return l.end(ctx, g)
	})
}

// End ends the game at once; an open question is closed first, its
// answers counting.
func (l *Live) End(ctx context.Context, gameID int64) error {
	return l.move(gameID, func(g *liveGame) error {
		g.mu.Lock()
		phase, index := g.phase, g.game.Index
		g.mu.Unlock()
		switch phase {
		case PhaseEnded:
			return Errorf(CodeGameEnded, "the game has ended")
		case PhaseQuestion, phaseClosing:
			if err := l.close(ctx, g, index, false); err != nil {
				return err
			}
		}
		return l.end(ctx, g)
	})
}

// SetAutoAdvance turns auto-advance on or off: on, the leaderboard follows
// a reveal after LiveRevealPause and the next question the leaderboard
// after LiveLeaderboardPause, with no command from the host.
func (l *Live) SetAutoAdvance(ctx context.Context, gameID int64, on bool) error {
	return l.move(gameID, func(g *liveGame) error {
		if err := l.store.SetLiveAutoAdvance(ctx, gameID, on); err != nil {
			return err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.game.AutoAdvance = on
		g.sink().ToHost(g.id, encodeJSON(liveAutoMsg{Type: "auto_advance", On: on}))
		switch g.phase {
		case PhaseReveal:
			if on {
				g.autoAdvanceLater(LiveRevealPause)
			} else if g.timer != nil {
				g.timer.Stop()
			}
		case PhaseLeaderboard:
			if on {
				g.autoAdvanceLater(LiveLeaderboardPause)
			} else if g.timer != nil {
				g.timer.Stop()
			}
		}
		return nil
	})
}

// Kick removes a player from the game: their connections are closed, they
// cannot rejoin, and they leave the leaderboards and results. Their
// nickname stays taken.
func (l *Live) Kick(ctx context.Context, gameID, playerID int64) error {
	return l.move(gameID, func(g *liveGame) error {
		g.mu.Lock()
		p := g.players[playerID]
		phase := g.phase
		g.mu.Unlock()
		if p == nil {
			return NotFound("player")
		}
		if phase == PhaseEnded {
			return Errorf(CodeGameEnded, "the game has ended")
		}
		now := l.clock.Now()
		if err := l.store.KickLivePlayer(ctx, playerID, now); err != nil {
			return err
		}
		g.mu.Lock()
		if !p.kicked {
			p.kicked = true
			kickedAt := now
			p.KickedAt = &kickedAt
			g.active--
			answered := g.answers[p.ID] != nil
			if answered {
				g.answered--
			}
			if p.conns > 0 {
				g.connected--
				if answered {
					g.connectedAnswered--
				}
			}
			g.rank()
			if g.phase == PhaseReveal || g.phase == PhaseLeaderboard {
				g.boardMsg = g.encodeBoard()
			}
			s := g.sink()
			s.ToPlayer(g.id, p.ID, encodeJSON(liveTypeMsg{Type: "kicked"}))
			s.Drop(g.id, p.ID)
			s.ToHost(g.id, g.encodePlayerEvent("player_kicked", p))
		}
		closeNow, index := g.allAnswered(), g.game.Index
		g.mu.Unlock()
		if closeNow {
			return l.close(ctx, g, index, false)
		}
		return nil
	})
}

// open stores and shows question index. The caller holds g.step.
func (l *Live) open(ctx context.Context, g *liveGame, index int) error {
	now := l.clock.Now()
	deadline := now.Add(g.game.Limit())
	if err := l.store.SaveLiveTransition(ctx, LiveTransition{GameID: g.id, Phase: PhaseQuestion, Index: index,
		At: now, Deadline: deadline}); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.openQuestion(index, now, deadline)
	return nil
}

// close ends question index: it takes no more answers, waits for the
// answers being stored, stores the reveal and tells it. A failed store
// leaves the question closing: the host's next command tries again. The
// caller holds g.step.
func (l *Live) close(ctx context.Context, g *liveGame, index int, skipped bool) error {
	g.mu.Lock()
	if g.game.Index != index || (g.phase != PhaseQuestion && g.phase != phaseClosing) {
		g.mu.Unlock()
		return g.wrongState("close")
	}
	g.phase = phaseClosing
	g.gen++
	if g.timer != nil {
		g.timer.Stop()
	}
	writes := g.writes
	g.mu.Unlock()
	writes.Wait()
	at := l.clock.Now()
	if err := l.store.SaveLiveTransition(ctx, LiveTransition{GameID: g.id, Phase: PhaseReveal, Index: index,
		At: at, Skipped: skipped}); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reveal(at, skipped)
	if !skipped {
		g.autoAdvanceLater(LiveRevealPause)
	}
	return nil
}

// end stores and tells the end of the game. The caller holds g.step.
func (l *Live) end(ctx context.Context, g *liveGame) error {
	now := l.clock.Now()
	if err := l.store.SaveLiveTransition(ctx, LiveTransition{GameID: g.id, Phase: PhaseEnded,
		Index: g.index(), At: now}); err != nil {
		return err
	}
	g.mu.Lock()
	g.finish(now)
	g.dropTimer = l.clock.AfterFunc(liveEndedKept, func() { l.forget(g) })
	g.mu.Unlock()
	l.releasePIN(g)
	return nil
}

func (g *liveGame) index() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.game.Index
}

// deadlinePassed closes the question whose deadline has come, unless the
// game has moved on since the timer was set.
func (l *Live) deadlinePassed(g *liveGame, gen int) {
	g.step.Lock()
	defer g.step.Unlock()
	g.mu.Lock()
	current, index := g.gen == gen && g.phase == PhaseQuestion, g.game.Index
	g.mu.Unlock()
	if !current || l.isStopped() {
		return
	}
	if err := l.close(context.Background(), g, index, false); err != nil {
		l.log.Error("live: closing a question at its deadline", "game", g.id, "question", index, "err", err)
	}
}

// autoAdvance takes the step a game that advances by itself takes after a
// pause, unless it has moved on since.
func (l *Live) autoAdvance(g *liveGame, gen int) {
	g.step.Lock()
	defer g.step.Unlock()
	g.mu.Lock()
	current := g.gen == gen && g.game.AutoAdvance && (g.phase == PhaseReveal || g.phase == PhaseLeaderboard)
	g.mu.Unlock()
	if !current || l.isStopped() {
		return
	}
	if err := l.next(context.Background(), g); err != nil {
		l.log.Error("live: auto-advance", "game", g.id, "err", err)
	}
}

// closeIfAllAnswered reveals question index early once every connected
// player has answered it.
func (l *Live) closeIfAllAnswered(g *liveGame, index int) {
	g.step.Lock()
	defer g.step.Unlock()
	g.mu.Lock()
	ready := g.game.Index == index && g.allAnswered()
	g.mu.Unlock()
	if !ready || l.isStopped() {
		return
	}
	if err := l.close(context.Background(), g, index, false); err != nil {
		l.log.Error("live: early reveal", "game", g.id, "question", index, "err", err)
	}
}

func (g *liveGame) wrongState(command string) error {
	g.mu.Lock()
	phase := g.phase
	g.mu.Unlock()
	if phase == PhaseEnded {
		return Errorf(CodeGameEnded, "the game has ended")
	}
	return Errorf(CodeWrongGameState, "%s is not possible while the game is in its %s phase", command, phase)
}
