package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A cancellation changes the registration, writes its audit event, and mails the organisation's
// focal points but not the one who cancelled; a second one is refused and changes nothing.
func TestCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.register(delegate, domain.Remote)

	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: delegate.ID, RequestID: "c1"}, delegate, reg.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM registrations WHERE id = $1 AND state = 'cancelled'`, reg.ID); n != 1 {
		t.Error("the registration is not cancelled")
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'registration.cancel' AND request_id = 'c1'
		AND detail->>'from' = $2`, reg.ID, string(reg.State)); n != 1 {
		t.Errorf("%d cancellation events, want 1 saying the state it left", n)
	}
	if n := w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.cancelled' AND account_id = $2`, reg.ID, focal.ID); n != 1 {
		t.Errorf("%d cancellation mails to the focal point, want 1", n)
	}

	events := w.count(`SELECT count(*) FROM audit_events`)
	mails := w.count(`SELECT count(*) FROM mail_outbox`)
	err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if e, ok := domain.AsError(err); !ok || e.Code != domain.Conflict || e.Key != "error.not_live" {
		t.Errorf("second cancellation: %v, want a Conflict (not live)", err)
	}
	if w.count(`SELECT count(*) FROM audit_events`) != events || w.count(`SELECT count(*) FROM mail_outbox`) != mails {
		t.Error("a refused cancellation wrote an audit event or mail")
	}
}

// The focal point who cancels is not mailed about their own cancellation; another
// organisation's focal point is told the registration does not exist.
func TestCancelByFocalPoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal, other := w.actor(delegateSM), w.actor(focalSM), w.actor(focalMS)
	reg := w.register(delegate, domain.InPerson)
	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: other.ID}, other, reg.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point: %v, want NotFound", err)
	}
	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: focal.ID}, focal, reg.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.cancelled'`, reg.ID); n != 0 {
		t.Errorf("%d cancellation mails, want none: the only focal point cancelled it", n)
	}
}
