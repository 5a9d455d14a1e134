package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A next parameter only ever leads to a path on this site: the language
// switch, the login and the registration all send the browser home for
// anything else.
func TestRedirectsStayOnThisSite(t *testing.T) {
	s := startServer(t, nil)
	evil := []string{
		"/%09/evil.example/", "/%0A/evil.example/", "/%0D/evil.example/", "//evil.example/",
		"/%5Cevil.example/", "/%5C/evil.example/", "https://evil.example/", "javascript:alert(1)",
		"%2F%2Fevil.example", "/%E3%80%80/evil.example", "/%00",
	}
	for _, next := range evil {
		t.Run("the language switch refuses next="+next, func(t *testing.T) {
			status, _, header := s.page("GET", "/lang/en?next="+next, "", nil, "")
			if status != http.StatusSeeOther || header.Get("Location") != "/" {
				t.Errorf("status %d, Location %q; want 303 to /", status, header.Get("Location"))
			}
		})
	}
	t.Run("the language switch keeps a local path", func(t *testing.T) {
		_, _, header := s.page("GET", "/lang/en?next="+url.QueryEscape("/contests/tim-hieu-tthc-dien-tu?x=1"), "", nil, "")
		if got := header.Get("Location"); got != "/contests/tim-hieu-tthc-dien-tu?x=1" {
			t.Errorf("Location %q, want the local path", got)
		}
	})
	t.Run("the login form refuses a next that leaves the site", func(t *testing.T) {
		form := url.Values{"login": {testAdminEmail}, "password": {testAdminPassword}, "next": {"/\t/evil.example/"}}
		status, _, header := s.page("POST", "/login", "", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		if status != http.StatusSeeOther || header.Get("Location") != "/" {
			t.Errorf("status %d, Location %q; want 303 to /", status, header.Get("Location"))
		}
	})
	t.Run("the login page does not carry a foreign next into its form", func(t *testing.T) {
		_, body, _ := s.page("GET", "/login?next=/%5C/evil.example/", "", nil, "")
		if !strings.Contains(body, `name="next" value="/"`) {
			t.Error("the login page's form carries the foreign next")
		}
	})
	t.Run("the registration page does not carry a foreign next into its form", func(t *testing.T) {
		_, body, _ := s.page("GET", "/register?next=/%09/evil.example/", "", nil, "")
		if !strings.Contains(body, `name="next" value="/"`) {
			t.Error("the registration page's form carries the foreign next")
		}
	})
}

// ?error= on a page shows one of hoithi's own messages or nothing: the
// address is anyone's to write and to send around.
func TestErrorNoticeShowsOnlyKnownMessages(t *testing.T) {
	s := startServer(t, nil)
	const page = "/contests/tim-hieu-tthc-dien-tu"
	fake := "Bạn đã trúng thưởng, hãy gọi 0900000000"
	_, body, _ := s.page("GET", page+"?error="+url.QueryEscape(fake), "", nil, "")
	if strings.Contains(body, `role="alert"`) {
		t.Errorf("the page shows a made-up error: %s", excerpt(body, "notice"))
	}
	_, body, _ = s.page("GET", page+"?error=attempts_exhausted", "", nil, "")
	if !strings.Contains(body, `class="notice error"`) {
		t.Error("the page does not show a known error code's message")
	}
}

// excerpt returns a little of body around the first occurrence of near.
func excerpt(body, near string) string {
	i := strings.Index(body, near)
	if i < 0 {
		return ""
	}
	return body[max(0, i-80):min(len(body), i+200)]
}
