package store_test

import (
	"path/filepath"
	"testing"

	"hoithi/store"
	"hoithi/store/storetest"
)

// TestResultsContract runs the results contract tests on the SQLite store,
// each test on a new file.
func TestResultsContract(t *testing.T) {
	storetest.RunResults(t, func(t *testing.T) storetest.ResultsStore {
		commits := &storetest.CommitCounter{}
		db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{Observer: commits})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return sqliteStore{db, commits}
	})
}
