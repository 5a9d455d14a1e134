package main

// Leaderboards across the nodes of a cluster. -watch-boards holds one
// leaderboard websocket per round on every node named by -nodes (each
// node directly, not through the balancer) and writes every push to a
// file; -check -boards then says whether the nodes agreed: every
// contestant one node showed, every other node still up showed within
// -board-lag, as it was shown; and the nodes left ended on one ranking,
// of every contestant the database has with a submitted attempt.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// boardRecord is one line of a -watch-boards file.
type boardRecord struct {
	Kind    string          `json:"kind"` // board, closed
	Node    string          `json:"node"`
	Round   int64           `json:"round"`
	At      int64           `json:"at"` // Unix milliseconds, when the push arrived
	Total   int             `json:"total,omitempty"`
	Digest  string          `json:"digest,omitempty"`  // the first 8 bytes of the SHA-256 of the entries as sent, in hex
	Entries json.RawMessage `json:"entries,omitempty"` // as sent
}

// watchBoards watches the leaderboards of rounds on every node until ctx
// ends or the process is interrupted, appending each push to path.
func watchBoards(ctx context.Context, nodes, rounds, path string, out io.Writer) error {
	if nodes == "" || rounds == "" {
		return errors.New("-watch-boards needs -nodes URL,URL and -rounds ID,ID")
	}
	var ids []int64
	for _, r := range strings.Split(rounds, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(r), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("-rounds: %q is not a round id", r)
		}
		ids = append(ids, id)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("-watch-boards: %w", err)
	}
	defer f.Close()
	var mu sync.Mutex
	var writeErr error
	write := func(r boardRecord) {
		r.At = time.Now().UnixMilli()
		data, _ := json.Marshal(r)
		mu.Lock()
		defer mu.Unlock()
		if _, err := f.Write(append(data, '\n')); err != nil && writeErr == nil {
			writeErr = err
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var wg sync.WaitGroup
	for _, node := range strings.Split(nodes, ",") {
		node = strings.TrimSuffix(strings.TrimSpace(node), "/")
		c := &client{base: node}
		for _, id := range ids {
			ws, _, err := dialer.Dial(c.wsURL(fmt.Sprintf("/ws/rounds/%d/leaderboard?limit=1000", id)), nil)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", node, id, err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				go func() {
					<-ctx.Done()
					ws.Close()
				}()
				for {
					var m struct {
						Type    string          `json:"type"`
						Total   *int            `json:"total"`
						Entries json.RawMessage `json:"entries"`
					}
					if err := ws.ReadJSON(&m); err != nil {
						if ctx.Err() == nil {
							write(boardRecord{Kind: "closed", Node: node, Round: id})
						}
						return
					}
					if m.Type != "leaderboard" {
						continue
					}
					sum := sha256.Sum256(m.Entries)
					r := boardRecord{Kind: "board", Node: node, Round: id, Total: -1, Digest: hex.EncodeToString(sum[:8]),
						Entries: m.Entries}
					if m.Total != nil {
						r.Total = *m.Total
					}
					write(r)
				}
			}()
		}
	}
	fmt.Fprintf(out, "watching rounds %s on %s\n", rounds, nodes)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return writeErr
}

// nodeBoards is what one node showed of one round, in order.
type nodeBoards struct {
	node   string
	boards []shownBoard
	closed int64 // when its socket closed without being asked to; 0: open to the end
}

// shownBoard is one push, with its entries counted by what they show of a
// contestant (name, unit, score, correct answers, working time), their
// rank left out: ranks move as others join.
type shownBoard struct {
	boardRecord
	entries map[string]int
	shown   int // entries
}

// covers reports whether b shows everyone other shows, and as many. A
// round whose attempts are played once (the drills' rounds) only grows:
// an entry, once shown, stays. Boards cut at their limit (more
// contestants than entries) are compared by their totals alone: a
// contestant shown on the shorter board may have left the longer one's
// head.
func (b shownBoard) covers(other shownBoard) bool {
	if b.Total < other.Total {
		return false
	}
	if b.Total > b.shown || other.Total > other.shown {
		return true
	}
	for e, n := range other.entries {
		if b.entries[e] < n {
			return false
		}
	}
	return true
}

// missing names an entry other shows and b does not.
func (b shownBoard) missing(other shownBoard) string {
	for e, n := range other.entries {
		if b.entries[e] < n {
			return strings.ReplaceAll(e, "\x00", " ")
		}
	}
	return fmt.Sprintf("%d contestants", other.Total)
}

func entryCounts(raw json.RawMessage) (map[string]int, int, error) {
	var entries []struct {
		Name       string `json:"name"`
		Unit       string `json:"unit"`
		Score      int    `json:"score"`
		Correct    int    `json:"correct"`
		DurationMs int64  `json:"duration_ms"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, 0, err
		}
	}
	counts := make(map[string]int, len(entries))
	for _, e := range entries {
		counts[fmt.Sprintf("%s\x00%s\x00score %d\x00correct %d\x00%d ms", e.Name, e.Unit, e.Score, e.Correct, e.DurationMs)]++
	}
	return counts, len(entries), nil
}

// boardFindings is what checkBoards found.
type boardFindings struct {
	pushes, nodes, rounds int
	lags                  []time.Duration // per board shown: how long the last other node took to show as much
	problems              []string
}

// checkBoards reads a -watch-boards file and checks that the nodes agreed
// within lag: whatever one node showed, every other node up showed too
// within lag, and the nodes left ended on one ranking. final, when not
// nil, gives each round's number of contestants with a submitted attempt
// in the database, which that ranking must have.
func checkBoards(path string, lag time.Duration, final func(round int64) (int, error)) (boardFindings, error) {
	var f boardFindings
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	rounds := map[int64]map[string]*nodeBoards{}
	nodes := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var r boardRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return f, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		byNode := rounds[r.Round]
		if byNode == nil {
			byNode = map[string]*nodeBoards{}
			rounds[r.Round] = byNode
		}
		n := byNode[r.Node]
		if n == nil {
			n = &nodeBoards{node: r.Node}
			byNode[r.Node] = n
		}
		nodes[r.Node] = true
		switch r.Kind {
		case "board":
			counts, shown, err := entryCounts(r.Entries)
			if err != nil {
				return f, fmt.Errorf("%s:%d: %w", path, i+1, err)
			}
			n.boards = append(n.boards, shownBoard{r, counts, shown})
			f.pushes++
		case "closed":
			n.closed = r.At
		}
	}
	f.nodes, f.rounds = len(nodes), len(rounds)
	problem := func(format string, args ...any) { f.problems = append(f.problems, fmt.Sprintf(format, args...)) }

	ids := make([]int64, 0, len(rounds))
	for id := range rounds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		var all []*nodeBoards
		for _, n := range rounds[id] {
			all = append(all, n)
		}
		slices.SortFunc(all, func(a, b *nodeBoards) int { return strings.Compare(a.node, b.node) })
		var watchedFrom int64 // when every node's first board had come
		for _, n := range all {
			if len(n.boards) == 0 {
				problem("round %d: node %s sent no leaderboard", id, n.node)
				continue
			}
			watchedFrom = max(watchedFrom, n.boards[0].At)
			for _, b := range n.boards {
				if b.Total < 0 {
					problem("round %d: node %s sent a leaderboard without its total", id, n.node)
				}
			}
		}
		// Each board one node showed: how long every other node still up
		// took to show as much.
		for _, x := range all {
			for _, b := range x.boards {
				if b.At < watchedFrom || b.Total < 0 {
					continue // shown before every node was watched
				}
				var last time.Duration
				for _, y := range all {
					if y == x {
						continue
					}
					i := slices.IndexFunc(y.boards, func(yb shownBoard) bool { return yb.covers(b) })
					if y.closed != 0 && y.closed < b.At+lag.Milliseconds() && (i < 0 || y.boards[i].At > y.closed) {
						continue // the node went down before it had to show it
					}
					if i < 0 {
						problem("round %d: node %s never showed %s, which node %s showed", id, y.node, y.boards[len(y.boards)-1].missing(b), x.node)
						continue
					}
					last = max(last, time.Duration(y.boards[i].At-b.At)*time.Millisecond)
				}
				f.lags = append(f.lags, last)
				if last > lag {
					problem("round %d: a node showed the %d contestants node %s showed %s after it, more than %s", id, b.Total, x.node, last, lag)
				}
			}
		}
		// The nodes left end on one ranking, the database's.
		var ended []shownBoard
		for _, n := range all {
			if n.closed == 0 && len(n.boards) > 0 {
				ended = append(ended, n.boards[len(n.boards)-1])
			}
		}
		if len(ended) == 0 {
			problem("round %d: no node's leaderboard was open to the end", id)
			continue
		}
		for _, b := range ended[1:] {
			if b.Digest != ended[0].Digest {
				problem("round %d: nodes %s and %s ended on different rankings", id, ended[0].Node, b.Node)
			}
		}
		if final == nil {
			continue
		}
		want, err := final(id)
		if err != nil {
			return f, err
		}
		for _, b := range ended {
			if b.Total != want {
				problem("round %d: node %s ended on %d contestants, the database has %d with a submitted attempt", id, b.Node, b.Total, want)
			}
		}
	}
	return f, nil
}

// report prints what checkBoards found.
func (f boardFindings) report(out io.Writer, lag time.Duration) {
	slices.Sort(f.lags)
	pick := func(p float64) time.Duration {
		if len(f.lags) == 0 {
			return 0
		}
		return f.lags[int(p/100*float64(len(f.lags)-1))]
	}
	fmt.Fprintf(out, "boards: %d pushes from %d nodes on %d rounds; what each showed, every other node up showed within p50 %s, p99 %s, max %s (at most %s)\n",
		f.pushes, f.nodes, f.rounds, pick(50), pick(99), pick(100), lag)
}

// runBoardCheck checks a -watch-boards file, and against the database
// when there is one (db not nil).
func runBoardCheck(ctx context.Context, db *checkedDB, o faultOptions, out io.Writer) error {
	var final func(int64) (int, error)
	if db != nil {
		final = func(round int64) (int, error) {
			var n int
			err := db.QueryRowContext(ctx, `SELECT count(DISTINCT user_id) FROM attempts
				WHERE round_id = ? AND submitted_at IS NOT NULL`, round).Scan(&n)
			return n, err
		}
	}
	f, err := checkBoards(o.boards, o.boardLag, final)
	if err != nil {
		return err
	}
	f.report(out, o.boardLag)
	if f.pushes == 0 {
		f.problems = append(f.problems, "the -boards file has no leaderboard")
	}
	for i, p := range f.problems {
		if i == 30 {
			fmt.Fprintf(out, "FAIL … and %d more\n", len(f.problems)-i)
			break
		}
		fmt.Fprintln(out, "FAIL", p)
	}
	if len(f.problems) > 0 {
		return fmt.Errorf("check: %d problems", len(f.problems))
	}
	fmt.Fprintln(out, "check: ok")
	return nil
}
