package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A focal point switches their organisation's automatic approval: stored, audited in the same
// transaction, the organisation's name returned; another organisation's focal point and a
// delegate are refused and nothing changes; their own organisations and colleagues are theirs
// alone.
func TestFocalAutoApprovalAndColleagues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	focal, other, delegate := w.actor(focalSM), w.actor(focalMS), w.actor(delegateSM)
	orgs, err := w.svc.Focal.Organisations(ctx, focal)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("focal point's organisations: %v %v, want one", orgs, err)
	}
	org := orgs[0]
	if none, err := w.svc.Focal.Organisations(ctx, delegate); err != nil || len(none) != 0 {
		t.Errorf("a delegate's organisations as focal point: %v %v, want none", none, err)
	}

	name, err := w.svc.Focal.SetAutoApproval(ctx, postgres.Audit{ActorID: focal.ID, RequestID: "auto1"}, focal, org.ID, !org.AutoApproval)
	if err != nil || name != org.Name {
		t.Fatalf("switch: %q %v, want %q", name, err, org.Name)
	}
	if n := w.count(`SELECT count(*) FROM organisations WHERE id = $1 AND auto_approval = $2`, org.ID, !org.AutoApproval); n != 1 {
		t.Error("the switch was not stored")
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'organisation.auto_approval' AND entity_id = $1
		AND request_id = 'auto1' AND (detail->>'auto_approval')::bool = $2`, org.ID, !org.AutoApproval); n != 1 {
		t.Errorf("%d audit events of the switch, want 1", n)
	}

	events := w.count(`SELECT count(*) FROM audit_events`)
	for _, who := range []domain.Actor{other, delegate} {
		if _, err := w.svc.Focal.SetAutoApproval(ctx, postgres.Audit{ActorID: who.ID}, who, org.ID, org.AutoApproval); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("actor %d switches another's organisation: %v, want Forbidden", who.ID, err)
		}
		if _, err := w.svc.Focal.Colleagues(ctx, who, org.ID); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("actor %d lists another organisation's colleagues: %v, want Forbidden", who.ID, err)
		}
	}
	if n := w.count(`SELECT count(*) FROM organisations WHERE id = $1 AND auto_approval = $2`, org.ID, !org.AutoApproval); n != 1 ||
		w.count(`SELECT count(*) FROM audit_events`) != events {
		t.Error("a refused switch changed something")
	}
	secretariat := w.actor(secretariat)
	if _, err := w.svc.Focal.SetAutoApproval(ctx, postgres.Audit{ActorID: secretariat.ID}, secretariat, -1, true); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a missing organisation: %v, want NotFound", err)
	}

	colleagues, err := w.svc.Focal.Colleagues(ctx, focal, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := w.count(`SELECT count(*) FROM accounts WHERE organisation_id = $1`, org.ID)
	if len(colleagues) != want || want == 0 {
		t.Errorf("%d colleagues, want the organisation's %d accounts", len(colleagues), want)
	}
}
