package main

// The live scenario plays one live quiz the way a hall does: an organizer
// creates a game from a bank and hosts it over /ws/live/{pin}, N players
// join with nicknames, and for each question the host opens it, every
// player answers within a short burst, the reveal follows once all have
// answered, and the host shows the leaderboard. It measures, for every
// player, how long each broadcast took to reach them from the moment that
// caused it, and how long each answer took to be acknowledged.
//
// The players live in child processes (the tool runs itself with
// -live-child), each holding at most a few thousand sockets, so that no
// process needs more open files than this machine allows one. A child
// writes its measurements to its standard output as JSON, one report per
// event (kind and question) once every player of that child has it, or
// once -wait has passed since the first of them did; the parent gathers
// the reports of all children, moves the game on and prints the figures.
// Arrival times cross processes as wall-clock nanoseconds (every process
// runs on the same machine and clock); answer → ack is timed inside the
// child on its monotonic clock.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// liveOptions are the live scenario's flags.
type liveOptions struct {
	players   int
	procs     int
	perProc   int
	questions int
	seconds   int
	burst     time.Duration
	pause     time.Duration
	wait      time.Duration
	dials     int
	bankID    int64
	email     string
	password  string
	serverPID int

	// A child's own flags, set by the parent.
	child bool
	pin   string
	first int
	seed  uint64
}

func (o *liveOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.players, "players", 1000, "live: players in the game")
	fs.IntVar(&o.procs, "procs", 0, "live: processes the players are spread over (default: enough for -per-proc each)")
	fs.IntVar(&o.perProc, "per-proc", 7500, "live: at most this many player sockets in one process")
	fs.IntVar(&o.questions, "questions", 3, "live: questions in the game, drawn at random from the bank")
	fs.IntVar(&o.seconds, "seconds", 20, "live: seconds per question (every player answers within -burst, so the reveal comes before)")
	fs.DurationVar(&o.burst, "burst", time.Second, "live: players answer at random instants within this long after the question opens")
	fs.DurationVar(&o.pause, "pause", 500*time.Millisecond, "live: the host's pause once every player has a message, before the next command")
	fs.DurationVar(&o.wait, "wait", 15*time.Second, "live: how long a child waits for a message to reach all its players before it reports the rest as missing")
	fs.IntVar(&o.dials, "dials", 50, "live: joins under way at once in each process")
	fs.Int64Var(&o.bankID, "bank", 0, "live: the bank (default: the first listed)")
	fs.StringVar(&o.email, "admin", "", "live: the host's e-mail, an organizer or admin (default $HOITHI_ADMIN_EMAIL)")
	fs.StringVar(&o.password, "password", "", "live: the host's password (default $HOITHI_ADMIN_PASSWORD)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's process id, to read its CPU and peak memory from /proc (default: /metrics only)")
	fs.BoolVar(&o.child, "live-child", false, "live: run as one of the parent's player processes")
	fs.StringVar(&o.pin, "pin", "", "live-child: the game's PIN")
	fs.IntVar(&o.first, "first", 0, "live-child: the number of this process's first player")
	fs.Uint64Var(&o.seed, "seed", 1, "live-child: seed of the players' choices")
}

// liveReport is one child's measurement of one event, the line it writes.
type liveReport struct {
	Child int    `json:"child,omitempty"`
	Kind  string `json:"kind"`
	Index int    `json:"index"`
	// Values: for "joined" and "ack", durations in nanoseconds; for the
	// broadcasts, the wall-clock time each player got it (Unix ns).
	Values []int64 `json:"values,omitempty"`
	// Missing players never got it within -wait (or their socket closed).
	Missing int `json:"missing"`
	// "ack" only: when each answer of Values was sent (Unix ns), and the
	// first and the last answer sent.
	Sent      []int64 `json:"sent,omitempty"`
	SentFirst int64   `json:"sent_first,omitempty"`
	SentLast  int64   `json:"sent_last,omitempty"`
	// Errors: "done" only.
	Errors map[string]int `json:"errors,omitempty"`
}

// ---------------------------------------------------------------------------
// The parent: the host, and the figures.

func runLive(ctx context.Context, base string, lo liveOptions, out io.Writer) error {
	if lo.players < 1 || lo.perProc < 1 || lo.questions < 1 {
		return errors.New("live: -players, -per-proc and -questions: want at least 1")
	}
	if lo.email == "" {
		lo.email = os.Getenv("HOITHI_ADMIN_EMAIL")
	}
	if lo.password == "" {
		lo.password = os.Getenv("HOITHI_ADMIN_PASSWORD")
	}
	if lo.email == "" || lo.password == "" {
		return errors.New("live: the host's account is needed: -admin and -password, or HOITHI_ADMIN_EMAIL and HOITHI_ADMIN_PASSWORD")
	}
	if lo.procs <= 0 {
		lo.procs = (lo.players + lo.perProc - 1) / lo.perProc
	}
	lo.procs = min(lo.procs, lo.players)
	c := &client{base: base, http: &http.Client{Timeout: 60 * time.Second}}

	var login struct {
		Token string `json:"token"`
	}
	if err := c.call("POST", "/api/v1/auth/login", "", map[string]string{"login": lo.email, "password": lo.password}, &login); err != nil {
		return fmt.Errorf("live: host login: %w", err)
	}
	if lo.bankID == 0 {
		var banks struct {
			Banks []struct {
				ID int64 `json:"id"`
			} `json:"banks"`
		}
		if err := c.call("GET", "/api/v1/banks", login.Token, nil, &banks); err != nil {
			return fmt.Errorf("live: banks: %w", err)
		}
		if len(banks.Banks) == 0 {
			return errors.New("live: no bank; give one with -bank")
		}
		lo.bankID = banks.Banks[0].ID
	}
	var game struct {
		GameID int64  `json:"game_id"`
		PIN    string `json:"pin"`
	}
	if err := c.call("POST", "/api/v1/live", login.Token, map[string]any{"bank_id": lo.bankID,
		"question_count": lo.questions, "seconds_per_question": lo.seconds}, &game); err != nil {
		return fmt.Errorf("live: create the game: %w", err)
	}
	fmt.Fprintf(out, "hoithi-load live: game %d (PIN %s) at %s: %d players in %d processes, %d questions of %d s, answers within %s\n",
		game.GameID, game.PIN, base, lo.players, lo.procs, lo.questions, lo.seconds, lo.burst)

	host, err := dialHost(c, login.Token, game.PIN)
	if err != nil {
		return err
	}
	defer host.close()

	srv := &serverWatch{c: c, pid: lo.serverPID}
	startFig := srv.read()
	fmt.Fprintf(out, "%-30s %s\n", "server before", startFig)

	// The players' processes.
	loadStart := procCPU(os.Getpid())
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	reports := make(chan liveReport, 64)
	var children []*exec.Cmd
	var stdins []io.WriteCloser
	joinStart := time.Now()
	for i := range lo.procs {
		first := i * lo.players / lo.procs
		n := (i+1)*lo.players/lo.procs - first
		cmd := exec.CommandContext(ctx, exe, "-live-child", "-url", base, "-pin", game.PIN,
			"-players", strconv.Itoa(n), "-first", strconv.Itoa(first), "-seed", strconv.Itoa(i+1),
			"-burst", lo.burst.String(), "-wait", lo.wait.String(), "-dials", strconv.Itoa(lo.dials))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("live: start a player process: %w", err)
		}
		children, stdins = append(children, cmd), append(stdins, stdin)
		go func() {
			dec := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20))
			for {
				var r liveReport
				if err := dec.Decode(&r); err != nil {
					if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
						fmt.Fprintf(os.Stderr, "live: player process %d: %v\n", i, err)
					}
					reports <- liveReport{Child: i, Kind: "exit"}
					return
				}
				r.Child = i
				reports <- r
			}
		}()
	}
	g := &gather{reports: reports, procs: lo.procs, pending: map[eventKey][]liveReport{}}
	defer func() {
		for _, w := range stdins {
			w.Close()
		}
		for _, cmd := range children {
			_ = cmd.Wait()
		}
	}()
	load := func() float64 {
		var s float64
		for _, cmd := range children {
			s += procCPU(cmd.Process.Pid)
		}
		return s + procCPU(os.Getpid())
	}
	// When the load tool and the server have cores of their own, what
	// else ran on the load tool's cores is told too: the players' clocks
	// waited for it.
	ownCores := cpuList(os.Getpid())
	if lo.serverPID == 0 {
		ownCores = nil
	}
	for c := range cpuList(lo.serverPID) {
		if ownCores[c] {
			ownCores = nil
		}
	}

	coresStart := coresBusy(ownCores)

	// Joining.
	joins := g.await("joined", -1, 10*time.Minute)
	joined, missing := pool(joins)
	joinTook := time.Since(joinStart)
	reportDurations(out, "join (dial → joined)", joined, joinTook, missing)
	// Every player the children count as joined is connected in the game
	// once the host has heard of them.
	if !host.waitConnected(len(joined), 30*time.Second) {
		fmt.Fprintf(out, "  the host counts %d connected players of %d joined\n", host.connected.Load(), len(joined))
	}
	afterJoin := srv.read()
	fmt.Fprintf(out, "%-30s %s; CPU %s\n", "server after joining", afterJoin, afterJoin.cpuSince(startFig, joinTook))

	all := map[string][]time.Duration{}
	var allMissing = map[string]int{}
	var bursts []time.Duration
	add := func(kind string, d []time.Duration, missing int) {
		all[kind] = append(all[kind], d...)
		allMissing[kind] += missing
	}
	var peakCPU float64
	for q := range lo.questions {
		time.Sleep(lo.pause)
		before, loadBefore, coresBefore := srv.read(), load(), coresBusy(ownCores)
		cycle := time.Now()
		command := "next"
		if q == 0 {
			command = "start"
		}
		sent, err := host.command(command)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "question %d of %d, %s sent at %s\n", q+1, lo.questions, command, sent.Format("15:04:05.000"))
		arrivals, missing := poolSince(g.await("question", q, lo.wait+30*time.Second), sent)
		reportDurations(out, "  question ("+command+" → player)", arrivals, 0, missing)
		add("question", arrivals, missing)

		acks := g.await("ack", q, lo.wait+30*time.Second)
		ackTimes, missing := pool(acks)
		var first, last int64
		for _, r := range acks {
			if r.SentFirst != 0 && (first == 0 || r.SentFirst < first) {
				first = r.SentFirst
			}
			last = max(last, r.SentLast)
		}
		burst := time.Duration(last - first)
		bursts = append(bursts, burst)
		reportDurations(out, fmt.Sprintf("  answer → ack (over %.2f s)", burst.Seconds()), ackTimes, 0, missing)
		add("ack", ackTimes, missing)
		// Answers sent before the question had reached every player
		// met the server still writing it: their acks apart from the
		// others'.
		reached := sent.Add(slices.Max(append(arrivals, 0)))
		early, late := splitAcks(acks, reached)
		reportDurations(out, "    answers sent before", early, 0, 0)
		reportDurations(out, "    answers sent after", late, 0, 0)
		add("ack before", early, 0)
		add("ack after", late, 0)

		// The reveal follows the last answer: every connected player has
		// answered.
		reveal, missing := poolSince(g.await("reveal", q, lo.wait+30*time.Second), time.Unix(0, last))
		reportDurations(out, "  reveal (last answer → player)", reveal, 0, missing)
		add("reveal", reveal, missing)
		result, missing := poolSince(g.await("result", q, lo.wait+30*time.Second), time.Unix(0, last))
		reportDurations(out, "  result (last answer → player)", result, 0, missing)
		add("result", result, missing)

		time.Sleep(lo.pause)
		sent, err = host.command("next")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  next sent at %s\n", sent.Format("15:04:05.000"))
		board, missing := poolSince(g.await("leaderboard", q, lo.wait+30*time.Second), sent)
		reportDurations(out, "  leaderboard (next → player)", board, 0, missing)
		add("leaderboard", board, missing)

		after, loadAfter, coresAfter := srv.read(), load(), coresBusy(ownCores)
		took := time.Since(cycle)
		fmt.Fprintf(out, "  %-28s %s; CPU %s; host got %d answer counts\n", "server", after, after.cpuSince(before, took),
			host.counts(q))
		others := ""
		if coresBefore > 0 {
			others = fmt.Sprintf(", other processes %.2f s on its cores", max(0, coresAfter-coresBefore-(loadAfter-loadBefore)))
		}
		fmt.Fprintf(out, "  %-28s CPU %.2f s in %.2f s (%.0f %% of a core)%s\n", "load tool", loadAfter-loadBefore, took.Seconds(),
			100*(loadAfter-loadBefore)/took.Seconds(), others)
		peakCPU = max(peakCPU, after.cpuShare(before, took))
	}

	time.Sleep(lo.pause)
	sent, err := host.command("next")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "end, next sent at %s\n", sent.Format("15:04:05.000"))
	ended, missing := poolSince(g.await("ended", -1, lo.wait+30*time.Second), sent)
	reportDurations(out, "ended (next → player)", ended, 0, missing)
	final, missing2 := poolSince(g.await("final", -1, lo.wait+30*time.Second), sent)
	reportDurations(out, "final (next → player)", final, 0, missing2)
	end, loadEnd, coresEnd := srv.read(), load(), coresBusy(ownCores)

	// The players leave; each process reports its errors and CPU.
	for _, w := range stdins {
		w.Close()
	}
	done := g.await("done", -1, time.Minute)
	errs := map[string]int{}
	for _, r := range done {
		for k, v := range r.Errors {
			errs[k] += v
		}
	}
	for k, v := range host.errorCounts() {
		errs["host "+k] += v
	}

	fmt.Fprintf(out, "all %d questions, %d players\n", lo.questions, lo.players)
	for _, kind := range []string{"question", "ack", "ack before", "ack after", "reveal", "result", "leaderboard"} {
		reportDurations(out, "  "+kind, all[kind], 0, allMissing[kind])
	}
	fmt.Fprintf(out, "  %-28s %s\n", "answer bursts", durationList(bursts))
	others := ""
	if end.cores > 0 && startFig.cores > 0 {
		others = fmt.Sprintf(" (other processes %.1f s on its cores)", max(0, end.cores-startFig.cores-(end.cpu-startFig.cpu)))
	}
	fmt.Fprintf(out, "%-30s %s; peak of a question cycle %.0f %% of a core; whole run CPU %.1f s%s\n", "server at the end", end,
		peakCPU, end.cpu-startFig.cpu, others)
	others = ""
	if coresStart > 0 {
		others = fmt.Sprintf(" (other processes %.1f s on its cores)", max(0, coresEnd-coresStart-(loadEnd-loadStart)))
	}
	fmt.Fprintf(out, "%-30s %.1f s CPU from the start of the players' processes to the end of the game%s\n", "load tool",
		loadEnd-loadStart, others)
	if len(errs) == 0 {
		fmt.Fprintf(out, "%-30s none\n", "errors")
	} else {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(out, "%-30s", "errors")
		for _, k := range keys {
			fmt.Fprintf(out, " %s: %d;", k, errs[k])
		}
		fmt.Fprintln(out)
	}
	return nil
}

type eventKey struct {
	kind  string
	index int
}

// gather collects the children's reports by event.
type gather struct {
	reports chan liveReport
	procs   int
	pending map[eventKey][]liveReport
	exited  int
}

// await returns every child's report of one event, or those that came
// within timeout; a child that never reported counts its players as
// missing (reported as one report with Missing -1).
func (g *gather) await(kind string, index int, timeout time.Duration) []liveReport {
	key := eventKey{kind, index}
	deadline := time.After(timeout)
	for len(g.pending[key]) < g.procs-g.exited {
		select {
		case r := <-g.reports:
			if r.Kind == "exit" {
				g.exited++
				continue
			}
			k := eventKey{r.Kind, r.Index}
			g.pending[k] = append(g.pending[k], r)
		case <-deadline:
			fmt.Fprintf(os.Stderr, "live: %d of %d player processes reported %s %d within %s\n",
				len(g.pending[key]), g.procs, kind, index, timeout)
			return g.pending[key]
		}
	}
	return g.pending[key]
}

// pool joins durations reported by children.
func pool(rs []liveReport) ([]time.Duration, int) {
	var d []time.Duration
	missing := 0
	for _, r := range rs {
		for _, v := range r.Values {
			d = append(d, time.Duration(v))
		}
		missing += r.Missing
	}
	return d, missing
}

// splitAcks parts the acks by whether their answer was sent before t.
func splitAcks(rs []liveReport, t time.Time) (before, after []time.Duration) {
	for _, r := range rs {
		for i, v := range r.Values {
			if i < len(r.Sent) && r.Sent[i] < t.UnixNano() {
				before = append(before, time.Duration(v))
			} else {
				after = append(after, time.Duration(v))
			}
		}
	}
	return before, after
}

// poolSince turns the arrival times children reported into delays after t.
func poolSince(rs []liveReport, t time.Time) ([]time.Duration, int) {
	var d []time.Duration
	missing := 0
	for _, r := range rs {
		for _, v := range r.Values {
			d = append(d, time.Duration(v-t.UnixNano()))
		}
		missing += r.Missing
	}
	return d, missing
}

func reportDurations(out io.Writer, step string, d []time.Duration, took time.Duration, missing int) {
	slices.Sort(d)
	at := func(p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[int(p/100*float64(len(d)-1))]
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	rate := ""
	if took > 0 {
		rate = fmt.Sprintf(" in %6.2f s = %6.0f/s", took.Seconds(), float64(len(d))/took.Seconds())
	}
	fmt.Fprintf(out, "%-30s %6d%s  p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  max %7.1f ms  missing %d\n",
		step, len(d), rate, ms(at(50)), ms(at(95)), ms(at(99)), ms(at(100)), missing)
}

func durationList(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = fmt.Sprintf("%.2f s", d.Seconds())
	}
	return strings.Join(s, ", ")
}

// liveHost is the host's socket: it sends the commands and counts what it
// hears.
type liveHost struct {
	ws        *websocket.Conn
	connected atomic.Int64

	mu        sync.Mutex
	answers   map[int]int
	errs      map[string]int
	cmdErrors chan string
}

func dialHost(c *client, token, pin string) (*liveHost, error) {
	d := &websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	ws, resp, err := d.Dial(c.wsURL("/ws/live/"+pin), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("live: host socket: %w (%s)", err, resp.Status)
		}
		return nil, fmt.Errorf("live: host socket: %w", err)
	}
	h := &liveHost{ws: ws, answers: map[int]int{}, errs: map[string]int{}, cmdErrors: make(chan string, 16)}
	go h.read()
	return h, nil
}

func (h *liveHost) read() {
	for {
		_, msg, err := h.ws.ReadMessage()
		if err != nil {
			h.mu.Lock()
			if !strings.Contains(err.Error(), "use of closed network connection") {
				h.errs[closeReason(err)]++
			}
			h.mu.Unlock()
			return
		}
		var m struct {
			Type      string `json:"type"`
			Index     int    `json:"index"`
			Code      string `json:"code"`
			Connected *int64 `json:"connected"`
		}
		// The host's own "ended" lists every player: only its type matters.
		typ, _, ok := peek(msg)
		if ok && typ == "ended" {
			continue
		}
		if err := json.Unmarshal(msg, &m); err != nil {
			h.mu.Lock()
			h.errs["bad_message"]++
			h.mu.Unlock()
			continue
		}
		if m.Connected != nil {
			h.connected.Store(*m.Connected)
		}
		switch m.Type {
		case "answers":
			h.mu.Lock()
			h.answers[m.Index]++
			h.mu.Unlock()
		case "error":
			h.mu.Lock()
			h.errs[m.Code]++
			h.mu.Unlock()
			select {
			case h.cmdErrors <- m.Code:
			default:
			}
		}
	}
}

// command sends one host command and returns when it was sent.
func (h *liveHost) command(typ string) (time.Time, error) {
	select {
	case code := <-h.cmdErrors:
		fmt.Fprintf(os.Stderr, "live: the host was told %s\n", code)
	default:
	}
	t := time.Now()
	if err := h.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"`+typ+`"}`)); err != nil {
		return t, fmt.Errorf("live: host %s: %w", typ, err)
	}
	return t, nil
}

func (h *liveHost) waitConnected(n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for h.connected.Load() < int64(n) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func (h *liveHost) counts(q int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.answers[q]
}

func (h *liveHost) errorCounts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps(h.errs)
}

func (h *liveHost) close() { h.ws.Close() }

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// serverWatch reads the server's figures: CPU and resident memory from
// /proc when its pid is known, else from /metrics (the process collector
// gives the same two), and its goroutines and sockets from /metrics.
type serverWatch struct {
	c   *client
	pid int
}

type serverFigures struct {
	at         time.Time
	cpu        float64 // seconds
	rss, peak  float64 // bytes; peak only from /proc
	heap       float64
	gcGoal     float64 // the heap size that starts the next collection: twice the live heap at the last one, at GOGC=100
	goroutines float64
	sockets    float64
	stack      float64 // bytes of goroutine stacks
	// cores: the busy time of the CPUs the server may run on, whoever
	// used them (from /proc/stat; only with its pid). What the server did
	// not use of it went to other processes: time the server may have
	// waited for.
	cores float64
}

func (f serverFigures) String() string {
	s := fmt.Sprintf("RSS %.0f MB", f.rss/1e6)
	if f.peak > 0 {
		s += fmt.Sprintf(" (peak %.0f MB)", f.peak/1e6)
	}
	return s + fmt.Sprintf(", heap in use %.0f MB (next GC at %.0f MB), %.0f goroutines, %.0f websockets",
		f.heap/1e6, f.gcGoal/1e6, f.goroutines, f.sockets)
}

func (f serverFigures) cpuShare(before serverFigures, took time.Duration) float64 {
	return 100 * (f.cpu - before.cpu) / took.Seconds()
}

func (f serverFigures) cpuSince(before serverFigures, took time.Duration) string {
	s := fmt.Sprintf("%.2f s in %.2f s (%.0f %% of a core)", f.cpu-before.cpu, took.Seconds(), f.cpuShare(before, took))
	if f.cores > 0 && before.cores > 0 {
		s += fmt.Sprintf(", other processes %.2f s on its cores", max(0, (f.cores-before.cores)-(f.cpu-before.cpu)))
	}
	return s
}

func (s *serverWatch) read() serverFigures {
	f := serverFigures{at: time.Now()}
	if resp, err := s.c.metrics(); err == nil {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			name, value, ok := strings.Cut(sc.Text(), " ")
			if !ok || strings.HasPrefix(name, "#") {
				continue
			}
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				continue
			}
			switch {
			case name == "process_cpu_seconds_total":
				f.cpu = v
			case name == "process_resident_memory_bytes":
				f.rss = v
			case name == "go_memstats_heap_inuse_bytes":
				f.heap = v
			case name == "go_memstats_next_gc_bytes":
				f.gcGoal = v
			case name == "go_memstats_stack_inuse_bytes":
				f.stack = v
			case name == "go_goroutines":
				f.goroutines = v
			case strings.HasPrefix(name, "hoithi_websockets{") || name == "hoithi_websockets":
				f.sockets += v
			}
		}
		resp.Body.Close()
	}
	if s.pid > 0 {
		if cpu := procCPU(s.pid); cpu > 0 {
			f.cpu = cpu
		}
		f.cores = coresBusy(cpuList(s.pid))
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid)); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				name, value, _ := strings.Cut(line, ":")
				kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
				if err != nil {
					continue
				}
				switch name {
				case "VmRSS":
					f.rss = kb * 1024
				case "VmHWM":
					f.peak = kb * 1024
				}
			}
		}
	}
	return f
}

// cpuList is the CPUs a process may run on, from /proc/<pid>/status
// ("0", "0-1", "0,2-3"), as a set; nil if unknown.
func cpuList(pid int) map[int]bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, _ := strings.Cut(line, ":")
		if name != "Cpus_allowed_list" {
			continue
		}
		cpus := map[int]bool{}
		for _, part := range strings.Split(strings.TrimSpace(value), ",") {
			lo, hi, found := strings.Cut(part, "-")
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if !found {
				b, err2 = a, nil
			}
			if err1 != nil || err2 != nil {
				return nil
			}
			for i := a; i <= b; i++ {
				cpus[i] = true
			}
		}
		return cpus
	}
	return nil
}

// coresBusy is the time the CPUs have been busy since boot, in seconds:
// /proc/stat's user, nice, system, irq, softirq and steal, in ticks of
// 1/100 s; 0 if unknown.
func coresBusy(cpus map[int]bool) float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil || len(cpus) == 0 {
		return 0
	}
	var busy float64
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if n, err := strconv.Atoi(f[0][len("cpu"):]); err != nil || !cpus[n] {
			continue
		}
		for _, i := range []int{1, 2, 3, 6, 7, 8} {
			v, _ := strconv.ParseFloat(f[i], 64)
			busy += v
		}
	}
	return busy / 100
}

// procCPU is a process's user and system CPU time in seconds, from
// /proc/<pid>/stat (clock ticks of 1/100 s), or 0.
func procCPU(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

// ---------------------------------------------------------------------------
// A child: its share of the players.

// liveChild holds one process's players and what they got.
type liveChild struct {
	c        *client
	o        liveOptions
	out      *json.Encoder
	outMu    sync.Mutex
	dialer   *websocket.Dialer
	stopping atomic.Bool

	mu         sync.Mutex
	players    []*livePlayer
	events     map[eventKey]*liveEvent
	errs       map[string]int
	questions  map[int]*liveQuestion
	unanswered map[int]int // answers scheduled and not yet sent, by question
}

// livePlayer is one player's socket. mu guards the answer under way.
type livePlayer struct {
	slot int
	ws   *websocket.Conn
	rng  *rand.Rand

	mu         sync.Mutex
	dialed     time.Time
	joining    bool
	pending    int // the question whose answer awaits its ack, or -1
	answerSent time.Time
	dead       bool
	released   func()
}

// liveQuestion is what a child needs of a question, decoded once.
type liveQuestion struct {
	opened   time.Time
	options  []int64
	multiple bool
}

// liveEvent is one message (or the answers' acks) for every player of the
// child. values[slot] is 0 until that player has it; dead players count
// as missing.
type liveEvent struct {
	key     eventKey
	values  []int64
	got     int
	missing int
	first   time.Time
	done    bool
	// The acks: which players sent an answer, how many, when the first
	// and the last were sent, and how many await their ack.
	sentBy      []bool
	sentAt      []int64
	sent        int
	outstanding int
	sentFirst   int64
	sentLast    int64
}

func runLiveChild(base string, o liveOptions) error {
	c := &client{base: base}
	ch := &liveChild{c: c, o: o, out: json.NewEncoder(os.Stdout),
		dialer: &websocket.Dialer{HandshakeTimeout: 60 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 512,
			NetDialContext: (&net.Dialer{Timeout: 60 * time.Second}).DialContext},
		events: map[eventKey]*liveEvent{}, errs: map[string]int{}, questions: map[int]*liveQuestion{},
		unanswered: map[int]int{}}
	ch.players = make([]*livePlayer, o.players)
	for i := range ch.players {
		ch.players[i] = &livePlayer{slot: i, pending: -1, rng: rand.New(rand.NewPCG(o.seed, uint64(i)))}
	}
	ch.mu.Lock()
	ch.eventLocked(eventKey{"joined", -1}).first = time.Now()
	ch.mu.Unlock()

	// Stop when the parent closes our standard input.
	quit := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(quit)
	}()
	go ch.timeouts(quit)

	sem := make(chan struct{}, o.dials)
	go func() {
		for _, p := range ch.players {
			select {
			case sem <- struct{}{}:
			case <-quit:
				return
			}
			var once sync.Once
			p.released = func() { once.Do(func() { <-sem }) }
			go ch.join(p)
		}
	}()
	<-quit
	ch.stopping.Store(true)
	for _, p := range ch.players {
		if p.ws != nil {
			p.ws.Close()
		}
	}
	ch.mu.Lock()
	errs := maps(ch.errs)
	ch.mu.Unlock()
	ch.write(liveReport{Kind: "done", Index: -1, Errors: errs})
	return nil
}

func (ch *liveChild) write(r liveReport) {
	ch.outMu.Lock()
	defer ch.outMu.Unlock()
	_ = ch.out.Encode(r)
}

// join dials, sends the join and reads the player's messages until the
// socket closes.
func (ch *liveChild) join(p *livePlayer) {
	p.mu.Lock()
	p.dialed, p.joining = time.Now(), true
	p.mu.Unlock()
	ws, resp, err := ch.dialer.Dial(ch.c.wsURL("/ws/live/"+ch.o.pin), nil)
	if err != nil {
		code := "dial"
		if resp != nil {
			code = fmt.Sprintf("dial %d", resp.StatusCode)
		}
		ch.count(code)
		ch.playerGone(p)
		p.released()
		return
	}
	ws.SetReadLimit(1 << 20)
	ch.mu.Lock()
	p.ws = ws
	ch.mu.Unlock()
	nickname := fmt.Sprintf("Người chơi %05d", ch.o.first+p.slot+1)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"join","nickname":"`+nickname+`"}`)); err != nil {
		ch.count("write join")
		ch.playerGone(p)
		p.released()
		return
	}
	ch.read(p)
}

func (ch *liveChild) read(p *livePlayer) {
	for {
		_, msg, err := p.ws.ReadMessage()
		now := time.Now()
		if err != nil {
			if !ch.stopping.Load() {
				ch.count(closeReason(err))
			}
			ch.playerGone(p)
			p.released()
			return
		}
		typ, index, ok := peek(msg)
		if !ok {
			ch.count("bad_message")
			continue
		}
		switch typ {
		case "joined":
			p.mu.Lock()
			d := now.Sub(p.dialed)
			p.joining = false
			p.mu.Unlock()
			p.released()
			ch.record(eventKey{"joined", -1}, p.slot, int64(d))
		case "question":
			ch.questionArrived(p, index, msg, now)
		case "ack":
			p.mu.Lock()
			d := now.Sub(p.answerSent)
			waiting := p.pending == index
			p.pending = -1
			p.mu.Unlock()
			if !waiting {
				ch.count("ack not awaited")
				continue
			}
			ch.record(eventKey{"ack", index}, p.slot, int64(d))
		case "reveal", "result", "leaderboard", "skipped":
			ch.record(eventKey{typ, index}, p.slot, now.UnixNano())
		case "ended", "final":
			ch.record(eventKey{typ, -1}, p.slot, now.UnixNano())
		case "error":
			var m struct {
				Code string `json:"code"`
			}
			_ = json.Unmarshal(msg, &m)
			p.mu.Lock()
			joining, pending := p.joining, p.pending
			p.pending = -1
			p.mu.Unlock()
			switch {
			case joining:
				ch.count("join " + m.Code)
				ch.fail(eventKey{"joined", -1}, p.slot)
				p.released()
			case pending >= 0:
				ch.count("answer " + m.Code)
				ch.fail(eventKey{"ack", pending}, p.slot)
			default:
				ch.count("error " + m.Code)
			}
		default:
			ch.count("message " + typ)
		}
	}
}

// questionArrived notes the question's arrival and schedules the answer.
// The answer is counted as due before the arrival is recorded: the
// question's last arrival lets the acks be reported, and they must not be
// without this answer.
func (ch *liveChild) questionArrived(p *livePlayer, index int, msg []byte, now time.Time) {
	ch.scheduleAnswer(p, index, msg, now)
	ch.record(eventKey{"question", index}, p.slot, now.UnixNano())
}

// scheduleAnswer answers the question at a random instant within the
// burst after it opened (on the server's clock: the question's
// server_time), or at once if that instant has passed.
func (ch *liveChild) scheduleAnswer(p *livePlayer, index int, msg []byte, now time.Time) {
	ch.mu.Lock()
	q := ch.questions[index]
	if q == nil {
		var m struct {
			ServerTime string `json:"server_time"`
			Multiple   bool   `json:"multiple"`
			Options    []struct {
				ID json.Number `json:"id"`
			} `json:"options"`
		}
		if err := json.Unmarshal(msg, &m); err != nil || len(m.Options) == 0 {
			ch.mu.Unlock()
			ch.count("bad question")
			return
		}
		q = &liveQuestion{opened: now, multiple: m.Multiple}
		if t, err := time.Parse(time.RFC3339Nano, m.ServerTime); err == nil {
			q.opened = t
		}
		for _, o := range m.Options {
			id, _ := o.ID.Int64()
			q.options = append(q.options, id)
		}
		ch.questions[index] = q
	}
	ch.unanswered[index]++
	ch.mu.Unlock()

	at := q.opened.Add(time.Duration(p.rng.Int64N(int64(ch.o.burst) + 1)))
	choice := q.options[p.rng.IntN(len(q.options))]
	time.AfterFunc(max(time.Until(at), 0), func() {
		p.mu.Lock()
		dead := p.dead
		if !dead {
			p.pending = index
			p.answerSent = time.Now()
		}
		sent := p.answerSent.UnixNano()
		p.mu.Unlock()
		ch.sending(index, p.slot, sent, !dead)
		if dead {
			return
		}
		err := p.ws.WriteMessage(websocket.TextMessage,
			[]byte(`{"type":"answer","question_index":`+strconv.Itoa(index)+`,"option_ids":[`+strconv.FormatInt(choice, 10)+`]}`))
		if err != nil {
			ch.count("write answer")
			ch.fail(eventKey{"ack", index}, p.slot)
		}
	})
}

// sending notes an answer about to be sent at (Unix ns), or given up
// (send false), before it is written, so that its ack is awaited.
func (ch *liveChild) sending(index, slot int, at int64, send bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.unanswered[index]--
	e := ch.eventLocked(eventKey{"ack", index})
	if send && !e.done {
		e.sentBy[slot] = true
		e.sentAt[slot] = at
		e.sent++
		if e.values[slot] == 0 {
			e.outstanding++
		}
		if e.sentFirst == 0 || at < e.sentFirst {
			e.sentFirst = at
		}
		e.sentLast = max(e.sentLast, at)
	}
	ch.checkLocked(e)
}

func (ch *liveChild) count(code string) {
	ch.mu.Lock()
	ch.errs[code]++
	ch.mu.Unlock()
}

// eventLocked finds or starts an event; players already gone are missing.
func (ch *liveChild) eventLocked(key eventKey) *liveEvent {
	e := ch.events[key]
	if e == nil {
		e = &liveEvent{key: key, values: make([]int64, len(ch.players)), first: time.Now()}
		if key.kind == "ack" {
			e.sentBy = make([]bool, len(ch.players))
			e.sentAt = make([]int64, len(ch.players))
		}
		for i, p := range ch.players {
			if p.dead {
				e.values[i] = -1
				e.missing++
			}
		}
		ch.events[key] = e
	}
	return e
}

func (ch *liveChild) record(key eventKey, slot int, v int64) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	e := ch.eventLocked(key)
	if e.done {
		ch.errs["late "+key.kind]++
		return
	}
	if e.values[slot] != 0 {
		ch.errs["again "+key.kind]++
		return
	}
	ch.resolveLocked(e, slot, max(v, 1))
}

func (ch *liveChild) fail(key eventKey, slot int) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.resolveLocked(ch.eventLocked(key), slot, -1)
}

// resolveLocked gives a player's value (-1: missing) for an event.
func (ch *liveChild) resolveLocked(e *liveEvent, slot int, v int64) {
	if e.done || e.values[slot] != 0 {
		return
	}
	e.values[slot] = v
	if v > 0 {
		e.got++
	} else {
		e.missing++
	}
	if e.sentBy != nil && e.sentBy[slot] {
		e.outstanding--
	}
	ch.checkLocked(e)
}

// playerGone marks a closed player missing from every event under way.
func (ch *liveChild) playerGone(p *livePlayer) {
	p.mu.Lock()
	p.dead = true
	p.mu.Unlock()
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for _, e := range ch.events {
		ch.resolveLocked(e, p.slot, -1)
	}
}

// checkLocked reports an event once every player has it or is missing.
// The acks are complete once every player who got the question has sent
// their answer and had it acknowledged (or refused).
func (ch *liveChild) checkLocked(e *liveEvent) {
	if e.done {
		return
	}
	if e.key.kind == "ack" {
		qe := ch.events[eventKey{"question", e.key.index}]
		if qe == nil || !qe.done || ch.unanswered[e.key.index] > 0 || e.outstanding > 0 {
			return
		}
	} else if e.got+e.missing < len(e.values) {
		return
	}
	ch.emitLocked(e)
}

func (ch *liveChild) emitLocked(e *liveEvent) {
	e.done = true
	r := liveReport{Kind: e.key.kind, Index: e.key.index, SentFirst: e.sentFirst, SentLast: e.sentLast}
	for i, v := range e.values {
		if v > 0 {
			r.Values = append(r.Values, v)
			if e.sentAt != nil {
				r.Sent = append(r.Sent, e.sentAt[i])
			}
		}
	}
	r.Missing = len(e.values) - len(r.Values)
	if e.key.kind == "ack" {
		r.Missing = e.sent - len(r.Values)
	}
	go ch.write(r)
	if e.key.kind == "question" {
		// The acks wait for the question to have reached everyone.
		if acks := ch.events[eventKey{"ack", e.key.index}]; acks != nil {
			ch.checkLocked(acks)
		}
	}
}

// timeouts reports events that some players have not had for -wait.
func (ch *liveChild) timeouts(quit <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case now := <-t.C:
			ch.mu.Lock()
			for _, e := range ch.events {
				wait := ch.o.wait
				if e.key.kind == "joined" {
					wait = 10 * time.Minute
				}
				if !e.done && now.Sub(e.first) > wait {
					ch.emitLocked(e)
				}
			}
			ch.mu.Unlock()
		}
	}
}

// peek reads a server message's type and index (or question_index)
// without decoding all of it: the server writes "type" first.
func peek(msg []byte) (typ string, index int, ok bool) {
	const prefix = `{"type":"`
	if bytes.HasPrefix(msg, []byte(prefix)) {
		rest := msg[len(prefix):]
		if end := bytes.IndexByte(rest, '"'); end > 0 {
			typ = string(rest[:end])
			rest = rest[end+1:]
			for _, field := range []string{`,"index":`, `,"question_index":`} {
				if bytes.HasPrefix(rest, []byte(field)) {
					digits := rest[len(field):]
					n := 0
					for n < len(digits) && (digits[n] >= '0' && digits[n] <= '9' || digits[n] == '-') {
						n++
					}
					if i, err := strconv.Atoi(string(digits[:n])); err == nil {
						return typ, i, true
					}
				}
			}
			if !bytes.Contains(rest, []byte(`"index"`)) && !bytes.Contains(rest, []byte(`"question_index"`)) {
				return typ, -1, true
			}
		}
	}
	var m struct {
		Type          string `json:"type"`
		Index         *int   `json:"index"`
		QuestionIndex *int   `json:"question_index"`
	}
	if err := json.Unmarshal(msg, &m); err != nil || m.Type == "" {
		return "", 0, false
	}
	index = -1
	if m.Index != nil {
		index = *m.Index
	} else if m.QuestionIndex != nil {
		index = *m.QuestionIndex
	}
	return m.Type, index, true
}

// closeReason names why a socket ended: the server's close code, or the
// kind of failure.
func closeReason(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("closed %d", ce.Code)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "read timeout"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "closed without a close frame"
	}
	if errors.Is(err, syscall.ECONNRESET) {
		return "connection reset"
	}
	return "read error"
}
