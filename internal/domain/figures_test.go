package domain

import (
	"testing"
	"time"
)

func TestCountCheckIns(t *testing.T) {
	geneva := Location("Europe/Zurich")
	at := func(s string) *time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, geneva)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	first := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	last := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	lines := []FigureLine{
		{RegistrationID: 1, OrganisationID: 10, Organisation: "beta", Expected: true, CheckedInAt: at("2026-12-07 08:30")},
		{RegistrationID: 2, OrganisationID: 10, Organisation: "beta", Expected: true, CheckedInAt: at("2026-12-07 10:59")},
		{RegistrationID: 3, OrganisationID: 10, Organisation: "beta", Expected: true},
		// Checked in the day before the meeting, when the desk opened.
		{RegistrationID: 4, OrganisationID: 20, Organisation: "Alpha", Country: "CH", Expected: true, CheckedInAt: at("2026-12-06 17:15")},
		{RegistrationID: 5, OrganisationID: 20, Organisation: "Alpha", Country: "CH", Expected: true},
		{RegistrationID: 6, OrganisationID: 30, Organisation: "Gamma", Expected: true},
		{RegistrationID: 7, OrganisationID: 30, Organisation: "Gamma", Expected: true, CheckedInAt: at("2026-12-08 08:05")},
		// Checked in, then cancelled: counted in its hour, not in the share.
		{RegistrationID: 8, OrganisationID: 40, Organisation: "Delta", CheckedInAt: at("2026-12-07 08:45")},
		// Pending or remote: not expected, not checked in; Delta has nobody expected.
		{RegistrationID: 9, OrganisationID: 40, Organisation: "Delta"},
	}
	f := CountCheckIns(first, last, geneva, lines)
	if f.Expected != 7 || f.CheckedIn != 4 || f.Elsewhere != 1 {
		t.Fatalf("totals: expected %d, checked in %d, elsewhere %d; want 7, 4, 1", f.Expected, f.CheckedIn, f.Elsewhere)
	}
	if p, ok := f.Percent(); !ok || p != 57 {
		t.Errorf("percent %d %v, want 57 (4 of 7, rounded down)", p, ok)
	}
	want := []OrganisationFigure{
		{OrganisationID: 10, Organisation: "beta", Expected: 3, CheckedIn: 2},
		{OrganisationID: 20, Organisation: "Alpha", Country: "CH", Expected: 2, CheckedIn: 1},
		{OrganisationID: 30, Organisation: "Gamma", Expected: 2, CheckedIn: 1},
	}
	if len(f.Organisations) != len(want) {
		t.Fatalf("organisations %+v, want %+v", f.Organisations, want)
	}
	for i := range want {
		if f.Organisations[i] != want[i] {
			t.Errorf("organisation %d: %+v, want %+v", i, f.Organisations[i], want[i])
		}
	}
	if p, ok := f.Organisations[0].Percent(); !ok || p != 66 {
		t.Errorf("beta: %d %v, want 66", p, ok)
	}
	if _, ok := (OrganisationFigure{}).Percent(); ok {
		t.Error("nobody expected has no percentage")
	}

	type hour struct {
		clock string
		n     int
	}
	days := []struct {
		day       string
		ofMeeting bool
		n, cum    int
		hours     []hour
	}{
		{"2026-12-06", false, 1, 1, []hour{{"17:00", 1}}},
		// Every hour between the first and the last, 09:00 with none.
		{"2026-12-07", true, 3, 4, []hour{{"08:00", 2}, {"09:00", 0}, {"10:00", 1}}},
		{"2026-12-08", true, 1, 5, []hour{{"08:00", 1}}},
	}
	if len(f.Days) != len(days) {
		t.Fatalf("%d days, want %d: %+v", len(f.Days), len(days), f.Days)
	}
	for i, w := range days {
		d := f.Days[i]
		if got := d.Day.Format("2006-01-02 15:04 MST"); got != w.day+" 00:00 CET" {
			t.Errorf("day %d: %s, want %s at midnight in Geneva", i, got, w.day)
		}
		if d.OfMeeting != w.ofMeeting || d.CheckedIn != w.n || d.Cumulative != w.cum {
			t.Errorf("day %s: of meeting %v, %d, cumulative %d; want %v, %d, %d", w.day, d.OfMeeting, d.CheckedIn, d.Cumulative, w.ofMeeting, w.n, w.cum)
		}
		if len(d.Hours) != len(w.hours) {
			t.Errorf("day %s: hours %+v, want %+v", w.day, d.Hours, w.hours)
			continue
		}
		for j, h := range w.hours {
			if got := d.Hours[j].Start.Format("15:04"); got != h.clock || d.Hours[j].CheckedIn != h.n {
				t.Errorf("day %s hour %d: %s %d, want %s %d", w.day, j, got, d.Hours[j].CheckedIn, h.clock, h.n)
			}
		}
	}
}

// A meeting's days are there with nobody checked in yet; hours follow the local clock of a zone
// half an hour off UTC, and the hour repeated when clocks go back is counted twice, apart.
func TestCountCheckInsZones(t *testing.T) {
	day := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
	f := CountCheckIns(day, day.AddDate(0, 0, 2), time.UTC, nil)
	if len(f.Days) != 3 || f.Days[0].CheckedIn != 0 || len(f.Days[2].Hours) != 0 || f.Expected != 0 {
		t.Fatalf("empty meeting: %+v", f)
	}
	if _, ok := f.Percent(); ok {
		t.Error("nobody expected has no percentage")
	}

	delhi := Location("Asia/Kolkata")
	in := time.Date(2026, 10, 25, 3, 40, 0, 0, time.UTC) // 09:10 in Delhi
	f = CountCheckIns(day, day, delhi, []FigureLine{{RegistrationID: 1, OrganisationID: 1, Expected: true, CheckedInAt: &in}})
	if h := f.Days[0].Hours; len(h) != 1 || h[0].Start.Format("15:04") != "09:00" {
		t.Errorf("Delhi: %+v, want one hour at 09:00", h)
	}

	geneva := Location("Europe/Zurich")
	// 25 October 2026: 03:00 summer time is 02:00 winter time; 02:30 happens twice.
	a := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
	b := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // 02:30 CET
	f = CountCheckIns(day, day, geneva, []FigureLine{
		{RegistrationID: 1, OrganisationID: 1, Expected: true, CheckedInAt: &a},
		{RegistrationID: 2, OrganisationID: 1, Expected: true, CheckedInAt: &b},
	})
	h := f.Days[0].Hours
	if len(h) != 2 || h[0].CheckedIn != 1 || h[1].CheckedIn != 1 ||
		h[0].Start.Format("15:04 MST") != "02:00 CEST" || h[1].Start.Format("15:04 MST") != "02:00 CET" {
		t.Errorf("the repeated hour: %+v", h)
	}
	if f.Days[0].CheckedIn != 2 || f.CheckedIn != 2 {
		t.Errorf("day of the change: %+v", f.Days[0])
	}
}

func TestCanSeeDayFigures(t *testing.T) {
	const m = 7
	for _, c := range []struct {
		name  string
		actor Actor
		want  bool
	}{
		{"secretariat", NewActor(1, 0, SecretariatGrant()), true},
		{"desk staff of the meeting", NewActor(2, 0, DeskStaffGrant(m)), true},
		{"desk staff of another meeting", NewActor(3, 0, DeskStaffGrant(m+1)), false},
		{"focal point", NewActor(4, 9, FocalPointGrant(9)), false},
		{"delegate", NewActor(5, 9), false},
		{"visitor", Visitor, false},
	} {
		if got := CanSeeDayFigures(c.actor, m); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if CanListParticipants(NewActor(2, 0, DeskStaffGrant(m))) {
		t.Error("desk staff see counts, not the list of names")
	}
}
