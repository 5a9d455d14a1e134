package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
	"hoithi/web"
)

// vietnam is the time zone every page shows times in; times are stored and
// sent by the API in UTC.
var vietnam = quiz.Vietnam

// pages holds one template set per language and page, each framed by
// layout.html, and the content hashes that make static URLs cacheable for
// good.
type pages struct {
	sets   map[string]map[string]*template.Template // language → page → set
	assets map[string]string                        // file name → short content hash
	// gzipped holds the static files that gzip shrinks by a tenth or
	// more (styles, scripts, the icon), compressed once at start.
	gzipped map[string][]byte
}

// set is a page's templates in a language.
func (p *pages) set(l lang, name string) (*template.Template, error) {
	set, ok := p.sets[l.code][name]
	if !ok {
		return nil, fmt.Errorf("handlers: no page %q", name)
	}
	return set, nil
}

func loadPages(cat *catalog, accounts *quiz.Accounts) (*pages, error) {
	return loadPagesInlined(cat, accounts, true)
}

// loadPagesInlined loads the pages, with each language's constant texts
// written into them (inlineTexts) or, inlined false, drawn as they are
// written.
func loadPagesInlined(cat *catalog, accounts *quiz.Accounts, inlined bool) (*pages, error) {
	p := &pages{sets: map[string]map[string]*template.Template{}, assets: map[string]string{}, gzipped: map[string][]byte{}}
	err := fs.WalkDir(web.Static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := web.Static.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.assets[strings.TrimPrefix(name, "static/")] = hex.EncodeToString(sum[:6])
		if gz := gzipOf(data); len(gz) <= len(data)*9/10 {
			p.gzipped[strings.TrimPrefix(name, "static/")] = gz
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("handlers: static files: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) string {
			return "/static/" + name + "?v=" + p.assets[name]
		},
		"localTime": func(t time.Time) string { return t.In(vietnam).Format("15:04 02/01/2006") },
		"isoTime":   apiTime,
		"province":  accounts.ProvinceName,
		"birthVN":   quiz.BirthDateVN,
		"flagText":  quiz.FlagText,
		"json": func(v any) (template.JS, error) {
			b, err := json.Marshal(v)
			return template.JS(b), err
		},
		"inc":    func(i int) int { return i + 1 },
		"div":    func(a, b int) int { return a / b },
		"mul100": func(f float64) float64 { return f * 100 },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				key, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict keys are strings")
				}
				m[key] = kv[i+1]
			}
			return m, nil
		},
		"splitLines": func(s string) []string {
			var out []string
			for _, line := range strings.Split(s, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					out = append(out, line)
				}
			}
			return out
		},
		"duration": func(l lang, ms int64) string { return l.Duration(ms) },
		// longText says a unit's name may take more than two lines of its
		// column: the table then clamps it, and shows it whole on hover
		// and focus.
		"longText": func(s string) bool { return utf8.RuneCountInString(s) > longTextRunes },
		"deref":    deref,
		"review":   reviewList,
		"has": func(ids []int64, id int64) bool {
			for _, x := range ids {
				if x == id {
					return true
				}
			}
			return false
		},
	}
	sources := map[string]string{}
	names, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := web.Templates.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sources[path.Base(name)] = string(data)
	}
	for _, code := range []string{langVI, langEN} {
		l := lang{code, cat}
		text := func(src string) string { return inlineTexts(src, l) }
		if !inlined {
			text = func(src string) string { return src }
		}
		if p.sets[code], err = parsePages(sources, funcs, text); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parsePages parses each page of sources (file name → template text)
// with the layout, every text first passed through text.
func parsePages(sources map[string]string, funcs template.FuncMap, text func(string) string) (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).Parse(text(sources["layout.html"]))
	if err != nil {
		return nil, fmt.Errorf("handlers: layout: %w", err)
	}
	sets := map[string]*template.Template{}
	for name, src := range sources {
		if name == "layout.html" {
			continue
		}
		set, err := template.Must(layout.Clone()).New(name).Parse(text(src))
		if err != nil {
			return nil, fmt.Errorf("handlers: page %s: %w", name, err)
		}
		sets[strings.TrimSuffix(name, ".html")] = set
	}
	return sets, nil
}

// constText is an action that only shows a text of the catalog by its
// key: {{.L.T "key"}} or {{$L.T "key"}}. One with trim markers is left as
// it is (none is written so).
var constText = regexp.MustCompile(`\{\{\s*(?:\.L|\$L)\.T "([a-z0-9_.]+)"\s*\}\}`)

// inlineTexts writes the text of each constText action of src, in l and
// escaped, in its place. Pages hold hundreds of such actions, and
// html/template runs each through reflection and an escaper on every
// page drawn, for a text that never changes: about 2 µs each. The actions
// stand in page text or quoted attributes only, where the escaped text is
// what html/template would write (TestInlinedTextsStandInTextOrAttributes).
// A text that would read as an action is left to be drawn by its action.
func inlineTexts(src string, l lang) string {
	return constText.ReplaceAllStringFunc(src, func(action string) string {
		text := l.T(constText.FindStringSubmatch(action)[1])
		if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
			return action
		}
		var w htmlWriter
		w.text(text)
		return w.String()
	})
}

// longTextRunes is the longest unit name a table column shows whole in
// two lines.
const longTextRunes = 40

// deref returns what a pointer points at, or the zero value for nil, for
// the optional fields of API bodies that pages show.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	if rv.IsNil() {
		return reflect.Zero(rv.Type().Elem()).Interface()
	}
	return rv.Elem().Interface()
}

// pageData is what every page template gets.
type pageData struct {
	L     lang
	User  *quiz.User
	Title string
	Path  string // the page's own path and query, for the language switch
	Data  any
	// Flash is a message the previous answer left for this page, such as
	// the welcome after a registration.
	Flash string
}

// page renders a page with the layout.
func (h *Handler) page(c *fiber.Ctx, status int, name, title string, data any) error {
	pd := pageData{L: h.lang(c), Title: title, Path: pagePath(c), Data: data, Flash: h.takeFlash(c)}
	set, err := h.pages.set(pd.L, name)
	if err != nil {
		return err
	}
	if p := principalOf(c); p != nil {
		if u, err := h.Accounts.User(c.UserContext(), p.UserID); err == nil {
			pd.User = &u
		}
	}
	if err := draw(c, status, set, "layout.html", pd); err != nil {
		return fmt.Errorf("handlers: render %s: %w", name, err)
	}
	return nil
}

// draw writes the template name of set, with data, as the answer: HTML,
// stored by no cache. The page goes straight into the answer's body,
// whose buffer fasthttp reuses from answer to answer; a page that fails
// halfway leaves the body empty.
func draw(c *fiber.Ctx, status int, set *template.Template, name string, data any) error {
	resp := c.Response()
	if err := set.ExecuteTemplate(resp.BodyWriter(), name, data); err != nil {
		resp.ResetBody()
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	c.Status(status)
	return nil
}

// noStore marks the answer as not to be stored by any cache; a handler
// may still set its own Cache-Control after it.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// renderError shows an error as a page in the visitor's language: what
// went wrong in words, never the API's code or the HTTP status.
func (h *Handler) renderError(c *fiber.Ctx, status int, body apiErrorBody) error {
	l := h.lang(c)
	title := l.T("page.error.title")
	switch status {
	case fiber.StatusNotFound:
		title = l.T("words.error.not_found")
	case fiber.StatusForbidden:
		title = l.T("words.error.forbidden")
	}
	err := h.page(c, status, "error", title, fiber.Map{"Status": status, "Error": body})
	if err != nil {
		h.Log.Error("render error page", "err", err)
		return c.Status(status).SendString(body.Message)
	}
	return nil
}

// static serves the embedded static files. A URL carrying the file's
// current hash is cached for a year; any other is revalidated.
func (h *Handler) static(c *fiber.Ctx) error {
	name := c.Params("*")
	data, err := web.Static.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "..") {
		return quiz.NotFound("file")
	}
	if ctype := mime.TypeByExtension(path.Ext(name)); ctype != "" {
		c.Set(fiber.HeaderContentType, ctype)
	}
	if v := c.Query("v"); v != "" && v == h.pages.assets[name] {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	if gz, ok := h.pages.gzipped[name]; ok {
		c.Vary(fiber.HeaderAcceptEncoding)
		if acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			data = gz
		}
	}
	return c.Send(data)
}

// gzipOf is data compressed with gzip at its best; a phone on a slow line
// then fetches the styles in about a fifth of the bytes.
func gzipOf(data []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip: named
// (or as x-gzip), or through "*", with a quality above zero. Fiber's
// AcceptsEncodings offers the first coding to a request without the
// header, and gzip through "*" even where gzip itself has q=0.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		refused := false
		for _, param := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(param), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				refused = err != nil || q <= 0
			}
		}
		switch coding {
		case "gzip", "x-gzip":
			return !refused
		case "*":
			star = !refused
		}
	}
	return star
}

func (h *Handler) favicon(c *fiber.Ctx) error {
	return c.Redirect("/static/icon.svg?v="+h.pages.assets["icon.svg"], fiber.StatusMovedPermanently)
}

// safeNext returns a local path to go to after a form, or "/". Only a
// plain path on this site passes: browsers drop tabs and newlines from an
// address and read a backslash as a slash, so "/\t/evil.example/" would
// otherwise lead to another host. Anything with a control character, a
// space, a backslash or a non-ASCII byte, anything that names a scheme or a
// host, and anything not starting with a single slash goes home instead.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || len(next) > 2000 {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if b := next[i]; b <= ' ' || b >= 0x7f || b == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return next
}

// switchLanguage remembers the chosen language for a year.
func (h *Handler) switchLanguage(c *fiber.Ctx) error {
	code := c.Params("code")
	if code != langVI && code != langEN {
		return quiz.NotFound("language")
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: code, Path: "/", Expires: h.Now().AddDate(1, 0, 0),
		SameSite: fiber.CookieSameSiteLaxMode, Secure: h.SecureCookie})
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

// loginRedirect sends an anonymous visitor to the login page and back.
func loginRedirect(c *fiber.Ctx) error {
	return c.Redirect("/login?next="+url.QueryEscape(pagePath(c)), fiber.StatusSeeOther)
}

// pagePath is the address a visitor can come back to: the request's own
// for a GET; for a form's answer, the page the form was on (its Referer),
// since the form's address takes only a POST.
func pagePath(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet {
		return string(c.Request().URI().RequestURI())
	}
	next := c.Get(fiber.HeaderReferer)
	if i := strings.Index(next, "://"); i >= 0 {
		if j := strings.Index(next[i+3:], "/"); j >= 0 {
			next = next[i+3+j:]
		} else {
			next = "/"
		}
	}
	return safeNext(next)
}
