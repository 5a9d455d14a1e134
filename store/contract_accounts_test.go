package store_test

import (
	"path/filepath"
	"testing"

	"hoithi/store"
	"hoithi/store/storetest"
)

// TestAccountsContract runs the accounts contract tests on the SQLite
// store, each test on a new file.
func TestAccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) storetest.Accounts {
		db, err := store.Open(filepath.Join(t.TempDir(), "hoithi.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
