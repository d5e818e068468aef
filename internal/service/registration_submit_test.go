package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A delegate's submission is stored pending, acknowledged to the delegate and put to the focal
// point; a second one is a Conflict that changes nothing; a focal point's own registration is
// approved at once and mailed as such.
func TestSubmit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg, err := w.svc.Registrations.Submit(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, w.meeting, delegate.ID, domain.RegistrationRequest{Mode: domain.InPerson}, nil)
	if err != nil || reg.ID == 0 || reg.State != domain.Pending {
		t.Fatalf("submit: %+v %v", reg, err)
	}
	for _, c := range []struct {
		kind string
		to   int64
	}{{"registration.ack", delegate.ID}, {"registration.pending", focal.ID}} {
		if n := w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = $2 AND account_id = $3
			AND facts->>'mode' = 'in_person' AND facts->>'to_email' <> ''`, reg.ID, c.kind, c.to); n != 1 {
			t.Errorf("%d %s mails with their facts to %d, want 1", n, c.kind, c.to)
		}
	}
	mails, events := w.count(`SELECT count(*) FROM mail_outbox`), w.count(`SELECT count(*) FROM audit_events`)
	_, err = w.svc.Registrations.Submit(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, w.meeting, delegate.ID, domain.RegistrationRequest{Mode: domain.Remote}, nil)
	if domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("second submission: %v, want a Conflict", err)
	}
	if w.count(`SELECT count(*) FROM mail_outbox`) != mails || w.count(`SELECT count(*) FROM audit_events`) != events {
		t.Error("a refused submission wrote mail or an audit event")
	}
	own, err := w.svc.Registrations.Submit(ctx, postgres.Audit{ActorID: focal.ID}, focal, w.meeting, focal.ID, domain.RegistrationRequest{Mode: domain.Remote}, nil)
	if err != nil || own.State != domain.Approved {
		t.Fatalf("the focal point's own: %+v %v", own, err)
	}
	if n := w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1`, own.ID); n != 1 ||
		w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.approved'`, own.ID) != 1 {
		t.Errorf("the focal point's own registration got %d mails, want the approval alone", n)
	}
}
