package domain

import "time"

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
	Name      string
	// MultiEntry lists count every entry (and exit): a room. A list that is not takes one
	// check-in per registration: the entry, where the badge is collected.
	MultiEntry bool
}

// Direction is an entry or an exit.
type Direction string

// The directions.
const (
	Entry Direction = "in"
	Exit  Direction = "out"
)

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
)

// Refusal is the code of a desk error: a refusal's key, or "" when err is not one.
func Refusal(err error) string {
	if e, ok := AsError(err); ok {
		return e.Key
	}
	return ""
}

// MayEnter says whether registration r may be checked in on list at time at (the scan's own
// time), given the scans of r already counted on that list (in time order): it must be of the
// list's meeting, approved, in person, and on a single-entry list not checked in yet; on a
// multi-entry list an entry needs the person outside and an exit inside.
func MayEnter(list CheckInList, r Registration, dir Direction, prior []CheckIn) error {
	switch {
	case r.MeetingID != list.MeetingID:
		return Errorf(Conflict, RefuseWrongMeeting)
	case r.State == Cancelled:
		return Errorf(Conflict, RefuseCancelled)
	case r.State != Approved:
		return &Error{Code: Conflict, Key: RefuseNotApproved, Args: map[string]any{"State": r.State}}
	case r.Mode != InPerson:
		return Errorf(Conflict, RefuseRemote)
	}
	if !list.MultiEntry {
		if dir != Entry {
			return Errorf(Invalid, RefuseNotInside)
		}
		if len(prior) > 0 {
			return alreadyIn(prior[0])
		}
		return nil
	}
	inside := Inside(prior)
	switch {
	case dir == Entry && inside:
		return alreadyIn(prior[len(prior)-1])
	case dir == Exit && !inside:
		return Errorf(Conflict, RefuseNotInside)
	}
	return nil
}

func alreadyIn(c CheckIn) error {
	return &Error{Code: Conflict, Key: RefuseAlready, Args: map[string]any{"At": c.At, "Desk": c.Desk}}
}

// Inside reports whether a person whose counted scans of a list are prior (in time order) is
// inside now: their last scan was an entry.
func Inside(prior []CheckIn) bool {
	return len(prior) > 0 && prior[len(prior)-1].Direction == Entry
}

// ScanOutcome is what became of a scan that reached the portal.
type ScanOutcome string

// The outcomes. A scan is never lost: a duplicate or a conflict is recorded and reported.
const (
	// ScanAccepted: it counted (a check-in).
	ScanAccepted ScanOutcome = "accepted"
	// ScanDuplicate: the same person was already checked in on a single-entry list, by this
	// or another desk (a late offline scan of someone already in): recorded, not counted.
	ScanDuplicate ScanOutcome = "duplicate"
	// ScanRefused: the token or the registration refused it (revoked, cancelled, remote, ...).
	ScanRefused ScanOutcome = "refused"
)

// IDCheckDue reports whether the desk must see photo ID before handing over a badge: at the
// first collection (no badge printed yet). A reprint replaces a badge already given in person.
func IDCheckDue(r Registration, badgesPrinted int) bool {
	return r.State == Approved && r.Mode == InPerson && badgesPrinted == 0
}
