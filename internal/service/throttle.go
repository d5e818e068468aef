package service

import (
	"context"
	"time"
)

// LoginLimit is how many failures a key (an address, an account, an address and account pair,
// a mail asked for) may have within Window.
type LoginLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// LoginAttempt is an attempt (a sign-in, a reset mail, a reset link used) counted before it is
// checked.
type LoginAttempt struct {
	// Blocked is true when a limit was already reached: the attempt was not counted and must be
	// refused until Until.
	Blocked bool
	Until   time.Time
	// Key is the key of the limit that blocked the attempt.
	Key string
	// Failures are the store's records of this attempt, withdrawn when it succeeds.
	Failures []int64
}

// ThrottleStore counts attempts against limits, each key under its own lock, so that attempts
// sent in parallel cannot all pass a check made before any of them is recorded.
type ThrottleStore interface {
	BeginLogin(ctx context.Context, now time.Time, limits ...LoginLimit) (LoginAttempt, error)
	LoginSucceeded(ctx context.Context, at LoginAttempt, key string) error
	TrustedDevice(ctx context.Context, now time.Time, email, token string) (bool, error)
	RememberDevice(ctx context.Context, now time.Time, accountID int64, token string, expires time.Time) error
}

// Throttle limits the attempts of sign-in and password reset.
type Throttle struct{ store ThrottleStore }

// NewThrottle builds the throttle over the store.
func NewThrottle(store ThrottleStore) *Throttle { return &Throttle{store: store} }

// Begin counts an attempt made at now against each limit; the attempt counts as a failure until
// Succeeded withdraws it. When a limit is already reached it is Blocked until a time, and not
// counted.
func (t *Throttle) Begin(ctx context.Context, now time.Time, limits ...LoginLimit) (LoginAttempt, error) {
	return t.store.BeginLogin(ctx, now, limits...)
}

// Succeeded withdraws the attempt's failures and forgets the failures of key.
func (t *Throttle) Succeeded(ctx context.Context, at LoginAttempt, key string) error {
	return t.store.LoginSucceeded(ctx, at, key)
}

// TrustedDevice reports whether token names a device the account with email (in any letter
// case) has signed in from and that is still remembered at now: such a sign-in is not held to
// the account's ceiling, so that failures from elsewhere do not keep the owner out.
func (t *Throttle) TrustedDevice(ctx context.Context, now time.Time, email, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	return t.store.TrustedDevice(ctx, now, email, token)
}

// RememberDevice records that the account signed in from the device holding token, until
// expires, and forgets the account's devices that have expired.
func (t *Throttle) RememberDevice(ctx context.Context, now time.Time, accountID int64, token string, expires time.Time) error {
	return t.store.RememberDevice(ctx, now, accountID, token, expires)
}
