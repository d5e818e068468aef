package site

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

func (s *Server) organisationList(w http.ResponseWriter, r *http.Request) {
	orgs, err := s.svc.Organisations.List(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.OrganisationListPage(s.page(r, s.translator(r).T("sec.organisations")), orgs))
}

type organisationFields struct {
	Name         string   `form:"name" validate:"required,max=200"`
	Kind         string   `form:"kind" validate:"required,oneof=member_state sector_member associate academia observer other"`
	Country      string   `form:"country" validate:"omitempty,len=2,alpha"`
	AutoApproval bool     `form:"auto_approval"`
	StudyGroups  []string `form:"study_groups"`
}

func (s *Server) showOrganisation(w http.ResponseWriter, r *http.Request, status int, e view.OrganisationEdit) {
	gs, err := s.svc.StudyGroups.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e.StudyGroups = gs
	t := s.translator(r)
	title := t.T("sec.new_organisation")
	if e.ID != 0 {
		title = e.Form.Get("name")
	}
	if e.FocalForm.Values == nil {
		e.FocalForm = view.NewForm()
	}
	if e.ID != 0 && e.Names.Form.Values == nil {
		o, err := s.svc.Organisations.Get(r.Context(), actorOf(r), e.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		e.Names = s.organisationNames(r, o, nil)
	}
	s.render(w, r, status, view.OrganisationEditPage(s.page(r, title), e))
}

// namesLang is the language an organisation's name is edited in: ?lang= when it is one of the
// interface's other than English, else the page's own language, else the first after English.
func (s *Server) namesLang(r *http.Request) i18n.Lang {
	want := r.URL.Query().Get("lang")
	if want == "" || want == i18n.Default || !s.cat.Has(want) {
		want = s.translator(r).Lang.Tag
	}
	var others []i18n.Lang
	for _, l := range s.cat.Langs() {
		if l.Tag != i18n.Default {
			others = append(others, l)
		}
	}
	for _, l := range others {
		if l.Tag == want {
			return l
		}
	}
	return others[0]
}

// organisationNames is the form of o's name in one other language; f is a refused form (nil:
// the form filled from o).
func (s *Server) organisationNames(r *http.Request, o domain.Organisation, f *view.Form) view.OrganisationNames {
	l := s.namesLang(r)
	n := view.OrganisationNames{Official: o.Name, Lang: l}
	for _, x := range s.cat.Langs() {
		if x.Tag != i18n.Default {
			n.Langs = append(n.Langs, x)
		}
	}
	if f != nil {
		n.Form = *f
	} else {
		n.Form = view.NewForm()
		n.Form.Values["name-"+l.Tag] = o.Names[l.Tag]
	}
	n.Default = view.OrgNameIn(s.cat.For(l.Tag), o.Name, nil, string(o.Kind), o.Country)
	return n
}

// organisationNamesSave saves the organisation's name in one language other than English
// (?lang=); empty, pages in that language fall back as view.OrgNameIn says.
func (s *Server) organisationNamesSave(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromURL(w, r)
	if !ok {
		return
	}
	t := s.translator(r)
	l := s.namesLang(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	field := "name-" + l.Tag
	f := view.NewForm()
	f.Values[field] = r.PostForm.Get(field)
	name := strings.TrimSpace(f.Values[field])
	if runeLen(name) > 200 {
		f.Errors[field] = t.N("validation.max", 200)
	}
	if len(f.Errors) == 0 {
		err := s.svc.Organisations.SaveName(r.Context(), auditOf(r), actorOf(r), o.ID, l.Tag, name)
		if err == nil {
			s.flash(r, "sec.saved")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/organisations/%d?lang=%s#names", o.ID, l.Tag), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	s.showOrganisation(w, r, http.StatusUnprocessableEntity, view.OrganisationEdit{ID: o.ID, Form: organisationForm(o), FocalPoints: o.FocalPoints,
		Names: s.organisationNames(r, o, &f)})
}

func (s *Server) organisationNewForm(w http.ResponseWriter, r *http.Request) {
	s.showOrganisation(w, r, http.StatusOK, view.OrganisationEdit{Form: view.NewForm()})
}

func (s *Server) parseOrganisation(w http.ResponseWriter, r *http.Request) (domain.OrganisationFields, view.Form, bool) {
	var in organisationFields
	f, err := decodeForm(w, r, &in)
	if err != nil {
		f.Summary = s.translator(r).T("error.bad_form")
		return domain.OrganisationFields{}, f, false
	}
	in.Country = strings.ToUpper(in.Country)
	f.Values["country"] = in.Country
	ok := s.check(s.translator(r), &in, &f)
	out := domain.OrganisationFields{Name: in.Name, Kind: domain.OrgKind(in.Kind), Country: in.Country, AutoApproval: in.AutoApproval}
	for _, v := range in.StudyGroups {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.Errors["study_groups"] = s.translator(r).T("validation.oneof")
			return out, f, false
		}
		out.StudyGroupIDs = append(out.StudyGroupIDs, id)
	}
	return out, f, ok
}

func (s *Server) organisationCreate(w http.ResponseWriter, r *http.Request) {
	in, f, ok := s.parseOrganisation(w, r)
	if ok {
		id, err := s.svc.Organisations.Create(r.Context(), auditOf(r), actorOf(r), in)
		if err == nil {
			s.flash(r, "sec.saved")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/organisations/%d", id), http.StatusSeeOther)
			return
		}
		if !applyDomainError(s.translator(r), err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	s.showOrganisation(w, r, http.StatusUnprocessableEntity, view.OrganisationEdit{Form: f})
}

func organisationForm(o domain.Organisation) view.Form {
	f := view.NewForm()
	f.Values["name"], f.Values["kind"], f.Values["country"] = o.Name, string(o.Kind), o.Country
	f.Values["auto_approval"] = onOff(o.AutoApproval)
	var ids []string
	for _, id := range o.StudyGroupIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	f.Values["study_groups"] = strings.Join(ids, ",")
	return f
}

func (s *Server) organisationFromURL(w http.ResponseWriter, r *http.Request) (domain.Organisation, bool) {
	id, err := idParam(r, "id")
	if err == nil {
		var o domain.Organisation
		o, err = s.svc.Organisations.Get(r.Context(), actorOf(r), id)
		if err == nil {
			return o, true
		}
	}
	s.fail(w, r, err)
	return domain.Organisation{}, false
}

func (s *Server) organisationEditForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromURL(w, r)
	if !ok {
		return
	}
	s.showOrganisation(w, r, http.StatusOK, view.OrganisationEdit{ID: o.ID, Form: organisationForm(o), FocalPoints: o.FocalPoints})
}

func (s *Server) organisationUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromURL(w, r)
	if !ok {
		return
	}
	in, f, ok := s.parseOrganisation(w, r)
	if ok {
		err := s.svc.Organisations.Update(r.Context(), auditOf(r), actorOf(r), o.ID, in)
		if err == nil {
			s.flash(r, "sec.saved")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/organisations/%d", o.ID), http.StatusSeeOther)
			return
		}
		if !applyDomainError(s.translator(r), err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	s.showOrganisation(w, r, http.StatusUnprocessableEntity, view.OrganisationEdit{ID: o.ID, Form: f, FocalPoints: o.FocalPoints})
}

func (s *Server) focalPointAdd(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromURL(w, r)
	if !ok {
		return
	}
	var in struct {
		Email string `form:"email" validate:"required,email,max=254"`
	}
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	if s.check(t, &in, &f) {
		err := s.svc.Organisations.AddFocalPoint(r.Context(), auditOf(r), actorOf(r), o.ID, in.Email)
		if err == nil {
			s.flash(r, "sec.focal_added")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/organisations/%d#focal-h", o.ID), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	s.showOrganisation(w, r, http.StatusUnprocessableEntity, view.OrganisationEdit{ID: o.ID, Form: organisationForm(o), FocalPoints: o.FocalPoints, FocalForm: f})
}

func (s *Server) focalPointRemove(w http.ResponseWriter, r *http.Request) {
	o, ok := s.organisationFromURL(w, r)
	if !ok {
		return
	}
	acc, err := idParam(r, "account")
	if err == nil {
		err = s.svc.Organisations.RemoveFocalPoint(r.Context(), auditOf(r), actorOf(r), o.ID, acc)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(r, "sec.focal_removed")
	http.Redirect(w, r, fmt.Sprintf("/secretariat/organisations/%d#focal-h", o.ID), http.StatusSeeOther)
}
