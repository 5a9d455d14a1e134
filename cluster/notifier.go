// Package cluster carries the domain's events (quiz.Event) between hoithi
// nodes that share one PostgreSQL database, through LISTEN/NOTIFY on one
// channel: the nodes need no broker besides the database they already
// share.
//
// Notify delivers an event to this node's subscribers at once, exactly as
// quiz.LocalNotifier does, and then queues it for the other nodes. A
// sender goroutine with a connection of its own sends each with
// pg_notify, as a small JSON payload: the event and the sending node's id
// (120 to 180 bytes; PostgreSQL takes up to 8000). A listener goroutine
// on another dedicated connection LISTENs on the channel and hands the
// other nodes' events to this node's subscribers, skipping its own, which
// they have had already. One sender on one connection sends in order, and
// PostgreSQL delivers notifications in commit order: a node's events
// reach the others in the order it sent them, but for board_moved, which
// is coalesced. Both connections go to PostgreSQL itself, or through a
// pooler in session mode: a pooler in transaction mode loses a LISTEN.
//
// Coalescing: every submission moves its round's board, and the other nodes
// only need to know that it moved to build it again from the database. A
// round's board_moved events wait in one slot; the slots go out together
// BoardGap (250 ms by default) after the first of them filled, so each
// round sends at most four a second, whatever the number of submissions,
// and a board on another node lags the database by that and a round trip. A slot that held one event sends it as it is; one that held
// several sends the round alone (no attempt), which every receiver takes
// as "build this round's board again". Other kinds go out at once: a
// revoked session must not wait.
//
// Notifications are not stored: what is sent while a listener is away is
// lost to it. So, after a listener reconnects, it delivers
// quiz.EventsMissed to its own node's subscribers, which forget what they
// keep of other nodes' changes; and a sender that had to drop events (the
// database unreachable, the queue full) sends events_missed to the other
// nodes first once it can send again. Notify never waits for the
// database: local delivery always happens, and the remote send is dropped
// with a logged warning. Sessions are safe meanwhile: every node reads the
// log of ended sessions from the database every quiz.SessionsTTL anyway;
// events only make that immediate.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hoithi/quiz"
)

// The defaults of Options, and why.
const (
	// DefaultChannel is the channel every node of a cluster uses.
	DefaultChannel = "hoithi_events"
	// DefaultBoardGap makes a round's board move on other nodes at most four
	// times a second: the rate at which a leaderboard socket is pushed
	// anyway (handlers' boardPushGap).
	DefaultBoardGap = 250 * time.Millisecond
	// DefaultTimeout bounds one connect and one pg_notify: long enough for a
	// busy database, short enough that a dead one is noticed.
	DefaultTimeout = 5 * time.Second
	// DefaultPing is how long a listener hears nothing before it checks its
	// connection, so that a connection silently cut (a network partition)
	// is replaced within that time rather than TCP's keepalive minutes.
	DefaultPing = 30 * time.Second
	// DefaultMaxBackoff caps the wait between reconnects, which starts at
	// minBackoff and doubles.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultQueue is the number of events waiting for the sender beyond
	// which Notify drops them: seconds of a busy node's logins, logouts and
	// edits, and at most one board_moved per round and BoardGap.
	DefaultQueue = 4096

	minBackoff = 100 * time.Millisecond
	// maxPayload is PostgreSQL's limit on a notification's payload: it must
	// be shorter than 8000 bytes.
	maxPayload = 7999
	// maxChannel is PostgreSQL's limit on an identifier (NAMEDATALEN - 1).
	maxChannel = 63
)

// Options tune a Notifier; the zero value takes every default.
type Options struct {
	// Channel is the LISTEN/NOTIFY channel: DefaultChannel if empty. The
	// nodes of one cluster use the same one.
	Channel string
	// BoardGap is how long a round's board_moved waits to be sent with those
	// that follow it: DefaultBoardGap if zero.
	BoardGap time.Duration
	// Timeout bounds each connect, ping and pg_notify: DefaultTimeout if zero.
	Timeout time.Duration
	// Ping is how long the listener waits for a notification before it
	// checks its connection: DefaultPing if zero.
	Ping time.Duration
	// MaxBackoff caps the wait between reconnects: DefaultMaxBackoff if zero.
	MaxBackoff time.Duration
	// Queue is how many events may wait for the sender: DefaultQueue if zero.
	Queue int
	// Log receives the warnings: connections lost and found, events dropped.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if o.BoardGap <= 0 {
		o.BoardGap = DefaultBoardGap
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Ping <= 0 {
		o.Ping = DefaultPing
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o
}

// Notifier is the quiz.Notifier of a node in a cluster: each event reaches
// this node's subscribers at once and every other node's soon after.
type Notifier struct {
	local  quiz.LocalNotifier
	node   string
	opts   Options
	config *pgx.ConnConfig
	log    *slog.Logger

	queue   chan quiz.Event
	closing chan struct{} // closed by Close: the sender sends what is queued and stops
	closed  atomic.Bool
	// dropped counts the events not sent since the last one that was: the
	// other nodes are owed an events_missed.
	dropped atomic.Int64

	mu     sync.Mutex
	boards map[int64]pendingBoard // a round's board_moved waiting for the gap
	flush  *time.Timer            // sends boards when the gap is over; nil when none wait

	stopListening context.CancelFunc
	wg            sync.WaitGroup
}

// pendingBoard is a round's coalesced board_moved: the first event, and how
// many were folded into it.
type pendingBoard struct {
	ev    quiz.Event
	count int
}

// message is a notification's payload.
type message struct {
	Node  string     `json:"node"`
	Event quiz.Event `json:"event"`
}

// New connects to the database at url (a postgres:// URL; parameters that
// only configure a pool, such as pool_max_conns, are ignored), listens on
// the channel, and starts the listener and the sender. It fails when the
// database cannot be reached now: a node starts only with its cluster.
// Close stops it.
func New(ctx context.Context, url string, opts Options) (*Notifier, error) {
	opts = opts.withDefaults()
	if len(opts.Channel) > maxChannel {
		return nil, fmt.Errorf("cluster: channel %q is longer than %d bytes", opts.Channel, maxChannel)
	}
	poolConfig, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("cluster: parse database url: %w", err)
	}
	node, err := newNodeID()
	if err != nil {
		return nil, err
	}
	n := &Notifier{
		node:    node,
		opts:    opts,
		config:  poolConfig.ConnConfig,
		log:     opts.Log.With("node", node),
		queue:   make(chan quiz.Event, opts.Queue),
		closing: make(chan struct{}),
		boards:  map[int64]pendingBoard{},
	}
	conn, err := n.listenConn(ctx)
	if err != nil {
		return nil, err
	}
	listenCtx, stop := context.WithCancel(context.Background())
	n.stopListening = stop
	n.wg.Add(2)
	go n.listen(listenCtx, conn)
	go n.send()
	return n, nil
}

func newNodeID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cluster: node id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Node is this node's id, random for each Notifier: it marks the events
// this node sends, and names its connections in pg_stat_activity
// (application_name "hoithi-listen-<node>" and "hoithi-send-<node>").
func (n *Notifier) Node() string { return n.node }

// Subscribe has fn called with every event: this node's, in the goroutine
// that notifies, and the other nodes', in the listener's goroutine.
func (n *Notifier) Subscribe(fn func(quiz.Event)) { n.local.Subscribe(fn) }

// Notify delivers ev to this node's subscribers, in the order they
// subscribed, before it returns; then queues it for the other nodes without
// waiting for the database. After Close it delivers to this node only.
func (n *Notifier) Notify(ev quiz.Event) {
	n.local.Notify(ev)
	if n.closed.Load() {
		return
	}
	if ev.Kind == quiz.BoardMoved {
		n.coalesce(ev)
		return
	}
	n.enqueue(ev)
}

// coalesce keeps a board_moved in its round's slot until the gap is over.
func (n *Notifier) coalesce(ev quiz.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, waiting := n.boards[ev.RoundID]
	if !waiting {
		p.ev = ev
	}
	p.count++
	n.boards[ev.RoundID] = p
	if n.flush == nil {
		n.flush = time.AfterFunc(n.opts.BoardGap, n.flushBoards)
	}
}

// flushBoards queues every round's waiting board_moved, once. The lock is
// held until they are queued, so that whoever finds the slots empty knows
// that their events are in the queue.
func (n *Notifier) flushBoards() {
	n.mu.Lock()
	defer n.mu.Unlock()
	boards := n.boards
	n.boards = map[int64]pendingBoard{}
	n.flush = nil
	for roundID, p := range boards {
		ev := p.ev
		if p.count > 1 {
			// Several attempts moved the board: no one of them stands for
			// the rest, so the receiver builds the round's board again.
			ev = quiz.Event{Kind: quiz.BoardMoved, RoundID: roundID}
		}
		n.enqueue(ev)
	}
}

// enqueue hands ev to the sender, or drops it when the queue is full: the
// database is slow or away, and Notify must not wait for it.
func (n *Notifier) enqueue(ev quiz.Event) {
	select {
	case n.queue <- ev:
	default:
		n.drop(ev, errors.New("the queue of events to send is full"))
	}
}

// drop counts an event the other nodes will not hear of. The first drop
// since the last event sent is logged; the sender logs how many there were
// once it sends again, and tells the other nodes they missed events.
func (n *Notifier) drop(ev quiz.Event, err error) {
	if n.dropped.Add(1) == 1 {
		// Meanwhile the other nodes still learn of ended sessions from
		// the log they poll, and rebuild a board at its round's next move.
		n.log.Warn("cluster: an event was not sent to the other nodes; more may follow until the database answers",
			"kind", ev.Kind, "err", err)
	}
}

// Close stops the listener and the sender, once the events queued before
// it, and the boards waiting for their gap, are sent (for at most
// Options.Timeout, after a connect or send under way, which takes as much
// at most). It returns once both goroutines have ended. Call it after the
// services that notify have stopped, so that their last events go out.
func (n *Notifier) Close() {
	if n.closed.Swap(true) {
		return
	}
	n.mu.Lock()
	if n.flush != nil && n.flush.Stop() {
		n.flush = nil
	}
	n.mu.Unlock()
	n.flushBoards()
	close(n.closing)
	n.stopListening()
	n.wg.Wait()
}

// connect opens a connection named after its role and this node, within
// Options.Timeout.
func (n *Notifier) connect(ctx context.Context, role string) (*pgx.Conn, error) {
	config := n.config.Copy()
	if config.RuntimeParams == nil {
		config.RuntimeParams = map[string]string{}
	}
	config.RuntimeParams["application_name"] = "hoithi-" + role + "-" + n.node
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect to %s events: %w", role, err)
	}
	return conn, nil
}

// backoff is the wait before the next reconnect: it doubles from minBackoff
// up to max, and starts again after a success.
type backoff struct {
	next, max time.Duration
}

func (b *backoff) wait() time.Duration {
	d := max(b.next, minBackoff)
	b.next = min(2*d, b.max)
	return d
}

func (b *backoff) reset() { b.next = 0 }

func encode(node string, ev quiz.Event) (string, error) {
	data, err := json.Marshal(message{Node: node, Event: ev})
	if err != nil {
		return "", fmt.Errorf("cluster: encode %s: %w", ev.Kind, err)
	}
	if len(data) > maxPayload {
		return "", fmt.Errorf("cluster: %s is %d bytes, over the %d a notification carries", ev.Kind, len(data), maxPayload)
	}
	return string(data), nil
}
