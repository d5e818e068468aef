package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"plenary/internal/domain"
)

// DecideChunk is how many registrations one transaction of a decision locks: a focal point
// approving a thousand at once holds each row only for the statements of its fifty, so that a
// delegate changing mode meanwhile waits for at most that (see TestModeChangeDuringA1000ApprovalBatch).
// Each registration's decision stands alone, so nothing is lost by committing them in parts.
const DecideChunk = 50

// DecideResult says what a decision on many registrations did, each registration told apart.
type DecideResult struct {
	// Done lists the registrations this call approved (or rejected), in id order.
	Done []int64
	// Refused maps each registration this call did not change to why: already decided (by
	// someone else, or by an earlier request), not the actor's to decide, not found, or a failure
	// of the store after other parts were done.
	Refused map[int64]error
}

// Decide approves (or rejects, with a reason) registrations. Each is locked, checked by the
// domain and, when allowed, changed with its audit event, its mail to the delegate and its side
// effects (visa requests to processing, membership confirmed; or visa requests withdrawn), in
// transactions of at most DecideChunk registrations. Of two requests deciding one registration
// at once exactly one changes it and is told so; the other is told it was already decided. An
// error is returned only when nothing was done; a failure after some parts committed refuses the
// rest with it, so that the answer says what happened.
func (s *Registrations) Decide(ctx context.Context, a Audit, actor domain.Actor, ids []int64, approve bool, reason string) (DecideResult, error) {
	now := s.now()
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	res := DecideResult{Refused: map[int64]error{}}
	for part := range slices.Chunk(ids, DecideChunk) {
		done, refused, err := s.decidePart(ctx, a, actor, part, approve, reason, now)
		if err != nil {
			if len(res.Done) == 0 {
				return DecideResult{}, err
			}
			for _, id := range ids[len(res.Done)+len(res.Refused):] {
				res.Refused[id] = err
			}
			return res, nil
		}
		res.Done = append(res.Done, done...)
		for id, e := range refused {
			res.Refused[id] = e
		}
	}
	return res, nil
}

// decidePart decides registrations ids in one transaction.
func (s *Registrations) decidePart(ctx context.Context, a Audit, actor domain.Actor, ids []int64, approve bool, reason string, now time.Time) (done []int64, refused map[int64]error, err error) {
	err = s.tx(ctx, func(tx RegistrationTx) error {
		// A retried transaction starts from nothing.
		done, refused = nil, map[int64]error{}
		regs, err := tx.LockRegistrations(ctx, ids)
		if err != nil {
			return err
		}
		found := make(map[int64]bool, len(regs))
		var changed []domain.Registration
		var details []map[string]any
		var mail []Mail
		for _, r := range regs {
			found[r.ID] = true
			if !domain.CanView(actor, r) {
				// Someone else's registration is reported as missing, not described.
				refused[r.ID] = notFound()
				continue
			}
			d, err := domain.Decide(actor, r, approve, reason, now)
			if err != nil {
				refused[r.ID] = err
				continue
			}
			changed = append(changed, d)
			done = append(done, d.ID)
			details = append(details, map[string]any{"state": d.State, "reason": d.Reason})
			mail = append(mail, decisionMail(d))
		}
		for _, id := range ids {
			if !found[id] {
				refused[id] = notFound()
			}
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.SaveRegistrations(ctx, changed); err != nil {
			return err
		}
		action := "registration.approve"
		if !approve {
			action = "registration.reject"
		}
		if err := tx.Audit(ctx, a, action, "registration", done, details); err != nil {
			return err
		}
		if approve {
			if err := tx.ProcessVisas(ctx, a, done, now); err != nil {
				return err
			}
			if err := tx.ConfirmMembers(ctx, done); err != nil {
				return err
			}
		} else if err := tx.WithdrawVisas(ctx, a, done, now); err != nil {
			return err
		}
		return tx.QueueMail(ctx, mail)
	})
	return done, refused, err
}

// decisionMail tells the delegate of a decision: approved, or rejected with the reason.
func decisionMail(r domain.Registration) Mail {
	kind := MailRegistrationApproved
	if r.State == domain.Rejected {
		kind = MailRegistrationRejected
	}
	return Mail{Key: fmt.Sprintf("reg:%d:%s:%d", r.ID, r.State, r.UpdatedAt.UnixNano()), Kind: kind, AccountID: r.AccountID, Registration: r.ID}
}
