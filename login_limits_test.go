package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// forwardedCall makes an API request as a client behind the trusted proxy
// at 127.0.0.1, and returns the answer.
func (s *testServer) forwardedCall(client, method, path, token string, body any) *http.Response {
	s.t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestRateLimitsComeBeforeTheBody(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1"})
	client := "203.0.113.40"
	for i := range 30 {
		login := map[string]string{"login": fmt.Sprintf("09000001%02d", i), "password": "sai-mat-khau"}
		if resp := s.forwardedCall(client, "POST", "/api/v1/auth/login", "", login); resp.StatusCode != 401 {
			t.Fatalf("failed login %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	t.Run("a limited address gets 429 before its large login is written", func(t *testing.T) {
		body := jsonOf(1<<20-1, `"login":"0900000200","password":"sai-mat-khau"`)
		header := http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {client}}
		a := s.sendUnfinished("POST", "/api/v1/auth/login", header, len(body), body[:64<<10])
		if a.status != 429 || a.code() != "rate_limited" || a.header.Get("Retry-After") == "" {
			t.Errorf("got %d Retry-After=%q %s, want 429 rate_limited with Retry-After", a.status, a.header.Get("Retry-After"), a.body)
		}
	})
	t.Run("a limited address gets the page with 429 before its login form is written", func(t *testing.T) {
		body := []byte("login=0900000200&password=" + strings.Repeat("a", 1<<19))
		header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"text/html"}, "X-Forwarded-For": {client}}
		a := s.sendUnfinished("POST", "/login", header, len(body), body[:64<<10])
		if a.status != 429 || a.header.Get("Retry-After") == "" {
			t.Errorf("got %d Retry-After=%q, want 429 with Retry-After", a.status, a.header.Get("Retry-After"))
		}
	})
}

func TestLoginsAreThrottledPerAccount(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1"})
	s.contestant("Nạn Nhân")
	victimPhone := fmt.Sprintf("09%08d", phoneSeq.Load()) // as contestant numbers them
	s.contestant("Người Khác")
	other := fmt.Sprintf("09%08d", phoneSeq.Load())

	addresses := []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5", "2001:db8:5::1"}
	guess := func(i int, login string) *http.Response {
		return s.forwardedCall(addresses[i%len(addresses)], "POST", "/api/v1/auth/login", "", map[string]string{"login": login, "password": fmt.Sprintf("doan-sai-%d", i)})
	}
	// The same account, written the ways people type it.
	spellings := []string{victimPhone, "+84" + victimPhone[1:], victimPhone[:4] + " " + victimPhone[4:7] + " " + victimPhone[7:]}
	for i := range 10 {
		if resp := guess(i, spellings[i%len(spellings)]); resp.StatusCode != 401 {
			t.Fatalf("guess %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	t.Run("the 11th guess at one account from six addresses gets 429", func(t *testing.T) {
		if resp := guess(10, victimPhone); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("got %d Retry-After=%q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("the right password then gets 429 too, from any address", func(t *testing.T) {
		resp := s.forwardedCall("192.0.2.99", "POST", "/api/v1/auth/login", "", map[string]string{"login": victimPhone, "password": "mat-khau-123"})
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("got %d Retry-After=%q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("another account is unaffected", func(t *testing.T) {
		resp := s.forwardedCall(addresses[0], "POST", "/api/v1/auth/login", "", map[string]string{"login": other, "password": "mat-khau-123"})
		if resp.StatusCode != 200 {
			t.Errorf("got %d, want 200", resp.StatusCode)
		}
	})
	t.Run("a login naming no account is throttled alike", func(t *testing.T) {
		for i := range 10 {
			if resp := guess(i, "khong-co@vi-du.vn"); resp.StatusCode != 401 {
				t.Fatalf("guess %d: %d, want 401", i+1, resp.StatusCode)
			}
		}
		if resp := guess(10, "KHONG-CO@vi-du.vn"); resp.StatusCode != 429 {
			t.Errorf("11th guess: %d, want 429 as for an account that exists", resp.StatusCode)
		}
	})
}

func TestLoginLimitsCanBeTurnedOffForLoadTests(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_RATE_LIMIT": "0"})
	for i := range 40 {
		if status, _ := s.call("POST", "/api/v1/auth/login", "", map[string]string{"login": "0900000000", "password": "sai-mat-khau"}); status != 401 {
			t.Fatalf("guess %d at one account from one address: %d, want 401 with the limits off", i+1, status)
		}
	}
}

// Each hash takes long enough (cost 10) that the flood is still queued when
// the other address arrives, also on a loaded machine.
func TestPasswordHashingTakesTurnsByAddress(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_TRUSTED_PROXIES": "127.0.0.1", "HOITHI_BCRYPT_COST": "10", "HOITHI_HASH_WORKERS": "2"})
	// Sixteen hashes of cost 10 on two workers take longer than the test
	// client's usual wait under the race detector on a slow machine.
	s.client.Timeout = 2 * time.Minute
	s.contestant("Người Làm Ngập")
	flooder := fmt.Sprintf("09%08d", phoneSeq.Load())
	s.contestant("Người Chờ")
	patient := fmt.Sprintf("09%08d", phoneSeq.Load())

	const flood = 16
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	login := func(client, phone, name string) {
		defer wg.Done()
		resp := s.forwardedCall(client, "POST", "/api/v1/auth/login", "", map[string]string{"login": phone, "password": "mat-khau-123"})
		mu.Lock()
		defer mu.Unlock()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d, want 200", name, resp.StatusCode)
		}
		order = append(order, name)
	}
	wg.Add(flood)
	for i := range flood {
		go login("198.51.100.60", flooder, fmt.Sprintf("flood %d", i+1))
	}
	// Once the first of the flood is through, the rest is queued or running.
	for {
		mu.Lock()
		n := len(order)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	wg.Add(1)
	login("198.51.100.61", patient, "patient")
	wg.Wait()
	after := len(order) - 1 - slices.Index(order, "patient")
	if after < flood/2 {
		t.Errorf("completion order %v: the other address's login finished after %d of the flood's %d; want before most of them",
			order, flood-after, flood)
	}
}
