package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Nothing a contestant's browser receives before a prize round closes may
// tell a correct option. The test captures everything the browser gets
// (socket messages, API answers, pages, and the scripts and styles the
// pages load), changes the answer key in the database, restarts the server
// on it, and captures again: for a prize round everything must be the same,
// byte for byte, once times and the server's address are set aside. A
// practice round that reveals after each submit is the control: its review
// does change with the key, so the comparison can see a leak.

// browserCapture is what the browser received, by where it came from.
type browserCapture map[string]string

// keyedAttempt is one contestant's attempt at one round, as the capture
// needs it.
type keyedAttempt struct {
	label     string // "prize" or "practice", for the capture's names
	token     string
	roundID   int64
	attemptID int64
	slug      string
}

var (
	serverTimeField = regexp.MustCompile(`"(server_time|exported_at)":\s*"[^"]*"`)
	assetPath       = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
)

// normalized sets aside what changes with the clock and the restart: the
// server's clock fields and its address.
func (s *testServer) normalized(text string) string {
	text = serverTimeField.ReplaceAllString(text, `"$1":"CLOCK"`)
	return strings.ReplaceAll(text, strings.TrimPrefix(s.URL, "http://"), "SERVER")
}

// raw reads a socket's next message as it came.
func (c *wsConn) raw() string {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return string(data)
}

// capture takes everything the contestant's browser receives about the
// attempt and its round now.
func (s *testServer) capture(a keyedAttempt, submitted bool) browserCapture {
	s.t.Helper()
	got := browserCapture{}
	put := func(name, text string) { got[a.label+" "+name] = s.normalized(text) }
	api := func(path, token string) {
		status, data := s.call("GET", path, token, nil)
		if status != http.StatusOK {
			s.t.Fatalf("GET %s: status %d: %s", path, status, data)
		}
		name := "GET " + path
		if token == "" {
			name += " anonymously"
		}
		put(name, string(data))
	}
	var pages []string
	page := func(path string) {
		status, html, _ := s.page("GET", path, a.token, nil, "")
		if status != http.StatusOK {
			s.t.Fatalf("page %s: status %d", path, status)
		}
		put("page "+path, html)
		pages = append(pages, html)
	}

	// The attempt's socket, twice: a reload or a lost connection connects
	// again and gets the state afresh (and the result once submitted).
	for _, name := range []string{"first", "again"} {
		ws := s.dial(attemptWS(a.attemptID), a.token)
		put("socket state "+name, ws.raw())
		if submitted {
			put("socket result "+name, ws.raw())
		}
		ws.Close()
	}
	api(fmt.Sprintf("/api/v1/attempts/%d", a.attemptID), a.token)
	page(fmt.Sprintf("/attempts/%d", a.attemptID))

	board := fmt.Sprintf("/rounds/%d/leaderboard", a.roundID)
	api("/api/v1"+board, "")
	api("/api/v1"+board, a.token)
	page(board)
	ws := s.dial("/ws"+board, a.token)
	put("socket leaderboard", ws.raw())
	if submitted {
		put("socket leaderboard me", ws.raw())
	}
	ws.Close()

	var round struct {
		ContestID int64 `json:"contest_id"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d", a.roundID), a.token, nil, &round)
	api(fmt.Sprintf("/api/v1/rounds/%d", a.roundID), a.token)
	api(fmt.Sprintf("/api/v1/contests/%d", round.ContestID), a.token)
	api("/api/v1/contests", a.token)
	api("/api/v1/me/data", a.token)
	page("/contests/" + a.slug)
	page("/")
	page("/me")

	for _, html := range pages {
		for _, m := range assetPath.FindAllStringSubmatch(html, -1) {
			if _, done := got[a.label+" GET "+m[1]]; !done {
				resp, data := s.fetch(m[1], "")
				resp.Body.Close()
				put("GET "+m[1], string(data))
			}
		}
	}
	return got
}

// differences lists the captures that are not the same in before and after.
func differences(before, after browserCapture) []string {
	var out []string
	for name, was := range before {
		now, ok := after[name]
		if !ok {
			out = append(out, name+": missing after")
			continue
		}
		if was != now {
			i := 0
			for i < len(was) && i < len(now) && was[i] == now[i] {
				i++
			}
			from := max(0, i-80)
			out = append(out, fmt.Sprintf("%s: differs at byte %d:\n  before …%s\n  after  …%s", name, i,
				was[from:min(len(was), i+80)], now[from:min(len(now), i+80)]))
		}
	}
	sort.Strings(out)
	return out
}

// rotateKey moves each correct mark of the attempts' questions to the next
// option (by the bank's order): every such question keeps its number of
// correct options, so it stays single- or multiple-choice, but which
// options are correct changes. The bank's version moves on, as an edit
// would.
func rotateKey(t *testing.T, dbPath string, attemptIDs ...int64) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var questions []int64
	for _, id := range attemptIDs {
		rows, err := tx.Query("SELECT value FROM attempts, json_each(question_ids) WHERE attempts.id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var q int64
			if err := rows.Scan(&q); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(questions, q) {
				questions = append(questions, q)
			}
		}
		rows.Close()
	}
	changed := 0
	for _, q := range questions {
		rows, err := tx.Query("SELECT id, correct FROM options WHERE question_id = ? ORDER BY position", q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		var marks []int
		for rows.Next() {
			var id int64
			var mark int
			if err := rows.Scan(&id, &mark); err != nil {
				t.Fatal(err)
			}
			ids, marks = append(ids, id), append(marks, mark)
		}
		rows.Close()
		for i, id := range ids {
			next := marks[(i+1)%len(marks)]
			if next != marks[i] {
				changed++
			}
			if _, err := tx.Exec("UPDATE options SET correct = ? WHERE id = ?", next, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := tx.Exec("UPDATE banks SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if changed == 0 {
		t.Fatal("rotating the key changed no option")
	}
}

// restart stops the server and starts it again on the same database.
func (s *testServer) restart(t *testing.T) *testServer {
	t.Helper()
	s.Stop()
	return startServer(t, map[string]string{"HOITHI_DB": s.DBPath})
}

// keyMarkers are what shows a correct option or a verdict: JSON fields of
// the review and the result page's marks.
var keyMarkers = []string{`"right":`, `"explanation":`, `"reference":`, `"correct":true`, `"correct":false`,
	"is-correct", `class="review-q`, `class="verdict"`, "Đáp án đúng", "Trả lời đúng", "Chưa đúng"}

// noKeyMarkers fails for each capture, but the static files (whose styles
// name the review's classes), that holds a correct option or a verdict.
func noKeyMarkers(t *testing.T, c browserCapture) {
	t.Helper()
	for name, text := range c {
		if strings.Contains(name, "/static/") {
			continue
		}
		for _, marker := range keyMarkers {
			if strings.Contains(text, marker) {
				t.Errorf("%s holds %q, want no correct option or verdict before the close", name, marker)
			}
		}
	}
}

func TestNothingTheBrowserGetsHoldsThePrizeRoundsKey(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	key := s.key(admin)
	contestant, _ := s.contestant("Phạm Thị Thu")

	slugOf := func(roundID int64) string {
		var round struct {
			ContestID int64 `json:"contest_id"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), admin, nil, &round)
		var contest struct {
			Slug string `json:"slug"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d", round.ContestID), admin, nil, &contest)
		return contest.Slug
	}
	begin := func(label string, fields map[string]any) keyedAttempt {
		a := keyedAttempt{label: label, token: contestant, roundID: s.round(admin, fields)}
		a.slug = slugOf(a.roundID)
		a.attemptID = s.start(contestant, a.roundID)
		// Three answers stored before the captures: the first right, the
		// others wrong.
		ws := s.dial(attemptWS(a.attemptID), contestant)
		ws.answer(ws.state(), key, 3, 1)
		ws.Close()
		return a
	}
	prize := begin("prize", map[string]any{"reveal": "after_close", "question_count": 8,
		"prediction_prompt": "Bao nhiêu người trả lời đúng tất cả?", "prediction_target": "perfect_scorers"})
	practice := begin("practice", map[string]any{"reveal": "after_submit", "prizes": []any{}, "question_count": 8})

	// While the attempts run.
	runningBefore := map[string]browserCapture{"prize": s.capture(prize, false), "practice": s.capture(practice, false)}
	rotateKey(t, s.DBPath, prize.attemptID, practice.attemptID)
	s = s.restart(t)
	runningAfter := map[string]browserCapture{"prize": s.capture(prize, false), "practice": s.capture(practice, false)}

	t.Run("a running attempt shows the same whatever the key", func(t *testing.T) {
		for _, label := range []string{"prize", "practice"} {
			for _, d := range differences(runningBefore[label], runningAfter[label]) {
				t.Errorf("the key changed what the browser gets: %s", d)
			}
			noKeyMarkers(t, runningBefore[label])
		}
	})

	// Submitted; the prize round is still open.
	results := map[string]string{}
	for _, a := range []keyedAttempt{prize, practice} {
		ws := s.dial(attemptWS(a.attemptID), contestant)
		ws.state()
		ws.send(map[string]any{"type": "submit", "seq": 9, "prediction": 4})
		results[a.label] = ws.raw()
		ws.Close()
	}
	submittedBefore := map[string]browserCapture{"prize": s.capture(prize, true), "practice": s.capture(practice, true)}
	rotateKey(t, s.DBPath, prize.attemptID, practice.attemptID)
	s = s.restart(t)
	submittedAfter := map[string]browserCapture{"prize": s.capture(prize, true), "practice": s.capture(practice, true)}

	t.Run("a submitted attempt at an open prize round shows the same whatever the key", func(t *testing.T) {
		for _, d := range differences(submittedBefore["prize"], submittedAfter["prize"]) {
			t.Errorf("the key changed what the browser gets: %s", d)
		}
		noKeyMarkers(t, submittedBefore["prize"])
		if !strings.Contains(results["prize"], `"type":"result"`) || strings.Contains(results["prize"], `"correct":true`) {
			t.Errorf("result message %s, want a result with no correct option", results["prize"])
		}
		// The result message sent on the submit is the one sent again on
		// reconnecting, but for the submit's seq.
		if again := strings.Replace(results["prize"], `"seq":9,`, "", 1); again != submittedAfter["prize"]["prize socket result first"] {
			t.Errorf("result on submit %s, on reconnecting after the key changed %s; want the same", results["prize"],
				submittedAfter["prize"]["prize socket result first"])
		}
	})

	t.Run("the practice round's review does change with the key, so a leak would show", func(t *testing.T) {
		review := fmt.Sprintf("practice GET /api/v1/attempts/%d", practice.attemptID)
		if !strings.Contains(submittedBefore["practice"][review], `"correct":true`) {
			t.Fatalf("the practice review %s shows no correct option after the submit", submittedBefore["practice"][review])
		}
		diffs := differences(submittedBefore["practice"], submittedAfter["practice"])
		changed := map[string]bool{}
		for _, d := range diffs {
			changed[d[:strings.Index(d, ":")]] = true
		}
		for _, name := range []string{review, fmt.Sprintf("practice page /attempts/%d", practice.attemptID)} {
			if !changed[name] {
				t.Errorf("%s is the same under another key, want it to show the key", name)
			}
		}
	})
}

// An attempt whose deadline is the round's close still takes answers for
// the grace after it (messages on the network at the deadline). Until the
// grace is over no review may show the key: a throwaway account's review
// read at the close would otherwise win that attempt full marks.
func TestAnswerKeyWaitsForTheGraceAfterTheClose(t *testing.T) {
	const grace = 4 * time.Second
	s := startServerOnFakeClock(t, map[string]string{"HOITHI_GRACE": grace.String()})
	admin := s.admin()
	closesAt := s.now().Add(3 * time.Second).UTC()
	roundID := s.round(admin, map[string]any{"reveal": "after_close", "question_count": 5,
		"closes_at": closesAt.Format(time.RFC3339Nano)})

	throwaway, _ := s.contestant("Tài Khoản Phụ")
	probe := s.start(throwaway, roundID)
	s.submitAttempt(throwaway, probe)

	player, _ := s.contestant("Người Chơi Gian")
	late := s.dial(attemptWS(s.start(player, roundID)), player)
	questions := late.state().Questions

	reviewShowsKey := func() bool {
		status, body := s.call("GET", fmt.Sprintf("/api/v1/attempts/%d", probe), throwaway, nil)
		if status != http.StatusOK {
			t.Fatalf("GET /attempts/%d: status %d: %s", probe, status, body)
		}
		return strings.Contains(string(body), `"correct":true`)
	}

	s.clock.Set(closesAt.Add(50 * time.Millisecond))
	shown := reviewShowsKey()
	_, page, _ := s.page("GET", fmt.Sprintf("/attempts/%d", probe), throwaway, nil, "")
	late.send(map[string]any{"type": "answer", "seq": 1, "question_id": questions[0].ID, "option_ids": []int64{questions[0].Options[0].ID}})
	if ack := late.read(); ack["type"] != "ack" {
		t.Fatalf("an answer within the grace after the close got %v, want ack", ack)
	}
	if shown || strings.Contains(page, "is-correct") {
		t.Error("the review shows the key while an attempt still takes answers, want it hidden until the grace is over")
	}

	s.clock.Set(closesAt.Add(grace - time.Millisecond))
	if reviewShowsKey() {
		t.Error("the review showed the key before the grace after the close was over")
	}

	s.clock.Set(closesAt.Add(grace + time.Millisecond))
	// The attempt's submit at the end of its grace runs beside the
	// requests below; the wait only guards against a hang.
	deadline := time.Now().Add(10 * time.Second)
	for !reviewShowsKey() {
		if time.Now().After(deadline) {
			t.Fatal("the review never showed the key after the close and its grace")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An organizer may close a round early: attempts already running keep their
// deadline. No review shows the key while one of them still takes answers.
func TestAnswerKeyWaitsForAttemptsRunningPastAnEarlyClose(t *testing.T) {
	s := startServerOnFakeClock(t, nil)
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"reveal": "after_close", "question_count": 5})

	throwaway, _ := s.contestant("Tài Khoản Phụ")
	probe := s.start(throwaway, roundID)
	s.submitAttempt(throwaway, probe)
	player, _ := s.contestant("Người Chơi Gian")
	running := s.start(player, roundID)
	late := s.dial(attemptWS(running), player)
	questions := late.state().Questions

	s.closeRound(admin, roundID)
	s.clock.Advance(time.Second) // the test server's grace after the close is 500 ms

	reviewShowsKey := func() bool {
		status, body := s.call("GET", fmt.Sprintf("/api/v1/attempts/%d", probe), throwaway, nil)
		if status != http.StatusOK {
			t.Fatalf("GET /attempts/%d: status %d: %s", probe, status, body)
		}
		return strings.Contains(string(body), `"correct":true`)
	}
	t.Run("the key stays hidden while an attempt still takes answers", func(t *testing.T) {
		if reviewShowsKey() {
			t.Error("the review shows the key while an attempt runs past the close")
		}
		late.send(map[string]any{"type": "answer", "seq": 1, "question_id": questions[0].ID,
			"option_ids": []int64{questions[0].Options[0].ID}})
		if m := late.read(); m["type"] != "ack" {
			t.Fatalf("the running attempt's answer got %v, want ack (it runs to its own deadline)", m)
		}
	})
	t.Run("the key shows once the last attempt is submitted", func(t *testing.T) {
		late.send(map[string]any{"type": "submit", "seq": 2})
		late.expect("result")
		if !reviewShowsKey() {
			t.Error("the review hides the key after the close with no attempt running")
		}
	})
}
