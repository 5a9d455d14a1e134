package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"hoithi/store/storetest"
)

// testServer returns the URL of the PostgreSQL server the tests use,
// HOITHI_TEST_POSTGRES. Without one the tests skip, except in CI, where a
// missing server is a failure: CI starts one (.ci/postgres.sh).
func testServer(t testing.TB) string {
	t.Helper()
	server := os.Getenv("HOITHI_TEST_POSTGRES")
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HOITHI_TEST_POSTGRES is not set: CI must run the PostgreSQL store's tests (.ci/postgres.sh starts a server)")
		}
		t.Skip("HOITHI_TEST_POSTGRES is not set: the PostgreSQL store's tests need a server, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable")
	}
	return server
}

// freshDatabase creates a database with a random name on the test server,
// dropped when the test ends, and returns its URL.
func freshDatabase(t testing.TB) string {
	t.Helper()
	server := testServer(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "hoithi_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("HOITHI_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// openTest opens the store on a fresh database, closed when the test ends.
func openTest(t testing.TB, opts Options) (*DB, string) {
	t.Helper()
	dbURL := freshDatabase(t)
	db, err := Open(context.Background(), dbURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dbURL
}

// counted is the store with the count of its writer's commits.
type counted struct {
	*DB
	*storetest.CommitCounter
}

// TestContract runs the stores' contract tests on the PostgreSQL store,
// each test on a database of its own.
func TestContract(t *testing.T) {
	testServer(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		commits := &storetest.CommitCounter{}
		db, _ := openTest(t, Options{Observer: commits})
		return counted{db, commits}
	})
}
