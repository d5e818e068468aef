package site

import (
	"net/http"

	"plenary/internal/domain"

	"plenary/web/view"
)

// meetingTranslations lists the meeting's texts that lack a translation in one of the six
// languages, each with the languages it lacks and a link to the section that edits it.
func (s *Server) meetingTranslations(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.meetingEditData(r, d, "translations")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	s.render(w, r, http.StatusOK, view.MeetingTranslationsPage(s.page(r, t.T("tr.title", "Meeting", d.Title.In(t.Lang.Tag))), e,
		d.MissingTranslations(domain.TextOrder)))
}
