package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Every page a browser test lands on (through tab.open, or tab.click when
// the click leads to another page) is checked with axe-core against the
// WCAG 2.0 and 2.1 A and AA rules, on a phone's screen and on a desktop's,
// and the test fails on any serious or critical violation. A citizen on a
// screen reader or a keyboard, or with poor sight, must be able to take
// part as anyone else does.
//
// axe-core comes from testdata/axe (see its README): the tests evaluate it
// in the page through the DevTools protocol, which the pages'
// Content-Security-Policy does not govern, so hoithi never serves it.

// axeTags are the rule sets a page must pass: WCAG 2.0 and 2.1, levels A
// and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeFailing are the impacts that fail a test. Moderate and minor findings
// are left to review.
var axeFailing = []string{"serious", "critical"}

// axeScreens are the screens every page is checked on: the phone the
// citizen tests use, and the commonest office laptop.
var axeScreens = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"phone", phoneWidth, phoneHeight, true},
	{"desktop", 1366, 768, false},
}

// axeLimit bounds one page's check at both widths: injecting the script,
// letting the page settle and running every rule.
const axeLimit = 60 * time.Second

// axeAllowance lets one rule pass on one page. Pages are paths in which a
// {name} segment stands for any one segment: /official/rounds/{id}.
type axeAllowance struct {
	page, rule string
}

// axeAllowed are the known violations a test lets pass, each with the
// reason and what removes it. Keep it empty: a page that fails a rule is
// fixed, not listed here. An entry is only a stopgap for a page being
// rewritten, and goes with the rewrite.
var axeAllowed = []axeAllowance{}

// axeNode is one element that fails a rule.
type axeNode struct {
	Target  string `json:"target"` // the selector axe gives for it
	Summary string `json:"summary"`
}

// axeViolation is one rule that a page fails, on one screen.
type axeViolation struct {
	Screen string    `json:"screen"`
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"helpUrl"`
	Nodes  []axeNode `json:"nodes"`
}

// axeSource is the text of axe.min.js, read once.
var axeSource = sync.OnceValues(func() (string, error) {
	data, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	return string(data), err
})

// axeChecked remembers, per browser, the pages already checked: each is
// checked once, at its first visit, to keep the tests quick. A page is its
// path in one language (the English page is checked too), plus "error"
// when it answered with an error status: a refused form shows its errors
// and is checked as a page of its own.
var axeChecked = struct {
	sync.Mutex
	pages map[*chromedp.Browser]map[string]bool
}{pages: map[*chromedp.Browser]map[string]bool{}}

// checkAccessibility is what tab.open and tab.click call once they have
// landed on a page: the first time this browser sees the page, it checks
// it at both screen widths and fails the test on any serious or critical
// violation that axeAllowed does not name, then gives the tab back the
// screen and scroll position it had.
func (b tab) checkAccessibility(t *testing.T, status int64) {
	t.Helper()
	if !eval[bool](t, b, `document.contentType === 'text/html'`) {
		return // a file or an API answer shown as text
	}
	path := eval[string](t, b, `location.pathname`)
	page := path + " " + eval[string](t, b, `document.documentElement.lang`)
	if status >= 400 {
		page += " error"
	}
	browser := chromedp.FromContext(b.ctx).Browser
	axeChecked.Lock()
	seen := axeChecked.pages[browser]
	if seen == nil {
		seen = map[string]bool{}
		axeChecked.pages[browser] = seen
	}
	done := seen[page]
	seen[page] = true
	axeChecked.Unlock()
	if done {
		return
	}
	found := b.axeViolations(t)
	if report := axeReport(path, axeUnallowed(path, found, axeAllowed)); report != "" {
		t.Error(report)
	}
}

// axeViolations runs axe-core on the tab's page at each of axeScreens and
// returns the serious and critical violations, then restores the tab's
// screen and scroll position.
func (b tab) axeViolations(t *testing.T) []axeViolation {
	t.Helper()
	source, err := axeSource()
	if err != nil {
		t.Fatalf("read axe-core: %v (it is vendored in testdata/axe)", err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, axeLimit)
	defer cancel()
	type view struct {
		Width, Height int64
		X, Y          float64
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[view](
		`({width: innerWidth, height: innerHeight, x: scrollX, y: scrollY})`))
	if err != nil {
		t.Fatalf("accessibility check: read the screen size: %v", err)
	}
	defer func() {
		// The tests set two kinds of screen: the phone (tab.phone) and
		// desktops (tab.desktop). A tab as wide as the phone gets the phone
		// back; any other gets a desktop screen of its size.
		restore := chromedp.EmulateViewport(before.Width, before.Height)
		if before.Width == phoneWidth {
			restore = chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile)
		}
		ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
		defer cancel()
		if err := chromedp.Do(ctx, restore,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.scrollTo(%v, %v)`, before.X, before.Y))); err != nil {
			t.Fatalf("accessibility check: give the tab back its %dx%d screen: %v", before.Width, before.Height, err)
		}
	}()

	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](source))
	}
	if err != nil {
		t.Fatalf("accessibility check: load axe-core into %s: %v", b.location(t), err)
	}
	run := fmt.Sprintf(`axe.run(document, {
		runOnly: {type: 'tag', values: %s},
		resultTypes: ['violations'],
		restoreScroll: true,
	}).then(r => r.violations.filter(v => %s.includes(v.impact)).map(v => ({
		id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : s).join(' '),
			summary: n.failureSummary ?? '',
		})),
	})))`, jsList(axeTags), jsList(axeFailing))
	var all []axeViolation
	for _, screen := range axeScreens {
		opts := []chromedp.EmulateViewportOption{}
		if screen.mobile {
			opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile)
		}
		err := chromedp.Do(ctx, chromedp.EmulateViewport(screen.width, screen.height, opts...), axeSettle())
		var found []axeViolation
		if err == nil {
			found, err = chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
		}
		if err != nil {
			t.Fatalf("accessibility check of %s on a %s screen: %v", b.location(t), screen.name, err)
		}
		for i := range found {
			found[i].Screen = fmt.Sprintf("%s %d px", screen.name, screen.width)
		}
		all = append(all, found...)
	}
	return all
}

// axeSettle waits until the page has stopped changing: scripts that fill
// it from a websocket or react to a new screen size have done so when no
// element has changed for 100 ms. A page that never rests (a countdown
// ticking each second still rests between ticks) is checked after 3 s.
// Timers, not animation frames: a tab that is not in front gets none.
func axeSettle() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`new Promise(done => {
		const quiet = 100, most = 3000, started = Date.now();
		let last = Date.now();
		const watch = new MutationObserver(() => { last = Date.now(); });
		watch.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
		const tick = () => {
			if (Date.now() - last >= quiet || Date.now() - started >= most) { watch.disconnect(); done(); }
			else setTimeout(tick, 25);
		};
		setTimeout(tick, 25);
	})`, chromedp.EvalAwaitPromise)
}

// axeUnallowed drops the violations that allowed lets pass on the page at
// path.
func axeUnallowed(path string, found []axeViolation, allowed []axeAllowance) []axeViolation {
	var out []axeViolation
	for _, v := range found {
		if !slices.ContainsFunc(allowed, func(a axeAllowance) bool { return a.rule == v.ID && pathMatches(a.page, path) }) {
			out = append(out, v)
		}
	}
	return out
}

// pathMatches reports whether path is the page pattern names: the same
// segments, a {name} segment standing for any one.
func pathMatches(pattern, path string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] != got[i] && !(strings.HasPrefix(want[i], "{") && strings.HasSuffix(want[i], "}") && got[i] != "") {
			return false
		}
	}
	return true
}

// axeReport writes the violations for a failing test: per rule and screen
// its id, impact and help, then the selector of each element that fails
// it and what axe says is wrong there. It is "" when there are none.
func axeReport(path string, found []axeViolation) string {
	if len(found) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "accessibility: %s has %d serious or critical axe-core violation(s) of WCAG 2.1 A/AA, want none:", path, len(found))
	for _, v := range found {
		fmt.Fprintf(&b, "\n  [%s] %s (%s): %s\n    %s", v.Screen, v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    - %s", n.Target)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n        %s", strings.ReplaceAll(n.Summary, "\n", "\n        "))
			}
		}
	}
	return b.String()
}

func jsList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = jsString(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// inaccessiblePage breaks two rules axe calls critical: a picture without
// a text alternative and a field without a label. It is served with the
// Content-Security-Policy of hoithi's pages, so loading axe-core under
// that policy is tested on it too.
const inaccessiblePage = `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Trang thử</title></head>
<body>
<main>
<h1>Trang thử</h1>
<img id="seal" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<form><input id="nickname" name="nickname" type="text"></form>
</main>
</body>
</html>`

// hoithiPagePolicy is the Content-Security-Policy hoithi sends with every
// page (handlers/ops.go).
const hoithiPagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func TestBrowserAccessibilityCheck(t *testing.T) {
	chromium := chromiumPath(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", hoithiPagePolicy)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, inaccessiblePage)
	}))
	defer bad.Close()
	browser := startBrowser(t, chromium)

	t.Run("reports a picture without alt text and a field without a label, on both screens", func(t *testing.T) {
		if _, err := chromedp.Run(browser.ctx, chromedp.NavigateResponse(bad.URL+"/thu")); err != nil {
			t.Fatalf("open the test page: %v", err)
		}
		found := browser.axeViolations(t)
		var got []string
		for _, v := range found {
			var targets []string
			for _, n := range v.Nodes {
				targets = append(targets, n.Target)
			}
			got = append(got, fmt.Sprintf("%s %s %s %v", v.Screen, v.ID, v.Impact, targets))
		}
		want := []string{
			"phone 390 px image-alt critical [#seal]",
			"phone 390 px label critical [#nickname]",
			"desktop 1366 px image-alt critical [#seal]",
			"desktop 1366 px label critical [#nickname]",
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("violations\n%q\nwant\n%q", got, want)
		}
		report := axeReport("/thu", found)
		for _, line := range []string{
			"accessibility: /thu has 4 serious or critical",
			"[phone 390 px] image-alt (critical): Images must have alternative text",
			"[desktop 1366 px] label (critical): Form elements must have labels",
			"\n    - #seal\n",
			"\n    - #nickname\n",
			"Fix any of the following:",
		} {
			if !strings.Contains(report, line) {
				t.Errorf("the report has no %q:\n%s", line, report)
			}
		}
		if got := eval[int](t, browser, `innerWidth`); got != phoneWidth {
			t.Errorf("after the check the tab is %d px wide, want its phone's %d px back", got, phoneWidth)
		}
	})

	t.Run("loads axe-core under the pages' Content-Security-Policy without a complaint", func(t *testing.T) {
		if !eval[bool](t, browser, `typeof axe === 'object' && typeof axe.run === 'function'`) {
			t.Fatal("axe is not loaded in the page after the check")
		}
		if errs := browser.errors.all(); len(errs) > 0 {
			t.Errorf("the browser reported %q, want nothing: the policy must not block the check", errs)
		}
	})

	t.Run("the policy is in force on that page: a script it forbids is refused and reported", func(t *testing.T) {
		// So the silence above means the policy let axe-core be, not that
		// the page had no policy or that a refusal would go unseen.
		if eval[bool](t, browser, `document.head.append(Object.assign(document.createElement('script'),
			{textContent: 'window.inlineRan = true'})), window.inlineRan === true`) {
			t.Fatal("an inline script ran on the test page, want it refused by script-src 'self'")
		}
		deadline := time.Now().Add(stepLimit)
		for !slices.ContainsFunc(browser.errors.all(), func(e string) bool {
			return strings.HasPrefix(e, "security error: Executing inline script violates") && strings.Contains(e, "script-src 'self'")
		}) {
			if time.Now().After(deadline) {
				t.Fatalf("the browser reported %q, want the refused inline script", browser.errors.all())
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("an allowance lets its rule pass on its page only", func(t *testing.T) {
		found := []axeViolation{{ID: "image-alt"}, {ID: "label"}}
		allowed := []axeAllowance{{page: "/rounds/{id}/leaderboard", rule: "label"}}
		ids := func(vs []axeViolation) (out []string) {
			for _, v := range vs {
				out = append(out, v.ID)
			}
			return out
		}
		for _, c := range []struct {
			path string
			want []string
		}{
			{"/rounds/7/leaderboard", []string{"image-alt"}},
			{"/rounds/7/results", []string{"image-alt", "label"}},
			{"/rounds//leaderboard", []string{"image-alt", "label"}},
			{"/rounds/7/leaderboard/x", []string{"image-alt", "label"}},
		} {
			if got := ids(axeUnallowed(c.path, found, allowed)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("at %s: %v fail, want %v", c.path, got, c.want)
			}
		}
	})

	t.Run("every visited hoithi page is checked once and the tab keeps its screen", func(t *testing.T) {
		s := startServer(t, nil)
		browser.open(t, s.URL+"/")
		if !eval[bool](t, browser, `typeof axe === 'object'`) {
			t.Error("open did not check the home page: axe is not loaded in it")
		}
		if got := eval[int](t, browser, `innerWidth`); got != phoneWidth {
			t.Errorf("after the check the tab is %d px wide, want %d", got, phoneWidth)
		}
		browser.open(t, s.URL+"/")
		if eval[bool](t, browser, `typeof axe === 'object'`) {
			t.Error("the home page was checked again on the second visit, want once per page")
		}
		browser.desktop(t)
		browser.click(t, `a[href="/login"]`)
		if !eval[bool](t, browser, `typeof axe === 'object'`) {
			t.Error("click did not check the page it led to: axe is not loaded in it")
		}
		if got := eval[int](t, browser, `innerWidth`); got != desktopWidth {
			t.Errorf("after the check the tab is %d px wide, want the desktop's %d back", got, desktopWidth)
		}
		// The refused inline script of the test page is the only report.
		if errs := browser.errors.all(); len(errs) != 1 {
			t.Errorf("the browser reported %q, want only the test page's refused script", errs)
		}
	})
}

// TestBrowserBoardWithALongUnitFitsItsScreen: a unit typed as one long
// word (an address, a formula) wraps inside its row on the public board,
// on a phone and on a desktop. A board that scrolled sideways would hide
// the numbers from a keyboard, which cannot scroll it.
func TestBrowserBoardWithALongUnitFitsItsScreen(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, map[string]any{"question_count": 3})
	const unit = "vanphong.ubnd.xadonghoa@dongthap.gov.vn"
	token, _ := s.person(map[string]any{"full_name": "Nguyễn Thị Thu Hương", "unit": unit})
	s.play(token, roundID, s.key(admin), 2, nil)
	b := startBrowser(t, chromium)
	board := fmt.Sprintf("%s/rounds/%d/leaderboard", s.URL, roundID)

	t.Run("on a phone", func(t *testing.T) {
		b.open(t, board)
		b.waitText(t, "#board-rows tr:nth-child(1) td:nth-child(3)", unit)
		b.fitsPhone(t)
		b.boardFits(t)
	})
	t.Run("on a desktop", func(t *testing.T) {
		b.desktop(t)
		b.open(t, board)
		b.fitsDesktop(t)
		b.boardFits(t)
	})
}

// boardFits checks the board's table needs no sideways scrolling.
func (b tab) boardFits(t *testing.T) {
	t.Helper()
	if w := eval[[2]int](t, b, `(w => [w.scrollWidth, w.clientWidth])(document.querySelector('.board .table-wrap'))`); w[0] > w[1] {
		t.Errorf("the board's table is %d px wide in a %d px frame, want it to fit", w[0], w[1])
	}
}

// TestBrowserAccessibilityOfPagesNoOtherTestOpens opens, as a visitor, a
// contestant who won a prize, an organizer and an official, the pages
// that the other browser tests do not land on, so that axe-core checks
// every page hoithi has on a phone and a desktop screen. A page that a
// later test opens too is checked in both.
func TestBrowserAccessibilityOfPagesNoOtherTestOpens(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	winner, _ := s.person(map[string]any{"full_name": "Đỗ Thị Mai", "unit": "Xã Đông Hòa"})
	s.play(winner, roundID, s.key(admin), 4, intp(6))
	s.closeRound(admin, roundID)
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)

	var contests struct {
		Contests []struct {
			ID     int64  `json:"id"`
			Slug   string `json:"slug"`
			Rounds []struct {
				ID int64 `json:"id"`
			} `json:"rounds"`
		} `json:"contests"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/contests", "", nil, &contests)
	var slug string
	var contestID int64
	for _, c := range contests.Contests {
		if len(c.Rounds) > 0 && c.Rounds[0].ID == roundID {
			slug, contestID = c.Slug, c.ID
		}
	}
	if slug == "" {
		t.Fatalf("no published contest lists round %d: %+v", roundID, contests)
	}
	bank := s.demoBank(admin)
	var questions struct {
		Questions []struct {
			ID int64 `json:"id"`
		} `json:"questions"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin, nil, &questions)
	if len(questions.Questions) == 0 {
		t.Fatal("the demo bank has no questions")
	}

	b := startBrowser(t, chromium)
	signIn := func(t *testing.T, token string) {
		t.Helper()
		if _, err := chromedp.Call(b.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "hoithi_token", URL: s.URL + "/"}); err != nil {
			t.Fatalf("sign the browser out: %v", err)
		}
		if token == "" {
			return
		}
		if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: "hoithi_token", Value: token, URL: s.URL + "/"}); err != nil {
			t.Fatalf("give the browser a session: %v", err)
		}
	}
	for _, who := range []struct {
		name  string
		token string
		pages []string
	}{
		{"a visitor", "", []string{
			"/contests/" + slug,
			fmt.Sprintf("/rounds/%d/leaderboard", roundID),
			fmt.Sprintf("/rounds/%d/results", roundID),
			"/khong-co-trang-nay",
		}},
		{"a prize winner", winner, []string{
			"/me",
			fmt.Sprintf("/me/rounds/%d/certificate", roundID),
		}},
		{"an organizer", admin, []string{
			fmt.Sprintf("/organize/banks/%d/questions/%d", bank, questions.Questions[0].ID),
			fmt.Sprintf("/organize/contests/%d", contestID),
			fmt.Sprintf("/organize/rounds/%d", roundID),
			fmt.Sprintf("/organize/rounds/%d/edit", roundID),
			fmt.Sprintf("/organize/rounds/%d/preview", roundID),
			"/organize/units",
		}},
		{"an official", official, []string{
			fmt.Sprintf("/official/rounds/%d/certificates", roundID),
			fmt.Sprintf("/official/rounds/%d/statistics", roundID),
		}},
	} {
		for _, path := range who.pages {
			t.Run(fmt.Sprintf("%s finds %s accessible", who.name, path), func(t *testing.T) {
				signIn(t, who.token)
				want := int64(http.StatusOK)
				if path == "/khong-co-trang-nay" {
					want = http.StatusNotFound
				}
				if status := b.open(t, s.URL+path); status != want {
					t.Errorf("GET %s: status %d, want %d", path, status, want)
				}
			})
		}
	}
	for _, e := range b.errors.all() {
		// The missing page answers 404, as the test asks. Chromium's
		// "verbose" advice (a password form without a username field on
		// /me) is advice, not a broken page.
		if strings.Contains(e, "status of 404") && strings.HasSuffix(e, "/khong-co-trang-nay)") || strings.Contains(e, " verbose: ") {
			continue
		}
		t.Errorf("the browser reported %s, want no error", e)
	}
}
