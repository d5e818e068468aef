package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
)

// A delegate's own registrations come with their history; their live registration at a meeting
// is theirs alone; a visitor has none.
func TestMyRegistrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, other := w.actor(delegateSM), w.actor(delegateMS)
	reg := w.register(delegate, domain.Remote)

	mine, err := w.svc.Registrations.Mine(ctx, delegate)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range mine.Lines {
		if l.AccountID != delegate.ID {
			t.Errorf("registration %d of account %d among the delegate's own", l.ID, l.AccountID)
		}
		found = found || l.ID == reg.ID
	}
	if !found || len(mine.History[reg.ID]) == 0 || mine.History[reg.ID][0].Action != "registration.submit" {
		t.Errorf("the new registration or its history is missing: %+v", mine)
	}
	if l, err := w.svc.Registrations.MineAt(ctx, delegate, w.meeting); err != nil || l == nil || l.ID != reg.ID {
		t.Errorf("live registration at the meeting: %v %v", l, err)
	}
	if l, err := w.svc.Registrations.MineAt(ctx, other, w.meeting); err != nil || (l != nil && l.ID == reg.ID) {
		t.Errorf("another delegate sees it as theirs: %v %v", l, err)
	}
	if m, err := w.svc.Registrations.Mine(ctx, domain.Actor{}); err != nil || len(m.Lines) != 0 {
		t.Errorf("a visitor's registrations: %+v %v", m, err)
	}
}
