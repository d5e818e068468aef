package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/web/view"
)

// meShow is the signed-in person's own page: their account and, below, their registrations.
func (s *Server) meShow(w http.ResponseWriter, r *http.Request) {
	acc := accountOf(r)
	org, err := s.svc.Registrations.OrganisationOf(r.Context(), *acc)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		s.fail(w, r, err)
		return
	}
	regs, err := s.myRegistrations(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	docs, err := s.svc.Documents.Mine(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, s.translator(r).T("me.title"))
	s.render(w, r, http.StatusOK, view.MePage(p, view.MeData{Account: *acc, Organisation: org, Actor: actorOf(r), Registrations: regs, Documents: docs}))
}
