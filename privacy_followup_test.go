package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestDeletedAccountTokenAndNotice(t *testing.T) {
	s := startServer(t, nil)
	roundID := s.round(s.admin(), nil)
	token, _ := s.contestant("Lâm Văn Phúc")
	s.mustCall(204, "DELETE", "/api/v1/me", token, map[string]string{"password": "mat-khau-123"}, nil)
	if status, body := s.call("POST", fmt.Sprintf("/api/v1/rounds/%d/attempts", roundID), token, nil); status != 401 {
		t.Errorf("starting an attempt with a deleted account's token: %d %s, want 401", status, body)
	}
	if status, body, _ := s.page("GET", "/", token, nil, ""); status != 200 || strings.Contains(body, `id="nav-me"`) {
		t.Errorf("home page with a deleted account's cookie: %d, want an anonymous visitor", status)
	}
	status, body, _ := s.page("GET", "/?notice=privacy.deleted", "", nil, "")
	if status != 200 || !strings.Contains(body, "Tài khoản của bạn đã được xóa") {
		t.Errorf("home page notice: %d, want the deletion notice", status)
	}
}
