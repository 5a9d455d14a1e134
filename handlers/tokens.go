package handlers

import (
	"crypto/sha256"
	"sync"
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
type verifiedTokens struct {
	mu   sync.Mutex
	seen map[[sha256.Size]byte]principal
}

const tokenCacheSize = 50_000

func (v *verifiedTokens) get(token string) (principal, [sha256.Size]byte, bool) {
	sum := sha256.Sum256([]byte(token))
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.seen[sum]
	return p, sum, ok
}

func (v *verifiedTokens) put(sum [sha256.Size]byte, p principal) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = make(map[[sha256.Size]byte]principal)
	}
	if len(v.seen) >= tokenCacheSize {
		for k := range v.seen { // map order is random
			delete(v.seen, k)
			break
		}
	}
	v.seen[sum] = p
}
