package service

import (
	"context"

	"plenary/internal/domain"
)

// PrintBadge issues the badge of an approved in-person registration of the meeting, at a desk:
// a new badge token (its number one more than the last), and the previous badge's token revoked,
// so that a reprinted badge's old code is refused. Desk staff of the meeting and the secretariat
// may; the event names the desk and the staff member. It returns the badge's token and its code.
func (s *Desk) PrintBadge(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrationID int64, desk string) (domain.Token, string, error) {
	if !actor.CanAt(domain.WorkDesk, meetingID) {
		return domain.Token{}, "", domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return domain.Token{}, "", err
	}
	now := s.now()
	var tok domain.Token
	err = s.tx(ctx, func(tx DeskTx) error {
		regs, err := tx.LockRegistrations(ctx, []int64{registrationID})
		if err != nil {
			return err
		}
		if len(regs) == 0 || regs[0].MeetingID != meetingID {
			return domain.Errorf(domain.Conflict, domain.RefuseWrongMeeting)
		}
		r := regs[0]
		switch {
		case r.State == domain.Cancelled:
			return domain.Errorf(domain.Conflict, domain.RefuseCancelled)
		case r.State != domain.Approved:
			return &domain.Error{Code: domain.Conflict, Key: domain.RefuseNotApproved, Args: map[string]any{"State": r.State}}
		case r.Mode != domain.InPerson:
			return domain.Errorf(domain.Conflict, domain.RefuseRemote)
		}
		m, err := tx.MeetingByID(ctx, meetingID)
		if err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, a, []int64{r.ID}, domain.BadgeToken, domain.RevokedReprint, now); err != nil {
			return err
		}
		from, until := domain.TokenValidity(m, now)
		tok, err = issueToken(ctx, tx, a, keys, domain.Token{Kind: domain.BadgeToken, Registration: r.ID, Meeting: m.ID,
			Mode: r.Mode, ValidFrom: from, ValidUntil: until}, now)
		if err != nil {
			return err
		}
		return tx.AuditBadge(ctx, a, r.ID, map[string]any{"token": tok.ID, "number": tok.Serial, "desk": desk, "staff": actor.ID})
	})
	if err != nil {
		return domain.Token{}, "", err
	}
	return tok, tok.Sign(keys.Private), nil
}

// BadgeCode returns the code of a live badge token of the meeting, for its PDF: a revoked badge
// (reprinted since) is not printed again.
func (s *Desk) BadgeCode(ctx context.Context, actor domain.Actor, meetingID int64, tok domain.Token, revoked bool) (string, error) {
	if !actor.CanAt(domain.WorkDesk, meetingID) {
		return "", domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if tok.Meeting != meetingID || tok.Kind != domain.BadgeToken {
		return "", domain.Errorf(domain.NotFound, "error.not_found")
	}
	if revoked {
		return "", domain.ErrTokenRevoked
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return "", err
	}
	return tok.Sign(keys.Private), nil
}
