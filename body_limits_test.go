package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hoithi/quiz"
)

// earlyAnswer is what the server answered on a raw connection while the
// client was still writing the body.
type earlyAnswer struct {
	status  int
	header  http.Header
	body    string
	written int64 // bytes of the body written when the answer came
}

// code is the error code of a JSON error answer.
func (a earlyAnswer) code() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal([]byte(a.body), &e)
	return e.Error.Code
}

// sendUnfinished sends a request declaring a body of length bytes (-1:
// chunked) and writes only part of it, 32 KiB at a time and then stops
// without ending it, while it waits for the answer. A server that reads a
// body whole before answering never answers such a request: after a
// generous wait the answer has status 0 and says so.
func (s *testServer) sendUnfinished(method, path string, header http.Header, length int, part []byte) earlyAnswer {
	s.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, strings.TrimPrefix(s.URL, "http://"))
	if length >= 0 {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", length)
	} else {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	}
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		s.t.Fatal(err)
	}
	var written atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for off := 0; off < len(part); off += 32 << 10 {
			piece := part[off:min(off+32<<10, len(part))]
			var err error
			if length >= 0 {
				_, err = conn.Write(piece)
			} else {
				_, err = fmt.Fprintf(conn, "%x\r\n%s\r\n", len(piece), piece)
			}
			if err != nil {
				return
			}
			written.Add(int64(len(piece)))
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return earlyAnswer{body: fmt.Sprintf("(no answer while the body was being written: %d of %d bytes sent: %v)",
			written.Load(), length, err)}
	}
	at := written.Load()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return earlyAnswer{status: resp.StatusCode, header: resp.Header, body: string(body), written: at}
}

// jsonOf returns a JSON object of exactly size bytes: fields, then a long
// string field that pads it.
func jsonOf(size int, fields string) []byte {
	head := `{` + fields + `,"padding":"`
	return []byte(head + strings.Repeat("a", size-len(head)-2) + `"}`)
}

func TestBodiesAreRefusedBeforeTheyAreRead(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	contestant, _ := s.contestant("Lê Văn Dài")
	bank := s.demoBank(admin)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}

	t.Run("a 20 MiB login is refused with 413 before the client has written it", func(t *testing.T) {
		body := jsonOf(20<<20, `"login":"0900000000","password":"sai-mat-khau"`)
		a := s.sendUnfinished("POST", "/api/v1/auth/login", jsonHeader, len(body), body[:len(body)/2])
		if a.status != 413 || a.code() != "body_too_large" {
			t.Errorf("got %d %s, want 413 body_too_large", a.status, a.body)
		}
		if a.written >= int64(len(body)) {
			t.Errorf("answered after %d of %d bytes", a.written, len(body))
		}
	})

	jsonRoutes := []struct{ method, path, token string }{
		{"POST", "/api/v1/auth/login", ""},
		{"POST", "/api/v1/auth/register", ""},
		{"POST", "/api/v1/contests", admin},
		{"PUT", "/api/v1/units", admin},
		{"POST", fmt.Sprintf("/api/v1/banks/%d/questions", bank), admin},
		{"DELETE", "/api/v1/me", contestant},
	}
	for _, r := range jsonRoutes {
		t.Run("a 2 MiB body to "+r.method+" "+r.path+" is refused with 413", func(t *testing.T) {
			header := jsonHeader.Clone()
			if r.token != "" {
				header.Set("Authorization", "Bearer "+r.token)
			}
			body := jsonOf(2<<20, `"x":1`)
			a := s.sendUnfinished(r.method, r.path, header, len(body), body[:1<<20])
			if a.status != 413 || a.code() != "body_too_large" {
				t.Errorf("got %d %s, want 413 body_too_large", a.status, a.body)
			}
		})
	}

	t.Run("a chunked JSON body is refused once it passes 1 MiB", func(t *testing.T) {
		body := jsonOf(3<<20, `"login":"0900000000","password":"sai-mat-khau"`)
		a := s.sendUnfinished("POST", "/api/v1/auth/login", jsonHeader, -1, body[:2<<20])
		if a.status != 413 || a.code() != "body_too_large" {
			t.Errorf("got %d %s, want 413 body_too_large", a.status, a.body)
		}
	})

	t.Run("a chunked JSON body under 1 MiB is served", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/auth/login", io.MultiReader(
			strings.NewReader(`{"login":"`+testAdminEmail+`",`), strings.NewReader(`"password":"`+testAdminPassword+`"}`)))
		req.ContentLength = -1
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d, want 200 for a chunked login", resp.StatusCode)
		}
	})

	t.Run("a form over 1 MiB is refused with the error page in Vietnamese", func(t *testing.T) {
		body := []byte("login=0900000000&password=" + strings.Repeat("a", 2<<20))
		header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"text/html"}}
		a := s.sendUnfinished("POST", "/login", header, len(body), body[:1<<20])
		if a.status != 413 || !strings.Contains(a.body, "Dữ liệu gửi lên quá lớn") {
			t.Errorf("got %d %.300s, want 413 and the page saying the data is too large", a.status, a.body)
		}
	})

	t.Run("a compressed body is refused with 415", func(t *testing.T) {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		fmt.Fprintf(w, `{"login":%q,"password":%q}`, testAdminEmail, testAdminPassword)
		w.Close()
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/auth/login", &gz)
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 415 || !strings.Contains(string(data), `"unsupported_encoding"`) {
			t.Errorf("got %d %s, want 415 unsupported_encoding", resp.StatusCode, data)
		}
	})

	// A bank file just under the import limit: two questions padded with
	// white space, which JSON ignores.
	limit := int(quiz.DefaultImportLimits.MaxBytes)
	questions := bankJSON(goodA, goodB)
	file := append(bytes.Repeat([]byte(" "), limit-1024-len(questions)), questions...)
	multipartOf := func(data []byte) ([]byte, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		part, _ := w.CreateFormFile("file", "ngan-hang.json")
		part.Write(data)
		w.Close()
		return buf.Bytes(), w.FormDataContentType()
	}

	t.Run("an upload just under the import limit is imported", func(t *testing.T) {
		r := s.mustImport(admin, s.newBank(admin, "Sát giới hạn"), "ngan-hang.json", file, "?dry_run=1")
		if len(r.Questions) != 2 {
			t.Errorf("%d questions read, want 2", len(r.Questions))
		}
	})

	t.Run("an upload just under the import limit is previewed on the page", func(t *testing.T) {
		body, ctype := multipartOf(file)
		status, page, _ := s.page("POST", fmt.Sprintf("/organize/banks/%d/import", s.newBank(admin, "Sát giới hạn trang")), admin, bytes.NewReader(body), ctype)
		if status != 200 || !strings.Contains(page, "2 câu hỏi hợp lệ sẽ được nhập") {
			t.Errorf("preview: %d %.500s", status, page)
		}
	})

	over, overType := multipartOf(bytes.Repeat([]byte(" "), limit+1<<20))
	t.Run("an upload over the limit is refused with 413 before it is read", func(t *testing.T) {
		header := http.Header{"Content-Type": {overType}, "Authorization": {"Bearer " + admin}}
		a := s.sendUnfinished("POST", fmt.Sprintf("/api/v1/banks/%d/import", bank), header, len(over), over[:1<<20])
		if a.status != 413 || a.code() != "body_too_large" {
			t.Errorf("got %d %s, want 413 body_too_large", a.status, a.body)
		}
	})

	t.Run("an upload page over the limit is refused with the error page in Vietnamese", func(t *testing.T) {
		header := http.Header{"Content-Type": {overType}, "Cookie": {"hoithi_token=" + admin}, "Accept": {"text/html"}, "Origin": {s.URL}}
		a := s.sendUnfinished("POST", fmt.Sprintf("/organize/banks/%d/import", bank), header, len(over), over[:1<<20])
		if a.status != 413 || !strings.Contains(a.body, "Dữ liệu gửi lên quá lớn") {
			t.Errorf("got %d %.300s, want 413 and the page saying the data is too large", a.status, a.body)
		}
	})

	t.Run("a chunked upload is refused once it passes the limit", func(t *testing.T) {
		header := http.Header{"Content-Type": {overType}, "Authorization": {"Bearer " + admin}}
		a := s.sendUnfinished("POST", fmt.Sprintf("/api/v1/banks/%d/import", bank), header, -1, over[:len(over)-1])
		if a.status != 413 || a.code() != "body_too_large" {
			t.Errorf("got %d %s, want 413 body_too_large", a.status, a.body)
		}
	})

	t.Run("an anonymous upload is refused without being read", func(t *testing.T) {
		body, ctype := multipartOf(file)
		a := s.sendUnfinished("POST", fmt.Sprintf("/api/v1/banks/%d/import", bank), http.Header{"Content-Type": {ctype}}, len(body), body[:1<<20])
		if a.status != 401 {
			t.Errorf("got %d %s, want 401", a.status, a.body)
		}
	})
}

func TestRequestHeadersOfSeveralKilobytesAreRead(t *testing.T) {
	s := startServer(t, nil)
	// A browser with a few other cookies of the same site, and a long
	// address: 6 KB of headers.
	header := http.Header{"Cookie": {"other=" + strings.Repeat("a", 5<<10)}, "Referer": {s.URL + "/?q=" + strings.Repeat("b", 700)}}
	if resp, _ := s.request("GET", "/healthz", header, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("6 KB of headers: status %d, want 200", resp.StatusCode)
	}
	header = http.Header{"Cookie": {"other=" + strings.Repeat("a", 20<<10)}}
	if resp, _ := s.request("GET", "/healthz", header, ""); resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("20 KB of headers: status %d, want a refusal", resp.StatusCode)
	}
}
