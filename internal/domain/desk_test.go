package domain

import (
	"maps"
	"slices"
	"strings"
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
	// Beside the desk itself, the day's figures of their meeting (counts, no names).
	for _, p := range roles[RoleDeskStaff] {
		if p != WorkDesk && p != ScanTokens && p != SeeDayFigures {
			t.Errorf("desk staff hold %s", p)
		}
	}
	if !staff.CanAt(ScanTokens, meeting) || staff.CanAt(ScanTokens, meeting+1) {
		t.Error("desk staff must scan at their meeting only")
	}
}

func TestMayScan(t *testing.T) {
	nine := time.Date(2025, 7, 25, 9, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return nine.Add(time.Duration(h-9)*time.Hour + time.Duration(m)*time.Minute) }
	entry := CheckInList{ID: 1, MeetingID: 3, Kind: EntryList}
	entryExits := CheckInList{ID: 1, MeetingID: 3, Kind: EntryList, Exits: true}
	room := CheckInList{ID: 2, MeetingID: 3, Kind: RoomList, MultiEntry: true, Exits: true}
	hall := CheckInList{ID: 4, MeetingID: 3, Kind: RoomList, MultiEntry: true}
	event := CheckInList{ID: 5, MeetingID: 3, Kind: EventList, EventID: 77, MultiEntry: true, Exits: true}
	removed := CheckInList{ID: 6, MeetingID: 3, Kind: EventList}
	ok := Registration{ID: 9, MeetingID: 3, State: Approved, Mode: InPerson}
	with := func(f func(*Registration)) Registration { r := ok; f(&r); return r }
	remote := with(func(r *Registration) { r.Mode = Remote })
	in := func(h, m int, desk string) CheckIn {
		return CheckIn{RegistrationID: 9, Direction: Entry, At: at(h, m), Desk: desk}
	}
	out := func(h, m int, desk string) CheckIn {
		return CheckIn{RegistrationID: 9, Direction: Exit, At: at(h, m), Desk: desk}
	}
	type scan struct {
		dir Direction
		at  time.Time
	}
	for _, c := range []struct {
		name    string
		list    CheckInList
		r       Registration
		events  []int64
		scan    scan
		counted []CheckIn
		want    string
		// wantAt and wantDesk: the counted scan an "already" refusal names.
		wantAt   time.Time
		wantDesk string
	}{
		{name: "first entry", list: entry, r: ok, scan: scan{Entry, at(9, 0)}},
		{name: "wrong meeting", list: entry, r: with(func(r *Registration) { r.MeetingID = 4 }), scan: scan{Entry, at(9, 0)}, want: RefuseWrongMeeting},
		{name: "cancelled", list: entry, r: with(func(r *Registration) { r.State = Cancelled }), scan: scan{Entry, at(9, 0)}, want: RefuseCancelled},
		{name: "pending", list: entry, r: with(func(r *Registration) { r.State = Pending }), scan: scan{Entry, at(9, 0)}, want: RefuseNotApproved},
		{name: "rejected", list: entry, r: with(func(r *Registration) { r.State = Rejected }), scan: scan{Entry, at(9, 0)}, want: RefuseNotApproved},
		{name: "remote at the entry", list: entry, r: remote, scan: scan{Entry, at(9, 0)}, want: RefuseRemote},
		{name: "remote in a room", list: room, r: remote, scan: scan{Entry, at(9, 0)}, want: RefuseRemote},

		// One entry only: a second entry, from another desk or late from offline, says when and where.
		{name: "entry twice", list: entry, r: ok, scan: scan{Entry, at(10, 0)}, counted: []CheckIn{in(9, 0, "Desk 2")},
			want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Desk 2"},
		{name: "entry: offline scan made earlier, arriving after the online one", list: entry, r: ok, scan: scan{Entry, at(8, 50)},
			counted: []CheckIn{in(9, 0, "Desk 2")}, want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Desk 2"},
		{name: "entry: exit where exits are not scanned", list: entry, r: ok, scan: scan{Exit, at(10, 0)}, counted: []CheckIn{in(9, 0, "")}, want: RefuseNoExits},
		{name: "entry with exits: exit without entry", list: entryExits, r: ok, scan: scan{Exit, at(10, 0)}, want: RefuseNotInside},
		{name: "entry with exits: exit before the entry's time", list: entryExits, r: ok, scan: scan{Exit, at(8, 0)}, counted: []CheckIn{in(9, 0, "")}, want: RefuseNotInside},
		{name: "entry with exits: exit", list: entryExits, r: ok, scan: scan{Exit, at(12, 0)}, counted: []CheckIn{in(9, 0, "")}},
		{name: "entry with exits: no entry again after leaving", list: entryExits, r: ok, scan: scan{Entry, at(14, 0)},
			counted: []CheckIn{in(9, 0, "Desk 1"), out(12, 0, "Door")}, want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Desk 1"},
		{name: "entry with exits: exit twice", list: entryExits, r: ok, scan: scan{Exit, at(12, 5)},
			counted: []CheckIn{in(9, 0, ""), out(12, 0, "Door")}, want: RefuseAlreadyOut, wantAt: at(12, 0), wantDesk: "Door"},

		// Many entries, exits scanned.
		{name: "room: enter", list: room, r: ok, scan: scan{Entry, at(9, 0)}},
		{name: "room: exit without entry", list: room, r: ok, scan: scan{Exit, at(9, 0)}, want: RefuseNotInside},
		{name: "room: enter again while inside", list: room, r: ok, scan: scan{Entry, at(9, 30)}, counted: []CheckIn{in(9, 0, "Door A")},
			want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Door A"},
		{name: "room: leave", list: room, r: ok, scan: scan{Exit, at(10, 0)}, counted: []CheckIn{in(9, 0, "")}},
		{name: "room: leave twice", list: room, r: ok, scan: scan{Exit, at(10, 1)}, counted: []CheckIn{in(9, 0, ""), out(10, 0, "Door B")},
			want: RefuseAlreadyOut, wantAt: at(10, 0), wantDesk: "Door B"},
		{name: "room: back in after leaving", list: room, r: ok, scan: scan{Entry, at(11, 0)}, counted: []CheckIn{in(9, 0, ""), out(10, 0, "")}},
		{name: "room: out, in, out again", list: room, r: ok, scan: scan{Exit, at(12, 0)}, counted: []CheckIn{in(9, 0, ""), out(10, 0, ""), in(11, 0, "")}},
		// Offline scans arriving late are placed by their own time among those counted.
		{name: "room: late entry falls while inside", list: room, r: ok, scan: scan{Entry, at(9, 30)},
			counted: []CheckIn{in(9, 0, "Door A"), out(10, 0, "Door B")}, want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Door A"},
		{name: "room: late entry of the passage an online scan counted after it", list: room, r: ok, scan: scan{Entry, at(8, 59)},
			counted: []CheckIn{in(9, 0, "Door A")}, want: RefuseAlready, wantAt: at(9, 0), wantDesk: "Door A"},
		{name: "room: late exit followed by a counted exit", list: room, r: ok, scan: scan{Exit, at(9, 50)},
			counted: []CheckIn{in(9, 0, ""), out(10, 0, "Door B")}, want: RefuseAlreadyOut, wantAt: at(10, 0), wantDesk: "Door B"},
		{name: "room: late exit before the only entry", list: room, r: ok, scan: scan{Exit, at(8, 0)}, counted: []CheckIn{in(9, 0, "")}, want: RefuseNotInside},
		{name: "room: late pair fills a gap", list: room, r: ok, scan: scan{Entry, at(10, 30)},
			counted: []CheckIn{in(9, 0, ""), out(10, 0, ""), out(11, 0, "")}},
		{name: "room: late entry after the last exit", list: room, r: ok, scan: scan{Entry, at(10, 30)}, counted: []CheckIn{in(9, 0, ""), out(10, 0, "")}},

		// Many entries, exits not scanned: every entry counts, an exit is refused.
		{name: "hall: enter", list: hall, r: ok, scan: scan{Entry, at(9, 0)}},
		{name: "hall: enter again", list: hall, r: ok, scan: scan{Entry, at(9, 10)}, counted: []CheckIn{in(9, 0, "")}},
		{name: "hall: exit", list: hall, r: ok, scan: scan{Exit, at(9, 10)}, counted: []CheckIn{in(9, 0, "")}, want: RefuseNoExits},

		// A co-located event admits its attendees, whatever their mode at the meeting.
		{name: "event: attendee", list: event, r: ok, events: []int64{76, 77}, scan: scan{Entry, at(9, 0)}},
		{name: "event: remote attendee", list: event, r: remote, events: []int64{77}, scan: scan{Entry, at(9, 0)}},
		{name: "event: not attending", list: event, r: ok, events: []int64{76}, scan: scan{Entry, at(9, 0)}, want: RefuseNotAttending},
		{name: "event: attendee not approved", list: event, r: with(func(r *Registration) { r.State = Pending }), events: []int64{77}, scan: scan{Entry, at(9, 0)}, want: RefuseNotApproved},
		{name: "event: removed from the meeting", list: removed, r: ok, events: []int64{77}, scan: scan{Entry, at(9, 0)}, want: RefuseNotAttending},
	} {
		err := MayScan(ScanCheck{List: c.list, Registration: c.r, Events: c.events, Direction: c.scan.dir, At: c.scan.at, Counted: c.counted})
		if got := Refusal(err); got != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
			continue
		}
		if ScanDuplicates(c.want) {
			e, _ := AsError(err)
			if e.Args["At"] != c.wantAt || e.Args["Desk"] != c.wantDesk {
				t.Errorf("%s: the refusal names %v, want %s at %q", c.name, e.Args, c.wantAt, c.wantDesk)
			}
		}
	}
	if !Inside([]CheckIn{in(9, 0, "")}) || Inside([]CheckIn{in(9, 0, ""), out(10, 0, "")}) || Inside(nil) {
		t.Error("Inside")
	}
	if !ScanDuplicates(RefuseAlready) || !ScanDuplicates(RefuseAlreadyOut) || ScanDuplicates(RefuseNotInside) || ScanDuplicates("") {
		t.Error("ScanDuplicates")
	}
	if !IDCheckDue(ok, 0) || IDCheckDue(ok, 1) || IDCheckDue(remote, 0) {
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

func TestCheckCheckInList(t *testing.T) {
	events := []ColocatedEvent{{ID: 70, Title: Text{"en": "Workshop"}}, {ID: 71}}
	entry := CheckInList{ID: 1, MeetingID: 3, Kind: EntryList}
	taken := CheckInList{ID: 2, MeetingID: 3, Kind: EventList, EventID: 71}
	lists := []CheckInList{entry, taken}
	long := Text{"en": "Room", "fr": strings.Repeat("é", ListNameMax+1)}
	for _, c := range []struct {
		name   string
		before *CheckInList
		in     CheckInList
		fields map[string]string
	}{
		{"room", nil, CheckInList{MeetingID: 3, Kind: RoomList, Name: Text{"fr": "Salle A"}, EventID: 70}, nil},
		{"room without a name", nil, CheckInList{MeetingID: 3, Kind: RoomList, Name: Text{"en": ""}}, map[string]string{FieldListName: "checkin.name_required"}},
		{"room with a long name", nil, CheckInList{MeetingID: 3, Kind: RoomList, Name: long}, map[string]string{"name-fr": "checkin.name_long"}},
		{"event", nil, CheckInList{MeetingID: 3, Kind: EventList, EventID: 70}, nil},
		{"unknown event", nil, CheckInList{MeetingID: 3, Kind: EventList, EventID: 99}, map[string]string{FieldListEvent: "checkin.event_unknown"}},
		{"event with a list", nil, CheckInList{MeetingID: 3, Kind: EventList, EventID: 71}, map[string]string{FieldListEvent: "checkin.event_taken"}},
		{"a second entry", nil, CheckInList{MeetingID: 3, Kind: EntryList}, map[string]string{FieldListKind: "checkin.kind_invalid"}},
		{"unknown kind", nil, CheckInList{MeetingID: 3, Kind: "bar"}, map[string]string{FieldListKind: "checkin.kind_invalid"}},
		{"entry renamed, exits scanned", &entry, CheckInList{Kind: RoomList, EventID: 70, Name: Text{"en": "Montbrillant"}, Exits: true}, nil},
		{"event list's name removed", &taken, CheckInList{MultiEntry: true}, nil},
	} {
		got, err := CheckCheckInList(c.before, c.in, events, lists)
		e, _ := AsError(err)
		if (err == nil) != (c.fields == nil) || (e != nil && !maps.Equal(e.Fields, c.fields)) {
			t.Errorf("%s: %v %v, want %v", c.name, err, e, c.fields)
			continue
		}
		if err != nil {
			continue
		}
		if c.before != nil && (got.ID != c.before.ID || got.Kind != c.before.Kind || got.EventID != c.before.EventID || got.MeetingID != c.before.MeetingID) {
			t.Errorf("%s: edit changed what never changes: %+v", c.name, got)
		}
		if c.before != nil && (got.Exits != c.in.Exits || got.MultiEntry != c.in.MultiEntry || !got.Name.Equal(c.in.Name)) {
			t.Errorf("%s: edit lost %+v", c.name, got)
		}
		if c.before == nil && got.Kind == RoomList && got.EventID != 0 {
			t.Errorf("%s: a room keeps an event", c.name)
		}
	}
}
