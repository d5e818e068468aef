package domain

import (
	"testing"
	"time"
)

func screenMeeting() MeetingDetail {
	wall := func(d, h, m int) time.Time { return time.Date(2025, 7, d, h, m, 0, 0, time.UTC) }
	end := wall(25, 12, 0)
	return MeetingDetail{
		Meeting:        Meeting{TimeZone: "Europe/Zurich"},
		WorkingParties: []WorkingParty{{ID: 1, Code: "WP1/13"}, {ID: 2, Code: "WP2/13"}, {ID: 3, Code: "WP3/13"}},
		Sessions: []Session{
			{WorkingPartyID: 2, StartsAt: wall(25, 14, 0), Room: Text{"en": "Popov"}},
			{WorkingPartyID: 1, StartsAt: wall(25, 9, 0), EndsAt: &end, Room: Text{"en": "Popov"}},
			{WorkingPartyID: 3, StartsAt: wall(25, 9, 30), Room: Text{"en": "Room K "}},
			{WorkingPartyID: 3, StartsAt: wall(25, 15, 0), Room: Text{"en": "popov"}},
			{WorkingPartyID: 1, StartsAt: wall(26, 9, 0), Room: Text{"en": "Room K"}},
			{WorkingPartyID: 2, StartsAt: wall(28, 9, 0), Room: Text{"en": "Popov"}},
		},
	}
}

func codes(ss []ScreenSession) (out []string) {
	for _, s := range ss {
		c := s.WorkingParty.Code + "@" + s.Start.Format("15:04")
		if s.Now {
			c += "*"
		}
		out = append(out, c)
	}
	return out
}

func TestRoomScreenIsInTheMeetingsTimeZone(t *testing.T) {
	d := screenMeeting()
	zurich := d.Location()
	for _, c := range []struct {
		name       string
		now        time.Time
		room       string
		today      string
		sessions   string
		next, nday string
		unknown    bool
	}{
		// 07:30 UTC is 09:30 in Geneva (CEST): WP1 and WP3 are under way.
		{"morning", time.Date(2025, 7, 25, 7, 30, 0, 0, time.UTC), "", "2025-07-25", "[WP1/13@09:00* WP3/13@09:30* WP2/13@14:00 WP3/13@15:00]", "[WP1/13@09:00]", "2025-07-26", false},
		// 22:30 UTC on the 24th is already the 25th in Geneva.
		{"just after midnight", time.Date(2025, 7, 24, 22, 30, 0, 0, time.UTC), "", "2025-07-25", "[WP1/13@09:00 WP3/13@09:30 WP2/13@14:00 WP3/13@15:00]", "[WP1/13@09:00]", "2025-07-26", false},
		// At 12:00 WP1 has ended; at 15:00 WP3's morning session gave way to its afternoon one.
		{"afternoon", time.Date(2025, 7, 25, 13, 0, 0, 0, time.UTC), "", "2025-07-25", "[WP2/13@14:00* WP3/13@15:00*]", "[WP1/13@09:00]", "2025-07-26", false},
		{"one room, any case", time.Date(2025, 7, 25, 7, 30, 0, 0, time.UTC), " POPOV", "2025-07-25", "[WP1/13@09:00* WP2/13@14:00 WP3/13@15:00]", "[WP2/13@09:00]", "2025-07-28", false},
		{"before the meeting", time.Date(2025, 7, 20, 7, 30, 0, 0, time.UTC), "", "2025-07-20", "[]", "[WP1/13@09:00 WP3/13@09:30 WP2/13@14:00 WP3/13@15:00]", "2025-07-25", false},
		{"after the meeting", time.Date(2025, 7, 29, 7, 30, 0, 0, time.UTC), "", "2025-07-29", "[]", "[]", "", false},
		{"unknown room", time.Date(2025, 7, 25, 7, 30, 0, 0, time.UTC), "Nowhere", "2025-07-25", "[]", "[]", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := RoomScreen(d, c.now, c.room)
			if sc.Now.Location() != zurich || !sc.Now.Equal(c.now) {
				t.Errorf("now = %v, want %v in Europe/Zurich", sc.Now, c.now)
			}
			if got := sc.Today.Format("2006-01-02"); got != c.today {
				t.Errorf("today = %s, want %s", got, c.today)
			}
			if got := fmtList(codes(sc.Sessions)); got != c.sessions {
				t.Errorf("sessions = %s, want %s", got, c.sessions)
			}
			if got := fmtList(codes(sc.Next)); got != c.next {
				t.Errorf("next = %s, want %s", got, c.next)
			}
			nd := ""
			if !sc.NextDay.IsZero() {
				nd = sc.NextDay.Format("2006-01-02")
			}
			if nd != c.nday {
				t.Errorf("next day = %q, want %q", nd, c.nday)
			}
			if sc.UnknownRoom != c.unknown {
				t.Errorf("unknown room = %v", sc.UnknownRoom)
			}
			for _, s := range append(sc.Sessions, sc.Next...) {
				if s.Start.Location() != zurich {
					t.Errorf("%s starts in %v, not the meeting's zone", s.WorkingParty.Code, s.Start.Location())
				}
			}
		})
	}
	if got := fmtList(RoomScreen(d, time.Now(), "").Rooms); got != "[Popov Room K]" {
		t.Errorf("rooms = %s, want [Popov Room K]", got)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// A session with no end set ends as the calendar says (the meeting's default session length), but
// never after its working party's next session that day has started.
func TestRoomScreenSessionEnds(t *testing.T) {
	d := screenMeeting()
	d.SessionMinutes = 120
	ends := map[string]string{}
	sc := RoomScreen(d, time.Date(2025, 7, 24, 12, 0, 0, 0, time.UTC), "")
	for _, s := range sc.Next {
		ends[s.WorkingParty.Code+"@"+s.Start.Format("15:04")] = s.End.Format("15:04")
	}
	for k, want := range map[string]string{
		"WP1/13@09:00": "12:00", // its own end
		"WP3/13@09:30": "11:30", // the default length
		"WP2/13@14:00": "16:00",
		"WP3/13@15:00": "17:00",
	} {
		if ends[k] != want {
			t.Errorf("%s ends at %q, want %s", k, ends[k], want)
		}
	}
	// 11:45 in Zurich (09:45 UTC): WP3's morning session is over after its two hours.
	if got := fmtList(codes(RoomScreen(d, time.Date(2025, 7, 25, 9, 45, 0, 0, time.UTC), "").Sessions)); got != "[WP1/13@09:00* WP2/13@14:00 WP3/13@15:00]" {
		t.Errorf("at 11:45 sessions = %s", got)
	}
	// With a default of six hours, WP3's 09:30 session gives way to its 15:00 one.
	d.SessionMinutes = 360
	for _, s := range RoomScreen(d, time.Date(2025, 7, 24, 12, 0, 0, 0, time.UTC), "").Next {
		if s.WorkingParty.Code == "WP3/13" && s.Start.Hour() == 9 && s.End.Format("15:04") != "15:00" {
			t.Errorf("WP3's morning session ends at %s, want 15:00 (its next session)", s.End.Format("15:04"))
		}
	}
}

// A room in several languages: its screen is named by its English, found by any of its names,
// and shown in the screen's language (English when it has no translation).
func TestRoomScreenRoomInSixLanguages(t *testing.T) {
	d := screenMeeting()
	popov := Text{"en": "Popov", "zh": "波波夫厅", "ar": "قاعة بوبوف"}
	for i := range d.Sessions {
		if RoomKey(d.Sessions[i].Room) == "Popov" {
			d.Sessions[i].Room = popov
		}
	}
	now := time.Date(2025, 7, 25, 8, 0, 0, 0, time.UTC)
	for _, asked := range []string{"Popov", "波波夫厅", " قاعة بوبوف "} {
		sc := RoomScreen(d, now, asked)
		if sc.Room != "Popov" || sc.UnknownRoom {
			t.Errorf("asked %q: room %q (unknown %v), want Popov", asked, sc.Room, sc.UnknownRoom)
		}
		if got := fmtList(codes(sc.Sessions)); got != "[WP1/13@09:00* WP2/13@14:00 WP3/13@15:00]" {
			t.Errorf("asked %q: sessions %s", asked, got)
		}
		if sc.RoomName.In("zh") != "波波夫厅" {
			t.Errorf("asked %q: room name %v", asked, sc.RoomName)
		}
	}
	// The page cache's key is ScreenRoom's, asked before the screen is made: the same room.
	for _, asked := range []string{"Popov", "波波夫厅", " قاعة بوبوف ", "popov", "", " Elsewhere "} {
		sc := RoomScreen(d, now, asked)
		if key, unknown := ScreenRoom(d, asked); key != sc.Room || unknown != sc.UnknownRoom {
			t.Errorf("ScreenRoom(%q) = %q, %v; the screen shows %q, unknown %v", asked, key, unknown, sc.Room, sc.UnknownRoom)
		}
	}
	sc := RoomScreen(d, now, "")
	if got := fmtList(sc.Rooms); got != "[Popov Room K]" {
		t.Errorf("rooms = %s", got)
	}
	for _, c := range []struct{ key, lang, want string }{
		{"Popov", "zh", "波波夫厅"}, {"Popov", "ar", "قاعة بوبوف"}, {"Popov", "fr", "Popov"}, {"Room K", "zh", "Room K"}, {"Elsewhere", "zh", "Elsewhere"},
	} {
		if got := sc.Name(c.key, c.lang); got != c.want {
			t.Errorf("Name(%q, %s) = %q, want %q", c.key, c.lang, got, c.want)
		}
	}
}
