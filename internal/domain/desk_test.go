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

// Who sees and who sets a registration's photo, as a matrix: role × action × whose.
func TestPhotoPermissions(t *testing.T) {
	const meeting, org = 30, 10
	r := Registration{ID: 9, AccountID: 7, OrganisationID: org, MeetingID: meeting, State: Approved, Mode: InPerson}
	actors := map[string]Actor{
		"owner":                NewActor(7, org),
		"colleague":            NewActor(8, org),
		"focal point":          NewActor(2, org, FocalPointGrant(org)),
		"other focal point":    NewActor(3, 11, FocalPointGrant(11)),
		"secretariat":          NewActor(1, 0, SecretariatGrant()),
		"desk staff":           NewActor(5, 0, DeskStaffGrant(meeting)),
		"other meeting's desk": NewActor(6, 0, DeskStaffGrant(meeting+1)),
		"visitor":              {},
	}
	want := map[string][2]bool{ // see, set
		"owner": {true, true}, "colleague": {false, false}, "focal point": {true, false}, "other focal point": {false, false},
		"secretariat": {true, true}, "desk staff": {true, true}, "other meeting's desk": {false, false}, "visitor": {false, false},
	}
	for name, a := range actors {
		if got := CanSeePhoto(a, r); got != want[name][0] {
			t.Errorf("%s sees the photo: %v, want %v", name, got, want[name][0])
		}
		if got := CanSetPhoto(a, r) == nil; got != want[name][1] {
			t.Errorf("%s sets the photo: %v, want %v", name, got, want[name][1])
		}
		// Who may set a photo may remove it, and no one else; a cancelled registration's too.
		cancelled := r
		cancelled.State = Cancelled
		for _, x := range []Registration{r, cancelled} {
			if got := CanRemovePhoto(a, x) == nil; got != want[name][1] {
				t.Errorf("%s removes the photo of a registration %s: %v, want %v", name, x.State, got, want[name][1])
			}
		}
	}
	owner := actors["owner"]
	for _, c := range []struct {
		name string
		f    func(*Registration)
		want string
	}{
		{"cancelled", func(r *Registration) { r.State = Cancelled }, "photo.refuse_state"},
		{"rejected", func(r *Registration) { r.State = Rejected }, "photo.refuse_state"},
		{"remote", func(r *Registration) { r.Mode = Remote }, "photo.refuse_remote"},
		{"pending", func(r *Registration) { r.State = Pending }, ""},
	} {
		x := r
		c.f(&x)
		err := CanSetPhoto(owner, x)
		if e, _ := AsError(err); (c.want == "" && err != nil) || (c.want != "" && (e == nil || e.Key != c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
