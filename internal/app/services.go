package app

import (
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// NewServices builds the use cases over the store: each service gets the store's transaction as
// the interface it declares (postgres.TxFor), and the store's read side where it needs one. now
// is the clock (time.Now; tests pass their own).
func NewServices(db *postgres.DB, now service.Clock) service.Services {
	return service.Services{
		Registrations: service.NewRegistrations(service.RegistrationsDeps{
			Tx:  postgres.TxFor(db, func(t *postgres.Tx) service.RegistrationTx { return t }),
			Now: now,
		}),
		Documents: service.NewDocuments(db, now),
		Desk: service.NewDesk(service.DeskDeps{
			Tx:   postgres.TxFor(db, func(t *postgres.Tx) service.DeskTx { return t }),
			Now:  now,
			Keys: db,
		}),
	}
}
