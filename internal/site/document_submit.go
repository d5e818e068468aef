package site

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"plenary/internal/blob"
	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/web/view"
)

// formOverhead is what a document form may carry besides its file.
const formOverhead = 1 << 20

// maxFieldBytes bounds one text field of a multipart form.
const maxFieldBytes = 64 << 10

// errBadForm is a multipart form the server cannot read.
var errBadForm = domain.Errorf(domain.Invalid, "error.bad_form")

// readMultipart reads a multipart form's fields up to its file part (named "file"), which it
// returns unread so that the store can stream it; the file comes last in the forms. The whole
// request is capped at the file limit plus formOverhead.
func readMultipart(w http.ResponseWriter, r *http.Request, maxFile int64) (url.Values, *multipart.Part, error) {
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
		if part.FormName() == "file" {
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

// receiveFile receives the form's file (the part named "file"), checks it and stores it as
// pending for the signed-in actor, or else returns the file kept from the form sent before
// (the hidden field "attached"), or nil when there is neither. A new file replaces the kept one.
// A file that cannot be accepted comes back as a field error; nothing of it is kept.
func (s *Server) receiveFile(r *http.Request, part *multipart.Part, kept string, max int64) (*blob.Record, error) {
	ctx := r.Context()
	actor := actorOf(r)
	if part == nil || part.FileName() == "" {
		if kept == "" {
			return nil, nil
		}
		rec, err := s.files.Staged(ctx, kept, actor.ID)
		if err != nil {
			return nil, err
		}
		return &rec, nil
	}
	u, err := s.files.Receive(part, part.FileName(), max)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	if err := u.Check(max); err != nil {
		return nil, err
	}
	rec, err := s.files.Stage(ctx, u, "documents", actor.ID)
	if err != nil {
		return nil, err
	}
	if kept != "" {
		if old, err := s.files.Staged(ctx, kept, actor.ID); err == nil {
			s.files.Discard(ctx, old)
		}
	}
	return &rec, nil
}

// documentFormData gathers what the form of a new document shows.
func (s *Server) documentFormData(r *http.Request, m *domain.MeetingDetail, acc domain.DocumentAccess, mem domain.Membership, f view.Form) (view.DocumentFormData, error) {
	data := view.DocumentFormData{Meeting: m, Form: f, Access: acc, MaxBytes: s.documentMaxBytes(), Own: mem.Organisation}
	now := s.opts.Now()
	loc := m.Location()
	data.Late = m.Deadline(domain.Contributions).Passed(now, loc)
	data.NoTranslation = m.Deadline(domain.ContributionsForTranslation).Passed(now, loc)
	orgs, err := s.db.Organisations(r.Context())
	if err != nil {
		return data, err
	}
	data.Organisations = orgs
	return data, nil
}

func (s *Server) documentNewForm(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingDetail(r.Context(), urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, mem, err := s.documentAccess(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !acc.Submit {
		s.refuseDocuments(w, r, acc)
		return
	}
	f := view.NewForm()
	f.Values["type"] = string(domain.Contribution)
	if mem.Organisation != nil {
		f.Values["sources"] = strconv.FormatInt(mem.Organisation.ID, 10)
	}
	data, err := s.documentFormData(r, m, acc, mem, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.DocumentFormPage(s.page(r, s.translator(r).T("doc.new_title")), data))
}

func (s *Server) documentSubmit(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingDetail(r.Context(), urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, mem, err := s.documentAccess(r, m)
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
	var att *blob.Record
	vals, part, err := readMultipart(w, r, max)
	if err == nil {
		req := documentRequest(t, m, vals, &f)
		// The file is received and stored whatever the other fields say, so that a refused form
		// keeps it ("already attached") and names every problem at once.
		att, err = s.receiveFile(r, part, vals.Get("attached"), max)
		if fe, ok := domain.AsError(err); ok && len(fe.Fields) > 0 {
			// The file is refused: the other fields are checked too, to name every problem.
			if e, ok := domain.AsError(s.db.CheckDocument(r.Context(), actorOf(r), m.ID, req, true, s.opts.Now())); ok {
				for k, v := range e.Fields {
					if _, set := fe.Fields[k]; !set {
						fe.Fields[k] = v
					}
				}
			}
		}
		if err == nil && len(f.Errors) == 0 {
			var file *postgres.AttachedFile
			if att != nil {
				file = &postgres.AttachedFile{Key: att.Key, Name: att.FileName}
			}
			var d domain.Document
			d, err = s.db.PostDocument(r.Context(), auditOf(r), actorOf(r), m.ID, req, file, s.opts.Now())
			if err == nil {
				s.flash(r, "doc.posted", "Number", d.Label(m.StudyGroup.Code))
				http.Redirect(w, r, documentPath(m.Slug, d.Ref()), http.StatusSeeOther)
				return
			}
		}
	}
	if att != nil {
		// Kept for the form to be sent again, until it succeeds or the file's time runs out.
		if kerr := s.files.Keep(r.Context(), att.Key); kerr != nil {
			s.log.Warn("keep an attached file", "id", requestIDOf(r), "err", kerr)
			att = nil
		}
	}
	if err != nil {
		status = s.uploadError(t, err, &f, max)
		if status == 0 {
			s.fail(w, r, err)
			return
		}
	}
	data, derr := s.documentFormData(r, m, acc, mem, f)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	if att != nil && f.Errors["file"] == "" {
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
func (s *Server) documentData(r *http.Request, m *domain.MeetingDetail, d *postgres.DocumentDetail) (view.DocumentData, error) {
	acc, _, err := s.documentAccess(r, m)
	if err != nil {
		return view.DocumentData{}, err
	}
	return view.DocumentData{
		Meeting: m, Doc: d, Access: acc, MaxBytes: s.documentMaxBytes(), Revise: view.NewForm(),
		CanRevise: d.State != domain.DocWithdrawn && domain.CanRevise(actorOf(r), acc, d.Document, d.Sources),
	}, nil
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
	err = s.db.CheckRevise(r.Context(), actorOf(r), d.ID, s.opts.Now())
	var part *multipart.Part
	if err == nil {
		_, part, err = readMultipart(w, r, max)
	}
	if err == nil {
		if part == nil || part.FileName() == "" {
			err = domain.FieldErrors(map[string]string{"file": "error.doc_file_required"})
		} else {
			var att *blob.Record
			att, err = s.receiveFile(r, part, "", max)
			if err == nil {
				var next domain.Document
				next, err = s.db.ReviseDocument(r.Context(), auditOf(r), actorOf(r), d.ID, postgres.AttachedFile{Key: att.Key, Name: att.FileName}, s.opts.Now())
				if err == nil {
					s.flash(r, "doc.revised", "Number", d.Label(), "Revision", revisionName(t, next.Revision))
					http.Redirect(w, r, documentPath(m.Slug, d.Ref()), http.StatusSeeOther)
					return
				}
				s.files.Discard(context.WithoutCancel(r.Context()), *att)
			}
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
