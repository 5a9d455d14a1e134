package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// received is what the test's mail server was told.
type received struct {
	tls      bool // the mail travelled encrypted
	authUser string
	from     string
	rcpt     string
	data     string
}

// serverMode is how the test's mail server behaves.
type serverMode struct {
	implicitTLS bool // TLS from the first byte (smtps)
	startTLS    bool // offers STARTTLS
	auth        bool // offers AUTH PLAIN
}

// mailServer runs a small SMTP server on a loopback port for one
// session, with a certificate of its own, and returns its address, the
// TLS settings that trust it and what it receives.
func mailServer(t *testing.T, mode serverMode) (string, *tls.Config, <-chan received) {
	t.Helper()
	cert, roots := selfSigned(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan received, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		var got received
		if mode.implicitTLS {
			conn = tls.Server(conn, serverTLS)
			got.tls = true
		}
		r, w := bufio.NewReader(conn), conn
		say := func(s string) { io.WriteString(w, s+"\r\n") }
		say("220 test ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			verb := strings.ToUpper(strings.Fields(line + " x")[0])
			switch verb {
			case "EHLO", "HELO":
				ext := []string{"250-test"}
				if mode.startTLS && !got.tls {
					ext = append(ext, "250-STARTTLS")
				}
				if mode.auth {
					ext = append(ext, "250-AUTH PLAIN")
				}
				ext = append(ext, "250 8BITMIME")
				for _, e := range ext {
					say(e)
				}
			case "STARTTLS":
				say("220 go ahead")
				tc := tls.Server(conn, serverTLS)
				if err := tc.Handshake(); err != nil {
					return
				}
				conn, got.tls = tc, true
				r, w = bufio.NewReader(tc), tc
			case "AUTH":
				fields := strings.Fields(line)
				raw, _ := base64.StdEncoding.DecodeString(fields[len(fields)-1])
				parts := strings.Split(string(raw), "\x00")
				if len(parts) == 3 && parts[2] == "mat-khau-thu" {
					got.authUser = parts[1]
					say("235 ok")
				} else {
					say("535 no")
				}
			case "MAIL":
				got.from = line
				say("250 ok")
			case "RCPT":
				got.rcpt = line
				say("250 ok")
			case "DATA":
				say("354 go on")
				var b strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					b.WriteString(l)
				}
				got.data = b.String()
				say("250 queued")
			case "QUIT":
				say("221 bye")
				out <- got
				return
			default:
				say("502 what")
			}
		}
	}()
	return ln.Addr().String(), &tls.Config{RootCAs: roots}, out
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test mail server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

var resetMail = quiz.Mail{To: "hoa@gmail.example", Subject: "Đặt lại mật khẩu tài khoản hội thi",
	Text: "Xin chào Nguyễn Thị Hoa,\n\n.Một dòng bắt đầu bằng dấu chấm.\nhttp://hoithi.example/reset/" + strings.Repeat("Ab_-", 11) + "\n"}

func send(t *testing.T, url string, trust *tls.Config) error {
	t.Helper()
	s, err := Parse(url)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	s.TLS = trust
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, resetMail)
}

func TestSendsThroughTheServer(t *testing.T) {
	t.Run("in clear to a server that offers nothing else, without a password", func(t *testing.T) {
		addr, _, got := mailServer(t, serverMode{})
		if err := send(t, "smtp://"+addr+"?from=hoithi@so.gov.vn", nil); err != nil {
			t.Fatal(err)
		}
		checkMail(t, <-got, false, "")
	})
	t.Run("upgrading with STARTTLS when the server offers it, then signing in", func(t *testing.T) {
		addr, trust, got := mailServer(t, serverMode{startTLS: true, auth: true})
		if err := send(t, "smtp://hoithi:mat-khau-thu@"+addr+"?from=hoithi@so.gov.vn", trust); err != nil {
			t.Fatal(err)
		}
		checkMail(t, <-got, true, "hoithi")
	})
	t.Run("with TLS from the first byte for smtps", func(t *testing.T) {
		addr, trust, got := mailServer(t, serverMode{implicitTLS: true, auth: true})
		if err := send(t, "smtps://hoithi:mat-khau-thu@"+addr+"?from=hoithi@so.gov.vn", trust); err != nil {
			t.Fatal(err)
		}
		checkMail(t, <-got, true, "hoithi")
	})
	t.Run("not at all when the STARTTLS certificate is not trusted", func(t *testing.T) {
		addr, _, got := mailServer(t, serverMode{startTLS: true})
		if err := send(t, "smtp://"+addr+"?from=hoithi@so.gov.vn", nil); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("got %v, want a STARTTLS error", err)
		}
		select {
		case r := <-got:
			t.Errorf("the server received %+v", r)
		case <-time.After(200 * time.Millisecond):
		}
	})
}

// checkMail reads the received mail as a mail reader would.
func checkMail(t *testing.T, r received, wantTLS bool, wantUser string) {
	t.Helper()
	if r.tls != wantTLS || r.authUser != wantUser {
		t.Errorf("tls %v, signed in as %q; want %v, %q", r.tls, r.authUser, wantTLS, wantUser)
	}
	if r.from != "MAIL FROM:<hoithi@so.gov.vn> BODY=8BITMIME" && r.from != "MAIL FROM:<hoithi@so.gov.vn>" {
		t.Errorf("envelope %q", r.from)
	}
	if r.rcpt != "RCPT TO:<hoa@gmail.example>" {
		t.Errorf("recipient %q", r.rcpt)
	}
	// The server saw the leading dot doubled; a reader undoes it.
	data := strings.ReplaceAll(r.data, "\r\n..", "\r\n.")
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("read the mail: %v\n%s", err, r.data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != resetMail.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, resetMail.Subject)
	}
	for _, h := range []string{"From", "To", "Date", "Message-ID"} {
		if msg.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != resetMail.Text {
		t.Errorf("body %q, want %q", got, resetMail.Text)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tt := range []struct {
		url, want string
	}{
		{"smtp://u:p%40ss@mail.so.gov.vn?from=hoithi@so.gov.vn", "smtp://u@mail.so.gov.vn:587 (from hoithi@so.gov.vn)"},
		{"smtps://mail.so.gov.vn?from=hoithi@so.gov.vn", "smtps://mail.so.gov.vn:465 (from hoithi@so.gov.vn)"},
		{"smtp://mail.so.gov.vn:2525?from=" + "H%E1%BB%99i%20thi%20%3Choithi@so.gov.vn%3E", "smtp://mail.so.gov.vn:2525 (from hoithi@so.gov.vn)"},
	} {
		s, err := Parse(tt.url)
		if err != nil || s.String() != tt.want {
			t.Errorf("%s: %v %v, want %s", tt.url, s, err, tt.want)
		}
	}
	if s, _ := Parse("smtp://u:p%40ss@mail.so.gov.vn?from=hoithi@so.gov.vn"); s.password != "p@ss" || strings.Contains(s.String(), "p@ss") {
		t.Errorf("password %q, shown as %s: want it decoded and never shown", s.password, s)
	}
	for _, bad := range []string{"", "http://mail?from=a@b.vn", "smtp://?from=a@b.vn", "smtp://mail.so.gov.vn",
		"smtp://mail.so.gov.vn?from=not-an-address", "smtp://mail.so.gov.vn?form=a@b.vn", "smtp://mail/x?from=a@b.vn"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
