package service

import (
	"context"
	"fmt"
	"slices"

	"plenary/internal/domain"
)

// Cancel withdraws a live registration, by its owner, a focal point of its organisation or the
// secretariat: in one transaction the registration is locked and checked by the domain, changed,
// audited, its visa request withdrawn, and the organisation's other focal points are mailed.
func (s *Registrations) Cancel(ctx context.Context, a Audit, actor domain.Actor, id int64) error {
	now := s.now()
	return s.tx(ctx, func(tx RegistrationTx) error {
		before, err := lockVisible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		r, err := domain.Cancel(actor, before, now)
		if err != nil {
			return err
		}
		if err := tx.SaveRegistrations(ctx, []domain.Registration{r}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "registration.cancel", "registration", []int64{id}, []map[string]any{{"from": before.State}}); err != nil {
			return err
		}
		if err := tx.WithdrawVisas(ctx, a, []int64{id}, now); err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, a, []int64{id}, 0, domain.RevokedCancelled, now); err != nil {
			return err
		}
		fps, err := tx.FocalPoints(ctx, []int64{r.OrganisationID})
		if err != nil {
			return err
		}
		return tx.QueueMail(ctx, cancelledMail(r, fps[r.OrganisationID], actor.ID))
	})
}

// cancelledMail tells the organisation's focal points of a cancellation, but not the one who
// made it.
func cancelledMail(r domain.Registration, focalPoints []int64, by int64) []Mail {
	var out []Mail
	for _, fp := range focalPoints {
		if fp != by {
			out = append(out, Mail{Key: fmt.Sprintf("reg:%d:cancelled:%d", r.ID, fp), Kind: MailRegistrationCancelled, AccountID: fp, Registration: r.ID})
		}
	}
	return out
}

// CancelPreview is what cancelling a registration would do, for the question asked before it.
type CancelPreview struct {
	Line domain.RegistrationLine
	// Visa is the state of its visa request ("" when none); VisaWithdrawn says cancelling
	// withdraws it.
	Visa          domain.VisaState
	VisaWithdrawn bool
	// FocalPointsTold is how many of the organisation's focal points would be mailed;
	// ActorIsFocalPoint says the actor is one of them (and is not mailed).
	FocalPointsTold   int
	ActorIsFocalPoint bool
}

// PreviewCancel says what Cancel would do to registration id, changing nothing: refused as
// Cancel would be (domain.CancelOffer), else its visa request's fate and who is mailed.
func (s *Registrations) PreviewCancel(ctx context.Context, actor domain.Actor, id int64) (CancelPreview, error) {
	l, err := s.reads.Registration(ctx, actor, id)
	if err != nil {
		return CancelPreview{}, err
	}
	if offer := domain.CancelOffer(actor, l.Registration); !offer.Allowed {
		return CancelPreview{}, offer.Reason
	}
	p := CancelPreview{Line: l}
	visas, err := s.reads.VisaStates(ctx, actor, []int64{id})
	if err != nil {
		return CancelPreview{}, err
	}
	if v, ok := visas[id]; ok {
		p.Visa = v
		_, p.VisaWithdrawn = domain.WithdrawVisa(domain.VisaRequest{State: v}, s.now())
	}
	fps, err := s.reads.FocalPointIDs(ctx, l.OrganisationID)
	if err != nil {
		return CancelPreview{}, err
	}
	p.FocalPointsTold = len(cancelledMail(l.Registration, fps, actor.ID))
	p.ActorIsFocalPoint = slices.Contains(fps, actor.ID)
	return p, nil
}
