package postgres

import (
	"fmt"
	"time"

	"hoithi/store/internal/rows"
)

// Ids follow the rules of package rows, shared with the SQLite store, so
// that a database copied from SQLite and one started on PostgreSQL hold the
// same kinds of ids. newID and newAttemptID are variables so that tests can
// make a draw clash.
const (
	minRandomID = rows.MinRandomID
	maxRandomID = rows.MaxRandomID
	idDraws     = rows.IDDraws
)

var (
	newID        = rows.NewID
	newAttemptID = rows.NewAttemptID
)

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
