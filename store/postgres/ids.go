package postgres

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"
)

// Ids follow the SQLite store's rules (store/ids.go), so that a database
// copied from SQLite and one started on PostgreSQL hold the same kinds of
// ids: questions, options, attempts and users get random 15-digit ids that
// count nothing; banks, contests, rounds and audit entries are counted.

// minRandomID and maxRandomID bound random ids: 15 digits, held exactly by
// a JavaScript number and by a spreadsheet cell, never equal to a counted id.
const (
	minRandomID = 100_000_000_000_000
	maxRandomID = 999_999_999_999_999
)

// newID draws a random id in [minRandomID, maxRandomID], uniformly, from
// crypto/rand. A variable so that tests can make a draw clash.
var newID = func() int64 {
	const span = maxRandomID - minRandomID + 1 // 9×10^14, below 2^50
	for {
		var b [8]byte
		rand.Read(b[:]) // never fails: crypto/rand.Read crashes the program instead
		// 50 random bits; those at or above span are drawn again.
		if v := int64(binary.BigEndian.Uint64(b[:]) >> 14); v < span {
			return minRandomID + v
		}
	}
}

// idDraws bounds the draws for one row: eight clashes in a row mean
// something other than chance is wrong.
const idDraws = 8

// attemptEpoch is the start of the clock in attempt ids.
var attemptEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// attemptRandomBits is the random part of an attempt id.
const attemptRandomBits = 20

// newAttemptID draws an id for an attempt started at start: the second it
// started (from attemptEpoch) above 20 random bits, offset to 15 digits, so
// that the rows of attempts under way sit together in the attempts and
// answers indexes. A variable so that tests can make a draw clash.
var newAttemptID = func(start time.Time) int64 {
	second := max(int64(start.Sub(attemptEpoch)/time.Second), 0)
	var b [4]byte
	rand.Read(b[:])
	random := int64(binary.BigEndian.Uint32(b[:]) >> (32 - attemptRandomBits))
	return minRandomID + (second<<attemptRandomBits | random)
}

// attemptIDCandidates draws idDraws ids for an attempt started at start,
// for a statement that stores the first one not taken: a start is one
// statement in a batch, which cannot draw again after it has been sent.
func attemptIDCandidates(start time.Time) []int64 {
	ids := make([]int64, idDraws)
	for i := range ids {
		ids[i] = newAttemptID(start)
	}
	return ids
}

// insertWithNewID runs insert with a fresh random id, which it must store
// as the new row's primary key with ON CONFLICT (id) DO NOTHING, reporting
// whether a row was stored; it draws again while the id is taken. (On
// PostgreSQL a failed statement ends its transaction, so a clash must not
// be an error.) It returns the id stored, or insert's first error.
func insertWithNewID(insert func(id int64) (stored bool, err error)) (int64, error) {
	for range idDraws {
		id := newID()
		stored, err := insert(id)
		if err != nil {
			return 0, err
		}
		if stored {
			return id, nil
		}
	}
	return 0, fmt.Errorf("no free id after %d random draws", idDraws)
}
