package site

import (
	"net/http"

	"plenary/web/view"
)

// registrationCancelAsk shows what cancelling a registration will do and asks to confirm: for
// its owner, a focal point of its organisation or the secretariat. Nothing changes until the
// page's own button is pressed.
func (s *Server) registrationCancelAsk(w http.ResponseWriter, r *http.Request) {
	s.showCancel(w, r, localPath(r.URL.Query().Get("next")))
}

// registrationCancel cancels a registration once confirmed (confirm=yes), then returns to the
// page named by "next". A post without the confirmation (an old form, a script) is shown the
// question instead: cancelling never takes a single click.
func (s *Server) registrationCancel(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	next := localPath(r.PostFormValue("next"))
	if r.PostFormValue("confirm") != "yes" {
		s.showCancel(w, r, next)
		return
	}
	if err := s.svc.Registrations.Cancel(r.Context(), auditOf(r), actorOf(r), id); err != nil {
		s.actionFailed(w, r, err, next)
		return
	}
	s.flash(r, "reg.cancelled")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) showCancel(w http.ResponseWriter, r *http.Request, next string) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := actorOf(r)
	t := s.translator(r)
	if next == "/" {
		next = "/me"
	}
	p, err := s.svc.Registrations.PreviewCancel(r.Context(), a, id)
	if err != nil {
		// Not theirs: not found; already cancelled or decided: say so where the person came from.
		s.actionFailed(w, r, err, next)
		return
	}
	l := p.Line
	m, err := s.meetingDetail(r.Context(), l.MeetingSlug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := view.CancelData{
		ID: id, Own: a.ID == l.AccountID, Name: l.Name(), Organisation: view.LineOrg(t, l),
		MeetingTitle: l.MeetingTitle.In(t.Lang.Tag), FirstDay: m.FirstDay, LastDay: m.LastDay,
		Mode: l.Mode, State: l.State, Next: next, Visa: p.Visa, VisaWithdrawn: p.VisaWithdrawn,
	}
	// The service mails the organisation's focal points, all but the one who cancels.
	switch {
	case p.FocalPointsTold > 0 && p.ActorIsFocalPoint:
		d.FocalPointsTold = view.OtherFocalPointsTold
	case p.FocalPointsTold > 0:
		d.FocalPointsTold = view.FocalPointsOfOrganisationTold
	}
	title := t.T("cancel.title_other", "Name", d.Name)
	if d.Own {
		title = t.T("cancel.title_own")
	}
	s.render(w, r, http.StatusOK, view.CancelPage(s.page(r, title), d))
}
