package quiz

import (
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// VietnameseCollator returns a collator that orders text as Vietnamese
// dictionaries do (a ă â b c d đ e ê …, tones after the letter). A collator
// is not safe for concurrent use: make one per sort.
func VietnameseCollator() *collate.Collator {
	return collate.New(language.Vietnamese)
}
