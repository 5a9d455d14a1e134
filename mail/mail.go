// Package mail sends hoithi's mail (the reset links people ask for)
// through the SMTP server an installation names in HOITHI_SMTP_URL. Nothing
// is sent when none is named: hoithi calls out to no other service.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"hoithi/quiz"
)

// SMTP sends mail through one server. With smtp:// it upgrades the
// connection with STARTTLS whenever the server offers it, and never sends
// a password over a connection that is not encrypted (except to this
// machine); smtps:// speaks TLS from the first byte.
type SMTP struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	user        string
	password    string
	from        netmail.Address
	// TLS, when set, replaces the system's roots and the server name
	// check's defaults (tests give their own authority).
	TLS *tls.Config
	now func() time.Time
}

// Parse reads an SMTP URL: smtp://[user:password@]host[:port]?from=ADDRESS
// (port 587 by default) or smtps://… (port 465 by default). The password
// is percent-encoded where it has reserved characters. from is the
// sender, optionally with a display name ("Hội thi <hoithi@so.gov.vn>").
func Parse(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL like smtp://user:password@host:587?from=hoithi@example.vn")
	}
	s := &SMTP{now: time.Now}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port, s.implicitTLS = "465", true
	default:
		return nil, fmt.Errorf("scheme %q: want smtp or smtps", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("no server: want smtp://host:port?from=…")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("unexpected path %q", u.Path)
	}
	q := u.Query()
	for key := range q {
		if key != "from" {
			return nil, fmt.Errorf("unknown parameter %q: the only one is from", key)
		}
	}
	from, err := netmail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, errors.New("from=ADDRESS is required: the sender's address, like ?from=hoithi@so.gov.vn")
	}
	s.from = *from
	return s, nil
}

// String names the server and sender without the password, for logs.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.implicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.user != "" {
		user = s.user + "@"
	}
	return fmt.Sprintf("%s://%s%s (from %s)", scheme, user, s.addr, s.from.Address)
}

// Send delivers m, within ctx's deadline.
func (s *SMTP) Send(ctx context.Context, m quiz.Mail) error {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail: recipient: %w", err)
	}
	msg, err := s.message(to.Address, m)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	tlsConfig := s.tlsConfig()
	if s.implicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("mail: TLS with %s: %w", s.addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("mail: %s: %w", s.addr, err)
	}
	defer c.Close()
	encrypted := s.implicitTLS
	if ok, _ := c.Extension("STARTTLS"); ok && !encrypted {
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("mail: STARTTLS with %s: %w", s.addr, err)
		}
		encrypted = true
	}
	if s.user != "" {
		if !encrypted && !loopback(s.host) {
			return fmt.Errorf("mail: %s offers no STARTTLS: the password is not sent in clear (use smtps:// or a server with STARTTLS)", s.addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.password, s.host)); err != nil {
			return fmt.Errorf("mail: sign in to %s: %w", s.addr, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return c.Quit()
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.TLS != nil {
		c := s.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = s.host
		}
		return c
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// message writes m as a plain-text UTF-8 mail, quoted-printable, with the
// headers a mail server expects. Subject and names are encoded per RFC
// 2047; no header takes a line break from the text.
func (s *SMTP) message(to string, m quiz.Mail) ([]byte, error) {
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(name, value string) {
		value = strings.NewReplacer("\r", " ", "\n", " ").Replace(value)
		fmt.Fprintf(&b, "%s: %s\r\n", name, value)
	}
	header("From", s.from.String())
	header("To", (&netmail.Address{Address: to}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
