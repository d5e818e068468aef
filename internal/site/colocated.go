package site

import (
	"net/http"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

// eventIDs reads ids sent as form values; one that is not a number reads as 0 (which is no
// event's id, so it is refused beside the field).
func eventIDs(vals []string) []int64 {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		id, _ := strconv.ParseInt(v, 10, 64)
		out = append(out, id)
	}
	return out
}

// checkColocated checks the co-located events chosen on the registration form against the
// meeting's, putting the message beside the field when one is not the meeting's.
func (s *Server) checkColocated(r *http.Request, t *i18n.Translator, vals []string, f *view.Form) ([]int64, error) {
	d, err := s.meetingDetail(r.Context(), urlParam(r, "slug"))
	if err != nil {
		return nil, err
	}
	ids, err := domain.CheckColocated(d.ColocatedEvents, eventIDs(vals))
	if err != nil {
		applyDomainError(t, err, f)
		return nil, err
	}
	return ids, nil
}

// colocatedData gathers the page changing a registration's co-located events.
func (s *Server) colocatedData(r *http.Request) (view.ColocatedData, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.ColocatedData{}, err
	}
	ch, err := s.svc.Registrations.Colocated(r.Context(), actorOf(r), id)
	if err != nil {
		return view.ColocatedData{}, err
	}
	reg := ch.Line
	d, err := s.meetingDetail(r.Context(), reg.MeetingSlug)
	if err != nil {
		return view.ColocatedData{}, err
	}
	data := view.ColocatedData{RegistrationID: id, MeetingSlug: reg.MeetingSlug, MeetingTitle: reg.MeetingTitle,
		Events: d.ColocatedEvents, Form: view.NewForm()}
	vals := make([]string, 0, len(ch.Chosen))
	for _, e := range ch.Chosen {
		vals = append(vals, strconv.FormatInt(e, 10))
	}
	data.Form.Values[domain.FieldColocated] = strings.Join(vals, ",")
	t := s.translator(r)
	c := domain.ColocatedChange{Actor: actorOf(r), Registration: reg.Registration, Meeting: d.Meeting, Events: d.ColocatedEvents,
		Visa: ch.Visa, Now: s.opts.Now()}
	offer := domain.ColocatedOffer(c)
	switch {
	case offer.Key() == "error.not_live":
		data.Closed = t.T("visa.closed_not_live")
	case offer.Key() == "error.meeting_over":
		data.Closed = t.T("reg.meeting_over")
	case !offer.Allowed:
		data.Closed = message(t, offer.Reason)
	case len(d.ColocatedEvents) == 0:
		data.Closed = t.T("colocated.no_events")
	}
	return data, nil
}

func (s *Server) colocatedTitle(r *http.Request) string { return s.translator(r).T("colocated.title") }

// colocatedForm shows which co-located events a registration attends, with the form to change it.
func (s *Server) colocatedForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.colocatedData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.ColocatedPage(s.page(r, s.colocatedTitle(r)), data))
}

// colocatedSubmit changes which co-located events a registration attends.
func (s *Server) colocatedSubmit(w http.ResponseWriter, r *http.Request) {
	data, err := s.colocatedData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Colocated []string `form:"colocated"`
	}
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	_, err = s.svc.Registrations.SetColocated(r.Context(), auditOf(r), actorOf(r), data.RegistrationID, eventIDs(in.Colocated))
	if err != nil {
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
		data.Form = f
		s.render(w, r, statusOf(domain.ErrorCode(err)), view.ColocatedPage(s.page(r, s.colocatedTitle(r)), data))
		return
	}
	s.flash(r, "colocated.saved")
	http.Redirect(w, r, "/me#reg-"+itoa64(data.RegistrationID), http.StatusSeeOther)
}
