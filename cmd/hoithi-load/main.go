// Command hoithi-load drives a running hoithi server the way a round's
// opening rush does (-scenario round, the default), or the way a hall
// plays a live quiz (-scenario live, see live.go). In a round's rush,
// many contestants register, start their attempts at the same moment,
// answer every question over their websockets (each answer waiting for
// its acknowledgement, as the quiz page does) and submit, while
// spectators watch the live leaderboard. It prints what it measured:
// rates and latency percentiles per step, and the server's own writer
// figures read from /metrics.
//
// The server should run with HOITHI_RATE_LIMIT=0 and HOITHI_WS_PER_ADDRESS=0
// (all clients share one address) and, to keep registration from
// dominating, a low HOITHI_BCRYPT_COST. See docs/PERFORMANCE.md.
//
// For the fault drills of cmd/hoithi-load/faults (faults.go), the round
// scenario can make its own round (-duration), write every
// acknowledgement it receives to a file (-acks), resend answers the server
// could not store (-retry), and have some contestants stop reading their
// socket (-stalled); -check then compares such a file with the database
// and the server after the fault.
package main

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
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hoithi-load:", err)
		os.Exit(1)
	}
}

type options struct {
	scenario    string
	live        liveOptions
	url         string
	contestants int
	roundID     int64
	think       time.Duration
	thinkMax    time.Duration
	hold        time.Duration
	profile     string
	profileSecs int
	profileFrom time.Duration
	watchers    int
	organizers  int
	resultPage  bool
	quizPage    bool
	parallel    int
	coldStart   bool
	faults      faultOptions
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hoithi-load", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.scenario, "scenario", "round", "round: contestants play a timed round; live: a live quiz game (the -players ... flags)")
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server")
	fs.IntVar(&o.contestants, "contestants", 500, "round: contestants who register, start, answer and submit")
	fs.Int64Var(&o.roundID, "round", 0, "round: the round to play (default: the first open round listed)")
	fs.DurationVar(&o.think, "think", 0, "round: pause before each answer (0: answer as fast as acks come)")
	fs.DurationVar(&o.hold, "hold", 0, "round: hold every socket open this long before anyone answers, and weigh what the server holds for them (after a collection, with its profiles on: PPROF= of pinned.sh); the same pause before the sockets, so that what the starts left is given back first; the starts and the sockets each run alone, and the server's CPU for each is reported")
	fs.DurationVar(&o.thinkMax, "think-max", 0, "round: with it, each pause is drawn at random between -think and this")
	fs.StringVar(&o.profile, "server-profile", "", "round: save the server's CPU profile of the rush (the starts, then play) in this file; the server needs HOITHI_PPROF=1 and the load tool $HOITHI_METRICS_TOKEN")
	fs.IntVar(&o.profileSecs, "server-profile-seconds", 20, "round: how long -server-profile records")
	fs.DurationVar(&o.profileFrom, "server-profile-from", 0, "round: how long after the rush's first start -server-profile begins (20s: the end of a round of 20 questions a second apart)")
	fs.IntVar(&o.watchers, "watchers", 50, "round: spectators on the round's leaderboard websocket")
	fs.IntVar(&o.organizers, "organizers", 0, "round: organizers following the round's live figures (its statistics websocket) through the run, signed in as the staff account of -admin and -password or $HOITHI_ADMIN_EMAIL and $HOITHI_ADMIN_PASSWORD")
	fs.BoolVar(&o.resultPage, "result-page", false, "round: after their result each contestant closes their socket and opens their result page (/attempts/{id}), as the quiz page in a browser does")
	fs.BoolVar(&o.quizPage, "quiz-page", false, "round: after their start each contestant opens the quiz page (/attempts/{id}) on the same connection before their socket, as a browser does: the start's form leads there")
	fs.IntVar(&o.parallel, "parallel", 64, "round: registrations under way at once")
	fs.BoolVar(&o.coldStart, "cold-start", false, "round: each start opens a new connection, as from a browser whose connection closed while its page waited; without it every contestant has the round's page open before the rush, on a connection of their own")
	growthDir := fs.String("growth", "", "read the round runs' outputs named after the flags, in this directory, and write their table (stdout) and chart (growth.svg there): what growth.sh does")
	o.live.register(fs)
	o.faults.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *growthDir != "" {
		return growth(*growthDir, fs.Args(), out)
	}
	o.url = strings.TrimSuffix(o.url, "/")
	switch {
	case o.faults.check:
		return runCheck(ctx, o.url, o.faults, out)
	case o.faults.watchBoards != "":
		return watchBoards(ctx, o.faults.nodes, o.faults.rounds, o.faults.watchBoards, out)
	case o.live.child:
		return runLiveChild(o.url, o.live)
	case o.scenario == "live":
		return runLive(ctx, o.url, o.live, out)
	case o.scenario != "round":
		return fmt.Errorf("-scenario %q: want round or live", o.scenario)
	}
	c := &client{base: o.url, http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
	if o.roundID == 0 && o.faults.duration > 0 {
		id, err := c.makeRound(o.live.email, o.live.password, o.faults.duration, o.faults.questions)
		if err != nil {
			return err
		}
		o.roundID = id
	}
	if o.roundID == 0 {
		id, err := c.openRound()
		if err != nil {
			return err
		}
		o.roundID = id
	}
	log, err := openAckLog(o.faults.acks)
	if err != nil {
		return err
	}
	defer log.close()
	if o.thinkMax < o.think {
		o.thinkMax = o.think
	}
	think := o.think.String()
	if o.thinkMax > o.think {
		think += "–" + o.thinkMax.String()
	}
	fmt.Fprintf(out, "hoithi-load: %d contestants on round %d at %s, think %s, %d leaderboard watchers\n",
		o.contestants, o.roundID, o.url, think, o.watchers)
	var staff string
	if o.organizers > 0 {
		if staff, err = c.staffLogin(o.live.email, o.live.password, "-organizers"); err != nil {
			return err
		}
	}
	before, _ := c.writerFigures()

	// 1. Registration.
	// Phone numbers start at a random point so that runs against one
	// database do not collide.
	phoneBase := rand.IntN(90_000_000)
	tokens := make([]string, o.contestants)
	reg := newSamples()
	sem := make(chan struct{}, o.parallel)
	var wg sync.WaitGroup
	var failures atomic.Int64
	start := time.Now()
	for i := range tokens {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			token, err := c.register(phoneBase+i, i)
			if err != nil {
				failures.Add(1)
				fmt.Fprintln(os.Stderr, "register:", err)
				return
			}
			reg.add(time.Since(t0))
			tokens[i] = token
		}()
	}
	wg.Wait()
	report(out, "register", reg, time.Since(start), failures.Swap(0))
	phase := newPhases(c, o.live.serverPID, out)

	// Spectators connect before the rush.
	watchCtx, stopWatching := context.WithCancel(ctx)
	var pushes atomic.Int64
	var watchWG sync.WaitGroup
	for range o.watchers {
		watchWG.Add(1)
		go func() {
			defer watchWG.Done()
			c.watch(watchCtx, fmt.Sprintf("/ws/rounds/%d/leaderboard?limit=20", o.roundID), nil, &pushes)
		}()
	}
	var statsPushes atomic.Int64
	for range o.organizers {
		watchWG.Add(1)
		go func() {
			defer watchWG.Done()
			c.watch(watchCtx, fmt.Sprintf("/ws/rounds/%d/stats", o.roundID),
				http.Header{"Authorization": {"Bearer " + staff}}, &statsPushes)
		}()
	}

	// Each contestant waits on the round's page, connected.
	var pages []*pageConn
	if !o.coldStart {
		pages = make([]*pageConn, len(tokens))
		var pageFails atomic.Int64
		start = time.Now()
		for i, token := range tokens {
			if token == "" {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				pc, err := c.openPage(token, o.roundID)
				if err != nil {
					pageFails.Add(1)
					fmt.Fprintln(os.Stderr, "round page:", err)
					return
				}
				pages[i] = pc
			}()
		}
		wg.Wait()
		fmt.Fprintf(out, "%-28s %6d in %6.2f s, failed %d\n", "round page open", len(tokens), time.Since(start).Seconds(), pageFails.Load())
	}

	// 2. The rush: every contestant starts at once, on their page's
	// connection (closed once it has answered: the load tool and the
	// server may each hold 20,000 files, and the sockets come next).
	attempts := make([]int64, len(tokens))
	starts, quizPages := newSamples(), newSamples()
	var quizPageFails atomic.Int64
	gate := make(chan struct{})
	start = time.Now()
	for i, token := range tokens {
		if token == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			t0 := time.Now()
			var id int64
			var err error
			if pages != nil {
				if pages[i] == nil {
					failures.Add(1) // its page did not open: no start
					return
				}
				defer pages[i].close()
				id, err = pages[i].start(token, o.roundID)
			} else {
				id, err = c.start(token, o.roundID)
			}
			if err != nil {
				failures.Add(1)
				fmt.Fprintln(os.Stderr, "start:", err)
				return
			}
			starts.add(time.Since(t0))
			attempts[i] = id
			if o.quizPage {
				t1 := time.Now()
				if err := attemptPage(c, pages[i], token, id, true); err != nil {
					quizPageFails.Add(1)
					fmt.Fprintln(os.Stderr, "quiz page:", err)
					return
				}
				quizPages.add(time.Since(t1))
			}
		}()
	}
	var profiled <-chan error
	if o.profile != "" {
		profiled = c.profileServer(o.profile, o.profileFrom, o.profileSecs)
	}
	phase.mark()
	start = time.Now()
	close(gate)
	wg.Wait()
	startFails := failures.Swap(0)
	report(out, "start attempt (all at once)", starts, time.Since(start), startFails)
	if o.quizPage {
		report(out, "start → quiz page", quizPages, time.Since(start), quizPageFails.Load())
	}
	phase.report()

	// 3. Answer every question and submit; the first -stalled contestants
	// stop reading their socket instead.
	p := &player{think: o.think, thinkMax: o.thinkMax, retry: o.faults.retry, log: log,
		acks: newSamples(), acksAllOpen: newSamples(), acksByTurn: [3]*samples{newSamples(), newSamples(), newSamples()}, states: newSamples(), results: newSamples(), waited: newSamples(),
		queued: newSamples(), refused: newTally(), closes: newTally()}
	if o.resultPage {
		p.resultPages = newSamples()
	}
	var round struct {
		DurationSeconds int `json:"duration_seconds"`
	}
	if err := c.call("GET", fmt.Sprintf("/api/v1/rounds/%d", o.roundID), "", nil, &round); err == nil {
		p.duration = time.Duration(round.DurationSeconds) * time.Second
	}
	p.allOpen = make(chan struct{})
	playing := 0
	for _, id := range attempts {
		if id != 0 {
			playing++
		}
	}
	p.want.Store(int64(playing - min(o.faults.stalled, playing)))
	// Once every playing contestant's socket is open: the server then
	// holds them all. With -hold, nobody answers until they are weighed,
	// against the server before the sockets, each after a collection and
	// the hold (the runtime gives freed memory back in the background).
	var heldBefore serverFigures
	if o.hold > 0 {
		p.release = make(chan struct{})
		c.http.CloseIdleConnections()
		c.collect()
		time.Sleep(o.hold)
		heldBefore = phase.srv.read()
	}
	opened := make(chan serverFigures, 1)
	var openedAt serverFigures // held: the server the moment the last socket got its state
	var openedTool float64     // held: the load tool's CPU then
	go func() {
		select {
		case <-p.allOpen:
			if o.hold > 0 {
				openedAt, openedTool = phase.srv.read(), procCPU(os.Getpid())
				time.Sleep(o.hold)
				c.collect()
				time.Sleep(time.Second)
			}
			opened <- phase.srv.read()
		case <-time.After(2 * time.Minute): // some never opened: play on
		case <-ctx.Done():
		}
		if p.release != nil {
			close(p.release)
		}
		close(opened)
	}()
	stall := &staller{wait: o.faults.stallWait, closes: newTally(), closedAfter: newSamples()}
	stalled := 0
	socketsFrom, toolFrom := phase.srv.read(), procCPU(os.Getpid()) // the server and the tool as the sockets begin
	start = time.Now()
	for i, token := range tokens {
		if attempts[i] == 0 {
			continue
		}
		wg.Add(1)
		if stalled < o.faults.stalled {
			stalled++
			go func() {
				defer wg.Done()
				if err := stall.run(c, token, attempts[i]); err != nil {
					stall.failures.Add(1)
					fmt.Fprintln(os.Stderr, "stalled:", err)
				}
			}()
			continue
		}
		go func() {
			defer wg.Done()
			if err := c.play(p, token, attempts[i]); err != nil {
				failures.Add(1)
				fmt.Fprintln(os.Stderr, "play:", err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	fails := failures.Swap(0)
	report(out, "websocket connect → state", p.states, took, fails)
	report(out, "attempt clock → questions", p.waited, took, 0)
	report(out, "answer → ack", p.acks, took, 0)
	report(out, "  sent with all sockets open", p.acksAllOpen, took, 0)
	report(out, "  first answers", p.acksByTurn[0], took, 0)
	report(out, "  answers between", p.acksByTurn[1], took, 0)
	report(out, "  last answers", p.acksByTurn[2], took, 0)
	report(out, "submit → result", p.results, took, 0)
	report(out, "  working time added", p.queued, took, 0)
	if p.resultPages != nil {
		report(out, "result → result page", p.resultPages, took, 0)
	}
	select {
	case f, ok := <-opened:
		if ok {
			fmt.Fprintf(out, "  %-26s %s; %.1f KB resident a contestant", "server, all sockets open", f,
				f.rss/1e3/float64(max(1, len(tokens))))
			if o.hold == 0 && f.cpu > 0 {
				// Held, the figures are read after a collection and a wait.
				fmt.Fprintf(out, "; since the first socket: CPU %s; %.0f µs a socket, with the answers sent by then",
					f.cpuSince(socketsFrom, f.at.Sub(socketsFrom.at)), 1e6*(f.cpu-socketsFrom.cpu)/float64(max(1, playing)))
			}
			fmt.Fprintln(out)
			if o.hold > 0 {
				if openedAt.cpu > 0 {
					// Nobody answered before then: what the sockets alone
					// cost, and what opening them cost the tool, whose core
					// bounds how soon it can see the states.
					took := openedAt.at.Sub(socketsFrom.at)
					fmt.Fprintf(out, "  %-26s CPU %s; %.0f µs a socket; the load tool's CPU %.2f s (%.0f %% of a core)\n", "server, opening sockets",
						openedAt.cpuSince(socketsFrom, took), 1e6*(openedAt.cpu-socketsFrom.cpu)/float64(max(1, playing)),
						openedTool-toolFrom, 100*(openedTool-toolFrom)/took.Seconds())
				}
				n := max(1, f.sockets-heldBefore.sockets)
				fmt.Fprintf(out, "  %-26s a socket: %.1f KB more resident memory, %.1f KB more heap in use, %.1f KB more goroutine stack (%s before, %s held)\n",
					"sockets held", (f.rss-heldBefore.rss)/1e3/n, (f.heap-heldBefore.heap)/1e3/n, (f.stack-heldBefore.stack)/1e3/n, heldBefore, f)
			}
		}
	default: // not all opened (failures)
	}
	phase.report()
	p.refused.report(out, "answers refused")
	p.closes.report(out, "closed by the server")
	if stalled > 0 {
		stall.report(out, stalled)
	}
	time.Sleep(500 * time.Millisecond) // the last leaderboard push
	stopWatching()
	watchWG.Wait()
	if profiled != nil {
		if err := <-profiled; err != nil {
			return err
		}
		fmt.Fprintf(out, "%-28s %s\n", "server CPU profile", o.profile)
	}
	fmt.Fprintf(out, "%-28s %d pushes to %d watchers (%.1f per watcher)\n", "leaderboard pushes", pushes.Load(), o.watchers,
		float64(pushes.Load())/float64(max(1, o.watchers)))

	if o.organizers > 0 {
		fmt.Fprintf(out, "%-28s %d pushes to %d organizers (%.1f per organizer)\n", "live figures pushes", statsPushes.Load(), o.organizers,
			float64(statsPushes.Load())/float64(o.organizers))
	}

	if after, err := c.writerFigures(); err == nil {
		commits := after.commits - before.commits
		ops := after.ops - before.ops
		fmt.Fprintf(out, "%-28s %.0f commits, %.0f writes, %.1f writes per commit, mean commit %.2f ms\n", "server writer",
			commits, ops, ops/max(1, commits), 1000*(after.seconds-before.seconds)/max(1, commits))
		if reads := after.statsReads - before.statsReads; reads > 0 {
			fmt.Fprintf(out, "%-28s %.0f readings, mean %.0f ms, %.2f s in all\n", "server, live figures",
				reads, 1000*(after.statsSeconds-before.statsSeconds)/reads, after.statsSeconds-before.statsSeconds)
		}
	}
	if err := log.close(); err != nil {
		return err
	}
	registered := 0
	for _, t := range tokens {
		if t != "" {
			registered++
		}
	}
	if lost := o.contestants - registered; lost > 0 || startFails > 0 || fails > 0 {
		return fmt.Errorf("of %d contestants, %d did not register, %d could not start and %d did not finish",
			o.contestants, lost, startFails, fails)
	}
	if n := stall.failures.Load(); n > 0 {
		return fmt.Errorf("%d of %d stalled sockets were not closed by the server within %s", n, stalled, o.faults.stallWait)
	}
	return nil
}

// samples collects latencies.
type samples struct {
	mu sync.Mutex
	d  []time.Duration
}

func newSamples() *samples { return &samples{} }

func (s *samples) add(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

func (s *samples) percentile(p float64) time.Duration {
	if len(s.d) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(s.d)-1))
	return s.d[i]
}

func report(out io.Writer, step string, s *samples, took time.Duration, failures int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.d)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(out, "%-28s %6d in %6.2f s = %8.0f/s   p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %7.2f ms  failed %d\n",
		step, len(s.d), took.Seconds(), float64(len(s.d))/took.Seconds(),
		ms(s.percentile(50)), ms(s.percentile(95)), ms(s.percentile(99)), ms(s.percentile(100)), failures)
}

type client struct {
	base string
	http *http.Client
}

func (c *client) call(method, path, token string, body, out any) error {
	data, err := c.do(method, path, token, body)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// do sends a request, signed in with token when it is not empty, with
// body as JSON, and returns the answer's body; a status of 300 or more is
// an error.
func (c *client) do(method, path, token string, body any) ([]byte, error) {
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return data, nil
}

func (c *client) openRound() (int64, error) {
	var list struct {
		Contests []struct {
			Rounds []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	if err := c.call("GET", "/api/v1/contests", "", nil, &list); err != nil {
		return 0, err
	}
	for _, ct := range list.Contests {
		for _, r := range ct.Rounds {
			if r.Status == "open" {
				return r.ID, nil
			}
		}
	}
	return 0, errors.New("no open round; give one with -round")
}

var names = []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"}

func (c *client) register(phone, i int) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := c.call("POST", "/api/v1/auth/register", "", map[string]any{
		"full_name": names[i%len(names)], "birth_date": "1990-01-01", "id_number": fmt.Sprintf("0010900%05d", i%100000),
		"phone": fmt.Sprintf("09%08d", phone), "province": "01", "unit": fmt.Sprintf("Đơn vị %c", 'A'+i%26), "password": "mat-khau-tai",
		"consent": true,
	}, &out)
	return out.Token, err
}

func (c *client) start(token string, roundID int64) (int64, error) {
	var out struct {
		AttemptID int64 `json:"attempt_id"`
	}
	err := c.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil, &out)
	return out.AttemptID, err
}

func (c *client) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(c.base, "http") + path
}

var dialer = &websocket.Dialer{HandshakeTimeout: 30 * time.Second}

// player is how contestants play and what they measure.
type player struct {
	think, thinkMax time.Duration // each pause is drawn between the two
	// retry: an answer or submit refused because the server could not
	// store it (storage_unavailable, internal) is sent again after this
	// long, as the quiz page lets the contestant do; 0 gives up.
	retry                 time.Duration
	log                   *ackLog
	acks, states, results *samples
	// resultPages, with -result-page, time each contestant's result page
	// from the closing of their socket to its last byte.
	resultPages *samples
	// acksAllOpen are the acks of answers sent once every contestant's
	// socket had its state: the rush's answers without its opening.
	acksAllOpen *samples
	// acksByTurn are the acks of each contestant's first answer, of the
	// answers between, and of the last, which meets the submissions of
	// those who finished first: where in the play the slow acks are.
	acksByTurn [3]*samples
	// waited is, for each contestant, how long their attempt's clock ran
	// before its questions arrived: from the start the server recorded
	// (the deadline less the round's duration) to the state.
	waited *samples
	// queued is, for each submission, how much longer the working time the
	// server counted (its duration_ms, which breaks ties in the ranking)
	// is than the contestant's own, from the start the server recorded to
	// the moment the submit was sent: the time it waited for the server.
	queued   *samples
	duration time.Duration // the round's attempts
	// open counts the contestants whose socket got its state; allOpen is
	// closed when that reaches want.
	open, want      atomic.Int64
	allOpen         chan struct{}
	release         chan struct{} // with -hold: closed once the held sockets are weighed
	refused, closes *tally
}

// retryable are the error codes of a message the server did not store and
// may store when sent again.
var retryable = map[string]bool{"storage_unavailable": true, "internal": true}

// reply is a server message on an attempt socket.
type reply struct {
	Type       string `json:"type"`
	Seq        int64  `json:"seq"`
	Code       string `json:"code"`
	Score      int    `json:"score"`
	Auto       bool   `json:"auto"`
	DurationMs int64  `json:"duration_ms"` // of a result: the working time counted
}

// play answers every question of an attempt, one after the other, each
// after its ack, then submits. Every state, ack, refusal, result and close
// goes to the -acks file.
func (c *client) play(p *player, token string, attemptID int64) error {
	t0 := time.Now()
	ws, _, err := dialer.Dial(c.wsURL(fmt.Sprintf("/ws/attempts/%d", attemptID)), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		return err
	}
	defer ws.Close()
	// The state is timed as it arrives, before it is read.
	_, data, err := ws.ReadMessage()
	if err != nil {
		return p.closed(ws, attemptID, fmt.Errorf("state: %w", err))
	}
	p.states.add(time.Since(t0))
	st, err := decodeState(data)
	if err != nil || st.Type != "state" {
		return p.closed(ws, attemptID, fmt.Errorf("state: %v %q", err, st.Type))
	}
	var startedAt time.Time // as the server recorded it
	if deadline, err := time.Parse(time.RFC3339Nano, st.Deadline); err == nil && p.duration > 0 {
		startedAt = deadline.Add(-p.duration)
		p.waited.add(max(0, time.Since(startedAt)))
	}
	if p.open.Add(1) == p.want.Load() {
		close(p.allOpen)
	}
	p.log.write(record{Kind: "state", Attempt: attemptID, Token: token, Deadline: st.Deadline})
	if p.release != nil {
		<-p.release
	}
	rng := rand.New(rand.NewPCG(uint64(attemptID), 7))
	seq := int64(0)
	// exchange sends m (with the next seq) until it gets a reply other
	// than a refusal to retry.
	exchange := func(m map[string]any) (reply, error) {
		for {
			seq++
			m["seq"] = seq
			if err := ws.WriteJSON(m); err != nil {
				return reply{}, p.closed(ws, attemptID, err)
			}
			var r reply
			for {
				if err := ws.ReadJSON(&r); err != nil {
					return reply{}, p.closed(ws, attemptID, err)
				}
				if r.Type == "result" && r.Seq == 0 { // submitted by the server at the deadline
					p.log.write(record{Kind: "result", Attempt: attemptID, Score: &r.Score, Auto: true})
					return reply{}, fmt.Errorf("attempt %d was submitted at its deadline", attemptID)
				}
				if r.Seq == seq {
					break
				}
			}
			if r.Type != "error" {
				return r, nil
			}
			p.refused.add(r.Code)
			p.log.write(record{Kind: "error", Attempt: attemptID, Code: r.Code})
			if p.retry == 0 || !retryable[r.Code] {
				return r, fmt.Errorf("attempt %d: %s refused: %s", attemptID, m["type"], r.Code)
			}
			time.Sleep(p.retry)
		}
	}
	for i, q := range st.Questions {
		if p.think > 0 {
			time.Sleep(p.think + time.Duration(rng.Int64N(int64(p.thinkMax-p.think)+1)))
		}
		t0, allOpen := time.Now(), p.allSocketsOpen()
		choice := []int64{q.Options[rng.IntN(len(q.Options))]}
		r, err := exchange(map[string]any{"type": "answer", "question_id": q.ID, "option_ids": choice})
		if err != nil {
			return err
		}
		if r.Type != "ack" {
			return fmt.Errorf("answer: got %s", r.Type)
		}
		took := time.Since(t0)
		p.acks.add(took)
		if allOpen {
			p.acksAllOpen.add(took)
		}
		p.acksByTurn[turn(i, len(st.Questions))].add(took)
		p.log.write(record{Kind: "ack", Attempt: attemptID, Question: q.ID, Options: choice})
	}
	t0 = time.Now()
	r, err := exchange(map[string]any{"type": "submit", "prediction": rng.IntN(50)})
	if err != nil {
		return err
	}
	if r.Type != "result" {
		return fmt.Errorf("submit: got %s", r.Type)
	}
	p.results.add(time.Since(t0))
	if !startedAt.IsZero() {
		own := t0.Sub(startedAt).Truncate(time.Millisecond)
		p.queued.add(max(0, time.Duration(r.DurationMs)*time.Millisecond-own))
	}
	p.log.write(record{Kind: "result", Attempt: attemptID, Score: &r.Score})
	if p.resultPages == nil {
		return nil
	}
	ws.Close()
	t0 = time.Now()
	if err := attemptPage(c, nil, token, attemptID, false); err != nil {
		return fmt.Errorf("result page: %w", err)
	}
	p.resultPages.add(time.Since(t0))
	return nil
}

// turn places the answer to question i of n: 0 the first, 2 the last, 1
// those between (a one-question attempt's answer is its first).
func turn(i, n int) int {
	switch {
	case i == 0:
		return 0
	case i == n-1:
		return 2
	}
	return 1
}

// allSocketsOpen reports whether every playing contestant's socket has
// had its state.
func (p *player) allSocketsOpen() bool {
	select {
	case <-p.allOpen:
		return true
	default:
		return false
	}
}

// closed notes how the server ended a socket that failed with err (its
// close code, or 1006 when it sent none) and returns err.
func (p *player) closed(ws *websocket.Conn, attemptID int64, err error) error {
	code := closeCode(ws, err)
	p.closes.add(strconv.Itoa(code))
	p.log.write(record{Kind: "closed", Attempt: attemptID, Close: code})
	return err
}

// closeCode is the close code the server sent before err, or 1006 when
// it sent none.
func closeCode(ws *websocket.Conn, err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	// A write failed, or a read did without a close frame: what is left
	// to read may end with one.
	_ = ws.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if errors.As(err, &ce) {
				return ce.Code
			}
			return websocket.CloseAbnormalClosure
		}
	}
}

// staffLogin signs in with a staff account: email and password, or
// $HOITHI_ADMIN_EMAIL and $HOITHI_ADMIN_PASSWORD when they are empty
// (pinned.sh sets them). why names what needs it, for the error.
func (c *client) staffLogin(email, password, why string) (string, error) {
	if email == "" {
		email = os.Getenv("HOITHI_ADMIN_EMAIL")
	}
	if password == "" {
		password = os.Getenv("HOITHI_ADMIN_PASSWORD")
	}
	if email == "" || password == "" {
		return "", fmt.Errorf("%s: a staff account is needed: -admin and -password, or HOITHI_ADMIN_EMAIL and HOITHI_ADMIN_PASSWORD", why)
	}
	var login struct {
		Token string `json:"token"`
	}
	if err := c.call("POST", "/api/v1/auth/login", "", map[string]string{"login": email, "password": password}, &login); err != nil {
		return "", fmt.Errorf("%s: sign-in: %w", why, err)
	}
	return login.Token, nil
}

// watch reads the pushes of a websocket (a round's leaderboard, its live
// figures) until ctx ends.
func (c *client) watch(ctx context.Context, path string, header http.Header, pushes *atomic.Int64) {
	ws, _, err := dialer.Dial(c.wsURL(path), header)
	if err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		return
	}
	go func() {
		<-ctx.Done()
		ws.Close()
	}()
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
		pushes.Add(1)
	}
}

// writerFigures are the writer's commits, their writes and time, and the
// live figures' readings and their time.
type writerFigures struct{ commits, ops, seconds, statsReads, statsSeconds float64 }

// writerFigures reads the writer's and the live figures' histograms from
// /metrics.
func (c *client) writerFigures() (writerFigures, error) {
	resp, err := c.metrics()
	if err != nil {
		return writerFigures{}, err
	}
	defer resp.Body.Close()
	var f writerFigures
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "hoithi_writer_batch_ops_count":
			f.commits = v
		case "hoithi_writer_batch_ops_sum":
			f.ops = v
		case "hoithi_writer_commit_seconds_sum":
			f.seconds = v
		case "hoithi_stats_read_seconds_count":
			f.statsReads = v
		case "hoithi_stats_read_seconds_sum":
			f.statsSeconds = v
		}
	}
	return f, sc.Err()
}
