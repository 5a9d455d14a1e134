package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// process is the hoithi binary running as a child process.
type process struct {
	cmd *exec.Cmd
	url string
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds the hoithi binary once for all the tests that run it.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hoithi-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hoithi")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func startProcess(t *testing.T, bin string, env []string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if m := listenLine.FindStringSubmatch(lines.Text()); m != nil {
				found <- "http://" + m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case url := <-found:
		return &process{cmd: cmd, url: url}
	case <-time.After(30 * time.Second):
		t.Fatal("the binary did not start")
	}
	return nil
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

// TestAcknowledgedAnswersSurviveKill runs the real binary, has contestants
// answer over websockets, kills the server with SIGKILL right after the
// acknowledgements arrive (other answers still in flight), restarts it on
// the same file and checks that every acknowledged answer is there and the
// deadline has not moved.
func TestAcknowledgedAnswersSurviveKill(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	env := []string{
		"HOITHI_ADDR=127.0.0.1:0", "HOITHI_DB=" + filepath.Join(dir, "hoithi.db"),
		"HOITHI_ADMIN_EMAIL=" + testAdminEmail, "HOITHI_ADMIN_PASSWORD=" + testAdminPassword,
		"HOITHI_BCRYPT_COST=4", "HOITHI_RATE_LIMIT=0", "HOITHI_LOG_LEVEL=error",
	}
	p := startProcess(t, bin, env)
	s := &testServer{t: t, URL: p.url, WSURL: "ws" + p.url[len("http"):], client: &http.Client{Timeout: 10 * time.Second}}

	// The demo round is open for 30 days with 20 questions.
	var contests struct {
		Contests []struct {
			Rounds []struct {
				ID int64 `json:"id"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	s.mustCall(200, "GET", "/api/v1/contests", "", nil, &contests)
	roundID := contests.Contests[0].Rounds[0].ID

	type sentAnswer struct {
		question int64
		ids      []int64
	}
	type contestant struct {
		token    string
		attempt  int64
		deadline string
		sent     map[int64]sentAnswer // by seq
		mu       sync.Mutex
		acked    map[int64]int64 // question → the highest seq acknowledged
	}
	const people = 8
	var all []*contestant
	for i := range people {
		token, _ := s.contestant(fmt.Sprintf("Người Bền Vững %c", 'A'+i))
		c := &contestant{token: token, attempt: s.start(token, roundID), sent: map[int64]sentAnswer{}, acked: map[int64]int64{}}
		all = append(all, c)
	}

	// Each contestant answers every question twice (the second replaces the
	// first), without waiting for acks; the server is killed once half of
	// all the answers have been acknowledged.
	var ackedTotal sync.WaitGroup
	ackedTotal.Add(people * 20)
	var wg sync.WaitGroup
	for _, c := range all {
		ws := s.dial(attemptWS(c.attempt), c.token)
		st := ws.state()
		c.deadline = st.Deadline
		seq := int64(0)
		for round := range 2 {
			for _, q := range st.Questions {
				seq++
				ids := []int64{q.Options[(round+int(q.ID))%len(q.Options)].ID}
				c.sent[seq] = sentAnswer{q.ID, ids}
				ws.send(map[string]any{"type": "answer", "seq": seq, "question_id": q.ID, "option_ids": ids})
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			counted := 0
			for {
				var m map[string]any
				if err := ws.ReadJSON(&m); err != nil {
					return // the server is gone
				}
				if m["type"] != "ack" {
					continue
				}
				seq := int64(m["seq"].(float64))
				q := c.sent[seq].question
				c.mu.Lock()
				c.acked[q] = max(c.acked[q], seq)
				c.mu.Unlock()
				if counted < 20 {
					counted++
					ackedTotal.Done()
				}
			}
		}()
	}
	ackedTotal.Wait()
	p.kill(t)
	wg.Wait()

	p = startProcess(t, bin, env)
	s.URL, s.WSURL = p.url, "ws"+p.url[len("http"):]
	acked := 0
	for _, c := range all {
		st := s.dial(attemptWS(c.attempt), c.token).state()
		if st.Deadline != c.deadline {
			t.Errorf("attempt %d: deadline %s after restart, was %s", c.attempt, st.Deadline, c.deadline)
		}
		if st.Status != "in_progress" {
			t.Errorf("attempt %d: status %s after restart, want in_progress", c.attempt, st.Status)
		}
		for q, ackedSeq := range c.acked {
			got := fmt.Sprint(st.Answers[strconv.FormatInt(q, 10)])
			// The stored choice is the acknowledged one, or one sent after
			// it that landed without its ack reaching the client.
			ok := false
			for seq, a := range c.sent {
				if a.question == q && seq >= ackedSeq && fmt.Sprint(a.ids) == got {
					ok = true
				}
			}
			if !ok {
				t.Errorf("attempt %d question %d: stored %s, but seq %d (%v) was acknowledged", c.attempt, q, got, ackedSeq, c.sent[ackedSeq].ids)
			}
			acked++
		}
	}
	if acked < people*20 {
		t.Errorf("checked %d acknowledged answers, want at least %d", acked, people*20)
	}
}

// TestSigtermShutsDownCleanly sends the real binary SIGTERM with an attempt
// socket open: the socket gets 1001 (going away), the process exits 0, and
// the next start finds the database whole.
func TestSigtermShutsDownCleanly(t *testing.T) {
	bin := buildBinary(t)
	env := []string{
		"HOITHI_ADDR=127.0.0.1:0", "HOITHI_DB=" + filepath.Join(t.TempDir(), "hoithi.db"),
		"HOITHI_ADMIN_EMAIL=" + testAdminEmail, "HOITHI_ADMIN_PASSWORD=" + testAdminPassword,
		"HOITHI_BCRYPT_COST=4", "HOITHI_LOG_LEVEL=error",
	}
	p := startProcess(t, bin, env)
	s := &testServer{t: t, URL: p.url, WSURL: "ws" + p.url[len("http"):], client: &http.Client{Timeout: 10 * time.Second}}
	token, _ := s.contestant("Người Tắt Máy")
	ws := s.dial(attemptWS(s.start(token, s.round(s.admin(), nil))), token)
	st := ws.state()
	ws.send(map[string]any{"type": "answer", "seq": 1, "question_id": st.Questions[0].ID, "option_ids": []int64{st.Questions[0].Options[0].ID}})
	ws.expect("ack")

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("socket got %v, want close 1001", err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not exit within 20 s of SIGTERM")
	}

	p = startProcess(t, bin, env)
	s.URL, s.WSURL = p.url, "ws"+p.url[len("http"):]
	s.mustCall(200, "GET", "/healthz", "", nil, nil)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
