package handlers

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// Leaderboard sizes.
const (
	defaultBoardLimit = 50
	maxBoardLimit     = 1000
	// boardPushGap is the least time between two pushes to one socket:
	// changes in between are coalesced into the next push.
	boardPushGap = 250 * time.Millisecond
)

// boardEntry is one public line: name and unit, never personal numbers.
type boardEntry struct {
	Rank       int    `json:"rank"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	Score      int    `json:"score"`
	Correct    int    `json:"correct"`
	DurationMs int64  `json:"duration_ms"`
}

type boardMsg struct {
	Type    string       `json:"type,omitempty"`
	RoundID int64        `json:"round_id"`
	Total   int          `json:"total"`
	Entries []boardEntry `json:"entries"`
	Me      *boardEntry  `json:"me,omitempty"`
}

type meMsg struct {
	Type string      `json:"type"`
	Me   *boardEntry `json:"me"`
}

func boardEntryOf(e quiz.Entry) boardEntry {
	return boardEntry{e.Rank, e.Name, e.Unit, e.Score, e.Correct, e.DurationMs}
}

func boardMsgOf(roundID int64, st quiz.Standing) boardMsg {
	msg := boardMsg{RoundID: roundID, Total: st.Total, Entries: make([]boardEntry, 0, len(st.Entries))}
	for _, e := range st.Entries {
		msg.Entries = append(msg.Entries, boardEntryOf(e))
	}
	return msg
}

// boardLimit reads ?limit=N.
func boardLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return defaultBoardLimit, nil
	}
	limit, err := strconv.Atoi(raw)
	if err != nil || limit < 1 || limit > maxBoardLimit {
		return 0, &quiz.Error{Code: quiz.CodeValidation, Message: "limit must be 1 to 1000",
			Fields: map[string]string{"limit": quiz.MsgOutOfRange}}
	}
	return limit, nil
}

// publicBoard returns the board of a round the public may see.
func (h *Handler) publicBoard(ctx context.Context, c *fiber.Ctx, roundID int64) (*quiz.Board, error) {
	r, err := h.Catalog.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if !visible(c, r.ContestPublished) {
		return nil, quiz.NotFound("round")
	}
	return h.Engine.Board(ctx, roundID)
}

// boardRequest reads a leaderboard request: the round, ?limit=N, and the
// board of a round the requester may see.
func (h *Handler) boardRequest(c *fiber.Ctx) (int64, int, *quiz.Board, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, 0, nil, err
	}
	limit, err := boardLimit(c)
	if err != nil {
		return 0, 0, nil, err
	}
	board, err := h.publicBoard(c.UserContext(), c, id)
	return id, limit, board, err
}

// boardFor is the board's first limit entries and, for a signed-in
// contestant on it, their own line as "me".
func boardFor(c *fiber.Ctx, roundID int64, limit int, board *quiz.Board) boardMsg {
	msg := boardMsgOf(roundID, board.Top(limit))
	if p := principalOf(c); p != nil {
		if e, ok := board.RankOf(p.UserID); ok {
			me := boardEntryOf(e)
			msg.Me = &me
		}
	}
	return msg
}

// showLeaderboard answers the round's ranking over submitted attempts.
func (h *Handler) showLeaderboard(c *fiber.Ctx) error {
	id, limit, board, err := h.boardRequest(c)
	if err != nil {
		return err
	}
	return c.JSON(boardFor(c, id, limit, board))
}

// boardKey names one encoded view of a board.
type boardKey struct {
	roundID int64
	limit   int
}

type encodedBoard struct {
	board   *quiz.Board // a board dropped and rebuilt restarts its versions
	version uint64
	data    []byte
}

// encodedBoard returns the board's push message, encoded once per version
// and limit however many sockets watch it.
func (h *Handler) encodedBoard(roundID int64, limit int, board *quiz.Board) []byte {
	key := boardKey{roundID, limit}
	version := board.Version()
	if v, ok := h.boardCache.Load(key); ok {
		if eb := v.(*encodedBoard); eb.board == board && eb.version == version {
			return eb.data
		}
	}
	st := board.Top(limit)
	msg := boardMsgOf(roundID, st)
	msg.Type = "leaderboard"
	data, _ := json.Marshal(msg)
	h.boardCache.Store(key, &encodedBoard{board: board, version: st.Version, data: data})
	return data
}

// leaderboardSocket pushes the round's leaderboard whenever it changes, at
// most every boardPushGap; a slow reader gets the newest board when it is
// ready, never a backlog.
func (h *Handler) leaderboardSocket(c *fiber.Ctx) error {
	id, limit, board, err := h.boardRequest(c)
	if err != nil {
		return err
	}
	var userID int64
	if p := principalOf(c); p != nil && (!p.viaCookie || fromThisSite(c)) {
		userID = p.UserID
	}
	return h.upgrade(c, func(ws *websocket.Conn) { h.serveLeaderboard(ws, id, limit, board, userID) })
}

func (h *Handler) serveLeaderboard(ws *websocket.Conn, roundID int64, limit int, board *quiz.Board, userID int64) {
	s, ok := h.open(ws, "leaderboard")
	if !ok {
		return
	}
	defer h.closeSocket(s)

	readerDone := s.drain() // the client sends nothing; this notices a close

	var lastMe *boardEntry
	for {
		changed := board.Changed()
		if err := s.sendRaw(h.encodedBoard(roundID, limit, board)); err != nil {
			return
		}
		if userID != 0 {
			if e, ok := board.RankOf(userID); ok {
				me := boardEntryOf(e)
				if lastMe == nil || *lastMe != me {
					if err := s.send(meMsg{Type: "me", Me: &me}); err != nil {
						return
					}
					lastMe = &me
				}
			}
		}
		select {
		case <-changed:
		case <-readerDone:
			return
		}
		select {
		case <-time.After(boardPushGap):
		case <-readerDone:
			return
		}
	}
}
