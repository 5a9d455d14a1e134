package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// While a round that asks a prediction is open, nothing public may give away
// the figure the prediction asks for, or let it be counted: the public
// leaderboard shows its first 10 entries and no total, and a contestant's
// own rank is given only within those 10. Staff see everything.

// boardAnswer is the leaderboard as the API and the socket send it.
type boardAnswer struct {
	Type    string          `json:"type"`
	Total   *int            `json:"total"`
	Entries []boardLine     `json:"entries"`
	Me      *boardLine      `json:"me"`
	Raw     json.RawMessage `json:"-"`
}

type boardLine struct {
	Rank  *int   `json:"rank"`
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// givenNames name the contestants these tests register: names are letters
// only.
var givenNames = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga", "Oanh", "Phúc",
	"Quân", "Sơn", "Tâm"}

// shown prints a number that may be null.
func shown(n *int) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

func (s *testServer) board(roundID int64, query, token string) boardAnswer {
	s.t.Helper()
	path := fmt.Sprintf("/api/v1/rounds/%d/leaderboard%s", roundID, query)
	status, data := s.call("GET", path, token, nil)
	var b boardAnswer
	if err := json.Unmarshal(data, &b); status != http.StatusOK || err != nil {
		s.t.Fatalf("GET %s: status %d, %v: %s", path, status, err, data)
	}
	b.Raw = data
	return b
}

// readBoard reads the socket's next message as a leaderboard or "me".
func (c *wsConn) readBoard() boardAnswer {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var b boardAnswer
	if err := json.Unmarshal(data, &b); err != nil {
		c.t.Fatalf("%v in %s", err, data)
	}
	b.Raw = data
	return b
}

// predictionRound is an open prize round that asks how many contestants
// take part, with twelve contestants on its board: one who answered two
// questions right, ten who answered one, then one who answered none and so
// ranks last.
type predictionRound struct {
	roundID    int64
	last       string // the token of the contestant ranked 12th
	lastResult msg    // their result message
	lastID     int64  // and their attempt
	first      string // a token of a contestant in the top 10
}

func playPredictionRound(t *testing.T, s *testServer, fields map[string]any) predictionRound {
	t.Helper()
	p := startPredictionRound(t, s, fields)
	p.last, _ = s.contestant("Tài Khoản Cuối")
	p.submitLast(s)
	return p
}

// startPredictionRound makes the round with its first eleven contestants.
func startPredictionRound(t *testing.T, s *testServer, fields map[string]any) predictionRound {
	t.Helper()
	admin := s.admin()
	key := s.key(admin)
	if fields == nil {
		fields = map[string]any{}
	}
	fields["prediction_prompt"] = "Đợt thi này sẽ có bao nhiêu người tham gia?"
	fields["prediction_target"] = "participants"
	p := predictionRound{roundID: s.round(admin, fields)}
	for i := range 11 {
		token, _ := s.contestant("Người Dự Thi " + givenNames[i])
		right := 1
		if i == 0 {
			p.first, right = token, 2 // first on the board
		}
		s.play(token, p.roundID, key, right, &predictionGuess)
	}
	return p
}

var predictionGuess = 40

// submitLast has p.last submit an attempt with nothing answered.
func (p *predictionRound) submitLast(s *testServer) {
	s.t.Helper()
	p.lastID = s.start(p.last, p.roundID)
	ws := s.dial(attemptWS(p.lastID), p.last)
	ws.state()
	ws.send(map[string]any{"type": "submit", "seq": 1, "prediction": predictionGuess})
	p.lastResult = ws.expect("result")
	ws.Close()
}

func TestPredictionFigureCannotBeReadWhileOpen(t *testing.T) {
	s := startServer(t, nil)
	p := playPredictionRound(t, s, nil)
	boardPath := fmt.Sprintf("/rounds/%d/leaderboard", p.roundID)

	t.Run("the public leaderboard shows the first 10 entries and no total", func(t *testing.T) {
		for _, query := range []string{"", "?limit=11", "?limit=50", "?limit=1000"} {
			b := s.board(p.roundID, query, "")
			if b.Total != nil || len(b.Entries) != 10 {
				t.Errorf("GET leaderboard%s: total %s and %d entries, want null and 10", query, shown(b.Total), len(b.Entries))
			}
		}
		if b := s.board(p.roundID, "?limit=3", ""); len(b.Entries) > 10 || b.Total != nil {
			t.Errorf("GET leaderboard?limit=3: total %s and %d entries, want null and at most 10", shown(b.Total), len(b.Entries))
		}
	})

	t.Run("a contestant beyond the first 10 is not told their rank", func(t *testing.T) {
		if rank, ok := p.lastResult["rank"]; !ok || rank != nil {
			t.Errorf("result message %v, want rank null", p.lastResult)
		}
		if p.lastResult["score"] != float64(0) {
			t.Errorf("result message %v, want score 0", p.lastResult)
		}
		var stored struct {
			Status string `json:"status"`
			Rank   *int   `json:"rank"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", p.lastID), p.last, nil, &stored)
		if stored.Status != "submitted" || stored.Rank != nil {
			t.Errorf("GET /attempts/%d: %s with rank %s, want submitted with rank null", p.lastID, stored.Status, shown(stored.Rank))
		}
		b := s.board(p.roundID, "?limit=50", p.last)
		if b.Me == nil || b.Me.Rank != nil || b.Me.Score != 0 {
			t.Errorf("leaderboard %s, want me with rank null and 0 points", b.Raw)
		}
		// Reconnecting to the submitted attempt sends the result again.
		ws := s.dial(attemptWS(p.lastID), p.last)
		ws.state()
		if again := ws.expect("result"); again["rank"] != nil {
			t.Errorf("result on reconnect %v, want rank null", again)
		}
	})

	t.Run("the leaderboard socket hides the total and the rank beyond the first 10", func(t *testing.T) {
		ws := s.dial(fmt.Sprintf("/ws/rounds/%d/leaderboard?limit=100", p.roundID), p.last)
		b := ws.readBoard()
		if b.Type != "leaderboard" || b.Total != nil || len(b.Entries) != 10 {
			t.Errorf("first push %s, want 10 entries and total null", b.Raw)
		}
		me := ws.readBoard()
		if me.Type != "me" || me.Me == nil || me.Me.Rank != nil {
			t.Errorf("me message %s, want rank null", me.Raw)
		}
	})

	t.Run("a contestant within the first 10 is still told their rank", func(t *testing.T) {
		b := s.board(p.roundID, "", p.first)
		if b.Me == nil || b.Me.Rank == nil || *b.Me.Rank != 1 {
			t.Errorf("leaderboard %s, want me at rank 1", b.Raw)
		}
	})

	t.Run("the pages say the full ranking comes at the close", func(t *testing.T) {
		_, html, _ := s.page("GET", boardPath, p.last, nil, "")
		for _, want := range []string{
			"bảng chỉ hiện 10 hạng đầu. Bảng xếp hạng đầy đủ được công bố khi đợt thi kết thúc.",
			"Bạn có 0 điểm, ngoài 10 hạng đầu.",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("leaderboard page lacks %q", want)
			}
		}
		for _, leak := range []string{`id="board-total">12<`, "Hạng của bạn: 12"} {
			if strings.Contains(html, leak) {
				t.Errorf("leaderboard page shows %q", leak)
			}
		}
		_, html, _ = s.page("GET", fmt.Sprintf("/attempts/%d", p.lastID), p.last, nil, "")
		if !strings.Contains(html, `id="result-rank">–<`) || strings.Contains(html, `id="result-rank">12<`) {
			t.Error("the result page shows a rank beyond the first 10, want –")
		}
		if !strings.Contains(html, "Hạng của bạn nằm ngoài 10 hạng đầu. Bảng xếp hạng đầy đủ được công bố khi đợt thi kết thúc.") {
			t.Error("the result page does not say the full ranking comes at the close")
		}
	})

	t.Run("staff see the whole board and every rank", func(t *testing.T) {
		organizer := s.staff("organizer", "bantochuc@hoithi.test")
		official := s.staff("official", "giamkhao@hoithi.test")
		for _, token := range []string{organizer, official, s.admin()} {
			b := s.board(p.roundID, "?limit=50", token)
			if b.Total == nil || *b.Total != 12 || len(b.Entries) != 12 {
				t.Errorf("staff leaderboard: total %s, %d entries; want 12 and 12", shown(b.Total), len(b.Entries))
			}
			var stored struct {
				Rank *int `json:"rank"`
			}
			s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", p.lastID), token, nil, &stored)
			if stored.Rank == nil || *stored.Rank != 12 {
				t.Errorf("staff reading the attempt: rank %s, want 12", shown(stored.Rank))
			}
		}
		ws := s.dial(fmt.Sprintf("/ws/rounds/%d/leaderboard?limit=50", p.roundID), organizer)
		if b := ws.readBoard(); b.Total == nil || *b.Total != 12 || len(b.Entries) != 12 {
			t.Errorf("staff socket: %s, want all 12", b.Raw)
		}
		_, html, _ := s.page("GET", boardPath, organizer, nil, "")
		if !strings.Contains(html, `id="board-total">12<`) {
			t.Error("the leaderboard page does not show staff the total")
		}
	})
}

func TestLeaderboardSocketDoesNotCountSubmissionsBelowTheTop(t *testing.T) {
	s := startServer(t, nil)
	p := playPredictionRound(t, s, nil)
	admin := s.admin()
	key := s.key(admin)

	ws := s.dial(fmt.Sprintf("/ws/rounds/%d/leaderboard", p.roundID), "")
	before := ws.readBoard()
	if before.Total != nil {
		t.Fatalf("first push %s, want total null", before.Raw)
	}
	// Three more contestants land below the first 10, each long enough
	// after the last for the socket to push if it would.
	for i := range 3 {
		token, _ := s.contestant("Người Thi Thêm " + givenNames[i])
		s.play(token, p.roundID, key, 0, nil)
		time.Sleep(3 * boardPushGapForTests)
	}
	// One more goes to the top: the next push must show them.
	top, _ := s.contestant("Người Đứng Đầu")
	s.play(top, p.roundID, key, 5, nil)
	for pushes := 0; ; pushes++ {
		b := ws.readBoard()
		if b.Type != "leaderboard" {
			continue
		}
		if b.Total != nil {
			t.Fatalf("push %s, want total null", b.Raw)
		}
		if len(b.Entries) > 0 && b.Entries[0].Name == "Người Đứng Đầu" {
			if pushes > 0 {
				t.Errorf("the socket pushed %d boards before the change at the top, want none: submissions below the top can be counted", pushes)
			}
			break
		}
		if string(b.Raw) != string(before.Raw) {
			t.Fatalf("push %s changed below the top, want the first 10 unchanged", b.Raw)
		}
	}
}

// boardPushGapForTests is the server's least time between two pushes.
const boardPushGapForTests = 250 * time.Millisecond

func TestRoundsWithoutPredictionOrClosedShowEverything(t *testing.T) {
	s := startServerOnFakeClock(t, map[string]string{"HOITHI_GRACE": "100ms"})

	t.Run("a round without a prediction shows its whole board and every rank", func(t *testing.T) {
		s := s.in(t)
		admin := s.admin()
		key := s.key(admin)
		roundID := s.round(admin, nil)
		for i := range 11 {
			token, _ := s.contestant("Người Không Dự Đoán " + givenNames[i])
			s.play(token, roundID, key, 1, nil)
		}
		last, _ := s.contestant("Người Cuối Bảng")
		s.play(last, roundID, key, 0, nil)
		b := s.board(roundID, "?limit=50", last)
		if b.Total == nil || *b.Total != 12 || len(b.Entries) != 12 || b.Me == nil || b.Me.Rank == nil || *b.Me.Rank != 12 {
			t.Errorf("board %s, want 12 entries, total 12 and me at rank 12", b.Raw)
		}
		// A limit is rounded up to the next of the board's fixed sizes
		// (10, 20, 50, ...): 11 asks for 20.
		if b := s.board(roundID, "?limit=11", ""); len(b.Entries) != 12 {
			t.Errorf("GET leaderboard?limit=11: %d entries, want all 12 (the size 20)", len(b.Entries))
		}
		if b := s.board(roundID, "?limit=7", ""); len(b.Entries) != 10 {
			t.Errorf("GET leaderboard?limit=7: %d entries, want 10 (the size 10)", len(b.Entries))
		}
	})

	t.Run("a prediction round shows everything once it has closed", func(t *testing.T) {
		s := s.in(t)
		p := playPredictionRound(t, s, nil)
		s.closeRound(s.admin(), p.roundID)
		if b := s.board(p.roundID, "?limit=50", p.last); b.Total != nil {
			t.Errorf("board %s at the close, want its total kept until the grace and a second have passed", b.Raw)
		}
		s.clock.Advance(1100 * time.Millisecond)
		// The board closes beside the requests below; the wait only
		// guards against a hang.
		deadline := time.Now().Add(10 * time.Second)
		for {
			b := s.board(p.roundID, "?limit=50", p.last)
			if b.Total != nil {
				if *b.Total != 12 || len(b.Entries) != 12 || b.Me == nil || b.Me.Rank == nil || *b.Me.Rank != 12 {
					t.Errorf("closed board %s, want 12 entries, total 12 and me at rank 12", b.Raw)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the closed round's board never showed its total")
			}
			time.Sleep(10 * time.Millisecond)
		}
		var stored struct {
			Rank *int `json:"rank"`
		}
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", p.lastID), p.last, nil, &stored)
		if stored.Rank == nil || *stored.Rank != 12 {
			t.Errorf("closed round: own rank %s, want 12", shown(stored.Rank))
		}
	})
}

func TestBrowserLeaderboardOfAnOpenPredictionRound(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	p := startPredictionRound(t, s, nil)
	p.last, _ = s.contestant("Tài Khoản Cuối")
	b := startBrowser(t, chromium)
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: "hoithi_token", Value: p.last,
		URL: s.URL, Path: "/"}); err != nil {
		t.Fatalf("give the browser the contestant's session: %v", err)
	}
	if status := b.open(t, fmt.Sprintf("%s/rounds/%d/leaderboard", s.URL, p.roundID)); status != http.StatusOK {
		t.Fatalf("leaderboard: status %d, want 200", status)
	}
	b.waitText(t, "#board-live", "Đang cập nhật trực tiếp")

	t.Run("the board shows its first 10 places and says the rest comes at the close", func(t *testing.T) {
		if n := eval[int](t, b, `document.querySelectorAll('#board-rows tr').length`); n != 10 {
			t.Errorf("%d rows, want 10", n)
		}
		if !eval[bool](t, b, `document.getElementById('board-count').hidden && !document.getElementById('board-guarded').hidden`) {
			t.Error("the page shows a count of contestants, want the line about the close instead")
		}
	})
	t.Run("a contestant who lands beyond the 10 learns their score, not their rank", func(t *testing.T) {
		p.submitLast(s.in(t))
		b.waitText(t, "#board-me", "Bạn có 0 điểm, ngoài 10 hạng đầu. Bảng xếp hạng đầy đủ được công bố khi đợt thi kết thúc.")
		if n := eval[int](t, b, `document.querySelectorAll('#board-rows tr').length`); n != 10 {
			t.Errorf("%d rows after the submit, want 10", n)
		}
		if got := b.text(t, "#board-total"); got != "" {
			t.Errorf("board total %q, want none", got)
		}
	})
	for _, e := range b.errors.all() {
		t.Errorf("the browser reported %s, want no error", e)
	}
}
