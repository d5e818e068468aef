package site

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web"
)

var testCatalogue = sync.OnceValues(func() (*i18n.Catalogue, error) { return i18n.Load(web.Locales()) })

// tr is the catalogue's translator for lang.
func tr(t *testing.T, lang string) *i18n.Translator {
	t.Helper()
	cat, err := testCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(lang)
}

// sessionsOnly is a calendar of the sessions alone, named by the meeting's title.
func sessionsOnly(d *domain.MeetingDetail, lang string) calendarContent {
	return calendarContent{Name: d.Title.In(lang)}
}

func icalMeeting() *domain.MeetingDetail {
	wps := []domain.WorkingParty{
		{ID: 1, Number: 1, Code: "WP1/13", Title: domain.Text{"en": "Networks, IMT-2020 & beyond; trust, quantum", "zh": "网络、IMT-2020及以后；信任，量子"}},
		{ID: 2, Number: 2, Code: "WP2/13", Title: domain.Text{"en": `Cloud\computing`, "zh": "云计算"}},
		{ID: 3, Number: 3, Code: "WP3/13", Title: domain.Text{"en": "Network evolution", "zh": "网络演进"}},
	}
	end := time.Date(2025, 7, 25, 12, 0, 0, 0, time.UTC)
	return &domain.MeetingDetail{
		Meeting: domain.Meeting{
			ID: 7, Slug: "sg13-wp-2025-07",
			Title: domain.Text{
				"en": "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13; a title long enough to need folding more than once when written as a content line",
				"zh": "第1/13、2/13、3/13和4/13工作组会议——这是一个足够长的中文标题，需要在七十五个八位字节处折行，并且不能把一个汉字切成两半",
			},
			City: domain.Text{"en": "Geneva"}, Venue: domain.Text{"en": "ITU headquarters"}, TimeZone: "Europe/Zurich",
			FirstDay:  time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC),
			LastDay:   time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC),
			UpdatedAt: time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC),
		},
		WorkingParties: wps,
		Sessions: []domain.Session{
			{ID: 11, WorkingPartyID: 1, StartsAt: time.Date(2025, 7, 25, 9, 0, 0, 0, time.UTC), EndsAt: &end, Room: domain.Text{"en": "Room K, Tower"}},
			{ID: 12, WorkingPartyID: 2, StartsAt: time.Date(2025, 7, 25, 10, 30, 0, 0, time.UTC)},
			{ID: 13, WorkingPartyID: 3, StartsAt: time.Date(2025, 7, 25, 14, 0, 0, 0, time.UTC)},
		},
	}
}

// lines splits an iCalendar file into its physical lines, failing on any line ending but CRLF.
func lines(t *testing.T, b []byte) []string {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the file does not end with CRLF")
	}
	if strings.Count(s, "\n") != strings.Count(s, "\r\n") || strings.Count(s, "\r") != strings.Count(s, "\r\n") {
		t.Fatal("a line ends with a bare LF or CR")
	}
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

// unfold joins continuation lines (RFC 5545 §3.1).
func unfold(phys []string) []string {
	var out []string
	for _, l := range phys {
		if strings.HasPrefix(l, " ") && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestICalendarIsValidRFC5545(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			d := icalMeeting()
			b := icalendar(d, tr(t, lang), "https://plenary.example", sessionsOnly(d, lang))
			if !utf8.Valid(b) {
				t.Fatal("the file is not valid UTF-8")
			}
			phys := lines(t, b)
			folded := 0
			for i, l := range phys {
				if len(l) > 75 {
					t.Errorf("line %d has %d octets (> 75): %q", i+1, len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a UTF-8 character: %q", i+1, l)
				}
				if strings.HasPrefix(l, " ") {
					folded++
				}
			}
			if folded == 0 {
				t.Error("no line was folded: the test's long title should need folding")
			}
			logical := unfold(phys)
			if logical[0] != "BEGIN:VCALENDAR" || logical[len(logical)-1] != "END:VCALENDAR" {
				t.Errorf("the file runs from %q to %q", logical[0], logical[len(logical)-1])
			}
			props := map[string][]string{}
			for _, l := range logical {
				name, value, ok := strings.Cut(l, ":")
				if !ok {
					t.Errorf("content line without a colon: %q", l)
					continue
				}
				props[name] = append(props[name], value)
			}
			for _, p := range []string{"VERSION", "PRODID"} {
				if len(props[p]) != 1 {
					t.Errorf("%s appears %d times, want once", p, len(props[p]))
				}
			}
			if got := strings.Count(string(b), "BEGIN:VEVENT\r\n"); got != len(d.Sessions) {
				t.Errorf("%d VEVENTs, want one per session (%d)", got, len(d.Sessions))
			}
			if got := strings.Count(string(b), "END:VEVENT\r\n"); got != len(d.Sessions) {
				t.Errorf("%d END:VEVENT, want %d", got, len(d.Sessions))
			}
			uids := map[string]bool{}
			for _, u := range props["UID"] {
				uids[u] = true
			}
			if len(uids) != len(d.Sessions) {
				t.Errorf("UIDs = %v, want %d distinct", props["UID"], len(d.Sessions))
			}
			if len(props["DTSTAMP"]) != len(d.Sessions) || props["DTSTAMP"][0] != "20250601T083000Z" {
				t.Errorf("DTSTAMP = %v, want 20250601T083000Z on each event", props["DTSTAMP"])
			}
			starts := props["DTSTART;TZID=Europe/Zurich"]
			want := []string{"20250725T090000", "20250725T103000", "20250725T140000"}
			if strings.Join(starts, ",") != strings.Join(want, ",") {
				t.Errorf("DTSTART;TZID=Europe/Zurich = %v, want %v", starts, want)
			}
			// Every session ends: at its own end, else after the default three hours.
			if ends, want := props["DTEND;TZID=Europe/Zurich"], []string{"20250725T120000", "20250725T133000", "20250725T170000"}; strings.Join(ends, ",") != strings.Join(want, ",") {
				t.Errorf("DTEND = %v, want %v", ends, want)
			}
			if got := props["URL"]; len(got) != 3 || got[0] != "https://plenary.example/meetings/sg13-wp-2025-07/agenda/wp1" {
				t.Errorf("URL = %v", got)
			}

			// The time zone is described, with summer and winter time for 2025.
			s := strings.Join(logical, "\n")
			tz := between(t, s, "BEGIN:VTIMEZONE", "END:VTIMEZONE")
			if !strings.Contains(tz, "TZID:Europe/Zurich") {
				t.Error("VTIMEZONE lacks TZID:Europe/Zurich")
			}
			for _, want := range []string{
				"BEGIN:DAYLIGHT\nDTSTART:20250330T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\nEND:DAYLIGHT",
				"BEGIN:STANDARD\nDTSTART:20251026T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\nEND:STANDARD",
			} {
				if !strings.Contains(tz, want) {
					t.Errorf("VTIMEZONE lacks\n%s\ngot\n%s", want, tz)
				}
			}
			if strings.Index(s, "BEGIN:VTIMEZONE") > strings.Index(s, "BEGIN:VEVENT") {
				t.Error("VTIMEZONE comes after the events that use it")
			}

			// Text values are escaped, and unescaping gives the original back.
			summaries := props["SUMMARY"]
			if lang == "en" {
				if summaries[0] != `WP1/13 – Networks\, IMT-2020 & beyond\; trust\, quantum` {
					t.Errorf("SUMMARY = %q, want commas and semicolons escaped", summaries[0])
				}
				if summaries[1] != `WP2/13 – Cloud\\computing` {
					t.Errorf("SUMMARY = %q, want the backslash escaped", summaries[1])
				}
			} else if summaries[0] != `WP1/13 – 网络、IMT-2020及以后；信任，量子` {
				// Full-width punctuation is not iCalendar syntax and stays as it is.
				t.Errorf("zh SUMMARY = %q", summaries[0])
			}
			if got := props["LOCATION"][0]; got != `Room K\, Tower\, ITU headquarters\, Geneva` {
				t.Errorf("LOCATION = %q", got)
			}
			if got := unescape(props["X-WR-CALNAME"][0]); got != d.Title.In(lang) {
				t.Errorf("X-WR-CALNAME unescapes to %q, want %q", got, d.Title.In(lang))
			}
		})
	}
}

func TestICalendarEscapesNewlines(t *testing.T) {
	d := icalMeeting()
	d.Title = domain.Text{"en": "Line one\nLine two\r\nLine three"}
	logical := unfold(lines(t, icalendar(d, tr(t, "en"), "", sessionsOnly(d, "en"))))
	found := false
	for _, l := range logical {
		if v, ok := strings.CutPrefix(l, "DESCRIPTION:"); ok {
			found = true
			if v != `Line one\nLine two\nLine three` {
				t.Errorf("DESCRIPTION = %q, want newlines as \\n", v)
			}
		}
	}
	if !found {
		t.Error("no DESCRIPTION")
	}
}

func TestFoldingNeverSplitsACharacter(t *testing.T) {
	// Every alignment of 3- and 4-octet characters against the fold points.
	for pad := 0; pad < 4; pad++ {
		for _, ch := range []string{"会", "😀", "é"} {
			var c calWriter
			value := strings.Repeat("x", pad) + strings.Repeat(ch, 80)
			c.prop("SUMMARY", value)
			phys := strings.Split(strings.TrimSuffix(c.String(), "\r\n"), "\r\n")
			for _, l := range phys {
				if len(l) > 75 || !utf8.ValidString(l) {
					t.Fatalf("pad %d %q: bad physical line (%d octets) %q", pad, ch, len(l), l)
				}
			}
			if got := strings.Join(unfold(phys), ""); got != "SUMMARY:"+value {
				t.Fatalf("pad %d %q: unfolding does not give the line back", pad, ch)
			}
		}
	}
}

func TestICalendarForAZoneWithoutDaylightSaving(t *testing.T) {
	d := icalMeeting()
	d.TimeZone = "Asia/Shanghai"
	s := strings.Join(unfold(lines(t, icalendar(d, tr(t, "en"), "", sessionsOnly(d, "en")))), "\n")
	tz := between(t, s, "BEGIN:VTIMEZONE", "END:VTIMEZONE")
	if strings.Contains(tz, "DAYLIGHT") {
		t.Errorf("Shanghai has no summer time, got\n%s", tz)
	}
	if !strings.Contains(tz, "TZOFFSETTO:+0800") {
		t.Errorf("Shanghai's offset missing:\n%s", tz)
	}
	if !strings.Contains(s, "DTSTART;TZID=Asia/Shanghai:20250725T090000") {
		t.Error("events are not in the meeting's zone")
	}
}

func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i, j := strings.Index(s, from), strings.Index(s, to)
	if i < 0 || j < i {
		t.Fatalf("no %s … %s in\n%s", from, to, s)
	}
	return s[i : j+len(to)]
}

func unescape(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n")
	return r.Replace(s)
}

// events reads the VEVENTs of a calendar, each as its properties (name with parameters → values).
func events(t *testing.T, b []byte) []map[string][]string {
	t.Helper()
	var out []map[string][]string
	var cur map[string][]string
	for _, l := range unfold(lines(t, b)) {
		switch {
		case l == "BEGIN:VEVENT":
			cur = map[string][]string{}
		case l == "END:VEVENT":
			out = append(out, cur)
			cur = nil
		case cur != nil:
			name, value, _ := strings.Cut(l, ":")
			cur[name] = append(cur[name], unescape(value))
		}
	}
	return out
}

func one(e map[string][]string, name string) string {
	if len(e[name]) != 1 {
		return ""
	}
	return e[name][0]
}

// The meeting's calendar: every session has an end (its own, or the meeting's default length),
// and the four deadlines are all-day events, their DTEND the day after (RFC 5545 §3.6.1), in the
// reader's language.
func TestMeetingCalendarHasEndsAndDeadlines(t *testing.T) {
	d := icalMeeting()
	d.SessionMinutes = 90
	d.Overrides = map[domain.DeadlineKind]time.Time{domain.PreRegistration: time.Date(2025, 6, 27, 0, 0, 0, 0, time.UTC)}
	for _, lang := range []string{"en", "zh", "ar"} {
		tt := tr(t, lang)
		evs := events(t, icalendar(d, tt, "https://plenary.example", meetingCalendar(d, tt)))
		var sessions, deadlines []map[string][]string
		for _, e := range evs {
			if _, ok := e["DTSTART;VALUE=DATE"]; ok {
				deadlines = append(deadlines, e)
			} else {
				sessions = append(sessions, e)
			}
		}
		if len(sessions) != 3 || len(deadlines) != 4 {
			t.Fatalf("%s: %d sessions and %d all-day events, want 3 and the 4 deadlines", lang, len(sessions), len(deadlines))
		}
		for i, want := range []string{"20250725T120000", "20250725T120000", "20250725T153000"} {
			if got := one(sessions[i], "DTEND;TZID=Europe/Zurich"); got != want {
				t.Errorf("%s: session %d ends %q, want %q (own end, else 90 minutes)", lang, i+1, got, want)
			}
		}
		uids := map[string]bool{}
		for _, e := range evs {
			uids[one(e, "UID")] = true
		}
		if len(uids) != len(evs) {
			t.Errorf("%s: %d distinct UIDs for %d events", lang, len(uids), len(evs))
		}
		for _, dl := range d.Deadlines() {
			var found map[string][]string
			for _, e := range deadlines {
				if strings.Contains(one(e, "SUMMARY"), tt.T("deadline."+string(dl.Kind))) {
					found = e
				}
			}
			if found == nil {
				t.Errorf("%s: no event for the deadline %s", lang, dl.Kind)
				continue
			}
			if got, want := one(found, "DTSTART;VALUE=DATE"), dl.Day.Format("20060102"); got != want {
				t.Errorf("%s: %s starts %s, want %s", lang, dl.Kind, got, want)
			}
			if got, want := one(found, "DTEND;VALUE=DATE"), dl.Day.AddDate(0, 0, 1).Format("20060102"); got != want {
				t.Errorf("%s: %s ends %s, want the next day %s", lang, dl.Kind, got, want)
			}
			if !strings.Contains(one(found, "DESCRIPTION"), tt.Date(dl.Day)) {
				t.Errorf("%s: %s's description %q does not give its date %q", lang, dl.Kind, one(found, "DESCRIPTION"), tt.Date(dl.Day))
			}
		}
		if lang == "en" && one(deadlines[1], "SUMMARY") != "Deadline: Pre-registration (online) ("+d.Title.In("en")+")" {
			t.Errorf("the pre-registration deadline reads %q", one(deadlines[1], "SUMMARY"))
		}
		if lang == "zh" && !strings.HasPrefix(one(deadlines[0], "SUMMARY"), "截止日期：") {
			t.Errorf("zh deadline summary %q", one(deadlines[0], "SUMMARY"))
		}
	}
}

// A delegate's own calendar: the sessions, the deadlines (the visa requests' only in person),
// the desk's openings in person (with the closing time where set), and the co-located events
// they attend, not the others.
func TestRegistrationCalendar(t *testing.T) {
	d := icalMeeting()
	closes := time.Date(2025, 7, 24, 17, 0, 0, 0, time.UTC)
	d.DeskPlace = domain.Text{"en": "Montbrillant building"}
	d.DeskOpenings = []domain.DeskOpening{
		{ID: 1, OpensAt: time.Date(2025, 7, 24, 8, 0, 0, 0, time.UTC), ClosesAt: &closes},
		{ID: 2, OpensAt: time.Date(2025, 7, 25, 8, 0, 0, 0, time.UTC)},
	}
	d.ColocatedEvents = []domain.ColocatedEvent{
		{ID: 5, Title: domain.Text{"en": "Rapporteur group meetings"}, FirstDay: time.Date(2025, 7, 14, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC)},
		{ID: 6, Title: domain.Text{"en": "JCA-IMT2020"}, FirstDay: time.Date(2025, 7, 16, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2025, 7, 16, 0, 0, 0, 0, time.UTC)},
	}
	tt := tr(t, "en")
	summaries := func(evs []map[string][]string) string {
		var s []string
		for _, e := range evs {
			s = append(s, one(e, "SUMMARY"))
		}
		return strings.Join(s, " | ")
	}

	in := events(t, icalendar(d, tt, "", registrationCalendar(d, tt, domain.InPerson, []int64{5})))
	all := summaries(in)
	if len(in) != 3+4+2+1 {
		t.Fatalf("in person: %d events, want 3 sessions, 4 deadlines, 2 desk openings, 1 co-located event: %s", len(in), all)
	}
	for _, want := range []string{"Requests for visa support letters", "Registration desk open", "Rapporteur group meetings"} {
		if !strings.Contains(all, want) {
			t.Errorf("in person: no %q in %s", want, all)
		}
	}
	if strings.Contains(all, "JCA-IMT2020") {
		t.Errorf("in person: an event not attended is in the calendar: %s", all)
	}
	for _, e := range in {
		if strings.HasPrefix(one(e, "SUMMARY"), "Registration desk open") {
			if !strings.HasPrefix(one(e, "LOCATION"), "Montbrillant building, ") {
				t.Errorf("the desk's location is %q", one(e, "LOCATION"))
			}
			if one(e, "DTSTART;TZID=Europe/Zurich") == "20250724T080000" && one(e, "DTEND;TZID=Europe/Zurich") != "20250724T170000" {
				t.Errorf("the first opening ends %q, want 17:00", one(e, "DTEND;TZID=Europe/Zurich"))
			}
		}
		if one(e, "SUMMARY") == "Rapporteur group meetings" && (one(e, "DTSTART;VALUE=DATE") != "20250714" || one(e, "DTEND;VALUE=DATE") != "20250726") {
			t.Errorf("the co-located event runs %v", e)
		}
		if !strings.HasPrefix(one(e, "UID"), "mine-") {
			t.Errorf("UID %q is the public calendar's", one(e, "UID"))
		}
	}

	remote := summaries(events(t, icalendar(d, tt, "", registrationCalendar(d, tt, domain.Remote, nil))))
	if strings.Contains(remote, "visa") || strings.Contains(remote, "desk") || strings.Contains(remote, "Rapporteur") {
		t.Errorf("remote: %s", remote)
	}
	if n := strings.Count(remote, "Deadline:"); n != 3 {
		t.Errorf("remote: %d deadlines, want 3 (no visa requests): %s", n, remote)
	}
}
