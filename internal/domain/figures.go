package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// The day's figures (issue 13 §6): who has been checked in at the meeting's entry against who is
// expected there, overall, by organisation and by hour of each day, in the meeting's time zone.

// CanSeeDayFigures reports whether actor may see the day's figures of meeting m: the secretariat,
// and the desk staff of that meeting. They are counts only (no names), which the desk needs to
// see how many are still to come and when the queue builds up.
func CanSeeDayFigures(a Actor, meeting int64) bool { return a.CanAt(SeeDayFigures, meeting) }

// FigureLine is one registration as the figures count it: the live registrations of a meeting
// and those checked in at its entry.
type FigureLine struct {
	RegistrationID int64
	OrganisationID int64
	Organisation   string
	Country        string
	// Expected says the registration is approved and in person now: someone the desk expects.
	Expected bool
	// CheckedInAt is the registration's check-in at the meeting's entry (nil: none).
	CheckedInAt *time.Time
}

// OrganisationFigure counts one organisation's delegates expected and checked in.
type OrganisationFigure struct {
	OrganisationID int64
	Organisation   string
	Country        string
	Expected       int
	CheckedIn      int
}

// Percent is the share of the expected checked in, in whole percent rounded down (so that 100
// means everyone), and false when nobody is expected.
func (o OrganisationFigure) Percent() (int, bool) { return percent(o.CheckedIn, o.Expected) }

func percent(n, of int) (int, bool) {
	if of <= 0 {
		return 0, false
	}
	return n * 100 / of, true
}

// HourFigure counts the check-ins of one hour of a day, in the meeting's time zone.
type HourFigure struct {
	// Start is the hour's beginning in the meeting's time zone.
	Start     time.Time
	CheckedIn int
}

// DayFigure is one day's check-ins, hour by hour.
type DayFigure struct {
	// Day is the day's midnight in the meeting's time zone.
	Day time.Time
	// OfMeeting says the day is one of the meeting's days (the desk may open the day before).
	OfMeeting bool
	// CheckedIn counts that day's check-ins; Cumulative those until its end.
	CheckedIn, Cumulative int
	// Hours are the hours from the day's first check-in to its last (every hour between them,
	// with none too), empty when there was none.
	Hours []HourFigure
}

// DayFigures are the figures of a meeting's entry.
type DayFigures struct {
	// Expected counts the registrations approved in person; CheckedIn those of them checked in.
	Expected, CheckedIn int
	// Elsewhere counts the check-ins of registrations no longer expected (cancelled or changed
	// to remote after they were checked in): they happened, so the hours count them, but they are
	// not part of the share.
	Elsewhere int
	// Organisations are the organisations with someone expected or checked in, the largest
	// delegation first (then by name).
	Organisations []OrganisationFigure
	// Days are the meeting's days and any other day with a check-in, in order.
	Days []DayFigure
}

// Percent is the share of the expected checked in (OrganisationFigure.Percent).
func (f DayFigures) Percent() (int, bool) { return percent(f.CheckedIn, f.Expected) }

// CountCheckIns makes the figures of a meeting held from first to last (dates) in loc from its
// lines.
func CountCheckIns(first, last time.Time, loc *time.Location, lines []FigureLine) DayFigures {
	var f DayFigures
	orgs := map[int64]*OrganisationFigure{}
	// Check-ins by day (its midnight) and hour (its start), both as Unix seconds.
	days := map[int64]map[int64]int{}
	for _, l := range lines {
		if l.CheckedInAt != nil {
			day, hour := localDayHour(*l.CheckedInAt, loc)
			if days[day] == nil {
				days[day] = map[int64]int{}
			}
			days[day][hour]++
		}
		if !l.Expected {
			if l.CheckedInAt != nil {
				f.Elsewhere++
			}
			continue
		}
		o := orgs[l.OrganisationID]
		if o == nil {
			o = &OrganisationFigure{OrganisationID: l.OrganisationID, Organisation: l.Organisation, Country: l.Country}
			orgs[l.OrganisationID] = o
		}
		o.Expected++
		f.Expected++
		if l.CheckedInAt != nil {
			o.CheckedIn++
			f.CheckedIn++
		}
	}
	for _, o := range orgs {
		f.Organisations = append(f.Organisations, *o)
	}
	slices.SortFunc(f.Organisations, func(a, b OrganisationFigure) int {
		return cmp.Or(cmp.Compare(b.Expected, a.Expected), strings.Compare(strings.ToLower(a.Organisation), strings.ToLower(b.Organisation)),
			cmp.Compare(a.OrganisationID, b.OrganisationID))
	})

	ofMeeting := map[int64]bool{}
	fy, fm, fd := first.Date()
	ly, lm, ld := last.Date()
	end := time.Date(ly, lm, ld, 0, 0, 0, 0, loc)
	for d := time.Date(fy, fm, fd, 0, 0, 0, 0, loc); !d.After(end) && len(ofMeeting) < 366; d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		ofMeeting[d.Unix()] = true
	}
	all := make([]int64, 0, len(ofMeeting)+len(days))
	for d := range ofMeeting {
		all = append(all, d)
	}
	for d := range days {
		if !ofMeeting[d] {
			all = append(all, d)
		}
	}
	slices.Sort(all)
	total := 0
	for _, d := range all {
		df := DayFigure{Day: time.Unix(d, 0).In(loc), OfMeeting: ofMeeting[d]}
		hours := days[d]
		if len(hours) > 0 {
			lo, hi := int64(-1), int64(-1)
			for h, n := range hours {
				df.CheckedIn += n
				if lo < 0 || h < lo {
					lo = h
				}
				hi = max(hi, h)
			}
			// Hours are stepped in absolute time, so a day that changes its clocks has its
			// 23 or 25 hours, each once.
			for h := lo; h <= hi; h += 3600 {
				df.Hours = append(df.Hours, HourFigure{Start: time.Unix(h, 0).In(loc), CheckedIn: hours[h]})
			}
		}
		total += df.CheckedIn
		df.Cumulative = total
		f.Days = append(f.Days, df)
	}
	return f
}

// localDayHour returns the midnight of at's day and the start of its hour, both in loc, as Unix
// seconds. The hour is found on the local clock (a zone half an hour off UTC has its hours start
// at :00 local), in absolute time (the hour repeated when clocks go back is two hours).
func localDayHour(at time.Time, loc *time.Location) (day, hour int64) {
	at = at.In(loc)
	y, m, d := at.Date()
	h := at.Add(-time.Duration(at.Minute())*time.Minute - time.Duration(at.Second())*time.Second - time.Duration(at.Nanosecond()))
	return time.Date(y, m, d, 0, 0, 0, 0, loc).Unix(), h.Unix()
}
