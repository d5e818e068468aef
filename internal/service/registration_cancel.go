package service

import (
	"context"
	"fmt"

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
