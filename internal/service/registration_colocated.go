package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// ColocatedTx is what changing the co-located events a registration attends does inside its
// transaction.
type ColocatedTx interface {
	registrationLocker
	// MeetingByID reads a meeting (NotFound when missing).
	MeetingByID(ctx context.Context, id int64) (domain.Meeting, error)
	// ColocatedEvents reads a meeting's co-located events, in the order pages show them.
	ColocatedEvents(ctx context.Context, meetingID int64) ([]domain.ColocatedEvent, error)
	// OpenVisaState is the state of the registration's visa request not withdrawn; "" when it
	// has none.
	OpenVisaState(ctx context.Context, registrationID int64) (domain.VisaState, error)
	// SetColocated replaces the events the registration attends, and its updated_at.
	SetColocated(ctx context.Context, registrationID int64, eventIDs []int64, now time.Time) error
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// ColocatedChoice is a registration and the co-located events it attends, for the page that
// changes them.
type ColocatedChoice struct {
	Line domain.RegistrationLine
	// Chosen are the ids of the events attended, in the events' order.
	Chosen []int64
	// Visa is the state of its visa request when one is live ("" else): an issued letter names
	// the stay.
	Visa domain.VisaState
}

// Colocated returns registration id (one actor may not see is NotFound) with the co-located
// events it attends and its live visa request's state: what domain.ColocatedOffer asks.
func (s *Registrations) Colocated(ctx context.Context, actor domain.Actor, id int64) (ColocatedChoice, error) {
	l, err := s.reads.Registration(ctx, actor, id)
	if err != nil {
		return ColocatedChoice{}, err
	}
	m, err := s.reads.ColocatedOf(ctx, []int64{id})
	if err != nil {
		return ColocatedChoice{}, err
	}
	c := ColocatedChoice{Line: l, Chosen: m[id]}
	v, err := s.reads.VisaOfRegistration(ctx, actor, id)
	if err != nil {
		return ColocatedChoice{}, err
	}
	if v != nil && v.State.Live() {
		c.Visa = v.State
	}
	return c, nil
}

// SetColocated replaces the co-located events registration id attends with ids, for whoever
// may see it, when the domain allows (domain.ChangeColocated: live, meeting not over, no issued
// letter naming another stay...; an unknown event is refused beside the field). Audited
// (registration.colocated) in the same transaction; it returns the events now chosen.
func (s *Registrations) SetColocated(ctx context.Context, a Audit, actor domain.Actor, id int64, ids []int64) ([]int64, error) {
	now := s.now()
	var out []int64
	err := s.colocated(ctx, func(tx ColocatedTx) error {
		reg, err := lockVisible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		m, err := tx.MeetingByID(ctx, reg.MeetingID)
		if err != nil {
			return err
		}
		evs, err := tx.ColocatedEvents(ctx, reg.MeetingID)
		if err != nil {
			return err
		}
		visa, err := tx.OpenVisaState(ctx, reg.ID)
		if err != nil {
			return err
		}
		out, err = domain.ChangeColocated(domain.ColocatedChange{Actor: actor, Registration: reg, Meeting: m, Events: evs, Visa: visa, Now: now}, ids)
		if err != nil {
			return err
		}
		if err := tx.SetColocated(ctx, reg.ID, out, now); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "registration.colocated", "registration", []int64{reg.ID}, []map[string]any{{"colocated_events": out}})
	})
	return out, err
}
