package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"
)

func TestForeignSiteCookieCountsAsAnonymous(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	roundID := s.round(admin, nil)
	var round struct {
		ContestID int64 `json:"contest_id"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), admin, nil, &round)
	s.mustCall(http.StatusOK, "POST", fmt.Sprintf("/api/v1/contests/%d/unpublish", round.ContestID), admin, nil, nil)
	board := fmt.Sprintf("/api/v1/rounds/%d/leaderboard", roundID)
	socket := fmt.Sprintf("/ws/rounds/%d/leaderboard", roundID)
	page := fmt.Sprintf("/rounds/%d/leaderboard", roundID)

	dial := func(header http.Header) int {
		c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+socket, header)
		if err == nil {
			c.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode
	}
	for _, tt := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"a staff cookie from another site does not open the unpublished board's socket",
			cookieHeader(admin, "https://evil.example"), http.StatusNotFound},
		{"a staff cookie from this site opens it", cookieHeader(admin, s.URL), http.StatusSwitchingProtocols},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := dial(tt.header); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	referer := func(from string) http.Header {
		h := cookieHeader(admin, "")
		h.Set("Referer", from)
		return h
	}
	navigation := referer("https://zalo.example/bai-viet")
	navigation.Set("Sec-Fetch-Mode", "navigate")
	navigation.Set("Sec-Fetch-Dest", "document")
	for _, tt := range []struct {
		name, path string
		header     http.Header
		want       int
	}{
		{"the HTTP board refuses a staff cookie from another site", board, cookieHeader(admin, "https://evil.example"), 404},
		{"the HTTP board refuses it with only a foreign Referer", board, referer("https://evil.example/trang"), 404},
		{"the HTTP board takes it from this site", board, cookieHeader(admin, s.URL), 200},
		{"the page refuses a staff cookie a foreign page fetched", page, referer("https://evil.example/trang"), 404},
		{"the page takes the browser's own navigation from a link elsewhere", page, navigation, 200},
		{"the API never counts a navigation as this site's", board, navigation, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if resp, _ := s.request("GET", tt.path, tt.header, ""); resp.StatusCode != tt.want {
				t.Errorf("got %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	t.Run("a form posted from another site with the cookie is still refused", func(t *testing.T) {
		h := referer("https://evil.example/trang")
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := s.request("POST", "/logout", h, ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("got %d, want 403", resp.StatusCode)
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/banks", admin, nil, nil)
	})
}
