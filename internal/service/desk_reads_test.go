package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
)

// The desk's reads are for those who work the meeting's desk: the secretariat finds a
// registration by name and by id; a delegate is refused every read.
func TestDeskReadsAreTheDesks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	del := w.actor(delegateSM)
	reg := w.register(del, domain.InPerson)
	sec := w.actor(secretariat)
	m, err := w.db.MeetingDetailByID(ctx, w.meeting)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.Desk.Meeting(ctx, sec, m.Slug); err != nil || got.ID != m.ID {
		t.Fatalf("the secretariat's desk meeting: %v", err)
	}
	if ms, err := w.svc.Desk.Meetings(ctx, sec); err != nil || len(ms) == 0 {
		t.Errorf("the secretariat's desks: %d, %v", len(ms), err)
	}
	p, err := w.svc.Desk.Person(ctx, sec, m.ID, reg.ID)
	if err != nil || p.Registration.ID != reg.ID || p.Name == "" {
		t.Errorf("the person at the desk: %+v, %v", p, err)
	}
	found, err := w.svc.Desk.Search(ctx, sec, m.ID, p.Name)
	if err != nil || len(found) == 0 || found[0].Registration.ID != reg.ID {
		t.Errorf("search %q: %+v, %v", p.Name, found, err)
	}
	if _, err := w.svc.Desk.Meeting(ctx, del, m.Slug); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate's desk meeting: %v, want forbidden", err)
	}
	if _, err := w.svc.Desk.Person(ctx, del, m.ID, reg.ID); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate reads a desk person: %v, want forbidden", err)
	}
	if _, err := w.svc.Desk.Search(ctx, del, m.ID, p.Name); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate searches the desk: %v, want forbidden", err)
	}
	if _, _, err := w.svc.Desk.Badge(ctx, del, m.ID, 1); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate reads a badge: %v, want forbidden", err)
	}
	if ms, err := w.svc.Desk.Meetings(ctx, del); err != nil || len(ms) != 0 {
		t.Errorf("a delegate's desks: %d, %v; want none", len(ms), err)
	}
}
