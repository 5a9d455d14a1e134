package handlers

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestAVerifiedTokenIsRememberedOnlyForWhatItSays(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	h := &Handler{Deps: Deps{JWTKey: []byte("a-signing-key-of-thirty-two-bytes!"), TokenTTL: time.Hour,
		Now: func() time.Time { return now }}}
	token, _, err := h.issueToken(quiz.User{ID: 42, Role: quiz.RoleContestant}, false)
	if err != nil {
		t.Fatal(err)
	}
	first, err := h.parseToken(token)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the second use is the first's principal, from memory", func(t *testing.T) {
		if _, _, ok := h.tokens.get(token); !ok {
			t.Fatal("the verified token was not remembered")
		}
		again, err := h.parseToken(token)
		if err != nil || *again != *first {
			t.Errorf("got %+v (%v), want %+v", again, err, first)
		}
		again.viaCookie = true // what a caller marks stays its own
		if third, _ := h.parseToken(token); third.viaCookie {
			t.Error("a caller's change reached the remembered principal")
		}
	})
	t.Run("a token altered in one character is checked, and refused", func(t *testing.T) {
		i := strings.LastIndexByte(token, '.') + 5 // in the signature
		other := "A"
		if token[i] == 'A' {
			other = "B"
		}
		altered := token[:i] + other + token[i+1:]
		if altered == token {
			t.Fatal("the test did not alter the token")
		}
		if _, err := h.parseToken(altered); err == nil {
			t.Error("an altered token was accepted")
		}
	})
	t.Run("a remembered token is refused once it expires", func(t *testing.T) {
		now = now.Add(time.Hour)
		if _, err := h.parseToken(token); err == nil {
			t.Error("an expired token was accepted from memory")
		}
	})
}

func TestTheRememberedTokensAreBounded(t *testing.T) {
	var v verifiedTokens
	for i := range tokenCacheSize + 100 {
		_, sum, _ := v.get(strconv.Itoa(i))
		v.put(sum, principal{UserID: int64(i)})
	}
	if n := len(v.seen); n != tokenCacheSize {
		t.Errorf("%d tokens remembered, want at most %d", n, tokenCacheSize)
	}
	if n := len(v.byUser); n != tokenCacheSize {
		t.Errorf("%d accounts indexed, want one for each of the %d tokens remembered", n, tokenCacheSize)
	}
	_, _, ok := v.get(strconv.Itoa(tokenCacheSize + 99))
	if !ok {
		t.Error("the newest token was not remembered")
	}
}

func TestAnIssuedTokenIsRememberedAsItsVerificationWouldSayIt(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 123_456_789, time.UTC) // the token keeps whole seconds
	h := &Handler{Deps: Deps{JWTKey: []byte("a-signing-key-of-thirty-two-bytes!"), TokenTTL: time.Hour,
		Now: func() time.Time { return now }}}
	for _, mustChange := range []bool{false, true} {
		u := quiz.User{ID: 42, Role: quiz.RoleOrganizer, SessionEpoch: 3}
		token, _, err := h.issueToken(u, mustChange)
		if err != nil {
			t.Fatal(err)
		}
		remembered, _, ok := h.tokens.get(token)
		if !ok {
			t.Fatalf("must change %v: the issued token is not remembered", mustChange)
		}
		verified, err := h.verifyToken(token)
		if err != nil {
			t.Fatal(err)
		}
		if remembered != *verified {
			t.Errorf("must change %v: remembered %+v, verification says %+v", mustChange, remembered, *verified)
		}
	}
}

func TestTheRememberedTokensOfEndedSessionsAreDropped(t *testing.T) {
	var v verifiedTokens
	remember := func(token string, userID, epoch int64) {
		_, sum, _ := v.get(token)
		v.put(sum, principal{UserID: userID, session: quiz.Session{ID: token, UserID: userID, Epoch: epoch}})
	}
	remembered := func() []string {
		var out []string
		for _, token := range []string{"an-phone", "an-laptop", "an-old", "binh"} {
			if _, _, ok := v.get(token); ok {
				out = append(out, token)
			}
		}
		return out
	}
	remember("an-phone", 1, 2)
	remember("an-laptop", 1, 2)
	remember("an-old", 1, 1)
	remember("binh", 2, 0)

	for _, step := range []struct {
		name string
		ev   quiz.Event
		want []string
	}{
		{"an event about rounds drops nothing", quiz.Event{Kind: quiz.RoundChanged, RoundID: 1},
			[]string{"an-phone", "an-laptop", "an-old", "binh"}},
		{"a logout drops its own token", quiz.RevokedSessions(quiz.SessionEnd{UserID: 1, TokenID: "an-laptop"}),
			[]string{"an-phone", "an-old", "binh"}},
		{"a new epoch drops the account's older tokens", quiz.RevokedSessions(quiz.SessionEnd{UserID: 1, Epoch: 2}),
			[]string{"an-phone", "binh"}},
		{"the same events heard again drop nothing more", quiz.RevokedSessions(quiz.SessionEnd{UserID: 1, Epoch: 2}),
			[]string{"an-phone", "binh"}},
		{"a deleted account's tokens all go", quiz.Event{Kind: quiz.AccountDeleted, UserID: 1},
			[]string{"binh"}},
	} {
		t.Run(step.name, func(t *testing.T) {
			v.hear(step.ev)
			if got := remembered(); !slices.Equal(got, step.want) {
				t.Errorf("remembered %q, want %q", got, step.want)
			}
		})
	}
	if len(v.byUser[1]) != 0 || len(v.seen) != 1 {
		t.Errorf("%d tokens of the deleted account and %d in all still indexed, want 0 and 1", len(v.byUser[1]), len(v.seen))
	}
}
