package site

import (
	"net/http"
	"time"

	"plenary/internal/domain"
	"plenary/web/view"
)

// maxApproveAllNames is how many names the question before "approve all" lists; past it, it
// says how many more there are.
const maxApproveAllNames = 1000

// approveAllAsk shows which pending registrations "approve all" would approve, by name, and asks
// to confirm. What it lists is what the button approves: the pending registrations matching the
// list's filter as they are now (the confirmation carries this moment; one arriving or changing
// after it is left for the next look).
func (s *Server) approveAllAsk(w http.ResponseWriter, r *http.Request, sc listScope) {
	t := s.translator(r)
	q := parseListQuery(r.URL.Query())
	q.Page = 0
	if sc.fixed.MeetingID != 0 {
		q.MeetingID = 0 // the meeting is the page's
	}
	asOf := s.opts.Now()
	f := sc.filter(q)
	f.State = domain.Pending
	f.UpdatedBefore = asOf
	f.Limit = maxApproveAllNames
	page, err := s.svc.Registrations.List(r.Context(), actorOf(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := view.ApproveAllData{
		Base: sc.base, Back: q.Encode(), Here: q.URL(sc.base), AsOf: asOf.UTC().Format(time.RFC3339Nano),
		Count: page.Total, More: page.Total - len(page.Lines),
	}
	for _, l := range page.Lines {
		d.Lines = append(d.Lines, view.ApproveAllLine{
			ID: l.ID, Name: l.Name(), Organisation: view.LineOrg(t, l), Meeting: l.MeetingTitle.In(t.Lang.Tag), Mode: l.Mode,
		})
	}
	s.render(w, r, http.StatusOK, view.ApproveAllPage(s.page(r, t.N("approve_all.title", d.Count)), d))
}

func (s *Server) focalApproveAllAsk(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	sc := focalScope(a)
	if o := positiveID(r.URL.Query().Get("organisation")); o != 0 && !a.IsFocalPointOf(o) {
		// Another organisation's: nothing of theirs is shown (the store narrows it anyway).
		http.Redirect(w, r, "/focal", http.StatusSeeOther)
		return
	}
	s.approveAllAsk(w, r, sc)
}

func (s *Server) secApproveAllAsk(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.approveAllAsk(w, r, meetingScope(m.ID))
}
