package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// boardFile writes records to a -watch-boards file.
func boardFile(t *testing.T, records ...boardRecord) string {
	t.Helper()
	var b strings.Builder
	for _, r := range records {
		data, _ := json.Marshal(r)
		b.Write(append(data, '\n'))
	}
	path := filepath.Join(t.TempDir(), "boards")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func board(node string, at int64, total int, digest string) boardRecord {
	return boardRecord{Kind: "board", Node: node, Round: 7, At: at, Total: total, Digest: digest}
}

func TestBoardCheckFindsNodesThatDisagree(t *testing.T) {
	final := func(n int) func(int64) (int, error) { return func(int64) (int, error) { return n, nil } }
	for _, c := range []struct {
		name    string
		records []boardRecord
		final   int
		want    string // a problem's words; "" for none
		maxLag  time.Duration
	}{
		{name: "passes nodes that show each ranking within the lag", final: 2, maxLag: 900 * time.Millisecond,
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"),
				board("a", 1000, 1, "p"), board("b", 1300, 1, "p"),
				board("b", 2000, 2, "q"), board("a", 2900, 2, "q")}},
		{name: "finds a node later than the lag", final: 2, want: "1.2s after the first",
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"),
				board("a", 1000, 1, "p"), board("b", 1300, 1, "p"),
				board("b", 2000, 2, "q"), board("a", 3200, 2, "q")}},
		{name: "finds a node that never shows a ranking", final: 1, want: "node b never showed 1 contestants",
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"), board("a", 1000, 1, "p")}},
		{name: "finds two rankings of as many contestants", final: 1, want: "different rankings of 1 contestants",
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"),
				board("a", 1000, 1, "p"), board("b", 1100, 1, "other")}},
		{name: "excuses a node that went down", final: 1, maxLag: 0,
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"),
				{Kind: "closed", Node: "b", Round: 7, At: 500}, board("a", 1000, 1, "p")}},
		{name: "finds a node left that did not end on the database's ranking", final: 3,
			want: "node a ended on 2 contestants, the database has 3",
			records: []boardRecord{board("a", 0, 0, "x"), board("b", 10, 0, "x"),
				board("a", 1000, 2, "p"), board("b", 1100, 2, "p")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := checkBoards(boardFile(t, c.records...), time.Second, final(c.final))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(f.problems, "; ")
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("problems %q, want %q", got, c.want)
			}
			if c.want == "" && len(f.lags) > 0 && f.lags[len(f.lags)-1] != c.maxLag {
				t.Errorf("lags %v, want the last %s", f.lags, c.maxLag)
			}
		})
	}
}

// TestWatchBoardsRecordsEveryNodesPushes watches a round on one server
// reached by two names as two nodes while contestants play it, then checks the
// file against the database.
func TestWatchBoardsRecordsEveryNodesPushes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, dbPath := startServer(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, "-contestants", "1", "-watchers", "0",
		"-duration", "10m", "-round-questions", "5", "-admin", "host@example.vn", "-password", "host-password"}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	var round string
	if _, after, ok := strings.Cut(out.String(), "on round "); ok {
		round, _, _ = strings.Cut(after, " ")
	}
	path := filepath.Join(t.TempDir(), "boards")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-watch-boards", path, "-nodes", url + "," + strings.Replace(url, "127.0.0.1", "localhost", 1) + "/", "-rounds", round}, &bytes.Buffer{})
	}()
	out.Reset()
	waitFor(t, func() bool { data, _ := os.ReadFile(path); return strings.Count(string(data), "\n") >= 2 })
	if err := run(context.Background(), []string{"-url", url, "-contestants", "3", "-watchers", "0",
		"-round", round, "-admin", "host@example.vn", "-password", "host-password"}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	waitFor(t, func() bool { data, _ := os.ReadFile(path); return strings.Count(string(data), `"total":4`) >= 2 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-check", "-boards", path, "-db", dbPath}, &out); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "from 2 nodes on 1 rounds") {
		t.Errorf("check said %q", out.String())
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 300 {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("not within 30 s")
}
