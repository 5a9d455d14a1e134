package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// screen is a screen the pages are photographed on.
type screen struct {
	width, height int64
	mobile        bool
}

var screens = []screen{
	{390, 844, true},   // an ordinary phone, portrait
	{1366, 768, false}, // the commonest office laptop
}

// shot is one page to photograph.
type shot struct {
	name string
	// who is signed in: "" (a visitor), "citizen", "organizer" or
	// "official".
	who  string
	path func(sc *scenario) string
	// prepare, when set, acts on the page before its first picture.
	prepare func(ctx context.Context) error
}

var shots = []shot{
	{name: "home", path: func(*scenario) string { return "/" }},
	{name: "contest", who: "citizen", path: func(sc *scenario) string { return "/contests/" + sc.demoSlug }},
	{name: "register", path: func(*scenario) string { return "/register" }},
	{name: "quiz", who: "citizen", path: func(sc *scenario) string { return fmt.Sprintf("/attempts/%d", sc.citizenRunningAttempt) },
		prepare: answerSome},
	{name: "result", who: "citizen", path: func(sc *scenario) string { return fmt.Sprintf("/attempts/%d", sc.citizenResultAttempt) }},
	{name: "leaderboard", who: "citizen", path: func(sc *scenario) string { return fmt.Sprintf("/rounds/%d/leaderboard", sc.demoRoundID) }},
	{name: "me", who: "citizen", path: func(*scenario) string { return "/me" }},
	{name: "organize", who: "organizer", path: func(*scenario) string { return "/organize" }},
	{name: "dashboard", who: "organizer", path: func(sc *scenario) string { return fmt.Sprintf("/organize/rounds/%d", sc.demoRoundID) }},
	{name: "builder", who: "organizer", path: func(sc *scenario) string { return fmt.Sprintf("/organize/contests/%d", sc.demoContestID) }},
	{name: "winners", who: "official", path: func(sc *scenario) string { return fmt.Sprintf("/official/rounds/%d", sc.warmupRoundID) }},
	{name: "certificate", who: "citizen", path: func(sc *scenario) string { return fmt.Sprintf("/me/rounds/%d/certificate", sc.warmupRoundID) }},
	{name: "live-host", who: "organizer", path: func(sc *scenario) string { return fmt.Sprintf("/organize/live/%d", sc.liveGameID) }},
	{name: "live-join", path: func(sc *scenario) string { return "/live/join?pin=" + sc.livePIN }},
}

func pageNames() []string {
	names := make([]string, len(shots))
	for i, s := range shots {
		names[i] = s.name
	}
	return names
}

// stepLimit bounds every browser step.
const stepLimit = 30 * time.Second

// shoot photographs the pages o asks for and returns the files written.
func shoot(ctx context.Context, o options, s *server, sc *scenario, stdout io.Writer) ([]string, error) {
	profile, err := os.MkdirTemp("", "hoithi-shots-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(o.chromium),
		chromedp.NoSandbox, // root in containers has no user namespace for it
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(profile),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		return nil, fmt.Errorf("start %s: %w", o.chromium, err)
	}

	tokens := map[string]string{"citizen": sc.citizen, "organizer": sc.organizer, "official": sc.official}
	var files []string
	for _, sh := range shots {
		if len(o.pages) > 0 && !slices.Contains(o.pages, sh.name) {
			continue
		}
		path := sh.path(sc)
		prepared := sh.prepare == nil
		for _, scr := range screens {
			step, cancel := context.WithTimeout(browserCtx, stepLimit)
			png, err := photograph(step, s.url, path, tokens[sh.who], scr, o.maxHeight, func(ctx context.Context) error {
				if prepared {
					return nil
				}
				prepared = true
				return sh.prepare(ctx)
			})
			cancel()
			if err != nil {
				return files, fmt.Errorf("%s (%s) at %d px: %w", sh.name, path, scr.width, err)
			}
			file := filepath.Join(o.out, fmt.Sprintf("%s-%d.png", sh.name, scr.width))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				return files, err
			}
			files = append(files, file)
			fmt.Fprintf(stdout, "%-40s %s, %d KB\n", file, path, (len(png)+1023)/1024)
		}
	}
	return files, nil
}

// photograph opens path on the screen as the holder of token (a visitor
// when empty), lets the page settle, runs prepare, and returns a PNG of
// the page from its top, at most maxHeight CSS pixels tall.
func photograph(ctx context.Context, base, path, token string, scr screen, maxHeight int64, prepare func(context.Context) error) ([]byte, error) {
	session := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "hoithi_token", URL: base + "/"}); err != nil {
			return err
		}
		if token == "" {
			return nil
		}
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: "hoithi_token", Value: token, URL: base + "/", HTTPOnly: ptr(true)})
		return err
	})
	opts := []chromedp.EmulateViewportOption{}
	if scr.mobile {
		opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, session, chromedp.EmulateViewport(scr.width, scr.height, opts...)); err != nil {
		return nil, err
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
	if err != nil {
		return nil, err
	}
	if resp.Status != 200 {
		return nil, fmt.Errorf("the page answered %d, want 200", resp.Status)
	}
	if err := chromedp.Do(ctx, settle()); err != nil {
		return nil, err
	}
	if err := prepare(ctx); err != nil {
		return nil, err
	}
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
		`window.scrollTo(0, 0), document.activeElement?.blur?.(), Math.ceil(document.documentElement.scrollHeight)`))
	if err != nil {
		return nil, err
	}
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		FromSurface:           ptr(true),
		CaptureBeyondViewport: ptr(true),
		Clip:                  &page.Viewport{X: 0, Y: 0, Width: float64(scr.width), Height: min(height, float64(maxHeight)), Scale: 1},
	})
	if err != nil {
		return nil, err
	}
	return shot.Data, nil
}

// settle waits until the page has stopped changing (scripts that fill it
// from a websocket are done when no element has changed for 300 ms), at
// most 5 s.
func settle() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`new Promise(done => {
		const quiet = 300, most = 5000, started = Date.now();
		let last = Date.now();
		const watch = new MutationObserver(() => { last = Date.now(); });
		watch.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
		const tick = () => {
			if (Date.now() - last >= quiet || Date.now() - started >= most) { watch.disconnect(); done(); }
			else setTimeout(tick, 50);
		};
		setTimeout(tick, 50);
	})`, chromedp.EvalAwaitPromise)
}

// answerSome chooses an option in the quiz page's first questions, as a
// contestant part-way through does, and waits for the page to save them.
func answerSome(ctx context.Context) error {
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const questions = Array.from(document.querySelectorAll('#questions > li'));
		questions.slice(0, 6).forEach((q, i) => {
			const options = q.querySelectorAll('input[type=radio], input[type=checkbox]');
			options[(i * 2 + 1) % Math.max(options.length, 1)]?.click();
		});
		return questions.length;
	})()`))
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("the quiz page shows no questions (#questions > li)")
	}
	return chromedp.Do(ctx, settle())
}

func ptr[T any](v T) *T { return &v }
