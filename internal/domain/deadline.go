package domain

import "time"

// DeadlineKind names one of a meeting's deadlines.
type DeadlineKind string

// The deadline kinds, in the order they fall by default.
const (
	ContributionsForTranslation DeadlineKind = "contributions_for_translation"
	PreRegistration             DeadlineKind = "pre_registration"
	VisaSupportRequest          DeadlineKind = "visa_support_request"
	Contributions               DeadlineKind = "contributions"
)

// DeadlineKinds lists the kinds in display order.
var DeadlineKinds = []DeadlineKind{ContributionsForTranslation, PreRegistration, VisaSupportRequest, Contributions}

// Valid reports whether k is a known kind.
func (k DeadlineKind) Valid() bool {
	for _, x := range DeadlineKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Default returns the kind's default date for a meeting whose first day is first: one month
// before for pre-registration and visa requests, two months before for contributions needing
// translation, twelve calendar days before for contributions.
func (k DeadlineKind) Default(first time.Time) time.Time {
	switch k {
	case PreRegistration, VisaSupportRequest:
		return monthsBefore(first, 1)
	case ContributionsForTranslation:
		return monthsBefore(first, 2)
	default:
		return first.AddDate(0, 0, -12)
	}
}

// monthsBefore is the same day n months earlier, or the last day of that month when it is
// shorter (31 March → 28 or 29 February, not 3 March as time.AddDate would give).
func monthsBefore(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	firstOfMonth := time.Date(y, m-time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := firstOfMonth.AddDate(0, 1, -1).Day()
	return time.Date(firstOfMonth.Year(), firstOfMonth.Month(), min(day, last), 0, 0, 0, 0, d.Location())
}

// Deadline is a date by the end of which something must be done, in the meeting's time zone.
type Deadline struct {
	Kind DeadlineKind
	Day  time.Time
	// Overridden is true when the secretariat set the date rather than the default rule.
	Overridden bool
}

// Deadlines returns every deadline of a meeting starting on first, with overrides applied.
func Deadlines(first time.Time, overrides map[DeadlineKind]time.Time) []Deadline {
	out := make([]Deadline, 0, len(DeadlineKinds))
	for _, k := range DeadlineKinds {
		if d, ok := overrides[k]; ok {
			out = append(out, Deadline{Kind: k, Day: d, Overridden: true})
		} else {
			out = append(out, Deadline{Kind: k, Day: k.Default(first)})
		}
	}
	return out
}

// EndOfDay returns the instant a calendar day ends in loc: midnight at the start of the next day.
func EndOfDay(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// Passed reports whether the deadline has passed at now in loc.
func (d Deadline) Passed(now time.Time, loc *time.Location) bool {
	return !now.Before(EndOfDay(d.Day, loc))
}

// DaysLeft returns the whole calendar days from today (in loc) to the deadline day: 0 on the day
// itself. It is negative once the day is over.
func (d Deadline) DaysLeft(now time.Time, loc *time.Location) int {
	ny, nm, nd := now.In(loc).Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
	dy, dm, dd := d.Day.Date()
	day := time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)
	return int(day.Sub(today).Hours() / 24)
}
