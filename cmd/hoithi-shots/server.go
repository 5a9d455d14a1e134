package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// buildHoithi builds the hoithi binary of the module in the working
// directory into bin.
func buildHoithi(ctx context.Context, bin string, stderr io.Writer) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("find the module to build: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(gomod))
	if mod == "" || mod == os.DevNull {
		return errors.New("not inside the hoithi repository: run the command from it, or give a built hoithi with -hoithi")
	}
	head, err := os.ReadFile(mod)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(head, []byte("module hoithi\n")) {
		return fmt.Errorf("%s is not hoithi's module: run the command from the hoithi repository, or give -hoithi", mod)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = filepath.Dir(mod)
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build hoithi: %w", err)
	}
	return nil
}

// server is hoithi running for the screenshots.
type server struct {
	url    string // http://127.0.0.1:port
	wsURL  string // ws://127.0.0.1:port
	dbPath string
	bin    string
	env    []string
	cmd    *exec.Cmd
	exited chan error
	http   *http.Client
	admin  string // the first admin's token
}

const (
	adminEmail = "quan-tri@hoithi.localhost"
	// staffPassword is every account's password in the screenshots'
	// throw-away database.
	staffPassword = "mat-khau-anh-chup"
)

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startHoithi runs bin on a new database in dir and waits until it
// listens.
func startHoithi(ctx context.Context, bin, dir string, verbose bool, stderr io.Writer) (*server, error) {
	s := &server{
		bin:    bin,
		dbPath: filepath.Join(dir, "hoithi.db"),
		exited: make(chan error, 1),
		http: &http.Client{Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	// The settings below, and no HOITHI_ variable of the caller's: the
	// pictures come out the same on every machine.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOITHI_") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env,
		"HOITHI_ADDR=127.0.0.1:0",
		"HOITHI_DB="+s.dbPath,
		"HOITHI_KEY_FILE="+filepath.Join(dir, "hoithi.key"),
		"HOITHI_ADMIN_EMAIL="+adminEmail,
		"HOITHI_ADMIN_PASSWORD="+staffPassword,
		"HOITHI_DEMO=1",
		"HOITHI_RATE_LIMIT=0",
		"HOITHI_BCRYPT_COST=4", // a throw-away database: quick sign-ins
		"HOITHI_LOG_LEVEL=warn",
	)
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = s.env
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if verbose {
		s.cmd.Stderr = stderr
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hoithi: %w", err)
	}
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if m := listening.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			if verbose {
				fmt.Fprintln(stderr, lines.Text())
			}
		}
	}()
	go func() { s.exited <- s.cmd.Wait() }()
	select {
	case s.url = <-found:
	case err := <-s.exited:
		return nil, fmt.Errorf("hoithi exited at start (%v); run with -v to see its log", err)
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, errors.New("hoithi did not start listening within 60 s; run with -v to see its log")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	s.wsURL = "ws" + strings.TrimPrefix(s.url, "http")
	var login struct {
		Token string `json:"token"`
	}
	if err := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": adminEmail, "password": staffPassword}, &login); err != nil {
		s.stop()
		return nil, fmt.Errorf("sign in as the first admin: %w", err)
	}
	s.admin = login.Token
	return s, nil
}

// stop ends hoithi as SIGTERM does and waits for it.
func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// addStaff creates a staff account with hoithi's own command, as an admin
// does, and signs it in.
func (s *server) addStaff(ctx context.Context, email, role, name string) (string, error) {
	add := exec.CommandContext(ctx, s.bin, "user", "add", "-email", email, "-password", staffPassword, "-role", role, "-name", name)
	add.Env = s.env
	if out, err := add.CombinedOutput(); err != nil {
		return "", fmt.Errorf("hoithi user add %s: %w\n%s", email, err, out)
	}
	var login struct {
		Token string `json:"token"`
	}
	if err := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": email, "password": staffPassword}, &login); err != nil {
		return "", fmt.Errorf("sign in as %s: %w", email, err)
	}
	return login.Token, nil
}

// call makes an API request with a bearer token (none when empty) and
// decodes a 2xx answer into out (when not nil).
func (s *server) call(method, path, token string, body, out any) error {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w in %s", method, path, err, data)
		}
	}
	return nil
}
