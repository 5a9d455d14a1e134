package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"hoithi/quiz"
)

// The official's browser test drives the same headless Chromium, on a
// desk's screen, through what a civil servant does once a round has closed:
// sign in with their e-mail, find the round under Kết quả, read the
// provisional list, lock it (after being told to tick the confirmation
// first), download the Excel report, print the list to sign and look the
// lock and the files up in the audit log.

// The official who signs in through the login page; s.staff gives every
// staff account this password and names it "Cán bộ " + its role.
const (
	officialEmail = "thu-ky@so.gov.vn"
	officialName  = "Cán bộ official"
	staffPassword = "mat-khau-123"
)

// hostileUnit is the unit lockScenario gives Hồ Văn Em: a spreadsheet
// formula that must stay text everywhere.
const hostileUnit = `=HYPERLINK("http://x.example","bấm")`

// shownWinner is a row of a winners table of the round page, as shown.
type shownWinner struct {
	Rank  string `json:"rank"`
	Prize string `json:"prize"`
	Name  string `json:"name"`
	Unit  string `json:"unit"`
}

// shownWinners reads the rows of the table with the given id on the round
// page.
func (b tab) shownWinners(t *testing.T, id string) []shownWinner {
	t.Helper()
	return eval[[]shownWinner](t, b, fmt.Sprintf(`Array.from(document.querySelectorAll('#%s tbody tr')).map(tr => ({
		rank: tr.cells[0].textContent.trim(),
		prize: tr.cells[1].textContent.trim(),
		name: tr.cells[2].textContent.trim(),
		unit: tr.cells[6].textContent.trim(),
	}))`, id))
}

// vietnamClock is how the pages write a time: Vietnam is UTC+7 all year.
func vietnamClock(t *testing.T, apiTime string) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339, apiTime)
	if err != nil {
		t.Fatalf("read the time %q: %v", apiTime, err)
	}
	return at.In(time.FixedZone("ICT", 7*3600)).Format("15:04 02/01/2006")
}

// TestBrowserOfficialLocksAndDownloads is an official's afternoon after a
// round has closed, from signing in to the audit log. The steps share the
// browser and go in order; the first that fails ends it.
func TestBrowserOfficialLocksAndDownloads(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	roundID, admin, _ := lockScenario(t, server)
	server.closeRound(admin, roundID)
	official := server.staff("official", officialEmail)
	desk := startBrowser(t, chromium)
	desk.desktop(t)

	roundPage := fmt.Sprintf("/official/rounds/%d", roundID)
	winnersAPI := fmt.Sprintf("/api/v1/rounds/%d/winners", roundID)
	// The order lockScenario's comments give: three with every answer right,
	// the one with the exact prediction first and the one without a
	// prediction last; then Dung's best attempt, then Em.
	wantWinners := []shownWinner{
		{"1", "Giải Nhất", "Nguyễn Văn An", "Xã Đông Hòa"},
		{"2", "Giải Nhì", "Trần Thị Bình", "Xã Đông Hòa"},
		{"3", "Giải Nhì", "Lê Văn Cường", "Phường Bến Nghé"},
	}
	wantRanking := append(wantWinners[:3:3],
		shownWinner{"4", "", "Phạm Thị Dung", "Phường Bến Nghé"},
		shownWinner{"5", "", "Hồ Văn Em", hostileUnit},
	)
	var (
		lockedBy string // as the API names who locked, from the lock step
		// The winners' CCCD, which the print page shows only when asked.
		winnerIDs []string
	)
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}

	step("the official signs in with e-mail and password and Kết quả leads to the round", func(t *testing.T, s *testServer) {
		if status := desk.open(t, s.URL+"/login"); status != http.StatusOK {
			t.Fatalf("GET /login: status %d, want 200", status)
		}
		desk.do(t, "type the e-mail and password",
			chromedp.SendKeys(chromedp.ID("login"), officialEmail),
			chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		)
		if status := desk.click(t, `form[action="/login"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("sign in: status %d, want 200 after the redirect", status)
		}
		if got := desk.text(t, "#nav-me"); got != officialName {
			t.Fatalf("signed in as %q, want %q", got, officialName)
		}
		if got := desk.text(t, `header.top nav a[href="/organize"]`); got != "" {
			t.Errorf("an official sees the organizers' link %q, want none", got)
		}
		link := `header.top nav a[href="/official"]`
		if got := desk.text(t, link); got != "Kết quả" {
			t.Fatalf("header link to /official %q, want Kết quả", got)
		}
		if status := desk.click(t, link); status != http.StatusOK {
			t.Fatalf("Kết quả: status %d, want 200", status)
		}
		if got := desk.location(t); got != "/official" {
			t.Errorf("after Kết quả: at %s, want /official", got)
		}
		if got := desk.text(t, "h1"); got != "Kết quả và giải thưởng" {
			t.Errorf("heading %q, want Kết quả và giải thưởng", got)
		}
		roundLink := fmt.Sprintf(`a[href="%s"]`, roundPage)
		row := eval[[]string](t, desk, fmt.Sprintf(`Array.from(document.querySelector(%s)?.closest('tr')?.cells ?? []).map(td => td.textContent.trim())`, jsString(roundLink)))
		if len(row) != 3 || row[0] != "Đợt thử" || row[2] != "Đã kết thúc" {
			t.Fatalf("the round's row on /official %q, want Đợt thử, its close time, Đã kết thúc", row)
		}
		if contest := eval[string](t, desk, fmt.Sprintf(`document.querySelector(%s).closest('section')?.querySelector('h2')?.textContent.trim() ?? ''`, jsString(roundLink))); contest != "Hội thi thử nghiệm" {
			t.Errorf("the round is listed under %q, want Hội thi thử nghiệm", contest)
		}
		desk.fitsDesktop(t)
		if status := desk.click(t, roundLink); status != http.StatusOK {
			t.Fatalf("Đợt thử: status %d, want 200", status)
		}
		if got := desk.location(t); got != roundPage {
			t.Errorf("after Đợt thử: at %s, want %s", got, roundPage)
		}
		if got := desk.text(t, "h1"); got != "Hội thi thử nghiệm: Đợt thử" {
			t.Errorf("heading %q, want Hội thi thử nghiệm: Đợt thử", got)
		}
	})

	step("the provisional list shows the winners in order and the formula unit as plain text", func(t *testing.T, s *testServer) {
		if got := desk.text(t, "#round-status"); got != "Đã kết thúc" {
			t.Errorf("round status %q, want Đã kết thúc", got)
		}
		if got := desk.text(t, "#lock-state"); got != "Chưa chốt" {
			t.Errorf("lock state %q, want Chưa chốt", got)
		}
		if got := desk.text(t, "#winners-title"); got != "Người đạt giải (3)" {
			t.Errorf("winners heading %q, want Người đạt giải (3)", got)
		}
		if got := desk.shownWinners(t, "winners-table"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantWinners) {
			t.Errorf("winners (rank, prize, name, unit)\n%q\nwant\n%q", got, wantWinners)
		}
		if got := desk.shownWinners(t, "ranking-table"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantRanking) {
			t.Errorf("ranking (rank, prize, name, unit)\n%q\nwant\n%q", got, wantRanking)
		}
		// The formula is the text of its cell: no link, no element at all.
		cell := eval[[]int](t, desk, `Array.from(document.querySelectorAll('#ranking-table tbody tr'))
			.filter(tr => tr.cells[2].textContent.trim() === 'Hồ Văn Em').map(tr => tr.cells[6].children.length)`)
		if fmt.Sprint(cell) != "[0]" {
			t.Errorf("elements inside Hồ Văn Em's unit cell %v, want one row with [0]: plain text", cell)
		}
		if links := eval[[]string](t, desk, `Array.from(document.links).filter(a => a.href.includes('x.example')).map(a => a.outerHTML)`); len(links) > 0 {
			t.Errorf("the page links to the unit's formula target: %q, want no link", links)
		}
		if got := eval[bool](t, desk, `document.getElementById('lock-confirm')?.checked ?? true`); got {
			t.Error("the confirmation box is missing or starts ticked, want it there and unticked")
		}
		if got := desk.text(t, "#lock-button"); got != "Chốt kết quả" {
			t.Errorf("lock button %q, want Chốt kết quả", got)
		}
		desk.fitsDesktop(t)
	})

	step("Chốt kết quả without the box ticked asks for it and locks nothing", func(t *testing.T, s *testServer) {
		if status := desk.click(t, "#lock-button"); status != http.StatusUnprocessableEntity {
			t.Errorf("lock without the box: status %d, want 422", status)
		}
		if got, want := desk.text(t, "#form-error"), "Hãy đánh dấu ô xác nhận trước khi chốt kết quả."; got != want {
			t.Errorf("error %q, want %q", got, want)
		}
		if got := desk.text(t, "#lock-state"); got != "Chưa chốt" {
			t.Errorf("lock state %q after the refusal, want Chưa chốt", got)
		}
		if eval[bool](t, desk, `document.getElementById('lock-confirm')?.checked ?? true`) {
			t.Error("after the refusal the confirmation box is missing or ticked, want it there and unticked")
		}
		if got := desk.shownWinners(t, "winners-table"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantWinners) {
			t.Errorf("winners after the refusal\n%q\nwant\n%q", got, wantWinners)
		}
		var list winnersAnswer
		s.mustCall(http.StatusOK, "GET", winnersAPI, official, nil, &list)
		if list.Locked || list.LockedAt != nil || list.LockedBy != nil {
			t.Errorf("the API says locked %v at %v by %v, want not locked", list.Locked, list.LockedAt, list.LockedBy)
		}
	})

	step("ticking the box and Chốt kết quả lock the round in the official's name", func(t *testing.T, s *testServer) {
		desk.do(t, "tick the confirmation box", chromedp.Click(chromedp.ID("lock-confirm")))
		if !eval[bool](t, desk, `document.getElementById('lock-confirm').checked`) {
			t.Fatal("the confirmation box is not ticked after clicking it")
		}
		if status := desk.click(t, "#lock-button"); status != http.StatusOK {
			t.Fatalf("lock: status %d, want 200 after the redirect", status)
		}
		if got, want := desk.location(t), roundPage+"?done=locked"; got != want {
			t.Errorf("after the lock: at %s, want %s", got, want)
		}
		if got, want := desk.text(t, `main p.notice[role="status"]`), "Đã chốt kết quả. Thứ hạng và giải thưởng sẽ không thay đổi."; got != want {
			t.Errorf("notice %q, want %q", got, want)
		}
		var list winnersAnswer
		s.mustCall(http.StatusOK, "GET", winnersAPI, official, nil, &list)
		if !list.Locked || list.LockedAt == nil || list.LockedBy == nil {
			t.Fatalf("the API says locked %v at %v by %v, want locked", list.Locked, list.LockedAt, list.LockedBy)
		}
		lockedBy = *list.LockedBy
		if want := officialName + " (" + officialEmail + ")"; lockedBy != want {
			t.Errorf("locked by %q, want %q: the official who pressed the button", lockedBy, want)
		}
		if got, want := desk.text(t, "#lock-state"), "Đã chốt lúc "+vietnamClock(t, *list.LockedAt)+" bởi "+lockedBy; got != want {
			t.Errorf("lock state %q, want %q", got, want)
		}
		if got := desk.text(t, "#round-status"); got != "Đã chốt kết quả" {
			t.Errorf("round status %q, want Đã chốt kết quả", got)
		}
		if eval[bool](t, desk, `!!document.getElementById('lock-form')`) {
			t.Error("the lock form is still shown on a locked round")
		}
		if got := desk.shownWinners(t, "winners-table"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantWinners) {
			t.Errorf("winners after the lock\n%q\nwant\n%q", got, wantWinners)
		}
		for _, e := range list.Entries[:min(3, len(list.Entries))] {
			winnerIDs = append(winnerIDs, e.IDNumber)
		}
		if len(winnerIDs) != 3 || slices.Contains(winnerIDs, "") {
			t.Fatalf("the winners' CCCD from the API %q, want three", winnerIDs)
		}
	})

	step("the Excel report downloads from the page with the lock and the names in rank order", func(t *testing.T, s *testServer) {
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(desk.ctx, stepLimit)
		defer cancel()
		begins := chromedp.Events(ctx, browser.DownloadWillBegin)
		progress := chromedp.Events(ctx, browser.DownloadProgress)
		if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
			DownloadPath:  dir,
			EventsEnabled: new(true),
		}); err != nil {
			t.Fatalf("let the browser download into %s: %v", dir, err)
		}
		if got := desk.text(t, "#dl-xlsx"); got != "Tải danh sách Excel (.xlsx)" {
			t.Errorf("Excel link %q, want Tải danh sách Excel (.xlsx)", got)
		}
		desk.do(t, "click the Excel link", chromedp.Click(chromedp.ID("dl-xlsx")))
		var suggested string
		for ev, err := range begins {
			if err != nil {
				t.Fatalf("waiting for the download to begin: %v", err)
			}
			suggested = ev.SuggestedFilename
			break
		}
		prefix, suffix := "ket-qua-thu-nghiem-", fmt.Sprintf("-dot-%d-da-chot.xlsx", roundID)
		if !strings.HasPrefix(suggested, prefix) || !strings.HasSuffix(suggested, suffix) {
			t.Errorf("downloaded file named %q, want %s…%s", suggested, prefix, suffix)
		}
		var done *browser.EventDownloadProgress
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("waiting for the download to complete: %v", err)
			}
			if ev.State == browser.DownloadProgressStateCanceled {
				t.Fatalf("the download was canceled: %+v", ev)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done = &ev
				break
			}
		}
		if done == nil {
			t.Fatal("the download did not complete")
		}
		path := filepath.Join(dir, done.GUID)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read the downloaded file: %v", err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("open the downloaded file with excelize: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("Danh sách")
		if err != nil {
			t.Fatalf("read the sheet Danh sách: %v", err)
		}
		if len(rows) <= quiz.HeaderRows {
			t.Fatalf("the sheet has %d rows, want the %d of the header block and a table", len(rows), quiz.HeaderRows)
		}
		header := strings.Join(flatten(rows[:quiz.HeaderRows]), " | ")
		for _, want := range []string{"Hội thi thử nghiệm", "Đợt thử", "Đã chốt lúc", lockedBy} {
			if !strings.Contains(header, want) {
				t.Errorf("the header block lacks %q:\n%s", want, header)
			}
		}
		table := rows[quiz.HeaderRows:]
		if len(table[0]) < 3 || table[0][0] != "Hạng" || table[0][2] != "Họ và tên" {
			t.Fatalf("table head %q, want Hạng, …, Họ và tên first", table[0])
		}
		var got []shownWinner
		for _, r := range table[1:] {
			r = append(r, make([]string, 7)...)
			got = append(got, shownWinner{r[0], r[1], r[2], r[6]})
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantRanking) {
			t.Errorf("the sheet's rows (rank, prize, name, unit)\n%q\nwant\n%q", got, wantRanking)
		}
	})

	// The print page, from the link that opens it in a tab of its own.
	var (
		printTab   tab
		closePrint func()
	)
	t.Cleanup(func() {
		if closePrint != nil {
			closePrint()
		}
	})
	printPath := roundPage + "/print"
	step("the print link opens the list to sign, in administrative style, without CCCD", func(t *testing.T, s *testServer) {
		if got := desk.text(t, "#print-link"); got == "" {
			t.Fatal("no print link on the round page")
		}
		if got := eval[string](t, desk, `document.getElementById('print-link').getAttribute('href')`); got != printPath {
			t.Errorf("print link to %q, want %q", got, printPath)
		}
		ctx, cancel := context.WithTimeout(desk.ctx, stepLimit)
		defer cancel()
		opened := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return strings.HasSuffix(info.URL, printPath) })
		desk.do(t, "click the print link", chromedp.Click(chromedp.ID("print-link")))
		var id target.ID
		select {
		case id = <-opened:
		case <-ctx.Done():
		}
		if id == "" {
			t.Fatalf("clicking the print link opened no tab at %s", printPath)
		}
		tabCtx, cancelTab := chromedp.NewContext(desk.ctx, chromedp.WithTargetID(id))
		closePrint = cancelTab
		if err := chromedp.Do(tabCtx); err != nil {
			t.Fatalf("attach to the print tab: %v", err)
		}
		printTab = tab{tabCtx, desk.errors}
		printTab.desktop(t)
		printTab.watch(t)
		printTab.waitTrue(t, "the print page to load", `document.readyState === 'complete' && !!document.getElementById('winners-document')`)
		if got := printTab.location(t); got != printPath {
			t.Errorf("the print tab is at %s, want %s", got, printPath)
		}
		if got := printTab.text(t, "h1.doc-title"); got != "DANH SÁCH NGƯỜI ĐẠT GIẢI" {
			t.Errorf("title %q, want DANH SÁCH NGƯỜI ĐẠT GIẢI", got)
		}
		if got := printTab.text(t, ".lh-nation .upper"); got != "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" {
			t.Errorf("national heading %q, want CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", got)
		}
		if got := printTab.text(t, ".lh-nation .motto"); got != "Độc lập - Tự do - Hạnh phúc" {
			t.Errorf("motto %q, want Độc lập - Tự do - Hạnh phúc", got)
		}
		signers := eval[[]string](t, printTab, `Array.from(document.querySelectorAll('.signatures .sign-title')).map(p => p.textContent.trim())`)
		if fmt.Sprint(signers) != fmt.Sprint([]string{"NGƯỜI LẬP DANH SÁCH", "TRƯỞNG BAN TỔ CHỨC"}) {
			t.Errorf("signature block %q, want NGƯỜI LẬP DANH SÁCH and TRƯỞNG BAN TỔ CHỨC", signers)
		}
		notes := eval[string](t, printTab, `Array.from(document.querySelectorAll('.doc-note')).map(p => p.textContent.trim()).join(' | ')`)
		if !strings.Contains(notes, "Kết quả đã được chốt lúc") || !strings.Contains(notes, lockedBy) || strings.Contains(notes, "DỰ THẢO") {
			t.Errorf("notes %q, want the lock by %s and no DỰ THẢO", notes, lockedBy)
		}
		tiers := eval[[]string](t, printTab, `Array.from(document.querySelectorAll('h2.tier')).map(h => h.textContent.trim())`)
		if fmt.Sprint(tiers) != fmt.Sprint([]string{"Giải Nhất (1 giải)", "Giải Nhì (2 giải)"}) {
			t.Errorf("prize headings %q, want Giải Nhất (1 giải), Giải Nhì (2 giải)", tiers)
		}
		names := eval[[]string](t, printTab, `Array.from(document.querySelectorAll('table.doc-table tbody tr')).map(tr => tr.cells[1].textContent.trim())`)
		if want := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}; fmt.Sprintf("%q", names) != fmt.Sprintf("%q", want) {
			t.Errorf("winners on the list %q, want %q", names, want)
		}
		html := eval[string](t, printTab, `document.documentElement.outerHTML`)
		if strings.Contains(html, "Số CCCD") {
			t.Error("the list has a Số CCCD column without ?full=true")
		}
		for _, id := range winnerIDs {
			if strings.Contains(html, id) {
				t.Errorf("the list shows the CCCD %s without ?full=true", id)
			}
		}

		ctx, cancel = context.WithTimeout(printTab.ctx, stepLimit)
		defer cancel()
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
		if err != nil {
			t.Fatalf("print the list to PDF: %v", err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("the printed list starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
		}
	})

	step("Hiện số CCCD và điện thoại adds the winners' CCCD to the list", func(t *testing.T, s *testServer) {
		if got := printTab.text(t, "#print-full"); got != "Hiện số CCCD và điện thoại" {
			t.Fatalf("the CCCD link reads %q, want Hiện số CCCD và điện thoại", got)
		}
		if status := printTab.click(t, "#print-full"); status != http.StatusOK {
			t.Fatalf("Hiện số CCCD và điện thoại: status %d, want 200", status)
		}
		if got := printTab.location(t); got != printPath+"?full=true" {
			t.Errorf("after Hiện số CCCD và điện thoại: at %s, want %s?full=true", got, printPath)
		}
		heads := eval[[]string](t, printTab, `Array.from(document.querySelector('table.doc-table')?.tHead.rows[0].cells ?? []).map(th => th.textContent.trim())`)
		if len(heads) < 4 || heads[3] != "Số CCCD" {
			t.Fatalf("list columns %q, want Số CCCD fourth", heads)
		}
		ids := eval[[]string](t, printTab, `Array.from(document.querySelectorAll('table.doc-table tbody tr')).map(tr => tr.cells[3].textContent.trim())`)
		if fmt.Sprintf("%q", ids) != fmt.Sprintf("%q", winnerIDs) {
			t.Errorf("CCCD on the full list %q, want %q", ids, winnerIDs)
		}
	})

	step("the audit log lists the lock and the files, in the official's name", func(t *testing.T, s *testServer) {
		if status := desk.click(t, `header.top nav a[href="/official"]`); status != http.StatusOK {
			t.Fatalf("Kết quả: status %d, want 200", status)
		}
		if status := desk.click(t, `main a[href="/official/audit"]`); status != http.StatusOK {
			t.Fatalf("Nhật ký kiểm tra: status %d, want 200", status)
		}
		if got := desk.location(t); got != "/official/audit" {
			t.Errorf("at %s, want /official/audit", got)
		}
		if got := desk.text(t, "h1"); got != "Nhật ký kiểm tra" {
			t.Errorf("heading %q, want Nhật ký kiểm tra", got)
		}
		rows := eval[[][]string](t, desk, `Array.from(document.querySelectorAll('table.audit tbody tr')).map(tr => Array.from(tr.cells).slice(1, 3).map(td => td.textContent.trim()))`)
		// The lock and the files handed out, newest first: who, and what
		// in a sentence that names the round and its contest.
		var got [][]string
		for _, r := range rows {
			if len(r) == 2 && (strings.HasPrefix(r[1], "Chốt kết quả") || strings.HasPrefix(r[1], "In danh sách") ||
				strings.HasSuffix(r[1], "(Excel)")) {
				got = append(got, r)
			}
		}
		round := "Đợt thử — Hội thi thử nghiệm"
		want := [][]string{
			{lockedBy, "In danh sách người đạt giải " + round + ", kèm số CCCD và điện thoại"},
			{lockedBy, "In danh sách người đạt giải " + round},
			{lockedBy, "Tải danh sách kết quả " + round + " (Excel)"},
			{lockedBy, "Chốt kết quả " + round + ": 5 người dự thi, 3 giải, đáp án câu hỏi dự đoán: 5"},
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("locks and files in the audit log (who, what)\n%q\nwant\n%q", got, want)
		}
		links := eval[[]string](t, desk, `Array.from(document.querySelectorAll('table.audit tbody a')).map(a => a.getAttribute('href'))`)
		if len(links) == 0 || links[0] != roundPage {
			t.Errorf("the round's name in the audit log links to %q, want %s", links, roundPage)
		}
		desk.fitsDesktop(t)
	})

	step("no page reported a script or loading error", func(t *testing.T, s *testServer) {
		refused := "(" + s.URL + roundPage + "/lock)"
		for _, e := range desk.errors.all() {
			// The lock without the box ticked answers 422, as a step above
			// wants.
			if strings.HasPrefix(e, "network error") && strings.Contains(e, "status of 422") && strings.HasSuffix(e, refused) {
				continue
			}
			t.Errorf("the browser reported %s, want no error", e)
		}
	})
}
