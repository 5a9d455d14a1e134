package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestWebsocketsPerAddressAreCapped(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1", "HOITHI_WS_PER_ADDRESS": "3"})
	admin := s.admin()
	token, _ := s.contestant("Trần Thị Mạng")
	roundID := s.round(admin, nil)
	attemptID := s.start(token, roundID)
	board := fmt.Sprintf("/ws/rounds/%d/leaderboard", roundID)

	dial := func(path, client, bearer string) (*websocket.Conn, *http.Response, error) {
		header := http.Header{"X-Forwarded-For": {client}}
		if bearer != "" {
			header.Set("Authorization", "Bearer "+bearer)
		}
		c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+path, header)
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
		return c, resp, err
	}
	mustDial := func(path, client, bearer string) *websocket.Conn {
		t.Helper()
		c, resp, err := dial(path, client, bearer)
		if err != nil {
			t.Fatalf("dial %s from %s: %v (%v)", path, client, err, resp)
		}
		return c
	}
	refused := func(t *testing.T, client string) {
		t.Helper()
		_, resp, err := dial(board, client, "")
		if err == nil {
			t.Fatalf("a socket over the cap from %s was opened", client)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"rate_limited"`) {
			t.Errorf("got %d Retry-After=%q %s, want 429 rate_limited with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}

	office := "203.0.113.50"
	first := mustDial(board, office, "")
	mustDial(board, office, "")
	mustDial(fmt.Sprintf("/ws/attempts/%d", attemptID), office, token)
	t.Run("the fourth socket of any kind from one address is refused with 429", func(t *testing.T) {
		refused(t, office)
	})
	t.Run("another address is not refused", func(t *testing.T) {
		mustDial(board, "203.0.113.51", "")
	})
	t.Run("closing a socket frees its place", func(t *testing.T) {
		first.Close()
		var err error
		for range 200 { // the server notices the close shortly
			if _, _, err = dial(board, office, ""); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("no place after a socket closed: %v", err)
		}
		refused(t, office)
	})
	t.Run("IPv6 addresses are counted by their /64", func(t *testing.T) {
		for _, a := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"} {
			mustDial(board, a, "")
		}
		refused(t, "2001:db8:1:2::4")
		mustDial(board, "2001:db8:1:3::1", "")
	})
}

func TestWebsocketCapHoldsWithRateLimitsOff(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_RATE_LIMIT": "0", "HOITHI_WS_PER_ADDRESS": "1"})
	roundID := s.round(s.admin(), nil)
	board := fmt.Sprintf("/ws/rounds/%d/leaderboard", roundID)
	s.dial(board, "")
	if c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+board, nil); err == nil {
		c.Close()
		t.Error("a second socket was opened over a cap of 1")
	} else if resp == nil || resp.StatusCode != 429 {
		t.Errorf("second socket: %v, want 429", err)
	}
}
