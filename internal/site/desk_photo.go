package site

import (
	"net/http"
	"strconv"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/web/view"
)

// The photo at the registration desk: the person shown with their photo, and a form that takes
// one at the counter (a file input with capture: a phone's or tablet's camera opens, a laptop
// chooses the webcam's picture), without JavaScript.

// renderDesk renders the desk page, with the photo of the person shown and whether the desk may
// take one. It is never cached.
func (s *Server) renderDesk(w http.ResponseWriter, r *http.Request, status int, d view.DeskData) {
	if d.Person != nil {
		u, v, err := s.photoOf(r, d.Person.RegistrationID)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			s.fail(w, r, err)
			return
		}
		d.Person.PhotoURL, d.Person.CanPhoto = u, err == nil && v.Set == nil
	}
	if d.PhotoForm.Values == nil {
		d.PhotoForm = view.NewForm()
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, view.DeskPage(s.page(r, d.Title), d))
}

// deskPhoto takes the photo of a person at the counter, audited with the desk and the staff
// member. A refused picture shows the desk again, the reason beside the field.
func (s *Server) deskPhoto(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals, part, err := photoPart(w, r)
	var id int64
	if err == nil {
		id, _ = strconv.ParseInt(vals.Get("registration"), 10, 64)
		if id <= 0 {
			err = errBadForm
		}
	}
	if err == nil && part == nil {
		err = domain.FieldErrors(map[string]string{domain.FieldPhoto: "photo.missing"})
	}
	if err == nil {
		_, err = s.svc.Desk.ReceivePhoto(r.Context(), auditOf(r), actorOf(r), id,
			service.PhotoIn{Body: part, Source: domain.PhotoAtDesk, Desk: s.deskName(r), Meeting: m.ID})
	}
	if err != nil {
		f := view.NewForm()
		status := photoFailed(s.translator(r), err, &f)
		if status == 0 {
			s.fail(w, r, err)
			return
		}
		q := ""
		if id > 0 {
			q = domain.RegistrationReference(m.Slug, id)
		}
		d, _, derr := s.deskData(r, m, q)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.PhotoForm = f
		if f.Summary != "" && d.Refusal == "" {
			d.Refusal = f.Summary
		}
		s.renderDesk(w, r, status, d)
		return
	}
	s.flash(r, "desk.photo_taken")
	http.Redirect(w, r, "/desk/"+m.Slug+"?reg="+itoa64(id), http.StatusSeeOther)
}
