package service

import (
	"context"

	"plenary/internal/domain"
)

// EditDetails changes a live registration's answers (function/title, interpretation,
// accessibility needs, consent to be listed), by whoever may see it: the registration is locked,
// the domain decides which of the answers the delegate is asked and whether the change is allowed,
// and what changed is saved and audited in one transaction. It returns the fields changed (none:
// nothing was written).
func (s *Registrations) EditDetails(ctx context.Context, a Audit, actor domain.Actor, id int64, d domain.RegistrationDetails) ([]string, error) {
	now := s.now()
	var changed []string
	err := s.tx(ctx, func(tx RegistrationTx) error {
		changed = nil
		before, err := lockVisible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		c, err := tx.RegistrationContext(ctx, actor, before.MeetingID, before.AccountID, now)
		if err != nil {
			return err
		}
		r, ch, err := domain.EditRegistration(actor, before, c.Meeting, domain.RegistrationFields(c.Organisation.Kind, c.Meeting), d, now)
		if err != nil || len(ch) == 0 {
			return err
		}
		if err := tx.SaveRegistrationDetails(ctx, r); err != nil {
			return err
		}
		changed = ch
		return tx.Audit(ctx, a, "registration.edit", "registration", []int64{id}, []map[string]any{{"fields": ch}})
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}
