package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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

// board is a push of round 7 from node at the millisecond at, showing the
// contestants named, each with one right answer.
func board(node string, at int64, names ...string) boardRecord {
	entries := make([]map[string]any, len(names))
	for i, name := range names {
		entries[i] = map[string]any{"rank": i + 1, "name": name, "unit": "Sở Tư pháp", "score": 1, "correct": 1, "duration_ms": 9000}
	}
	raw, _ := json.Marshal(entries)
	return boardRecord{Kind: "board", Node: node, Round: 7, At: at, Total: len(names), Digest: string(raw), Entries: raw}
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
		{name: "passes nodes that show each contestant within the lag", final: 2, maxLag: 900 * time.Millisecond,
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An"), board("b", 1300, "An"),
				board("b", 2000, "An", "Bình"), board("a", 2900, "An", "Bình")}},
		{name: "passes two nodes that each show their own contestant first", final: 2, maxLag: 350 * time.Millisecond,
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An"), board("b", 1100, "Bình"),
				board("a", 1400, "An", "Bình"), board("b", 1350, "An", "Bình")}},
		{name: "finds a node later than the lag", final: 2, want: "1.2s after it",
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An"), board("b", 1300, "An"),
				board("b", 2000, "An", "Bình"), board("a", 3200, "An", "Bình")}},
		{name: "finds a contestant a node never shows", final: 2, want: "node b never showed Cường",
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An", "Cường"), board("b", 1100, "An", "Bình")}},
		{name: "finds nodes left that end on different rankings", final: 2, want: "ended on different rankings",
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An", "Bình"), board("b", 1100, "Bình", "An")}},
		{name: "excuses a node that went down", final: 1, maxLag: 0,
			records: []boardRecord{board("a", 0), board("b", 10),
				{Kind: "closed", Node: "b", Round: 7, At: 500}, board("a", 1000, "An")}},
		{name: "finds nodes left that did not end on the database's ranking", final: 3,
			want: "node a ended on 2 contestants, the database has 3",
			records: []boardRecord{board("a", 0), board("b", 10),
				board("a", 1000, "An", "Bình"), board("b", 1100, "An", "Bình")}},
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
			if c.want == "" && slices.Max(f.lags) != c.maxLag {
				t.Errorf("lags %v, want at most %s", f.lags, c.maxLag)
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

// TestOrganizersFollowTheLiveFigures has two organizers follow the round's
// live figures while contestants play it, and reads the server's readings
// of them from its metrics.
func TestOrganizersFollowTheLiveFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, _ := startServer(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, "-contestants", "3", "-watchers", "0", "-organizers", "2",
		"-duration", "10m", "-round-questions", "5", "-admin", "host@example.vn", "-password", "host-password"}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	var pushes, organizers, readings int
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "live figures pushes"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d pushes to %d organizers", &pushes, &organizers)
		}
		if rest, ok := strings.CutPrefix(line, "server, live figures"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d readings", &readings)
		}
	}
	if organizers != 2 || pushes < 2 || readings < 1 {
		t.Errorf("%d pushes to %d organizers, %d readings by the server; want at least one push each, and a reading:\n%s",
			pushes, organizers, readings, out.String())
	}
	out.Reset()
	err := run(context.Background(), []string{"-url", url, "-contestants", "1", "-watchers", "0", "-organizers", "1",
		"-admin", "host@example.vn", "-password", "wrong-password"}, &out)
	if err == nil || !strings.Contains(err.Error(), "-organizers: sign-in") {
		t.Errorf("with a wrong password: %v, want the sign-in refused", err)
	}
}

// With -quiz-page and -result-page, each contestant opens the quiz page
// their start leads to before their socket, and their result page after
// their result, as a browser does.
func TestContestantsOpenTheirPages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, _ := startServer(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, "-contestants", "3", "-watchers", "0", "-quiz-page", "-result-page",
		"-duration", "10m", "-round-questions", "5", "-admin", "host@example.vn", "-password", "host-password"}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	var quizPages, quizFailed, pages, failed, added int
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "start → quiz page"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &quizPages)
			fmt.Sscanf(rest[strings.LastIndex(rest, "failed"):], "failed %d", &quizFailed)
		}
		if rest, ok := strings.CutPrefix(line, "result → result page"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &pages)
			fmt.Sscanf(rest[strings.LastIndex(rest, "failed"):], "failed %d", &failed)
		}
		if rest, ok := strings.CutPrefix(line, "  working time added"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &added)
		}
	}
	if quizPages != 3 || quizFailed != 0 {
		t.Errorf("%d quiz pages opened, %d failed; want 3 and none:\n%s", quizPages, quizFailed, out.String())
	}
	if pages != 3 || failed != 0 {
		t.Errorf("%d result pages opened, %d failed; want 3 and none:\n%s", pages, failed, out.String())
	}
	// Each submission's working time, as counted, is set against the
	// contestant's own.
	if added != 3 {
		t.Errorf("working time added reported for %d submissions, want 3:\n%s", added, out.String())
	}
}

// With -hold, nobody answers until every socket is open: the server's CPU
// to that moment is what the sockets alone cost, and is reported.
func TestHeldSocketsReportWhatOpeningThemCost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	url, _, pid := startServerProcess(t)
	var out bytes.Buffer
	// Enough sockets for their CPU to show in the clock ticks of /proc.
	if err := run(context.Background(), []string{"-url", url, "-contestants", "300", "-watchers", "0", "-hold", "100ms",
		"-server-pid", strconv.Itoa(pid), "-duration", "10m", "-round-questions", "2",
		"-admin", "host@example.vn", "-password", "host-password"}, &out); err != nil {
		t.Fatalf("round: %v\n%s", err, out.String())
	}
	opening := regexp.MustCompile(`^  server, opening sockets .*; (\d+) µs a socket; the load tool's CPU ([\d.]+) s`)
	var perSocket, tool float64
	held := false
	for _, line := range strings.Split(out.String(), "\n") {
		if m := opening.FindStringSubmatch(line); m != nil {
			perSocket, _ = strconv.ParseFloat(m[1], 64)
			tool, _ = strconv.ParseFloat(m[2], 64)
		}
		held = held || strings.HasPrefix(line, "  sockets held")
	}
	if perSocket <= 0 || tool <= 0 || !held {
		t.Errorf("CPU a socket %v µs, the tool's %v s, sockets held reported %v; want all three:\n%s", perSocket, tool, held, out.String())
	}
}
