package postgres

import (
	"context"
	"fmt"
	"time"
)

// LoginLimit is how many failures a key may have within Window.
type LoginLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// LoginBlocked reports whether any key has reached its limit, and when the oldest counted
// failure of the blocking key leaves the window.
func (db *DB) LoginBlocked(ctx context.Context, now time.Time, limits ...LoginLimit) (bool, time.Time, error) {
	for _, l := range limits {
		var n int
		var oldest *time.Time
		err := db.Pool.QueryRow(ctx, `SELECT count(*), min(at) FROM login_failures WHERE key = $1 AND at > $2`,
			l.Key, now.Add(-l.Window)).Scan(&n, &oldest)
		if err != nil {
			return false, time.Time{}, fmt.Errorf("postgres: login failures: %w", err)
		}
		if n >= l.Max && oldest != nil {
			return true, oldest.Add(l.Window), nil
		}
	}
	return false, time.Time{}, nil
}

// RecordLoginFailure counts a failed sign-in against each key, and forgets failures older than a
// day.
func (db *DB) RecordLoginFailure(ctx context.Context, now time.Time, keys ...string) error {
	for _, k := range keys {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, k, now); err != nil {
			return fmt.Errorf("postgres: record login failure: %w", err)
		}
	}
	_, err := db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-24*time.Hour))
	return err
}

// ClearLoginFailures forgets the failures of a key after a successful sign-in.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return err
}
