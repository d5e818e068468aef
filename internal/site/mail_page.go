package site

import (
	"net/http"
	"slices"
	"strconv"

	"plenary/internal/domain"
	"plenary/internal/service"
	"plenary/web/view"
)

// mailPerPage is how many mails one page of the outbox shows.
const mailPerPage = 50

// mailList shows the secretariat the mail the portal has queued, sent, kept or given up on,
// newest first, a page at a time (?page=), optionally of one state (?state=).
func (s *Server) mailList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if !slices.Contains(domain.MailStates, state) {
		state = ""
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	mp, err := s.svc.Outbox.List(r.Context(), actorOf(r), service.MailFilter{State: state, Limit: mailPerPage, Offset: (page - 1) * mailPerPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := view.MailList{
		Lines:  mp.Lines,
		Counts: mp.Counts,
		Total:  mp.Total,
		State:  state,
		Page:   page,
		Pages:  max(1, (mp.Total+mailPerPage-1)/mailPerPage),
	}
	s.render(w, r, http.StatusOK, view.MailPage(s.page(r, s.translator(r).T("mail.page.title")), l))
}
