package quiz

import (
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// VietnameseCollator returns a collator that orders text as Vietnamese
// dictionaries do (a ă â b c d đ e ê …, tones after the letter). A collator
// is not safe for concurrent use: make one per sort.
func VietnameseCollator() *collate.Collator {
	return collate.New(language.Vietnamese)
}

// NameOrder compares two full names as Vietnamese lists order people: by
// the given name (the last word) first, then by the whole name from the
// family name on.
type NameOrder struct{ c *collate.Collator }

// NewNameOrder returns a NameOrder; like a collator, one per sort.
func NewNameOrder() NameOrder { return NameOrder{VietnameseCollator()} }

// Compare returns a negative number when a comes before b.
func (o NameOrder) Compare(a, b string) int {
	if c := o.c.CompareString(givenName(a), givenName(b)); c != 0 {
		return c
	}
	return o.c.CompareString(a, b)
}

func givenName(full string) string {
	full = strings.TrimSpace(full)
	if i := strings.LastIndexByte(full, ' '); i >= 0 {
		return full[i+1:]
	}
	return full
}
