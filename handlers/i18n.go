package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
	"hoithi/web"
)

// Languages of the UI; Vietnamese is the default.
const (
	langVI = "vi"
	langEN = "en"
)

// langCookie keeps a visitor's choice of language.
const langCookie = "hoithi_lang"

// catalog is the UI text: every key in Vietnamese and English.
type catalog struct {
	text map[string]map[string]string // lang → key → text
}

func loadCatalog() (*catalog, error) {
	var raw map[string]map[string]string
	if err := json.Unmarshal(web.Messages, &raw); err != nil {
		return nil, fmt.Errorf("handlers: messages.json: %w", err)
	}
	c := &catalog{text: map[string]map[string]string{langVI: {}, langEN: {}}}
	for key, byLang := range raw {
		for _, l := range []string{langVI, langEN} {
			s, ok := byLang[l]
			if !ok || s == "" {
				return nil, fmt.Errorf("handlers: messages.json: %q has no %s text", key, l)
			}
			c.text[l][key] = s
		}
	}
	return c, nil
}

// lang is the catalog in one language, handed to templates as .L.
type lang struct {
	code string
	cat  *catalog
}

// T returns the text for key, formatted with args when given. A key missing
// from the catalog shows as itself, which tests catch.
func (l lang) T(key string, args ...any) string {
	s, ok := l.cat.text[l.code][key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(plural(s, args), args...)
	}
	return s
}

// plural picks the words of a count in a catalog text: each "{one|other}"
// becomes one when the value of the nearest formatting verb before it is 1,
// else other. English needs it ("1 valid question", "2 valid questions");
// Vietnamese nouns do not change, so its texts have none. The value may be
// an integer or a number already written as text ("1", "1.234").
func plural(format string, args []any) string {
	if !strings.Contains(format, "|") {
		return format
	}
	var out strings.Builder
	next, last := 0, -1 // the next argument a verb takes; the argument of the verb before
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch ch {
		case '%':
			j := i + 1
			if j < len(format) && format[j] == '%' {
				out.WriteString("%%")
				i = j
				continue
			}
			for j < len(format) && !isVerb(format[j]) {
				if format[j] == '[' { // an explicit argument index, %[2]d
					k := strings.IndexByte(format[j:], ']')
					if k < 0 {
						break
					}
					if n, err := strconv.Atoi(format[j+1 : j+k]); err == nil {
						next = n - 1
					}
					j += k
				}
				j++
			}
			last, next = next, next+1
			end := min(j+1, len(format))
			out.WriteString(format[i:end])
			i = end - 1
		case '{':
			k := strings.IndexByte(format[i:], '}')
			group := ""
			if k > 0 {
				group = format[i+1 : i+k]
			}
			one, other, ok := strings.Cut(group, "|")
			if !ok || strings.ContainsAny(group, "{%") || strings.Contains(other, "|") {
				out.WriteByte(ch)
				continue
			}
			if last >= 0 && last < len(args) && isOne(args[last]) {
				out.WriteString(one)
			} else {
				out.WriteString(other)
			}
			i += k
		default:
			out.WriteByte(ch)
		}
	}
	return out.String()
}

func isVerb(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// isOne reports whether a count is exactly one.
func isOne(v any) bool {
	switch n := v.(type) {
	case int:
		return n == 1
	case int64:
		return n == 1
	case int32:
		return n == 1
	case uint:
		return n == 1
	case uint64:
		return n == 1
	case string:
		return strings.TrimSpace(n) == "1"
	}
	return false
}

// Code is "vi" or "en".
func (l lang) Code() string { return l.code }

// Prefix returns every key and text starting with prefix, for scripts.
func (l lang) Prefix(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range l.cat.text[l.code] {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
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

// Explain turns an error into a line of English for the command line: the
// code's message and each invalid field's.
func Explain(err error) string {
	cat, cerr := loadCatalog()
	var qe *quiz.Error
	if cerr != nil || !errors.As(err, &qe) {
		return err.Error()
	}
	l := lang{langEN, cat}
	parts := []string{l.T("err." + qe.Code)}
	for _, field := range slices.Sorted(maps.Keys(qe.Fields)) {
		parts = append(parts, field+": "+l.T(qe.Fields[field]))
	}
	return strings.Join(parts, " ")
}

// Text returns the catalog's text for key in language code ("vi" or
// "en"), for programs outside the web app such as the command line.
func Text(code, key string, args ...any) string {
	cat, err := loadCatalog()
	if err != nil {
		return key
	}
	if code != langEN {
		code = langVI
	}
	return lang{code, cat}.T(key, args...)
}
