package handlers

import (
	"bytes"
	"io"
	"testing"
	"text/template/parse"

	"github.com/gofiber/fiber/v2"
)

// Each text written into the pages in place of its action stands where
// html/template escapes it as page text or a quoted attribute's value,
// the escaping inlineTexts gives it: none stands in a script, a style or
// a URL, where it would be escaped otherwise.
func TestInlinedTextsStandInTextOrAttributes(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	written, err := loadPagesInlined(cat, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"_html_template_htmlescaper": true, "_html_template_attrescaper": true, "_html_template_rcdataescaper": true}
	checked := 0
	for name, set := range written.sets[langVI] {
		// Escaping comes before drawing, and covers every template the
		// page's frame calls; the empty data then fails the drawing.
		for _, frame := range []string{"layout.html", "document"} {
			if set.Lookup(frame) != nil {
				_ = set.ExecuteTemplate(io.Discard, frame, pageData{L: lang{langVI, cat}})
			}
		}
		for _, tmpl := range set.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			walkActions(tmpl.Tree.Root, func(a *parse.ActionNode) {
				if !isConstText(a.Pipe) {
					return
				}
				for _, cmd := range a.Pipe.Cmds[1:] {
					id, ok := cmd.Args[0].(*parse.IdentifierNode)
					if !ok || !allowed[id.Ident] {
						t.Errorf("%s, %s: %s stands where it is escaped by %s", name, tmpl.Name(), a, cmd)
					}
				}
				checked += len(a.Pipe.Cmds) - 1
			})
		}
	}
	if checked < 500 {
		t.Errorf("%d inlined texts' escaping checked; the pages hold more", checked)
	}
}

// isConstText reports whether a pipeline's first command is T called
// with one constant key, as constText finds it in a template's text.
func isConstText(p *parse.PipeNode) bool {
	if len(p.Cmds) == 0 || len(p.Cmds[0].Args) != 2 {
		return false
	}
	if _, ok := p.Cmds[0].Args[1].(*parse.StringNode); !ok {
		return false
	}
	switch f := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		return len(f.Ident) == 2 && f.Ident[0] == "L" && f.Ident[1] == "T"
	case *parse.VariableNode:
		return len(f.Ident) == 2 && f.Ident[0] == "$L" && f.Ident[1] == "T"
	}
	return false
}

func walkActions(n parse.Node, fn func(*parse.ActionNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkActions(c, fn)
			}
		}
	case *parse.ActionNode:
		fn(n)
	case *parse.IfNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	case *parse.RangeNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	case *parse.WithNode:
		walkActions(n.List, fn)
		walkActions(n.ElseList, fn)
	}
}

// The quiz and result pages, drawn with their texts inlined, are the
// bytes the templates as written draw, in both languages.
func TestInlinedPagesDrawAsWritten(t *testing.T) {
	inlined, pd := benchResultPage(t)
	written, err := loadPagesInlined(pd.L.cat, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	data := pd.Data.(fiber.Map)
	play := fiber.Map{"Attempt": data["Attempt"], "Round": data["Round"].(roundView).Round, "WSPath": "/ws/attempts/1",
		"Strings": playStrings(pd.L), "AckWaitMs": 10000}
	for _, code := range []string{langVI, langEN} {
		pd.L.code = code
		for _, page := range []struct {
			name string
			data any
		}{{"result", data}, {"play", play}} {
			pd.Data = page.data
			var got, want bytes.Buffer
			if err := inlined.sets[code][page.name].ExecuteTemplate(&got, "layout.html", pd); err != nil {
				t.Fatal(err)
			}
			if err := written.sets[code][page.name].ExecuteTemplate(&want, "layout.html", pd); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() || bytes.Contains(got.Bytes(), []byte(".T ")) {
				t.Errorf("%s page in %s, inlined:\n%s\nas written:\n%s", page.name, code, got.String(), want.String())
			}
		}
	}
}

// inlineTexts writes each constant text escaped; a text that would read
// as an action, and an action with trim markers, stay actions.
func TestInlineTextsWritesConstantTextsOnly(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cat.text[langVI]["test.plain"] = `Giờ Việt Nam (UTC+7) & <b>"đậm"</b>`
	cat.text[langVI]["test.braces"] = "{{.Secret}}"
	src := `<p title="{{.L.T "test.plain"}}">{{$L.T "test.plain"}}</p>{{.L.T "test.braces"}}{{- .L.T "test.plain"}}{{.L.T "round.used" 2}}`
	want := `<p title="Giờ Việt Nam (UTC&#43;7) &amp; &lt;b&gt;&#34;đậm&#34;&lt;/b&gt;">Giờ Việt Nam (UTC&#43;7) &amp; &lt;b&gt;&#34;đậm&#34;&lt;/b&gt;</p>` +
		`{{.L.T "test.braces"}}{{- .L.T "test.plain"}}{{.L.T "round.used" 2}}`
	if got := inlineTexts(src, lang{langVI, cat}); got != want {
		t.Errorf("inlined:\n%s\nwant:\n%s", got, want)
	}
}
