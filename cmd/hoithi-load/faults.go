package main

// What the round scenario offers the fault drills of cmd/hoithi-load/faults:
// a round of its own with short attempts (-duration), a file of every
// acknowledgement received (-acks), contestants who stop reading their
// socket (-stalled), and a checking mode (-check) that compares such files
// with the database and with what the server says over reconnected sockets
// once the fault is over.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"
)

// faultOptions are the flags of the fault drills.
type faultOptions struct {
	acks      string
	duration  time.Duration
	questions int
	retry     time.Duration
	stalled   int
	stallWait time.Duration

	check     bool
	db        string
	grace     time.Duration
	expect    string
	wantClose int
	wantError string

	watchBoards string
	nodes       string
	rounds      string
	boards      string
	boardLag    time.Duration
}

func (o *faultOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.acks, "acks", "", "round: append every state, ack, refusal, result and close the contestants get to FILE (JSON lines); with -check: the files to check, comma-separated")
	fs.DurationVar(&o.duration, "duration", 0, "round: make a new contest with one round whose attempts last this long (as the -admin account) and play it")
	fs.IntVar(&o.questions, "round-questions", 20, "round: questions in the round -duration makes")
	fs.DurationVar(&o.retry, "retry", 0, "round: send an answer or submit the server could not store (storage_unavailable, internal) again after this long (0: the contestant gives up)")
	fs.IntVar(&o.stalled, "stalled", 0, "round: this many contestants read their state, then send without ever reading again, until the server closes their socket")
	fs.DurationVar(&o.stallWait, "stall-wait", 30*time.Second, "round: how long a stalled socket may stay open before the run fails")
	fs.BoolVar(&o.check, "check", false, "check the -acks files against the database -db and the server at -url, then exit")
	fs.StringVar(&o.db, "db", "", "check: the server's database file")
	fs.DurationVar(&o.grace, "grace", 3*time.Second, "check: the server's HOITHI_GRACE")
	fs.StringVar(&o.expect, "expect", "", "check: what every attempt must be now, any of open, expired (submitted by the server at its deadline) and submitted (by its contestant), comma-separated (default: any)")
	fs.IntVar(&o.wantClose, "want-close", 0, "check: every socket that did not get its result was closed by the server with this code")
	fs.StringVar(&o.wantError, "want-error", "", "check: the contestants were refused with this error code at least once, and with no other")
	fs.StringVar(&o.watchBoards, "watch-boards", "", "watch the leaderboards of -rounds on every node of -nodes, each directly, appending every push to FILE, until interrupted")
	fs.StringVar(&o.nodes, "nodes", "", "watch-boards: the nodes' URLs, comma-separated")
	fs.StringVar(&o.rounds, "rounds", "", "watch-boards: the round ids, comma-separated")
	fs.StringVar(&o.boards, "boards", "", "check: a -watch-boards file; the nodes must have agreed within -board-lag and ended on one ranking, with -db the database's")
	fs.DurationVar(&o.boardLag, "board-lag", time.Second, "check: how long after the first node every other node up may show a ranking")
}

// record is one line of an -acks file.
type record struct {
	Kind     string  `json:"kind"` // state, ack, error, result, closed
	Attempt  int64   `json:"attempt"`
	Token    string  `json:"token,omitempty"`    // state
	Deadline string  `json:"deadline,omitempty"` // state
	Question int64   `json:"question,omitempty"` // ack
	Options  []int64 `json:"options,omitempty"`  // ack
	Code     string  `json:"code,omitempty"`     // error
	Score    *int    `json:"score,omitempty"`    // result
	Auto     bool    `json:"auto,omitempty"`     // result
	Close    int     `json:"close,omitempty"`    // closed
}

// ackLog writes records as they happen, each in one write, so that a
// drill can watch the file grow and kill the server at a chosen point.
type ackLog struct {
	mu  sync.Mutex
	f   *os.File
	err error
}

func openAckLog(path string) (*ackLog, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("-acks: %w", err)
	}
	return &ackLog{f: f}, nil
}

func (l *ackLog) write(r record) {
	if l == nil {
		return
	}
	data, _ := json.Marshal(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	if _, err := l.f.Write(append(data, '\n')); err != nil && l.err == nil {
		l.err = fmt.Errorf("-acks: %w", err)
	}
}

func (l *ackLog) close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		if err := l.f.Close(); err != nil && l.err == nil {
			l.err = fmt.Errorf("-acks: %w", err)
		}
		l.f = nil
	}
	return l.err
}

// tally counts what happened by name (an error code, a close code).
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func newTally() *tally { return &tally{n: map[string]int{}} }

func (t *tally) add(name string) {
	t.mu.Lock()
	t.n[name]++
	t.mu.Unlock()
}

func (t *tally) report(out io.Writer, what string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.n) == 0 {
		return
	}
	var parts []string
	names := make([]string, 0, len(t.n))
	for name := range t.n {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		parts = append(parts, fmt.Sprintf("%s ×%d", name, t.n[name]))
	}
	fmt.Fprintf(out, "%-28s %s\n", what, strings.Join(parts, ", "))
}

// staller plays the contestants who stop reading their socket: each reads
// its state, then sends answers the server refuses at once (an option of
// no question: no write to the database) as fast as its socket takes them,
// and never reads again, with a receive buffer of a few kilobytes so that
// the server's replies back up quickly. The server must close the socket
// (1013 once a thousand replies wait, or its write timeout) while the
// other contestants go on.
type staller struct {
	wait        time.Duration
	closes      *tally
	closedAfter *samples
	failures    atomic.Int64
	sent        atomic.Int64 // messages the stalled sockets sent, all together
}

// smallReceiveBuffer dials with a receive buffer of a few kilobytes.
var smallReceiveBuffer = &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
	return errors.Join(err, serr)
}}

func (s *staller) run(c *client, token string, attemptID int64) error {
	d := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, NetDialContext: smallReceiveBuffer.DialContext}
	ws, _, err := d.Dial(c.wsURL(fmt.Sprintf("/ws/attempts/%d", attemptID)), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		return err
	}
	defer ws.Close()
	var st struct {
		Type      string `json:"type"`
		Questions []struct {
			ID int64 `json:"id"`
		} `json:"questions"`
	}
	if err := ws.ReadJSON(&st); err != nil || st.Type != "state" || len(st.Questions) == 0 {
		return fmt.Errorf("state: %v %q", err, st.Type)
	}
	// From here on nothing is read.
	start := time.Now()
	give := start.Add(s.wait)
	for seq := 1; ; seq++ {
		msg := fmt.Sprintf(`{"type":"answer","seq":%d,"question_id":%d,"option_ids":[1]}`, seq, st.Questions[seq%len(st.Questions)].ID)
		_ = ws.SetWriteDeadline(give)
		if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("attempt %d: the server kept the stalled socket open for %s (%d messages sent)", attemptID, s.wait, seq)
			}
			s.closedAfter.add(time.Since(start))
			s.sent.Add(int64(seq - 1))
			s.closes.add(fmt.Sprint(closeCode(ws, err)))
			return nil
		}
	}
}

func (s *staller) report(out io.Writer, n int) {
	s.closedAfter.mu.Lock()
	slices.Sort(s.closedAfter.d)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(out, "%-28s %d of %d closed by the server after p50 %.0f ms, max %.0f ms, %d messages sent each on average; %d left open past %s\n",
		"stalled sockets", len(s.closedAfter.d), n, ms(s.closedAfter.percentile(50)), ms(s.closedAfter.percentile(100)),
		s.sent.Load()/int64(max(1, len(s.closedAfter.d))), s.failures.Load(), s.wait)
	s.closedAfter.mu.Unlock()
	s.closes.report(out, "stalled sockets' close")
}

// makeRound signs in as staff and makes a published contest with one
// round, open for two hours, whose attempts last duration.
func (c *client) makeRound(email, password string, duration time.Duration, questions int) (int64, error) {
	if duration < time.Second {
		return 0, errors.New("-duration: at least 1s")
	}
	token, err := c.staffLogin(email, password, "-duration")
	if err != nil {
		return 0, err
	}
	var banks struct {
		Banks []struct {
			ID int64 `json:"id"`
		} `json:"banks"`
	}
	if err := c.call("GET", "/api/v1/banks", token, nil, &banks); err != nil {
		return 0, err
	}
	if len(banks.Banks) == 0 {
		return 0, errors.New("-duration: the server has no question bank")
	}
	var contest, round struct {
		ID int64 `json:"id"`
	}
	if err := c.call("POST", "/api/v1/contests", token, map[string]string{
		"slug": fmt.Sprintf("dien-tap-%d", time.Now().UnixNano()), "title": "Diễn tập sự cố",
	}, &contest); err != nil {
		return 0, err
	}
	now := time.Now().UTC()
	if err := c.call("POST", fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID), token, map[string]any{
		"name": "Đợt diễn tập", "bank_id": banks.Banks[0].ID,
		"opens_at": now.Add(-time.Minute).Format(time.RFC3339), "closes_at": now.Add(2 * time.Hour).Format(time.RFC3339),
		"duration_seconds": int(duration.Seconds()), "question_count": questions, "max_attempts": 1,
		"reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}},
	}, &round); err != nil {
		return 0, err
	}
	if err := c.call("POST", fmt.Sprintf("/api/v1/contests/%d/publish", contest.ID), token, nil, nil); err != nil {
		return 0, err
	}
	return round.ID, nil
}

// loggedAttempt is what the -acks files say of one attempt.
type loggedAttempt struct {
	id       int64
	token    string
	deadline string
	acks     map[int64][]int64 // question → options, as last acknowledged
	result   *record           // the result the contestant got, if any
	close    int               // how the server closed the socket, if it did
}

// readAckLogs reads -acks files.
func readAckLogs(paths string) (map[int64]*loggedAttempt, map[string]int, error) {
	attempts := map[int64]*loggedAttempt{}
	refusals := map[string]int{}
	for _, path := range strings.Split(paths, ",") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			var r record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
			}
			a := attempts[r.Attempt]
			if a == nil {
				a = &loggedAttempt{id: r.Attempt, acks: map[int64][]int64{}}
				attempts[r.Attempt] = a
			}
			switch r.Kind {
			case "state":
				a.token, a.deadline = r.Token, r.Deadline
			case "ack":
				a.acks[r.Question] = r.Options
			case "result":
				a.result = &r
			case "closed":
				a.close = r.Close
			case "error":
				refusals[r.Code]++
			}
		}
	}
	return attempts, refusals, nil
}

// storedAttempt is an attempt as the database has it.
type storedAttempt struct {
	roundID, deadline int64
	submittedAt       sql.NullInt64
	auto              bool
	score, correct    int
}

// runCheck checks, after a fault, what the -acks files recorded against
// the database and the server: every acknowledged answer is stored; every
// attempt keeps the deadline its contestant saw; one whose deadline and
// grace have passed is submitted, by the server at its deadline with the
// score of its stored answers unless its contestant submitted it; one
// still running resumes over a new socket with its answers.
func runCheck(ctx context.Context, url string, o faultOptions, out io.Writer) error {
	if o.acks == "" && o.boards != "" && o.db == "" {
		return runBoardCheck(ctx, nil, o, out)
	}
	if (o.acks == "" && o.boards == "") || o.db == "" {
		return errors.New("-check needs -acks FILE[,FILE] and -db FILE, or -boards FILE")
	}
	db, err := openChecked(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.acks == "" {
		return runBoardCheck(ctx, db, o, out)
	}
	attempts, refusals, err := readAckLogs(o.acks)
	if err != nil {
		return err
	}
	expect := map[string]bool{}
	for _, e := range strings.Split(o.expect, ",") {
		if e != "" {
			expect[e] = true
		}
	}

	c := &client{base: url, http: &http.Client{Timeout: 30 * time.Second}}
	var mu sync.Mutex
	var problems []string
	problem := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	classes := map[string]int{}
	acked := 0
	ids := make([]int64, 0, len(attempts))
	for id := range attempts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	work := make(chan *loggedAttempt)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				class, n := checkAttempt(ctx, c, db, a, o, problem)
				mu.Lock()
				classes[class]++
				acked += n
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		work <- attempts[id]
	}
	close(work)
	wg.Wait()

	fmt.Fprintf(out, "checked %d attempts and %d acknowledged answers: %d open, %d submitted by the server at their deadline, %d submitted by their contestant\n",
		len(attempts), acked, classes["open"], classes["expired"], classes["submitted"])
	if len(refusals) > 0 {
		fmt.Fprintf(out, "refusals the contestants got: %v\n", refusals)
	}
	if o.wantError != "" {
		if refusals[o.wantError] == 0 {
			problems = append(problems, fmt.Sprintf("no contestant was refused with %s", o.wantError))
		}
		for code, n := range refusals {
			if code != o.wantError {
				problems = append(problems, fmt.Sprintf("%d refusals with %s, want only %s", n, code, o.wantError))
			}
		}
	}
	if len(attempts) == 0 {
		problems = append(problems, "the -acks files name no attempt")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		for i, p := range problems {
			if i == 30 {
				fmt.Fprintf(out, "FAIL … and %d more\n", len(problems)-i)
				break
			}
			fmt.Fprintln(out, "FAIL", p)
		}
		return fmt.Errorf("check: %d problems", len(problems))
	}
	fmt.Fprintln(out, "check: ok")
	return nil
}

// checkAttempt checks one attempt and says what it is now (open, expired,
// submitted) and how many acknowledged answers it checked.
func checkAttempt(ctx context.Context, c *client, db *checkedDB, a *loggedAttempt, o faultOptions, problem func(string, ...any)) (string, int) {
	if a.token == "" {
		problem("attempt %d: no state in the -acks files", a.id)
		return "", 0
	}
	seen, err := time.Parse(time.RFC3339Nano, a.deadline)
	if err != nil {
		problem("attempt %d: deadline %q: %v", a.id, a.deadline, err)
		return "", 0
	}
	if o.wantClose != 0 && a.result == nil && a.close != o.wantClose {
		problem("attempt %d: socket closed with %d, want %d", a.id, a.close, o.wantClose)
	}
	s, err := readAttempt(ctx, db, a.id)
	if err != nil {
		problem("attempt %d: %v", a.id, err)
		return "", 0
	}
	if s.deadline != seen.UnixMilli() {
		problem("attempt %d: stored deadline %s, the contestant saw %s", a.id, time.UnixMilli(s.deadline).UTC().Format(time.RFC3339Nano), a.deadline)
	}
	stored, err := db.answers(ctx, a.id)
	if err != nil {
		problem("attempt %d: answers: %v", a.id, err)
		return "", 0
	}
	for q, want := range a.acks {
		if got, ok := stored[q]; !ok {
			problem("attempt %d question %d: acknowledged %v, not stored", a.id, q, want)
		} else if !sameSet(got, want) {
			problem("attempt %d question %d: acknowledged %v, stored %v", a.id, q, want, got)
		}
	}

	// The server's side, over a new socket.
	if c.base != "" {
		status, err := reconnect(c, a, o.grace)
		if err != nil {
			problem("attempt %d: reconnect: %v", a.id, err)
		} else if status == "submitted" && !s.submittedAt.Valid {
			s, err = readAttempt(ctx, db, a.id) // submitted while the socket was open
			if err != nil {
				problem("attempt %d: %v", a.id, err)
			}
		}
	}

	class := "open"
	switch {
	case !s.submittedAt.Valid:
		if time.Now().After(time.UnixMilli(s.deadline).Add(o.grace + 10*time.Second)) {
			problem("attempt %d: its deadline %s and grace have passed, and it is not submitted", a.id, a.deadline)
		}
	case s.auto:
		class = "expired"
		if s.submittedAt.Int64 != s.deadline {
			problem("attempt %d: submitted by the server at %s, its deadline is %s", a.id,
				time.UnixMilli(s.submittedAt.Int64).UTC().Format(time.RFC3339Nano), a.deadline)
		}
		correct, points, err := rescore(ctx, db, a.id, s.roundID)
		if err != nil {
			problem("attempt %d: rescore: %v", a.id, err)
		} else if s.correct != correct || s.score != correct*points {
			problem("attempt %d: submitted with %d right (score %d), its stored answers have %d right (score %d)",
				a.id, s.correct, s.score, correct, correct*points)
		}
	default:
		class = "submitted"
		if a.result == nil || a.result.Auto {
			problem("attempt %d: submitted by its contestant, who got no result", a.id)
		} else if *a.result.Score != s.score {
			problem("attempt %d: stored score %d, the contestant was told %d", a.id, s.score, *a.result.Score)
		}
	}
	if len(o.expect) > 0 && !strings.Contains(","+o.expect+",", ","+class+",") {
		problem("attempt %d is %s, want %s", a.id, class, o.expect)
	}
	return class, len(a.acks)
}

func readAttempt(ctx context.Context, db *checkedDB, id int64) (storedAttempt, error) {
	var s storedAttempt
	err := db.QueryRowContext(ctx, `SELECT round_id, deadline, submitted_at, auto_submitted, coalesce(score, 0), coalesce(correct, 0)
		FROM attempts WHERE id = ?`, id).Scan(&s.roundID, &s.deadline, &s.submittedAt, &s.auto, &s.score, &s.correct)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errors.New("not in the database")
	}
	return s, err
}

// rescore counts an attempt's stored answers that are right, from the
// options' own marks, and returns the round's points per right answer.
func rescore(ctx context.Context, db *checkedDB, attemptID, roundID int64) (correct, points int, err error) {
	if err := db.QueryRowContext(ctx, "SELECT points_per_question FROM rounds WHERE id = ?", roundID).Scan(&points); err != nil {
		return 0, 0, err
	}
	answers, err := db.answers(ctx, attemptID)
	if err != nil {
		return 0, 0, err
	}
	for question, chosen := range answers {
		var right []int64
		rows, err := db.QueryContext(ctx, "SELECT id FROM options WHERE question_id = ? AND correct", question)
		if err != nil {
			return 0, 0, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, 0, err
			}
			right = append(right, id)
		}
		rows.Close()
		if sameSet(right, chosen) {
			correct++
		}
	}
	return correct, points, nil
}

func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// reconnect opens the attempt's socket again and checks its state against
// the log: the same deadline, every acknowledged answer. An attempt past
// its deadline and grace that the state shows running must get its result
// within a few seconds. It returns the attempt's status at the end.
func reconnect(c *client, a *loggedAttempt, grace time.Duration) (string, error) {
	ws, _, err := dialer.Dial(c.wsURL(fmt.Sprintf("/ws/attempts/%d", a.id)), http.Header{"Authorization": {"Bearer " + a.token}})
	if err != nil {
		return "", err
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var st struct {
		Type     string             `json:"type"`
		Status   string             `json:"status"`
		Deadline string             `json:"deadline"`
		Answers  map[string][]int64 `json:"answers"`
	}
	if err := ws.ReadJSON(&st); err != nil || st.Type != "state" {
		return "", fmt.Errorf("state: %v %q", err, st.Type)
	}
	var problems []string
	if st.Deadline != a.deadline {
		problems = append(problems, fmt.Sprintf("the state's deadline is %s, the contestant saw %s", st.Deadline, a.deadline))
	}
	for q, want := range a.acks {
		if got, ok := st.Answers[fmt.Sprint(q)]; !ok || !sameSet(got, want) {
			problems = append(problems, fmt.Sprintf("the state has %v for question %d, %v was acknowledged", got, q, want))
		}
	}
	deadline, _ := time.Parse(time.RFC3339Nano, st.Deadline)
	if st.Status == "submitted" || time.Now().After(deadline.Add(grace)) {
		// The result follows the state, or comes with the server's submit.
		_ = ws.SetReadDeadline(time.Now().Add(grace + 15*time.Second))
		for {
			var m reply
			if err := ws.ReadJSON(&m); err != nil {
				problems = append(problems, fmt.Sprintf("past its deadline and grace, no result came: %v", err))
				break
			}
			if m.Type == "result" {
				st.Status = "submitted"
				break
			}
		}
	}
	if len(problems) > 0 {
		return st.Status, errors.New(strings.Join(problems, "; "))
	}
	return st.Status, nil
}

// checkedDB is the server's database as the check reads it: an SQLite
// file, or a PostgreSQL database (a postgres:// URL), whose placeholders
// are numbered.
type checkedDB struct {
	*sql.DB
	numbered bool
}

func openChecked(db string) (*checkedDB, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		conn, err := sql.Open("pgx", db)
		return &checkedDB{conn, true}, err
	}
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=10000")
	return &checkedDB{conn, false}, err
}

// answers reads an attempt's stored answers by question. In SQLite they
// are the latest of its rows in the answer journal, over those in
// answers: a submitted attempt's rows move from the one to the other some
// time after its submission.
func (db *checkedDB) answers(ctx context.Context, attemptID int64) (map[int64][]int64, error) {
	query := "SELECT question_id, option_ids, 0 FROM answers WHERE attempt_id = ?"
	if !db.numbered {
		query = `SELECT question_id, option_ids, 0 FROM answers WHERE attempt_id = ?1
			UNION ALL
			SELECT question_id, option_ids, max(seq) FROM answer_journal
			WHERE attempt_id = ?1
			GROUP BY question_id
			ORDER BY 3`
	}
	rows, err := db.QueryContext(ctx, query, attemptID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var q, seq int64
		var raw string
		if err := rows.Scan(&q, &raw, &seq); err != nil {
			return nil, err
		}
		var ids []int64
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return nil, fmt.Errorf("question %d: %w", q, err)
		}
		out[q] = ids
	}
	return out, rows.Err()
}

// bind numbers a query's placeholders for PostgreSQL ($1, $2, …).
func (db *checkedDB) bind(query string) string {
	if !db.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *checkedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.bind(query), args...)
}

func (db *checkedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(ctx, db.bind(query), args...)
}
