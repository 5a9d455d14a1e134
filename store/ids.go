package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Questions, options, attempts and users get random ids rather than
// counted ones. A counted id tells a contestant things they must not know:
// the order of a bank's options (banks are often written with the right
// answer first), or how many attempts and accounts were made between two of
// their own. Banks, contests, rounds and audit entries keep counted ids;
// they are no secret.

// minRandomID and maxRandomID bound random ids: every one has 15 digits, so
// that it is held exactly both by a JavaScript number (below 2^53) and by a
// spreadsheet cell (15 significant digits) when a CSV file carries it, and it
// can never equal an id counted from 1.
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
		// 50 random bits; those at or above span are drawn again (one in
		// five), which keeps the draw uniform.
		if v := int64(binary.BigEndian.Uint64(b[:]) >> 14); v < span {
			return minRandomID + v
		}
	}
}

// idDraws bounds the draws for one row. With 9×10^14 ids to draw from, even a
// second draw is a once-in-a-lifetime event; eight clashes in a row mean
// something other than chance is wrong.
const idDraws = 8

// attemptEpoch is the start of the clock in attempt ids.
var attemptEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// attemptRandomBits is the random part of an attempt id.
const attemptRandomBits = 20

// newAttemptID draws an id for an attempt started at start: the second it
// started (counted from attemptEpoch) above 20 random bits, offset to 15
// digits. The answer path writes the rows of the attempts under way, keyed
// by attempt id; ids of attempts started close together sit together in
// those tables, as counted ids did, instead of scattering every commit over
// the whole file. Such an id tells only when the attempt started, which its
// owner knows; it counts nothing, since a second holds a million ids.
// Attempts started before 2053 get 15-digit ids (see minRandomID).
// A variable so that tests can make a draw clash.
var newAttemptID = func(start time.Time) int64 {
	second := max(int64(start.Sub(attemptEpoch)/time.Second), 0)
	var b [4]byte
	rand.Read(b[:])
	random := int64(binary.BigEndian.Uint32(b[:]) >> (32 - attemptRandomBits))
	return minRandomID + (second<<attemptRandomBits | random)
}

// insertWithNewID runs insert with a fresh random id, which it must store
// as the new row's primary key, and draws again while that id is taken.
// It returns the id stored, or insert's first error that is not a clash.
func insertWithNewID(insert func(id int64) error) (int64, error) {
	return insertWithID(newID, insert)
}

// insertWithID is insertWithNewID with ids from draw.
func insertWithID(draw func() int64, insert func(id int64) error) (int64, error) {
	for range idDraws {
		id := draw()
		err := insert(id)
		if isPrimaryKeyClash(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return id, nil
	}
	return 0, fmt.Errorf("no free id after %d random draws", idDraws)
}

// isPrimaryKeyClash reports whether err is a violation of a table's primary
// key (an INTEGER PRIMARY KEY included), as opposed to another UNIQUE
// constraint.
func isPrimaryKeyClash(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}
