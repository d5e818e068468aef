package service

import "context"

// Pinger is what the health checks need of the store: a round trip to the database, and which of
// the store's errors mean the database is away or refused the text it was given (the adapter
// knows its driver's errors; the web layer answers them without knowing the driver).
type Pinger interface {
	Ping(ctx context.Context) error
	IsUnavailable(err error) bool
	IsBadText(err error) bool
}

// Health says whether the portal can serve what needs the database (/readyz), and which failures
// are the database's being away rather than a fault.
type Health struct {
	db Pinger
}

// NewHealth builds the readiness check over the store.
func NewHealth(db Pinger) *Health { return &Health{db: db} }

// Ready answers nil when the database answers within ctx, else why not.
func (h *Health) Ready(ctx context.Context) error { return h.db.Ping(ctx) }

// Unavailable reports whether err means the database cannot be reached or is not accepting work
// just now: the request may be tried again, and is not at fault.
func (h *Health) Unavailable(err error) bool { return err != nil && h.db.IsUnavailable(err) }

// BadText reports whether err is the database refusing text it cannot hold (invalid UTF-8, a NUL
// byte): bad input, not a fault of the portal.
func (h *Health) BadText(err error) bool { return err != nil && h.db.IsBadText(err) }
