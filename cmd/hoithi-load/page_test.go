package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A result page is read whole, and one that is still the quiz (the server
// sent the contestant back to a round they had finished) is a failure,
// not a page served.
func TestAResultPageThatIsStillTheQuizFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/attempts/1":
			w.Write([]byte(`<main id="result"><p>8/10</p></main>`))
		case "/attempts/2", "/attempts/4":
			w.Write([]byte(`<main id="quiz" data-result="/attempts/2"></main>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &client{base: srv.URL, http: srv.Client()}
	if err := attemptPage(c, nil, "tok", 1, false); err != nil {
		t.Errorf("a result page: %v", err)
	}
	err := attemptPage(c, nil, "tok", 2, false)
	if err == nil || !strings.Contains(err.Error(), "still the quiz") {
		t.Errorf("the quiz instead of its result: %v, want an error saying so", err)
	}
	if err := attemptPage(c, nil, "tok", 3, false); err == nil {
		t.Error("a page not found counts as opened")
	}
}

// The quiz page a start leads to is read whole, and a page that is not
// the quiz (the attempt already over) is a failure, on the round page's
// connection as over pooled ones.
func TestAQuizPageThatIsNotTheQuizFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/rounds/7":
			w.Write([]byte(`{"id":7}`))
		case "/attempts/4":
			w.Write([]byte(`<section class="quiz" id="quiz" data-attempt="4"></section>`))
		case "/attempts/5":
			w.Write([]byte(`<main id="result"></main>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &client{base: srv.URL, http: srv.Client()}
	pc, err := c.openPage("tok", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.close()
	for _, conn := range []*pageConn{pc, nil} {
		if err := attemptPage(c, conn, "tok", 4, true); err != nil {
			t.Errorf("the quiz page (round page's connection: %v): %v", conn != nil, err)
		}
		if err := attemptPage(c, conn, "tok", 5, true); err == nil || !strings.Contains(err.Error(), "not the quiz") {
			t.Errorf("a result instead of the quiz (round page's connection: %v): %v, want an error saying so", conn != nil, err)
		}
	}
}
