package site

import (
	"net/http"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/web/view"
)

// editFormOf fills the edit form with a document's details.
func editFormOf(m *domain.MeetingDetail, d *domain.DocumentDetail) view.Form {
	f := view.NewForm()
	f.Values["type"] = string(d.Type)
	f.Values["suffix"] = d.Suffix
	f.Values["ls_direction"] = d.LSDirection
	f.Values["ls_purpose"] = d.LSPurpose
	f.Values["title"] = d.Title
	f.Values["source_text"] = d.SourceText
	var srcs []string
	for _, id := range d.Sources {
		srcs = append(srcs, strconv.FormatInt(id, 10))
	}
	f.Values["sources"] = strings.Join(srcs, ",")
	f.Values["questions"] = strings.Join(d.QuestionCodes, ", ")
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	f.Values["working_party"] = opt(d.WorkingPartyID)
	f.Values["agenda_item"] = opt(d.AgendaItemID)
	f.Values["work_item"] = opt(d.WorkItemID)
	return f
}

func (s *Server) documentEditForm(w http.ResponseWriter, r *http.Request) {
	m, d, err := s.documentOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showDocumentEdit(w, r, http.StatusOK, m, d, editFormOf(m, d))
}

func (s *Server) showDocumentEdit(w http.ResponseWriter, r *http.Request, status int, m *domain.MeetingDetail, d *domain.DocumentDetail, f view.Form) {
	data, err := s.documentFormData(r, m, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Edit = d
	s.render(w, r, status, view.DocumentFormPage(s.page(r, s.translator(r).T("doc.edit_title", "Number", d.Label())), data))
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) {
	m, d, err := s.documentOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	f := view.NewForm()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	req := documentRequest(t, m, r.PostForm, &f)
	req.Type = d.Type
	f.Values["type"] = string(d.Type)
	if len(f.Errors) == 0 {
		err := s.svc.Documents.Update(r.Context(), auditOf(r), actorOf(r), d.ID, req)
		if err == nil {
			s.flash(r, "doc.saved", "Number", d.Label())
			http.Redirect(w, r, documentPath(m.Slug, d.Ref()), http.StatusSeeOther)
			return
		}
		status := s.uploadError(t, err, &f, s.documentMaxBytes())
		if status == 0 {
			s.fail(w, r, err)
			return
		}
		s.showDocumentEdit(w, r, status, m, d, f)
		return
	}
	s.showDocumentEdit(w, r, http.StatusUnprocessableEntity, m, d, f)
}

func (s *Server) documentWithdraw(w http.ResponseWriter, r *http.Request) {
	m, d, err := s.documentOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.Documents.Withdraw(r.Context(), auditOf(r), actorOf(r), d.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "doc.withdrawn_flash", "Number", d.Label())
	http.Redirect(w, r, documentPath(m.Slug, d.Ref()), http.StatusSeeOther)
}
