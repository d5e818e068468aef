package service

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"plenary/internal/domain"
)

// RegistrationReads are what the lists of registrations read outside a transaction. The store
// narrows every selection to what the actor may see (domain.RegistrationScope, domain.CanView),
// so that no query returns another organisation's delegates.
type RegistrationReads interface {
	// ListRegistrations returns one page of a selection and its counts per state.
	ListRegistrations(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter) (domain.RegistrationPage, error)
	// VisaStates is the state of each registration's visa request the actor may see, without
	// any passport data.
	VisaStates(ctx context.Context, actor domain.Actor, registrationIDs []int64) (map[int64]domain.VisaState, error)
	// RegistrationStatistics counts a selection's live registrations.
	RegistrationStatistics(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter) (domain.Statistics, error)
	// PendingRegistrationIDs are the ids of the selection's registrations pending since asOf.
	PendingRegistrationIDs(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter, asOf time.Time) ([]int64, error)
	// RegistrationNames are the delegates' names of the registrations of ids the actor sees.
	RegistrationNames(ctx context.Context, actor domain.Actor, ids []int64) ([]string, error)
	// EachRegistration streams the whole selection (no paging) to fn.
	EachRegistration(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter, fn func(domain.RegistrationLine) error) error
	// Registration is one registration with its names; one actor may not see is NotFound.
	Registration(ctx context.Context, actor domain.Actor, id int64) (domain.RegistrationLine, error)
	// ColocatedOf returns, by registration, the co-located events it takes part in.
	ColocatedOf(ctx context.Context, registrationIDs []int64) (map[int64][]int64, error)
	// PhotosTaken returns, of the registrations of ids, those with a photo and when it was taken.
	PhotosTaken(ctx context.Context, registrationIDs []int64) (map[int64]time.Time, error)
	// VisaOfRegistration is the registration's visa request (the live one, else the latest),
	// nil when it has none or actor may not see it.
	VisaOfRegistration(ctx context.Context, actor domain.Actor, registrationID int64) (*domain.VisaLine, error)
	// FocalPointIDs are the accounts of an organisation's focal points.
	FocalPointIDs(ctx context.Context, org int64) ([]int64, error)
}

// RegistrationList is one page of a list of registrations, with the state of each one's visa
// request (never its passport data).
type RegistrationList struct {
	domain.RegistrationPage
	Visas map[int64]domain.VisaState
	// Photos are the registrations with a photo, and when it was taken (who may list a
	// registration may see its photo: domain.CanSeePhoto).
	Photos map[int64]time.Time
}

// List returns one page of the registrations f selects that actor may list (a focal point: their
// organisations'; Forbidden for one who may list none), with their visa requests' states.
func (s *Registrations) List(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter) (RegistrationList, error) {
	page, err := s.reads.ListRegistrations(ctx, actor, f)
	if err != nil {
		return RegistrationList{}, err
	}
	ids := make([]int64, len(page.Lines))
	for i, l := range page.Lines {
		ids[i] = l.ID
	}
	visas, err := s.reads.VisaStates(ctx, actor, ids)
	if err != nil {
		return RegistrationList{}, err
	}
	photos, err := s.reads.PhotosTaken(ctx, ids)
	if err != nil {
		return RegistrationList{}, err
	}
	return RegistrationList{RegistrationPage: page, Visas: visas, Photos: photos}, nil
}

// Statistics counts the live registrations f selects that actor may list, by mode, gender,
// organisation kind and country.
func (s *Registrations) Statistics(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter) (domain.Statistics, error) {
	return s.reads.RegistrationStatistics(ctx, actor, f)
}

// ListAndStatistics is List of f and Statistics of stats, read at the same time on two of the
// pool's connections: the secretariat's page shows a meeting's figures beside one page of its
// list, and each is a query over every registration of the meeting.
func (s *Registrations) ListAndStatistics(ctx context.Context, actor domain.Actor, f, stats domain.RegistrationFilter) (RegistrationList, domain.Statistics, error) {
	var l RegistrationList
	var st domain.Statistics
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		l, err = s.List(gctx, actor, f)
		return err
	})
	g.Go(func() (err error) {
		st, err = s.reads.RegistrationStatistics(gctx, actor, stats)
		return err
	})
	if err := g.Wait(); err != nil {
		return RegistrationList{}, domain.Statistics{}, err
	}
	return l, st, nil
}

// PendingIDs returns the ids of the registrations f selects that actor may list and that were
// already pending at asOf: what "approve all" approves.
func (s *Registrations) PendingIDs(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter, asOf time.Time) ([]int64, error) {
	return s.reads.PendingRegistrationIDs(ctx, actor, f, asOf)
}

// Names returns the delegates' names of the registrations of ids that actor may see, in the
// order of the lists sorted by name: whom a decision changed.
func (s *Registrations) Names(ctx context.Context, actor domain.Actor, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.reads.RegistrationNames(ctx, actor, ids)
}

// Each streams every registration f selects that actor may list to fn, in the exports' order.
func (s *Registrations) Each(ctx context.Context, actor domain.Actor, f domain.RegistrationFilter, fn func(domain.RegistrationLine) error) error {
	return s.reads.EachRegistration(ctx, actor, f, fn)
}

// Line returns registration id with its names, if actor may see it (else NotFound).
func (s *Registrations) Line(ctx context.Context, actor domain.Actor, id int64) (domain.RegistrationLine, error) {
	return s.reads.Registration(ctx, actor, id)
}

// Calendar returns registration id (one actor may not see is NotFound) and the co-located
// events it attends, for the delegate's own calendar: a registration no longer live has none
// (Conflict).
func (s *Registrations) Calendar(ctx context.Context, actor domain.Actor, id int64) (domain.RegistrationLine, []int64, error) {
	l, err := s.reads.Registration(ctx, actor, id)
	if err != nil {
		return l, nil, err
	}
	if !l.State.Live() {
		return l, nil, domain.Errorf(domain.Conflict, "cal.not_live")
	}
	m, err := s.reads.ColocatedOf(ctx, []int64{id})
	return l, m[id], err
}
