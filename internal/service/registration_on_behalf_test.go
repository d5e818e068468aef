package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
)

// Only one who may register anyone finds accounts to register, or reads the one chosen; a
// focal point is refused both.
func TestRegistrantsAreTheSecretariats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	regs := w.svc.Registrations
	sec, focal := w.actor(secretariat), w.actor(focalSM)
	found, err := regs.FindRegistrants(ctx, sec, "delegate.sm@", 20)
	if err != nil || len(found) != 1 || found[0].Email != delegateSM {
		t.Fatalf("the secretariat's search: %+v, %v; want %s", found, err, delegateSM)
	}
	acc, org, err := regs.Registrant(ctx, sec, found[0].ID)
	if err != nil || acc.Email != delegateSM || org == nil || acc.OrganisationID == nil || org.ID != *acc.OrganisationID {
		t.Errorf("the registrant: %+v, %+v, %v; want the account and its organisation", acc, org, err)
	}
	if _, err := regs.FindRegistrants(ctx, focal, "delegate", 20); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point's search: %v, want forbidden", err)
	}
	if _, _, err := regs.Registrant(ctx, focal, found[0].ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point reads a registrant: %v, want forbidden", err)
	}
	if orgs, err := regs.FilterOrganisations(ctx); err != nil || len(orgs) == 0 {
		t.Errorf("the organisations to filter by: %d, %v", len(orgs), err)
	}
}
