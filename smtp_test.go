package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// mailSink is a small SMTP server on a loopback port that keeps every mail
// it is given, as an installation's mail server would deliver it.
type mailSink struct {
	addr  string
	mails chan sunkMail
}

// sunkMail is one mail as its reader sees it.
type sunkMail struct {
	To      string
	Subject string
	Text    string
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &mailSink{addr: ln.Addr().String(), mails: make(chan sunkMail, 16)}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				sink.serve(t, conn)
			}()
		}
	}()
	return sink
}

// serve speaks enough SMTP for one session: no TLS, no password.
func (m *mailSink) serve(t *testing.T, conn net.Conn) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	say := func(s string) { io.WriteString(conn, s+"\r\n") }
	say("220 sink ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			say("250 sink")
		case "MAIL":
			say("250 ok")
		case "RCPT":
			to = strings.Trim(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "RCPT TO:")), "<>")
			say("250 ok")
		case "DATA":
			say("354 go on")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			msg, err := netmail.ReadMessage(&data)
			if err != nil {
				t.Errorf("the mail server got an unreadable mail: %v", err)
				say("554 unreadable")
				continue
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
			m.mails <- sunkMail{To: to, Subject: subject, Text: string(body)}
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 what")
		}
	}
}

// next waits for the next mail.
func (m *mailSink) next(t *testing.T) sunkMail {
	t.Helper()
	select {
	case mail := <-m.mails:
		return mail
	case <-time.After(10 * time.Second):
		t.Fatal("no mail within 10 s")
	}
	return sunkMail{}
}

// none checks that no mail comes for a moment.
func (m *mailSink) none(t *testing.T) {
	t.Helper()
	select {
	case mail := <-m.mails:
		t.Errorf("an unexpected mail: %+v", mail)
	case <-time.After(300 * time.Millisecond):
	}
}

var mailedLink = regexp.MustCompile(`https?://\S+/reset/([A-Za-z0-9_-]{43})`)

func TestResetLinkByEmail(t *testing.T) {
	sink := startMailSink(t)
	const public = "https://hoithi.so-tu-phap.example"
	s := startServer(t, map[string]string{
		"HOITHI_SMTP_URL":   "smtp://" + sink.addr + "?from=" + url.QueryEscape("Hội thi <hoithi@so.gov.vn>"),
		"HOITHI_PUBLIC_URL": public,
		"HOITHI_LOG_LEVEL":  "debug",
	})
	oldSession, _ := s.person(map[string]any{"full_name": "Lê Thị Hồng", "phone": "0967111222", "email": "hong.le@gmail.example"})
	s.staff("organizer", "to-chuc@so.gov.vn")

	var accepted map[string]any
	var token string
	t.Run("a citizen asks by e-mail and gets a mail in Vietnamese with the link and its expiry", func(t *testing.T) {
		s.mustCall(http.StatusAccepted, "POST", "/api/v1/auth/forgot", "", map[string]string{"email": "Hong.Le@Gmail.example"}, &accepted)
		mail := sink.next(t)
		if mail.To != "hong.le@gmail.example" || !strings.Contains(mail.Subject, "Đặt lại mật khẩu") {
			t.Errorf("mail to %q about %q", mail.To, mail.Subject)
		}
		m := mailedLink.FindStringSubmatch(mail.Text)
		if m == nil || !strings.HasPrefix(m[0], public+"/reset/") {
			t.Fatalf("no link on %s in:\n%s", public, mail.Text)
		}
		token = m[1]
		if !strings.Contains(mail.Text, "Lê Thị Hồng") || !regexp.MustCompile(`hết hạn lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}`).MatchString(mail.Text) {
			t.Errorf("the mail lacks the name or the expiry:\n%s", mail.Text)
		}
	})

	t.Run("the mailed link sets the password and ends the sessions", func(t *testing.T) {
		resp, body := s.pwGet("/reset/"+token, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Lê Thị Hồng") {
			t.Fatalf("reset page: %d", resp.StatusCode)
		}
		resp, _ = s.pwPost("/reset/"+token, "", url.Values{"new_password": {"mat-khau-moi-1"}, "new_password_confirm": {"mat-khau-moi-1"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		if status, _ := s.call("GET", "/api/v1/me", oldSession, nil); status != http.StatusUnauthorized {
			t.Errorf("the session from before: %d, want 401", status)
		}
		s.login("hong.le@gmail.example", "mat-khau-moi-1")
	})

	t.Run("an address without an account, or a staff one, gets the same answer and no mail", func(t *testing.T) {
		for _, email := range []string{"ai-do@gmail.example", "to-chuc@so.gov.vn"} {
			var other map[string]any
			s.mustCall(http.StatusAccepted, "POST", "/api/v1/auth/forgot", "", map[string]string{"email": email}, &other)
			if len(other) != len(accepted) || other["status"] != accepted["status"] {
				t.Errorf("%s: %v, want the same answer as %v", email, other, accepted)
			}
		}
		sink.none(t)
	})

	t.Run("an address that is not one is told so", func(t *testing.T) {
		status, body := s.call("POST", "/api/v1/auth/forgot", "", map[string]string{"email": "khong phai email"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"email"`) {
			t.Errorf("got %d %s, want 422 on email", status, body)
		}
	})

	t.Run("an address is mailed at most three times an hour, counted alike with or without an account", func(t *testing.T) {
		for _, email := range []string{"hong.le@gmail.example", "khong-co@gmail.example"} {
			for i := 0; i < 3; i++ {
				if status, body := s.call("POST", "/api/v1/auth/forgot", "", map[string]string{"email": email}); status != http.StatusAccepted &&
					!(email == "hong.le@gmail.example" && i == 2) {
					t.Fatalf("%s request %d: %d %s", email, i+1, status, body)
				}
			}
			status, body := s.call("POST", "/api/v1/auth/forgot", "", map[string]string{"email": email})
			if status != http.StatusTooManyRequests || errorCode(t, body) != "rate_limited" {
				t.Errorf("%s, once more: %d %s, want 429 rate_limited", email, status, body)
			}
		}
		for i := 0; i < 2; i++ {
			sink.next(t)
		}
	})

	t.Run("the forgot page asks for the address and answers alike", func(t *testing.T) {
		resp, body := s.pwGet("/forgot", "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="forgot-form"`) || !strings.Contains(body, `id="forgot-call"`) {
			t.Errorf("forgot page: %d", resp.StatusCode)
		}
		resp, body = s.pwPost("/forgot", "", url.Values{"email": {"mot-nguoi-khac@gmail.example"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="forgot-sent"`) {
			t.Errorf("forgot form: %d", resp.StatusCode)
		}
	})

	t.Run("the login page leads there", func(t *testing.T) {
		_, body := s.pwGet("/login", "")
		if !strings.Contains(body, `href="/forgot"`) || !strings.Contains(body, "Quên mật khẩu?") {
			t.Error("no link to /forgot on the login page")
		}
	})

	t.Run("no link reaches the server's log", func(t *testing.T) {
		if log := s.stderr.String(); strings.Contains(log, token) || strings.Contains(log, "/reset/") {
			t.Errorf("the log holds a link:\n%s", log)
		}
	})
}

func TestResetByEmailNeedsAMailServer(t *testing.T) {
	s := startServer(t, nil)
	status, body := s.call("POST", "/api/v1/auth/forgot", "", map[string]string{"email": "ai@gmail.example"})
	if status != http.StatusNotFound || errorCode(t, body) != "reset_by_email_off" {
		t.Errorf("got %d %s, want 404 reset_by_email_off", status, body)
	}
	resp, page := s.pwGet("/forgot", "")
	if resp.StatusCode != http.StatusOK || strings.Contains(page, `id="forgot-form"`) || !strings.Contains(page, "gọi điện cho ban tổ chức") {
		t.Errorf("forgot page without mail: %d", resp.StatusCode)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a mail server without the site's address is refused", map[string]string{"HOITHI_SMTP_URL": "smtp://mail.example?from=a@b.vn"}, "needs HOITHI_PUBLIC_URL"},
		{"an SMTP URL's mistake is told without its password", map[string]string{"HOITHI_SMTP_URL": "smtp://u:bi-mat-lam@mail.example?form=a@b.vn",
			"HOITHI_PUBLIC_URL": "https://hoithi.example"}, "unknown parameter"},
		{"a site address that is not one is refused", map[string]string{"HOITHI_PUBLIC_URL": "hoithi.example/duong-dan"}, "HOITHI_PUBLIC_URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOITHI_DB": t.TempDir() + "/hoithi.db"}
			for k, v := range tt.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "bi-mat-lam") {
				t.Errorf("got %v, want an error saying %q and no password", err, tt.want)
			}
		})
	}
}
