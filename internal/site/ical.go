package site

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// agendaICS serves the meeting's calendar as an iCalendar file (RFC 5545): one event per session
// (each with its end), the deadlines as all-day events, in the meeting's time zone with its
// VTIMEZONE.
func (s *Server) agendaICS(w http.ResponseWriter, r *http.Request) {
	d, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	b := icalendar(d, t, strings.TrimRight(s.opts.BaseURL, "/"), meetingCalendar(d, t))
	writeICS(w, d.Slug+".ics", b)
}

// registrationICS serves a delegate's own calendar of a meeting they registered for: its
// sessions, the deadlines that concern them, the co-located events they attend and, in person,
// the registration desk's openings. It is for whoever may see the registration.
func (s *Server) registrationICS(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reg, chosen, err := s.svc.Registrations.Calendar(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.meetingDetail(r.Context(), reg.MeetingSlug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	b := icalendar(d, t, strings.TrimRight(s.opts.BaseURL, "/"), registrationCalendar(d, t, reg.Mode, chosen))
	w.Header().Set("X-Robots-Tag", "noindex")
	writeICS(w, d.Slug+"-"+strconv.FormatInt(id, 10)+".ics", b)
}

// registrationCalendar is what a delegate's own calendar holds: the sessions; the deadlines,
// but the visa requests' only in person; the desk's openings in person; the co-located events
// they attend (attending, the ids they chose).
func registrationCalendar(d *domain.MeetingDetail, t *i18n.Translator, mode domain.Mode, attending []int64) calendarContent {
	cc := calendarContent{Name: t.T("cal.my_calendar_name", "Meeting", d.Title.In(t.Lang.Tag)), UIDPrefix: "mine-",
		Desk: mode == domain.InPerson}
	for _, dl := range d.Deadlines() {
		if dl.Kind == domain.VisaSupportRequest && mode != domain.InPerson {
			continue
		}
		cc.Deadlines = append(cc.Deadlines, dl)
	}
	for _, e := range d.ColocatedEvents {
		if slices.Contains(attending, e.ID) {
			cc.Colocated = append(cc.Colocated, e)
		}
	}
	return cc
}

func writeICS(w http.ResponseWriter, filename string, b []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// calendarContent says what a calendar of a meeting holds besides its sessions.
type calendarContent struct {
	// Name is the calendar's name (X-WR-CALNAME).
	Name string
	// UIDPrefix makes the events' UIDs differ between calendars of one meeting, so that a
	// calendar application importing both keeps both.
	UIDPrefix string
	Deadlines []domain.Deadline
	// Desk adds the registration desk's openings.
	Desk bool
	// Colocated are co-located events shown as all-day events.
	Colocated []domain.ColocatedEvent
}

// meetingCalendar is what the meeting's public calendar holds: the sessions and every deadline.
func meetingCalendar(d *domain.MeetingDetail, t *i18n.Translator) calendarContent {
	return calendarContent{Name: d.Title.In(t.Lang.Tag), Deadlines: d.Deadlines()}
}

func icalendar(d *domain.MeetingDetail, t *i18n.Translator, baseURL string, cc calendarContent) []byte {
	lang := t.Lang.Tag
	var c calWriter
	loc := d.Location()
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//Plenary//Meeting portal//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	c.prop("X-WR-CALNAME", cc.Name)
	c.prop("X-WR-TIMEZONE", d.TimeZone)
	vtimezone(&c, d, loc)
	stamp := d.UpdatedAt.UTC().Format("20060102T150405Z")
	uid := func(kind string, id any) string {
		return fmt.Sprintf("UID:%s%s-%v-%s@plenary", cc.UIDPrefix, kind, id, d.Slug)
	}
	place := d.Venue.In(lang) + ", " + d.City.In(lang)
	meetingURL := baseURL + "/meetings/" + d.Slug
	local := func(name string, at time.Time) {
		c.line(fmt.Sprintf("%s;TZID=%s:%s", name, d.TimeZone, at.Format("20060102T150405")))
	}
	allDay := func(first, last time.Time) {
		c.line("DTSTART;VALUE=DATE:" + first.Format("20060102"))
		// DTEND of an all-day event is the day after its last (RFC 5545 §3.6.1).
		c.line("DTEND;VALUE=DATE:" + last.AddDate(0, 0, 1).Format("20060102"))
		c.line("TRANSP:TRANSPARENT")
	}
	for _, s := range d.Sessions {
		wp, _ := d.WorkingParty(s.WorkingPartyID)
		c.line("BEGIN:VEVENT")
		c.line(uid("session", s.ID))
		c.line("DTSTAMP:" + stamp)
		local("DTSTART", s.StartsAt)
		local("DTEND", d.SessionEnd(s))
		c.prop("SUMMARY", wp.Code+" – "+wp.Title.In(lang))
		where := place
		if room := strings.TrimSpace(s.Room.In(lang)); room != "" {
			where = room + ", " + where
		}
		c.prop("LOCATION", where)
		c.prop("DESCRIPTION", d.Title.In(lang))
		c.prop("URL", meetingURL+"/agenda/"+wp.Slug())
		c.line("END:VEVENT")
	}
	for _, dl := range cc.Deadlines {
		c.line("BEGIN:VEVENT")
		c.line(uid("deadline", dl.Kind))
		c.line("DTSTAMP:" + stamp)
		allDay(dl.Day, dl.Day)
		c.prop("SUMMARY", t.T("cal.deadline_event", "Deadline", t.T("deadline."+string(dl.Kind)), "Meeting", d.Title.In(lang)))
		c.prop("DESCRIPTION", t.T("cal.deadline_description", "Date", t.Date(dl.Day)))
		c.prop("URL", meetingURL)
		c.line("END:VEVENT")
	}
	if cc.Desk {
		for _, o := range d.DeskOpenings {
			c.line("BEGIN:VEVENT")
			c.line(uid("desk", o.ID))
			c.line("DTSTAMP:" + stamp)
			local("DTSTART", o.OpensAt)
			if o.ClosesAt != nil {
				local("DTEND", *o.ClosesAt)
			}
			c.prop("SUMMARY", t.T("cal.desk_event", "Meeting", d.Title.In(lang)))
			where := place
			if dp := d.DeskPlace.In(lang); dp != "" {
				where = dp + ", " + where
			}
			c.prop("LOCATION", where)
			c.prop("URL", meetingURL)
			c.line("END:VEVENT")
		}
	}
	for _, e := range cc.Colocated {
		c.line("BEGIN:VEVENT")
		c.line(uid("event", e.ID))
		c.line("DTSTAMP:" + stamp)
		allDay(e.FirstDay, e.LastDay)
		c.prop("SUMMARY", e.Title.In(lang))
		c.prop("LOCATION", place)
		if e.URL != "" {
			c.prop("URL", e.URL)
		}
		c.line("END:VEVENT")
	}
	c.line("END:VCALENDAR")
	return []byte(c.String())
}

// vtimezone describes the zone's offsets over the meeting's year: the observance in force on 1
// January (from its real start) and one per transition in the year, each STANDARD or DAYLIGHT.
func vtimezone(c *calWriter, d *domain.MeetingDetail, loc *time.Location) {
	c.line("BEGIN:VTIMEZONE")
	c.prop("TZID", d.TimeZone)
	year := d.FirstDay.Year()
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	for {
		name, offset := t.Zone()
		from, next := t.ZoneBounds()
		if from.IsZero() {
			// A zone that never changed: one observance since 1970.
			writeTZComponent(c, time.Date(1970, 1, 1, 0, 0, 0, 0, time.FixedZone("", offset)), name, offset, offset, false)
		} else {
			_, prev := from.Add(-time.Second).Zone()
			writeTZComponent(c, from, name, offset, prev, t.IsDST())
		}
		if next.IsZero() || !next.Before(end) {
			break
		}
		t = next
	}
	c.line("END:VTIMEZONE")
}

func writeTZComponent(c *calWriter, start time.Time, name string, offset, prevOffset int, dst bool) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	c.line("BEGIN:" + kind)
	// DTSTART is local time in the offset in force before the change.
	c.line("DTSTART:" + start.In(time.FixedZone("", prevOffset)).Format("20060102T150405"))
	c.line("TZOFFSETFROM:" + utcOffset(prevOffset))
	c.line("TZOFFSETTO:" + utcOffset(offset))
	c.prop("TZNAME", name)
	c.line("END:" + kind)
}

func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign = "-"
		sec = -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}

// calWriter writes content lines with CRLF, folded at 75 octets without splitting a UTF-8
// character.
type calWriter struct{ strings.Builder }

func (c *calWriter) prop(name, value string) { c.line(name + ":" + escapeText(value)) }

func (c *calWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		c.WriteString(s[:cut])
		c.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // a continuation line starts with a space
	}
	c.WriteString(s)
	c.WriteString("\r\n")
}

func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	return r.Replace(s)
}
