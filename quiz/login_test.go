package quiz

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeLogin(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"writes a phone number as its ten digits", " +84 912.345.678 ", "0912345678"},
		{"lower-cases an e-mail", "An.Nguyen@Example.VN", "an.nguyen@example.vn"},
		{"composes an e-mail typed decomposed", norm.NFD.String("Nguyễn@xã.vn"), norm.NFC.String("nguyễn@xã.vn")},
		{"keeps what is neither", "  not a login ", "not a login"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NormalizeLogin(c.in); got != c.want {
				t.Errorf("NormalizeLogin(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
