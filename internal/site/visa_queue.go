package site

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/web/view"
)

// visaFilter reads the queue's filter from the query string.
func visaFilter(meetingID int64, q url.Values) domain.VisaFilter {
	f := domain.VisaFilter{MeetingID: meetingID, Nationality: strings.TrimSpace(q.Get("nationality"))}
	if st := domain.VisaState(q.Get("state")); st.Valid() {
		f.State = st
	}
	return f
}

// visaQueueData gathers the secretariat's visa queue of the meeting in the URL.
func (s *Server) visaQueueData(r *http.Request, q url.Values) (view.VisaQueueData, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.VisaQueueData{}, err
	}
	f := visaFilter(id, q)
	page, err := s.svc.Visas.Queue(r.Context(), actorOf(r), f)
	if err != nil {
		return view.VisaQueueData{}, err
	}
	data := view.VisaQueueData{MeetingID: id, MeetingTitle: page.Meeting.Title.In(s.translator(r).Lang.Tag), Queue: page.Queue,
		State: string(f.State), Nationality: f.Nationality, Decline: view.NewForm(), Now: s.opts.Now()}
	if c := page.Letters; !c.Allowed {
		data.LettersBlocked = message(s.translator(r), c.Reason)
	}
	return data, nil
}

func (s *Server) visaQueueTitle(r *http.Request) string { return s.translator(r).T("visa.queue") }

// visaQueue is the secretariat's list of a meeting's visa requests.
func (s *Server) visaQueue(w http.ResponseWriter, r *http.Request) {
	data, err := s.visaQueueData(r, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.VisaQueuePage(s.page(r, s.visaQueueTitle(r)), data))
}

// backTo returns the queue's URL with the filter the form came from.
func backTo(r *http.Request, base string) string {
	back := r.PostFormValue("back")
	if back == "" || !strings.HasPrefix(back, "?") {
		return base
	}
	q, err := url.ParseQuery(back[1:])
	if err != nil {
		return base
	}
	return base + "?" + q.Encode()
}

// visaIssue issues the ticked letters (or the one whose button was pressed) in one action.
func (s *Server) visaIssue(w http.ResponseWriter, r *http.Request) {
	meetingID, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	base := "/secretariat/meetings/" + itoa64(meetingID) + "/visas"
	next := backTo(r, base)
	values := r.PostForm["id"]
	if only := r.PostFormValue("only"); only != "" {
		values = []string{only}
	}
	var ids []int64
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		s.flash(r, "visa.none_selected")
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	res, err := s.svc.Visas.Issue(r.Context(), auditOf(r), actorOf(r), ids)
	if err != nil {
		// Refused as a whole (the letterhead or the signatory is missing): said on the queue.
		s.actionFailed(w, r, err, next)
		return
	}
	t := s.translator(r)
	msg := t.N("visa.issued_n", len(res.Done))
	if n := len(res.Refused); n > 0 {
		var reason string
		for _, e := range res.Refused {
			if de, ok := domain.AsError(e); ok {
				reason = message(t, de)
			}
			break
		}
		msg += " " + t.N("visa.refused_n", n, "Reason", reason)
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// visaDecline declines one request with a reason; a missing reason shows the queue again with
// the message beside that request's field.
func (s *Server) visaDecline(w http.ResponseWriter, r *http.Request) {
	visaID, err := idParam(r, "visa")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	meetingID, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := "/secretariat/meetings/" + itoa64(meetingID) + "/visas"
	next := backTo(r, base)
	reason := r.PostFormValue("reason")
	_, err = s.svc.Visas.Decline(r.Context(), auditOf(r), actorOf(r), visaID, reason)
	if err == nil {
		s.flash(r, "visa.declined")
		http.Redirect(w, r, next+"#visa-"+itoa64(visaID), http.StatusSeeOther)
		return
	}
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		s.actionFailed(w, r, err, next)
		return
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(next[len(base):], "?"))
	data, derr := s.visaQueueData(r, q)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	t := s.translator(r)
	name := "reason-" + itoa64(visaID)
	data.Decline.Values[name] = reason
	data.Decline.Order = []string{name}
	for _, key := range e.Fields {
		data.Decline.Errors[name] = t.T(key)
	}
	s.render(w, r, http.StatusUnprocessableEntity, view.VisaQueuePage(s.page(r, s.visaQueueTitle(r)), data))
}

// visaExportCSV downloads the queue (with its filter) as CSV, passport data included: for the
// secretariat only, like the queue (the store checks). It streams like every export.
func (s *Server) visaExportCSV(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	f := visaFilter(d.ID, r.URL.Query())
	header := []string{
		t.T("visa.csv.id"), t.T("reg.state"), t.T("visa.csv.due"), t.T("visa.overdue"), t.T("field.family_name"),
		t.T("field.given_name"), t.T("field.email"), t.T("field.organisation"), t.T("visa.passport_name"), t.T("visa.birth_date"),
		t.T("visa.birth_place"), t.T("visa.nationality"), t.T("visa.passport_number"), t.T("visa.passport_issued"),
		t.T("visa.passport_expires"), t.T("visa.issuing_country"), t.T("visa.representation"), t.T("visa.csv.reference"),
		t.T("visa.csv.issued_on"), t.T("visa.reason"),
	}
	now := s.opts.Now()
	ymd := func(d *time.Time) string {
		if d == nil || d.IsZero() {
			return ""
		}
		return d.Format(time.DateOnly)
	}
	rows := func(emit func([]any) error) error {
		return s.svc.Visas.Export(r.Context(), actorOf(r), f, func(l domain.VisaLine) error {
			ref := ""
			if l.Reference != nil {
				ref = *l.Reference
			}
			return emit([]any{
				strconv.FormatInt(l.ID, 10), t.T("visa.state." + string(l.State)), ymd(l.DueOn), yesNo(t, l.Overdue(now, l.Location())),
				l.FamilyName, l.GivenName, l.Email, l.OrgName, l.Name, ymd(&l.BirthDate), l.BirthPlace, l.Nationality, l.Number,
				ymd(&l.Issued), ymd(&l.Expires), l.IssuingCountry, l.Representation, ref, ymd(l.IssuedOn), l.Reason,
			})
		})
	}
	s.writeCSV(w, r, "visas-"+d.Slug+".csv", header, rows)
}
