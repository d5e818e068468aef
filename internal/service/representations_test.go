package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// The secretariat adds a representation and retires it: each audited once in its transaction, a
// duplicate refused beside the city, a retired one no longer offered; a delegate is refused and
// nothing changes.
func TestRepresentations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec, delegate := w.actor(secretariat), w.actor(delegateSM)
	rep := domain.Representation{Country: "Testland", City: "Testville", Kind: domain.Embassy}
	if err := domain.CheckRepresentation(rep); err != nil {
		t.Fatalf("the test's representation: %v", err)
	}
	a := postgres.Audit{ActorID: sec.ID, RequestID: "rep"}
	id, err := w.svc.Representations.Add(ctx, a, sec, rep)
	if err != nil || id == 0 {
		t.Fatalf("add: %d %v", id, err)
	}
	if _, err := w.svc.Representations.Add(ctx, a, sec, rep); err == nil {
		t.Error("the same representation added twice")
	} else if e, ok := domain.AsError(err); !ok || e.Fields["city"] != "error.representation_exists" {
		t.Errorf("a duplicate: %v, want a message beside the city", err)
	}
	offered := func() bool {
		reps, err := w.svc.Representations.Offered(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if r.ID == id {
				return true
			}
		}
		return false
	}
	if !offered() {
		t.Error("the new representation is not offered")
	}
	if err := w.svc.Representations.SetActive(ctx, a, sec, id, false); err != nil {
		t.Fatal(err)
	}
	if offered() {
		t.Error("the retired representation is still offered")
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity = 'swiss_representation' AND entity_id = $1 AND request_id = 'rep'`, id); n != 2 {
		t.Errorf("%d events, want 2 (added, retired)", n)
	}
	if err := w.svc.Representations.SetActive(ctx, a, sec, -1, true); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("a missing representation: %v, want NotFound", err)
	}

	events, reps := w.count(`SELECT count(*) FROM audit_events`), w.count(`SELECT count(*) FROM swiss_representations`)
	other := rep
	other.City = "Elsewhere"
	if _, err := w.svc.Representations.Add(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, other); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate adds: %v, want Forbidden", err)
	}
	if err := w.svc.Representations.SetActive(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, id, true); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate offers one again: %v, want Forbidden", err)
	}
	if _, err := w.svc.Representations.All(ctx, delegate); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate lists all: %v, want Forbidden", err)
	}
	if w.count(`SELECT count(*) FROM audit_events`) != events || w.count(`SELECT count(*) FROM swiss_representations`) != reps {
		t.Error("a refused change changed something")
	}
}
