package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startFaultServer builds hoithi and runs it on a new database, returning
// its address and the database's path.
func startFaultServer(t *testing.T) (url, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "hoithi.db")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "hoithi"), "hoithi").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(filepath.Join(dir, "hoithi"))
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
			if _, rest, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case url = <-addr:
		return url, db
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
		return "", ""
	}
}

// TestCheckFindsWhatAFaultLost plays a small round with an -acks file,
// then changes the database as a fault could have, and expects -check to
// say so.
func TestCheckFindsWhatAFaultLost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, dbPath := startFaultServer(t)
	acks := filepath.Join(t.TempDir(), "run.acks")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, "-contestants", "6", "-watchers", "0",
		"-duration", "10m", "-round-questions", "5", "-admin", "host@example.vn", "-password", "host-password",
		"-acks", acks}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	check := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"-check", "-url", url, "-acks", acks, "-db", dbPath, "-expect", "submitted"}, &out)
		return out.String(), err
	}
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var attempt, question int64
	if err := db.QueryRow("SELECT attempt_id, question_id FROM answers LIMIT 1").Scan(&attempt, &question); err != nil {
		t.Fatal(err)
	}

	t.Run("passes when every acknowledged answer is stored", func(t *testing.T) {
		got, err := check()
		if err != nil || !strings.Contains(got, "checked 6 attempts and 30 acknowledged answers") {
			t.Errorf("check: %v\n%s", err, got)
		}
	})
	for _, c := range []struct {
		name, change, want string
	}{
		{"finds an acknowledged answer that is not stored",
			"DELETE FROM answers WHERE attempt_id = ? AND question_id = ?", "not stored"},
		{"finds a deadline that moved",
			"UPDATE attempts SET deadline = deadline + 1000 WHERE id = ? AND ? > 0", "stored deadline"},
		{"finds a score the contestant was not told",
			"UPDATE attempts SET score = score + 1 WHERE id = ? AND ? > 0", "the contestant was told"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := db.Exec(c.change, attempt, question); err != nil {
				t.Fatal(err)
			}
			got, err := check()
			if err == nil || !strings.Contains(got, c.want) {
				t.Errorf("check: %v, want a failure saying %q\n%s", err, c.want, got)
			}
		})
	}
}
