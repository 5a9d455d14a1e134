package handlers

import (
	"html/template"
	"slices"
	"strings"
)

// reviewList draws a revealed review as the result page shows it: each
// question with its verdict, its options marked correct and chosen, its
// explanation and its reference.
//
// It is drawn here rather than in result.html. Each call and field
// html/template makes goes through reflection; over twenty questions of
// four options they made the page cost 640 µs to draw, against 80 µs with
// its review hidden (go test ./handlers -run '^$' -bench ResultPage), and
// every contestant of a round that reveals its answers at the submit opens
// the page within the same second or two of a rush's end.
func reviewList(l lang, questions []reviewQuestion) template.HTML {
	var w htmlWriter
	w.Grow(len(questions) * 1500)
	w.WriteString(`<ol class="review">`)
	for _, q := range questions {
		class, verdict := "wrong", "result.q_wrong"
		if q.Right != nil && *q.Right {
			class, verdict = "right", "result.q_right"
		}
		w.WriteString("\n<li class=\"review-q " + class + "\">\n<p class=\"q-text\" lang=\"vi\">")
		w.text(q.Text)
		w.WriteString("</p>\n<p class=\"verdict\">")
		w.text(l.T(verdict))
		w.WriteString("</p>\n<ul class=\"review-options\">")
		for _, o := range q.Options {
			correct, chosen := o.Correct != nil && *o.Correct, slices.Contains(q.Chosen, o.ID)
			w.WriteString("\n<li")
			switch {
			case correct && chosen:
				w.WriteString(` class="is-correct is-chosen"`)
			case correct:
				w.WriteString(` class="is-correct"`)
			case chosen:
				w.WriteString(` class="is-chosen"`)
			}
			w.WriteString(`><span lang="vi">`)
			w.text(o.Text)
			w.WriteString("</span>")
			if chosen {
				w.WriteString(` <span class="tag">`)
				w.text(l.T("result.your_choice"))
				w.WriteString("</span>")
			}
			if correct {
				w.WriteString(` <span class="tag ok">`)
				w.text(l.T("result.correct_answer"))
				w.WriteString("</span>")
			}
			w.WriteString("</li>")
		}
		w.WriteString("\n</ul>")
		if q.Explanation != "" {
			w.WriteString("\n<p class=\"explain\" lang=\"vi\">")
			w.text(q.Explanation)
			w.WriteString("</p>")
		}
		if q.Reference != "" {
			w.WriteString("\n<p class=\"ref\">")
			w.text(l.T("result.reference"))
			w.WriteString(`: <span lang="vi">`)
			w.text(q.Reference)
			w.WriteString("</span></p>")
		}
		w.WriteString("\n</li>")
	}
	w.WriteString("\n</ol>")
	return template.HTML(w.String()) // every text in it went through w.text
}

// htmlWriter builds HTML whose texts it escapes itself.
type htmlWriter struct{ strings.Builder }

// text writes s escaped for an element's content or a quoted attribute,
// as html/template escapes it there.
func (w *htmlWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case 0:
			rep = "\uFFFD"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.WriteString(s[last:])
}
