package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/service"
)

// LoginLimit and LoginAttempt are the service's (service/throttle.go).
type (
	LoginLimit   = service.LoginLimit
	LoginAttempt = service.LoginAttempt
)

// BeginLogin counts a sign-in attempt against each limit before the password is checked, under
// a lock per key, so that guesses sent in parallel cannot all pass a check made before any of them
// is recorded. The attempt counts as a failure until LoginSucceeded withdraws it. Failures older
// than a day are forgotten.
func (db *DB) BeginLogin(ctx context.Context, now time.Time, limits ...LoginLimit) (LoginAttempt, error) {
	var at LoginAttempt
	sorted := append([]LoginLimit(nil), limits...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key }) // one lock order
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Each key's lock is held for a moment only; a wait longer than this is a fault, answered
		// as an error rather than left hanging.
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
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
				at = LoginAttempt{Blocked: true, Until: oldest.Add(l.Window), Key: l.Key}
				return nil
			}
		}
		for _, l := range sorted {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id`, l.Key, now).Scan(&id); err != nil {
				return err
			}
			at.Failures = append(at.Failures, id)
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
// failures of key (the address and account pair's: failures others made from elsewhere stay
// counted against the account's ceiling).
func (db *DB) LoginSucceeded(ctx context.Context, at LoginAttempt, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE id = ANY($1) OR key = $2`, at.Failures, key)
	if err != nil {
		return fmt.Errorf("postgres: login succeeded: %w", err)
	}
	return nil
}

// hashDeviceToken is how a device's token is kept: a leaked table names no device.
func hashDeviceToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// TrustedDevice reports whether token names a device the account with email (in any letter case)
// has signed in from, and that is still remembered.
func (db *DB) TrustedDevice(ctx context.Context, now time.Time, email, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM login_devices d JOIN accounts a ON a.id = d.account_id
		WHERE d.token_hash = $1 AND lower(a.email) = lower($2) AND d.expires_at > $3)`,
		hashDeviceToken(token), email, now).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: trusted device: %w", err)
	}
	return ok, nil
}

// RememberDevice records that the account signed in from the device holding token, until
// expires, and forgets the account's devices that have expired.
func (db *DB) RememberDevice(ctx context.Context, now time.Time, accountID int64, token string, expires time.Time) error {
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM login_devices WHERE account_id = $1 AND expires_at <= $2`, accountID, now)
	b.Queue(`INSERT INTO login_devices (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token_hash) DO UPDATE SET expires_at = EXCLUDED.expires_at
		WHERE login_devices.account_id = EXCLUDED.account_id`, hashDeviceToken(token), accountID, now, expires)
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: remember device: %w", err)
	}
	return nil
}
