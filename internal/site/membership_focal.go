package site

import (
	"net/http"

	"plenary/internal/domain"
	"plenary/web/view"
)

// membersList shows a focal point the accounts of their organisation(s), those awaiting
// confirmation first: confirming one opens the meeting documents to that delegate. Nobody else's
// accounts are listed.
func (s *Server) membersList(w http.ResponseWriter, r *http.Request) {
	lines, err := s.svc.Members.List(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.MembersPage(s.page(r, s.translator(r).T("member.title")), view.MembersData{Lines: lines}))
}

func (s *Server) memberConfirm(w http.ResponseWriter, r *http.Request) {
	s.memberChange(w, r, true)
}

func (s *Server) memberRevoke(w http.ResponseWriter, r *http.Request) {
	s.memberChange(w, r, false)
}

func (s *Server) memberChange(w http.ResponseWriter, r *http.Request, confirm bool) {
	id, err := idParam(r, "account")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var acc domain.Account
	if confirm {
		acc, err = s.svc.Members.Confirm(r.Context(), auditOf(r), actorOf(r), id)
	} else {
		acc, err = s.svc.Members.Revoke(r.Context(), auditOf(r), actorOf(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if confirm {
		s.flash(r, "member.confirmed", "Name", acc.Name())
	} else {
		s.flash(r, "member.revoked", "Name", acc.Name())
	}
	http.Redirect(w, r, "/focal/members", http.StatusSeeOther)
}
