package service

import (
	"context"

	"plenary/internal/domain"
)

// FocalMailTx is what choosing how a focal point is told of new requests does inside its
// transaction.
type FocalMailTx interface {
	// SetDigestPref records the account's choice: a daily digest at *at, or one mail per
	// request (nil).
	SetDigestPref(ctx context.Context, accountID int64, at *domain.DigestAt) error
	// ReleaseDigestMail queues at once the account's mail waiting for a digest, and has the
	// mail workers woken after the commit; it returns how many mails it released.
	ReleaseDigestMail(ctx context.Context, accountID int64) (int, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// FocalMailReads are what the focal point's mail preference reads outside a transaction.
type FocalMailReads interface {
	// DigestPref is the time of day of the account's daily digest; nil: one mail per request.
	DigestPref(ctx context.Context, accountID int64) (*domain.DigestAt, error)
}

// FocalMail is how a focal point is told of the requests of their organisation's delegates:
// one mail per request, or a daily digest.
type FocalMail struct {
	tx    RunTx[FocalMailTx]
	reads FocalMailReads
}

// NewFocalMail builds the service over the store's transaction and read side.
func NewFocalMail(tx RunTx[FocalMailTx], reads FocalMailReads) *FocalMail {
	return &FocalMail{tx: tx, reads: reads}
}

// DigestPref says how actor is told of new requests: a daily digest at the time returned, or
// one mail per request (nil). Only a focal point has the choice.
func (s *FocalMail) DigestPref(ctx context.Context, actor domain.Actor) (*domain.DigestAt, error) {
	if !actor.IsFocalPoint() {
		return nil, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.DigestPref(ctx, actor.ID)
}

// SetDigest records how the focal point actor is told of new requests: a daily digest at *at,
// or one mail per request (nil). Going back to one mail each sends the requests still waiting
// for a digest at once. Audited (account.mail_preference) in the same transaction; refused
// (Forbidden, nothing changed) for anyone who is not a focal point.
func (s *FocalMail) SetDigest(ctx context.Context, a Audit, actor domain.Actor, at *domain.DigestAt) error {
	if !actor.IsFocalPoint() {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.tx(ctx, func(tx FocalMailTx) error {
		detail := map[string]any{"digest_at": nil}
		if at != nil {
			detail["digest_at"] = at.String()
		}
		if err := tx.SetDigestPref(ctx, actor.ID, at); err != nil {
			return err
		}
		if at == nil {
			n, err := tx.ReleaseDigestMail(ctx, actor.ID)
			if err != nil {
				return err
			}
			detail["released"] = n
		}
		return tx.Audit(ctx, a, "account.mail_preference", "account", []int64{actor.ID}, []map[string]any{detail})
	})
}
