package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// figures returns the counts of list id as the secretariat's page reads them.
func (w *world) figures(actor domain.Actor, id int64) domain.ListFigures {
	w.t.Helper()
	lists, _, err := w.svc.Desk.CheckInLists(context.Background(), actor, w.meeting)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, l := range lists {
		if l.ID == id {
			return l.Figures
		}
	}
	w.t.Fatalf("list %d not among %+v", id, lists)
	return domain.ListFigures{}
}

// The secretariat adds a room that counts every entry and scans exits, and renames it; each
// change is in the meeting's history; desk staff may not. 40 desks scanning the same code at the
// room's door at once make exactly one entry; then an exit, a re-entry, and offline scans made
// earlier that arrive late are judged at their own time, recorded (never lost) and counted right.
func TestCheckInListRoom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec := w.actor(secretariat)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)
	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	staff := w.deskStaff(delegateMS)
	if _, err := w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: staff.ID}, staff,
		domain.CheckInList{MeetingID: w.meeting, Kind: domain.RoomList, Name: domain.Text{"en": "Room"}}); domain.ErrorCode(err) != domain.Forbidden {
		t.Fatalf("desk staff adding a list: %v", err)
	}
	_, err = w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, domain.CheckInList{MeetingID: w.meeting, Kind: domain.RoomList})
	if e, ok := domain.AsError(err); !ok || e.Fields[domain.FieldListName] != "checkin.name_required" {
		t.Fatalf("room without a name: %v", err)
	}
	room, err := w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, domain.CheckInList{MeetingID: w.meeting, Kind: domain.RoomList,
		Name: domain.Text{"en": "Room C", "fr": "Salle C"}, MultiEntry: true, Exits: true})
	if err != nil {
		t.Fatal(err)
	}
	room.Name = room.Name.With("zh", "C 会议室")
	if room, err = w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, room); err != nil {
		t.Fatal(err)
	}
	lists, _, err := w.svc.Desk.CheckInLists(ctx, staff, w.meeting)
	if err != nil || len(lists) != 2 || lists[0].Kind != domain.EntryList || lists[1].ID != room.ID || lists[1].Name["zh"] != "C 会议室" || !lists[1].Exits || !lists[1].MultiEntry {
		t.Fatalf("lists %+v %v, want the entry, then the room as saved", lists, err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity = 'meeting' AND entity_id = $1 AND action IN ('checkin_list.create', 'checkin_list.edit')
		AND (detail->>'list')::bigint = $2 AND actor_id = $3`, w.meeting, room.ID, sec.ID); n != 2 {
		t.Errorf("%d list changes in the meeting's history, want 2", n)
	}
	// Saved again unchanged: nothing written.
	if _, err := w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, room); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action LIKE 'checkin_list.%' AND (detail->>'list')::bigint = $1`, room.ID); n != 2 {
		t.Errorf("%d list events after an unchanged save, want 2", n)
	}

	const desks = 40
	w.now = w.now.Add(time.Hour)
	results := make([]service.ScanResult, desks)
	errs := make([]error, desks)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range desks {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			results[i], errs[i] = w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff,
				service.Scan{MeetingID: w.meeting, ListID: room.ID, Code: c.Code, Desk: "Door " + string(rune('A'+i%26))})
		}()
	}
	start.Done()
	done.Wait()
	accepted := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("desk %d: %v", i, errs[i])
		}
		switch {
		case r.Outcome == domain.ScanAccepted:
			accepted++
		case r.Outcome != domain.ScanDuplicate || r.Refusal != domain.RefuseAlready || r.Args["Desk"] == nil:
			t.Errorf("desk %d: %+v, want a duplicate saying when and where", i, r)
		}
	}
	if accepted != 1 {
		t.Fatalf("%d entries accepted at 40 doors at once, want 1", accepted)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE list_id = $1 AND registration_id = $2`, room.ID, reg.ID); n != desks {
		t.Errorf("%d scans stored, want all %d", n, desks)
	}
	if f := w.figures(sec, room.ID); f != (domain.ListFigures{Entries: 1, Inside: 1}) {
		t.Errorf("figures %+v after one entry", f)
	}
	entered := w.now

	redeem := func(dir domain.Direction, at time.Time, desk string) service.ScanResult {
		t.Helper()
		r, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff,
			service.Scan{MeetingID: w.meeting, ListID: room.ID, Code: c.Code, Direction: dir, At: at, Desk: desk, DeviceID: 3})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	w.now = entered.Add(time.Hour)
	if r := redeem(domain.Exit, time.Time{}, "Door B"); r.Outcome != domain.ScanAccepted {
		t.Fatalf("exit: %+v", r)
	}
	if f := w.figures(sec, room.ID); f != (domain.ListFigures{Entries: 1, Exits: 1, Inside: 0}) {
		t.Errorf("figures %+v after the exit", f)
	}
	// A scanner offline since before the exit sends an exit made 10 minutes before it: the same
	// passage, a duplicate naming the exit counted.
	if r := redeem(domain.Exit, w.now.Add(-10*time.Minute), "Scanner 3"); r.Outcome != domain.ScanDuplicate || r.Refusal != domain.RefuseAlreadyOut || r.Args["Desk"] != "Door B" {
		t.Errorf("late exit: %+v", r)
	}
	// An entry made offline while the person was inside: already in, named by the first entry.
	if r := redeem(domain.Entry, entered.Add(30*time.Minute), "Scanner 3"); r.Outcome != domain.ScanDuplicate || r.Refusal != domain.RefuseAlready {
		t.Errorf("late entry while inside: %+v", r)
	}
	w.now = w.now.Add(time.Hour)
	back := redeem(domain.Entry, time.Time{}, "Door A")
	if back.Outcome != domain.ScanAccepted {
		t.Fatalf("re-entry after the exit: %+v", back)
	}
	if r := redeem(domain.Entry, time.Time{}, "Door A"); r.Outcome != domain.ScanDuplicate {
		t.Errorf("entry while inside: %+v", r)
	}
	if f := w.figures(sec, room.ID); f != (domain.ListFigures{Entries: 2, Exits: 1, Inside: 1}) {
		t.Errorf("figures %+v after the re-entry", f)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE list_id = $1 AND device_id = 3 AND outcome = 'duplicate'`, room.ID); n != 3 {
		t.Errorf("%d duplicates recorded, want 3", n)
	}
	// The meeting's entry list is another list: the person is not checked in there.
	if r, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, service.Scan{MeetingID: w.meeting, Code: c.Code}); err != nil || r.Outcome != domain.ScanAccepted {
		t.Errorf("entry list: %+v %v", r, err)
	}
}

// A co-located event's list admits its attendees only; a list of the entry that takes no exits
// refuses one; a list of another meeting is not found.
func TestCheckInListEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sec := w.actor(secretariat)
	var event int64
	if err := w.db.Pool.QueryRow(ctx, `INSERT INTO colocated_events (meeting_id, title, first_day, last_day)
		SELECT id, '{"en": "Workshop on AI"}', first_day - 1, first_day - 1 FROM meetings WHERE id = $1 RETURNING id`, w.meeting).Scan(&event); err != nil {
		t.Fatal(err)
	}
	attendee, other := w.actor(delegateSM), w.actor(delegateMS)
	a := w.approved(attendee, w.actor(focalSM), domain.Remote)
	o := w.approved(other, w.actor(focalMS), domain.InPerson)
	if _, err := w.svc.Registrations.SetColocated(ctx, postgres.Audit{ActorID: attendee.ID}, attendee, a.ID, []int64{event}); err != nil {
		t.Fatal(err)
	}
	list, err := w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, domain.CheckInList{MeetingID: w.meeting, Kind: domain.EventList, EventID: event})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Desk.SaveCheckInList(ctx, postgres.Audit{ActorID: sec.ID}, sec, domain.CheckInList{MeetingID: w.meeting, Kind: domain.EventList, EventID: event})
	if e, ok := domain.AsError(err); !ok || e.Fields[domain.FieldListEvent] != "checkin.event_taken" {
		t.Errorf("a second list for the event: %v", err)
	}
	scan := func(list, reg int64, dir domain.Direction) service.ScanResult {
		t.Helper()
		r, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec, service.Scan{MeetingID: w.meeting, ListID: list, Registration: reg, Direction: dir, Desk: "Workshop"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := scan(list.ID, a.ID, domain.Entry); r.Outcome != domain.ScanAccepted {
		t.Errorf("attendee (remote at the meeting): %+v", r)
	}
	if r := scan(list.ID, o.ID, domain.Entry); r.Refusal != domain.RefuseNotAttending {
		t.Errorf("not attending: %+v", r)
	}
	if r := scan(0, o.ID, domain.Exit); r.Refusal != domain.RefuseNoExits {
		t.Errorf("exit on the entry: %+v", r)
	}
	if r := scan(0, a.ID, domain.Entry); r.Refusal != domain.RefuseRemote {
		t.Errorf("remote at the entry: %+v", r)
	}
	var otherMeeting int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE id <> $1 ORDER BY id LIMIT 1`, w.meeting).Scan(&otherMeeting); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Desk.Redeem(ctx, postgres.Audit{ActorID: sec.ID}, sec, service.Scan{MeetingID: otherMeeting, ListID: list.ID, Registration: a.ID}); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another meeting's list: %v", err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'scan.record' AND (detail->>'list')::bigint = $1`, list.ID); n != 2 {
		t.Errorf("%d scans of the event's list audited, want 2", n)
	}
	// The event removed from the meeting: its list stays with its scans, admitting nobody.
	if _, err := w.db.Pool.Exec(ctx, `DELETE FROM colocated_events WHERE id = $1`, event); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM scans WHERE list_id = $1`, list.ID); n != 2 {
		t.Errorf("%d scans kept after the event's removal, want 2", n)
	}
	if r := scan(list.ID, a.ID, domain.Entry); r.Refusal != domain.RefuseNotAttending {
		t.Errorf("after the event's removal: %+v", r)
	}
}
