package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A delegate chooses a co-located event: stored and audited in the same transaction, read back
// by Colocated and Calendar; an event of no meeting of theirs is refused beside the field and
// another organisation's focal point is told it does not exist, each changing nothing.
func TestColocatedChoice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, other := w.actor(delegateSM), w.actor(focalMS)
	var ev int64
	if err := w.db.Pool.QueryRow(ctx, `INSERT INTO colocated_events (meeting_id, title, first_day, last_day)
		SELECT id, '{"en":"Workshop"}', first_day, first_day FROM meetings WHERE id = $1 RETURNING id`, w.meeting).Scan(&ev); err != nil {
		t.Fatal(err)
	}
	reg := w.register(delegate, domain.InPerson)

	got, err := w.svc.Registrations.SetColocated(ctx, postgres.Audit{ActorID: delegate.ID, RequestID: "co1"}, delegate, reg.ID, []int64{ev, ev})
	if err != nil || len(got) != 1 || got[0] != ev {
		t.Fatalf("choose the workshop: %v %v", got, err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'registration.colocated' AND entity_id = $1 AND request_id = 'co1'`, reg.ID); n != 1 {
		t.Errorf("%d events of the choice, want 1", n)
	}
	ch, err := w.svc.Registrations.Colocated(ctx, delegate, reg.ID)
	if err != nil || len(ch.Chosen) != 1 || ch.Chosen[0] != ev || ch.Line.ID != reg.ID {
		t.Errorf("read back: %+v %v", ch, err)
	}
	if _, attending, err := w.svc.Registrations.Calendar(ctx, delegate, reg.ID); err != nil || len(attending) != 1 {
		t.Errorf("calendar: %v %v", attending, err)
	}

	events, chosen := w.count(`SELECT count(*) FROM audit_events`), w.count(`SELECT count(*) FROM registration_colocated_events`)
	_, err = w.svc.Registrations.SetColocated(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID, []int64{ev + 1000})
	if e, ok := domain.AsError(err); !ok || e.Fields[domain.FieldColocated] == "" {
		t.Errorf("an unknown event: %v, want a message beside the field", err)
	}
	if _, err := w.svc.Registrations.SetColocated(ctx, postgres.Audit{ActorID: other.ID}, other, reg.ID, nil); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point: %v, want NotFound", err)
	}
	if _, err := w.svc.Registrations.Colocated(ctx, other, reg.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point reads it: %v, want NotFound", err)
	}
	if w.count(`SELECT count(*) FROM audit_events`) != events || w.count(`SELECT count(*) FROM registration_colocated_events`) != chosen {
		t.Error("a refused change changed something")
	}
}

// The question before a cancellation says who would be mailed, as Cancel mails them: every focal
// point of the organisation when the delegate cancels, the others when a focal point does; it
// changes nothing, and one already cancelled is refused as Cancel refuses it.
func TestPreviewCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.register(delegate, domain.Remote)
	fps := w.count(`SELECT count(*) FROM focal_points WHERE organisation_id = $1`, reg.OrganisationID)
	if fps == 0 {
		t.Fatal("the delegate's organisation has no focal point")
	}
	p, err := w.svc.Registrations.PreviewCancel(ctx, delegate, reg.ID)
	if err != nil || p.FocalPointsTold != fps || p.ActorIsFocalPoint || p.Line.ID != reg.ID {
		t.Errorf("the delegate asks: %+v %v, want %d focal points told", p, err, fps)
	}
	if p, err = w.svc.Registrations.PreviewCancel(ctx, focal, reg.ID); err != nil || p.FocalPointsTold != fps-1 || !p.ActorIsFocalPoint {
		t.Errorf("the focal point asks: %+v %v, want %d told", p, err, fps-1)
	}
	if n := w.count(`SELECT count(*) FROM registrations WHERE id = $1 AND state = 'cancelled'`, reg.ID); n != 0 {
		t.Fatal("the question cancelled")
	}
	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID); err != nil {
		t.Fatal(err)
	}
	told := w.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'registration.cancelled' AND registration_id = $1`, reg.ID)
	if told != fps {
		t.Errorf("Cancel mailed %d focal points, the question said %d", told, fps)
	}
	if _, err := w.svc.Registrations.PreviewCancel(ctx, delegate, reg.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("asking again once cancelled: %v, want Conflict", err)
	}
}
