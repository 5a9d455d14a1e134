package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
	"hoithi/store/storetest"
)

// sqliteCatalog is the SQLite store with the catalog contract tests' hooks.
type sqliteCatalog struct{ *store.DB }

// LockForTest locks the round with no winners, as an official's lock does.
func (s sqliteCatalog) LockForTest(ctx context.Context, r quiz.Round, by int64) error {
	return s.LockRound(ctx, quiz.WinnerList{Round: r}, by,
		quiz.AuditEntry{At: time.Now(), UserID: by, Action: quiz.AuditLock, RoundID: r.ID})
}

// EveryRankingVersion is the store's ranking counter of every round.
func (s sqliteCatalog) EveryRankingVersion(ctx context.Context) (int64, error) {
	v, err := s.RankingVersion(ctx, 0)
	return v.All, err
}

// TestCatalogContract runs the catalog contract tests on the SQLite store,
// each test on a new file.
func TestCatalogContract(t *testing.T) {
	storetest.RunCatalog(t, func(t *testing.T) storetest.CatalogStore {
		db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return sqliteCatalog{db}
	})
}
