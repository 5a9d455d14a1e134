package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Questions, options, attempts and users get random ids rather than
// counted ones. A counted id tells a contestant things they must not know:
// the order of a bank's options (banks are often written with the right
// answer first), or how many attempts and accounts were made between two of
// their own. Banks, contests, rounds and audit entries keep counted ids;
// they are no secret.

// minRandomID and maxRandomID bound random ids: every one has 16 digits, is
// held exactly by a JavaScript number (below 2^53), and can never equal an
// id counted from 1.
const (
	minRandomID = 1 << 52
	maxRandomID = 1<<53 - 1
)

// newID draws a random id in [minRandomID, maxRandomID] from crypto/rand.
// A variable so that tests can make a draw clash.
var newID = func() int64 {
	var b [8]byte
	rand.Read(b[:]) // never fails: crypto/rand.Read crashes the program instead
	return minRandomID | int64(binary.BigEndian.Uint64(b[:])>>12)
}

// idDraws bounds the draws for one row. With 2^52 ids to draw from, even a
// second draw is a once-in-a-lifetime event; eight clashes in a row mean
// something other than chance is wrong.
const idDraws = 8

// insertWithNewID runs insert with a fresh random id, which it must store
// as the new row's primary key, and draws again while that id is taken.
// It returns the id stored, or insert's first error that is not a clash.
func insertWithNewID(insert func(id int64) error) (int64, error) {
	for range idDraws {
		id := newID()
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
