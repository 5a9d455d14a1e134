package handlers

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/hub"
	"hoithi/quiz"
)

// The live quiz's websocket, /ws/live/{pin}. A connection whose token is an
// organizer's or an admin's is the game's host (the projector); any other
// is a player, a guest or a signed-in account. quiz.Live runs the game and
// says what each party hears through the sink below, which is the hub: a
// game's player sockets follow its "live" topic, its host sockets its
// "live-host" topic, and each player's socket holds the player's key.
//
// Every message the game sends is encoded once, and the hub queues the
// same bytes for each socket that gets it; each socket's own writer
// writes them. A phone that stops reading holds up nobody, and once its
// queue is full it is closed with 1013 (the phone reconnects and rejoins,
// and gets the game as it stands).

// What live sockets follow in the hub, and the one socket a player has.
const (
	topicLive     = "live"      // a game's player sockets
	topicLiveHost = "live-host" // a game's host sockets
	keyLivePlayer = "live-player"
)

// closeKicked closes a player's socket once the host removed them.
const closeKicked = 4003

func liveTopic(gameID int64) hub.Topic     { return hub.Topic{Kind: topicLive, ID: gameID} }
func liveHostTopic(gameID int64) hub.Topic { return hub.Topic{Kind: topicLiveHost, ID: gameID} }

// livePlayerKey names a player's socket; player ids are unique across
// games.
func livePlayerKey(playerID int64) hub.Key { return hub.Key{Kind: keyLivePlayer, ID: playerID} }

// liveSink is the hub as the games' sink: it only queues, never writes, so
// it never blocks the game that calls it with its lock held, and it never
// calls the games back.
type liveSink struct{ sockets *hub.Hub }

// ToPlayers queues msg for every player socket of the game.
func (s liveSink) ToPlayers(gameID int64, msg []byte) {
	s.sockets.Publish(liveTopic(gameID), hub.Message{Data: msg})
}

// ToPlayer queues msg for the player's socket.
func (s liveSink) ToPlayer(_, playerID int64, msg []byte) {
	s.sockets.SendTo(livePlayerKey(playerID), hub.Message{Data: msg})
}

// ToHost queues msg for the game's host sockets.
func (s liveSink) ToHost(gameID int64, msg []byte) {
	s.sockets.Publish(liveHostTopic(gameID), hub.Message{Data: msg})
}

// ToHostLatest queues msg for the game's host sockets as the latest of
// its name: a projector that falls behind gets a question's newest count
// of answers, never a backlog of old ones.
func (s liveSink) ToHostLatest(gameID int64, latest string, msg []byte) {
	s.sockets.Publish(liveHostTopic(gameID), hub.Message{Data: msg, Latest: latest})
}

// Drop closes a removed player's socket once what is queued for it (the
// "kicked" message) is written.
func (s liveSink) Drop(_, playerID int64) {
	s.sockets.StopKey(livePlayerKey(playerID), closeKicked, "removed by the host")
}

// speakLive has the games speak through the hub.
func (h *Handler) speakLive() {
	if h.Live != nil {
		h.Live.SetSink(liveSink{h.sockets})
	}
}

// liveClientMsg is any message a player or a host sends.
type liveClientMsg struct {
	Type          string  `json:"type"`
	Nickname      string  `json:"nickname"`
	Token         string  `json:"token"`
	QuestionIndex *int    `json:"question_index"`
	OptionIDs     []int64 `json:"option_ids"`
	PlayerID      int64   `json:"player_id"`
	On            *bool   `json:"on"`
}

// decodeLiveMessage reads one frame: a JSON text frame with a type.
func decodeLiveMessage(kind int, data []byte) (liveClientMsg, error) {
	var m liveClientMsg
	if kind != websocket.TextMessage {
		return m, quiz.Errorf(quiz.CodeBadMessage, "live messages are JSON text frames")
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, quiz.Errorf(quiz.CodeBadMessage, "not a valid message: %v", err)
	}
	return m, nil
}

func badLiveMessage(format string, args ...any) error {
	return quiz.Errorf(quiz.CodeBadMessage, format, args...)
}

// liveSocket checks the handshake and serves the game of the PIN (or of
// ?game=<id> with its PIN, which also finds a game that has ended, for the
// phones and projectors that reconnect to it): as its host for an
// organizer's or admin's token, else as a player. A browser's socket from
// another site is refused: a page elsewhere must not join its visitors to
// games, nor play for them.
func (h *Handler) liveSocket(c *fiber.Ctx) error {
	g, err := h.liveGameForSocket(c)
	if err != nil {
		return err
	}
	if !fromThisSite(c) {
		return quiz.Errorf(quiz.CodeForbidden, "cross-site websocket refused")
	}
	l := h.lang(c)
	p := principalOf(c)
	if p != nil && quiz.CanHost(p.Role) {
		return h.upgrade(c, "live_host", func(s *hub.Socket) { h.serveLiveHost(s, g.ID, l) })
	}
	var userID int64
	if p != nil {
		userID = p.UserID
	}
	return h.upgrade(c, "live_player", func(s *hub.Socket) { h.serveLivePlayer(s, g.ID, userID, l) })
}

// serveLivePlayer runs one player's socket: the first message joins (a
// nickname) or rejoins (the token the player got); errors leave the
// socket open for another try. Then answers, one at a time: each call
// returns once the answer is stored and acknowledged.
func (h *Handler) serveLivePlayer(s *hub.Socket, gameID, userID int64, l lang) {
	ctx := context.Background()
	var playerID int64
	s.Receive(func(kind int, data []byte) {
		m, err := decodeLiveMessage(kind, data)
		if err == nil {
			if playerID == 0 {
				playerID, err = h.joinLive(ctx, s, gameID, userID, m)
			} else {
				err = h.playLive(ctx, gameID, playerID, m)
			}
		}
		if err != nil {
			s.Send(hub.Message{Data: h.liveErrorMsg(l, err)})
		}
	})
	if playerID != 0 {
		h.Live.Disconnect(gameID, playerID)
	}
}

// joinLive takes a player's first message. On success the socket takes
// the player's key, the player's "joined" goes first on it, then the
// socket takes the game's topic and the game sends what it shows now; a
// broadcast in between is at most repeated.
func (h *Handler) joinLive(ctx context.Context, s *hub.Socket, gameID, userID int64, m liveClientMsg) (int64, error) {
	var j quiz.LiveJoined
	var err error
	switch m.Type {
	case "join":
		j, err = h.Live.Join(ctx, gameID, m.Nickname, userID)
	case "rejoin":
		j, err = h.Live.Rejoin(ctx, gameID, m.Token)
	default:
		return 0, badLiveMessage("join or rejoin first, not %q", m.Type)
	}
	if err != nil {
		return 0, err
	}
	// The key first: a client that has read "joined" holds it, and a
	// socket of the same player opened after that replaces this one.
	s.Claim(livePlayerKey(j.PlayerID)) // an older socket of the player closes with 4001
	s.Send(hub.Message{Data: j.Message})
	s.Subscribe(liveTopic(gameID))
	if err := h.Live.Connect(gameID, j.PlayerID); err != nil {
		s.Unsubscribe(liveTopic(gameID))
		return 0, err
	}
	return j.PlayerID, nil
}

// playLive takes a joined player's message: an answer.
func (h *Handler) playLive(ctx context.Context, gameID, playerID int64, m liveClientMsg) error {
	if m.Type != "answer" {
		return badLiveMessage("a player sends answers, not %q", m.Type)
	}
	if m.QuestionIndex == nil || m.OptionIDs == nil {
		return badLiveMessage("an answer needs question_index and option_ids")
	}
	return h.Live.Answer(ctx, gameID, playerID, *m.QuestionIndex, m.OptionIDs)
}

// serveLiveHost runs a host socket: the game as it stands, then the
// host's commands, each stored before anyone hears of it.
func (h *Handler) serveLiveHost(s *hub.Socket, gameID int64, l lang) {
	s.Subscribe(liveHostTopic(gameID))
	if err := h.Live.HostConnect(gameID); err != nil {
		s.Send(hub.Message{Data: h.liveErrorMsg(l, err)})
		s.Stop(websocket.CloseNormalClosure, "")
	}
	ctx := context.Background()
	s.Receive(func(kind int, data []byte) {
		m, err := decodeLiveMessage(kind, data)
		if err == nil {
			err = h.hostLive(ctx, gameID, m)
		}
		if err != nil {
			s.Send(hub.Message{Data: h.liveErrorMsg(l, err)})
		}
	})
}

// hostLive carries out one host command.
func (h *Handler) hostLive(ctx context.Context, gameID int64, m liveClientMsg) error {
	switch m.Type {
	case "start":
		return h.Live.StartGame(ctx, gameID)
	case "next":
		return h.Live.Next(ctx, gameID)
	case "skip":
		return h.Live.Skip(ctx, gameID)
	case "end":
		return h.Live.End(ctx, gameID)
	case "kick":
		if m.PlayerID == 0 {
			return badLiveMessage("kick needs a player_id")
		}
		return h.Live.Kick(ctx, gameID, m.PlayerID)
	case "auto_advance":
		if m.On == nil {
			return badLiveMessage("auto_advance needs on")
		}
		return h.Live.SetAutoAdvance(ctx, gameID, *m.On)
	}
	return badLiveMessage("unknown host command %q", m.Type)
}
