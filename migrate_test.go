package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hoithi/store"
)

// freshPostgres makes an empty database on the PostgreSQL server
// HOITHI_TEST_POSTGRES names, dropped when the test ends, and returns its
// URL. Without that server the test is skipped, except in CI, where it
// fails.
func freshPostgres(t *testing.T) string {
	t.Helper()
	server := os.Getenv("HOITHI_TEST_POSTGRES")
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HOITHI_TEST_POSTGRES is not set; CI starts a PostgreSQL server for these tests (.ci/postgres.sh)")
		}
		t.Skip("no PostgreSQL: set HOITHI_TEST_POSTGRES to a server's URL (.ci/postgres.sh starts one)")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "hoithi_migrate_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), server)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestMigrateCopiesTheDatabaseIntoPostgreSQLAndChecksIt(t *testing.T) {
	to := freshPostgres(t)
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	s.closeRound(admin, roundID)
	s.mustCall(200, "POST", fmt.Sprintf("/api/v1/rounds/%d/lock", roundID), official, nil, nil)
	s.createLive(admin, 2, nil)
	db := s.DBPath
	s.Stop()

	t.Run("every table arrives and is checked", func(t *testing.T) {
		out, errOut, err := cli(t, db, "migrate", "-to", to)
		if err != nil {
			t.Fatalf("migrate: %v\n%s%s", err, out, errOut)
		}
		if !strings.Contains(out, "every row the same in both") || strings.Contains(out, "DIFFERS") {
			t.Errorf("migrate said:\n%s", out)
		}
		for _, table := range []string{"users", "attempts", "answers", "round_results", "audit_log", "live_games", "consents"} {
			if !strings.Contains(out, "  "+table+" ") {
				t.Errorf("no line for %s in:\n%s", table, out)
			}
		}
	})

	t.Run("rows and their values are those of SQLite", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, to)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var attempts, submitted, locked int
		conn.QueryRow(ctx, "SELECT count(*), count(submitted_at) FROM attempts").Scan(&attempts, &submitted)
		conn.QueryRow(ctx, "SELECT count(*) FROM rounds WHERE locked_at IS NOT NULL").Scan(&locked)
		if attempts != 6 || submitted != 6 || locked != 1 {
			t.Errorf("PostgreSQL holds %d attempts, %d submitted, %d rounds locked; want 6, 6, 1", attempts, submitted, locked)
		}
		var name string
		conn.QueryRow(ctx, "SELECT full_name FROM users WHERE full_name LIKE 'Trần%'").Scan(&name)
		if name != "Trần Thị Bình" {
			t.Errorf("name %q, want Trần Thị Bình as typed", name)
		}
	})

	t.Run("a new row takes an id after the copied ones", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, to)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var before, next int64
		conn.QueryRow(ctx, "SELECT max(id) FROM banks").Scan(&before)
		err = conn.QueryRow(ctx, "INSERT INTO banks (name, created_at) VALUES ('Ngân hàng mới', 0) RETURNING id").Scan(&next)
		if err != nil || next <= before {
			t.Errorf("new bank id %d (%v), want above the copied %d", next, err, before)
		}
	})

	t.Run("the check sees one changed value", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, to)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		src, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		tables, err := copyOrder(ctx, conn)
		if err == nil {
			tables, err = matchSQLite(ctx, src, tables)
		}
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(tables, func(t table) bool { return t.name == "answers" })
		before, _ := sumTable(ctx, pgRows(conn), tables[i])
		lite, _ := sumTable(ctx, sqliteRows(src), tables[i])
		if before != lite {
			t.Fatalf("answers sum %v in PostgreSQL, %v in SQLite, before any change", before, lite)
		}
		if _, err := conn.Exec(ctx, "UPDATE answers SET correct = NOT correct WHERE ctid = (SELECT ctid FROM answers LIMIT 1)"); err != nil {
			t.Fatal(err)
		}
		if after, _ := sumTable(ctx, pgRows(conn), tables[i]); after == lite {
			t.Error("one answer's mark changed and the sums still agree")
		}
	})

	t.Run("a database that holds data is refused, and nothing changes", func(t *testing.T) {
		_, _, err := cli(t, db, "migrate", "-to", to)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("second migrate: %v, want a refusal naming a database not empty", err)
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		for _, args := range [][]string{{"migrate"}, {"migrate", "-to", "/tmp/x.db"}, {"migrate", "-to", to, "extra"}} {
			if _, _, err := cli(t, db, args...); err == nil {
				t.Errorf("%q: no error", args)
			}
		}
	})
}

// Answers still in the SQLite file's journal belong to a server at work on
// it (opening the file moves them into answers): migrate refuses to copy
// then, and passes over the empty journal the open leaves.
func TestMigrateRefusesAnAnswerJournalInUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hoithi.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	src, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// Every table but the journal, as PostgreSQL has them.
	var tables []table
	names, err := src.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'answer_journal')`)
	if err != nil {
		t.Fatal(err)
	}
	for names.Next() {
		var name string
		if err := names.Scan(&name); err != nil {
			t.Fatal(err)
		}
		columns, err := sqliteColumns(ctx, src, name)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, table{name: name, columns: columns})
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	names.Close()

	if _, err := matchSQLite(ctx, src, slices.Clone(tables)); err != nil {
		t.Fatalf("an empty journal: %v, want the copy to go on", err)
	}
	if _, err := src.ExecContext(ctx, `INSERT INTO answer_journal (attempt_id, question_id, option_ids, correct, answered_at)
		VALUES (1, 1, '[1]', 1, 0)`); err != nil {
		t.Fatal(err)
	}
	_, err = matchSQLite(ctx, src, slices.Clone(tables))
	if err == nil || !strings.Contains(err.Error(), "answer journal holds 1 answers: is a server running on it?") {
		t.Errorf("a journal holding an answer: %v, want it refused", err)
	}
}
