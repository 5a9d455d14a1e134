package quiz

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Clean returns s in NFC with surrounding space trimmed and every run of
// inner white space collapsed to one space. Vietnamese text reaches hoithi in
// both NFC and NFD (macOS, some input methods), and two spellings of one name
// must store, compare and sort as one.
func Clean(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CleanText is Clean for multi-line text such as question explanations: it
// keeps line breaks, trims each line and drops the blank ones at both ends.
func CleanText(s string) string {
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// NormalizePhone turns a Vietnamese mobile number as people type it
// ("0912 345 678", "+84 912.345.678", "84912345678") into its ten-digit form
// starting with 0. ok is false when the result is not a mobile number.
func NormalizePhone(s string) (phone string, ok bool) {
	var digits strings.Builder
	plus := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && digits.Len() == 0 && !plus:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := digits.String()
	if strings.HasPrefix(d, "84") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) != 10 || d[0] != '0' || !strings.ContainsRune("35789", rune(d[1])) {
		return "", false
	}
	return d, true
}

// ValidIDNumber reports whether s is a 12-digit citizen identity (CCCD)
// number. The digits that encode birth province, sex and year are not checked
// against the rest of the form: people without a card of their own enter a
// relative's, and the rules accept that.
func ValidIDNumber(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskPhone keeps the last three digits of a phone number.
func MaskPhone(phone string) string {
	if len(phone) < 3 {
		return strings.Repeat("*", len(phone))
	}
	return strings.Repeat("*", len(phone)-3) + phone[len(phone)-3:]
}

// MaskIDNumber keeps the last three digits of an identity number.
func MaskIDNumber(id string) string { return MaskPhone(id) }

// nameLike reports whether s holds only letters, combining marks, spaces and
// the punctuation found in names (apostrophe, hyphen, dot).
func nameLike(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == ' ' || r == '\'' || r == '-' || r == '.' {
			continue
		}
		return false
	}
	return true
}

// Fold lowers s and strips its diacritics, đ included, so that a search
// for "thu tuc" finds "Thủ tục": people type without accents on phones and
// in a hurry.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Matches reports whether every word of query is in text, ignoring case
// and diacritics.
func Matches(text, query string) bool {
	folded := Fold(text)
	for _, word := range strings.Fields(Fold(query)) {
		if !strings.Contains(folded, word) {
			return false
		}
	}
	return true
}
