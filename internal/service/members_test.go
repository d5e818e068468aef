package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A focal point confirms a delegate of their organisation, then withdraws it: each recorded and
// audited once in the same transaction, a second time refused as a conflict; another
// organisation's focal point is told the account does not exist, and nothing changes.
func TestMembersConfirmAndRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	focal, other, delegate := w.actor(focalSM), w.actor(focalMS), w.actor(delegateSM)
	// The delegate starts unconfirmed, whatever the demo data holds.
	if _, err := w.db.Pool.Exec(ctx, `DELETE FROM affiliations WHERE account_id = $1`, delegate.ID); err != nil {
		t.Fatal(err)
	}
	lines, err := w.svc.Members.List(ctx, focal)
	if err != nil || len(lines) == 0 {
		t.Fatalf("members: %v %v", lines, err)
	}
	for _, l := range lines {
		if !focal.IsFocalPointOf(l.OrganisationID) {
			t.Errorf("account %d of organisation %d listed to another's focal point", l.ID, l.OrganisationID)
		}
	}
	if none, err := w.svc.Members.List(ctx, delegate); err != nil || len(none) != 0 {
		t.Errorf("a delegate's members: %v %v, want none", none, err)
	}

	before := w.count(`SELECT count(*) FROM audit_events`)
	if _, err := w.svc.Members.Confirm(ctx, postgres.Audit{ActorID: other.ID}, other, delegate.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point confirms: %v, want NotFound", err)
	}
	if w.count(`SELECT count(*) FROM affiliations WHERE account_id = $1`, delegate.ID) != 0 || w.count(`SELECT count(*) FROM audit_events`) != before {
		t.Error("a refused confirmation changed something")
	}

	a := postgres.Audit{ActorID: focal.ID, RequestID: "m1"}
	acc, err := w.svc.Members.Confirm(ctx, a, focal, delegate.ID)
	if err != nil || acc.ID != delegate.ID || acc.Name() == "" {
		t.Fatalf("confirm: %+v %v", acc, err)
	}
	if _, err := w.svc.Members.Confirm(ctx, a, focal, delegate.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("confirming again: %v, want Conflict", err)
	}
	if n := w.count(`SELECT count(*) FROM affiliations WHERE account_id = $1 AND confirmed_by = $2`, delegate.ID, focal.ID); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
	if _, err := w.svc.Members.Revoke(ctx, a, focal, delegate.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Members.Revoke(ctx, a, focal, delegate.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("withdrawing again: %v, want Conflict", err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND request_id = 'm1'
		AND action IN ('membership.confirm', 'membership.revoke')`, delegate.ID); n != 2 {
		t.Errorf("%d membership events, want 2 (one confirmation, one withdrawal)", n)
	}
}
