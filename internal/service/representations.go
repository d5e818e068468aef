package service

import (
	"context"

	"plenary/internal/domain"
)

// RepresentationTx is what a change to the list of Swiss representations does inside its
// transaction.
type RepresentationTx interface {
	// AddRepresentation stores a representation and returns its id; false when the same
	// country, city and kind is listed already.
	AddRepresentation(ctx context.Context, r domain.Representation) (int64, bool, error)
	// SetRepresentationActive offers a representation again or no longer; NotFound when missing.
	SetRepresentationActive(ctx context.Context, id int64, active bool) error
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// RepresentationReads are what the lists of representations read.
type RepresentationReads interface {
	// Representations lists the representations by country: every one, or (all false) those
	// still offered.
	Representations(ctx context.Context, all bool) ([]domain.Representation, error)
}

// Representations are the secretariat's list of the Swiss representations a delegate asking
// for a visa chooses from.
type Representations struct {
	tx    RunTx[RepresentationTx]
	reads RepresentationReads
}

// NewRepresentations builds the representations' use cases.
func NewRepresentations(tx RunTx[RepresentationTx], reads RepresentationReads) *Representations {
	return &Representations{tx: tx, reads: reads}
}

// Offered lists the representations a visa request may name.
func (s *Representations) Offered(ctx context.Context) ([]domain.Representation, error) {
	return s.reads.Representations(ctx, false)
}

// All lists every representation, those no longer offered included, for the secretariat (else
// Forbidden).
func (s *Representations) All(ctx context.Context, actor domain.Actor) ([]domain.Representation, error) {
	if !actor.Can(domain.ManageVisas) {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.Representations(ctx, true)
}

// Add adds a representation, by the secretariat (else Forbidden), checked by the domain
// (domain.CheckRepresentation); one listed already is refused beside the city. Audited
// (representation.add) in the same transaction.
func (s *Representations) Add(ctx context.Context, a Audit, actor domain.Actor, r domain.Representation) (int64, error) {
	if !actor.Can(domain.ManageVisas) {
		return 0, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if err := domain.CheckRepresentation(r); err != nil {
		return 0, err
	}
	var id int64
	err := s.tx(ctx, func(tx RepresentationTx) error {
		var added bool
		var err error
		if id, added, err = tx.AddRepresentation(ctx, r); err != nil {
			return err
		}
		if !added {
			return domain.FieldErrors(map[string]string{"city": "error.representation_exists"})
		}
		return tx.Audit(ctx, a, "representation.add", "swiss_representation", []int64{id},
			[]map[string]any{{"country": r.Country, "city": r.City, "kind": r.Kind}})
	})
	return id, err
}

// SetActive offers representation id again or no longer (the requests that name it keep it), by
// the secretariat (else Forbidden). Audited (representation.active) in the same transaction.
func (s *Representations) SetActive(ctx context.Context, a Audit, actor domain.Actor, id int64, active bool) error {
	if !actor.Can(domain.ManageVisas) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.tx(ctx, func(tx RepresentationTx) error {
		if err := tx.SetRepresentationActive(ctx, id, active); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "representation.active", "swiss_representation", []int64{id}, []map[string]any{{"active": active}})
	})
}
