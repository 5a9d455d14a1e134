package quiz

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestClean(t *testing.T) {
	nfd := norm.NFD.String("Nguyễn Thị Thủy")
	tests := []struct {
		name, in, want string
	}{
		{"turns NFD into NFC", nfd, "Nguyễn Thị Thủy"},
		{"trims and collapses white space", "  Trần \t Văn\u00a0 An \n", "Trần Văn An"},
		{"keeps an empty string empty", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("Clean(%q) is not NFC", tt.in)
			}
		})
	}
	if nfd == "Nguyễn Thị Thủy" {
		t.Fatal("the NFD fixture is already NFC; the test proves nothing")
	}
}

func TestCleanTextKeepsLines(t *testing.T) {
	got := CleanText("\r\n  Dòng  một \r\nDòng hai  \n\n")
	if want := "Dòng một\nDòng hai"; got != want {
		t.Errorf("CleanText = %q, want %q", got, want)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0912345678", "0912345678", true},
		{"0912 345 678", "0912345678", true},
		{"+84 912.345.678", "0912345678", true},
		{"84912345678", "0912345678", true},
		{"(+84) 35-123-4567", "0351234567", true},
		{"091234567", "", false},   // 9 digits
		{"09123456789", "", false}, // 11 digits
		{"0212345678", "", false},  // not a mobile prefix
		{"1912345678", "", false},  // no leading 0
		{"09l2345678", "", false},  // a letter
		{"0912+345678", "", false}, // + inside
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidIDNumber(t *testing.T) {
	for in, want := range map[string]bool{
		"001203012345":  true,
		"00120301234":   false,
		"0012030123456": false,
		"00120301234a":  false,
		"":              false,
	} {
		if got := ValidIDNumber(in); got != want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMasks(t *testing.T) {
	if got := MaskPhone("0912345678"); got != "*******678" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskIDNumber("001203012345"); got != "*********345" {
		t.Errorf("MaskIDNumber = %q", got)
	}
}

func TestSearchIgnoresDiacritics(t *testing.T) {
	for _, tt := range []struct {
		text, query string
		want        bool
	}{
		{"Thủ tục hành chính trên môi trường điện tử", "thu tuc", true},
		{"Thủ tục hành chính", "THỦ TỤC", true},
		{"Đăng ký khai sinh", "dang ky", true},
		{norm.NFD.String("Luật Giao dịch điện tử"), "giao dich", true},
		{"Luật Giao dịch điện tử", "dien tu giao", true},
		{"Luật An ninh mạng", "giao dich", false},
		{"Thủ tục", "", true},
	} {
		if got := Matches(tt.text, tt.query); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.text, tt.query, got, tt.want)
		}
	}
}
