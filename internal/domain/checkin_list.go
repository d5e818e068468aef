package domain

import "unicode/utf8"

// The check-in lists as the secretariat sets them (issue 13 §4): every meeting has its entry
// list; the secretariat may add a list for a room or a co-located event.

// The check-in list form's fields. A name's translation other than English is FieldListName
// with "-" and its tag ("name-fr").
const (
	FieldListName  = "name"
	FieldListKind  = "kind"
	FieldListEvent = "event"
)

// ListNameMax is the longest a list's name may be, in characters, in any language.
const ListNameMax = 120

// ListFigures are a list's counts: entries and exits counted, and who is inside now (people whose
// last counted scan is an entry: entries minus exits where exits are scanned).
type ListFigures struct {
	Entries, Exits, Inside int
}

// CheckCheckInList checks a list the secretariat creates (before nil) or edits, against the
// meeting's co-located events and its other lists, and returns it as it is to be stored. A new
// list is a room or a co-located event (the entry list exists for every meeting); a list's kind,
// event and meeting never change once made. A room needs a name in some language; an event list
// may go without (pages call it by its event's title); an event has one list at most.
func CheckCheckInList(before *CheckInList, l CheckInList, events []ColocatedEvent, lists []CheckInList) (CheckInList, error) {
	fields := map[string]string{}
	if before != nil {
		l.ID, l.MeetingID, l.Kind, l.EventID = before.ID, before.MeetingID, before.Kind, before.EventID
	} else {
		switch l.Kind {
		case RoomList:
			l.EventID = 0
		case EventList:
			known := false
			for _, e := range events {
				known = known || e.ID == l.EventID
			}
			if !known {
				fields[FieldListEvent] = "checkin.event_unknown"
			}
			for _, o := range lists {
				if o.Kind == EventList && o.EventID == l.EventID && known {
					fields[FieldListEvent] = "checkin.event_taken"
				}
			}
		default:
			fields[FieldListKind] = "checkin.kind_invalid"
		}
	}
	name := Text{}
	for tag, s := range l.Name {
		if s == "" {
			continue
		}
		name[tag] = s
		if utf8.RuneCountInString(s) > ListNameMax {
			f := FieldListName
			if tag != "en" {
				f += "-" + tag
			}
			fields[f] = "checkin.name_long"
		}
	}
	l.Name = name
	if l.Kind == RoomList && len(name) == 0 {
		fields[FieldListName] = "checkin.name_required"
	}
	if len(fields) > 0 {
		return l, FieldErrors(fields)
	}
	return l, nil
}
