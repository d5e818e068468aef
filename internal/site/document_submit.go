package site

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// formOverhead is what a document form may carry besides its file.
const formOverhead = 1 << 20

// maxFieldBytes bounds one text field of a multipart form.
const maxFieldBytes = 64 << 10

// errBadForm is a multipart form the server cannot read.
var errBadForm = domain.Errorf(domain.Invalid, "error.bad_form")

// readMultipart reads a multipart form's fields up to its file part (named fileField), which it
// returns unread so that the file can be streamed (to the store, or to a temporary file); the
// file comes last in the forms. The whole request is capped at the file limit plus formOverhead,
// and at most 200 parts are read before it.
func readMultipart(w http.ResponseWriter, r *http.Request, maxFile int64, fileField string) (url.Values, *multipart.Part, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFile+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errBadForm
	}
	vals := url.Values{}
	for n := 0; n < 200; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return vals, nil, nil
		}
		if err != nil {
			return vals, nil, errBadForm
		}
		if part.FormName() == fileField {
			return vals, part, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil || len(b) > maxFieldBytes {
			return vals, nil, errBadForm
		}
		// Cleaned as every form's fields are (see cleanInput).
		vals.Add(cleanText(part.FormName()), cleanText(string(b)))
	}
	return vals, nil, errBadForm
}

// documentRequest turns a document form into a request, with the messages of fields that cannot
// even be read (an unknown Question, a number that is not one).
func documentRequest(t *i18n.Translator, m *domain.MeetingDetail, vals url.Values, f *view.Form) domain.DocumentRequest {
	get := func(name string) string {
		v := vals.Get(name)
		f.Values[name] = v
		return strings.TrimSpace(v)
	}
	req := domain.DocumentRequest{
		Type: domain.DocType(strings.ToUpper(get("type"))), Suffix: get("suffix"), LSDirection: get("ls_direction"),
		LSPurpose: get("ls_purpose"), Title: get("title"), SourceText: get("source_text"),
	}
	f.Order = []string{"type", "suffix", "ls_direction", "ls_purpose", "title", "sources", "source_text", "questions",
		"working_party", "agenda_item", "work_item", "file"}
	f.Values["sources"] = strings.Join(vals["sources"], ",")
	for _, v := range vals["sources"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.Errors["sources"] = t.T("error.doc_source_unknown")
			continue
		}
		req.Sources = append(req.Sources, id)
	}
	qs, bad := domain.ParseQuestions(m, get("questions"))
	if bad != "" {
		f.Errors["questions"] = t.T("error.doc_question_named", "Question", bad, "StudyGroup", m.StudyGroup.Code)
	}
	req.QuestionIDs = qs
	optionalID := func(name string) *int64 {
		v := get(name)
		if v == "" {
			return nil
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.Errors[name] = t.T("error.not_a_number")
			return nil
		}
		return &id
	}
	req.WorkingPartyID = optionalID("working_party")
	req.AgendaItemID = optionalID("agenda_item")
	req.WorkItemID = optionalID("work_item")
	return req
}

// fileIn is the form's file part as the documents service takes it.
func fileIn(part *multipart.Part, kept string, max int64) service.FileIn {
	in := service.FileIn{Kept: kept, Max: max}
	if part != nil {
		in.Body, in.Name = part, part.FileName()
	}
	return in
}

// documentFormData gathers what the form of a new document shows, and whether the actor may post.
func (s *Server) documentFormData(r *http.Request, m *domain.MeetingDetail, f view.Form) (view.DocumentFormData, error) {
	df, err := s.svc.Documents.Form(r.Context(), actorOf(r), m)
	return view.DocumentFormData{Meeting: m, Form: f, Access: df.Access, MaxBytes: s.documentMaxBytes(), Own: df.Own,
		Late: df.Late, NoTranslation: df.NoTranslation, Organisations: df.Organisations}, err
}

func (s *Server) documentNewForm(w http.ResponseWriter, r *http.Request) {
	m, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := view.NewForm()
	f.Values["type"] = string(domain.Contribution)
	data, err := s.documentFormData(r, m, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !data.Access.Submit {
		s.refuseDocuments(w, r, data.Access)
		return
	}
	if data.Own != nil {
		data.Form.Values["sources"] = strconv.FormatInt(data.Own.ID, 10)
	}
	s.render(w, r, http.StatusOK, view.DocumentFormPage(s.page(r, s.translator(r).T("doc.new_title")), data))
}

func (s *Server) documentSubmit(w http.ResponseWriter, r *http.Request) {
	m, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, _, err := s.documentAccess(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !acc.Submit {
		s.refuseDocuments(w, r, acc)
		return
	}
	t := s.translator(r)
	max := s.documentMaxBytes()
	f := view.NewForm()
	status := http.StatusUnprocessableEntity
	var res service.Submitted
	vals, part, err := readMultipart(w, r, max, "file")
	if err == nil {
		req := documentRequest(t, m, vals, &f)
		res, err = s.svc.Documents.Submit(r.Context(), auditOf(r), actorOf(r), m, req, fileIn(part, vals.Get("attached"), max), len(f.Errors) == 0)
		if err == nil && len(f.Errors) == 0 {
			s.flash(r, "doc.posted", "Number", res.Doc.Label(m.StudyGroup.Code))
			http.Redirect(w, r, documentPath(m.Slug, res.Doc.Ref()), http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		status = s.uploadError(t, err, &f, max)
		if status == 0 {
			s.fail(w, r, err)
			return
		}
	}
	data, derr := s.documentFormData(r, m, f)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	if att := res.Attached; att != nil && f.Errors["file"] == "" {
		data.Attached = &view.AttachedFile{Key: att.Key, Name: att.FileName, Size: att.Size}
	}
	s.render(w, r, status, view.DocumentFormPage(s.page(r, t.T("doc.new_title")), data))
}

// uploadError puts an upload's failure into the form and returns the status to answer with, or
// 0 when the failure is not the user's to fix.
func (s *Server) uploadError(t *i18n.Translator, err error, f *view.Form, max int64) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		f.Errors["file"] = t.T("error.doc_file_too_large", "Max", view.FormatBytes(max))
		return http.StatusRequestEntityTooLarge
	}
	var re *service.ReadError
	if errors.As(err, &re) || errors.Is(err, errBadForm) {
		f.Summary = t.T("error.bad_form")
		return http.StatusBadRequest
	}
	e, ok := domain.AsError(err)
	if !ok || (e.Code != domain.Invalid && e.Code != domain.Conflict) {
		return 0
	}
	for k, key := range e.Fields {
		f.Errors[k] = t.T(key, "Max", view.FormatBytes(max), "Count", domain.MaxTitle)
	}
	if len(e.Fields) == 0 {
		f.Summary = message(t, e)
	}
	if e.Fields["file"] == "error.doc_file_too_large" {
		return http.StatusRequestEntityTooLarge
	}
	if e.Code == domain.Conflict {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// documentData gathers what a document's page shows to this actor.
func (s *Server) documentData(r *http.Request, m *domain.MeetingDetail, d *domain.DocumentDetail) (view.DocumentData, error) {
	v, err := s.svc.Documents.Show(r.Context(), actorOf(r), m, d)
	return view.DocumentData{Meeting: m, Doc: v.Doc, Access: v.Access, MaxBytes: s.documentMaxBytes(), Revise: view.NewForm(),
		CanRevise: v.CanRevise}, err
}

// documentRevise posts a new revision of a document (or the first file of a registered one).
// Whether the actor may is checked before the file is received, and again in the transaction.
func (s *Server) documentRevise(w http.ResponseWriter, r *http.Request) {
	m, d, err := s.documentOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	max := s.documentMaxBytes()
	f := view.NewForm()
	err = s.svc.Documents.CheckRevise(r.Context(), actorOf(r), d.ID)
	var part *multipart.Part
	if err == nil {
		_, part, err = readMultipart(w, r, max, "file")
	}
	if err == nil {
		var next domain.Document
		next, err = s.svc.Documents.Revise(r.Context(), auditOf(r), actorOf(r), d.ID, fileIn(part, "", max))
		if err == nil {
			s.flash(r, "doc.revised", "Number", d.Label(), "Revision", revisionName(t, next.Revision))
			http.Redirect(w, r, documentPath(m.Slug, d.Ref()), http.StatusSeeOther)
			return
		}
	}
	status := s.uploadError(t, err, &f, max)
	if status == 0 {
		s.fail(w, r, err)
		return
	}
	data, err := s.documentData(r, m, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Revise = f
	s.render(w, r, status, view.DocumentPage(s.page(r, d.Label()+" "+d.Title), data))
}

func revisionName(t *i18n.Translator, rev int) string {
	if rev == 0 {
		return t.T("doc.original")
	}
	return domain.RevisionLabel(rev)
}
