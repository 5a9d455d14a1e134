package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Setting returns a stored setting; ok is false when it is not set.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.r.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: setting %s: %w", key, err)
	}
	return value, true, nil
}

// EnsureSetting stores value under key unless the key already has a value,
// and returns the value in force. Two nodes racing get the same answer:
// the second insert waits for the first to commit, then does nothing, and
// the read that follows (a statement of its own, with a new snapshot)
// sees the first one's value.
func (db *DB) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var stored string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&stored)
	})
	if err != nil {
		return "", fmt.Errorf("postgres: setting %s: %w", key, err)
	}
	return stored, nil
}
