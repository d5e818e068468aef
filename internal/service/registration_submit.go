package service

import (
	"context"
	"time"

	"plenary/internal/domain"
)

// RegistrationSubmitter stores new registrations: the one registration use case whose
// transaction the store runs itself, because it batches it. Registrations submitted at the same
// moment share one transaction (two round trips whatever their number, one commit), which is what
// keeps the registration figure of `make bench` near a plain INSERT's; each submission is still
// answered alone: its registration, or why not (the domain's refusal, a Conflict when the
// registrant has a live registration already). In that transaction the store checks each with
// domain.NewRegistration, writes it with its audit event, and queues the mail SubmissionMail
// names, with its facts. *postgres.DB implements it.
type RegistrationSubmitter interface {
	// Register stores a registration for registrant at meeting (batched with others).
	Register(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrantID int64, req domain.RegistrationRequest, now time.Time) (domain.Registration, error)
	// RegisterWithVisa stores a registration and the visa support letter request ticked on the
	// same form, in one transaction: both are made or neither is.
	RegisterWithVisa(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrantID int64, req domain.RegistrationRequest, passport *domain.Passport, now time.Time) (domain.Registration, error)
}

// Submit registers registrant (the actor, or a colleague a focal point or the secretariat
// registers) for a meeting, with, when passport is not nil, a visa support letter request made
// in the same transaction. The domain decides (the meeting open, the organisation eligible, the
// pre-registration deadline, automatic approval); the delegate is acknowledged and the focal
// points asked to decide, or the delegate told of the approval (SubmissionMail). The answer is
// true even when the request's context ends meanwhile: a registration a batch has taken is
// answered with what the batch did.
func (s *Registrations) Submit(ctx context.Context, a Audit, actor domain.Actor, meetingID, registrantID int64, req domain.RegistrationRequest, passport *domain.Passport) (domain.Registration, error) {
	now := s.now()
	if s.submit == nil {
		return domain.Registration{}, domain.Errorf(domain.Internal, "error.internal")
	}
	if passport != nil {
		return s.submit.RegisterWithVisa(ctx, a, actor, meetingID, registrantID, req, passport, now)
	}
	return s.submit.Register(ctx, a, actor, meetingID, registrantID, req, now)
}
