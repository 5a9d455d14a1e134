package handlers

import (
	"errors"
	"html/template"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestSafeNextKeepsOnlyLocalPaths(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/contests/hoi-thi?x=1#top", "/contests/hoi-thi?x=1#top"},
		{"/me", "/me"},
		{"/organize/banks/3?q=Nguy%E1%BB%85n", "/organize/banks/3?q=Nguy%E1%BB%85n"},
		{"", "/"},
		{"me", "/"},
		{"//evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r/evil.example/", "/"},
		{"/ /evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\\/evil.example/", "/"},
		{"/x\\y", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00", "/"},
		{"/\x7f", "/"},
		{"/Nguyễn", "/"},
		{"/\u3000/evil.example", "/"},
	} {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// A page that fails halfway leaves nothing of itself in the answer: the
// error page drawn after it is the whole body.
func TestAPageThatFailsHalfwayLeavesNoPart(t *testing.T) {
	set := template.Must(template.New("x").Funcs(template.FuncMap{
		"fail": func() (string, error) { return "", errors.New("broken") },
	}).Parse(`{{define "half"}}<p>first half</p>{{fail}}<p>second</p>{{end}}{{define "whole"}}<p>error page</p>{{end}}`))
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		if err := draw(c, fiber.StatusOK, set, "half", nil); err == nil {
			t.Error("a failing page drew")
		}
		if part := c.Response().Body(); len(part) != 0 {
			t.Errorf("a failed page left %q in the answer", part)
		}
		return draw(c, fiber.StatusInternalServerError, set, "whole", nil)
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != fiber.StatusInternalServerError || string(body) != "<p>error page</p>" ||
		resp.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%d %q (%s, %s), want 500 and the error page alone", resp.StatusCode, body, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
}
