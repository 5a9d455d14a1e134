package handlers

import (
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Organizers type the rules as plain text, and consent texts are plain
// text: pages show them as headings, paragraphs and lists read from the
// text's shape, never as HTML. Every character typed is escaped; the only
// markup is what this file writes, and the only links are the ones a
// placeholder stands for.

// textSpan is a run of text, a link when href is set.
type textSpan struct {
	text string
	href string
}

// textExpander fills placeholders: inline gives the spans a placeholder
// stands for inside a line, list the items it stands for alone on a line
// (nil: it reads inline there too).
type textExpander struct {
	inline map[string][]textSpan
	list   map[string][]string
}

var (
	headingLine  = regexp.MustCompile(`^(Điều|Chương|Mục|Phần|Article|Section)\s+[0-9IVXLC]+[.:]`)
	bulletLine   = regexp.MustCompile(`^[-*•+]\s+`)
	numberedLine = regexp.MustCompile(`^([0-9]{1,3})[.)]\s+`)
)

// plainTextHTML shows text as HTML: a line that reads as a heading
// ("Điều 1. …", or all capitals) is a heading of the given level, lines
// starting "- " (or *, •, +) a list, lines starting "1. " a numbered
// list, and every other line a paragraph. Placeholders known to x are
// filled in.
func plainTextHTML(text string, level int, x textExpander) template.HTML {
	var b strings.Builder
	h := "h" + strconv.Itoa(level)
	open := "" // "ul" or "ol" while a list is open
	closeList := func() {
		if open != "" {
			b.WriteString("</" + open + ">")
			open = ""
		}
	}
	item := func(kind, start string, spans []textSpan) {
		if open != kind {
			closeList()
			if kind == "ol" && start != "1" {
				b.WriteString(`<ol start="` + start + `">`)
			} else {
				b.WriteString("<" + kind + ">")
			}
			open = kind
		}
		b.WriteString("<li>")
		writeSpans(&b, spans)
		b.WriteString("</li>")
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			closeList()
		case x.list[line] != nil:
			for _, it := range x.list[line] {
				item("ul", "", []textSpan{{text: it}})
			}
		case bulletLine.MatchString(line):
			item("ul", "", x.spans(bulletLine.ReplaceAllString(line, "")))
		case numberedLine.MatchString(line):
			n, _ := strconv.Atoi(numberedLine.FindStringSubmatch(line)[1]) // the first item's number starts the list
			item("ol", strconv.Itoa(n), x.spans(numberedLine.ReplaceAllString(line, "")))
		case headingLine.MatchString(line) || allCapitals(line):
			closeList()
			b.WriteString("<" + h + ">")
			writeSpans(&b, x.spans(line))
			b.WriteString("</" + h + ">")
		default:
			closeList()
			b.WriteString("<p>")
			writeSpans(&b, x.spans(line))
			b.WriteString("</p>")
		}
	}
	closeList()
	return template.HTML(b.String()) // every piece of text went through writeSpans
}

// spans splits a line at the placeholders x knows and fills them in.
func (x textExpander) spans(line string) []textSpan {
	var out []textSpan
	for line != "" {
		at, name := -1, ""
		for p := range x.inline {
			if i := strings.Index(line, p); i >= 0 && (at < 0 || i < at) {
				at, name = i, p
			}
		}
		if at < 0 {
			out = append(out, textSpan{text: line})
			break
		}
		if at > 0 {
			out = append(out, textSpan{text: line[:at]})
		}
		out = append(out, x.inline[name]...)
		line = line[at+len(name):]
	}
	return out
}

func writeSpans(b *strings.Builder, spans []textSpan) {
	for _, s := range spans {
		if s.href != "" {
			b.WriteString(`<a href="` + template.HTMLEscapeString(s.href) + `">` + template.HTMLEscapeString(s.text) + "</a>")
		} else {
			b.WriteString(template.HTMLEscapeString(s.text))
		}
	}
}

// allCapitals reports whether a line is a title typed in capitals: at
// least two words and no lower-case letter.
func allCapitals(line string) bool {
	letters := 0
	for _, r := range line {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 4 && strings.Contains(line, " ")
}
