package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// FocalTx is what a focal point's changes to their organisation do inside their transaction.
type FocalTx interface {
	// SetAutoApproval stores whether the organisation's registrations are approved as they
	// arrive and returns its name; a missing organisation is NotFound.
	SetAutoApproval(ctx context.Context, org int64, on bool) (string, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// FocalReads are what the focal point's pages read outside a transaction.
type FocalReads interface {
	// Organisation returns one organisation with its focal points; a missing one is NotFound.
	Organisation(ctx context.Context, id int64) (domain.Organisation, error)
	// Colleagues lists the accounts affiliated to an organisation, by name.
	Colleagues(ctx context.Context, org int64) ([]domain.AccountRef, error)
	// Meetings lists every meeting, the newest first.
	Meetings(ctx context.Context) ([]domain.MeetingSummary, error)
}

// Focal are a focal point's use cases on their organisations: which organisations they act
// for, automatic approval, and whom they may register.
type Focal struct {
	tx    RunTx[FocalTx]
	reads FocalReads
	now   Clock
}

// NewFocal builds the focal point's use cases over the store's transaction and read side.
func NewFocal(tx RunTx[FocalTx], reads FocalReads, now Clock) *Focal {
	if now == nil {
		now = time.Now
	}
	return &Focal{tx: tx, reads: reads, now: now}
}

// Organisations returns the organisations actor is a focal point of, in the order of their
// grants; none for anyone else.
func (s *Focal) Organisations(ctx context.Context, actor domain.Actor) ([]domain.Organisation, error) {
	ids := actor.FocalOf()
	out := make([]domain.Organisation, 0, len(ids))
	for _, id := range ids {
		o, err := s.reads.Organisation(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// SetAutoApproval switches whether the registrations of organisation org are approved as they
// arrive, by its focal point or the secretariat (domain.CanSetAutoApproval; else Forbidden and
// nothing changed). Audited (organisation.auto_approval) in the same transaction; it returns the
// organisation's name.
func (s *Focal) SetAutoApproval(ctx context.Context, a Audit, actor domain.Actor, org int64, on bool) (string, error) {
	if !domain.CanSetAutoApproval(actor, org) {
		return "", domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var name string
	err := s.tx(ctx, func(tx FocalTx) error {
		var err error
		if name, err = tx.SetAutoApproval(ctx, org, on); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "organisation.auto_approval", "organisation", []int64{org}, []map[string]any{{"auto_approval": on}})
	})
	return name, err
}

// Colleagues lists the accounts of organisation org whom actor may register for a meeting
// (domain: registering colleagues of that organisation, else Forbidden).
func (s *Focal) Colleagues(ctx context.Context, actor domain.Actor, org int64) ([]domain.AccountRef, error) {
	if !actor.CanFor(domain.RegisterColleagues, org) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.Colleagues(ctx, org)
}

// UpcomingMeetings lists the meetings not yet over, soonest first: those a focal point may
// register a colleague for.
func (s *Focal) UpcomingMeetings(ctx context.Context) ([]domain.MeetingSummary, error) {
	all, err := s.reads.Meetings(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []domain.MeetingSummary
	for i := len(all) - 1; i >= 0; i-- {
		m := domain.Meeting{LastDay: all[i].LastDay, TimeZone: all[i].TimeZone}
		if !m.Past(now) {
			out = append(out, all[i])
		}
	}
	return out, nil
}
