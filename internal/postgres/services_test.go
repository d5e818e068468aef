package postgres_test

import (
	"context"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// cancelRegistration runs the cancellation use case (internal/service) at now, for the store
// tests whose scenario includes one.
func cancelRegistration(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, id int64, now time.Time) error {
	return app.NewServices(db, func() time.Time { return now }).Registrations.Cancel(ctx, a, actor, id)
}
