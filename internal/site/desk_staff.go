package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/web/view"
)

// The secretariat names a meeting's desk staff (the role desk staff, held at that meeting).

func (s *Server) deskStaffData(r *http.Request) (view.DeskStaffData, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.DeskStaffData{}, err
	}
	m, staff, err := s.svc.DeskStaff.List(r.Context(), actorOf(r), id)
	if err != nil {
		return view.DeskStaffData{}, err
	}
	d := view.DeskStaffData{MeetingID: id, MeetingSlug: m.Slug, MeetingTitle: m.Title.In(s.translator(r).Lang.Tag)}
	for _, st := range staff {
		d.Staff = append(d.Staff, view.DeskStaffRow{AccountID: st.AccountID, Name: st.Name, Email: st.Email})
	}
	return d, nil
}

func (s *Server) deskStaffPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.deskStaffData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.DeskStaffPage(s.page(r, s.translator(r).T("desk.staff_title", "Meeting", d.MeetingTitle)), d))
}

func (s *Server) deskStaffAdd(w http.ResponseWriter, r *http.Request) {
	d, err := s.deskStaffData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	email := r.PostFormValue("email")
	t := s.translator(r)
	if err := s.svc.DeskStaff.Grant(r.Context(), auditOf(r), actorOf(r), d.MeetingID, email); err != nil {
		if e, ok := domain.AsError(err); ok && len(e.Fields) > 0 {
			d.Email, d.EmailError = email, t.T(e.Fields["email"])
			s.render(w, r, http.StatusUnprocessableEntity, view.DeskStaffPage(s.page(r, t.T("desk.staff_title", "Meeting", d.MeetingTitle)), d))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "desk.staff_added")
	http.Redirect(w, r, "/secretariat/meetings/"+itoa64(d.MeetingID)+"/desk-staff", http.StatusSeeOther)
}

func (s *Server) deskStaffRemove(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := idParam(r, "account")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.DeskStaff.Revoke(r.Context(), auditOf(r), actorOf(r), id, acc); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "desk.staff_removed")
	http.Redirect(w, r, "/secretariat/meetings/"+itoa64(id)+"/desk-staff", http.StatusSeeOther)
}
