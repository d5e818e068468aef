package site

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"plenary/internal/domain"
)

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
			City: "Geneva", Venue: "ITU headquarters", TimeZone: "Europe/Zurich",
			FirstDay:  time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC),
			LastDay:   time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC),
			UpdatedAt: time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC),
		},
		WorkingParties: wps,
		Sessions: []domain.Session{
			{ID: 11, WorkingPartyID: 1, StartsAt: time.Date(2025, 7, 25, 9, 0, 0, 0, time.UTC), EndsAt: &end, Room: "Room K, Tower"},
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
			b := icalendar(d, lang, "https://plenary.example")
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
			if ends := props["DTEND;TZID=Europe/Zurich"]; len(ends) != 1 || ends[0] != "20250725T120000" {
				t.Errorf("DTEND = %v, want the one session with an end at 12:00", ends)
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
	logical := unfold(lines(t, icalendar(d, "en", "")))
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
	s := strings.Join(unfold(lines(t, icalendar(d, "en", ""))), "\n")
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
