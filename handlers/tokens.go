package handlers

import (
	"crypto/sha256"
	"sync"

	"hoithi/quiz"
)

// verifiedTokens remembers the tokens whose signature and claims were
// checked, by their SHA-256, so that a contestant's next request and
// socket cost a hash and a map lookup instead of decoding the token's
// JSON and its HMAC again. Only tokens that passed are kept, each with
// what it says; its expiry is checked against the clock on every use,
// and whether its session ended is asked on every request as before.
// The signing key never changes while the server runs. At most
// tokenCacheSize tokens are kept: a new one then takes the place of one
// at random.
//
// The tokens of sessions that end, and of accounts deleted, are dropped
// when the domain announces it (hear): the cache never vouches for a
// session the domain has ended, even for a caller that did not ask.
type verifiedTokens struct {
	mu     sync.Mutex
	seen   map[tokenSum]principal
	byUser map[int64]map[tokenSum]struct{} // the same tokens, by account
}

type tokenSum = [sha256.Size]byte

const tokenCacheSize = 50_000

func (v *verifiedTokens) get(token string) (principal, tokenSum, bool) {
	sum := sha256.Sum256([]byte(token))
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.seen[sum]
	return p, sum, ok
}

func (v *verifiedTokens) put(sum tokenSum, p principal) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = make(map[tokenSum]principal)
		v.byUser = make(map[int64]map[tokenSum]struct{})
	}
	if _, ok := v.seen[sum]; !ok && len(v.seen) >= tokenCacheSize {
		for k := range v.seen { // map order is random
			v.drop(k)
			break
		}
	}
	v.seen[sum] = p
	if v.byUser[p.UserID] == nil {
		v.byUser[p.UserID] = make(map[tokenSum]struct{})
	}
	v.byUser[p.UserID][sum] = struct{}{}
}

// drop forgets one token. The caller holds v.mu.
func (v *verifiedTokens) drop(sum tokenSum) {
	p, ok := v.seen[sum]
	if !ok {
		return
	}
	delete(v.seen, sum)
	if mine := v.byUser[p.UserID]; mine != nil {
		delete(mine, sum)
		if len(mine) == 0 {
			delete(v.byUser, p.UserID)
		}
	}
}

// hear drops the tokens an event ends: a revoked session's (one token, or
// every token of the account below the new epoch), or every token of a
// deleted account. Hearing an event twice drops nothing more.
func (v *verifiedTokens) hear(ev quiz.Event) {
	var ends func(p principal) bool
	switch ev.Kind {
	case quiz.SessionRevoked:
		end := ev.SessionEnd()
		ends = func(p principal) bool {
			if end.TokenID != "" {
				return p.session.ID == end.TokenID
			}
			return p.session.Epoch < end.Epoch
		}
	case quiz.AccountDeleted:
		ends = func(principal) bool { return true }
	default:
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for sum := range v.byUser[ev.UserID] {
		if ends(v.seen[sum]) {
			v.drop(sum)
		}
	}
}
