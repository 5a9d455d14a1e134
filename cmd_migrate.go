package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"hoithi/store"
	"hoithi/store/postgres"
)

// migrateCommand copies an SQLite database into an empty PostgreSQL one,
// for an installation that outgrows one machine, and checks the copy.
func migrateCommand(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the PostgreSQL database to copy into, postgres://… (required; it must hold no data yet)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: hoithi migrate -to postgres://USER@HOST/DB

Copies the SQLite database HOITHI_DB into an empty PostgreSQL database, in
one transaction, then checks the copy: every table's row count and a
checksum of its rows, read back from both. Stop the server first: what it
writes during the copy would not be copied. The SQLite file keeps its data
(opening it moves the answers left in its answer journal into answers).

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("migrate: unexpected argument %q", fs.Arg(0))
	}
	if !isPostgres(*to) {
		fs.Usage()
		return errors.New("migrate: -to must name a PostgreSQL database, postgres://…")
	}
	if isPostgres(cfg.dbPath) {
		return errors.New("migrate: HOITHI_DB must name the SQLite file to copy from")
	}
	if _, err := os.Stat(cfg.dbPath); err != nil {
		return fmt.Errorf("migrate: database %s: %w", cfg.dbPath, err)
	}
	// Opening each store brings its schema to this version of hoithi.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	lite, err := store.Open(cfg.dbPath, store.Options{Log: log})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	lite.Close()
	pg, err := postgres.Open(ctx, *to, postgres.Options{Log: log})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	pg.Close()

	src, err := sql.Open("sqlite3", "file:"+cfg.dbPath+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := pgx.Connect(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer dst.Close(context.Background())

	tables, err := copyOrder(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if tables, err = matchSQLite(ctx, src, tables); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := copyAll(ctx, src, dst, tables); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(stdout, "copied %s into %s; checking\n", cfg.dbPath, redactURL(*to))
	bad := 0
	for _, t := range tables {
		a, err := sumTable(ctx, sqliteRows(src), t)
		if err != nil {
			return fmt.Errorf("migrate: check %s in SQLite: %w", t.name, err)
		}
		b, err := sumTable(ctx, pgRows(dst), t)
		if err != nil {
			return fmt.Errorf("migrate: check %s in PostgreSQL: %w", t.name, err)
		}
		mark := "ok"
		if a != b {
			mark, bad = "DIFFERS", bad+1
		}
		fmt.Fprintf(stdout, "  %-22s %8d rows  %s  %s\n", t.name, a.rows, a.sum[:16], mark)
	}
	if bad > 0 {
		return fmt.Errorf("migrate: %d tables differ after the copy", bad)
	}
	fmt.Fprintf(stdout, "%d tables, every row the same in both\n", len(tables))
	return nil
}

// table is a table both databases hold, with the columns both have, its
// key's columns (the order rows are summed in) and PostgreSQL's type of
// each column.
type table struct {
	name     string
	columns  []string
	key      []string
	types    map[string]string
	identity []string // columns whose values PostgreSQL counts on from
}

// seeded are rows the PostgreSQL migrations insert that the SQLite
// database holds as well: they are replaced by the copied ones.
var seeded = []string{"consent_texts", "ranking_versions"}

// copyOrder lists the tables of the PostgreSQL schema, those a table's
// foreign keys point to before it, with their columns and keys.
func copyOrder(ctx context.Context, dst *pgx.Conn) ([]table, error) {
	rows, err := dst.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_identity = 'YES'
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_migrations'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*table{}
	var names []string
	for rows.Next() {
		var name, column, typ string
		var identity bool
		if err := rows.Scan(&name, &column, &typ, &identity); err != nil {
			return nil, err
		}
		t := byName[name]
		if t == nil {
			t = &table{name: name, types: map[string]string{}}
			byName[name] = t
			names = append(names, name)
		}
		t.columns = append(t.columns, column)
		t.types[column] = typ
		if identity {
			t.identity = append(t.identity, column)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	keys, err := dst.Query(ctx, `SELECT tc.table_name, k.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
		WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
		ORDER BY tc.table_name, k.ordinal_position`)
	if err != nil {
		return nil, err
	}
	for keys.Next() {
		var name, column string
		if err := keys.Scan(&name, &column); err != nil {
			return nil, err
		}
		if t := byName[name]; t != nil {
			t.key = append(t.key, column)
		}
	}
	if err := keys.Err(); err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	fks, err := dst.Query(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	for fks.Next() {
		var from, to string
		if err := fks.Scan(&from, &to); err != nil {
			return nil, err
		}
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	if err := fks.Err(); err != nil {
		return nil, err
	}
	var order []table
	placed := map[string]bool{}
	var place func(name string, path []string) error
	place = func(name string, path []string) error {
		if placed[name] {
			return nil
		}
		if slices.Contains(path, name) {
			return fmt.Errorf("foreign keys go round: %s", strings.Join(append(path, name), " → "))
		}
		for _, d := range deps[name] {
			if err := place(d, append(path, name)); err != nil {
				return err
			}
		}
		placed[name] = true
		t := byName[name]
		if len(t.key) == 0 {
			t.key = t.columns
		}
		order = append(order, *t)
		return nil
	}
	for _, name := range names {
		if err := place(name, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyAll copies every table's rows in one transaction. The PostgreSQL
// database must hold no rows but those its migrations seed; its triggers
// (which count changes to rankings) stay off during the copy, as the
// counts are copied too; identity columns go on from the largest id
// copied.
func copyAll(ctx context.Context, src *sql.DB, dst *pgx.Conn, tables []table) error {
	tx, err := dst.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, t := range tables {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.name}.Sanitize()).Scan(&n); err != nil {
			return err
		}
		if n > 0 && !slices.Contains(seeded, t.name) {
			return fmt.Errorf("the PostgreSQL database is not empty: %s has %d rows", t.name, n)
		}
	}
	for _, t := range slices.Backward(tables) {
		if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{t.name}.Sanitize()); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := copyTable(ctx, src, tx, t); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return tx.Commit(ctx)
}

func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, t table) error {
	name := pgx.Identifier{t.name}.Sanitize()
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" DISABLE TRIGGER USER"); err != nil {
		return err
	}
	var batch [][]any
	err := sqliteRows(src)(ctx, "SELECT "+quoteAll(t.columns)+" FROM "+quoteIdent(t.name), func(values []any) {
		for i, c := range t.columns {
			values[i] = toPostgres(values[i], t.types[c])
		}
		batch = append(batch, values)
	})
	if err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(batch)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" ENABLE TRIGGER USER"); err != nil {
		return err
	}
	// An identity column goes on after the largest id copied.
	for _, c := range t.identity {
		_, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(%s), 0) + 1, false) FROM %s",
			pgx.Identifier{c}.Sanitize(), name), t.name, c)
		if err != nil {
			return err
		}
	}
	return nil
}

// matchSQLite keeps, of each PostgreSQL table, the columns the SQLite
// database has, and refuses a copy that would leave SQLite data behind: a
// table or a column PostgreSQL does not have.
func matchSQLite(ctx context.Context, src *sql.DB, tables []table) ([]table, error) {
	names := map[string]bool{}
	for i := range tables {
		t := &tables[i]
		names[t.name] = true
		columns, err := sqliteColumns(ctx, src, t.name)
		if err != nil {
			return nil, err
		}
		for _, c := range columns {
			if !slices.Contains(t.columns, c) {
				return nil, fmt.Errorf("column %s.%s of the SQLite database has no place in PostgreSQL", t.name, c)
			}
		}
		t.columns = slices.DeleteFunc(t.columns, func(c string) bool { return !slices.Contains(columns, c) })
	}
	rows, err := src.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if name == "answer_journal" {
			// SQLite's alone; opening the database emptied it into answers.
			var n int
			if err := src.QueryRowContext(ctx, "SELECT count(*) FROM answer_journal").Scan(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, fmt.Errorf("the SQLite database's answer journal holds %d answers: is a server running on it?", n)
			}
			continue
		}
		if !names[name] {
			return nil, fmt.Errorf("table %s of the SQLite database has no place in PostgreSQL", name)
		}
	}
	return tables, rows.Err()
}

// toPostgres turns a value read from SQLite into what the PostgreSQL
// column of type typ takes: SQLite keeps flags as 0 and 1.
func toPostgres(v any, typ string) any {
	if typ == "boolean" {
		if n, ok := v.(int64); ok {
			return n != 0
		}
	}
	if b, ok := v.([]byte); ok && typ != "bytea" {
		return string(b)
	}
	return v
}

func sqliteColumns(ctx context.Context, src *sql.DB, name string) ([]string, error) {
	rows, err := src.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// tableSum is a table's row count and the SHA-256 of its rows in key
// order, each value written the same way whichever database it came from.
type tableSum struct {
	rows int
	sum  string
}

// rowReader runs a query on one of the two databases and calls each with
// every row's values.
type rowReader func(ctx context.Context, query string, each func(values []any)) error

func sqliteRows(db *sql.DB) rowReader {
	return func(ctx context.Context, query string, each func([]any)) error {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		columns, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			values := make([]any, len(columns))
			ptrs := make([]any, len(columns))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			each(values)
		}
		return rows.Err()
	}
}

func pgRows(conn *pgx.Conn) rowReader {
	return func(ctx context.Context, query string, each func([]any)) error {
		rows, err := conn.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			values, err := rows.Values()
			if err != nil {
				return err
			}
			each(values)
		}
		return rows.Err()
	}
}

// sumTable reads the columns both databases hold of t and sums them in the
// order of their keys' text.
func sumTable(ctx context.Context, read rowReader, t table) (tableSum, error) {
	var n int
	var rows []rowKey
	err := read(ctx, "SELECT "+quoteAll(t.columns)+" FROM "+quoteIdent(t.name), func(values []any) {
		var line, key strings.Builder
		for i, v := range values {
			text := canonical(toPostgres(v, t.types[t.columns[i]]))
			if i > 0 {
				line.WriteByte(0x1f)
			}
			line.WriteString(text)
			if slices.Contains(t.key, t.columns[i]) {
				key.WriteString(text)
				key.WriteByte(0x1f)
			}
		}
		rows = append(rows, rowKey{key.String(), line.String()})
		n++
	})
	if err != nil {
		return tableSum{}, err
	}
	// Sorted here, not by either database, whose collations differ.
	slices.SortFunc(rows, func(a, b rowKey) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.line, b.line)
	})
	h := sha256.New()
	for _, r := range rows {
		h.Write([]byte(r.line))
		h.Write([]byte{0x1e})
	}
	return tableSum{n, hex.EncodeToString(h.Sum(nil))}, nil
}

type rowKey struct{ key, line string }

// canonical writes a value as text the same way from either database.
func canonical(v any) string {
	switch v := v.(type) {
	case nil:
		return "\x00"
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	case []byte:
		return hex.EncodeToString(v)
	}
	return fmt.Sprint(v)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteAll(columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = quoteIdent(c)
	}
	return strings.Join(quoted, ", ")
}

// redactURL hides a database URL's password, for printing.
func redactURL(url string) string {
	if at := strings.LastIndex(url, "@"); at >= 0 {
		if colon := strings.Index(url[:at], "://"); colon >= 0 {
			if p := strings.Index(url[colon+3:at], ":"); p >= 0 {
				return url[:colon+3+p] + ":***" + url[at:]
			}
		}
	}
	return url
}
