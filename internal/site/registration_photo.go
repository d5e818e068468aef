package site

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// The photo of a registration (issue 13 §2): its owner uploads one before the meeting (the
// secretariat may too), a focal point of its organisation sees it, the desk takes one at the
// counter (deskPhoto). The picture itself is served only to those domain.CanSeePhoto names.

// photoURL is the address of a registration's picture; the version changes with each photo, so
// a replaced one is never shown from an old copy.
func photoURL(p domain.Photo) string { return photoURLAt(p.RegistrationID, p.TakenAt) }

// photoURLAt is the address of registration id's picture, taken at.
func photoURLAt(id int64, at time.Time) string {
	return "/registrations/" + itoa64(id) + "/photo.jpg?v=" + strconv.FormatInt(at.UnixMilli(), 36)
}

// photoPagePath is the address of registration id's photo page, returning to back.
func photoPagePath(id int64, back string) string {
	u := "/registrations/" + itoa64(id) + "/photo"
	if back != "/me" {
		u += "?" + url.Values{"back": {back}}.Encode()
	}
	return u
}

// photoBack is the page a photo page returns to: a path of this site, /me by default.
func photoBack(v string) string {
	if b := localPath(v); b != "/" {
		return b
	}
	return "/me"
}

// photoOf returns the address of a registration's picture ("" when it has none) and what the
// reader may do with it.
func (s *Server) photoOf(r *http.Request, id int64) (string, service.PhotoView, error) {
	v, err := s.svc.Desk.PhotoOf(r.Context(), actorOf(r), id)
	if err != nil || v.Photo == nil {
		return "", v, err
	}
	return photoURL(*v.Photo), v, nil
}

// photoData gathers what the photo page shows to this actor.
func (s *Server) photoData(r *http.Request, l domain.RegistrationLine, back string, f view.Form) (view.PhotoData, error) {
	a := actorOf(r)
	t := s.translator(r)
	d := view.PhotoData{RegistrationID: l.ID, Own: a.ID == l.AccountID, Name: l.Name(), Organisation: view.LineOrg(t, l),
		MeetingTitle: l.MeetingTitle.In(t.Lang.Tag), Mode: l.Mode, State: l.State, Form: f, Back: back}
	u, v, err := s.photoOf(r, l.ID)
	if err != nil {
		return d, err
	}
	d.PhotoURL, d.CanRemove, d.CanSet = u, v.Remove, v.Set == nil
	if v.Set != nil && v.Remove {
		// The reader could, but this registration takes no photo: say why.
		if e, ok := domain.AsError(v.Set); ok {
			d.Refusal = message(t, e)
		}
	}
	return d, nil
}

// photoLine reads the registration in the URL for the actor: its owner, a focal point of its
// organisation or the secretariat (anyone else is told it does not exist).
func (s *Server) photoLine(r *http.Request) (domain.RegistrationLine, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return domain.RegistrationLine{}, err
	}
	return s.svc.Registrations.Line(r.Context(), actorOf(r), id)
}

func (s *Server) renderPhotoPage(w http.ResponseWriter, r *http.Request, status int, l domain.RegistrationLine, back string, f view.Form) {
	d, err := s.photoData(r, l, back, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, view.PhotoPage(s.page(r, s.translator(r).T("photo.title")), d))
}

// photoShow is the photo page of a registration.
func (s *Server) photoShow(w http.ResponseWriter, r *http.Request) {
	l, err := s.photoLine(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := view.NewForm()
	f.Order = []string{domain.FieldPhoto}
	s.renderPhotoPage(w, r, http.StatusOK, l, photoBack(r.URL.Query().Get("back")), f)
}

// photoPart reads a photo form's fields up to its file part (named "photo"), which it returns
// unread, so that the service receives it into a temporary file. A form without one is nil.
func photoPart(w http.ResponseWriter, r *http.Request) (url.Values, *multipart.Part, error) {
	return readMultipart(w, r, domain.PhotoMaxUpload, domain.FieldPhoto)
}

// photoFailed puts a photo's refusal into the form and returns the status to answer with, or 0
// when the failure is not the user's to fix.
func photoFailed(t *i18n.Translator, err error, f *view.Form) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		f.Errors[domain.FieldPhoto] = t.T("photo.too_large")
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
		f.Errors[k] = t.T(key)
	}
	if len(e.Fields) == 0 {
		f.Summary = message(t, e)
	}
	switch {
	case e.Fields[domain.FieldPhoto] == "photo.too_large":
		return http.StatusRequestEntityTooLarge
	case e.Code == domain.Conflict:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// photoSubmit uploads or replaces a registration's photo. Who may is checked before the file is
// read (and again by the service, in its transaction).
func (s *Server) photoSubmit(w http.ResponseWriter, r *http.Request) {
	l, err := s.photoLine(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := photoBack(r.URL.Query().Get("back"))
	t := s.translator(r)
	f := view.NewForm()
	f.Order = []string{domain.FieldPhoto}
	if err := domain.CanSetPhoto(actorOf(r), l.Registration); err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			s.renderPhotoPage(w, r, http.StatusConflict, l, back, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	_, part, err := photoPart(w, r)
	if err == nil && part == nil {
		err = domain.FieldErrors(map[string]string{domain.FieldPhoto: "photo.missing"})
	}
	if err == nil {
		_, err = s.svc.Desk.ReceivePhoto(r.Context(), auditOf(r), actorOf(r), l.ID, service.PhotoIn{Body: part, Source: domain.PhotoUploaded})
	}
	if err != nil {
		status := photoFailed(t, err, &f)
		if status == 0 {
			s.fail(w, r, err)
			return
		}
		s.renderPhotoPage(w, r, status, l, back, f)
		return
	}
	s.flash(r, "photo.saved")
	http.Redirect(w, r, photoPagePath(l.ID, back), http.StatusSeeOther)
}

// photoImage sends a registration's picture to whoever may see it (domain.CanSeePhoto); to
// anyone else, as when there is none, it does not exist. It is never cached.
func (s *Server) photoImage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, b, err := s.svc.Desk.OpenPhoto(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// photoRemoveAsk asks before a photo is removed: nothing is removed until its button is pressed.
func (s *Server) photoRemoveAsk(w http.ResponseWriter, r *http.Request) {
	s.showPhotoRemove(w, r, photoBack(r.URL.Query().Get("back")))
}

func (s *Server) showPhotoRemove(w http.ResponseWriter, r *http.Request, back string) {
	l, err := s.photoLine(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := actorOf(r)
	if err := domain.CanRemovePhoto(a, l.Registration); err != nil {
		s.fail(w, r, err)
		return
	}
	u, _, err := s.photoOf(r, l.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if u == "" {
		http.Redirect(w, r, photoPagePath(l.ID, back), http.StatusSeeOther)
		return
	}
	t := s.translator(r)
	d := view.PhotoRemoveData{RegistrationID: l.ID, Own: a.ID == l.AccountID, Name: l.Name(),
		MeetingTitle: l.MeetingTitle.In(t.Lang.Tag), PhotoURL: u, Back: back}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, view.PhotoRemovePage(s.page(r, t.T("photo.remove_title")), d))
}

// photoRemove removes a registration's photo once confirmed (confirm=yes); a post without the
// confirmation is shown the question instead.
func (s *Server) photoRemove(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	back := photoBack(r.PostFormValue("back"))
	if r.PostFormValue("confirm") != "yes" {
		s.showPhotoRemove(w, r, back)
		return
	}
	if err := s.svc.Desk.RemovePhoto(r.Context(), auditOf(r), actorOf(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "photo.removed")
	http.Redirect(w, r, photoPagePath(id, back), http.StatusSeeOther)
}
