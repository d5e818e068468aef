package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// LoginLimit is how many failures a key may have within Window.
type LoginLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// LoginAttempt is a sign-in attempt counted before its password is checked.
type LoginAttempt struct {
	// Blocked is true when a limit was already reached: the attempt was not counted and must be
	// refused until Until.
	Blocked bool
	Until   time.Time
	ids     []int64
}

// BeginLogin counts a sign-in attempt against each limit before the password is checked, under
// a lock per key, so that guesses sent in parallel cannot all pass a check made before any of them
// is recorded. The attempt counts as a failure until LoginSucceeded withdraws it. Failures older
// than a day are forgotten.
func (db *DB) BeginLogin(ctx context.Context, now time.Time, limits ...LoginLimit) (LoginAttempt, error) {
	var at LoginAttempt
	sorted := append([]LoginLimit(nil), limits...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key }) // one lock order
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for _, l := range sorted {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7238002))`, l.Key); err != nil {
				return err
			}
			var n int
			var oldest *time.Time
			err := tx.QueryRow(ctx, `SELECT count(*), min(at) FROM login_failures WHERE key = $1 AND at > $2`,
				l.Key, now.Add(-l.Window)).Scan(&n, &oldest)
			if err != nil {
				return err
			}
			if n >= l.Max && oldest != nil {
				at = LoginAttempt{Blocked: true, Until: oldest.Add(l.Window)}
				return nil
			}
		}
		for _, l := range sorted {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id`, l.Key, now).Scan(&id); err != nil {
				return err
			}
			at.ids = append(at.ids, id)
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-24*time.Hour))
		return err
	})
	if err != nil {
		return LoginAttempt{}, fmt.Errorf("postgres: login attempt: %w", err)
	}
	return at, nil
}

// LoginSucceeded withdraws a successful attempt from every count and forgets the earlier
// failures of key (the account's).
func (db *DB) LoginSucceeded(ctx context.Context, at LoginAttempt, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE id = ANY($1) OR key = $2`, at.ids, key)
	if err != nil {
		return fmt.Errorf("postgres: login succeeded: %w", err)
	}
	return nil
}
