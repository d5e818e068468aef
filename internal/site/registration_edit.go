package site

import (
	"net/http"
	"strings"

	"plenary/internal/domain"
	"plenary/web/view"
)

type registrationEditInput struct {
	FunctionTitle  string `form:"function_title" validate:"max=200"`
	Interpretation bool   `form:"interpretation"`
	Accessibility  string `form:"accessibility" validate:"max=2000"`
	ListConsent    bool   `form:"list_consent"`
}

// registrationEditData reads the registration in the URL (for whoever may see it) and says
// which questions its delegate is asked and whether the answers may still change.
func (s *Server) registrationEditData(r *http.Request) (view.RegistrationEditData, domain.Registration, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return view.RegistrationEditData{}, domain.Registration{}, err
	}
	line, err := s.svc.Registrations.Line(r.Context(), actorOf(r), id)
	if err != nil {
		return view.RegistrationEditData{}, domain.Registration{}, err
	}
	d, err := s.meetingDetail(r.Context(), line.MeetingSlug)
	if err != nil {
		return view.RegistrationEditData{}, domain.Registration{}, err
	}
	t := s.translator(r)
	data := view.RegistrationEditData{RegistrationID: id, MeetingSlug: line.MeetingSlug, MeetingTitle: line.MeetingTitle,
		Fields: domain.RegistrationFields(domain.OrgKind(line.OrgKind), d.Meeting), Form: view.NewForm(),
		PhotoLink: line.State.Live() && line.Mode == domain.InPerson}
	// The domain says whether a change is still allowed: asked with the answers as they are.
	if _, _, err := domain.EditRegistration(actorOf(r), line.Registration, d.Meeting, data.Fields, line.Details(), s.opts.Now()); err != nil {
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.Conflict {
			return data, line.Registration, err
		}
		data.Closed = message(t, e)
	}
	return data, line.Registration, nil
}

func (s *Server) registrationEditTitle(r *http.Request) string {
	return s.translator(r).T("regedit.title")
}

// registrationEditForm shows a registration's changeable answers.
func (s *Server) registrationEditForm(w http.ResponseWriter, r *http.Request) {
	data, reg, err := s.registrationEditData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := data.Form
	f.Values["function_title"] = reg.FunctionTitle
	f.Values["accessibility"] = reg.Accessibility
	if reg.Interpretation {
		f.Values["interpretation"] = "on"
	}
	if reg.ListConsent {
		f.Values["list_consent"] = "on"
	}
	s.render(w, r, http.StatusOK, view.RegistrationEditPage(s.page(r, s.registrationEditTitle(r)), data))
}

// registrationEditSubmit saves the answers through the use case and says what changed; a
// mistake comes back beside its field with everything typed.
func (s *Server) registrationEditSubmit(w http.ResponseWriter, r *http.Request) {
	data, _, err := s.registrationEditData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in registrationEditInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	status := http.StatusUnprocessableEntity
	if s.check(t, &in, &f) {
		changed, err := s.svc.Registrations.EditDetails(r.Context(), auditOf(r), actorOf(r), data.RegistrationID,
			domain.RegistrationDetails{FunctionTitle: in.FunctionTitle, Interpretation: in.Interpretation, Accessibility: in.Accessibility, ListConsent: in.ListConsent})
		if err == nil {
			if len(changed) == 0 {
				s.flash(r, "regedit.nothing")
			} else {
				names := make([]string, len(changed))
				for i, c := range changed {
					names[i] = t.T("regedit.f." + c)
				}
				s.flash(r, "regedit.saved", "Fields", strings.Join(names, t.T("life.list_sep")))
			}
			http.Redirect(w, r, "/me#reg-"+itoa64(data.RegistrationID), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
		status = statusOf(domain.ErrorCode(err))
	}
	data.Form = f
	s.render(w, r, status, view.RegistrationEditPage(s.page(r, s.registrationEditTitle(r)), data))
}
