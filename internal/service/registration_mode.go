package service

import (
	"context"

	"plenary/internal/domain"
)

// ModeChange says what a change of mode did.
type ModeChange struct {
	Registration domain.Registration
	// BackToPending is true when the change took an approved registration back to pending (it
	// must be approved again: the delegate and the focal points are mailed).
	BackToPending bool
}

// ChangeMode switches a live registration between in person and remote, by its owner, a focal
// point of its organisation or the secretariat: the registration is locked, the domain decides
// (an approved registration switched to in person may go back to pending), and the change is
// saved and audited with its side effects, in one transaction. Switching to remote withdraws the
// visa request; going back to pending mails the delegate an acknowledgement and the focal points
// a request to decide.
func (s *Registrations) ChangeMode(ctx context.Context, a Audit, actor domain.Actor, id int64, mode domain.Mode) (ModeChange, error) {
	now := s.now()
	var out ModeChange
	err := s.tx(ctx, func(tx RegistrationTx) error {
		out = ModeChange{}
		before, err := lockVisible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		c, err := tx.RegistrationContext(ctx, actor, before.MeetingID, before.AccountID, now)
		if err != nil {
			return err
		}
		auto := c.Organisation.AutoApproval || c.RegistrantIsFocalPoint
		r, err := domain.ChangeMode(actor, before, c.Meeting, c.PreRegistration, mode, auto, now)
		if err != nil {
			return err
		}
		if err := tx.SaveRegistrations(ctx, []domain.Registration{r}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "registration.mode", "registration", []int64{id}, []map[string]any{{"mode": r.Mode, "state": r.State}}); err != nil {
			return err
		}
		if r.Mode != before.Mode {
			if err := tx.RevokeTokens(ctx, a, []int64{id}, 0, domain.RevokedModeChange, now); err != nil {
				return err
			}
		}
		if r.Mode == domain.Remote {
			if err := tx.WithdrawVisas(ctx, a, []int64{id}, now); err != nil {
				return err
			}
		}
		out = ModeChange{Registration: r, BackToPending: r.State == domain.Pending && before.State == domain.Approved}
		if !out.BackToPending {
			return nil
		}
		fps, err := tx.FocalPoints(ctx, []int64{r.OrganisationID})
		if err != nil {
			return err
		}
		return tx.QueueMail(ctx, SubmissionMail(r, fps[r.OrganisationID]))
	})
	if err != nil {
		return ModeChange{}, err
	}
	return out, nil
}
