package site

import (
	"net/http"
	"strconv"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

// The day's figures (issue 13 §6): check-ins at a meeting's entry against the registrations
// approved in person, overall, by organisation and by hour of each day in the meeting's time
// zone. The secretariat and the meeting's desk staff (domain.CanSeeDayFigures): counts, no names.

func (s *Server) figuresPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := actorOf(r)
	m, f, err := s.svc.Figures.DayFigures(r.Context(), actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	loc := m.Location()
	title := m.Title.In(t.Lang.Tag)
	now := s.opts.Now().In(loc)
	d := view.FiguresData{MeetingID: m.ID, MeetingSlug: m.Slug, MeetingTitle: title, Dates: t.DateRange(m.FirstDay, m.LastDay),
		AsOf: t.T("figures.as_of", "Time", t.DateShort(now)+" "+t.Clock(now)), Zone: t.T("meeting.local_time", "City", m.City.In(t.Lang.Tag), "Zone", m.TimeZone),
		Expected: f.Expected, CheckedIn: f.CheckedIn, ToCome: f.Expected - f.CheckedIn, Percent: percentText(t, f.Percent), Elsewhere: f.Elsewhere}
	if domain.CanManageMeetings(actor) {
		d.BackHref, d.BackLabel = "/secretariat/meetings/"+itoa64(m.ID), title
	} else {
		d.BackHref, d.BackLabel = "/desk/"+m.Slug, t.T("desk.title")
	}
	if domain.CanListParticipants(actor) {
		d.ParticipantsHref = "/secretariat/meetings/" + itoa64(m.ID) + "/participants"
	}
	for _, o := range f.Organisations {
		d.Organisations = append(d.Organisations, view.FigureOrganisation{Name: o.Organisation, Country: t.Country(o.Country),
			Expected: o.Expected, CheckedIn: o.CheckedIn, Percent: percentText(t, o.Percent)})
	}
	for _, day := range f.Days {
		v := view.FigureDay{ID: day.Day.Format(time.DateOnly), Label: t.Date(day.Day), OfMeeting: day.OfMeeting,
			CheckedIn: day.CheckedIn, Cumulative: day.Cumulative}
		for _, h := range day.Hours {
			v.Hours = append(v.Hours, view.FigureHour{Label: hourLabel(t, h.Start, clocksChange(day.Hours)), CheckedIn: h.CheckedIn})
		}
		d.Days = append(d.Days, v)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, view.FiguresPage(s.page(r, t.T("figures.title", "Meeting", title)), d))
}

// percentText writes a share ("57 %" as the language writes it), "" when there is none.
func percentText(t *i18n.Translator, share func() (int, bool)) string {
	p, ok := share()
	if !ok {
		return ""
	}
	return t.T("figures.percent", "N", strconv.Itoa(p))
}

// hourLabel names an hour by its start and end on the local clock ("08:00–09:00"); on a day the
// clocks change, with the zone's abbreviation, so that the hour repeated is told apart.
func hourLabel(t *i18n.Translator, start time.Time, zoned bool) string {
	end := start.Add(time.Hour)
	s := t.T("figures.hour_range", "From", t.Clock(start), "To", t.Clock(end))
	if zoned {
		s += " " + start.Format("MST")
	}
	return s
}

// clocksChange reports whether the hours of a day are not all at one offset from UTC.
func clocksChange(hours []domain.HourFigure) bool {
	for _, h := range hours {
		_, a := h.Start.Zone()
		_, b := hours[0].Start.Zone()
		if a != b {
			return true
		}
	}
	return false
}
