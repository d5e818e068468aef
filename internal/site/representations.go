package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/web/view"
)

func (s *Server) representationsTitle(r *http.Request) string { return s.translator(r).T("reps.title") }

func (s *Server) representationsPage(w http.ResponseWriter, r *http.Request, status int, f view.Form) {
	list, err := s.svc.Representations.All(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, view.RepresentationsPage(s.page(r, s.representationsTitle(r)), view.RepresentationsData{List: list, Form: f}))
}

// representationList is the secretariat's list of Swiss representations.
func (s *Server) representationList(w http.ResponseWriter, r *http.Request) {
	s.representationsPage(w, r, http.StatusOK, view.NewForm())
}

// representationAdd adds a representation to the list.
func (s *Server) representationAdd(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Country string `form:"country" validate:"max=100"`
		City    string `form:"city" validate:"max=100"`
		Kind    string `form:"kind" validate:"max=40"`
	}
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	if !s.check(t, &in, &f) {
		s.representationsPage(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	_, err = s.svc.Representations.Add(r.Context(), auditOf(r), actorOf(r),
		domain.Representation{Country: in.Country, City: in.City, Kind: domain.RepresentationKind(in.Kind)})
	if err != nil {
		if applyDomainError(t, err, &f) {
			s.representationsPage(w, r, statusOf(domain.ErrorCode(err)), f)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "reps.added")
	http.Redirect(w, r, "/secretariat/representations", http.StatusSeeOther)
}

// representationActive offers a representation again, or no longer.
func (s *Server) representationActive(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	active := r.PostFormValue("active") == "true"
	if err := s.svc.Representations.SetActive(r.Context(), auditOf(r), actorOf(r), id, active); err != nil {
		s.actionFailed(w, r, err, "/secretariat/representations")
		return
	}
	if active {
		s.flash(r, "reps.offered_again")
	} else {
		s.flash(r, "reps.retired")
	}
	http.Redirect(w, r, "/secretariat/representations#representation-"+itoa64(id), http.StatusSeeOther)
}
