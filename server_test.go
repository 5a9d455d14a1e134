package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// The tests in this package run the real server, as `go run .` would, on a
// random port with a database in a temporary directory.

const (
	testAdminEmail    = "admin@hoithi.test"
	testAdminPassword = "admin-password-1"
)

// syncBuffer is a bytes.Buffer safe to write from the server and read from
// the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	t      testing.TB
	URL    string // http://127.0.0.1:port
	WSURL  string // ws://127.0.0.1:port
	DBPath string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   context.CancelFunc
	done   chan error
	client *http.Client
	// clock is the fake clock the server runs on, which the test moves;
	// nil: the server runs in real time.
	clock *quiz.FakeClock
}

var listenLine = regexp.MustCompile(`listening on http://(\S+)`)

// startServer runs hoithi with the test defaults, overridden by env.
func startServer(t testing.TB, env map[string]string) *testServer {
	t.Helper()
	return startServerOn(t, env, nil)
}

// startServerOnFakeClock runs hoithi as startServer does, on a fake clock
// set to now that only s.clock moves: deadlines pass without waiting.
func startServerOnFakeClock(t *testing.T, env map[string]string) *testServer {
	t.Helper()
	return startServerOn(t, env, quiz.NewFakeClock(time.Now()))
}

// startServerOn runs hoithi on clock (nil: the real one).
func startServerOn(t testing.TB, env map[string]string, clock *quiz.FakeClock) *testServer {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"HOITHI_ADDR":           "127.0.0.1:0",
		"HOITHI_DB":             filepath.Join(dir, "hoithi.db"),
		"HOITHI_ADMIN_EMAIL":    testAdminEmail,
		"HOITHI_ADMIN_PASSWORD": testAdminPassword,
		"HOITHI_BCRYPT_COST":    "4",
		"HOITHI_LOG_LEVEL":      "warn",
		"HOITHI_GRACE":          "500ms",
	}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{t: t, DBPath: vars["HOITHI_DB"], stdout: &syncBuffer{}, stderr: &syncBuffer{},
		stop: cancel, done: make(chan error, 1), client: &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		clock: clock}
	var serverClock quiz.Clock = quiz.RealClock{}
	if clock != nil {
		serverClock = clock
	}
	go func() {
		s.done <- runOn(ctx, serverClock, nil, func(k string) string { return vars[k] }, s.stdout, s.stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.URL, s.WSURL = "http://"+m[1], "ws://"+m[1]
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited at start: %v\n%s", err, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s\n%s", s.stdout.String(), s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// now is the server's time: its fake clock's, or the real one.
func (s *testServer) now() time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	return time.Now()
}

// Stop shuts the server down as SIGTERM would and checks it exits cleanly.
func (s *testServer) Stop() {
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("server exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Error("server did not stop within 20 s")
	}
	if log := s.stderr.String(); strings.Contains(log, "level=ERROR") {
		s.t.Errorf("server logged errors:\n%s", log)
	}
}

// call makes an API request with a bearer token (none when empty) and
// returns the status and body.
func (s *testServer) call(method, path, token string, body any) (int, []byte) {
	s.t.Helper()
	header := http.Header{}
	raw := ""
	switch b := body.(type) {
	case nil:
	case string:
		raw = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		raw = string(data)
	}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	resp, data := s.request(method, path, header, raw)
	return resp.StatusCode, []byte(data)
}

// request makes a request with the given headers and returns the
// response with its body read.
func (s *testServer) request(method, path string, header http.Header, body string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(data)
}

// mustCall is call that fails the test unless the status is want, and
// decodes the answer into out (when not nil).
func (s *testServer) mustCall(want int, method, path, token string, body, out any) {
	s.t.Helper()
	status, data := s.call(method, path, token, body)
	if status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

var phoneSeq atomic.Int64

// contestant registers a new contestant and returns their token and id.
func (s *testServer) contestant(name string) (string, int64) {
	s.t.Helper()
	n := phoneSeq.Add(1)
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/auth/register", "", map[string]any{
		"full_name": name, "birth_date": "1995-03-04", "id_number": fmt.Sprintf("0010950%05d", n),
		"phone": fmt.Sprintf("09%08d", n), "province": "01", "unit": "Sở Tư pháp", "password": "mat-khau-123",
		"consent": true,
	}, &out)
	return out.Token, out.User.ID
}

// admin signs in the admin from the environment.
func (s *testServer) admin() string {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": testAdminEmail, "password": testAdminPassword}, &out)
	return out.Token
}

// demoBank returns the id of the demo bank.
func (s *testServer) demoBank(token string) int64 {
	s.t.Helper()
	var out struct {
		Banks []struct {
			ID            int64 `json:"id"`
			QuestionCount int   `json:"question_count"`
		} `json:"banks"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/banks", token, nil, &out)
	if len(out.Banks) == 0 {
		s.t.Fatal("no bank")
	}
	return out.Banks[0].ID
}

var slugSeq atomic.Int64

// round creates and publishes a contest with one round whose fields are
// the defaults below overridden by fields, and returns the round's id.
func (s *testServer) round(token string, fields map[string]any) int64 {
	s.t.Helper()
	var contest struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", "/api/v1/contests", token,
		map[string]string{"slug": fmt.Sprintf("thu-nghiem-%d", slugSeq.Add(1)), "title": "Hội thi thử nghiệm"}, &contest)
	now := s.now().UTC()
	body := map[string]any{
		"name": "Đợt thử", "bank_id": s.demoBank(token), "opens_at": now.Add(-time.Minute).Format(time.RFC3339),
		"closes_at": now.Add(time.Hour).Format(time.RFC3339), "duration_seconds": 600, "question_count": 5,
		"max_attempts": 2, "reveal": "after_close", "prizes": []map[string]any{{"name": "Giải Nhất", "count": 1}},
	}
	for k, v := range fields {
		body[k] = v
	}
	var round struct {
		ID int64 `json:"id"`
	}
	s.mustCall(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/contests/%d/rounds", contest.ID), token, body, &round)
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/contests/%d/publish", contest.ID), token, nil, nil)
	return round.ID
}

// start starts an attempt and returns its id.
func (s *testServer) start(token string, roundID int64) int64 {
	s.t.Helper()
	var out struct {
		AttemptID int64 `json:"attempt_id"`
	}
	s.mustCall(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil, &out)
	return out.AttemptID
}

// wsConn is a test client's websocket.
type wsConn struct {
	t testing.TB
	*websocket.Conn
}

// dial opens a websocket with a bearer token.
func (s *testServer) dial(path, token string) *wsConn {
	s.t.Helper()
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+path, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	s.t.Cleanup(func() { c.Close() })
	return &wsConn{s.t, c}
}

// msg is a decoded server message.
type msg map[string]any

// read returns the next message, failing after a few seconds.
func (c *wsConn) read() msg {
	c.t.Helper()
	return c.readWithin(5 * time.Second)
}

func (c *wsConn) readWithin(d time.Duration) msg {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	var m msg
	if err := c.ReadJSON(&m); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// expect reads the next message and checks its type.
func (c *wsConn) expect(kind string) msg {
	c.t.Helper()
	m := c.read()
	if m["type"] != kind {
		c.t.Fatalf("got %v, want a %q message", m, kind)
	}
	return m
}

func (c *wsConn) send(v any) {
	c.t.Helper()
	if err := c.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// state is the attempt's state message, decoded.
type state struct {
	Type       string `json:"type"`
	Status     string `json:"status"`
	Deadline   string `json:"deadline"`
	ServerTime string `json:"server_time"`
	Questions  []struct {
		ID       int64 `json:"id"`
		Text     string
		Multiple bool `json:"multiple"`
		Options  []struct {
			ID      int64  `json:"id"`
			Text    string `json:"text"`
			Correct *bool  `json:"correct"`
		} `json:"options"`
	} `json:"questions"`
	Answers map[string][]int64 `json:"answers"`
}

func (c *wsConn) state() state {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read state: %v", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil || st.Type != "state" {
		c.t.Fatalf("got %s, want a state message", data)
	}
	return st
}

// answer answers the first n questions of the attempt st shows, right (by
// key) to the first `right` of them and wrong to the others, and waits
// for each acknowledgement.
func (c *wsConn) answer(st state, key map[int64][]int64, n, right int) {
	c.t.Helper()
	for i, q := range st.Questions[:n] {
		choice := key[q.ID]
		if i >= right { // a wrong choice: any option not in the key
			for _, o := range q.Options {
				if !slices.Contains(key[q.ID], o.ID) {
					choice = []int64{o.ID}
					break
				}
			}
		}
		c.send(map[string]any{"type": "answer", "seq": i + 1, "question_id": q.ID, "option_ids": choice})
		c.expect("ack")
	}
}
