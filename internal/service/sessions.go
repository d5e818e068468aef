package service

import (
	"context"

	"plenary/internal/domain"
)

// SessionAccount is the account a web session read for a request is signed in as, read with the
// session by the session store (one round trip for both), so that a signed-in request needs no
// look-up of its own.
type SessionAccount struct {
	Found   bool
	Actor   domain.Actor
	Account domain.Account
}

type sessionAccountKey struct{}

// WithSessionAccount returns a context in which reading the session also fills in the account
// it is signed in as, and where to find it afterwards.
func WithSessionAccount(ctx context.Context) (context.Context, *SessionAccount) {
	sa := &SessionAccount{}
	return context.WithValue(ctx, sessionAccountKey{}, sa), sa
}

// SessionAccountOf returns what reading the session filled in (see WithSessionAccount), or nil
// when ctx does not ask for it.
func SessionAccountOf(ctx context.Context) *SessionAccount {
	sa, _ := ctx.Value(sessionAccountKey{}).(*SessionAccount)
	return sa
}
