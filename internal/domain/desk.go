package domain

import (
	"slices"
	"time"
)

// The registration desk and the check-in lists (issue 13): who may be let in, on which list, and
// what a scan that arrives late or twice means.

// CheckInListKind says what a check-in list counts: the meeting's entry, a room, or a
// co-located event.
type CheckInListKind string

// The kinds of check-in list.
const (
	EntryList CheckInListKind = "entry"
	RoomList  CheckInListKind = "room"
	EventList CheckInListKind = "event"
)

// Valid reports whether k is a known kind.
func (k CheckInListKind) Valid() bool { return k == EntryList || k == RoomList || k == EventList }

// CheckInList is a list scans are recorded on. The meeting's entry list exists for every
// meeting; the secretariat may add rooms and co-located events.
type CheckInList struct {
	ID        int64
	MeetingID int64
	Kind      CheckInListKind
	// Name is the list's name in the languages it was given in; the entry list's may be empty
	// (pages call it the meeting's entry).
	Name Text
	// EventID is the co-located event an event list admits the attendees of (0 once the event
	// was removed from the meeting: the list then admits nobody, and keeps its scans).
	EventID int64
	// MultiEntry lists count every entry: a room. A list that is not takes one entry per
	// registration: the meeting's entry, where the badge is collected.
	MultiEntry bool
	// Exits says exits are scanned: a person is inside from an entry to the next exit, and on a
	// multi-entry list may enter again only after leaving. Without exits, a multi-entry list
	// counts every entry.
	Exits bool
}

// Direction is an entry or an exit.
type Direction string

// The directions.
const (
	Entry Direction = "in"
	Exit  Direction = "out"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Entry || d == Exit }

// CheckIn is one recorded scan that counted.
type CheckIn struct {
	ID             int64
	ListID         int64
	RegistrationID int64
	TokenID        int64
	Direction      Direction
	// At is when the scan was made (a device's own time for a scan made offline);
	// RecordedAt when the portal received it.
	At, RecordedAt time.Time
	Desk           string
	StaffID        int64
	DeviceID       int64
}

// The desk's refusals, each a catalogue key; some carry values (Args).
const (
	RefuseWrongMeeting = "desk.refuse.wrong_meeting"
	RefuseNotApproved  = "desk.refuse.not_approved"
	RefuseCancelled    = "desk.refuse.cancelled"
	RefuseRemote       = "desk.refuse.remote"
	RefuseAlready      = "desk.refuse.already"
	RefuseNotInside    = "desk.refuse.not_inside"
	RefuseAlreadyOut   = "desk.refuse.already_out"
	RefuseNoExits      = "desk.refuse.no_exits"
	RefuseNotAttending = "desk.refuse.not_attending"
)

// Refusal is the code of a desk error: a refusal's key, or "" when err is not one.
func Refusal(err error) string {
	if e, ok := AsError(err); ok {
		return e.Key
	}
	return ""
}

// ScanCheck is what deciding a scan needs to know.
type ScanCheck struct {
	List         CheckInList
	Registration Registration
	// Events are the co-located events the registration attends (an event list admits them).
	Events    []int64
	Direction Direction
	// At is the scan's own time: a scan made offline and sent late is judged where it falls
	// among the scans already counted, not at the end.
	At time.Time
	// Counted are the registration's counted scans of the list, in time order.
	Counted []CheckIn
}

// MayScan says whether a scan counts. The registration must be of the list's meeting, approved,
// and granted the list: in person for the entry and the rooms, attending the event for an event
// list. Then, with the scans already counted ordered by their own time:
//   - a single-entry list takes one entry per registration; a second entry, from another desk or
//     an offline scan arriving late, is refused as already checked in (when and where);
//   - an exit is refused where exits are not scanned, and where the person is not inside at the
//     scan's time (no entry before it);
//   - on a list that scans exits, an entry while inside, or followed by another entry with no exit
//     between (the same passage seen by two scanners), is already checked in; an exit after or
//     before another exit is already out. A multi-entry list lets a person in again after an exit.
func MayScan(c ScanCheck) error {
	l, r := c.List, c.Registration
	switch {
	case r.MeetingID != l.MeetingID:
		return Errorf(Conflict, RefuseWrongMeeting)
	case r.State == Cancelled:
		return Errorf(Conflict, RefuseCancelled)
	case r.State != Approved:
		return &Error{Code: Conflict, Key: RefuseNotApproved, Args: map[string]any{"State": r.State}}
	case l.Kind == EventList:
		if l.EventID == 0 || !slices.Contains(c.Events, l.EventID) {
			return Errorf(Conflict, RefuseNotAttending)
		}
	case r.Mode != InPerson:
		return Errorf(Conflict, RefuseRemote)
	}
	if c.Direction == Exit && !l.Exits {
		return Errorf(Conflict, RefuseNoExits)
	}
	// before: the last counted scan at or before the scan's time; after: the first later one.
	var before, after *CheckIn
	for i := range c.Counted {
		if c.Counted[i].At.After(c.At) {
			after = &c.Counted[i]
			break
		}
		before = &c.Counted[i]
	}
	inside := before != nil && before.Direction == Entry
	if !l.MultiEntry {
		for i := range c.Counted {
			if p := c.Counted[i]; p.Direction == c.Direction {
				return already(p)
			}
		}
		if c.Direction == Exit && !inside {
			return Errorf(Conflict, RefuseNotInside)
		}
		return nil
	}
	if !l.Exits {
		return nil
	}
	switch {
	case c.Direction == Entry && inside:
		return already(*before)
	case c.Direction == Exit && before != nil && !inside:
		return already(*before)
	case c.Direction == Exit && !inside:
		return Errorf(Conflict, RefuseNotInside)
	case after != nil && after.Direction == c.Direction:
		return already(*after)
	}
	return nil
}

// already is the refusal of a scan that repeats a counted one: when and where that was.
func already(c CheckIn) error {
	key := RefuseAlready
	if c.Direction == Exit {
		key = RefuseAlreadyOut
	}
	return &Error{Code: Conflict, Key: key, Args: map[string]any{"At": c.At, "Desk": c.Desk}}
}

// Inside reports whether a person whose counted scans of a list are counted (in time order) is
// inside now: their last scan was an entry. On a list without exits, whoever entered stays in.
func Inside(counted []CheckIn) bool {
	return len(counted) > 0 && counted[len(counted)-1].Direction == Entry
}

// ScanDuplicates reports whether a refusal means the scan repeats one already counted (the same
// person seen twice): it is recorded as a duplicate rather than a refusal.
func ScanDuplicates(key string) bool { return key == RefuseAlready || key == RefuseAlreadyOut }

// ScanOutcome is what became of a scan that reached the portal.
type ScanOutcome string

// The outcomes. A scan is never lost: a duplicate or a conflict is recorded and reported.
const (
	// ScanAccepted: it counted (a check-in).
	ScanAccepted ScanOutcome = "accepted"
	// ScanDuplicate: the scan repeats one counted (the person already checked in on a
	// single-entry list, or already inside or out), by this or another desk, or a late offline
	// scan of the same passage: recorded, not counted.
	ScanDuplicate ScanOutcome = "duplicate"
	// ScanRefused: the token or the registration refused it (revoked, cancelled, remote, ...).
	ScanRefused ScanOutcome = "refused"
)

// IDCheckDue reports whether the desk must see photo ID before handing over a badge: at the
// first collection (no badge printed yet). A reprint replaces a badge already given in person.
func IDCheckDue(r Registration, badgesPrinted int) bool {
	return r.State == Approved && r.Mode == InPerson && badgesPrinted == 0
}
