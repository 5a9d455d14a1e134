// Package rows holds what both of hoithi's stores (SQLite in package store,
// PostgreSQL in store/postgres) write the same way, so that a database
// copied from one to the other holds the same kinds of values: the ids
// drawn for rows, and an attempt's questions as its row keeps them.
package rows

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"hoithi/quiz"
)

// Questions, options, attempts and users get random ids rather than
// counted ones. A counted id tells a contestant things they must not know:
// the order of a bank's options (banks are often written with the right
// answer first), or how many attempts and accounts were made between two of
// their own. Banks, contests, rounds and audit entries keep counted ids;
// they are no secret.

// MinRandomID and MaxRandomID bound random ids: every one has 15 digits, so
// that it is held exactly both by a JavaScript number (below 2^53) and by a
// spreadsheet cell (15 significant digits) when a CSV file carries it, and it
// can never equal an id counted from 1.
const (
	MinRandomID = 100_000_000_000_000
	MaxRandomID = 999_999_999_999_999
)

// NewID draws a random id in [MinRandomID, MaxRandomID], uniformly, from
// crypto/rand.
func NewID() int64 {
	const span = MaxRandomID - MinRandomID + 1 // 9×10^14, below 2^50
	for {
		var b [8]byte
		rand.Read(b[:]) // never fails: crypto/rand.Read crashes the program instead
		// 50 random bits; those at or above span are drawn again (one in
		// five), which keeps the draw uniform.
		if v := int64(binary.BigEndian.Uint64(b[:]) >> 14); v < span {
			return MinRandomID + v
		}
	}
}

// IDDraws bounds the draws for one row. With 9×10^14 ids to draw from, even a
// second draw is a once-in-a-lifetime event; eight clashes in a row mean
// something other than chance is wrong.
const IDDraws = 8

// AttemptEpoch is the start of the clock in attempt ids.
var AttemptEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// AttemptRandomBits is the random part of an attempt id.
const AttemptRandomBits = 20

// NewAttemptID draws an id for an attempt started at start: the second it
// started (counted from AttemptEpoch) above 20 random bits, offset to 15
// digits. The answer path writes the rows of the attempts under way, keyed
// by attempt id; ids of attempts started close together sit together in
// those tables, as counted ids did, instead of scattering every commit over
// the whole file. Such an id tells only when the attempt started, which its
// owner knows; it counts nothing, since a second holds a million ids.
// Attempts started before 2053 get 15-digit ids (see MinRandomID).
func NewAttemptID(start time.Time) int64 {
	second := max(int64(start.Sub(AttemptEpoch)/time.Second), 0)
	var b [4]byte
	rand.Read(b[:])
	random := int64(binary.BigEndian.Uint32(b[:]) >> (32 - AttemptRandomBits))
	return MinRandomID + (second<<AttemptRandomBits | random)
}

// EncodeQuestions writes an attempt's drawn questions as its row keeps
// them: the question ids in order as a JSON array, and the option orders
// as a JSON array of arrays in the same order. Built by hand: it runs once
// for every attempt started in a round's opening rush.
func EncodeQuestions(questions []quiz.DrawnQuestion) (ids, orders string) {
	idBuf := make([]byte, 0, 17*len(questions)+2)
	orderBuf := make([]byte, 0, 70*len(questions)+2)
	idBuf, orderBuf = append(idBuf, '['), append(orderBuf, '[')
	for i, q := range questions {
		if i > 0 {
			idBuf, orderBuf = append(idBuf, ','), append(orderBuf, ',')
		}
		idBuf = strconv.AppendInt(idBuf, q.QuestionID, 10)
		orderBuf = append(orderBuf, '[')
		for j, o := range q.OptionOrder {
			if j > 0 {
				orderBuf = append(orderBuf, ',')
			}
			orderBuf = strconv.AppendInt(orderBuf, o, 10)
		}
		orderBuf = append(orderBuf, ']')
	}
	return string(append(idBuf, ']')), string(append(orderBuf, ']'))
}

// DecodeQuestions reads what EncodeQuestions wrote.
func DecodeQuestions(ids, orders string) ([]quiz.DrawnQuestion, error) {
	qids, err := IDs(ids)
	if err != nil {
		return nil, fmt.Errorf("question ids: %w", err)
	}
	opts, err := IDLists(orders)
	if err != nil {
		return nil, fmt.Errorf("option orders: %w", err)
	}
	if len(opts) != len(qids) {
		return nil, fmt.Errorf("%d questions but %d option orders", len(qids), len(opts))
	}
	out := make([]quiz.DrawnQuestion, len(qids))
	for i := range qids {
		out[i] = quiz.DrawnQuestion{QuestionID: qids[i], OptionOrder: opts[i]}
	}
	return out, nil
}

// CopyRound gives each caller of a store's round cache its own quotas and
// prizes to change.
func CopyRound(r quiz.Round) quiz.Round {
	if len(r.TopicQuotas) == 0 {
		r.TopicQuotas = map[string]int{} // a clone would take the original's room
	} else {
		r.TopicQuotas = maps.Clone(r.TopicQuotas)
	}
	r.Prizes = slices.Clone(r.Prizes)
	r.UnitPrizes = slices.Clone(r.UnitPrizes)
	return r
}
