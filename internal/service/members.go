package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// MemberTx is what confirming or withdrawing an account's affiliation does inside its
// transaction.
type MemberTx interface {
	// LockAccount reads an account, its row locked against a change of organisation meanwhile;
	// NotFound when there is none.
	LockAccount(ctx context.Context, id int64) (domain.Account, error)
	// ConfirmAffiliation records that the account belongs to org, vouched for by by at now;
	// false when it was already confirmed.
	ConfirmAffiliation(ctx context.Context, accountID, org, by int64, now time.Time) (bool, error)
	// WithdrawAffiliation removes that confirmation; false when there was none.
	WithdrawAffiliation(ctx context.Context, accountID, org int64) (bool, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// MemberReads are what the list of an organisation's members reads.
type MemberReads interface {
	// Members lists the accounts of the organisations, those awaiting confirmation first.
	Members(ctx context.Context, orgs []int64) ([]domain.MemberLine, error)
}

// Members are a focal point's use cases on the accounts of their organisations: confirming
// that one belongs to it opens the meeting documents to that delegate.
type Members struct {
	tx    RunTx[MemberTx]
	reads MemberReads
	now   Clock
}

// NewMembers builds the members' use cases.
func NewMembers(tx RunTx[MemberTx], reads MemberReads, now Clock) *Members {
	if now == nil {
		now = time.Now
	}
	return &Members{tx: tx, reads: reads, now: now}
}

// List lists the accounts of the organisations actor is a focal point of, those awaiting
// confirmation first; nobody else's.
func (s *Members) List(ctx context.Context, actor domain.Actor) ([]domain.MemberLine, error) {
	orgs := actor.FocalOf()
	if len(orgs) == 0 {
		return nil, nil
	}
	return s.reads.Members(ctx, orgs)
}

// Confirm confirms that account id belongs to its organisation, by a focal point of that
// organisation or the secretariat (domain.CanConfirmMember; anyone else is told the account does
// not exist). Already confirmed: Conflict. Audited (membership.confirm) in the same transaction;
// it returns the account.
func (s *Members) Confirm(ctx context.Context, a Audit, actor domain.Actor, id int64) (domain.Account, error) {
	now := s.now()
	return s.change(ctx, actor, id, func(tx MemberTx, acc domain.Account, org int64) error {
		done, err := tx.ConfirmAffiliation(ctx, id, org, actor.ID, now)
		if err != nil {
			return err
		}
		if !done {
			return domain.Errorf(domain.Conflict, "error.member_already_confirmed")
		}
		return tx.Audit(ctx, a, "membership.confirm", "account", []int64{id}, []map[string]any{{"organisation_id": org}})
	})
}

// Revoke withdraws the confirmation of account id's affiliation (someone who has left the
// organisation), as Confirm checks who may. Not confirmed: Conflict. Audited (membership.revoke).
func (s *Members) Revoke(ctx context.Context, a Audit, actor domain.Actor, id int64) (domain.Account, error) {
	return s.change(ctx, actor, id, func(tx MemberTx, acc domain.Account, org int64) error {
		done, err := tx.WithdrawAffiliation(ctx, id, org)
		if err != nil {
			return err
		}
		if !done {
			return domain.Errorf(domain.Conflict, "error.member_not_confirmed")
		}
		return tx.Audit(ctx, a, "membership.revoke", "account", []int64{id}, []map[string]any{{"organisation_id": org}})
	})
}

// change locks account id and runs fn when actor may confirm its organisation's members; any
// other account is not found, so that a focal point learns nothing of other organisations.
func (s *Members) change(ctx context.Context, actor domain.Actor, id int64, fn func(MemberTx, domain.Account, int64) error) (domain.Account, error) {
	var acc domain.Account
	err := s.tx(ctx, func(tx MemberTx) error {
		var err error
		if acc, err = tx.LockAccount(ctx, id); err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				return domain.Errorf(domain.NotFound, "error.member_not_found")
			}
			return err
		}
		if acc.OrganisationID == nil || !domain.CanConfirmMember(actor, *acc.OrganisationID) {
			return domain.Errorf(domain.NotFound, "error.member_not_found")
		}
		return fn(tx, acc, *acc.OrganisationID)
	})
	return acc, err
}
