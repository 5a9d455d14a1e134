package postgres

import (
	"context"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// catalogStore is the PostgreSQL store with the catalog contract tests'
// hooks.
type catalogStore struct{ *DB }

// LockForTest marks the round locked as an official's lock does, and
// drops the cached rounds as a lock does. The lock with its winners list
// (LockRound) belongs to the results of this store.
func (s catalogStore) LockForTest(ctx context.Context, r quiz.Round, by int64) error {
	defer s.forgetRounds()
	_, err := s.w.Exec(ctx, "UPDATE rounds SET locked_at = $1, locked_by = $2 WHERE id = $3", ms(time.Now()), by, r.ID)
	return err
}

// EveryRankingVersion is the ranking counter of every round, as the
// triggers of the first migration keep it.
func (s catalogStore) EveryRankingVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRow(ctx, "SELECT version FROM ranking_versions WHERE round_id = 0").Scan(&v)
	return v, err
}

// TestCatalogContract runs the catalog contract tests on the PostgreSQL
// store, each test on a database of its own.
func TestCatalogContract(t *testing.T) {
	testServer(t)
	storetest.RunCatalog(t, func(t *testing.T) storetest.CatalogStore {
		db, _ := openTest(t, Options{})
		return catalogStore{db}
	})
}
