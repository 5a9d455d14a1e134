package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The live quiz in real browsers beyond the plain game of
// browser_live_test.go: a question with several right options, the host
// skipping questions and ending a game early, a game that moves on by
// itself, and the pages in English. Every state a phone or the projector
// shows is checked with axe-core at the phone's and the desktop's width,
// and for text a person should never see: catalog keys, placeholders and,
// on the English pages, Vietnamese outside the quiz's own content.

// keyedQuestion is a demo bank question with its right options.
type keyedQuestion struct {
	ID    int64
	Right map[int64]bool // option id → right
}

// rights returns how many of the question's options are right.
func (q keyedQuestion) rights() int {
	n := 0
	for _, right := range q.Right {
		if right {
			n++
		}
	}
	return n
}

// demoKeyedQuestions returns the demo bank's questions with one right
// option and those with several, in the bank's order.
func (s *testServer) demoKeyedQuestions(token string) (single, multiple []keyedQuestion) {
	s.t.Helper()
	for _, q := range s.bankQuestions(token, s.demoBank(token)).Questions {
		k := keyedQuestion{ID: q.ID, Right: map[int64]bool{}}
		for _, o := range q.Options {
			k.Right[o.ID] = o.Correct
		}
		if k.rights() > 1 {
			multiple = append(multiple, k)
		} else {
			single = append(single, k)
		}
	}
	if len(single) < 3 || len(multiple) < 1 {
		s.t.Fatalf("the demo bank has %d single and %d multiple-answer questions, want at least 3 and 1", len(single), len(multiple))
	}
	return single, multiple
}

// liveGameOf creates a game of the questions, in their order, with
// seconds per question and the fields given.
func (s *testServer) liveGameOf(token string, seconds int, questions []keyedQuestion, fields map[string]any) liveGame {
	s.t.Helper()
	ids := make([]int64, len(questions))
	for i, q := range questions {
		ids[i] = q.ID
	}
	body := map[string]any{"question_ids": ids, "seconds_per_question": seconds}
	for k, v := range fields {
		body[k] = v
	}
	return s.createLive(token, 0, body)
}

// hostLive opens the projector view of g in a browser of its own, signed
// in as the holder of token, and waits for the lobby.
func (s *testServer) hostLive(t *testing.T, chromium, token string, g liveGame) tab {
	t.Helper()
	host := startBrowser(t, chromium)
	host.holdToken(t, s, token)
	host.projector(t)
	if status := host.open(t, fmt.Sprintf("%s/organize/live/%d", s.URL, g.GameID)); status != http.StatusOK {
		t.Fatalf("projector view: status %d", status)
	}
	host.visible(t, "view-lobby")
	return host
}

// joinLive joins the game of pin as nickname through the join page, as
// the QR code's link leads there, and waits for the lobby.
func (b tab) joinLive(t *testing.T, s *testServer, pin, nickname string) {
	t.Helper()
	b.open(t, s.URL+"/live/join?pin="+pin)
	b.do(t, "type a nickname", chromedp.SendKeys(chromedp.ID("nickname"), nickname))
	if status := b.click(t, "#join"); status != http.StatusOK {
		t.Fatalf("join as %q: status %d", nickname, status)
	}
	b.visible(t, "view-lobby")
}

// pressOption presses the option with id on the question a phone shows.
func (b tab) pressOption(t *testing.T, id int64) {
	t.Helper()
	b.press(t, fmt.Sprintf(`#q-options button[data-option-id="%d"]`, id))
}

// chosenLetters is how a phone names the options ids of a question it
// shows in order: by their letters, "A, C".
func chosenLetters(order []int64, ids ...int64) string {
	var letters []string
	for i, id := range order {
		if slices.Contains(ids, id) {
			letters = append(letters, string(rune('A'+i)))
		}
	}
	return strings.Join(letters, ", ")
}

// liveNicknames are the players' nicknames in these tests: what a player
// types is shown as typed, in any language, on every page.
var liveNicknames = []string{"Cô Lan", "Anh Minh", "Chú Tư", "Bình"}

// liveTextProblems finds, in the page as it stands, text no one should
// see: a catalog key, a placeholder left unfilled, a formatting verb, and
// on an English page any Vietnamese outside an element marked
// lang="vi" (the game's title, questions and options), the players'
// nicknames and the signed-in person's name. Hidden views count: they
// show later.
var liveTextProblems = `((nicknames) => {
	const vietnamese = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáãèéìíĩòóõùúũý]/i;
	const technical = /\b(?:liveweb|live_more|live|err|fmt)\.[a-z_]+(?:\.[a-z_]+)*\b|\{[a-z_]+\}|\{[^{}|]*\|[^{}|]*\}|%[0-9.]*[sdvq](?![a-zà-ỹ])|%!/i;
	const found = [];
	const check = (el, text, where) => {
		for (const n of nicknames) { text = text.split(n).join(''); }
		text = text.trim();
		if (!text) { return; }
		if (technical.test(text)) { found.push(where + ' has technical text: ' + JSON.stringify(text)); }
		const lang = (el.closest('[lang]') || document.documentElement).getAttribute('lang') || '';
		if (lang.startsWith('en') && !el.closest('.live-nick, #nav-me') && vietnamese.test(text)) {
			found.push(where + ' has Vietnamese on an English page: ' + JSON.stringify(text));
		}
	};
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		if (el.closest('script, style')) { continue; }
		check(el, n.textContent, el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
	}
	for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
		for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
			if (el.hasAttribute(a)) { check(el, el.getAttribute(a), el.tagName.toLowerCase() + '[' + a + ']'); }
		}
	}
	return found;
})(` + jsList(liveNicknames) + `)`

// liveState checks what the tab shows now, one state of a live game:
// axe-core at both widths, and no technical or untranslated text.
func (b tab) liveState(t *testing.T, state string) {
	t.Helper()
	b.axeHere(t, state)
	for _, p := range eval[[]string](t, b, liveTextProblems) {
		t.Errorf("%s (%s): %s", b.location(t), state, p)
	}
}

// recordViews starts a record, in the page, of each view of a live page
// as it comes into sight, with its question number or board title: the
// states a game that moves on by itself passes through, however quickly.
func (b tab) recordViews(t *testing.T) {
	t.Helper()
	eval[bool](t, b, `(() => {
		window.viewsSeen = [];
		const label = (v) => {
			const head = v.querySelector('.live-qnum, #board-title, #hb-title');
			return v.id + (head && head.textContent.trim() ? ' ' + head.textContent.trim() : '');
		};
		const note = (v) => {
			if (!v.classList.contains('live-view') || v.hidden) { return; }
			const l = label(v);
			if (window.viewsSeen[window.viewsSeen.length - 1] !== l) { window.viewsSeen.push(l); }
		};
		document.querySelectorAll('.live-view').forEach(note);
		new MutationObserver((records) => records.forEach((r) => note(r.target)))
			.observe(document.querySelector('#live, #live-host'), {subtree: true, attributes: true, attributeFilter: ['hidden']});
		return true;
	})()`)
}

// viewsSeen returns the views recordViews has seen so far.
func (b tab) viewsSeen(t *testing.T) []string {
	t.Helper()
	return eval[[]string](t, b, `window.viewsSeen`)
}

// waitView waits up to within for the view with id to show: a game that
// moves on by itself takes its pauses on the server's clock.
func (b tab) waitView(t *testing.T, id string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if eval[bool](t, b, fmt.Sprintf(`!document.getElementById(%s).hidden`, jsString(id))) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not show within %s; the views shown: %q", id, within, b.viewsSeen(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// noPageErrors fails on any script or loading error the browser reported.
func noPageErrors(t *testing.T, browsers ...tab) {
	t.Helper()
	for _, b := range browsers {
		for _, e := range b.errors.all() {
			t.Errorf("the browser reported %s, want no error", e)
		}
	}
}

// pointsOf reads "+962 điểm".
func pointsOf(t *testing.T, text string) int {
	t.Helper()
	m := pointsText.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("points %q, want +N điểm", text)
	}
	var n int
	fmt.Sscan(strings.ReplaceAll(m[1], ".", ""), &n)
	return n
}

func TestBrowserLiveMultipleAnswers(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	admin := s.admin()
	single, multiple := s.demoKeyedQuestions(admin)
	multi := multiple[0]
	g := s.liveGameOf(admin, 60, []keyedQuestion{multi, single[0]}, nil)
	host := s.hostLive(t, chromium, admin, g)

	players := startBrowser(t, chromium)
	lan := players
	lan.joinLive(t, s, g.PIN, "Cô Lan")
	minh, closeMinh := players.newTab(t)
	defer closeMinh()
	minh.desktop(t)
	minh.joinLive(t, s, g.PIN, "Anh Minh")

	host.front(t)
	host.waitText(t, "#lobby-count", "2 người đã vào")
	host.press(t, "#c-start")
	host.visible(t, "view-question")

	var order, rights, wrongs []int64 // the options as the phones show them
	t.Run("the phone says several options may be chosen and offers a button to send them", func(t *testing.T) {
		lan.front(t)
		lan.visible(t, "view-question")
		order = lan.liveOptionIDs(t)
		for _, id := range order {
			if multi.Right[id] {
				rights = append(rights, id)
			} else {
				wrongs = append(wrongs, id)
			}
		}
		lan.waitText(t, "#q-hint", "Câu này có nhiều đáp án đúng: chọn tất cả rồi bấm Gửi.")
		lan.visible(t, "q-send")
		if got := lan.text(t, "#q-send"); got != "Gửi câu trả lời" {
			t.Errorf("send button %q, want Gửi câu trả lời", got)
		}
		if pressed := eval[[]string](t, lan, `Array.from(document.querySelectorAll('#q-options button')).map(b => b.getAttribute('aria-pressed'))`); strings.Join(pressed, ",") != strings.TrimSuffix(strings.Repeat("false,", len(order)), ",") {
			t.Errorf("aria-pressed of the options %q, want every one false: toggle buttons, none chosen yet", pressed)
		}
		if got := eval[string](t, lan, `(document.getElementById('q-options').getAttribute('aria-describedby') || '').split(' ').map(id => document.getElementById(id)?.textContent ?? '').join(' ').trim()`); got != lan.text(t, "#q-hint") {
			t.Errorf("the options' group is described by %q, want the hint, which a screen reader then reads with the buttons", got)
		}
		lan.fitsPhone(t)
		lan.liveState(t, "a multiple-answer question")
		host.waitText(t, "#hq-hint", "Câu này có nhiều đáp án đúng: chọn tất cả rồi bấm Gửi.")
		host.liveState(t, "a multiple-answer question")
	})
	t.Run("sending nothing is refused in words, and a second press takes a choice back", func(t *testing.T) {
		lan.front(t)
		lan.press(t, "#q-send")
		lan.waitText(t, "#q-status", "Hãy chọn ít nhất một phương án.")
		lan.visible(t, "view-question")
		lan.pressOption(t, wrongs[0])
		lan.waitTrue(t, "the wrong option pressed", fmt.Sprintf(`document.querySelector('#q-options button[data-option-id="%d"]').getAttribute('aria-pressed') === 'true'`, wrongs[0]))
		lan.waitText(t, "#q-status", "")
		lan.pressOption(t, wrongs[0])
		lan.waitTrue(t, "the wrong option taken back", fmt.Sprintf(`document.querySelector('#q-options button[data-option-id="%d"]').getAttribute('aria-pressed') === 'false'`, wrongs[0]))
		for _, id := range rights {
			lan.pressOption(t, id)
		}
		marked := eval[[]string](t, lan, `Array.from(document.querySelectorAll('#q-options button')).map(b => b.getAttribute('aria-pressed') + getComputedStyle(b, '::after').content)`)
		for i, id := range order {
			want := `false` + "none"
			if multi.Right[id] {
				want = `true"✓"`
			}
			if marked[i] != want {
				t.Errorf("option %s shows %s, want %s", chosenLetters(order, id), marked[i], want)
			}
		}
		lan.liveState(t, "options chosen, not sent")
	})
	t.Run("the chosen options go together and the phone waits once they are stored", func(t *testing.T) {
		lan.press(t, "#q-send")
		lan.visible(t, "view-wait")
		lan.waitText(t, "#wait-choice", "Bạn đã chọn "+chosenLetters(order, rights...))
		lan.liveState(t, "a multiple answer sent")
		host.front(t)
		host.waitText(t, "#hq-answered", "1/2 người đã trả lời")
	})
	var lanPoints int
	t.Run("a choice short of the right set is wrong and earns nothing", func(t *testing.T) {
		minh.front(t)
		minh.visible(t, "view-question")
		minh.pressOption(t, rights[0])
		minh.pressOption(t, wrongs[0])
		minh.press(t, "#q-send")
		minh.visible(t, "view-result")
		minh.waitText(t, "#r-verdict", "Chưa đúng")
		minh.waitText(t, "#r-points", "Không có điểm cho câu này")
		minh.waitText(t, "#r-choice", "Bạn đã chọn "+chosenLetters(order, rights[0], wrongs[0]))
		minh.liveState(t, "a wrong multiple answer's result")
	})
	t.Run("exactly the right set is right, and the reveal lists every right option", func(t *testing.T) {
		lan.front(t)
		lan.visible(t, "view-result")
		lan.waitText(t, "#r-verdict", "Chính xác!")
		lanPoints = pointsOf(t, lan.text(t, "#r-points"))
		if lanPoints < 500 || lanPoints > 1000 {
			t.Errorf("%d points for the right set, want 500 to 1000 in the speed mode", lanPoints)
		}
		lan.waitText(t, "#r-rank", "Hạng 1 trên 2 người chơi")
		if n := eval[int](t, lan, `document.querySelectorAll('#r-right li').length`); n != len(rights) {
			t.Errorf("the phone lists %d right options, want %d", n, len(rights))
		}
		lan.fitsPhone(t)
		lan.liveState(t, "a right multiple answer's result")
	})
	t.Run("the projector marks every right option and counts each choice", func(t *testing.T) {
		host.front(t)
		host.visible(t, "view-reveal")
		host.waitText(t, "#hr-summary", "1/2 người trả lời đúng")
		if n := eval[int](t, host, `document.querySelectorAll('#hr-bars .live-bar-row.is-right').length`); n != len(rights) {
			t.Errorf("%d options marked right, want %d", n, len(rights))
		}
		counts := eval[[]string](t, host, `Array.from(document.querySelectorAll('#hr-bars .live-bar-count')).map(e => e.textContent)`)
		for i, id := range order {
			want := 0
			if multi.Right[id] {
				want++ // Lan chose every right option
			}
			if id == rights[0] || id == wrongs[0] {
				want++ // Minh chose these two
			}
			if i >= len(counts) || counts[i] != fmt.Sprintf("%d người chọn", want) {
				t.Errorf("option %s: bar %q, want %d người chọn", chosenLetters(order, id), counts, want)
			}
		}
		host.liveState(t, "a multiple-answer reveal")
	})
	t.Run("the points and choices stored are those shown", func(t *testing.T) {
		var res liveResults
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
		if len(res.Players) != 2 || res.Players[0].Nickname != "Cô Lan" || res.Players[0].Points != lanPoints || res.Players[0].Correct != 1 ||
			res.Players[1].Points != 0 || res.Players[1].Correct != 0 {
			t.Errorf("players %+v, want Cô Lan with %d points and 1 right, Anh Minh with none", res.Players, lanPoints)
		}
		q := res.Questions[0]
		if q.Answered != 2 || q.Correct != 1 {
			t.Errorf("question 1: %d answered, %d right, want 2 and 1", q.Answered, q.Correct)
		}
		for _, o := range q.Options {
			want := 0
			if multi.Right[o.ID] {
				want++
			}
			if o.ID == rights[0] || o.ID == wrongs[0] {
				want++
			}
			if o.Count != want || o.Correct != multi.Right[o.ID] {
				t.Errorf("option %d stored chosen %d times (right %v), want %d (%v)", o.ID, o.Count, o.Correct, want, multi.Right[o.ID])
			}
		}
	})
	t.Run("the next question, with one right option, is answered with one press", func(t *testing.T) {
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.press(t, "#c-next")
		lan.front(t)
		lan.visible(t, "view-question")
		lan.waitText(t, "#q-num", "Câu 2/2")
		if got := lan.text(t, "#q-hint"); got != "" {
			t.Errorf("hint %q on a one-answer question, want none", got)
		}
		if !eval[bool](t, lan, `document.getElementById('q-send').hidden && !document.querySelector('#q-options [aria-pressed]')`) {
			t.Error("a one-answer question shows the send button or toggle buttons, want plain buttons")
		}
		lan.liveState(t, "a one-answer question after a multiple one")
		lan.answerLive(t, single[0].Right, true)
		minh.front(t)
		minh.visible(t, "view-question")
		minh.answerLive(t, single[0].Right, true)
		minh.visible(t, "view-result")
		minh.waitText(t, "#r-correct", "1 trên 2 câu")
		lan.front(t)
		lan.visible(t, "view-result")
		lan.waitText(t, "#r-correct", "2 trên 2 câu")
	})
	noPageErrors(t, host, players)
}

// liveRoom is a game of three questions of a minute on the projector,
// with Cô Lan on a phone and Anh Minh at a desktop's width in the lobby.
type liveRoom struct {
	s                        *testServer
	admin                    string
	single                   []keyedQuestion
	g                        liveGame
	host, players, lan, minh tab
}

func twoPlayerRoom(t *testing.T) liveRoom {
	t.Helper()
	chromium := chromiumPath(t)
	r := liveRoom{s: startServer(t, nil)}
	r.admin = r.s.admin()
	r.single, _ = r.s.demoKeyedQuestions(r.admin)
	r.g = r.s.liveGameOf(r.admin, 60, r.single[:3], nil)
	r.host = r.s.hostLive(t, chromium, r.admin, r.g)
	r.players = startBrowser(t, chromium)
	r.lan = r.players
	r.lan.joinLive(t, r.s, r.g.PIN, "Cô Lan")
	var closeMinh func()
	r.minh, closeMinh = r.players.newTab(t)
	t.Cleanup(closeMinh)
	r.minh.desktop(t)
	r.minh.joinLive(t, r.s, r.g.PIN, "Anh Minh")
	r.host.front(t)
	r.host.waitText(t, "#lobby-count", "2 người đã vào")
	return r
}

func TestBrowserLiveSkip(t *testing.T) {
	r := twoPlayerRoom(t)
	s, admin, single, g, host, players, lan, minh := r.s, r.admin, r.single, r.g, r.host, r.players, r.lan, r.minh
	host.press(t, "#c-start")

	t.Run("an answer stored before the skip", func(t *testing.T) {
		lan.front(t)
		lan.visible(t, "view-question")
		lan.answerLive(t, single[0].Right, true)
		lan.visible(t, "view-wait")
	})
	t.Run("the host skips the question and the projector shows the next one at once, saying so", func(t *testing.T) {
		host.front(t)
		host.visible(t, "view-question")
		if got := host.text(t, "#c-skip"); got != "Bỏ qua câu này" {
			t.Errorf("skip button %q", got)
		}
		host.press(t, "#c-skip")
		host.waitText(t, "#hq-num", "Câu 2/3")
		host.visible(t, "view-question")
		host.waitText(t, "#hq-skipped", "Đã bỏ qua câu 1: câu này không tính điểm.")
		host.liveState(t, "the question after a skip")
	})
	t.Run("the phones move on to the next question and say the skipped one earns nothing", func(t *testing.T) {
		for _, p := range []tab{lan, minh} {
			p.front(t)
			p.visible(t, "view-question")
			p.waitText(t, "#q-num", "Câu 2/3")
			p.waitText(t, "#q-skipped", "Câu 1 đã được bỏ qua và không tính điểm.")
			if got := p.text(t, "#announcer"); !strings.HasPrefix(got, "Câu 1 đã được bỏ qua và không tính điểm. Câu 2/3.") {
				t.Errorf("a screen reader hears %q, want the skip told before the next question", got)
			}
			p.liveState(t, "the question after a skip")
		}
		lan.fitsPhone(t)
	})
	var points int
	t.Run("the skipped question counts neither in the points nor in the right answers", func(t *testing.T) {
		lan.front(t)
		lan.answerLive(t, single[1].Right, true)
		minh.front(t)
		minh.answerLive(t, single[1].Right, false)
		minh.visible(t, "view-result")
		minh.waitText(t, "#r-correct", "0 trên 1 câu")
		lan.front(t)
		lan.visible(t, "view-result")
		lan.waitText(t, "#r-verdict", "Chính xác!")
		points = pointsOf(t, lan.text(t, "#r-points"))
		lan.waitText(t, "#r-total", fmt.Sprintf("%d điểm", points))
		lan.waitText(t, "#r-correct", "1 trên 1 câu")
		lan.liveState(t, "a result after a skip")
	})
	t.Run("the next question comes without the note", func(t *testing.T) {
		host.front(t)
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.press(t, "#c-next")
		host.waitText(t, "#hq-num", "Câu 3/3")
		if note := host.text(t, "#hq-skipped"); note != "" && !eval[bool](t, host, `document.getElementById('hq-skipped').hidden`) {
			t.Errorf("the projector still says %q on question 3", note)
		}
		lan.front(t)
		lan.waitText(t, "#q-num", "Câu 3/3")
		if note := lan.text(t, "#q-skipped"); note != "" && !eval[bool](t, lan, `document.getElementById('q-skipped').hidden`) {
			t.Errorf("the phone still says %q on question 3", note)
		}
	})
	t.Run("skipping the last question ends the game", func(t *testing.T) {
		host.front(t)
		host.press(t, "#c-skip")
		host.visible(t, "view-ended")
		if first := host.text(t, "#podium .live-step-1 .live-step-name"); first != "Cô Lan" {
			t.Errorf("first place %q, want Cô Lan", first)
		}
		host.liveState(t, "the podium after a skip")
		for _, p := range []struct {
			tab            tab
			rank, points   string
			correct, state string
		}{
			{lan, "Hạng 1 trên 2 người chơi", fmt.Sprintf("%d điểm", points), "1 trên 1 câu", "the end, first"},
			{minh, "Hạng 2 trên 2 người chơi", "0 điểm", "0 trên 1 câu", "the end, second"},
		} {
			p.tab.front(t)
			p.tab.visible(t, "view-final")
			p.tab.waitText(t, "#f-rank", p.rank)
			p.tab.waitText(t, "#f-points", p.points)
			p.tab.waitText(t, "#f-correct", p.correct)
			p.tab.liveState(t, p.state)
		}
	})
	t.Run("the results list the skipped questions as skipped, earning nothing", func(t *testing.T) {
		var res liveResults
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
		var statuses []string
		for _, q := range res.Questions {
			statuses = append(statuses, q.Status)
		}
		if strings.Join(statuses, ",") != "skipped,played,skipped" {
			t.Errorf("question statuses %v, want skipped, played, skipped", statuses)
		}
		if len(res.Players) != 2 || res.Players[0].Points != points || res.Players[0].Correct != 1 {
			t.Errorf("players %+v, want Cô Lan first with %d points and 1 right", res.Players, points)
		}
	})
	noPageErrors(t, host, players)
}

func TestBrowserLiveAutoAdvance(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	admin := s.admin()
	single, _ := s.demoKeyedQuestions(admin)
	host := startBrowser(t, chromium)
	host.holdToken(t, s, admin)
	host.projector(t)
	t.Run("the organizer creates a game that moves on by itself, five seconds a question", func(t *testing.T) {
		host.open(t, s.URL+"/organize/live")
		host.do(t, "fill in the game", chromedp.SetValue(chromedp.ID("seconds_per_question"), "5"),
			chromedp.Click(chromedp.CSS(`input[name="auto_advance"]`)))
		eval[bool](t, host, fmt.Sprintf(`(() => {
			document.querySelector('.live-pick').open = true;
			for (const id of [%d, %d]) { document.querySelector('input[name="question_ids"][value="' + id + '"]').checked = true; }
			return true;
		})()`, single[0].ID, single[1].ID))
		if status := host.click(t, "#create-game"); status != http.StatusOK {
			t.Fatalf("create: status %d", status)
		}
		host.visible(t, "view-lobby")
		if !eval[bool](t, host, `document.getElementById('c-auto').checked`) {
			t.Error("the projector's auto-advance box is not ticked, want it ticked as the game was created")
		}
		if got := host.text(t, ".live-settings"); !strings.HasPrefix(got, "2 câu · 5 giây mỗi câu") {
			t.Errorf("settings %q, want 2 câu · 5 giây mỗi câu …", got)
		}
	})
	pin := host.text(t, "#pin")
	phone := startBrowser(t, chromium)
	phone.joinLive(t, s, pin, "Chú Tư")
	host.waitText(t, "#lobby-count", "1 người đã vào")
	host.recordViews(t)
	phone.recordViews(t)

	t.Run("after the start, the host presses nothing more and the game runs to its end", func(t *testing.T) {
		host.press(t, "#c-start")
		phone.visible(t, "view-question")
		phone.answerLive(t, single[0].Right, true)
		// Two questions, each with a reveal and a leaderboard of 5 s:
		// about 25 s on the server's clock; the wait allows far more.
		phone.waitView(t, "view-final", 2*time.Minute)
		host.waitView(t, "view-ended", 30*time.Second)
		wantPhone := []string{"view-lobby", "view-question Câu 1/2", "view-wait", "view-result", "view-board Bảng xếp hạng sau câu 1",
			"view-question Câu 2/2", "view-result", "view-board Bảng xếp hạng sau câu 2", "view-final"}
		if got := phone.viewsSeen(t); !slices.Equal(got, wantPhone) {
			t.Errorf("the phone showed\n%q\nwant\n%q", got, wantPhone)
		}
		wantHost := []string{"view-lobby", "view-question Câu 1/2", "view-reveal Câu 1/2", "view-board Bảng xếp hạng sau câu 1",
			"view-question Câu 2/2", "view-reveal Câu 2/2", "view-board Bảng xếp hạng sau câu 2", "view-ended"}
		if got := host.viewsSeen(t); !slices.Equal(got, wantHost) {
			t.Errorf("the projector showed\n%q\nwant\n%q", got, wantHost)
		}
		phone.waitText(t, "#f-rank", "Hạng 1 trên 1 người chơi")
		phone.waitText(t, "#f-correct", "1 trên 2 câu")
		phone.liveState(t, "the end of a game that moved on by itself")
		host.liveState(t, "the podium of a game that moved on by itself")
	})
	t.Run("the results count the unanswered question as played", func(t *testing.T) {
		var games struct {
			Games []liveGame `json:"games"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/live", admin, nil, &games)
		var res liveResults
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/live/%d/results", games.Games[0].GameID), admin, nil, &res)
		if len(res.Questions) != 2 || res.Questions[0].Status != "played" || res.Questions[1].Status != "played" || res.Questions[1].Answered != 0 {
			t.Errorf("questions %+v, want both played, the second unanswered", res.Questions)
		}
	})
	noPageErrors(t, host, phone)
}

func TestBrowserLiveEndEarly(t *testing.T) {
	r := twoPlayerRoom(t)
	s, admin, single, g, host, players, lan, minh := r.s, r.admin, r.single, r.g, r.host, r.players, r.lan, r.minh

	t.Run("question 1 is played and question 2 opens", func(t *testing.T) {
		host.press(t, "#c-start")
		for _, p := range []tab{lan, minh} {
			p.front(t)
			p.visible(t, "view-question")
			p.answerLive(t, single[0].Right, true)
		}
		host.front(t)
		host.visible(t, "view-reveal")
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.press(t, "#c-next")
		host.waitText(t, "#hq-num", "Câu 2/3")
		lan.front(t)
		lan.waitText(t, "#q-num", "Câu 2/3")
		lan.answerLive(t, single[1].Right, true)
		lan.visible(t, "view-wait")
	})
	t.Run("a host who cancels the end changes nothing", func(t *testing.T) {
		second, closeSecond := host.newTab(t)
		defer closeSecond()
		second.projector(t)
		dialogs := second.dismissDialogs()
		second.open(t, fmt.Sprintf("%s/organize/live/%d", s.URL, g.GameID))
		second.visible(t, "view-question")
		second.press(t, "#c-end")
		if m := <-dialogs; m != "Kết thúc trò chơi ngay bây giờ? Câu hỏi đang mở sẽ được đóng và tính điểm." {
			t.Errorf("the confirmation asked %q", m)
		}
		var now liveGame
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/live/%d", g.GameID), admin, nil, &now)
		if now.Phase != "question" {
			t.Errorf("after Cancel the game is in its %q phase, want question", now.Phase)
		}
		minh.front(t)
		minh.visible(t, "view-question")
	})
	t.Run("the host ends the game during question 2, which counts", func(t *testing.T) {
		host.front(t)
		confirmed := host.acceptDialogs()
		host.press(t, "#c-end")
		<-confirmed
		host.visible(t, "view-ended")
		names := eval[[]string](t, host, `Array.from(document.querySelectorAll('#podium .live-step-name')).map(e => e.textContent)`)
		if strings.Join(names, "|") != "Cô Lan|Anh Minh" {
			t.Errorf("podium %q, want Cô Lan then Anh Minh", names)
		}
		if !eval[bool](t, host, `['c-start', 'c-next', 'c-skip', 'c-end', 'c-auto-box'].every(id => document.getElementById(id).hidden)`) {
			t.Error("the projector still offers game controls after the end")
		}
		host.liveState(t, "the podium of a game ended early")
	})
	t.Run("the phones show the final standings over the questions played", func(t *testing.T) {
		for _, p := range []struct {
			tab           tab
			rank, correct string
		}{{lan, "Hạng 1 trên 2 người chơi", "2 trên 2 câu"}, {minh, "Hạng 2 trên 2 người chơi", "1 trên 2 câu"}} {
			p.tab.front(t)
			p.tab.visible(t, "view-final")
			p.tab.waitText(t, "#f-rank", p.rank)
			p.tab.waitText(t, "#f-correct", p.correct)
			if n := eval[int](t, p.tab, `document.querySelectorAll('#f-board li').length`); n != 2 {
				t.Errorf("%d lines in the standings, want 2", n)
			}
			p.tab.liveState(t, "the end of a game ended early")
		}
		lan.fitsPhone(t)
		t.Run("and again after a reload", func(t *testing.T) {
			lan.front(t)
			lan.do(t, "reload the page", chromedp.Reload())
			lan.visible(t, "view-final")
			lan.waitText(t, "#f-rank", "Hạng 1 trên 2 người chơi")
			lan.waitText(t, "#f-correct", "2 trên 2 câu")
		})
	})
	t.Run("the results hold question 2 as played and question 3 as not played", func(t *testing.T) {
		var res liveResults
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/live/%d/results", g.GameID), admin, nil, &res)
		if len(res.Questions) != 3 || res.Questions[1].Status != "played" || res.Questions[1].Correct != 1 || res.Questions[2].Status != "not_played" {
			t.Errorf("questions %+v, want question 2 played with 1 right and question 3 not played", res.Questions)
		}
		if len(res.Players) != 2 || res.Players[0].Correct != 2 || res.Players[1].Correct != 1 {
			t.Errorf("players %+v, want 2 and 1 right", res.Players)
		}
	})
	noPageErrors(t, host, players)
}

// englishPoints is "1,234 points" or "+962 points".
var englishPoints = regexp.MustCompile(`^\+?\d{1,3}(,\d{3})* points?$`)

func TestBrowserLiveInEnglish(t *testing.T) {
	chromium := chromiumPath(t)
	// A thousand players from one address: the browsers and the test's
	// own sockets.
	s := startServer(t, map[string]string{"HOITHI_WS_PER_ADDRESS": "0"})
	admin := s.admin()
	single, _ := s.demoKeyedQuestions(admin)
	g := s.liveGameOf(admin, 60, single[:2], map[string]any{"streak_bonus": true})

	host := startBrowser(t, chromium)
	host.holdToken(t, s, admin)
	host.projector(t)
	host.open(t, fmt.Sprintf("%s/organize/live/%d", s.URL, g.GameID))
	t.Run("the projector switches to English", func(t *testing.T) {
		if status := host.click(t, `a[hreflang="en"]`); status != http.StatusOK {
			t.Fatalf("English: status %d", status)
		}
		if got := host.location(t); got != fmt.Sprintf("/organize/live/%d", g.GameID) {
			t.Errorf("after switching: at %s, want back at the projector view", got)
		}
		host.visible(t, "view-lobby")
		if got := eval[string](t, host, `document.documentElement.lang`); got != "en" {
			t.Errorf("html lang %q, want en", got)
		}
		host.waitText(t, "#c-start", "Start")
		host.liveState(t, "the lobby in English")
	})

	anna := startBrowser(t, chromium)
	t.Run("a player picks English on the join page and joins", func(t *testing.T) {
		anna.open(t, s.URL+"/live/join?pin="+g.PIN)
		if status := anna.click(t, `a[hreflang="en"]`); status != http.StatusOK {
			t.Fatalf("English: status %d", status)
		}
		if got := anna.text(t, "h1"); got != "Join a live game" {
			t.Errorf("heading %q, want Join a live game", got)
		}
		if got := eval[string](t, anna, `document.getElementById('pin').value`); got != g.PIN {
			t.Errorf("PIN field %q after switching, want %q kept", got, g.PIN)
		}
		anna.liveState(t, "the join page in English")
		anna.do(t, "type a nickname", chromedp.SendKeys(chromedp.ID("nickname"), "Anna"))
		if status := anna.click(t, "#join"); status != http.StatusOK {
			t.Fatalf("join: status %d", status)
		}
		anna.visible(t, "view-lobby")
		anna.waitText(t, "#view-lobby h1", "You are in the game")
		anna.liveState(t, "the lobby in English")
	})
	t.Run("a nickname taken is refused in English", func(t *testing.T) {
		again, closeAgain := anna.newTab(t)
		defer closeAgain()
		again.open(t, s.URL+"/live/join?pin="+g.PIN)
		again.do(t, "type a taken nickname", chromedp.SendKeys(chromedp.ID("nickname"), "ANNA"))
		again.click(t, "#join")
		again.visible(t, "view-join")
		again.waitText(t, "#join-error", "Someone in this game has this nickname. Choose another.")
		again.liveState(t, "a nickname taken, in English")
	})
	binh := startBrowser(t, chromium) // a Vietnamese phone in the same game
	binh.joinLive(t, s, g.PIN, "Bình")
	for i := range 999 {
		s.liveJoin(t, g, fmt.Sprintf("Guest %03d", i+1))
	}
	host.waitText(t, "#lobby-count", "1,001 players in")

	var first int
	t.Run("question 1 in English, numbers written the English way", func(t *testing.T) {
		host.press(t, "#c-start")
		host.visible(t, "view-question")
		host.waitText(t, "#hq-num", "Question 1 of 2")
		anna.visible(t, "view-question")
		anna.waitText(t, "#q-num", "Question 1 of 2")
		anna.liveState(t, "a question in English")
		host.liveState(t, "a question in English")
		anna.answerLive(t, single[0].Right, true)
		anna.visible(t, "view-wait")
		anna.waitText(t, "#view-wait h1", "Your answer is in")
		anna.liveState(t, "an answer sent, in English")
		binh.visible(t, "view-question")
		binh.answerLive(t, single[0].Right, false)
		host.waitText(t, "#hq-answered", "2 of 1,001 answered")
		host.waitText(t, "#c-next", "Show the answer")
		host.press(t, "#c-next")
		host.visible(t, "view-reveal")
		host.waitText(t, "#hr-summary", "1 of 2 answered right")
		host.liveState(t, "the reveal in English")
		anna.visible(t, "view-result")
		anna.waitText(t, "#r-verdict", "Right!")
		gain := anna.text(t, "#r-points")
		if !englishPoints.MatchString(gain) {
			t.Errorf("points %q, want +N points", gain)
		}
		fmt.Sscanf(gain, "+%d", &first)
		anna.waitText(t, "#r-rank", "Rank 1 of 1,001")
		anna.waitText(t, "#r-correct", "1 of 1")
		anna.fitsPhone(t)
		anna.liveState(t, "a right answer's result in English")
		binh.visible(t, "view-result")
		binh.waitText(t, "#r-rank", "Hạng 2 trên 1.001 người chơi")
		binh.liveState(t, "a wrong answer's result in Vietnamese beside English")
	})
	t.Run("the leaderboard and question 2 in English", func(t *testing.T) {
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.waitText(t, "#hb-title", "Leaderboard after question 1")
		host.liveState(t, "the leaderboard in English")
		anna.visible(t, "view-board")
		anna.liveState(t, "the leaderboard in English")
		host.press(t, "#c-next")
		anna.visible(t, "view-question")
		anna.answerLive(t, single[1].Right, true)
		anna.visible(t, "view-wait")
		host.waitText(t, "#hq-answered", "1 of 1,001 answered")
		host.press(t, "#c-next")
		anna.visible(t, "view-result")
		// The reveal shows the view; the player's own result fills it.
		anna.waitTrue(t, "the player's result", `!document.getElementById('r-facts').hidden`)
		total := anna.text(t, "#r-total")
		if !englishPoints.MatchString(total) || !strings.Contains(total, ",") {
			t.Errorf("total %q, want over a thousand points written 1,234 points", total)
		}
		anna.waitText(t, "#me-points", total)
		anna.waitText(t, "#r-correct", "2 of 2")
	})
	t.Run("the podium and the final standings in English", func(t *testing.T) {
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.waitText(t, "#c-next", "Show the final results")
		host.press(t, "#c-next")
		host.visible(t, "view-ended")
		host.waitText(t, "#he-title", "Congratulations to the winners!")
		if got := host.text(t, "#podium .live-step-1 .live-step-name"); got != "Anna" {
			t.Errorf("first place %q, want Anna", got)
		}
		host.waitText(t, "#he-more", "and 991 more")
		host.liveState(t, "the podium in English")
		anna.visible(t, "view-final")
		anna.waitText(t, "#view-final h1", "The game is over")
		anna.waitText(t, "#f-rank", "Rank 1 of 1,001")
		if got := anna.text(t, "#f-points"); !englishPoints.MatchString(got) || !strings.Contains(got, ",") {
			t.Errorf("final points %q, want 1,234 points", got)
		}
		anna.waitText(t, "#f-correct", "2 of 2")
		anna.fitsPhone(t)
		anna.liveState(t, "the end in English")
		binh.visible(t, "view-final")
		binh.waitText(t, "#f-rank", "Hạng 2 trên 1.001 người chơi")
		binh.liveState(t, "the end in Vietnamese beside English")
	})
	noPageErrors(t, host, anna, binh)
}
