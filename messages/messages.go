// Package messages is hoithi's text catalog (web/messages.json): every key
// in Vietnamese and English, for the web app and for the command line,
// which both explain hoithi's errors in the same words.
package messages

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"hoithi/quiz"
	"hoithi/web"
)

// The catalog's languages; Vietnamese is the default.
const (
	VI = "vi"
	EN = "en"
)

// Catalog is the text of every key: language → key → text.
type Catalog map[string]map[string]string

// Load reads the embedded catalog. Every key must have a text in both
// languages.
func Load() (Catalog, error) {
	var raw map[string]map[string]string
	if err := json.Unmarshal(web.Messages, &raw); err != nil {
		return nil, fmt.Errorf("messages: messages.json: %w", err)
	}
	c := Catalog{VI: {}, EN: {}}
	for key, byLang := range raw {
		for _, l := range []string{VI, EN} {
			s, ok := byLang[l]
			if !ok || s == "" {
				return nil, fmt.Errorf("messages: messages.json: %q has no %s text", key, l)
			}
			c[l][key] = s
		}
	}
	return c, nil
}

// Text returns the text for key in lang, formatted with args when given.
// A key missing from the catalog shows as itself, which tests catch.
func (c Catalog) Text(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(plural(s, args), args...)
	}
	return s
}

// Has reports whether the catalog has a text for key in lang.
func (c Catalog) Has(lang, key string) bool {
	_, ok := c[lang][key]
	return ok
}

// Explain turns an error into a line of English for the command line: the
// code's message and each invalid field's.
func Explain(err error) string {
	cat, cerr := Load()
	var qe *quiz.Error
	if cerr != nil || !errors.As(err, &qe) {
		return err.Error()
	}
	parts := []string{cat.Text(EN, "err."+qe.Code)}
	for _, field := range slices.Sorted(maps.Keys(qe.Fields)) {
		parts = append(parts, field+": "+cat.Text(EN, qe.Fields[field]))
	}
	return strings.Join(parts, " ")
}

// Text returns the catalog's text for key in language lang ("vi" or
// "en"; anything else is Vietnamese), for programs outside the web app
// such as the command line.
func Text(lang, key string, args ...any) string {
	cat, err := Load()
	if err != nil {
		return key
	}
	if lang != EN {
		lang = VI
	}
	return cat.Text(lang, key, args...)
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
