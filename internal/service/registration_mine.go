package service

import (
	"context"

	"plenary/internal/domain"
)

// MyRegistrationReads are what a delegate's own pages read of their registrations.
type MyRegistrationReads interface {
	// RegistrationsOf returns every registration of an account, newest meeting first.
	RegistrationsOf(ctx context.Context, accountID int64) ([]domain.RegistrationLine, error)
	// LiveRegistration is an account's live registration for a meeting, nil when none.
	LiveRegistration(ctx context.Context, meetingID, accountID int64) (*domain.RegistrationLine, error)
	// AuditTrails returns the audit events of each record of entity among ids, oldest first.
	AuditTrails(ctx context.Context, entity string, ids []int64) (map[int64][]domain.AuditEvent, error)
	// VisasOf returns, by registration, the visa requests of an account's registrations that
	// actor may see: the live one, else the latest.
	VisasOf(ctx context.Context, actor domain.Actor, accountID int64) (map[int64]domain.VisaLine, error)
	// ColocatedOf returns, by registration, the co-located events it takes part in.
	ColocatedOf(ctx context.Context, registrationIDs []int64) (map[int64][]int64, error)
	// Organisation returns one organisation (NotFound when missing).
	Organisation(ctx context.Context, id int64) (domain.Organisation, error)
}

// MyRegistrations are a delegate's own registrations with what their personal page shows of
// each: its history, its visa request and the co-located events attended.
type MyRegistrations struct {
	Lines     []domain.RegistrationLine
	History   map[int64][]domain.AuditEvent
	Visas     map[int64]domain.VisaLine
	Colocated map[int64][]int64
}

// Mine returns actor's own registrations, newest meeting first, with their histories, visa
// requests and co-located events; none for a visitor.
func (s *Registrations) Mine(ctx context.Context, actor domain.Actor) (MyRegistrations, error) {
	if !actor.SignedIn() {
		return MyRegistrations{}, nil
	}
	lines, err := s.mine.RegistrationsOf(ctx, actor.ID)
	if err != nil {
		return MyRegistrations{}, err
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ID
	}
	out := MyRegistrations{Lines: lines}
	if out.History, err = s.mine.AuditTrails(ctx, "registration", ids); err != nil {
		return MyRegistrations{}, err
	}
	if out.Visas, err = s.mine.VisasOf(ctx, actor, actor.ID); err != nil {
		return MyRegistrations{}, err
	}
	if out.Colocated, err = s.mine.ColocatedOf(ctx, ids); err != nil {
		return MyRegistrations{}, err
	}
	return out, nil
}

// MineAt returns actor's live registration for meeting meetingID, nil when none (or a visitor).
func (s *Registrations) MineAt(ctx context.Context, actor domain.Actor, meetingID int64) (*domain.RegistrationLine, error) {
	if !actor.SignedIn() {
		return nil, nil
	}
	return s.mine.LiveRegistration(ctx, meetingID, actor.ID)
}

// OrganisationOf returns the organisation account acc belongs to, nil when it belongs to none:
// what the registration form asks depends on its kind.
func (s *Registrations) OrganisationOf(ctx context.Context, acc domain.Account) (*domain.Organisation, error) {
	if acc.OrganisationID == nil {
		return nil, nil
	}
	o, err := s.mine.Organisation(ctx, *acc.OrganisationID)
	if err != nil {
		return nil, err
	}
	return &o, nil
}
