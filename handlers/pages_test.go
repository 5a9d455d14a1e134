package handlers

import "testing"

func TestSafeNextKeepsOnlyLocalPaths(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/contests/hoi-thi?x=1#top", "/contests/hoi-thi?x=1#top"},
		{"/me", "/me"},
		{"/organize/banks/3?q=Nguy%E1%BB%85n", "/organize/banks/3?q=Nguy%E1%BB%85n"},
		{"", "/"},
		{"me", "/"},
		{"//evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r/evil.example/", "/"},
		{"/ /evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\\/evil.example/", "/"},
		{"/x\\y", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00", "/"},
		{"/\x7f", "/"},
		{"/Nguyễn", "/"},
		{"/\u3000/evil.example", "/"},
	} {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}
