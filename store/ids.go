package store

import (
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"hoithi/store/internal/rows"
)

// Ids follow the rules of package rows, shared with the PostgreSQL store.
// newID and newAttemptID are variables so that tests can make a draw clash.
const (
	minRandomID = rows.MinRandomID
	maxRandomID = rows.MaxRandomID
	idDraws     = rows.IDDraws
)

var (
	newID        = rows.NewID
	newAttemptID = rows.NewAttemptID
)

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
