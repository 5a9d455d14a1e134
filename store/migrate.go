package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrations embed.FS

// codeMigration is a migration SQL cannot express (renumbering rows,
// normalizing text): a function run in the migration's transaction.
type codeMigration struct {
	name string
	run  func(ctx context.Context, tx *sql.Tx) error
}

// codeMigrations are numbered in the same sequence as the .sql files, each
// number used once by either.
var codeMigrations = map[int]codeMigration{}

// migration is one step, from a .sql file or from code.
type migration struct {
	version int
	name    string
	run     func(ctx context.Context, tx *sql.Tx) error
}

// allMigrations returns the embedded .sql files and the code migrations in
// version order.
func allMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	seen := map[int]string{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		seen[version] = base
		out = append(out, migration{version, base, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, string(body))
			return err
		}})
	}
	for version, m := range codeMigrations {
		if other, ok := seen[version]; ok {
			return nil, fmt.Errorf("migration %d: both %s and %s", version, other, m.name)
		}
		out = append(out, migration{version, m.name, m.run})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies, in order, each migration not applied yet, each in its
// own transaction, and records it. Two processes opening a new file at once
// are serialized by the immediate transaction.
func migrate(ctx context.Context, db *sql.DB) error { return migrateTo(ctx, db, math.MaxInt) }

// migrateTo applies the migrations up to version, for tests that upgrade a
// database made by an older hoithi.
func migrateTo(ctx context.Context, db *sql.DB, version int) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	all, err := allMigrations()
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.version > version {
			break
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var applied int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&applied); err != nil {
		return err
	}
	if applied > 0 {
		return nil
	}
	if err := m.run(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}
