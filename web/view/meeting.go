package view

import (
	"sort"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// MeetingView is a meeting as its public pages show it.
type MeetingView struct {
	*domain.MeetingDetail
	// Mine is the signed-in person's own live registration for the meeting, if any: the page
	// shows its state instead of offering to register again.
	Mine *MyMeetingStatus
	// Missing is what a draft lacks for publishing, shown in the secretariat's preview.
	Missing []string
}

// MyMeetingStatus is what the meeting page says of the signed-in person's registration.
type MyMeetingStatus struct {
	ID    int64
	State domain.State
	Mode  domain.Mode
}

// PreRegistrationClosed reports whether the pre-registration deadline has passed at now: the
// page then no longer offers to register.
func (m MeetingView) PreRegistrationClosed(now time.Time) bool {
	return m.Deadline(domain.PreRegistration).Passed(now, m.Location())
}

// mineKey is the catalogue key of the sentence saying the person's registration's state.
func (s MyMeetingStatus) mineKey() string {
	return "meeting.mine_" + string(s.State) + "_" + string(s.Mode)
}

// SessionLine is a session with its working party.
type SessionLine struct {
	domain.Session
	WP domain.WorkingParty
}

// SessionLines returns the sessions in time order with their working parties.
func (m MeetingView) SessionLines() []SessionLine {
	out := make([]SessionLine, 0, len(m.Sessions))
	for _, s := range m.Sessions {
		wp, _ := m.WorkingParty(s.WorkingPartyID)
		out = append(out, SessionLine{s, wp})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartsAt.Before(out[j].StartsAt) })
	return out
}

// DeadlineStatus says how far a deadline is: "in 12 days", "today", "passed".
func DeadlineStatus(t *i18n.Translator, d domain.Deadline, now time.Time, loc *time.Location) string {
	if d.Passed(now, loc) {
		return t.T("deadline.passed")
	}
	n := d.DaysLeft(now, loc)
	if n == 0 {
		return t.T("deadline.today")
	}
	return t.N("deadline.days_left", n)
}

// DeadlinePassed reports whether the deadline is over.
func DeadlinePassed(d domain.Deadline, now time.Time, loc *time.Location) bool {
	return d.Passed(now, loc)
}

// LanguageNames names the meeting's working languages.
func LanguageNames(t *i18n.Translator, langs []string) string {
	s := ""
	for i, l := range langs {
		if i > 0 {
			s += t.T("list.separator")
		}
		s += t.T("language." + l)
	}
	return s
}

// Paragraphs splits text on blank lines.
func Paragraphs(s string) []string {
	var out []string
	cur := ""
	for _, line := range splitLines(s) {
		if line == "" {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += line
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, trimCR(s[start:i]))
			start = i + 1
		}
	}
	return append(out, trimCR(s[start:]))
}

func trimCR(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\r' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// SessionTime formats a session's start (and end) in the meeting's local time.
func SessionTime(t *i18n.Translator, s domain.Session) string {
	if s.EndsAt != nil {
		return t.Clock(s.StartsAt) + "–" + t.Clock(*s.EndsAt)
	}
	return t.Clock(s.StartsAt)
}

// telURL is a tel: address for a phone number as written ("+41 22 730 5126"): RFC 3966 allows
// no spaces, so only the digits and a leading + are kept.
func telURL(phone string) string {
	var b []byte
	for i, r := range phone {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b = append(b, byte(r))
		}
	}
	return "tel:" + string(b)
}

// MeetingTime writes an instant as the date and time in the meeting's time zone zone, with the
// zone's offset as the language names it (i18n.Translator.GMT: "3 December 2026, 16:21 GMT+1",
// "2026年12月3日 16:21（GMT+1）", not the English abbreviation CET).
func MeetingTime(t *i18n.Translator, at time.Time, zone string) string {
	lt := at.In(domain.Location(zone))
	return t.T("time.in_zone", "Date", t.DateShort(lt), "Time", lt.Format("15:04"), "Zone", t.GMT(lt))
}

// ParenIf is t.Paren(s), or nothing when s is empty.
func ParenIf(t *i18n.Translator, s string) string {
	if s == "" {
		return ""
	}
	return t.Paren(s)
}

// lateNote is " (late)" after a late registration's state, in the language's brackets.
func lateNote(t *i18n.Translator, late bool) string {
	if !late {
		return ""
	}
	return t.Paren(t.T("reg.late"))
}

// DeskHours says when and where the registration desk opens on one day, with its closing time
// when the secretariat gave one.
func DeskHours(t *i18n.Translator, o domain.DeskOpening, place string) string {
	if o.ClosesAt != nil {
		return t.T("meeting.desk_open_hours", "Date", t.Date(o.OpensAt), "Time", t.Clock(o.OpensAt), "Closes", t.Clock(*o.ClosesAt), "Place", place)
	}
	return t.T("meeting.desk_opens", "Date", t.Date(o.OpensAt), "Time", t.Clock(o.OpensAt), "Place", place)
}

// MeetingZone names a meeting's time zone on its pages: its offset from UTC on day (the
// meeting's first day, or the moment shown), as the language writes it (i18n.Translator.GMT).
// The city the zone is named by is the meeting's own, translated ("日内瓦当地时间"), not the
// zone's (Europe/Zurich is Geneva's zone).
func MeetingZone(t *i18n.Translator, zone string, day time.Time) string {
	loc := domain.Location(zone)
	y, m, d := day.Date()
	return t.GMT(time.Date(y, m, d, 12, 0, 0, 0, loc))
}
