package domain_test

import (
	"testing"
	"time"

	"plenary/internal/domain"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func zurich(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatalf("load Europe/Zurich: %v", err)
	}
	return loc
}

func TestDefaultDeadlinesFromTheFirstDay(t *testing.T) {
	first := day("2025-07-25")
	want := map[domain.DeadlineKind]string{
		domain.PreRegistration:             "2025-06-25", // D − 1 month
		domain.VisaSupportRequest:          "2025-06-25", // D − 1 month
		domain.ContributionsForTranslation: "2025-05-25", // D − 2 months
		domain.Contributions:               "2025-07-13", // D − 12 calendar days
	}
	for k, w := range want {
		if got := k.Default(first).Format("2006-01-02"); got != w {
			t.Errorf("%s.Default(%s) = %s, want %s", k, first.Format("2006-01-02"), got, w)
		}
	}
	dls := domain.Deadlines(first, nil)
	if len(dls) != 4 {
		t.Fatalf("Deadlines returned %d deadlines, want 4", len(dls))
	}
	for i, d := range dls {
		if d.Kind != domain.DeadlineKinds[i] {
			t.Errorf("deadline %d is %s, want %s (display order)", i, d.Kind, domain.DeadlineKinds[i])
		}
		if d.Overridden {
			t.Errorf("%s is marked overridden without an override", d.Kind)
		}
		if got := d.Day.Format("2006-01-02"); got != want[d.Kind] {
			t.Errorf("%s = %s, want %s", d.Kind, got, want[d.Kind])
		}
	}
}

func TestDefaultDeadlinesAcrossMonthAndYearEnds(t *testing.T) {
	cases := []struct {
		first string
		kind  domain.DeadlineKind
		want  string
	}{
		{"2026-01-10", domain.ContributionsForTranslation, "2025-11-10"},
		{"2026-01-10", domain.PreRegistration, "2025-12-10"},
		{"2026-01-05", domain.Contributions, "2025-12-24"},
		{"2026-03-01", domain.Contributions, "2026-02-17"},
		{"2024-03-05", domain.Contributions, "2024-02-22"}, // leap year
	}
	for _, c := range cases {
		if got := c.kind.Default(day(c.first)).Format("2006-01-02"); got != c.want {
			t.Errorf("%s from %s = %s, want %s", c.kind, c.first, got, c.want)
		}
	}
}

func TestOverridesReplaceOnlyTheirKind(t *testing.T) {
	first := day("2025-07-25")
	dls := domain.Deadlines(first, map[domain.DeadlineKind]time.Time{
		domain.Contributions: day("2025-07-01"),
	})
	for _, d := range dls {
		switch d.Kind {
		case domain.Contributions:
			if !d.Overridden || d.Day.Format("2006-01-02") != "2025-07-01" {
				t.Errorf("contributions = %s overridden=%v, want 2025-07-01 overridden", d.Day.Format("2006-01-02"), d.Overridden)
			}
		default:
			if d.Overridden {
				t.Errorf("%s is overridden, want the default", d.Kind)
			}
			if !d.Day.Equal(d.Kind.Default(first)) {
				t.Errorf("%s = %s, want the default %s", d.Kind, d.Day, d.Kind.Default(first))
			}
		}
	}
	md := domain.MeetingDetail{Meeting: domain.Meeting{FirstDay: first}, Overrides: map[domain.DeadlineKind]time.Time{
		domain.PreRegistration: day("2025-06-30"),
	}}
	if got := md.Deadline(domain.PreRegistration).Day.Format("2006-01-02"); got != "2025-06-30" {
		t.Errorf("MeetingDetail.Deadline(pre_registration) = %s, want 2025-06-30", got)
	}
	if got := md.Deadline(domain.VisaSupportRequest).Day.Format("2006-01-02"); got != "2025-06-25" {
		t.Errorf("MeetingDetail.Deadline(visa) = %s, want the default 2025-06-25", got)
	}
}

func TestDeadlineEndsAtMidnightInTheMeetingsZone(t *testing.T) {
	loc := zurich(t)
	d := domain.Deadline{Kind: domain.PreRegistration, Day: day("2025-06-25")}

	// Summer: Zurich is UTC+2, so the day ends at 22:00 UTC.
	end := domain.EndOfDay(d.Day, loc)
	if want := time.Date(2025, 6, 25, 22, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Fatalf("EndOfDay = %s, want %s", end.UTC(), want)
	}
	cases := []struct {
		now    time.Time
		passed bool
		left   int
	}{
		{time.Date(2025, 6, 24, 12, 0, 0, 0, loc), false, 1},
		{time.Date(2025, 6, 25, 0, 0, 0, 0, loc), false, 0},
		{time.Date(2025, 6, 25, 23, 59, 59, 0, loc), false, 0},
		{time.Date(2025, 6, 25, 21, 59, 59, 0, time.UTC), false, 0}, // 23:59:59 in Zurich
		{time.Date(2025, 6, 25, 22, 0, 0, 0, time.UTC), true, -1},   // midnight in Zurich
		{time.Date(2025, 6, 26, 0, 0, 0, 0, loc), true, -1},
		{time.Date(2025, 6, 25, 23, 30, 0, 0, time.UTC), true, -1}, // still the 25th in UTC, already the 26th in Zurich
		{time.Date(2025, 5, 26, 9, 0, 0, 0, loc), false, 30},
	}
	for _, c := range cases {
		if got := d.Passed(c.now, loc); got != c.passed {
			t.Errorf("Passed(%s) = %v, want %v", c.now.In(loc), got, c.passed)
		}
		if got := d.DaysLeft(c.now, loc); got != c.left {
			t.Errorf("DaysLeft(%s) = %d, want %d", c.now.In(loc), got, c.left)
		}
	}
}

func TestDeadlineAcrossDaylightSavingChanges(t *testing.T) {
	loc := zurich(t)
	// 30 March 2025: clocks go from 02:00 to 03:00, the day has 23 hours.
	spring := domain.Deadline{Day: day("2025-03-30")}
	if got, want := domain.EndOfDay(spring.Day, loc), time.Date(2025, 3, 30, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndOfDay(30 March) = %s, want %s (UTC+2 after the change)", got.UTC(), want)
	}
	if spring.Passed(time.Date(2025, 3, 30, 21, 59, 0, 0, time.UTC), loc) {
		t.Error("30 March deadline passed at 23:59 local")
	}
	if !spring.Passed(time.Date(2025, 3, 30, 22, 0, 0, 0, time.UTC), loc) {
		t.Error("30 March deadline not passed at midnight local")
	}
	// The day before the change ends at 23:00 UTC (still UTC+1).
	if got, want := domain.EndOfDay(day("2025-03-29"), loc), time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndOfDay(29 March) = %s, want %s", got.UTC(), want)
	}
	// Days left counts calendar days, not 24-hour periods, across the short night.
	if got := spring.DaysLeft(time.Date(2025, 3, 29, 12, 0, 0, 0, loc), loc); got != 1 {
		t.Errorf("DaysLeft across spring change = %d, want 1", got)
	}
	if got := (domain.Deadline{Day: day("2025-04-05")}).DaysLeft(time.Date(2025, 3, 29, 23, 30, 0, 0, loc), loc); got != 7 {
		t.Errorf("DaysLeft over a week with the change = %d, want 7", got)
	}

	// 26 October 2025: clocks go from 03:00 back to 02:00, the day has 25 hours.
	autumn := domain.Deadline{Day: day("2025-10-26")}
	if got, want := domain.EndOfDay(autumn.Day, loc), time.Date(2025, 10, 26, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndOfDay(26 October) = %s, want %s (UTC+1 after the change)", got.UTC(), want)
	}
	if autumn.Passed(time.Date(2025, 10, 26, 22, 30, 0, 0, time.UTC), loc) {
		t.Error("26 October deadline passed at 23:30 local")
	}
	if !autumn.Passed(time.Date(2025, 10, 26, 23, 0, 0, 0, time.UTC), loc) {
		t.Error("26 October deadline not passed at midnight local")
	}
	if got := autumn.DaysLeft(time.Date(2025, 10, 25, 23, 59, 0, 0, loc), loc); got != 1 {
		t.Errorf("DaysLeft across autumn change = %d, want 1", got)
	}
	if got := (domain.Deadline{Day: day("2025-10-20")}).DaysLeft(time.Date(2025, 10, 27, 0, 30, 0, 0, loc), loc); got != -7 {
		t.Errorf("DaysLeft a week after = %d, want -7", got)
	}
}

func TestMeetingPastAtTheEndOfItsLastDay(t *testing.T) {
	m := domain.Meeting{TimeZone: "Europe/Zurich", FirstDay: day("2025-07-25"), LastDay: day("2025-07-25")}
	if m.Past(time.Date(2025, 7, 25, 21, 59, 0, 0, time.UTC)) {
		t.Error("meeting past at 23:59 on its last day in Geneva")
	}
	if !m.Past(time.Date(2025, 7, 25, 22, 0, 0, 0, time.UTC)) {
		t.Error("meeting not past at midnight after its last day in Geneva")
	}
	if (domain.Meeting{TimeZone: "Nowhere/Nothing"}).Location() != time.UTC {
		t.Error("unknown time zone does not fall back to UTC")
	}
}

// "One month before" the 31st is the last day of the shorter month, never a day of the month
// after it.
func TestDeadlinesAtMonthEnds(t *testing.T) {
	for first, want := range map[string][2]string{
		"2026-03-31": {"2026-02-28", "2026-01-31"},
		"2028-03-31": {"2028-02-29", "2028-01-31"},
		"2026-05-31": {"2026-04-30", "2026-03-31"},
		"2026-04-30": {"2026-03-30", "2026-02-28"},
		"2025-07-25": {"2025-06-25", "2025-05-25"},
		"2026-01-15": {"2025-12-15", "2025-11-15"},
	} {
		d, _ := time.Parse(time.DateOnly, first)
		pre := domain.PreRegistration.Default(d).Format(time.DateOnly)
		tr := domain.ContributionsForTranslation.Default(d).Format(time.DateOnly)
		if pre != want[0] || tr != want[1] {
			t.Errorf("first day %s: pre-registration %s (want %s), translation %s (want %s)", first, pre, want[0], tr, want[1])
		}
	}
}
