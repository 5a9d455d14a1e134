package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The officials' tables on an office screen of 1366 px: every column is
// on screen or in a scroller the keyboard can reach and scroll, a long
// unit takes two lines and shows whole on hover and focus, rank, prize
// and name stay in view while the rest scrolls, and axe-core finds no
// serious or critical violation. Then the organizer's live chart: a
// message before the first submission, axes with titles after it.

// officeWidth is the most common width of an office computer's screen.
const (
	officeWidth  = 1366
	officeHeight = 768
)

// tablesSignIn signs in through the login page.
func (b tab) tablesSignIn(t *testing.T, base, login, password string) {
	t.Helper()
	if status := b.open(t, base+"/login"); status != http.StatusOK {
		t.Fatalf("GET /login: status %d", status)
	}
	b.do(t, "type the login and password",
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	if status := b.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("sign in: status %d", status)
	}
}

// tablesAxeSource is axe-core's script for the test to inject, from
// HOITHI_AXE_JS or the test data; "" when there is none.
func tablesAxeSource() string {
	for _, path := range []string{os.Getenv("HOITHI_AXE_JS"), "testdata/axe.min.js", "testdata/axe/axe.min.js"} {
		if path == "" {
			continue
		}
		if data, err := os.ReadFile(path); err == nil {
			return string(data)
		}
	}
	return ""
}

// tablesAxe runs axe-core's WCAG 2.1 A and AA rules on the tab's page and
// fails on a serious or critical violation.
func (b tab) tablesAxe(t *testing.T, source string) {
	t.Helper()
	if source == "" {
		t.Log("axe-core is not in the test data (set HOITHI_AXE_JS to run it here)")
		return
	}
	if eval[bool](t, b, `typeof window.axe === 'undefined'`) {
		eval[bool](t, b, source+";true")
	}
	ctx, cancel := context.WithTimeout(b.ctx, 3*stepLimit)
	defer cancel()
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document,
		{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range violations {
		t.Errorf("axe on %s: %s", b.location(t), v)
	}
}

// scrollerProblems lists what keeps the page's horizontal scrollers from
// a keyboard: a box whose content is wider than it without tabindex="0",
// role="region" and a name; and a page that scrolls sideways itself.
func (b tab) scrollerProblems(t *testing.T) []string {
	t.Helper()
	return eval[[]string](t, b, `(() => {
		const out = [];
		if (document.documentElement.scrollWidth > window.innerWidth) {
			out.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
		}
		for (const el of document.querySelectorAll('main *')) {
			const style = getComputedStyle(el);
			if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth) continue;
			const name = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
			if (el.getAttribute('tabindex') !== '0' || el.getAttribute('role') !== 'region' || !name) {
				out.push((el.querySelector('table')?.id || el.className) + ' scrolls but is not a named, focusable region');
			}
		}
		return out;
	})()`)
}

func TestBrowserTablesFitAnOfficeScreen(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	roundID, _, official := tablesRound(t, server)
	axe := tablesAxeSource()
	desk := startBrowser(t, chromium)
	desk.do(t, "emulate an office screen", chromedp.EmulateViewport(officeWidth, officeHeight))
	desk.tablesSignIn(t, server.URL, "can-bo@so.gov.vn", staffPassword)
	roundPage := fmt.Sprintf("%s/official/rounds/%d", server.URL, roundID)
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("the round page uses the screen's width and every scroller is a named, focusable region", func(t *testing.T) {
		if status := desk.open(t, roundPage); status != http.StatusOK {
			t.Fatalf("GET the round page: status %d", status)
		}
		if w := eval[int](t, desk, `document.querySelector('main').clientWidth`); w < officeWidth-40 {
			t.Errorf("the page's content is %d px wide on a %d px screen, want the screen's width", w, officeWidth)
		}
		for _, p := range desk.scrollerProblems(t) {
			t.Error(p)
		}
		offscreen := eval[[]string](t, desk, `Array.from(document.querySelectorAll('#ranking-table thead th'))
			.filter(th => th.getBoundingClientRect().right > window.innerWidth
				&& th.closest('.table-wrap').getAttribute('tabindex') !== '0').map(th => th.textContent.trim())`)
		if len(offscreen) > 0 {
			t.Errorf("columns off the screen outside a focusable scroller: %q", offscreen)
		}
		desk.tablesAxe(t, axe)
	})

	step("a long unit takes at most two lines and shows whole on focus", func(t *testing.T) {
		type unitBox struct {
			Found   bool    `json:"found"`
			Lines   float64 `json:"lines"`
			Clipped bool    `json:"clipped"`
			Title   string  `json:"title"`
			Focused bool    `json:"focused"`
		}
		measure := `(() => {
			const el = Array.from(document.querySelectorAll('#ranking-table td.unit .clamp'))[0];
			if (!el) return {found: false};
			const line = parseFloat(getComputedStyle(el).lineHeight);
			return {found: true, lines: el.getBoundingClientRect().height / line, clipped: el.scrollHeight > el.clientHeight + 1,
				title: el.title, focused: document.activeElement === el};
		})()`
		before := eval[unitBox](t, desk, measure)
		if !before.Found {
			t.Fatal("the long unit has no clamped text in the ranking table")
		}
		if before.Lines > 2.05 || !before.Clipped {
			t.Errorf("the long unit takes %.1f lines, clipped %v; want two lines, the rest hidden", before.Lines, before.Clipped)
		}
		if before.Title != longUnit {
			t.Errorf("its title %q, want the whole unit", before.Title)
		}
		eval[bool](t, desk, `document.querySelector('#ranking-table td.unit .clamp').focus(), true`)
		after := eval[unitBox](t, desk, measure)
		if !after.Focused || after.Lines <= 2.05 || after.Clipped {
			t.Errorf("focused: %v, %.1f lines, clipped %v; want the whole unit shown", after.Focused, after.Lines, after.Clipped)
		}
	})

	step("on a narrower screen rank, prize and name stay in view while the keyboard scrolls the table", func(t *testing.T) {
		desk.do(t, "narrow the window", chromedp.EmulateViewport(900, officeHeight))
		eval[bool](t, desk, `document.querySelector('#ranking-table').closest('.table-wrap').focus(), true`)
		if !eval[bool](t, desk, `document.activeElement === document.querySelector('#ranking-table').closest('.table-wrap')`) {
			t.Fatal("the ranking's scroller cannot take the focus")
		}
		// Browsers scroll smoothly: the keys are pressed until the table
		// has scrolled to its end.
		atEnd := `(() => { const w = document.querySelector('#ranking-table').closest('.table-wrap');
			return w.scrollLeft > 0 && w.scrollLeft >= w.scrollWidth - w.clientWidth - 1; })()`
		for range 60 {
			if eval[bool](t, desk, atEnd) {
				break
			}
			desk.do(t, "press the right arrow", chromedp.KeyEvent(kb.ArrowRight))
		}
		desk.waitTrue(t, "the table to scroll to its end", atEnd)
		type view struct {
			ScrollLeft float64  `json:"scrollLeft"`
			Hidden     []string `json:"hidden"`
			UnitGone   bool     `json:"unitGone"`
		}
		v := eval[view](t, desk, `(() => {
			const wrap = document.querySelector('#ranking-table').closest('.table-wrap');
			const box = wrap.getBoundingClientRect();
			const row = document.querySelector('#ranking-table tbody tr');
			const hidden = Array.from(row.cells).slice(0, 3).filter(td => {
				const r = td.getBoundingClientRect();
				return r.left < box.left - 1 || r.right > box.right + 1;
			}).map(td => td.textContent.trim());
			const unit = row.querySelector('td.unit').getBoundingClientRect();
			return {scrollLeft: wrap.scrollLeft, hidden: hidden, unitGone: unit.left < row.cells[2].getBoundingClientRect().right};
		})()`)
		if v.ScrollLeft <= 0 {
			t.Fatalf("the keys did not scroll the table (scrollLeft %v)", v.ScrollLeft)
		}
		if len(v.Hidden) > 0 {
			t.Errorf("scrolled by %v px, these of rank, prize and name left the view: %q", v.ScrollLeft, v.Hidden)
		}
		if !v.UnitGone {
			t.Error("the unit column did not pass under the frozen columns")
		}
		desk.do(t, "widen the window again", chromedp.EmulateViewport(officeWidth, officeHeight))
	})

	step("on a phone the round page does not scroll sideways and its scrollers are reachable", func(t *testing.T) {
		desk.phone(t)
		if status := desk.open(t, roundPage); status != http.StatusOK {
			t.Fatalf("GET the round page: status %d", status)
		}
		desk.fitsPhone(t)
		for _, p := range desk.scrollerProblems(t) {
			t.Error(p)
		}
		desk.tablesAxe(t, axe)
		desk.do(t, "back to the office screen", chromedp.EmulateViewport(officeWidth, officeHeight))
	})

	step("the statistics page keeps its tables in named, focusable scrollers", func(t *testing.T) {
		if status := desk.open(t, roundPage+"/statistics"); status != http.StatusOK {
			t.Fatalf("GET the statistics page: status %d", status)
		}
		for _, p := range desk.scrollerProblems(t) {
			t.Error(p)
		}
		titles := eval[[]string](t, desk, `Array.from(document.getElementById('chart-scores-title').closest('svg').querySelectorAll('text.statchart-axis')).map(e => e.textContent)`)
		if strings.Join(titles, "|") != "Số người thi|Điểm cao nhất của mỗi người" {
			t.Errorf("the scores chart's axis titles %q", titles)
		}
		desk.tablesAxe(t, axe)
	})

	step("the audit log reads as sentences and passes on a phone and a desk", func(t *testing.T) {
		for _, phone := range []bool{true, false} {
			if phone {
				desk.phone(t)
			} else {
				desk.do(t, "emulate an office screen", chromedp.EmulateViewport(officeWidth, officeHeight))
			}
			if status := desk.open(t, server.URL+"/official/audit"); status != http.StatusOK {
				t.Fatalf("GET the audit log: status %d", status)
			}
			if phone {
				desk.fitsPhone(t)
			}
			for _, p := range desk.scrollerProblems(t) {
				t.Error(p)
			}
			if got := desk.text(t, "table.audit tbody tr td:nth-child(3)"); !strings.HasPrefix(got, "Tải bảng thống kê") && !strings.HasPrefix(got, "Xem danh sách kết quả") {
				t.Errorf("the newest entry reads %q, want a sentence", got)
			}
			desk.tablesAxe(t, axe)
		}
	})

	step("the published results page of the locked round passes too", func(t *testing.T) {
		server.in(t).mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
		if status := desk.open(t, fmt.Sprintf("%s/rounds/%d/results", server.URL, roundID)); status != http.StatusOK {
			t.Fatalf("GET the results page: status %d", status)
		}
		for _, p := range desk.scrollerProblems(t) {
			t.Error(p)
		}
		if got := desk.text(t, "#results-table tbody tr td.unit .clamp"); got != longUnit {
			t.Errorf("the long unit on the results page %q, want it whole in the page (clamped by style)", got)
		}
		desk.tablesAxe(t, axe)
	})
}

func TestBrowserLiveChartHasAxesAndWaitsForTheFirstSubmission(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	admin := server.admin()
	server.staff("organizer", "to-chuc@so.gov.vn")
	roundID := server.round(admin, map[string]any{"question_count": 4})
	desk := startBrowser(t, chromium)
	desk.do(t, "emulate an office screen", chromedp.EmulateViewport(officeWidth, officeHeight))
	desk.tablesSignIn(t, server.URL, "to-chuc@so.gov.vn", staffPassword)
	if status := desk.open(t, fmt.Sprintf("%s/organize/rounds/%d", server.URL, roundID)); status != http.StatusOK {
		t.Fatalf("GET the live view: status %d", status)
	}
	desk.waitText(t, "#stats-live", "Đang cập nhật trực tiếp")
	readAt := regexp.MustCompile(`^Số liệu lúc \d\d:\d\d:\d\d$`)
	firstRead := desk.text(t, "#stats-at")
	if !readAt.MatchString(firstRead) {
		t.Errorf("the page says %q of when its figures were read, want Số liệu lúc HH:MM:SS", firstRead)
	}

	t.Run("before the first submission the page says so instead of an empty chart", func(t *testing.T) {
		if !eval[bool](t, desk, `!document.getElementById('stats-chart-empty').hidden && document.getElementById('stats-chart').getBoundingClientRect().height === 0`) {
			t.Error("want the message shown and the chart hidden")
		}
		if got := desk.text(t, "#stats-chart-empty"); !strings.HasPrefix(got, "Chưa có bài nào được nộp.") {
			t.Errorf("message %q", got)
		}
		if got := desk.text(t, "#stat-rate"); got != "0,0" {
			t.Errorf("answers per second %q, want 0,0", got)
		}
	})

	t.Run("after a submission the chart has a title on each axis, counts and times", func(t *testing.T) {
		token, _ := server.contestant("Người Nộp Bài")
		server.in(t).play(token, roundID, server.key(admin), 3, nil)
		desk.waitTrue(t, "the chart to appear", `document.getElementById('stats-chart').getBoundingClientRect().height > 100`)
		titles := eval[[]string](t, desk, `Array.from(document.querySelectorAll('#stats-chart text.axis-title')).map(e => e.textContent)`)
		if strings.Join(titles, "|") != "Số bài nộp|Thời gian (giờ Việt Nam)" {
			t.Errorf("axis titles %q", titles)
		}
		ticks := eval[[]string](t, desk, `Array.from(document.querySelectorAll('#stats-chart text.tick')).map(e => e.textContent)`)
		if len(ticks) < 4 || ticks[0] != "0" || !strings.Contains(strings.Join(ticks, " "), ":") {
			t.Errorf("tick labels %q, want counts from 0 and times of day", ticks)
		}
		if !eval[bool](t, desk, `document.getElementById('stats-chart-empty').hidden`) {
			t.Error("the message stays after the first submission")
		}
		if got := desk.text(t, "#stats-chart-caption"); !strings.HasPrefix(got, "Mỗi cột là số bài nộp trong ") {
			t.Errorf("caption %q", got)
		}
		if got := desk.text(t, "#stats-at"); !readAt.MatchString(got) || got == firstRead {
			t.Errorf("with new figures the page says %q of when they were read (%q before)", got, firstRead)
		}
		desk.tablesAxe(t, tablesAxeSource())
	})
	if errs := desk.errors.all(); len(errs) > 0 {
		t.Errorf("the browser reported %q", errs)
	}
}
