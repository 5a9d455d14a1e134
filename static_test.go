package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"testing"
)

// Styles and scripts go gzipped to a browser that takes gzip, compressed
// once at start, and as they are to one that does not; a font, already
// compressed, goes as it is.
func TestStaticFilesGoGzippedToWhoTakesIt(t *testing.T) {
	s := startServer(t, nil)
	css, err := os.ReadFile("web/static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, acceptEncoding string) (*http.Response, []byte) {
		t.Helper()
		h := http.Header{}
		if acceptEncoding != "" {
			h.Set("Accept-Encoding", acceptEncoding) // the client then leaves the body as sent
		} else {
			h.Set("Accept-Encoding", "identity")
		}
		resp, body := s.request("GET", path, h, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return resp, []byte(body)
	}
	for _, accept := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8", "*", "x-gzip"} {
		resp, body := get("/static/app.css", accept)
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, Vary %q; want gzip, Accept-Encoding", accept,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
			continue
		}
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(plain, css) || len(body) > len(css)/3 {
			t.Errorf("Accept-Encoding %q: %d bytes gzipped into %d (%v), want app.css in under a third", accept, len(plain), len(body), err)
		}
	}
	for _, accept := range []string{"", "gzip;q=0", "br", "*;q=0", "gzip;q=0, *", "GZIP;Q=0"} {
		resp, body := get("/static/app.css", accept)
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, css) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, %d bytes; want app.css as it is", accept, resp.Header.Get("Content-Encoding"), len(body))
		}
	}
	font, err := os.ReadFile("web/static/fonts/noto-serif-vietnamese-400-normal.woff2")
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := get("/static/fonts/noto-serif-vietnamese-400-normal.woff2", "gzip"); resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, font) {
		t.Errorf("a font: Content-Encoding %q, want it as it is", resp.Header.Get("Content-Encoding"))
	}
}
