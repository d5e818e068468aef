package domain

import (
	"slices"
	"testing"
	"time"
)

func TestDeskStaffRole(t *testing.T) {
	const meeting = 30
	staff := NewActor(5, 0, DeskStaffGrant(meeting))
	sec := NewActor(1, 0, SecretariatGrant())
	focal := NewActor(2, 10, FocalPointGrant(10))
	if !staff.CanAt(WorkDesk, meeting) || staff.CanAt(WorkDesk, meeting+1) || staff.Can(WorkDesk) || staff.CanFor(WorkDesk, 10) {
		t.Error("desk staff must check in at their meeting only")
	}
	if staff.Can(ManageDesk) || staff.CanAt(ManageDesk, meeting) || focal.CanAt(WorkDesk, meeting) || focal.Can(ManageDesk) {
		t.Error("desk staff or a focal point manages the desk")
	}
	if !sec.CanAt(WorkDesk, meeting) || !sec.Can(ManageDesk) {
		t.Error("the secretariat may work any desk and manage it")
	}
	if ms, all := staff.MeetingsFor(WorkDesk); all || !slices.Equal(ms, []int64{meeting}) {
		t.Errorf("MeetingsFor(WorkDesk) %v %v", ms, all)
	}
	for _, p := range roles[RoleDeskStaff] {
		if p != WorkDesk {
			t.Errorf("desk staff hold %s", p)
		}
	}
}

func TestMayEnter(t *testing.T) {
	at := time.Date(2025, 7, 25, 8, 40, 0, 0, time.UTC)
	entry := CheckInList{ID: 1, MeetingID: 3, Kind: EntryList}
	room := CheckInList{ID: 2, MeetingID: 3, Kind: RoomList, MultiEntry: true}
	ok := Registration{ID: 9, MeetingID: 3, State: Approved, Mode: InPerson}
	in := CheckIn{ListID: 1, RegistrationID: 9, Direction: Entry, At: at, Desk: "Desk 2"}
	out := CheckIn{ListID: 2, RegistrationID: 9, Direction: Exit, At: at.Add(time.Hour)}
	with := func(f func(*Registration)) Registration { r := ok; f(&r); return r }
	for _, c := range []struct {
		name  string
		list  CheckInList
		r     Registration
		dir   Direction
		prior []CheckIn
		want  string
	}{
		{"first entry", entry, ok, Entry, nil, ""},
		{"wrong meeting", entry, with(func(r *Registration) { r.MeetingID = 4 }), Entry, nil, RefuseWrongMeeting},
		{"cancelled", entry, with(func(r *Registration) { r.State = Cancelled }), Entry, nil, RefuseCancelled},
		{"pending", entry, with(func(r *Registration) { r.State = Pending }), Entry, nil, RefuseNotApproved},
		{"rejected", entry, with(func(r *Registration) { r.State = Rejected }), Entry, nil, RefuseNotApproved},
		{"remote", entry, with(func(r *Registration) { r.Mode = Remote }), Entry, nil, RefuseRemote},
		// A second scan, from another desk or an offline scan arriving late: already in.
		{"twice on the entry", entry, ok, Entry, []CheckIn{in}, RefuseAlready},
		{"exit on the entry", entry, ok, Exit, nil, RefuseNotInside},
		{"room: enter", room, ok, Entry, nil, ""},
		{"room: enter again while inside", room, ok, Entry, []CheckIn{in}, RefuseAlready},
		{"room: leave", room, ok, Exit, []CheckIn{in}, ""},
		{"room: leave while outside", room, ok, Exit, nil, RefuseNotInside},
		{"room: back in after leaving", room, ok, Entry, []CheckIn{in, out}, ""},
	} {
		err := MayEnter(c.list, c.r, c.dir, c.prior)
		if got := Refusal(err); got != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// "Already checked in" says when and where.
	e, _ := AsError(MayEnter(entry, ok, Entry, []CheckIn{in}))
	if e.Args["Desk"] != "Desk 2" || e.Args["At"] != at {
		t.Errorf("already checked in says %v", e.Args)
	}
	if !Inside([]CheckIn{in}) || Inside([]CheckIn{in, out}) || Inside(nil) {
		t.Error("Inside")
	}
	if !IDCheckDue(ok, 0) || IDCheckDue(ok, 1) || IDCheckDue(with(func(r *Registration) { r.Mode = Remote }), 0) {
		t.Error("IDCheckDue")
	}
}
