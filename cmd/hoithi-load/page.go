package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// pageConn is a contestant's own connection to the server, opened before
// the round opens, as the browser of someone waiting on the round's page
// holds one (hoithi keeps an idle connection two minutes): their start
// then goes on it, with no connection to open in the rush. It speaks
// plain HTTP/1.1 itself, so that thousands of contestants starting in
// the same instant cost the load tool a write and a read each and the
// starts reach the server as fast as they are made.
type pageConn struct {
	conn net.Conn
	r    *bufio.Reader
	host string
}

// openPage connects and loads the round as its page does, signed in.
func (c *client) openPage(token string, roundID int64) (*pageConn, error) {
	u, err := url.Parse(c.base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("round page: %s: only http:// is spoken here", c.base)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 30*time.Second)
	if err != nil {
		return nil, err
	}
	pc := &pageConn{conn: conn, r: bufio.NewReaderSize(conn, 2048), host: u.Host}
	if _, err := pc.do("GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), token); err != nil {
		conn.Close()
		return nil, err
	}
	return pc, nil
}

// start starts an attempt at the round, as the page's button does.
func (pc *pageConn) start(token string, roundID int64) (int64, error) {
	body, err := pc.do("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token)
	if err != nil {
		return 0, err
	}
	var out struct {
		AttemptID int64 `json:"attempt_id"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return 0, fmt.Errorf("start: %w", err)
	}
	return out.AttemptID, nil
}

func (pc *pageConn) close() { pc.conn.Close() }

// do sends one request with no body and reads its answer.
func (pc *pageConn) do(method, path, token string) ([]byte, error) {
	if err := pc.conn.SetDeadline(time.Now().Add(60 * time.Second)); err != nil {
		return nil, err
	}
	req := method + " " + path + " HTTP/1.1\r\nHost: " + pc.host +
		"\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n"
	if _, err := io.WriteString(pc.conn, req); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(pc.r, nil)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	return body, nil
}

// attemptPage loads an attempt's page, signed in, as a browser does: on
// the round page's connection when there is one (nil: over the client's
// pooled connections), read whole. The page is the quiz while the attempt
// runs and its result after; wantQuiz says which is expected, and the
// other counts as a failure.
func attemptPage(c *client, pc *pageConn, token string, attemptID int64, wantQuiz bool) error {
	path := fmt.Sprintf("/attempts/%d", attemptID)
	var body []byte
	var err error
	if pc != nil {
		body, err = pc.do("GET", path, token)
	} else {
		body, err = c.do("GET", path, token, nil)
	}
	if err != nil {
		return err
	}
	switch isQuiz := bytes.Contains(body, []byte(`id="quiz"`)); {
	case wantQuiz && !isQuiz:
		return fmt.Errorf("GET %s: not the quiz", path)
	case !wantQuiz && isQuiz:
		return fmt.Errorf("GET %s: still the quiz, not its result", path)
	}
	return nil
}
