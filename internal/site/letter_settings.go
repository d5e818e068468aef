package site

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/web/view"
)

// letterScope reads whose letter settings a page is about, from its path: a study group's
// (/secretariat/study-groups/{id}/letter) or a meeting's (/secretariat/meetings/{id}/letter).
func (s *Server) letterScope(r *http.Request) (domain.LetterScope, view.LetterSettingsData, error) {
	var scope domain.LetterScope
	var data view.LetterSettingsData
	id, err := idParam(r, "id")
	if err != nil {
		return scope, data, err
	}
	t := s.translator(r)
	if strings.HasPrefix(r.URL.Path, "/secretariat/meetings/") {
		d, err := s.svc.Meetings.Detail(r.Context(), id)
		if err != nil {
			return scope, data, err
		}
		scope.MeetingID = id
		data.Meeting = true
		data.Scope = d.Title.In(t.Lang.Tag)
		data.Path = "/secretariat/meetings/" + itoa64(id) + "/letter"
		data.StudyGroupPath = "/secretariat/study-groups/" + itoa64(d.StudyGroupID) + "/letter"
		if data.Inherited, err = s.svc.Letters.Get(r.Context(), actorOf(r), domain.LetterScope{StudyGroupID: d.StudyGroupID}); err != nil {
			return scope, data, err
		}
	} else {
		g, err := s.svc.StudyGroups.Detail(r.Context(), id)
		if err != nil {
			return scope, data, err
		}
		scope.StudyGroupID = id
		data.Scope = g.Code
		data.Path = "/secretariat/study-groups/" + itoa64(id) + "/letter"
	}
	return scope, data, nil
}

// letterSettingsData gathers the settings page, its form filled with what is stored.
func (s *Server) letterSettingsData(r *http.Request) (domain.LetterScope, view.LetterSettingsData, error) {
	scope, data, err := s.letterScope(r)
	if err != nil {
		return scope, data, err
	}
	st, err := s.svc.Letters.Get(r.Context(), actorOf(r), scope)
	if err != nil {
		return scope, data, err
	}
	t := s.translator(r)
	data.HasSignature = len(st.Signature) > 0
	data.Form = view.NewForm()
	v := data.Form.Values
	v[domain.FieldSecretariatName], v[domain.FieldPostalAddress] = st.SecretariatName, st.PostalAddress
	v[domain.FieldSignatoryName], v[domain.FieldSignatoryTitle] = st.SignatoryName, st.SignatoryTitle
	v[domain.FieldLetterLanguage], v["version"] = st.Language, strconv.FormatInt(st.Version, 10)
	if data.Meeting {
		data.Langs = []view.Option{{Value: "", Label: t.T("letter.language_inherit")}}
	}
	for _, l := range domain.LetterLanguages {
		data.Langs = append(data.Langs, view.Option{Value: l, Label: s.languageName(l)})
	}
	effective := st.Over(data.Inherited)
	if !data.Meeting {
		effective = st.Over(domain.LetterSettings{})
	}
	if c := effective.CanIssueLetters(); !c.Allowed {
		data.Blocked = message(t, c.Reason)
	}
	return scope, data, nil
}

// languageName names a language in itself ("English", "中文"), from its catalogue.
func (s *Server) languageName(tag string) string {
	for _, l := range s.cat.Langs() {
		if l.Tag == tag {
			return l.Name
		}
	}
	return tag
}

func (s *Server) letterSettingsTitle(r *http.Request) string {
	return s.translator(r).T("letter.title")
}

// letterSettingsForm shows the letterhead, signatory and language of a study group's or a
// meeting's visa support letters.
func (s *Server) letterSettingsForm(w http.ResponseWriter, r *http.Request) {
	_, data, err := s.letterSettingsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.LetterSettingsPage(s.page(r, s.letterSettingsTitle(r)), data))
}

// letterSettingsSave stores them, with the signature image uploaded (checked: size, type,
// dimensions) or removed.
func (s *Server) letterSettingsSave(w http.ResponseWriter, r *http.Request) {
	scope, data, err := s.letterSettingsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	r.Body = http.MaxBytesReader(w, r.Body, domain.SignatureMaxBytes+formOverhead)
	if err := r.ParseMultipartForm(domain.SignatureMaxBytes + formOverhead); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			data.Form.Errors[domain.FieldSignature] = t.T("error.signature_too_large")
			s.render(w, r, http.StatusRequestEntityTooLarge, view.LetterSettingsPage(s.page(r, s.letterSettingsTitle(r)), data))
			return
		}
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f := view.NewForm()
	f.Order = []string{domain.FieldSecretariatName, domain.FieldPostalAddress, domain.FieldSignatoryName, domain.FieldSignatoryTitle,
		domain.FieldSignature, domain.FieldLetterLanguage}
	get := func(name string) string {
		v := cleanText(r.PostFormValue(name))
		f.Values[name] = v
		return strings.TrimSpace(v)
	}
	st := domain.LetterSettings{SecretariatName: get(domain.FieldSecretariatName), PostalAddress: get(domain.FieldPostalAddress),
		SignatoryName: get(domain.FieldSignatoryName), SignatoryTitle: get(domain.FieldSignatoryTitle), Language: get(domain.FieldLetterLanguage)}
	st.Version, _ = strconv.ParseInt(get("version"), 10, 64)
	sig := domain.SignatureKeep
	if get("remove_signature") != "" {
		sig = domain.SignatureRemove
	}
	if fh := r.MultipartForm.File["signature"]; len(fh) > 0 && fh[0].Size > 0 {
		file, err := fh[0].Open()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		b, err := io.ReadAll(io.LimitReader(file, domain.SignatureMaxBytes+1))
		_ = file.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		typ, err := domain.CheckSignature(b)
		if err != nil {
			applyDomainError(t, err, &f)
		} else {
			st.Signature, st.SignatureType, sig = b, typ, domain.SignatureReplace
		}
	}
	page := func(status int) {
		data.Form = f
		s.render(w, r, status, view.LetterSettingsPage(s.page(r, s.letterSettingsTitle(r)), data))
	}
	if err := domain.CheckLetterSettings(st, !data.Meeting); err != nil {
		applyDomainError(t, err, &f)
	}
	if f.HasErrors() {
		page(http.StatusUnprocessableEntity)
		return
	}
	if err := s.svc.Letters.Save(r.Context(), auditOf(r), actorOf(r), scope, st, sig); err != nil {
		if applyDomainError(t, err, &f) {
			page(statusOf(domain.ErrorCode(err)))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "letter.saved")
	http.Redirect(w, r, data.Path, http.StatusSeeOther)
}

// letterSignature sends the stored signature image, for the settings page's preview.
func (s *Server) letterSignature(w http.ResponseWriter, r *http.Request) {
	scope, _, err := s.letterScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.svc.Letters.Get(r.Context(), actorOf(r), scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(st.Signature) == 0 {
		s.fail(w, r, domain.Errorf(domain.NotFound, "error.not_found"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", st.SignatureType)
	h.Set("Content-Disposition", `attachment; filename="signature"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(st.Signature)))
	_, _ = w.Write(st.Signature)
}
