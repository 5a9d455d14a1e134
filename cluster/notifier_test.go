package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// patience is how long a test waits for something that should happen soon:
// generous, so that a busy machine does not fail a test, and no assertion
// on speed.
const patience = 20 * time.Second

// serverURL is the PostgreSQL server the tests run on. Outside CI they are
// skipped without one; in CI its absence is a failure.
func serverURL(t *testing.T) string {
	t.Helper()
	server := os.Getenv("HOITHI_TEST_POSTGRES")
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HOITHI_TEST_POSTGRES is not set: CI must run the cluster tests on PostgreSQL")
		}
		t.Skip("HOITHI_TEST_POSTGRES is not set: the cluster tests need a PostgreSQL server (postgres://…)")
	}
	return server
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// testDB is a database of the test's own on the test server, dropped at
// cleanup, so that no test hears another's notifications.
type testDB struct {
	server, name string
	admin        *pgx.Conn // a superuser's connection to the new database
}

func freshDatabase(t *testing.T) *testDB {
	t.Helper()
	server := serverURL(t)
	ctx := context.Background()
	root, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	t.Cleanup(func() { root.Close(ctx) })
	db := &testDB{server: server, name: randomName("hoithi_cluster_")}
	if _, err := root.Exec(ctx, "CREATE DATABASE "+db.name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := root.Exec(ctx, "DROP DATABASE IF EXISTS "+db.name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
	})
	if db.admin, err = pgx.Connect(ctx, db.url("")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.admin.Close(ctx) })
	return db
}

// url is the test database's URL, as user if one is named.
func (db *testDB) url(user string) string { return db.urlVia(user, "") }

// urlVia is the test database's URL, as user if one is named, reached
// through the address via (host:port) if one is named.
func (db *testDB) urlVia(user, via string) string {
	if u, err := url.Parse(db.server); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db.name
		if user != "" {
			u.User = url.User(user)
		}
		if via != "" {
			u.Host = via
		}
		return u.String()
	}
	dsn := db.server + " dbname=" + db.name // a keyword/value connection string
	if user != "" {
		dsn += " user=" + user
	}
	if host, port, err := net.SplitHostPort(via); err == nil {
		dsn += " host=" + host + " port=" + port
	}
	return dsn
}

// serverAddress is the test server's host:port.
func (db *testDB) serverAddress(t *testing.T) string {
	t.Helper()
	config, err := pgx.ParseConfig(db.server)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort(config.Host, strconv.Itoa(int(config.Port)))
}

// exec runs sql as the superuser and returns the rows it affected.
func (db *testDB) exec(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	tag, err := db.admin.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag.RowsAffected()
}

// terminate ends the node's connections of the given role ("listen",
// "send"), as a database restart or an administrator would, and waits
// until they are gone. It returns how many there were.
func (db *testDB) terminate(t *testing.T, n *Notifier, role string) int {
	t.Helper()
	name := "hoithi-" + role + "-" + n.Node()
	var ended int
	err := db.admin.QueryRow(context.Background(),
		"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) AS t",
		name).Scan(&ended)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, fmt.Sprintf("the %s connection is gone", name), func() bool {
		var left int
		err := db.admin.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&left)
		return err == nil && left == 0
	})
	return ended
}

// node starts a notifier on url, closed at cleanup, and what it hears.
func node(t *testing.T, url string, opts Options) (*Notifier, *heard) {
	t.Helper()
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(&testLog{t: t}, nil))
	}
	n, err := New(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("start a node: %v", err)
	}
	t.Cleanup(n.Close)
	h := &heard{}
	n.Subscribe(h.add)
	return n, h
}

// heard keeps the events a node's subscriber is called with.
type heard struct {
	mu     sync.Mutex
	events []quiz.Event
}

func (h *heard) add(ev quiz.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *heard) all() []quiz.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.events)
}

func (h *heard) count(want quiz.Event) int {
	n := 0
	for _, ev := range h.all() {
		if ev == want {
			n++
		}
	}
	return n
}

// waitFor waits until ev is heard.
func (h *heard) waitFor(t *testing.T, ev quiz.Event) {
	t.Helper()
	eventually(t, fmt.Sprintf("%+v is heard", ev), func() bool { return h.count(ev) > 0 })
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(patience); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s, want: %s", patience, what)
		}
	}
}

// testLog writes a node's log to the test's and keeps it for assertions.
type testLog struct {
	t   *testing.T
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("%s", bytes.TrimSpace(p))
	return l.buf.Write(p)
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func revoked(token string) quiz.Event {
	return quiz.RevokedSessions(quiz.SessionEnd{UserID: 5, TokenID: token})
}

func TestTwoNodesHearEachOthersEvents(t *testing.T) {
	db := freshDatabase(t)
	a, heardByA := node(t, db.url(""), Options{})
	b, heardByB := node(t, db.url(""), Options{})
	if a.Node() == b.Node() {
		t.Fatalf("both nodes are %q, want ids of their own", a.Node())
	}

	edit := quiz.Event{Kind: quiz.RoundChanged, RoundID: 7}
	a.Notify(edit)
	if got := heardByA.all(); !slices.Equal(got, []quiz.Event{edit}) {
		t.Errorf("when Notify returned, the notifying node had heard %+v, want %+v", got, []quiz.Event{edit})
	}
	heardByB.waitFor(t, edit)

	logout := revoked("phone")
	b.Notify(logout)
	heardByA.waitFor(t, logout)

	t.Run("a node does not hear its own events again", func(t *testing.T) {
		// a heard b's logout, sent after b heard a's edit: a's listener is
		// past a's own notification of the edit, which it skipped.
		if got := heardByA.count(edit); got != 1 {
			t.Errorf("the notifying node heard its event %d times, want 1", got)
		}
		if got := heardByB.count(logout); got != 1 {
			t.Errorf("the other notifying node heard its event %d times, want 1", got)
		}
	})
	t.Run("every other node's event is heard once", func(t *testing.T) {
		if got := heardByB.count(edit); got != 1 {
			t.Errorf("the other node heard the edit %d times, want 1", got)
		}
		if got := heardByA.count(logout); got != 1 {
			t.Errorf("the first node heard the logout %d times, want 1", got)
		}
	})
}

func TestAnotherNodesEventReachesSubscribersInTheOrderTheySubscribed(t *testing.T) {
	db := freshDatabase(t)
	a, _ := node(t, db.url(""), Options{})
	b, _ := node(t, db.url(""), Options{})
	var mu sync.Mutex
	var calls []string
	for _, name := range []string{"engine", "tokens", "feeds"} {
		b.Subscribe(func(ev quiz.Event) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, name+":"+string(ev.Kind))
		})
	}
	a.Notify(quiz.Event{Kind: quiz.AccountDeleted, UserID: 3})
	want := []string{"engine:account_deleted", "tokens:account_deleted", "feeds:account_deleted"}
	eventually(t, "three subscribers are called", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(calls) >= len(want)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(calls, want) {
		t.Errorf("subscribers were called as %q, want %q", calls, want)
	}
}

func TestANodesEventsArriveInTheOrderItSentThem(t *testing.T) {
	db := freshDatabase(t)
	a, _ := node(t, db.url(""), Options{})
	_, heardByB := node(t, db.url(""), Options{})
	var sent []quiz.Event
	for i := range 200 {
		ev := revoked(fmt.Sprintf("token-%03d", i))
		if i%3 == 0 {
			ev = quiz.Event{Kind: quiz.RoundChanged, RoundID: int64(i)}
		}
		sent = append(sent, ev)
		a.Notify(ev)
	}
	heardByB.waitFor(t, sent[len(sent)-1])
	if got := heardByB.all(); !slices.Equal(got, sent) {
		t.Errorf("the other node heard %d events, want the %d sent in order; first difference at %d",
			len(got), len(sent), firstDifference(got, sent))
	}
}

func firstDifference(a, b []quiz.Event) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestARoundsBoardMovesAreCoalesced(t *testing.T) {
	db := freshDatabase(t)
	a, heardByA := node(t, db.url(""), Options{})
	_, heardByB := node(t, db.url(""), Options{})
	const round, moves = 7, 100
	for i := range int64(moves) {
		a.Notify(quiz.Event{Kind: quiz.BoardMoved, RoundID: round, UserID: 1000 + i, AttemptID: i + 1})
	}
	lone := quiz.Event{Kind: quiz.BoardMoved, RoundID: round + 1, UserID: 9, AttemptID: 900}
	a.Notify(lone)
	if got := len(heardByA.all()); got != moves+1 {
		t.Errorf("the notifying node's subscribers heard %d moves, want every one of the %d at once", got, moves+1)
	}
	// Once no board waits, what the slots held is queued: an event sent
	// now reaches the other node after them.
	eventually(t, "no board waits for its gap", func() bool { return a.waitingBoards() == 0 })
	barrier := quiz.Event{Kind: quiz.RoundChanged, RoundID: 1}
	a.Notify(barrier)
	heardByB.waitFor(t, barrier)

	var roundMoves []quiz.Event
	for _, ev := range heardByB.all() {
		if ev.Kind == quiz.BoardMoved && ev.RoundID == round {
			roundMoves = append(roundMoves, ev)
		}
	}
	if len(roundMoves) == 0 || len(roundMoves) > 5 {
		t.Errorf("the other node heard %d moves of round %d for %d sent, want 1 to 5", len(roundMoves), round, moves)
	}
	t.Run("moves folded together name the round alone", func(t *testing.T) {
		// Fewer than 100 arrived, so some slot held several moves.
		folded := quiz.Event{Kind: quiz.BoardMoved, RoundID: round}
		if !slices.Contains(roundMoves, folded) {
			t.Errorf("the other node heard %+v, want among them %+v", roundMoves, folded)
		}
	})
	t.Run("a lone move arrives as it was sent", func(t *testing.T) {
		if got := heardByB.count(lone); got != 1 {
			t.Errorf("the other node heard %+v %d times, want once", lone, got)
		}
	})
}

// waitingBoards is the number of rounds whose board_moved waits for the gap.
func (n *Notifier) waitingBoards() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.boards)
}

func TestARevokedSessionDoesNotWaitForTheBoards(t *testing.T) {
	db := freshDatabase(t)
	// Boards would wait an hour: only an event sent at once can arrive.
	a, _ := node(t, db.url(""), Options{BoardGap: time.Hour})
	_, heardByB := node(t, db.url(""), Options{})
	a.Notify(quiz.Event{Kind: quiz.BoardMoved, RoundID: 7, UserID: 1, AttemptID: 1})
	logout := revoked("laptop")
	a.Notify(logout)
	heardByB.waitFor(t, logout)
	if got := heardByB.count(quiz.Event{Kind: quiz.BoardMoved, RoundID: 7, UserID: 1, AttemptID: 1}); got != 0 {
		t.Errorf("the board move arrived %d times before its gap was over, want 0", got)
	}
}

func TestANodeWhoseListenerIsCutListensAgainAndForgets(t *testing.T) {
	db := freshDatabase(t)
	a, heardByA := node(t, db.url(""), Options{})
	b, heardByB := node(t, db.url(""), Options{})
	before := quiz.Event{Kind: quiz.RoundChanged, RoundID: 1}
	b.Notify(before)
	heardByA.waitFor(t, before)

	if got := db.terminate(t, a, "listen"); got != 1 {
		t.Fatalf("terminated %d listening connections of the node, want 1", got)
	}
	missed := quiz.Event{Kind: quiz.EventsMissed}
	heardByA.waitFor(t, missed)

	after := quiz.Event{Kind: quiz.RoundChanged, RoundID: 2}
	b.Notify(after)
	heardByA.waitFor(t, after)
	t.Run("the node forgot before it heard again", func(t *testing.T) {
		all := heardByA.all()
		if i, j := slices.Index(all, missed), slices.Index(all, after); i > j {
			t.Errorf("heard %+v, want events_missed before the next event", all)
		}
	})
	t.Run("the other node, which lost nothing, is not told to forget", func(t *testing.T) {
		// Any events_missed a sent would reach b before this.
		barrier := quiz.Event{Kind: quiz.RoundChanged, RoundID: 3}
		a.Notify(barrier)
		heardByB.waitFor(t, barrier)
		if got := heardByB.count(missed); got != 0 {
			t.Errorf("the other node heard events_missed %d times, want 0", got)
		}
	})
}

func TestASendersLostConnectionIsReplacedAtOnce(t *testing.T) {
	db := freshDatabase(t)
	a, _ := node(t, db.url(""), Options{})
	_, heardByB := node(t, db.url(""), Options{})
	before := revoked("before")
	a.Notify(before)
	heardByB.waitFor(t, before)

	if got := db.terminate(t, a, "send"); got != 1 {
		t.Fatalf("terminated %d sending connections of the node, want 1", got)
	}
	after := revoked("after")
	a.Notify(after)
	heardByB.waitFor(t, after)
	if got := heardByB.all(); !slices.Equal(got, []quiz.Event{before, after}) {
		t.Errorf("the other node heard %+v, want %+v: nothing dropped, nothing missed", got, []quiz.Event{before, after})
	}
}

func TestADatabaseOutOfReachNeverHoldsNotifyUp(t *testing.T) {
	db := freshDatabase(t)
	role := randomName("hoithi_node_")
	db.exec(t, "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() {
		// After the database is dropped, which ends the role's sessions.
		root, err := pgx.Connect(context.Background(), db.server)
		if err == nil {
			root.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
			root.Close(context.Background())
		}
	})
	log := &testLog{t: t}
	a, heardByA := node(t, db.url(role), Options{MaxBackoff: 200 * time.Millisecond, Queue: 64,
		Log: slog.New(slog.NewTextHandler(log, nil))})
	_, heardByB := node(t, db.url(""), Options{})

	// To node a the database is gone: its sessions end, and it may not
	// log in again. Node b goes on as before.
	db.exec(t, "ALTER ROLE "+role+" NOLOGIN")
	db.terminate(t, a, "listen")
	db.terminate(t, a, "send")

	const events = 1000
	var outage []quiz.Event
	for i := range events {
		if i%2 == 0 {
			outage = append(outage, quiz.Event{Kind: quiz.BoardMoved, RoundID: int64(i % 10), UserID: 1, AttemptID: int64(i)})
		} else {
			outage = append(outage, revoked(fmt.Sprintf("gone-%d", i)))
		}
	}
	notifyAll(t, a, heardByA, outage)
	eventually(t, "a warning that events were not sent", func() bool {
		return strings.Contains(log.String(), "level=WARN msg=\"cluster: an event was not sent")
	})
	eventually(t, "the listener tries to reconnect and is refused", func() bool {
		return strings.Contains(log.String(), "cannot listen for other nodes yet")
	})

	// Nothing is left to send when the database is back: an events_missed
	// that reaches b then is one a sent unasked.
	eventually(t, "nothing is left to send", func() bool { return len(a.queue) == 0 && a.waitingBoards() == 0 })
	db.exec(t, "ALTER ROLE "+role+" LOGIN")
	missed := quiz.Event{Kind: quiz.EventsMissed}
	t.Run("once back, the cut node forgets what it missed", func(t *testing.T) {
		heardByA.waitFor(t, missed)
	})
	t.Run("once back, the other node is told it missed events, unasked", func(t *testing.T) {
		heardByB.waitFor(t, missed)
	})
	t.Run("once back, events are sent again", func(t *testing.T) {
		again := revoked("again")
		a.Notify(again)
		heardByB.waitFor(t, again)
	})
	t.Run("the other node hears it missed events before any event sent late", func(t *testing.T) {
		// Events still queued when the database came back are sent then.
		if all := heardByB.all(); all[0] != missed {
			t.Errorf("the other node heard %+v first, want %+v", all[0], missed)
		}
	})
}

func TestCloseSendsWhatWaitsAndStopsEverything(t *testing.T) {
	db := freshDatabase(t)
	goroutines := runtime.NumGoroutine()
	a, err := New(context.Background(), db.url(""), Options{BoardGap: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	b, heardByB := node(t, db.url(""), Options{})
	const rounds = 50
	for round := range int64(rounds) {
		a.Notify(quiz.Event{Kind: quiz.BoardMoved, RoundID: round, UserID: 4, AttemptID: 5})
	}
	closeWithin(t, a)
	t.Run("the boards waiting for their gap are sent on Close", func(t *testing.T) {
		eventually(t, fmt.Sprintf("the %d waiting boards are heard", rounds), func() bool {
			return len(heardByB.all()) >= rounds
		})
		if got := len(heardByB.all()); got != rounds {
			t.Errorf("the other node heard %d events, want the %d boards", got, rounds)
		}
	})
	t.Run("a closed node still delivers to its own subscribers", func(t *testing.T) {
		var heard []quiz.Event
		a.Subscribe(func(ev quiz.Event) { heard = append(heard, ev) })
		move := quiz.Event{Kind: quiz.BoardMoved, RoundID: 1, UserID: 4, AttemptID: 6}
		a.Notify(move)
		a.Close() // again: nothing happens
		if !slices.Equal(heard, []quiz.Event{move}) {
			t.Errorf("after Close its subscriber heard %+v, want %+v", heard, []quiz.Event{move})
		}
	})
	closeWithin(t, b)

	// The goroutines' own work is over once Close returns; only the
	// deferred calls that signal it may still be under way.
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	for _, busy := range []string{"cluster.(*Notifier).hearAll", "cluster.(*sender)."} {
		if bytes.Contains(stacks, []byte(busy)) {
			t.Errorf("after Close returned, a goroutine is still in %s:\n%s", busy, stacks)
		}
	}
	// Then they end. Not in a subtest, whose goroutine would count.
	for deadline := time.Now().Add(patience); runtime.NumGoroutine() > goroutines; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, want at most %d as before the nodes started:\n%s",
				runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
	}
}

func closeWithin(t *testing.T, n *Notifier) {
	t.Helper()
	returns(t, "Close", n.Close)
}

// notifyAll has n notify events, which must return whatever the database
// does, and checks that n's own subscribers heard each at once.
func notifyAll(t *testing.T, n *Notifier, heardByN *heard, events []quiz.Event) {
	t.Helper()
	before := len(heardByN.all())
	returns(t, fmt.Sprintf("%d calls of Notify", len(events)), func() {
		for _, ev := range events {
			n.Notify(ev)
		}
	})
	if got := heardByN.all()[before:]; !slices.Equal(got, events) {
		t.Errorf("the node's own subscribers heard %d events, want the %d notified, in order", len(got), len(events))
	}
}

// returns fails the test when fn has not returned within patience.
func returns(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatalf("%s has not returned after %s", what, patience)
	}
}

// cutter relays TCP connections to the database and can go silent, as a
// cut network does: while cut, what either side sends is lost and nothing
// is refused, so that a client waits until its own timeout. Mending closes
// the connections that were cut, as a network that comes back finds them
// reset.
type cutter struct {
	listener net.Listener
	target   string
	mu       sync.Mutex
	cut      bool
	conns    map[net.Conn]struct{}
}

func newCutter(t *testing.T, target string) *cutter {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{listener: listener, target: target, conns: map[net.Conn]struct{}{}}
	go c.accept()
	t.Cleanup(func() {
		listener.Close()
		c.mend()
	})
	return c
}

func (c *cutter) address() string { return c.listener.Addr().String() }

func (c *cutter) accept() {
	for {
		client, err := c.listener.Accept()
		if err != nil {
			return // closed
		}
		server, err := net.Dial("tcp", c.target)
		if err != nil {
			client.Close()
			continue
		}
		c.mu.Lock()
		c.conns[client], c.conns[server] = struct{}{}, struct{}{}
		c.mu.Unlock()
		go c.relay(client, server)
		go c.relay(server, client)
	}
}

func (c *cutter) relay(from, to net.Conn) {
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if err != nil {
			return
		}
		c.mu.Lock()
		cut := c.cut
		c.mu.Unlock()
		if cut {
			continue // lost on the way
		}
		if _, err := to.Write(buf[:n]); err != nil {
			return
		}
	}
}

// silence cuts every connection, those open and those to come.
func (c *cutter) silence() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = true
}

// mend lets new connections through and closes those that were open.
func (c *cutter) mend() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = false
	for conn := range c.conns {
		conn.Close()
	}
	clear(c.conns)
}

func TestASilentlyCutListenerIsNoticedByItsPing(t *testing.T) {
	db := freshDatabase(t)
	network := newCutter(t, db.serverAddress(t))
	log := &testLog{t: t}
	_, heardByA := node(t, db.urlVia("", network.address()), Options{Ping: 100 * time.Millisecond,
		Timeout: 500 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Log: slog.New(slog.NewTextHandler(log, nil))})
	b, _ := node(t, db.url(""), Options{})

	network.silence()
	eventually(t, "the node notices its listener's connection is gone", func() bool {
		return strings.Contains(log.String(), "lost the connection that hears other nodes")
	})
	network.mend()
	missed := quiz.Event{Kind: quiz.EventsMissed}
	heardByA.waitFor(t, missed)
	after := revoked("after the cut")
	b.Notify(after)
	heardByA.waitFor(t, after)
}

func TestADatabaseThatHangsNeverHoldsNotifyUp(t *testing.T) {
	db := freshDatabase(t)
	network := newCutter(t, db.serverAddress(t))
	log := &testLog{t: t}
	// A send waits a minute for the silent database: were Notify to wait
	// for the sender, the events below would take longer than patience.
	const queue = 8
	a, heardByA := node(t, db.urlVia("", network.address()), Options{Timeout: time.Minute, Queue: queue,
		Log: slog.New(slog.NewTextHandler(log, nil))})
	_, heardByB := node(t, db.url(""), Options{})

	network.silence()
	const events = 10 * queue
	var hung []quiz.Event
	for i := range events {
		hung = append(hung, revoked(fmt.Sprintf("hung-%d", i)))
	}
	notifyAll(t, a, heardByA, hung)
	if !strings.Contains(log.String(), "the queue of events to send is full") {
		t.Errorf("the node logged %q, want a warning that its queue is full", log.String())
	}

	network.mend()
	missed := quiz.Event{Kind: quiz.EventsMissed}
	t.Run("once the network is back, the other node is told it missed events", func(t *testing.T) {
		heardByB.waitFor(t, missed)
	})
	t.Run("once the network is back, events are sent again", func(t *testing.T) {
		// Into a queue with room: a full one drops, as it should.
		eventually(t, "the queued events are sent", func() bool { return len(a.queue) == 0 })
		again := revoked("again")
		a.Notify(again)
		heardByB.waitFor(t, again)
	})
}
