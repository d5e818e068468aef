package site

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"plenary/internal/domain"
)

// agendaICS serves the meeting's sessions as an iCalendar file (RFC 5545), one event per session,
// in the meeting's time zone with its VTIMEZONE.
func (s *Server) agendaICS(w http.ResponseWriter, r *http.Request) {
	d, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.translator(r).Lang.Tag
	b := icalendar(d, lang, strings.TrimRight(s.opts.BaseURL, "/"))
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.ics"`, d.Slug))
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

func icalendar(d *domain.MeetingDetail, lang, baseURL string) []byte {
	var c calWriter
	loc := d.Location()
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//Plenary//Meeting portal//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	c.prop("X-WR-CALNAME", d.Title.In(lang))
	c.prop("X-WR-TIMEZONE", d.TimeZone)
	vtimezone(&c, d, loc)
	stamp := d.UpdatedAt.UTC().Format("20060102T150405Z")
	for _, s := range d.Sessions {
		wp, _ := d.WorkingParty(s.WorkingPartyID)
		c.line("BEGIN:VEVENT")
		c.line(fmt.Sprintf("UID:session-%d-%s@plenary", s.ID, d.Slug))
		c.line("DTSTAMP:" + stamp)
		c.line(fmt.Sprintf("DTSTART;TZID=%s:%s", d.TimeZone, s.StartsAt.Format("20060102T150405")))
		if s.EndsAt != nil {
			c.line(fmt.Sprintf("DTEND;TZID=%s:%s", d.TimeZone, s.EndsAt.Format("20060102T150405")))
		}
		c.prop("SUMMARY", wp.Code+" – "+wp.Title.In(lang))
		where := d.Venue + ", " + d.City
		if s.Room != "" {
			where = s.Room + ", " + where
		}
		c.prop("LOCATION", where)
		c.prop("DESCRIPTION", d.Title.In(lang))
		c.prop("URL", baseURL+"/meetings/"+d.Slug+"/agenda/"+wp.Slug())
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
