package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The quiz page as a citizen meets it on a phone and on a desktop: the
// navigator, one question a screen, the confirmation before submitting,
// a tab the attempt has moved away from, answers the server does not
// confirm, signing out mid-attempt, the end of the time, and the page in
// English.

// show goes to question n (from 1) with the quiz's navigator.
func (b tab) show(t *testing.T, n int) {
	t.Helper()
	b.do(t, fmt.Sprintf("choose question %d in the navigator", n), chromedp.Click(chromedp.ID(fmt.Sprintf("qnav-%d", n))))
	b.waitTrue(t, fmt.Sprintf("question %d to be the current one", n),
		fmt.Sprintf(`document.getElementById('qnav-%d').getAttribute('aria-current') === 'step'`, n))
}

// shownQuestions returns the numbers (from 1) of the questions on screen,
// those the layout gives a box.
func (b tab) shownQuestions(t *testing.T) []int {
	t.Helper()
	return eval[[]int](t, b, `Array.from(document.querySelectorAll('#questions > li')).flatMap((li, i) => li.getClientRects().length ? [i + 1] : [])`)
}

// signIn signs a browser in through the login page.
func (b tab) signIn(t *testing.T, s *testServer, login, password string) {
	t.Helper()
	b.open(t, s.URL+"/login")
	b.do(t, "fill in the login form", chromedp.SendKeys(chromedp.ID("login"), login), chromedp.SendKeys(chromedp.ID("password"), password))
	if status := b.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("sign in: status %d, want 200", status)
	}
	b.waitTrue(t, "the page after signing in", `document.readyState === 'complete' && document.getElementById('nav-me') !== null`)
}

// acceptDialogs answers the tab's JavaScript dialogs with OK and passes
// on their messages.
func (b tab) acceptDialogs() <-chan string { return b.answerDialogs(true) }

func TestBrowserQuizPage(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	admin := server.admin()
	token, _ := server.contestant("Lê Thị Mai")
	var me struct {
		Phone string `json:"phone"`
	}
	server.mustCall(http.StatusOK, "GET", "/api/v1/me", token, nil, &me)
	roundID := server.round(admin, map[string]any{"question_count": 6, "prizes": []any{}, "reveal": "after_submit"})
	attemptID := server.start(token, roundID)
	// The attempt waits two minutes for its questions: the page is
	// rendered with the deadline its start gave, and its first state
	// moves that a minute later, so what the page says of the deadline
	// must follow the state's.
	server.Stop()
	if _, err := server.sqlDB().Exec("UPDATE attempts SET started_at = started_at - 120000, deadline = deadline - 120000 WHERE id = ?", attemptID); err != nil {
		t.Fatal(err)
	}
	server = startServer(t, map[string]string{"HOITHI_DB": server.DBPath})
	attemptURL := fmt.Sprintf("%s/attempts/%d", server.URL, attemptID)
	vietnamTime, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}

	phone := startBrowser(t, chromium)
	phone.signIn(t, server, me.Phone, "mat-khau-123")

	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}
	stored := func(s *testServer) storedAttempt {
		var a storedAttempt
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", attemptID), token, nil, &a)
		return a
	}

	step("on a phone the quiz shows one question at a time under a navigator", func(t *testing.T, s *testServer) {
		phone.open(t, attemptURL)
		phone.waitTrue(t, "six questions", `document.querySelectorAll('#questions > li').length === 6 && document.getElementById('loading').hidden`)
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[1]" {
			t.Errorf("questions on screen %v, want [1]", got)
		}
		if got := eval[string](t, phone, `document.querySelector('#qnav').tagName + ' ' + document.querySelectorAll('#qnav button.qnav-btn').length`); got != "NAV 6" {
			t.Errorf("navigator %q, want a NAV with 6 buttons", got)
		}
		if got := eval[[]string](t, phone, `Array.from(document.querySelectorAll('#qnav [aria-current]')).map(b => b.textContent + ' ' + b.getAttribute('aria-current'))`); fmt.Sprint(got) != "[1 step]" {
			t.Errorf("current in the navigator %q, want only 1 marked aria-current=step", got)
		}
		if got := eval[string](t, phone, `document.getElementById('qnav-2').getAttribute('aria-label')`); got != "Câu 2, chưa trả lời" {
			t.Errorf("navigator button 2 named %q, want Câu 2, chưa trả lời", got)
		}
		if !eval[bool](t, phone, `document.getElementById('prev').disabled && !document.getElementById('next').disabled`) {
			t.Error("on question 1: want Câu trước disabled and Câu sau enabled")
		}
		if got := phone.text(t, "#pager-at"); got != "Câu 1/6" {
			t.Errorf("pager says %q, want Câu 1/6", got)
		}
		phone.fitsPhone(t)
	})

	step("the header's links are 44 px tall on a phone", func(t *testing.T, s *testServer) {
		short := eval[[]string](t, phone, `Array.from(document.querySelectorAll('header.top a, header.top button')).filter(e => e.getBoundingClientRect().height < 44).map(e => e.textContent.trim() + ' ' + e.getBoundingClientRect().height)`)
		if len(short) > 0 {
			t.Errorf("header links under 44 px: %q", short)
		}
	})

	step("Câu sau and Câu trước move through the questions, the focus and the navigator follow", func(t *testing.T, s *testServer) {
		qs := phone.questions(t)
		phone.do(t, "press Câu sau", chromedp.Click(chromedp.ID("next")))
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[2]" {
			t.Errorf("after Câu sau: questions on screen %v, want [2]", got)
		}
		if got := eval[string](t, phone, `document.activeElement.id`); got != "q-"+qs[1].ID {
			t.Errorf("after Câu sau the focus is on %q, want the question q-%s", got, qs[1].ID)
		}
		if got := eval[string](t, phone, `document.querySelector('#qnav [aria-current]').textContent`); got != "2" {
			t.Errorf("navigator marks %q current, want 2", got)
		}
		phone.do(t, "press Câu trước", chromedp.Click(chromedp.ID("prev")))
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[1]" {
			t.Errorf("after Câu trước: questions on screen %v, want [1]", got)
		}
		phone.show(t, 6)
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[6]" {
			t.Errorf("after choosing 6 in the navigator: questions on screen %v, want [6]", got)
		}
		if !eval[bool](t, phone, `document.getElementById('next').disabled`) {
			t.Error("on the last question Câu sau is enabled, want it disabled")
		}
		phone.show(t, 1)
	})

	step("a chosen option is marked in a neutral colour, not red or green, and the navigator marks it answered", func(t *testing.T, s *testServer) {
		q := phone.questions(t)[0]
		phone.answer(t, q, 1)
		colours := eval[[]string](t, phone, fmt.Sprintf(`(() => {
			const st = getComputedStyle(document.querySelector('#q-%s input:checked').closest('label'));
			return [st.borderTopColor, st.backgroundColor, getComputedStyle(document.getElementById('q-status-%[1]s')).color];
		})()`, q.ID))
		// The focus blue of app.css, on a pale blue; the saved status in
		// the muted grey.
		if want := []string{"rgb(26, 95, 180)", "rgb(232, 240, 251)", "rgb(95, 91, 102)"}; fmt.Sprint(colours) != fmt.Sprint(want) {
			t.Errorf("chosen option border, background and saved status %q, want %q", colours, want)
		}
		for _, c := range colours {
			for _, redOrGreen := range []string{"rgb(179, 38, 30)", "rgb(140, 29, 24)", "rgb(163, 33, 26)", "rgb(27, 110, 58)", "rgb(227, 244, 232)", "rgb(253, 241, 240)", "rgb(251, 231, 229)"} {
				if c == redOrGreen {
					t.Errorf("a chosen option shows %s, a colour of the result's right or wrong", c)
				}
			}
		}
		if got := eval[string](t, phone, `document.getElementById('qnav-1').className + ' / ' + document.getElementById('qnav-1').getAttribute('aria-label')`); got != "qnav-btn is-answered / Câu 1, đã trả lời" {
			t.Errorf("navigator button 1 %q, want it marked answered", got)
		}
	})

	step("the jump to the next unanswered question skips the answered ones and wraps around", func(t *testing.T, s *testServer) {
		phone.do(t, "press the jump", chromedp.Click(chromedp.ID("next-unanswered")))
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[2]" {
			t.Errorf("from question 1: the jump shows %v, want [2]", got)
		}
		phone.answer(t, phone.questions(t)[1], 0)
		phone.show(t, 6)
		phone.do(t, "press the jump", chromedp.Click(chromedp.ID("next-unanswered")))
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[3]" {
			t.Errorf("from question 6: the jump shows %v, want [3], the first unanswered", got)
		}
	})

	step("Nộp bài with questions unanswered lists them by number; going back submits nothing", func(t *testing.T, s *testServer) {
		phone.do(t, "press Nộp bài", chromedp.Click(chromedp.ID("submit")))
		phone.waitTrue(t, "the confirmation", `document.getElementById('confirm').open`)
		if got, want := phone.text(t, "#confirm-text"), "Còn 4 câu chưa trả lời: câu 3, 4, 5, 6."; got != want {
			t.Errorf("confirmation %q, want %q", got, want)
		}
		if got := eval[[]string](t, phone, `Array.from(document.querySelectorAll('#confirm-list button')).map(b => b.textContent)`); fmt.Sprint(got) != "[Câu 3 Câu 4 Câu 5 Câu 6]" {
			t.Errorf("confirmation lists %q, want Câu 3 to Câu 6", got)
		}
		if got := eval[string](t, phone, `document.activeElement.id`); got != "confirm-back" {
			t.Errorf("the focus is on %q in the confirmation, want on Quay lại làm tiếp", got)
		}
		phone.fitsPhone(t)
		phone.do(t, "press Quay lại làm tiếp", chromedp.Click(chromedp.ID("confirm-back")))
		if eval[bool](t, phone, `document.getElementById('confirm').open`) {
			t.Fatal("the confirmation stays open after Quay lại làm tiếp")
		}
		if got := stored(s).Status; got != "in_progress" {
			t.Errorf("after going back the attempt is %q, want in_progress", got)
		}

		phone.do(t, "press Nộp bài again", chromedp.Click(chromedp.ID("submit")))
		phone.waitTrue(t, "the confirmation", `document.getElementById('confirm').open`)
		phone.do(t, "press Escape", chromedp.KeyEvent("\x1b"))
		phone.waitTrue(t, "Escape to close the confirmation", `!document.getElementById('confirm').open`)

		phone.do(t, "press Nộp bài once more", chromedp.Click(chromedp.ID("submit")))
		phone.waitTrue(t, "the confirmation", `document.getElementById('confirm').open`)
		phone.do(t, "choose Câu 5 in the list", chromedp.Click(chromedp.CSS(`#confirm-list li:nth-child(3) button`)))
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[5]" {
			t.Errorf("after Câu 5 in the confirmation: questions on screen %v, want [5]", got)
		}
		if got := stored(s).Status; got != "in_progress" {
			t.Errorf("the attempt is %q, want in_progress", got)
		}
	})

	step("Đăng xuất during the attempt asks first, saying the time runs on; Cancel stays", func(t *testing.T, s *testServer) {
		dialogs := phone.dismissDialogs()
		phone.do(t, "press Đăng xuất", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
		select {
		case msg := <-dialogs:
			deadline, _ := time.Parse(time.RFC3339, stored(s).Deadline)
			if local := deadline.In(vietnamTime).Format("15:04 02/01/2006"); !strings.Contains(msg, "thời gian vẫn chạy đến "+local) {
				t.Errorf("the question %q, want it to say the time runs on until %s", msg, local)
			}
		case <-time.After(stepLimit):
			t.Fatal("Đăng xuất asked nothing, want a question first")
		}
		if got := phone.location(t); got != fmt.Sprintf("/attempts/%d", attemptID) {
			t.Errorf("after Cancel: at %s, want still on the quiz", got)
		}
		if got := phone.text(t, "#nav-me"); got != "Lê Thị Mai" {
			t.Errorf("after Cancel: signed in as %q, want Lê Thị Mai", got)
		}
	})

	step("a tab the attempt moved away from stops taking answers and offers to continue there", func(t *testing.T, s *testServer) {
		other, closeOther := phone.newTab(t)
		defer closeOther()
		other.open(t, attemptURL)
		other.waitTrue(t, "the questions in the other tab", `document.getElementById('loading').hidden`)
		phone.front(t)
		phone.waitTrue(t, "the stale notice", `!document.getElementById('stale').hidden`)
		if got, want := phone.text(t, "#stale-text"), "Bài thi này vừa được mở ở một thẻ hoặc thiết bị khác, nên trang này không nhận câu trả lời nữa. Các câu đã lưu vẫn được giữ. Bấm “Làm tiếp tại đây” để làm tiếp trên trang này."; got != want {
			t.Errorf("stale notice %q, want %q", got, want)
		}
		if got := eval[int](t, phone, `Array.from(document.querySelectorAll('#questions input')).filter(i => !i.disabled).length`); got != 0 {
			t.Errorf("%d options still take answers in the stale tab, want none", got)
		}
		if !eval[bool](t, phone, `document.getElementById('submit').disabled`) {
			t.Error("Nộp bài still works in the stale tab, want it disabled")
		}
		if got := eval[string](t, phone, `document.activeElement.id`); got != "stale-reload" {
			t.Errorf("the focus is on %q, want on Làm tiếp tại đây", got)
		}
		if got := phone.text(t, "#stale-reload"); got != "Làm tiếp tại đây" {
			t.Errorf("the button says %q, want Làm tiếp tại đây", got)
		}

		if status := phone.click(t, "#stale-reload"); status != http.StatusOK {
			t.Fatalf("Làm tiếp tại đây: status %d, want 200", status)
		}
		phone.waitTrue(t, "the quiz to load again", `document.getElementById('loading').hidden && document.querySelectorAll('#questions input:not(:disabled)').length > 0`)
		if got := phone.shownQuestions(t); fmt.Sprint(got) != "[5]" {
			t.Errorf("after the reload: questions on screen %v, want [5], where the contestant was", got)
		}
		other.waitTrue(t, "the other tab to stop", `!document.getElementById('stale').hidden && document.querySelectorAll('#questions input:not(:disabled)').length === 0`)
		phone.front(t)
	})

	step("an answer the server does not confirm makes the page say so and try again until it is saved", func(t *testing.T, s *testServer) {
		// Hold every message the page sends, on every socket it opens, as a
		// server that stopped answering would; a short wait stands for the
		// 10 s.
		phone.do(t, "hold the page's websocket messages", chromedp.Evaluate[chromedp.Void](`(() => {
			document.getElementById('quiz').dataset.ackWaitMs = '400';
			const send = WebSocket.prototype.send, held = [];
			WebSocket.prototype.send = function (data) { held.push([this, data]); };
			window.heldCount = () => held.length;
			window.releaseHeld = () => { WebSocket.prototype.send = send; held.forEach(([ws, data]) => { if (ws.readyState === WebSocket.OPEN) { send.call(ws, data); } }); };
		})()`))
		if got := eval[string](t, phone, `document.getElementById('quiz').dataset.ackWaitMs`); got != "400" {
			t.Fatalf("ack wait %q, want the 400 set", got)
		}
		q := phone.questions(t)[4]
		phone.choose(t, q, 0)
		phone.waitTrue(t, "the unsaved notice", `!document.getElementById('unsaved').hidden`)
		if got, want := phone.text(t, "#unsaved-text"), "Câu trả lời chưa được lưu: máy chủ chưa xác nhận. Trang vẫn đang tự gửi lại; đừng đóng trang này và hãy kiểm tra kết nối mạng."; got != want {
			t.Errorf("unsaved notice %q, want %q", got, want)
		}
		// Trying again means a new connection, whose state makes the page
		// send the answer again.
		phone.waitTrue(t, "the page to send the answer again", `window.heldCount() >= 2`)
		if got := phone.text(t, "#q-status-"+q.ID); got == "Đã lưu" {
			t.Errorf("status %q while nothing reached the server, want it not saved", got)
		}
		phone.do(t, "let the messages go", chromedp.Evaluate[chromedp.Void](`window.releaseHeld()`))
		phone.waitText(t, "#q-status-"+q.ID, "Đã lưu")
		phone.waitTrue(t, "the unsaved notice to go", `document.getElementById('unsaved').hidden`)
		found := false
		for _, sq := range stored(s).Questions {
			if fmt.Sprint(sq.ID) == q.ID && len(sq.Chosen) == 1 && fmt.Sprint(sq.Chosen[0]) == q.Options[0] {
				found = true
			}
		}
		if !found {
			t.Errorf("the server does not hold option %s for question %s", q.Options[0], q.ID)
		}
	})

	step("on a desktop every question is shown and the navigator brings one into view", func(t *testing.T, s *testServer) {
		desk, closeDesk := phone.newTab(t)
		defer closeDesk()
		desk.desktop(t)
		desk.open(t, attemptURL)
		desk.waitTrue(t, "the questions", `document.getElementById('loading').hidden`)
		if got := desk.shownQuestions(t); fmt.Sprint(got) != "[1 2 3 4 5 6]" {
			t.Errorf("questions on a desktop %v, want all six", got)
		}
		if eval[bool](t, desk, `document.getElementById('pager').getClientRects().length > 0`) {
			t.Error("Câu trước / Câu sau shown on a desktop, want them on phones only")
		}
		desk.do(t, "scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		desk.show(t, 6)
		inView := eval[bool](t, desk, `(() => {
			const li = document.querySelectorAll('#questions > li')[5], r = li.getBoundingClientRect();
			return document.activeElement === li && r.top >= 0 && r.top < innerHeight;
		})()`)
		if !inView {
			t.Error("question 6 is not in view with the focus after choosing it, want both")
		}
		desk.fitsDesktop(t)
		phone.front(t)
	})

	step("in English the questions and options stay marked as Vietnamese, the counts read right", func(t *testing.T, s *testServer) {
		phone.open(t, s.URL+"/lang/en?next="+fmt.Sprintf("/attempts/%d", attemptID))
		phone.waitTrue(t, "the questions", `document.getElementById('loading').hidden`)
		if got := eval[string](t, phone, `document.documentElement.lang`); got != "en" {
			t.Fatalf("html lang %q, want en", got)
		}
		if got := eval[[]string](t, phone, `Array.from(new Set(Array.from(document.querySelectorAll('#questions .q-text, #questions .option span')).map(e => e.lang)))`); fmt.Sprint(got) != "[vi]" {
			t.Errorf("lang of the questions and options %q, want vi only", got)
		}
		if got := eval[string](t, phone, `document.querySelector('.quiz-title span').lang`); got != "vi" {
			t.Errorf("the round's name has lang %q, want vi", got)
		}
		if got := phone.text(t, "#qnav-title"); got != "Go to question" {
			t.Errorf("navigator title %q, want Go to question", got)
		}
		// Four answered: two left, then one.
		qs := phone.questions(t)
		phone.show(t, 3)
		phone.waitTrue(t, "the status", fmt.Sprintf(`document.getElementById('q-status-%s') !== null`, qs[2].ID))
		phone.choose(t, qs[2], 0)
		phone.waitText(t, "#q-status-"+qs[2].ID, "Saved")
		if got := phone.text(t, "#unanswered"); got != "2 questions not answered yet." {
			t.Errorf("unanswered %q, want 2 questions not answered yet.", got)
		}
		phone.show(t, 4)
		phone.choose(t, qs[3], 0)
		phone.waitText(t, "#q-status-"+qs[3].ID, "Saved")
		if got := phone.text(t, "#unanswered"); got != "1 question not answered yet." {
			t.Errorf("unanswered %q, want 1 question not answered yet.", got)
		}
		phone.do(t, "press Submit", chromedp.Click(chromedp.ID("submit")))
		phone.waitTrue(t, "the confirmation", `document.getElementById('confirm').open`)
		if got, want := phone.text(t, "#confirm-text"), "1 question is not answered yet: 6."; got != want {
			t.Errorf("confirmation %q, want %q", got, want)
		}
		phone.do(t, "press Go back", chromedp.Click(chromedp.ID("confirm-back")))
		phone.open(t, s.URL+"/lang/vi?next="+fmt.Sprintf("/attempts/%d", attemptID))
	})

	step("Vẫn nộp bài submits and shows the result", func(t *testing.T, s *testServer) {
		phone.waitTrue(t, "the questions", `document.getElementById('loading').hidden`)
		phone.do(t, "press Nộp bài", chromedp.Click(chromedp.ID("submit")))
		phone.waitTrue(t, "the confirmation", `document.getElementById('confirm').open`)
		if status := phone.click(t, "#confirm-submit"); status != http.StatusOK {
			t.Fatalf("Vẫn nộp bài: result page status %d, want 200", status)
		}
		phone.do(t, "wait for the result", chromedp.WaitVisible(chromedp.ID("result-summary")))
		if got := stored(s).Status; got != "submitted" {
			t.Errorf("the attempt is %q, want submitted", got)
		}
	})

	step("when the time is up the page says so in large type and takes no more answers", func(t *testing.T, s *testServer) {
		short := s.round(admin, map[string]any{"question_count": 3, "duration_seconds": 2, "prizes": []any{}, "reveal": "after_submit"})
		id := s.start(token, short)
		phone.open(t, fmt.Sprintf("%s/attempts/%d", s.URL, id))
		phone.waitTrue(t, "the time-up message", `document.getElementById('time-up').open`)
		if got := phone.text(t, "#time-up-title"); got != "Hết giờ làm bài" {
			t.Errorf("time-up title %q, want Hết giờ làm bài", got)
		}
		if px := eval[float64](t, phone, `parseFloat(getComputedStyle(document.getElementById('time-up-title')).fontSize)`); px < 28 {
			t.Errorf("time-up title at %.0f px, want at least 28 px", px)
		}
		if got := eval[int](t, phone, `Array.from(document.querySelectorAll('#questions input')).filter(i => !i.disabled).length`); got != 0 {
			t.Errorf("%d options still take answers after the time, want none", got)
		}
		phone.do(t, "wait for the result", chromedp.WaitVisible(chromedp.ID("result-summary")))
	})

	step("signing out mid-attempt, once confirmed, leaves the attempt running", func(t *testing.T, s *testServer) {
		other := s.round(admin, map[string]any{"question_count": 3, "prizes": []any{}, "reveal": "after_submit"})
		id := s.start(token, other)
		// A tab of its own, where dialogs are accepted.
		last, closeLast := phone.newTab(t)
		defer closeLast()
		last.open(t, fmt.Sprintf("%s/attempts/%d", s.URL, id))
		last.waitTrue(t, "the questions", `document.getElementById('loading').hidden`)
		accepted := last.acceptDialogs()
		if status := last.click(t, `form[action="/logout"] button`); status != http.StatusOK {
			t.Fatalf("Đăng xuất: status %d, want 200", status)
		}
		select {
		case <-accepted:
		default:
			t.Error("Đăng xuất asked nothing, want a question first")
		}
		if got := last.text(t, "#nav-me"); got != "" {
			t.Errorf("signed in as %q after Đăng xuất, want signed out", got)
		}
		var a storedAttempt
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/attempts/%d", id), token, nil, &a)
		if a.Status != "in_progress" {
			t.Errorf("after signing out the attempt is %q, want in_progress until its deadline", a.Status)
		}
	})

	step("no page reported a script, security or loading error", func(t *testing.T, s *testServer) {
		for _, e := range phone.errors.all() {
			t.Errorf("the browser reported %s, want no error", e)
		}
	})
}
