package domain

import (
	"sort"
	"strings"
	"time"
)

// ScreenSession is a session as the room screens show it: its start and end in the meeting's
// time zone, and whether it is under way.
type ScreenSession struct {
	WorkingParty WorkingParty
	// Room is the session's room in each language (empty: to be announced).
	Room  Text
	Start time.Time
	// End is the session's end: its own, else the meeting's default session length after its
	// start (as the calendar gives it), but never past the start of its working party's next
	// session that day.
	End time.Time
	// Now says the session has started and is not over.
	Now bool
}

// Screen is what a room screen shows at a moment: today's sessions not over yet and the sessions
// of the next day that has any, all in the meeting's time zone, for one room or for all.
type Screen struct {
	// Now is the moment shown, to the minute, in the meeting's time zone.
	Now time.Time
	// Today is the meeting zone's day at Now (midnight, in the zone).
	Today time.Time
	// Room is the room asked for, by its key (RoomKey: its English, as the meeting spells it; ""
	// for every room).
	Room string
	// RoomName is that room in each language (empty for every room, or an unknown one).
	RoomName Text
	// UnknownRoom says the room asked for is not one of the meeting's.
	UnknownRoom bool
	// Sessions are today's sessions that are not over, in time order.
	Sessions []ScreenSession
	// NextDay is the next day after today with a session (zero when there is none).
	NextDay time.Time
	Next    []ScreenSession
	// Rooms are the meeting's rooms by their keys, for a screen per room.
	Rooms []string
	// RoomNames are the rooms in each language, by their keys.
	RoomNames map[string]Text
}

// RoomKey is what names a room in a room screen's address: its English (else the first
// translation in TextOrder), trimmed; "" for a room not yet announced.
func RoomKey(room Text) string { return strings.TrimSpace(room.In("en")) }

// roomIs reports whether room is called name (case aside) in one of its languages.
func roomIs(room Text, name string) bool {
	for _, v := range room {
		if strings.EqualFold(strings.TrimSpace(v), name) {
			return true
		}
	}
	return false
}

// Name returns the room of key in lang (the key itself for a room the screen does not know).
func (sc Screen) Name(key, lang string) string {
	if t, ok := sc.RoomNames[strings.ToLower(key)]; ok {
		return strings.TrimSpace(t.In(lang))
	}
	return key
}

// wallIn reads a session's time (stored as the wall clock of the meeting's zone) in that zone.
func wallIn(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// ScreenRoom is the room a screen of meeting d asked for room shows, as RoomScreen names it
// (Screen.Room): the key of the first session's room that room names, or room itself, trimmed,
// and unknown, when no session is in it; "" for every room.
func ScreenRoom(d MeetingDetail, room string) (key string, unknown bool) {
	key, _, unknown = screenRoom(d, room)
	return key, unknown
}

// screenRoom is ScreenRoom with the room's names, from that first session.
func screenRoom(d MeetingDetail, room string) (key string, name Text, unknown bool) {
	room = strings.TrimSpace(room)
	if room == "" {
		return "", nil, false
	}
	for _, s := range d.Sessions {
		if r := RoomKey(s.Room); r != "" && roomIs(s.Room, room) {
			return r, s.Room, false
		}
	}
	return room, nil, true
}

// RoomScreen returns the screen of meeting d at now, for room ("" for every room). A session
// with no end set lasts the meeting's default session length (MeetingDetail.SessionEnd, the
// calendar's rule), cut short by the start of its working party's next session that day.
func RoomScreen(d MeetingDetail, now time.Time, room string) Screen {
	loc := d.Location()
	n := now.In(loc).Truncate(time.Minute)
	y, mo, dd := n.Date()
	sc := Screen{Now: n, Today: time.Date(y, mo, dd, 0, 0, 0, 0, loc)}
	room = strings.TrimSpace(room)
	sc.RoomNames = map[string]Text{}
	for _, s := range d.Sessions {
		r := RoomKey(s.Room)
		if r == "" {
			continue
		}
		if k := strings.ToLower(r); sc.RoomNames[k] == nil {
			sc.RoomNames[k] = s.Room
			sc.Rooms = append(sc.Rooms, r)
		}
	}
	sort.Strings(sc.Rooms)
	sc.Room, sc.RoomName, sc.UnknownRoom = screenRoom(d, room)
	all := make([]ScreenSession, 0, len(d.Sessions))
	for _, s := range d.Sessions {
		wp, _ := d.WorkingParty(s.WorkingPartyID)
		x := ScreenSession{WorkingParty: wp, Room: s.Room, Start: wallIn(s.StartsAt, loc), End: wallIn(d.SessionEnd(s), loc)}
		all = append(all, x)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.Before(all[j].Start) })
	for i := range all {
		x := &all[i]
		for _, y := range all[i+1:] {
			if y.WorkingParty.ID == x.WorkingParty.ID && sameDay(y.Start, x.Start) && y.Start.After(x.Start) {
				if y.Start.Before(x.End) {
					x.End = y.Start
				}
				break
			}
		}
	}
	for _, x := range all {
		if room != "" && !strings.EqualFold(RoomKey(x.Room), sc.Room) {
			continue
		}
		switch {
		case sameDay(x.Start, n):
			if !n.Before(x.End) {
				continue
			}
			x.Now = !n.Before(x.Start)
			sc.Sessions = append(sc.Sessions, x)
		case x.Start.After(n):
			if sc.NextDay.IsZero() {
				y, mo, dd := x.Start.Date()
				sc.NextDay = time.Date(y, mo, dd, 0, 0, 0, 0, loc)
			}
			if sameDay(x.Start, sc.NextDay) {
				sc.Next = append(sc.Next, x)
			}
		}
	}
	return sc
}
