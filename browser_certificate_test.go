package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The certificates' browser test drives the same headless Chromium through
// what officials and a contestant do with certificates: the officials type
// who issues and signs them in the toolbar and print, the contestant prints
// their own, on a desk and on a phone. It checks what prints: one A4
// landscape page a certificate, the lines the toolbar shows, the embedded
// font, and never what a contestant's address says.

// A4 landscape in PDF points (1/72 in), as Chromium writes the MediaBox.
const (
	a4LongSide  = 841.92
	a4ShortSide = 594.96
)

var (
	pdfPage     = regexp.MustCompile(`/Type\s*/Page\b[^s]`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
)

// printedPages prints the tab's page to PDF as a browser's print dialog
// would (the page's own @page size and margins) and returns the number of
// pages and the size of each, in points.
func (b tab) printedPages(t *testing.T) (pages int, sizes [][2]float64) {
	t.Helper()
	b.waitTrue(t, "the fonts to load", `document.fonts.status === 'loaded'`)
	ctx, cancel := context.WithTimeout(b.ctx, stepLimit)
	defer cancel()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	for _, m := range pdfMediaBox.FindAllSubmatch(pdf, -1) {
		var w, h float64
		fmt.Sscan(string(m[1]), &w)
		fmt.Sscan(string(m[2]), &h)
		sizes = append(sizes, [2]float64{w, h})
	}
	return len(pdfPage.FindAll(pdf, -1)), sizes
}

// holdToken gives the browser a session as the holder of token.
func (b tab) holdToken(t *testing.T, s *testServer, token string) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: "hoithi_token", Value: token, URL: s.URL}); err != nil {
		t.Fatalf("set the session cookie: %v", err)
	}
}

// printed is what the document showed when print() was called.
type printed struct {
	Superior       []string `json:"superior"`
	SuperiorHidden bool     `json:"superiorHidden"`
	Agency         []string `json:"agency"`
	SignTitle      []string `json:"signTitle"`
	Signer         []string `json:"signer"`
	Place          []string `json:"place"`
}

// catchPrint replaces the page's print() by one that records what the
// document shows at that moment, which is what a printer would get.
func (b tab) catchPrint(t *testing.T) {
	t.Helper()
	eval[bool](t, b, `(() => {
		const texts = (name) => Array.from(document.querySelectorAll('[data-issuer="' + name + '"]')).map((e) => e.textContent.trim());
		window.printed = [];
		window.print = () => window.printed.push({
			superior: texts('superior'), agency: texts('agency'), signTitle: texts('sign_title'),
			signer: texts('signer'), place: texts('place'),
			superiorHidden: Array.from(document.querySelectorAll('[data-issuer="superior"]')).every((e) => e.hidden),
		});
		return true;
	})()`)
}

// typeInto replaces what a toolbar field holds by typing value.
func (b tab) typeInto(t *testing.T, name, value string) {
	t.Helper()
	sel := fmt.Sprintf(`form.toolbar input[name=%q]`, name)
	eval[bool](t, b, fmt.Sprintf(`(() => {
		const input = document.querySelector(%s);
		input.value = '';
		input.dispatchEvent(new Event('input'));
		return true;
	})()`, jsString(sel)))
	if value != "" {
		b.do(t, "type "+name, chromedp.SendKeys(sel, value))
	}
}

// allAre reports whether every text is want, and there is at least one.
func allAre(texts []string, want string) bool {
	for _, s := range texts {
		if s != want {
			return false
		}
	}
	return len(texts) > 0
}

// sheetScale is the certificate sheet's width and its name's font size
// relative to it, and its text's height relative to the sheet's.
type sheetScale struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Name   float64 `json:"name"`
	Text   float64 `json:"text"`
	Fits   bool    `json:"fits"`
}

func (b tab) sheetScale(t *testing.T) sheetScale {
	t.Helper()
	return eval[sheetScale](t, b, `(() => {
		const page = document.querySelector('.cert-page').getBoundingClientRect();
		const cert = document.querySelector('.certificate');
		const title = document.querySelector('.cert-title').getBoundingClientRect();
		const sign = document.querySelector('.certificate .sign-name').getBoundingClientRect();
		return {
			width: page.width, height: page.height,
			name: parseFloat(getComputedStyle(document.querySelector('.cert-name')).fontSize) / page.width,
			text: (sign.bottom - title.top) / page.height,
			fits: cert.scrollHeight <= cert.clientHeight && cert.scrollWidth <= cert.clientWidth,
		};
	})()`)
}

// near reports whether a and b differ by at most the share within of the
// larger.
func near(a, b, within float64) bool {
	return math.Abs(a-b) <= within*math.Max(math.Abs(a), math.Abs(b))
}

func TestBrowserCertificates(t *testing.T) {
	chromium := chromiumPath(t)
	server := startServer(t, nil)
	roundID, admin, official := lockScenario(t, server)
	citizen, _ := server.person(map[string]any{"full_name": "Vũ Thị Lan", "unit": "Trường THPT Chu Văn An"})
	server.play(citizen, roundID, server.key(admin), 2, nil)
	server.closeRound(admin, roundID)
	contest := server.contestOf(admin, roundID)
	issuerAPI := fmt.Sprintf("/api/v1/contests/%d/certificate", contest)
	_, dungID := findEntry(t, server, official, roundID, "Phạm Thị Dung")
	certsPath := fmt.Sprintf("/official/rounds/%d/certificates", roundID)
	ownPath := fmt.Sprintf("/me/rounds/%d/certificate", roundID)

	b := startBrowser(t, chromium)
	step := func(name string, f func(t *testing.T, s *testServer)) {
		t.Helper()
		if !t.Run(name, func(t *testing.T) { f(t, server.in(t)) }) {
			t.FailNow()
		}
	}
	forged := url.Values{"agency": {"ỦY BAN NHÂN DÂN TỈNH GIẢ"}, "superior": {"GIẢ"}, "sign_title": {"CHỦ TỊCH"},
		"signer": {"Người Giả"}, "place": {"Nơi Giả"}}
	forgery := ownPath + "?" + forged.Encode()

	step("a contestant's certificate says it is not issued before officials set the issuer", func(t *testing.T, s *testServer) {
		b.holdToken(t, s, citizen)
		if status := b.open(t, s.URL+forgery); status != http.StatusOK {
			t.Fatalf("GET %s: %d, want 200", forgery, status)
		}
		if got := b.text(t, "#certificate-not-issued h1"); got != "Giấy chứng nhận chưa được cấp" {
			t.Errorf("heading %q, want Giấy chứng nhận chưa được cấp", got)
		}
		if n := eval[int](t, b, `document.querySelectorAll('.certificate, form.toolbar, input').length`); n != 0 {
			t.Errorf("%d certificates, toolbars or fields on the page, want none", n)
		}
		b.fitsPhone(t)
	})

	step("the officials' toolbar shows its lines in the certificates as they are typed", func(t *testing.T, s *testServer) {
		b.holdToken(t, s, official)
		b.desktop(t)
		if status := b.open(t, s.URL+certsPath); status != http.StatusOK {
			t.Fatalf("GET %s: %d, want 200", certsPath, status)
		}
		if got := b.text(t, "#issuer-status"); !strings.HasPrefix(got, "Cuộc thi chưa có cơ quan cấp và người ký được lưu") {
			t.Errorf("status %q, want the warning that nothing is saved", got)
		}
		for name, value := range theIssuer {
			b.typeInto(t, name, value)
		}
		shown := eval[printed](t, b, `(() => {
			const texts = (name) => Array.from(document.querySelectorAll('[data-issuer="' + name + '"]')).map((e) => e.textContent.trim());
			return {superior: texts('superior'), agency: texts('agency'), signTitle: texts('sign_title'), signer: texts('signer'), place: texts('place')};
		})()`)
		if len(shown.Signer) != 3 || !allAre(shown.Signer, theIssuer["signer"]) || !allAre(shown.Superior, theIssuer["superior"]) ||
			!allAre(shown.SignTitle, theIssuer["sign_title"]) || !allAre(shown.Place, theIssuer["place"]) {
			t.Errorf("the three certificates show %+v, want the typed lines", shown)
		}
		if got := b.text(t, "#issuer-status"); got != "Có thay đổi chưa lưu: bấm Lưu, hoặc In / Lưu PDF để lưu rồi in." {
			t.Errorf("status %q, want the unsaved-changes line", got)
		}
		var stored issuerAnswer
		s.mustCall(http.StatusOK, "GET", issuerAPI, official, nil, &stored)
		if stored.Issued {
			t.Errorf("typing alone stored %+v", stored)
		}
	})

	step("In / Lưu PDF saves the toolbar's lines and prints them", func(t *testing.T, s *testServer) {
		b.catchPrint(t)
		b.do(t, "click In / Lưu PDF", chromedp.Click(chromedp.ID("print-now")))
		b.waitTrue(t, "print() to be called", `window.printed.length === 1`)
		got := eval[printed](t, b, `window.printed[0]`)
		if !allAre(got.Signer, theIssuer["signer"]) || !allAre(got.Agency, theIssuer["agency"]) || got.SuperiorHidden ||
			!allAre(got.Superior, theIssuer["superior"]) || !allAre(got.SignTitle, theIssuer["sign_title"]) || !allAre(got.Place, theIssuer["place"]) {
			t.Errorf("printed %+v, want the toolbar's lines %v", got, theIssuer)
		}
		var stored issuerAnswer
		s.mustCall(http.StatusOK, "GET", issuerAPI, official, nil, &stored)
		if !stored.Issued || stored.Signer != theIssuer["signer"] || stored.Superior != theIssuer["superior"] || stored.Place != theIssuer["place"] {
			t.Errorf("stored %+v, want the printed lines", stored)
		}
		if got := b.text(t, "#issuer-status"); !strings.HasPrefix(got, "Đã lưu cơ quan cấp và người ký") {
			t.Errorf("status %q, want the confirmation", got)
		}
	})

	step("a line changed after saving prints as changed, and is saved", func(t *testing.T, s *testServer) {
		b.typeInto(t, "signer", "Trần Văn Bảo")
		b.typeInto(t, "superior", "")
		b.do(t, "click In / Lưu PDF", chromedp.Click(chromedp.ID("print-now")))
		b.waitTrue(t, "print() to be called again", `window.printed.length === 2`)
		got := eval[printed](t, b, `window.printed[1]`)
		if !allAre(got.Signer, "Trần Văn Bảo") || !got.SuperiorHidden {
			t.Errorf("printed %+v, want the new signer and no superior line", got)
		}
		var stored issuerAnswer
		s.mustCall(http.StatusOK, "GET", issuerAPI, official, nil, &stored)
		if stored.Signer != "Trần Văn Bảo" || stored.Superior != "" {
			t.Errorf("stored %+v, want the new signer and no superior body", stored)
		}
	})

	step("a toolbar missing a line prints nothing and stores nothing", func(t *testing.T, s *testServer) {
		b.typeInto(t, "signer", "")
		b.do(t, "click In / Lưu PDF", chromedp.Click(chromedp.ID("print-now")))
		if n := eval[int](t, b, `window.printed.length`); n != 2 {
			t.Errorf("print() called %d times, want still 2", n)
		}
		if !eval[bool](t, b, `document.querySelector('form.toolbar input[name="signer"]').matches(':invalid')`) {
			t.Error("the empty signer field is not marked invalid")
		}
		var stored issuerAnswer
		s.mustCall(http.StatusOK, "GET", issuerAPI, official, nil, &stored)
		if stored.Signer != "Trần Văn Bảo" {
			t.Errorf("stored signer %q, want Trần Văn Bảo still", stored.Signer)
		}
		b.typeInto(t, "signer", theIssuer["signer"])
		b.typeInto(t, "superior", theIssuer["superior"])
		if status := b.click(t, "#save-issuer"); status != http.StatusOK {
			t.Fatalf("Lưu: status %d, want 200", status)
		}
		if got := b.text(t, "#issuer-status"); !strings.HasPrefix(got, "Đã lưu cơ quan cấp và người ký cho cuộc thi “Hội thi thử nghiệm”") {
			t.Errorf("after Lưu: status %q, want the confirmation", got)
		}
	})

	step("the certificates print in the embedded Vietnamese font", func(t *testing.T, s *testServer) {
		b.waitTrue(t, "the fonts to load", `document.fonts.status === 'loaded'`)
		if !eval[bool](t, b, `document.fonts.check('16px "Noto Serif"', 'Cộng hòa xã hội chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc')`) {
			t.Error(`document.fonts.check('16px "Noto Serif"') is false after load`)
		}
		loaded := eval[[]string](t, b, `Array.from(document.fonts).filter((f) => f.family.replace(/"/g, '') === 'Noto Serif' && f.status === 'loaded').map((f) => f.style + ' ' + f.weight)`)
		for _, want := range []string{"normal 400", "normal 700", "italic 400"} {
			if !strings.Contains(strings.Join(loaded, ","), want) {
				t.Errorf("Noto Serif faces loaded %q, want %s among them", loaded, want)
			}
		}
		if got := eval[string](t, b, `getComputedStyle(document.querySelector('.cert-name')).fontFamily`); !strings.HasPrefix(got, `"Noto Serif"`) {
			t.Errorf("the name's font is %s, want Noto Serif first", got)
		}
		fonts := eval[[]string](t, b, `performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.includes('.woff'))`)
		if len(fonts) == 0 {
			t.Error("no font file was loaded")
		}
		for _, f := range fonts {
			if !strings.HasPrefix(f, s.URL+"/static/fonts/") {
				t.Errorf("font loaded from %s, want this server's /static/fonts/", f)
			}
		}
	})

	step("three certificates print on exactly three A4 landscape pages", func(t *testing.T, s *testServer) {
		if n := eval[int](t, b, `document.querySelectorAll('.certificate').length`); n != 3 {
			t.Fatalf("%d certificates on the page, want 3", n)
		}
		pages, sizes := b.printedPages(t)
		if pages != 3 {
			t.Errorf("printed %d pages, want 3", pages)
		}
		for _, sz := range sizes {
			if !near(sz[0], a4LongSide, .002) || !near(sz[1], a4ShortSide, .002) {
				t.Errorf("a page of %.2f × %.2f pt, want A4 landscape %.2f × %.2f", sz[0], sz[1], a4LongSide, a4ShortSide)
			}
		}
	})

	var desk sheetScale
	step("one contestant's certificate prints on one page", func(t *testing.T, s *testServer) {
		path := fmt.Sprintf("%s?user=%d", certsPath, dungID)
		if status := b.open(t, s.URL+path); status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		if pages, _ := b.printedPages(t); pages != 1 {
			t.Errorf("printed %d pages, want 1", pages)
		}
		desk = b.sheetScale(t)
		if !desk.Fits || !near(desk.Height/desk.Width, 210.0/297, .01) {
			t.Errorf("on the desk the sheet is %+v, want A4's proportions with its text inside", desk)
		}
	})

	step("a contestant's own certificate prints the stored issuer and has no toolbar", func(t *testing.T, s *testServer) {
		b.holdToken(t, s, citizen)
		if status := b.open(t, s.URL+forgery); status != http.StatusOK {
			t.Fatalf("GET %s: %d", forgery, status)
		}
		if n := eval[int](t, b, `document.querySelectorAll('form, input, select, textarea').length`); n != 0 {
			t.Errorf("%d forms or fields on the contestant's certificate, want none", n)
		}
		if got := b.text(t, ".cert-name"); got != "Vũ Thị Lan" {
			t.Errorf("certificate of %q, want Vũ Thị Lan", got)
		}
		html := eval[string](t, b, `document.body.innerText`)
		for _, v := range forged {
			if strings.Contains(html, v[0]) {
				t.Errorf("the certificate prints %q from its address", v[0])
			}
		}
		b.catchPrint(t)
		b.do(t, "click In / Lưu PDF", chromedp.Click(chromedp.ID("print-now")))
		b.waitTrue(t, "print() to be called", `window.printed.length === 1`)
		got := eval[printed](t, b, `window.printed[0]`)
		if !allAre(got.Signer, theIssuer["signer"]) || !allAre(got.Agency, theIssuer["agency"]) ||
			!allAre(got.Superior, theIssuer["superior"]) || !allAre(got.SignTitle, theIssuer["sign_title"]) || !allAre(got.Place, theIssuer["place"]) {
			t.Errorf("printed %+v, want the stored lines %v", got, theIssuer)
		}
		if pages, _ := b.printedPages(t); pages != 1 {
			t.Errorf("printed %d pages, want 1", pages)
		}
	})

	step("on a phone the certificate is the whole sheet, scaled down", func(t *testing.T, s *testServer) {
		b.phone(t)
		if status := b.open(t, s.URL+ownPath); status != http.StatusOK {
			t.Fatalf("GET %s: %d", ownPath, status)
		}
		b.waitTrue(t, "the fonts to load", `document.fonts.status === 'loaded'`)
		b.fitsPhone(t)
		phone := b.sheetScale(t)
		if phone.Width > phoneWidth || phone.Width >= desk.Width {
			t.Errorf("the sheet is %.0f px wide on the phone (%.0f on the desk), want it narrower than the screen", phone.Width, desk.Width)
		}
		if !phone.Fits || !near(phone.Height/phone.Width, desk.Height/desk.Width, .01) {
			t.Errorf("on the phone the sheet is %+v, want the desk's proportions %+v with its text inside", phone, desk)
		}
		if !near(phone.Name, desk.Name, .02) || !near(phone.Text, desk.Text, .03) {
			t.Errorf("on the phone the name is %.4f of the width and the text %.3f of the height, on the desk %.4f and %.3f: want the same drawing, scaled",
				phone.Name, phone.Text, desk.Name, desk.Text)
		}
	})

	step("no page reported a script or loading error", func(t *testing.T, s *testServer) {
		for _, e := range b.errors.all() {
			t.Errorf("the browser reported %s, want no error", e)
		}
	})
}
