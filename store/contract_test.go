package store_test

import (
	"path/filepath"
	"testing"

	"hoithi/store"
	"hoithi/store/storetest"
)

// sqliteStore is the SQLite store with the count of its writer's commits.
type sqliteStore struct {
	*store.DB
	*storetest.CommitCounter
}

// TestContract runs the stores' contract tests on the SQLite store, each
// test on a new file.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		commits := &storetest.CommitCounter{}
		db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{Observer: commits})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return sqliteStore{db, commits}
	})
}
