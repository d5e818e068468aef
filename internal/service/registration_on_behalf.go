package service

import (
	"context"

	"plenary/internal/domain"
)

// OnBehalfReads are what registering someone else reads: the accounts to choose from, and the
// organisations a list of registrations is filtered by.
type OnBehalfReads interface {
	// SearchAccounts finds up to limit accounts whose name or email contains q, as typed (% and
	// _ are letters, not wildcards).
	SearchAccounts(ctx context.Context, q string, limit int) ([]domain.AccountRef, error)
	// Account returns one account, never its password hash (NotFound when missing).
	Account(ctx context.Context, id int64) (domain.Account, error)
	// Organisations lists every organisation by name.
	Organisations(ctx context.Context) ([]domain.Organisation, error)
}

// FilterOrganisations lists the organisations a list of registrations can be filtered by, by
// name.
func (s *Registrations) FilterOrganisations(ctx context.Context) ([]domain.Organisation, error) {
	return s.onBehalf.Organisations(ctx)
}

// FindRegistrants finds up to limit accounts whose name or email contains q, for actor to
// register one of them: one who may register anyone (domain.RegisterAnyone), else Forbidden.
func (s *Registrations) FindRegistrants(ctx context.Context, actor domain.Actor, q string, limit int) ([]domain.AccountRef, error) {
	if !actor.Can(domain.RegisterAnyone) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.onBehalf.SearchAccounts(ctx, q, limit)
}

// Registrant returns the account actor is about to register (one who may register anyone, else
// Forbidden) and its organisation, nil when it belongs to none: the form's questions follow its
// kind.
func (s *Registrations) Registrant(ctx context.Context, actor domain.Actor, accountID int64) (domain.Account, *domain.Organisation, error) {
	if !actor.Can(domain.RegisterAnyone) {
		return domain.Account{}, nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	acc, err := s.onBehalf.Account(ctx, accountID)
	if err != nil {
		return acc, nil, err
	}
	org, err := s.OrganisationOf(ctx, acc)
	return acc, org, err
}
