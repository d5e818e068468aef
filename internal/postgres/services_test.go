package postgres_test

import (
	"context"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// cancelRegistration runs the cancellation use case (internal/service) at now, for the store
// tests whose scenario includes one.
func cancelRegistration(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, id int64, now time.Time) error {
	return app.NewServices(db, func() time.Time { return now }).Registrations.Cancel(ctx, a, actor, id)
}

// decideRegistrations runs the decision use case (internal/service) at now.
func decideRegistrations(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, ids []int64, approve bool, reason string, now time.Time) (service.DecideResult, error) {
	return app.NewServices(db, func() time.Time { return now }).Registrations.Decide(ctx, a, actor, ids, approve, reason)
}

// changeMode runs the change of mode use case (internal/service) at now.
func changeMode(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, id int64, mode domain.Mode, now time.Time) (service.ModeChange, error) {
	return app.NewServices(db, func() time.Time { return now }).Registrations.ChangeMode(ctx, a, actor, id, mode)
}

// addFocalPoint names the account with email a focal point of org, through the organisations'
// use case (internal/service).
func addFocalPoint(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, org int64, email string) error {
	return app.NewServices(db, time.Now).Organisations.AddFocalPoint(ctx, a, actor, org, email)
}
