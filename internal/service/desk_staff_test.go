package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// The secretariat names desk staff of a meeting and removes them: each a role held at that
// meeting, audited once in the same transaction (naming again or removing one not named changes
// and audits nothing); an unknown email is refused beside the field; anyone else is refused and
// nothing changes.
func TestDeskStaffGrantAndRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec, delegate := w.actor(secretariat), w.actor(delegateSM)
	a := postgres.Audit{ActorID: sec.ID, RequestID: "staff"}

	err := w.svc.DeskStaff.Grant(ctx, a, sec, w.meeting, "nobody@example.org")
	if e, ok := domain.AsError(err); !ok || e.Fields["email"] != "desk.staff_unknown" {
		t.Fatalf("an unknown email: %v, want a message beside the email", err)
	}
	for range 2 { // the second time changes nothing
		if err := w.svc.DeskStaff.Grant(ctx, a, sec, w.meeting, "  "+delegateSM+" "); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'role.grant' AND entity_id = $1 AND request_id = 'staff'
		AND detail->>'role' = 'desk_staff' AND (detail->>'meeting')::bigint = $2`, delegate.ID, w.meeting); n != 1 {
		t.Errorf("%d grant events, want 1", n)
	}
	if staff := w.actor(delegateSM); !staff.CanAt(domain.WorkDesk, w.meeting) || staff.CanAt(domain.WorkDesk, w.meeting+1) {
		t.Error("the delegate named desk staff does not work that meeting's desk alone")
	}
	m, staff, err := w.svc.DeskStaff.List(ctx, sec, w.meeting)
	if err != nil || m.ID != w.meeting || len(staff) != 1 || staff[0].AccountID != delegate.ID {
		t.Fatalf("desk staff: %v %+v %v", m, staff, err)
	}
	if err := w.svc.DeskStaff.Grant(ctx, a, sec, -1, delegateSM); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("staff of a missing meeting: %v, want NotFound", err)
	}

	events, roles := w.count(`SELECT count(*) FROM audit_events`), w.count(`SELECT count(*) FROM account_roles`)
	if err := w.svc.DeskStaff.Grant(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, w.meeting, focalSM); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate names desk staff: %v, want Forbidden", err)
	}
	if err := w.svc.DeskStaff.Revoke(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, w.meeting, delegate.ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate removes desk staff: %v, want Forbidden", err)
	}
	if _, _, err := w.svc.DeskStaff.List(ctx, delegate, w.meeting); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate lists desk staff: %v, want Forbidden", err)
	}
	if w.count(`SELECT count(*) FROM audit_events`) != events || w.count(`SELECT count(*) FROM account_roles`) != roles {
		t.Error("a refused call changed something")
	}

	for range 2 {
		if err := w.svc.DeskStaff.Revoke(ctx, a, sec, w.meeting, delegate.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'role.revoke' AND entity_id = $1`, delegate.ID); n != 1 {
		t.Errorf("%d revoke events, want 1", n)
	}
	if w.actor(delegateSM).CanAt(domain.WorkDesk, w.meeting) {
		t.Error("removed, the delegate still works the desk")
	}
}
