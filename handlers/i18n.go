package handlers

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"hoithi/messages"
)

// Languages of the UI; Vietnamese is the default.
const (
	langVI = messages.VI
	langEN = messages.EN
)

// langCookie keeps a visitor's choice of language.
const langCookie = "hoithi_lang"

// catalog is the UI text: every key in Vietnamese and English.
type catalog struct {
	text messages.Catalog

	scripts sync.Map // language and prefixes → template.JS (lang.Scripts)
}

func loadCatalog() (*catalog, error) {
	text, err := messages.Load()
	if err != nil {
		return nil, err
	}
	return &catalog{text: text}, nil
}

// lang is the catalog in one language, handed to templates as .L.
type lang struct {
	code string
	cat  *catalog
}

// T returns the text for key, formatted with args when given. A key missing
// from the catalog shows as itself, which tests catch.
func (l lang) T(key string, args ...any) string { return l.cat.text.Text(l.code, key, args...) }

// Code is "vi" or "en".
func (l lang) Code() string { return l.code }

// Prefix returns every key and text starting with prefix, the prefix cut
// off.
func (l lang) Prefix(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range l.cat.text[l.code] {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// Scripts returns, as the JSON object a page's script reads its text
// from, every text whose key starts with one of prefixes, the prefix cut
// off; a later prefix's text takes an earlier one's place. The catalog
// never changes, so each language's object is made once: gathered for
// every quiz page, it cost a third of drawing the page (go test
// ./handlers -run '^$' -bench PlayPage).
func (l lang) Scripts(prefixes ...string) template.JS {
	key := l.code + "\x00" + strings.Join(prefixes, "\x00")
	if js, ok := l.cat.scripts.Load(key); ok {
		return js.(template.JS)
	}
	texts := map[string]string{}
	for _, p := range prefixes {
		for k, v := range l.Prefix(p) {
			texts[k] = v
		}
	}
	b, err := json.Marshal(texts)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	js, _ := l.cat.scripts.LoadOrStore(key, template.JS(b))
	return js.(template.JS)
}

// lang picks the request's language: the visitor's choice, else English
// when the browser asks for it before Vietnamese, else Vietnamese.
func (h *Handler) lang(c *fiber.Ctx) lang {
	switch c.Cookies(langCookie) {
	case langEN:
		return lang{langEN, h.cat}
	case langVI:
		return lang{langVI, h.cat}
	}
	if c.AcceptsLanguages(langVI, langEN) == langEN {
		return lang{langEN, h.cat}
	}
	return lang{langVI, h.cat}
}

// Duration writes a working time in milliseconds the way people read it:
// "4 phút 12,345 giây".
func (l lang) Duration(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	secs := fmt.Sprintf("%d%s%03d", (ms%60000)/1000, l.T("fmt.decimal"), ms%1000)
	if m := ms / 60000; m > 0 {
		return l.T("fmt.dur_min_sec", m, secs)
	}
	return l.T("fmt.dur_sec", secs)
}

// thousands is the language's thousands separator: the Vietnamese write
// 1.234,5, the English 1,234.5.
func (l lang) thousands() string {
	if l.T("fmt.decimal") == "." {
		return ","
	}
	return "."
}

// groupDigits puts the thousands separator into a run of digits.
func groupDigits(digits, sep string) string {
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Int writes a whole number as the language does: 1.234 in Vietnamese,
// 1,234 in English.
func (l lang) Int(n int) string {
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	return sign + groupDigits(digits, l.thousands())
}

// Decimal writes f rounded to digits decimals as the language does:
// 1.234,5 in Vietnamese, 1,234.5 in English.
func (l lang) Decimal(f float64, digits int) string {
	s := strconv.FormatFloat(f, 'f', max(digits, 0), 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	out := sign + groupDigits(whole, l.thousands())
	if frac != "" {
		out += l.T("fmt.decimal") + frac
	}
	if strings.Trim(out, "-0.,") == "" {
		out = strings.TrimPrefix(out, "-") // no "-0,0"
	}
	return out
}

// Seconds writes a working time in milliseconds as seconds, the way
// officials compare them: "83,4 giây", "252,345 giây", "1.234,5 giây";
// every millisecond that counts is shown, at least one decimal.
func (l lang) Seconds(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	frac := strings.TrimRight(fmt.Sprintf("%03d", ms%1000), "0")
	if frac == "" {
		frac = "0"
	}
	secs := groupDigits(strconv.FormatInt(ms/1000, 10), l.thousands()) + l.T("fmt.decimal") + frac
	return l.T("fmt.dur_sec", secs)
}
