package messages

import (
	"fmt"
	"testing"
)

func TestPluralPicksTheWordsOfEachCount(t *testing.T) {
	for _, tt := range []struct {
		format string
		args   []any
		want   string
	}{
		{"%d valid {question|questions}", []any{1}, "1 valid question"},
		{"%d valid {question|questions}", []any{2}, "2 valid questions"},
		{"%d valid {question|questions}", []any{0}, "0 valid questions"},
		{"%d {question|questions}, %d {duplicate|duplicates}, %d {error|errors}", []any{2, 1, 0}, "2 questions, 1 duplicate, 0 errors"},
		{"%s: %s {contestant|contestants}", []any{"Hà Nội", "1"}, "Hà Nội: 1 contestant"},
		{"%s: %s {contestant|contestants}", []any{"1", "1,234"}, "1: 1,234 contestants"},
		{"%d prize {winner needs|winners need} a look", []any{1}, "1 prize winner needs a look"},
		{"%d prize {winner needs|winners need} a look", []any{3}, "3 prize winners need a look"},
		{"%[2]d of %[1]d {row|rows}", []any{1, 5}, "5 of 1 row"},
		{"100%% of %d {row|rows}", []any{1}, "100% of 1 row"},
		{"{a|b} before the count %d", []any{1}, "b before the count 1"},
		{"no group {here}: %d", []any{1}, "no group {here}: 1"},
	} {
		if got := fmt.Sprintf(plural(tt.format, tt.args), tt.args...); got != tt.want {
			t.Errorf("plural(%q, %v) = %q, want %q", tt.format, tt.args, got, tt.want)
		}
	}
}
