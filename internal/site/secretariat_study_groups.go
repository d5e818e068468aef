package site

import (
	"fmt"
	"net/http"
	"strconv"

	"plenary/internal/domain"
	"plenary/web/view"
)

func (s *Server) studyGroupEdit(r *http.Request) (*domain.StudyGroupDetail, view.StudyGroupEdit, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, view.StudyGroupEdit{}, err
	}
	g, err := s.svc.StudyGroups.Detail(r.Context(), id)
	if err != nil {
		return nil, view.StudyGroupEdit{}, err
	}
	langs := s.cat.Langs()
	e := view.StudyGroupEdit{ID: g.ID, Code: g.Code, WPs: g.WorkingParties, Langs: langs, Main: view.NewForm()}
	v := e.Main.Values
	v["study_period"], v["chair"], v["phone"], v["fax"], v["email"], v["web"] = g.StudyPeriod, g.Chair, g.Phone, g.Fax, g.Email, g.Web
	for _, l := range langs {
		v["title-"+l.Tag] = g.Title[l.Tag]
	}
	e.WorkingParties = rowForm(len(g.WorkingParties))
	for i, w := range g.WorkingParties {
		set := rowSetter(e.WorkingParties, "p", i)
		set("id", strconv.FormatInt(w.ID, 10))
		set("number", strconv.Itoa(w.Number))
		set("code", w.Code)
		for _, l := range langs {
			set("title-"+l.Tag, w.Title[l.Tag])
		}
	}
	e.Questions = rowForm(len(g.Questions))
	for i, q := range g.Questions {
		set := rowSetter(e.Questions, "q", i)
		set("id", strconv.FormatInt(q.ID, 10))
		set("number", strconv.Itoa(q.Number))
		set("code", q.Code)
		if q.WorkingPartyID != nil {
			set("wp", strconv.FormatInt(*q.WorkingPartyID, 10))
		}
		for _, l := range langs {
			set("title-"+l.Tag, q.Title[l.Tag])
		}
	}
	return g, e, nil
}

func (s *Server) studyGroupForm(w http.ResponseWriter, r *http.Request) {
	g, e, err := s.studyGroupEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.StudyGroupEditPage(s.page(r, s.translator(r).T("sec.study_group", "SG", g.Code)), e))
}

// studyGroupSave saves one of the three forms of the study group page, named by "part".
func (s *Server) studyGroupSave(w http.ResponseWriter, r *http.Request) {
	g, e, err := s.studyGroupEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	langs := s.cat.Langs()
	r.Body = http.MaxBytesReader(w, r.Body, 4*maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	var form *view.Form
	switch r.PostForm.Get("part") {
	case "main":
		var in struct {
			StudyPeriod string `form:"study_period" validate:"required,max=20"`
			Chair       string `form:"chair" validate:"max=200"`
			Phone       string `form:"phone" validate:"max=50"`
			Fax         string `form:"fax" validate:"max=50"`
			Email       string `form:"email" validate:"omitempty,email,max=254"`
			Web         string `form:"web" validate:"omitempty,http_url,max=500"`
		}
		f, err := decodeForm(w, r, &in)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.check(t, &in, &f)
		title := domain.Text{}
		for _, l := range langs {
			v := r.PostForm.Get("title-" + l.Tag)
			f.Values["title-"+l.Tag] = v
			if v != "" {
				title[l.Tag] = v
			}
		}
		if title["en"] == "" {
			f.Errors["title-en"] = t.T("validation.required")
		}
		if len(f.Errors) == 0 {
			err = s.svc.StudyGroups.Update(r.Context(), auditOf(r), actorOf(r), domain.StudyGroup{ID: g.ID, Title: title, StudyPeriod: in.StudyPeriod,
				Chair: in.Chair, Phone: in.Phone, Fax: in.Fax, Email: in.Email, Web: in.Web})
		}
		e.Main, form = f, &e.Main
	case "wps":
		rs, err2 := readRows(w, r, t, "p")
		if err2 != nil {
			s.fail(w, r, err2)
			return
		}
		var edits []domain.RowEdit[domain.WorkingParty]
		for i := 0; i < rs.n; i++ {
			if rs.blank(i, "number", "code", "title-en") {
				continue
			}
			id, del := rs.id(i)
			edits = append(edits, domain.RowEdit[domain.WorkingParty]{ID: id, Delete: del, Value: domain.WorkingParty{
				Number: rs.number(i, "number"), Code: rs.text(i, "code", 20, true), Title: rs.texts(i, "title", langs, 200, true)}})
		}
		if len(rs.f.Errors) == 0 {
			err = s.svc.StudyGroups.SaveWorkingParties(r.Context(), auditOf(r), actorOf(r), g.ID, edits)
		}
		e.WorkingParties, form = rs.f, &e.WorkingParties
	case "questions":
		rs, err2 := readRows(w, r, t, "q")
		if err2 != nil {
			s.fail(w, r, err2)
			return
		}
		wps := map[int64]bool{}
		for _, w := range g.WorkingParties {
			wps[w.ID] = true
		}
		var edits []domain.RowEdit[domain.Question]
		for i := 0; i < rs.n; i++ {
			if rs.blank(i, "number", "code", "wp", "title-en") {
				continue
			}
			id, del := rs.id(i)
			q := domain.Question{Number: rs.number(i, "number"), Code: rs.text(i, "code", 20, true), Title: rs.texts(i, "title", langs, 300, false)}
			if rs.value(i, "wp") != "" {
				wp := rs.ref(i, "wp", wps)
				q.WorkingPartyID = &wp
			}
			edits = append(edits, domain.RowEdit[domain.Question]{ID: id, Delete: del, Value: q})
		}
		if len(rs.f.Errors) == 0 {
			err = s.svc.StudyGroups.SaveQuestions(r.Context(), auditOf(r), actorOf(r), g.ID, edits)
		}
		e.Questions, form = rs.f, &e.Questions
	default:
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	if len(form.Errors) == 0 && err == nil {
		s.flash(r, "sec.saved")
		http.Redirect(w, r, fmt.Sprintf("/secretariat/study-groups/%d", g.ID), http.StatusSeeOther)
		return
	}
	if err != nil && !applyDomainError(t, err, form) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, view.StudyGroupEditPage(s.page(r, t.T("sec.study_group", "SG", g.Code)), e))
}
