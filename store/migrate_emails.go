package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"hoithi/quiz"
)

func init() {
	codeMigrations[10] = codeMigration{name: "0010_normalize_emails", run: normalizeEmails}
}

// normalizeEmails rewrites every stored e-mail address in its one spelling
// (NFC, lower case: quiz.NormalizeEmail), which logins and registrations
// now look up. Before, the NFC and NFD forms of one address could make two
// accounts. No account is lost when two collide: the one whose address
// already matches the new spelling (the one such a login found before),
// else the oldest, takes it; the others keep their address as stored, can
// still sign in by phone, and the collision is written to the audit log
// and the server's log.
func normalizeEmails(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, email FROM users WHERE email IS NOT NULL ORDER BY id")
	if err != nil {
		return err
	}
	type account struct {
		id    int64
		email string
	}
	groups := map[string][]account{}
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.id, &a.email); err != nil {
			rows.Close()
			return err
		}
		n := quiz.NormalizeEmail(a.email)
		groups[n] = append(groups[n], a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	addresses := make([]string, 0, len(groups))
	for n := range groups {
		addresses = append(addresses, n)
	}
	sort.Strings(addresses)
	for _, n := range addresses {
		group := groups[n]
		keeper := group[0] // the oldest
		for _, a := range group {
			if asciiFoldEqual(a.email, n) {
				// The column's NOCASE makes this the only one that may
				// take n, and it is the one a login found before.
				keeper = a
				break
			}
		}
		if keeper.email != n {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET email = ? WHERE id = ?", n, keeper.id); err != nil {
				return fmt.Errorf("account %d: %w", keeper.id, err)
			}
		}
		if len(group) == 1 {
			continue
		}
		var others []string
		for _, a := range group {
			if a.id != keeper.id {
				others = append(others, fmt.Sprint(a.id))
			}
		}
		detail := fmt.Sprintf("accounts %d and %s had one e-mail address in different spellings; %d keeps it, the others keep theirs as stored",
			keeper.id, strings.Join(others, ", "), keeper.id)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)`,
			ms(time.Now()), "hoithi (upgrade)", quiz.AuditEmailConflict, detail); err != nil {
			return err
		}
		slog.Default().Warn("e-mail addresses collide once normalized; see the audit log", "kept", keeper.id, "others", strings.Join(others, ","))
	}
	return nil
}

// asciiFoldEqual compares as SQLite's NOCASE does: ASCII letters folded,
// every other byte as is.
func asciiFoldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
