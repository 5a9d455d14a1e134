package quiz

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// LiveJoined is a player let into a game. Message is the "joined" message
// to send them on the connection they joined through, before registering
// that connection for the player and calling Connect.
type LiveJoined struct {
	PlayerID int64
	Nickname string
	Token    string
	Message  []byte
}

// NormalizeNickname cleans a nickname as typed (NFC, space trimmed and
// runs of inner space made one) and returns it with its key, the
// case-folded form two players of a game may not share. A nickname is 1
// to MaxNicknameLen characters with none that cannot be shown: control
// characters, invisible formatting (text direction overrides, zero-width
// spaces: they would let two nicknames look alike), private-use
// characters and invalid UTF-8.
func NormalizeNickname(s string) (nickname, key string, err error) {
	bad := func(msg string) (string, string, error) {
		return "", "", &Error{Code: CodeInvalidNickname, Message: "the nickname cannot be used",
			Fields: map[string]string{"nickname": msg}}
	}
	if !utf8.ValidString(s) {
		return bad(MsgNicknameChars)
	}
	for _, r := range s {
		// Line breaks and tabs become spaces in Clean; other controls are
		// refused before they could be hidden by it.
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return bad(MsgNicknameChars)
		}
	}
	nickname = Clean(s)
	if nickname == "" {
		return bad(MsgRequired)
	}
	for _, r := range nickname {
		switch {
		case r == '\u200d': // the joiner inside emoji sequences
		case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Zl, r),
			unicode.Is(unicode.Zp, r), unicode.IsControl(r), r == utf8.RuneError:
			return bad(MsgNicknameChars)
		}
	}
	if utf8.RuneCountInString(nickname) > MaxNicknameLen {
		return bad(MsgTooLong)
	}
	key = norm.NFC.String(cases.Fold().String(nickname))
	return nickname, key, nil
}

// newRejoinToken returns a player's secret (256 random bits, URL-safe
// text) and the hash kept of it.
func newRejoinToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Join lets someone into a game with a nickname: a guest (userID 0) or a
// signed-in contestant. A contestant who is already in the game gets their
// player back, under a new rejoin token (the old one stops working), and
// keeps the nickname they had. Players may join until the game ends.
func (l *Live) Join(ctx context.Context, gameID int64, nickname string, userID int64) (LiveJoined, error) {
	g, err := l.running(gameID)
	if err != nil {
		return LiveJoined{}, err
	}
	nick, key, err := NormalizeNickname(nickname)
	g.mu.Lock()
	if g.phase == PhaseEnded {
		g.mu.Unlock()
		return LiveJoined{}, Errorf(CodeGameEnded, "the game has ended")
	}
	if p := g.byUser[userID]; userID != 0 && p != nil {
		g.mu.Unlock()
		return l.rejoinUser(ctx, g, p)
	}
	if err != nil {
		g.mu.Unlock()
		return LiveJoined{}, err
	}
	if userID != 0 && g.joiners[userID] {
		g.mu.Unlock()
		return LiveJoined{}, Errorf(CodeAlreadyJoined, "this account is joining the game already")
	}
	if g.nicknames[key] {
		g.mu.Unlock()
		return LiveJoined{}, Errorf(CodeNicknameTaken, "the nickname is taken in this game")
	}
	if len(g.players)+g.joining >= MaxLivePlayers {
		g.mu.Unlock()
		return LiveJoined{}, Errorf(CodeGameFull, "the game has %d players, its most", MaxLivePlayers)
	}
	g.nicknames[key] = true // held while the player is stored
	g.joining++
	if userID != 0 {
		g.joiners[userID] = true
	}
	g.mu.Unlock()

	token, hash := newRejoinToken()
	p, err := l.store.AddLivePlayer(ctx, LivePlayer{GameID: gameID, Nickname: nick, NicknameKey: key,
		UserID: userID, TokenHash: hash, JoinedAt: l.clock.Now().UTC()})
	g.mu.Lock()
	defer g.mu.Unlock()
	g.joining--
	delete(g.joiners, userID)
	if err != nil {
		delete(g.nicknames, key)
		return LiveJoined{}, err
	}
	lp := &livePlayer{LivePlayer: p}
	g.addPlayer(lp)
	// Questions that closed while the player was being stored count for
	// them as for everyone who had joined by their closing.
	for _, q := range g.questions {
		if q.Closed() && !q.Skipped && !p.JoinedAt.After(q.ClosedAt) {
			g.settle(lp, nil)
		}
	}
	// Not ranked now: a room of thousands joining would sort itself once
	// a join. The next reveal ranks everyone.
	return LiveJoined{PlayerID: p.ID, Nickname: p.Nickname, Token: token, Message: g.encodeJoined(lp, token)}, nil
}

// rejoinUser gives a signed-in contestant their player back with a new
// token.
func (l *Live) rejoinUser(ctx context.Context, g *liveGame, p *livePlayer) (LiveJoined, error) {
	g.mu.Lock()
	kicked := p.kicked
	g.mu.Unlock()
	if kicked {
		return LiveJoined{}, Errorf(CodePlayerKicked, "the host removed this player from the game")
	}
	token, hash := newRejoinToken()
	if err := l.store.SetLiveToken(ctx, p.ID, hash); err != nil {
		return LiveJoined{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.byToken, p.TokenHash)
	p.TokenHash = hash
	g.byToken[hash] = p
	return LiveJoined{PlayerID: p.ID, Nickname: p.Nickname, Token: token, Message: g.encodeJoined(p, token)}, nil
}

// Rejoin gives a player back their place in a game with the token they
// got when they joined: the same player, the same points. The token is
// the player's secret: nobody can answer for another without it.
func (l *Live) Rejoin(ctx context.Context, gameID int64, token string) (LiveJoined, error) {
	g, err := l.running(gameID)
	if err != nil {
		return LiveJoined{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.byToken[hashToken(token)]
	if p == nil || token == "" {
		return LiveJoined{}, Errorf(CodeInvalidToken, "no player of this game has this token")
	}
	if p.kicked {
		return LiveJoined{}, Errorf(CodePlayerKicked, "the host removed this player from the game")
	}
	return LiveJoined{PlayerID: p.ID, Nickname: p.Nickname, Token: token, Message: g.encodeJoined(p, token)}, nil
}

// Connect tells the game that a connection of the player is registered
// with the sink, and sends that player what the game shows now: the open
// question (with the "ack" when they have answered it), the reveal and
// their result, the leaderboard, or the end. A player counts as connected
// while they have at least one connection.
func (l *Live) Connect(gameID, playerID int64) error {
	g, err := l.running(gameID)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.players[playerID]
	if p == nil {
		return NotFound("player")
	}
	if p.kicked {
		return Errorf(CodePlayerKicked, "the host removed this player from the game")
	}
	p.conns++
	if p.conns == 1 {
		g.connected++
		if g.answers[p.ID] != nil {
			g.connectedAnswered++
		}
		g.sink().ToHost(g.id, g.encodePlayerEvent("player_joined", p))
		p.seen = true
	}
	s, now := g.sink(), l.clock.Now()
	switch g.phase {
	case PhaseQuestion, phaseClosing:
		s.ToPlayer(g.id, p.ID, g.encodeQuestion(now))
		if g.answers[p.ID] != nil {
			s.ToPlayer(g.id, p.ID, encodeJSON(liveAckMsg{Type: "ack", QuestionIndex: g.game.Index}))
		}
	case PhaseReveal:
		s.ToPlayer(g.id, p.ID, g.revealMsg)
		if g.playedLast(p) {
			s.ToPlayer(g.id, p.ID, g.encodeResult(p))
		}
	case PhaseLeaderboard:
		if g.playedLast(p) {
			s.ToPlayer(g.id, p.ID, g.encodeResult(p))
		}
		s.ToPlayer(g.id, p.ID, g.boardMsg)
	case PhaseEnded:
		s.ToPlayer(g.id, p.ID, g.endedMsg)
		s.ToPlayer(g.id, p.ID, g.encodeFinal(p))
	}
	return nil
}

// playedLast reports whether the question last closed counted for p: it
// was not skipped and p had joined by its closing (and so is ranked).
func (g *liveGame) playedLast(p *livePlayer) bool {
	q := g.questions[g.game.Index]
	return !q.Skipped && !p.JoinedAt.After(q.ClosedAt) && p.rank > 0
}

// Disconnect tells the game that one of the player's connections closed.
// When it was their last, the host hears the player left, and the open
// question is revealed if everyone still connected has answered it.
func (l *Live) Disconnect(gameID, playerID int64) {
	g := l.loaded(gameID)
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.players[playerID]
	if p == nil || p.conns == 0 {
		return
	}
	p.conns--
	if p.conns > 0 || p.kicked {
		return
	}
	g.connected--
	if g.answers[p.ID] != nil {
		g.connectedAnswered--
	}
	if g.phase != PhaseEnded {
		g.sink().ToHost(g.id, g.encodePlayerEvent("player_left", p))
	}
	if g.allAnswered() {
		go l.closeIfAllAnswered(g, g.game.Index)
	}
}

// HostConnect sends a host connection, registered with the sink, the game
// as it stands: the lobby message with every player, then what the room
// sees now.
func (l *Live) HostConnect(gameID int64) error {
	g, err := l.running(gameID)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s, now := g.sink(), l.clock.Now()
	s.ToHost(g.id, g.encodeLobby())
	switch g.phase {
	case PhaseQuestion, phaseClosing:
		s.ToHost(g.id, g.encodeQuestion(now))
		g.sendCount(now)
	case PhaseReveal:
		s.ToHost(g.id, g.revealMsg)
	case PhaseLeaderboard:
		s.ToHost(g.id, g.boardMsg)
	case PhaseEnded:
		s.ToHost(g.id, g.endedHostMsg)
	}
	return nil
}

// Answer takes a player's one answer to the open question, final once
// sent, scores it on the server's clock (from the question's opening) and
// stores it through the batched writer. Only once it is stored does the
// player get the "ack" (through the sink, before anything that follows
// it); Answer then returns nil. It is refused, and nothing stored, for a
// question not open (question_not_open), one closed or past its deadline
// (question_closed), a second answer (already_answered), options not of
// the question or several for a single-answer question (invalid_option),
// or a kicked player.
func (l *Live) Answer(ctx context.Context, gameID, playerID int64, index int, optionIDs []int64) error {
	g, err := l.running(gameID)
	if err != nil {
		return err
	}
	g.mu.Lock()
	p := g.players[playerID]
	if p == nil {
		g.mu.Unlock()
		return NotFound("player")
	}
	now := l.clock.Now()
	a, err := g.checkAnswer(p, index, optionIDs, now)
	if err != nil {
		g.mu.Unlock()
		return err
	}
	g.pending[p.ID] = true
	writes := g.writes
	writes.Add(1)
	g.mu.Unlock()

	err = l.answers.SaveLiveAnswer(ctx, a)

	g.mu.Lock()
	delete(g.pending, p.ID)
	closeNow := false
	// The question cannot have closed meanwhile: its reveal waits for
	// writes.
	if err == nil {
		g.answers[p.ID] = &a
		if !p.kicked {
			g.answered++
			if p.conns > 0 {
				g.connectedAnswered++
			}
		}
		g.sink().ToPlayer(g.id, p.ID, encodeJSON(liveAckMsg{Type: "ack", QuestionIndex: index}))
		if g.phase == PhaseQuestion {
			g.countAnswers()
		}
		closeNow = g.allAnswered()
	}
	writes.Done()
	g.mu.Unlock()
	if err != nil {
		return err
	}
	if closeNow {
		go l.closeIfAllAnswered(g, index)
	}
	return nil
}

// checkAnswer returns the answer to store, scored, or why it is refused.
// The caller holds g.mu.
func (g *liveGame) checkAnswer(p *livePlayer, index int, optionIDs []int64, now time.Time) (LiveAnswer, error) {
	switch {
	case p.kicked:
		return LiveAnswer{}, Errorf(CodePlayerKicked, "the host removed this player from the game")
	case g.phase == PhaseEnded:
		return LiveAnswer{}, Errorf(CodeGameEnded, "the game has ended")
	case index < 0 || index >= len(g.questions) || index > g.game.Index || g.phase == PhaseLobby:
		return LiveAnswer{}, Errorf(CodeQuestionNotOpen, "question %d is not open", index)
	case index < g.game.Index || g.phase != PhaseQuestion || !now.Before(g.game.Deadline):
		return LiveAnswer{}, Errorf(CodeQuestionClosed, "question %d is closed", index)
	case g.answers[p.ID] != nil || g.pending[p.ID]:
		return LiveAnswer{}, Errorf(CodeAlreadyAnswered, "question %d has been answered", index)
	}
	q := g.questions[index]
	chosen, err := liveChoice(q, optionIDs)
	if err != nil {
		return LiveAnswer{}, err
	}
	correct := slices.Equal(chosen, q.CorrectIDs())
	taken := now.Sub(q.OpenedAt)
	return LiveAnswer{GameID: g.id, PlayerID: p.ID, Index: index, OptionIDs: chosen, Correct: correct,
		Points:     LivePoints(g.game.PointsMode, correct, taken, g.game.Limit(), p.streak, g.game.StreakBonus),
		TimeMs:     max(taken.Milliseconds(), 0),
		AnsweredAt: now.UTC()}, nil
}

// liveChoice returns the chosen options sorted and without repeats, or
// CodeInvalidOption: none chosen, one not of the question, or several for
// a question with one correct option.
func liveChoice(q LiveQuestion, optionIDs []int64) ([]int64, error) {
	chosen := slices.Clone(optionIDs)
	slices.Sort(chosen)
	chosen = slices.Compact(chosen)
	if len(chosen) == 0 {
		return nil, Errorf(CodeInvalidOption, "choose at least one option")
	}
	for _, id := range chosen {
		if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == id }) {
			return nil, Errorf(CodeInvalidOption, "option %d is not an option of question %d", id, q.Index)
		}
	}
	if len(chosen) > 1 && !q.Multiple() {
		return nil, Errorf(CodeInvalidOption, "question %d takes one option", q.Index)
	}
	return chosen, nil
}
