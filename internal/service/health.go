package service

import "context"

// Pinger is what the readiness check needs of the store: a round trip to the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health says whether the portal can serve what needs the database (/readyz).
type Health struct {
	db Pinger
}

// NewHealth builds the readiness check over the store.
func NewHealth(db Pinger) *Health { return &Health{db: db} }

// Ready answers nil when the database answers within ctx, else why not.
func (h *Health) Ready(ctx context.Context) error { return h.db.Ping(ctx) }
