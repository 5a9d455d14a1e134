package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the live scenario's player
// processes, which the scenario starts by running its own executable.
func TestMain(m *testing.M) {
	if slices.Contains(os.Args[1:], "-live-child") {
		main()
		return
	}
	os.Exit(m.Run())
}

// startServer builds hoithi and runs it on a new database, returning its
// address and the database's path.
func startServer(t *testing.T) (url, db string) {
	t.Helper()
	url, db, _ = startServerProcess(t)
	return url, db
}

// startServerProcess is startServer, with the server's process id.
func startServerProcess(t *testing.T) (url, db string, pid int) {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "hoithi"), "hoithi")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(filepath.Join(dir, "hoithi"))
	cmd.Dir = dir
	db = filepath.Join(dir, "hoithi.db")
	cmd.Env = append(os.Environ(), "HOITHI_ADDR=127.0.0.1:0", "HOITHI_DB="+db,
		"HOITHI_ADMIN_EMAIL=host@example.vn", "HOITHI_ADMIN_PASSWORD=host-password", "HOITHI_RATE_LIMIT=0",
		"HOITHI_WS_PER_ADDRESS=0", "HOITHI_BCRYPT_COST=4", "HOITHI_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr <- strings.Fields(url)[0]
			}
		}
	}()
	select {
	case url = <-addr:
		return url, db, cmd.Process.Pid
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
		return "", "", 0
	}
}

func TestLiveScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, _ := startServer(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"-scenario", "live", "-url", url, "-admin", "host@example.vn",
		"-password", "host-password", "-players", "40", "-procs", "2", "-questions", "2", "-burst", "300ms",
		"-pause", "0s"}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("every player got every message and every ack", func(t *testing.T) {
		line := regexp.MustCompile(`(?m)^  (question|ack|reveal|result|leaderboard) +(\d+) .* missing (\d+)$`)
		got := map[string]bool{}
		for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
			got[m[1]] = true
			if m[2] != "80" || m[3] != "0" {
				t.Errorf("%s: %s measured and %s missing; want 80 (40 players, 2 questions) and 0", m[1], m[2], m[3])
			}
		}
		if len(got) != 5 {
			t.Errorf("summary lines for %v; want the five", got)
		}
	})
	t.Run("nothing went wrong", func(t *testing.T) {
		if !regexp.MustCompile(`(?m)^errors +none$`).MatchString(out.String()) {
			t.Error("errors were counted")
		}
	})
	t.Run("the server's figures were read", func(t *testing.T) {
		if !regexp.MustCompile(`server at the end +RSS [1-9]\d* MB`).MatchString(out.String()) {
			t.Error("no resident memory")
		}
	})
}
