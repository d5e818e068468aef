package domain

import (
	"testing"
	"time"
)

func TestDigestTimeFollowsTheMeetingsTimeZone(t *testing.T) {
	geneva, err := time.LoadLocation("Europe/Zurich") // Geneva keeps Zurich's time
	if err != nil {
		t.Fatal(err)
	}
	eight, _ := ParseDigestAt("08:00")
	halfPastTwo, _ := ParseDigestAt("02:30")
	for _, c := range []struct {
		name string
		day  string
		at   DigestAt
		want string // UTC
	}{
		{"winter", "2026-03-28", eight, "2026-03-28T07:00:00Z"},
		{"the day summer time starts", "2026-03-29", eight, "2026-03-29T06:00:00Z"},
		{"summer", "2026-07-25", eight, "2026-07-25T06:00:00Z"},
		{"the day summer time ends", "2026-10-25", eight, "2026-10-25T07:00:00Z"},
		// 02:30 does not exist on 29 March in Geneva: the clock goes from 02:00 to 03:00.
		{"a time the clock skips", "2026-03-29", halfPastTwo, "2026-03-29T01:30:00Z"},
		// 02:30 happens twice on 25 October: the first, still summer time.
		{"a time the clock passes twice", "2026-10-25", halfPastTwo, "2026-10-25T00:30:00Z"},
	} {
		day, _ := time.Parse(time.DateOnly, c.day)
		got := DigestTime(day, c.at, geneva).UTC().Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s: digest at %s on %s = %s, want %s", c.name, c.at, c.day, got, c.want)
		}
	}

	// Due: from its time on, for that local day; before it, not yet.
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, c := range []struct {
		now     string
		wantDay string
		due     bool
	}{
		{"2026-03-29T05:59:59Z", "2026-03-29", false},
		{"2026-03-29T06:00:00Z", "2026-03-29", true},
		{"2026-03-28T06:59:00Z", "2026-03-28", false},
		{"2026-03-28T07:00:00Z", "2026-03-28", true},
		// 23:30 UTC is already the next day in Geneva, before 08:00.
		{"2026-07-24T23:30:00Z", "2026-07-25", false},
	} {
		day, due := DigestDue(at(c.now), eight, geneva)
		if day.Format(time.DateOnly) != c.wantDay || due != c.due {
			t.Errorf("at %s: day %s due %v, want %s %v", c.now, day.Format(time.DateOnly), due, c.wantDay, c.due)
		}
	}
	// Another meeting's zone, the same choice: 08:00 in Tokyo.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if got := DigestTime(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), eight, tokyo).UTC().Format(time.RFC3339); got != "2026-03-28T23:00:00Z" {
		t.Errorf("Tokyo: %s", got)
	}
	for _, bad := range []string{"", "24:00", "8h", "07:60"} {
		if _, err := ParseDigestAt(bad); err == nil {
			t.Errorf("ParseDigestAt(%q) accepted", bad)
		}
	}
	if s := eight.String(); s != "08:00" {
		t.Errorf("String = %q", s)
	}
}
