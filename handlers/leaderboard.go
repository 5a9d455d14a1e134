package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/hub"
	"hoithi/quiz"
)

// Leaderboard sizes: ?limit=N is rounded up to the next of boardSizes, so
// that however many distinct values clients send, a round's board is
// encoded at most once per size on each change.
var boardSizes = [...]int{10, 20, 50, 100, 200, 500, 1000}

const (
	defaultBoardLimit = 50
	maxBoardLimit     = 1000
	// boardPushGap is the least time between two pushes to one socket:
	// changes in between are coalesced into the next push.
	boardPushGap = 250 * time.Millisecond
)

// boardEntry is one public line: name and unit, never personal numbers.
type boardEntry struct {
	// Rank is null only in a contestant's own line ("me") while the round's
	// prediction keeps ranks beyond the public top secret.
	Rank       *int   `json:"rank"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	Score      int    `json:"score"`
	Correct    int    `json:"correct"`
	DurationMs int64  `json:"duration_ms"`
}

type boardMsg struct {
	Type    string       `json:"type,omitempty"`
	RoundID int64        `json:"round_id"`
	Total   *int         `json:"total"` // null while the round asks a prediction and is open
	Entries []boardEntry `json:"entries"`
	Me      *boardEntry  `json:"me,omitempty"`
}

type meMsg struct {
	Type string      `json:"type"`
	Me   *boardEntry `json:"me"`
}

func boardEntryOf(e quiz.Entry) boardEntry {
	return boardEntry{Rank: rankOrNull(e.Rank), Name: e.Name, Unit: e.Unit, Score: e.Score, Correct: e.Correct,
		DurationMs: e.DurationMs}
}

// rankOrNull is a rank as JSON writes it: null for 0, which is a rank not
// given (none yet, or hidden while a prediction round is open).
func rankOrNull(rank int) *int {
	if rank <= 0 {
		return nil
	}
	return &rank
}

// boardMsgOf shapes a standing; a guarded one (a prediction round still
// open) has no total unless staff read it.
func boardMsgOf(roundID int64, st quiz.Standing, staff bool) boardMsg {
	msg := boardMsg{RoundID: roundID, Entries: make([]boardEntry, 0, len(st.Entries))}
	if !st.Guarded || staff {
		total := st.Total
		msg.Total = &total
	}
	for _, e := range st.Entries {
		msg.Entries = append(msg.Entries, boardEntryOf(e))
	}
	return msg
}

// boardLimit reads ?limit=N and rounds it up to one of boardSizes.
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
	return boardSize(limit), nil
}

// boardSize is the smallest of boardSizes that holds limit entries.
func boardSize(limit int) int {
	for _, size := range boardSizes {
		if limit <= size {
			return size
		}
	}
	return boardSizes[len(boardSizes)-1]
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

// boardReader is who reads a leaderboard: staff see the whole board at any
// time; anyone else sees a prediction round's board guarded until it closes.
type boardReader struct {
	userID int64 // 0 for anonymous readers
	staff  bool
}

// boardReaderOf names the requester (a session cookie another site sent
// has already been set aside by authenticate).
func boardReaderOf(c *fiber.Ctx) boardReader {
	p := principalOf(c)
	if p == nil {
		return boardReader{}
	}
	return boardReader{userID: p.UserID, staff: p.Role.Staff()}
}

// standing is what the reader may see of the board's first size entries.
func (r boardReader) standing(board *quiz.Board, size int) quiz.Standing {
	if r.staff {
		return board.Top(size)
	}
	return board.PublicTop(size)
}

// me is the reader's own line, rank hidden as Board.OwnEntry says.
func (r boardReader) me(board *quiz.Board) (quiz.Entry, bool) {
	if r.userID == 0 {
		return quiz.Entry{}, false
	}
	if r.staff {
		return board.RankOf(r.userID)
	}
	return board.OwnEntry(r.userID)
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

// boardFor is what the reader may see of the board's first size entries
// and, for a contestant on it, their own line as "me".
func boardFor(reader boardReader, roundID int64, size int, board *quiz.Board) boardMsg {
	msg := boardMsgOf(roundID, reader.standing(board, size), reader.staff)
	if e, ok := reader.me(board); ok {
		me := boardEntryOf(e)
		msg.Me = &me
	}
	return msg
}

// showLeaderboard answers the round's ranking over submitted attempts.
func (h *Handler) showLeaderboard(c *fiber.Ctx) error {
	id, size, board, err := h.boardRequest(c)
	if err != nil {
		return err
	}
	return c.JSON(boardFor(boardReaderOf(c), id, size, board))
}

// boardCache holds the boards of the rounds that sockets watch, each
// encoded once per view and version however many sockets share it. A round
// has entries only while a socket watches it, and at most one per view, so
// the cache is as small as the set of watched rounds whatever clients ask.
type boardCache struct {
	mu     sync.Mutex
	rounds map[int64]*watchedBoard
}

// watchedBoard is one round's encodings and how many sockets watch it.
type watchedBoard struct {
	watchers int // under boardCache.mu
	mu       sync.Mutex
	views    map[boardView]*encodedBoard
}

// boardView is one way a board is shown: its size, and whether it is the
// whole board staff read while the public sees it guarded.
type boardView struct {
	size  int
	staff bool
}

type encodedBoard struct {
	board   *quiz.Board // a board dropped and rebuilt restarts its versions
	version uint64
	data    []byte
}

// watch registers a socket on a round; the caller calls unwatch when it
// closes.
func (bc *boardCache) watch(roundID int64) *watchedBoard {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.rounds == nil {
		bc.rounds = map[int64]*watchedBoard{}
	}
	wb := bc.rounds[roundID]
	if wb == nil {
		wb = &watchedBoard{views: map[boardView]*encodedBoard{}}
		bc.rounds[roundID] = wb
	}
	wb.watchers++
	return wb
}

// unwatch drops a round's encodings when its last socket closes.
func (bc *boardCache) unwatch(roundID int64) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if wb := bc.rounds[roundID]; wb != nil {
		wb.watchers--
		if wb.watchers <= 0 {
			delete(bc.rounds, roundID)
		}
	}
}

// entries counts the encodings held, for tests.
func (bc *boardCache) entries() int {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	n := 0
	for _, wb := range bc.rounds {
		wb.mu.Lock()
		n += len(wb.views)
		wb.mu.Unlock()
	}
	return n
}

// encoded returns the board's push message for the view, encoded once per
// version. A version that shows the view as the last one did gets the last
// one's bytes back, the same slice, which the hub does not send again to a
// socket that has it (hub.Message.Latest).
func (wb *watchedBoard) encoded(roundID int64, view boardView, board *quiz.Board) []byte {
	version := board.Version()
	wb.mu.Lock()
	eb := wb.views[view]
	wb.mu.Unlock()
	if eb != nil && eb.board == board && eb.version == version {
		return eb.data
	}
	reader := boardReader{staff: view.staff}
	st := reader.standing(board, view.size)
	msg := boardMsgOf(roundID, st, view.staff)
	msg.Type = "leaderboard"
	data, _ := json.Marshal(msg)
	if eb != nil && eb.board == board && bytes.Equal(eb.data, data) {
		data = eb.data
	}
	wb.mu.Lock()
	wb.views[view] = &encodedBoard{board: board, version: st.Version, data: data}
	wb.mu.Unlock()
	return data
}

// boardFeeds pushes the leaderboards of the rounds that sockets watch. The
// hub tells it when a round's first board topic is followed and when its
// last is left; in between, one goroutine per round waits for the board
// to change, publishes each view that is followed, encoded once, and then
// rests boardPushGap: changes in between are coalesced into the next
// push, and a slow reader gets the newest board when it is ready, never a
// backlog. When the domain announces a change that makes a watched board
// out of date (hear), the feed takes the engine's board anew.
type boardFeeds struct {
	hub   *hub.Hub
	cache boardCache
	load  func(ctx context.Context, roundID int64) (*quiz.Board, error) // the engine's board of a round

	mu     sync.Mutex
	rounds map[int64]*boardFeed
}

// boardFeed is one watched round's.
type boardFeed struct {
	roundID   int64
	topics    int // the round's board topics followed, under boardFeeds.mu
	encodings *watchedBoard
	stop      chan struct{}
	nudge     chan struct{} // there is a board to follow, or a newer one
	stale     chan struct{} // the engine may have built the board anew

	// mu makes one push at a time, so that a socket's first board and the
	// feed's pushes reach it in order.
	mu    sync.Mutex
	board *quiz.Board
	own   map[*hub.Socket]*ownLine // the signed-in readers
}

// ownLine is a signed-in reader and the line of theirs they last got.
type ownLine struct {
	reader boardReader
	last   *quiz.Entry
}

func newBoardFeeds(sockets *hub.Hub, load func(ctx context.Context, roundID int64) (*quiz.Board, error)) *boardFeeds {
	f := &boardFeeds{hub: sockets, load: load, rounds: map[int64]*boardFeed{}}
	sockets.Watch(topicBoard, f.watched)
	sockets.Watch(topicStaffBoard, f.watched)
	return f
}

// boardTopic is what a socket reading size entries of a round's board
// follows, staff apart from the public.
func boardTopic(roundID int64, size int, staff bool) hub.Topic {
	if staff {
		return hub.Topic{Kind: topicStaffBoard, ID: roundID, View: size}
	}
	return hub.Topic{Kind: topicBoard, ID: roundID, View: size}
}

// watched starts a round's feed when the first of its board topics is
// followed and stops it when the last is left; the hub calls it.
func (f *boardFeeds) watched(t hub.Topic, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	feed := f.rounds[t.ID]
	if on {
		if feed == nil {
			feed = &boardFeed{roundID: t.ID, encodings: f.cache.watch(t.ID), stop: make(chan struct{}),
				nudge: make(chan struct{}, 1), stale: make(chan struct{}, 1), own: map[*hub.Socket]*ownLine{}}
			f.rounds[t.ID] = feed
			go f.run(feed)
		}
		feed.topics++
		return
	}
	if feed == nil {
		return
	}
	if feed.topics--; feed.topics == 0 {
		close(feed.stop)
		delete(f.rounds, t.ID)
		f.cache.unwatch(t.ID)
	}
}

// join has s follow the round's board as reader sees size entries of it
// and sends the board at once, with the reader's own line.
func (f *boardFeeds) join(s *hub.Socket, roundID int64, size int, board *quiz.Board, reader boardReader) {
	s.Subscribe(boardTopic(roundID, size, reader.staff))
	f.mu.Lock()
	feed := f.rounds[roundID]
	f.mu.Unlock()

	feed.mu.Lock()
	defer feed.mu.Unlock()
	if feed.board != board { // the first socket's, or one the engine built again
		feed.board = board
		select {
		case feed.nudge <- struct{}{}:
		default:
		}
	}
	s.Send(feed.boardMessage(size, reader.staff))
	if reader.userID != 0 {
		line := &ownLine{reader: reader}
		feed.own[s] = line
		feed.sendOwnLine(s, line)
	}
}

// leave forgets a closing socket's reader.
func (f *boardFeeds) leave(s *hub.Socket, roundID int64) {
	f.mu.Lock()
	feed := f.rounds[roundID]
	f.mu.Unlock()
	if feed != nil {
		feed.mu.Lock()
		delete(feed.own, s)
		feed.mu.Unlock()
	}
}

// run pushes the round's board on every change, at most every
// boardPushGap, until the round's last socket closes.
func (f *boardFeeds) run(feed *boardFeed) {
	for {
		var changed <-chan struct{}
		feed.mu.Lock()
		if feed.board != nil {
			changed = feed.board.Changed()
			f.push(feed)
		}
		feed.mu.Unlock()
		select {
		case <-changed:
		case <-feed.nudge:
		case <-feed.stale:
			f.reload(feed)
		case <-feed.stop:
			return
		}
		select {
		case <-time.After(boardPushGap):
		case <-feed.stop:
			return
		}
	}
}

// hear marks the feeds whose board an event may have made out of date: the
// round's own for a round edited or a board moved (on another node, in a
// cluster), every feed for an account changed or deleted or for events
// another node sent that may have been lost. The engine,
// which subscribed first, has dropped what it had to by then.
func (f *boardFeeds) hear(ev quiz.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev.Kind {
	case quiz.RoundChanged, quiz.BoardMoved:
		if feed := f.rounds[ev.RoundID]; feed != nil {
			markStale(feed)
		}
	case quiz.AccountChanged, quiz.AccountDeleted, quiz.EventsMissed:
		for _, feed := range f.rounds {
			markStale(feed)
		}
	}
}

func markStale(feed *boardFeed) {
	select {
	case feed.stale <- struct{}{}:
	default: // already marked
	}
}

// reload takes the engine's board of the feed's round, which is the one
// it follows unless the engine built it anew.
func (f *boardFeeds) reload(feed *boardFeed) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	board, err := f.load(ctx, feed.roundID)
	if err != nil {
		return // the board followed stays; the next event tries again
	}
	feed.mu.Lock()
	defer feed.mu.Unlock()
	feed.board = board
}

// push publishes every view of the board that sockets follow and tells
// signed-in readers their own line where it changed. A view that shows
// what it showed before is the same slice, which no socket is sent again:
// a change below a guarded board's public top sends nothing, so that
// counting pushes does not count submissions.
func (f *boardFeeds) push(feed *boardFeed) {
	for _, staff := range [...]bool{false, true} {
		for _, size := range boardSizes {
			t := boardTopic(feed.roundID, size, staff)
			if f.hub.Count(t) > 0 {
				f.hub.Publish(t, feed.boardMessage(size, staff))
			}
		}
	}
	for s, line := range feed.own {
		feed.sendOwnLine(s, line)
	}
}

// boardMessage is the board's push message for readers of size entries.
// Staff and the public see the same board once it is not guarded, and
// every size shows the public the same guarded head: one encoding serves
// each.
func (feed *boardFeed) boardMessage(size int, staff bool) hub.Message {
	board := feed.board
	view := boardView{size: size}
	if board.Guarded() {
		if staff {
			view.staff = true
		} else {
			view.size = min(size, quiz.GuardedTop)
		}
	}
	return hub.Message{Data: feed.encodings.encoded(feed.roundID, view, board), Latest: "leaderboard"}
}

// sendOwnLine sends a signed-in reader their line when it changed.
func (feed *boardFeed) sendOwnLine(s *hub.Socket, line *ownLine) {
	e, ok := line.reader.me(feed.board)
	if !ok || line.last != nil && *line.last == e {
		return
	}
	me := boardEntryOf(e)
	data, _ := json.Marshal(meMsg{Type: "me", Me: &me})
	if s.Send(hub.Message{Data: data, Latest: "me"}) {
		line.last = &e
	}
}

// leaderboardSocket pushes the round's leaderboard whenever it changes, at
// most every boardPushGap; a slow reader gets the newest board when it is
// ready, never a backlog.
func (h *Handler) leaderboardSocket(c *fiber.Ctx) error {
	id, size, board, err := h.boardRequest(c)
	if err != nil {
		return err
	}
	reader := boardReaderOf(c)
	return h.upgrade(c, "leaderboard", func(s *hub.Socket) {
		h.boards.join(s, id, size, board, reader)
		defer h.boards.leave(s, id)
		s.Receive(nil) // the client sends nothing; this notices a close
	})
}
