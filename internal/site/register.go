package site

import (
	"net/http"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web/view"
)

type registerInput struct {
	Mode           string `form:"mode"`
	FunctionTitle  string `form:"function_title" validate:"max=200"`
	Interpretation bool   `form:"interpretation"`
	Fellowship     bool   `form:"fellowship"`
	Accessibility  string `form:"accessibility" validate:"max=2000"`
	ListConsent    bool   `form:"list_consent"`
	// Colocated are the ids of the co-located events attended (checkboxes).
	Colocated []string `form:"colocated"`
}

func (in registerInput) request() domain.RegistrationRequest {
	return domain.RegistrationRequest{Mode: domain.Mode(in.Mode), FunctionTitle: in.FunctionTitle, Interpretation: in.Interpretation,
		Fellowship: in.Fellowship, Accessibility: in.Accessibility, ListConsent: in.ListConsent, Colocated: eventIDs(in.Colocated)}
}

// registerData gathers what the registration page shows and why the form may not be offered.
func (s *Server) registerData(r *http.Request) (view.RegisterData, error) {
	d, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		return view.RegisterData{}, err
	}
	acc := accountOf(r)
	actor := actorOf(r)
	t := s.translator(r)
	data := view.RegisterData{Meeting: d, Account: *acc, Form: view.NewForm()}
	existing, err := s.svc.Registrations.MineAt(r.Context(), actor, d.ID)
	if err != nil {
		return data, err
	}
	data.Existing = existing
	now := s.opts.Now()
	org, err := s.svc.Registrations.OrganisationOf(r.Context(), *acc)
	if err != nil {
		return data, err
	}
	if org != nil {
		data.Organisation = org
		data.Fields = domain.RegistrationFields(org.Kind, d.Meeting)
	}
	offer := domain.RegistrationOffer(actor, d.Meeting, d.Deadline(domain.PreRegistration), org, now)
	data.Closed = closedMessage(t, offer, d.StudyGroup.Email)
	data.Visa = s.visaOffer(t, actor, d)
	return data, nil
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) {
	data, err := s.registerData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	s.takeDraft(r, &data.Form)
	s.render(w, r, http.StatusOK, view.RegisterPage(s.page(r, t.T("reg.title", "Meeting", data.Meeting.Title.In(t.Lang.Tag))), data))
}

// registerSubmit registers the signed-in person. The happy path asks the database only what the
// domain needs inside the registration's transaction; the page's own look-ups are made only when
// the form has to be shown again.
func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) {
	meetingID, err := s.meetingID(r.Context(), urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	var in registerInput
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// page shows the form again with what was typed and why it was refused.
	page := func(status int, adjust func(*view.RegisterData) error) {
		data, err := s.registerData(r)
		if err == nil && adjust != nil {
			err = adjust(&data)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if data.Existing != nil && status != http.StatusConflict {
			status = http.StatusConflict
		}
		unshownFieldErrors(&f, data.Fields)
		data.Form = f
		s.render(w, r, status, view.RegisterPage(s.page(r, t.T("reg.title", "Meeting", data.Meeting.Title.In(t.Lang.Tag))), data))
	}
	valid := s.check(t, &in, &f)
	req := in.request()
	if len(in.Colocated) > 0 {
		// Only the meeting's own events can be chosen: its detail is cached with its pages.
		if req.Colocated, err = s.checkColocated(r, t, in.Colocated, &f); err != nil {
			valid = false
		}
	}
	// The visa part is checked with the rest, so that a refused request refuses the whole form.
	visa, visaValid := s.visaPart(w, r, t, &f)
	if !valid || !visaValid {
		page(http.StatusUnprocessableEntity, nil)
		return
	}
	// With the visa request ticked, both are stored in one transaction: the domain's rules of
	// each refuse the whole form, with the message beside the field.
	reg, err := s.svc.Registrations.Submit(r.Context(), auditOf(r), actorOf(r), meetingID, actorOf(r).ID, req, visa)
	if err != nil {
		e, ok := domain.AsError(err)
		switch {
		case ok && e.Code == domain.Conflict:
			// Registered already (another tab, a double click): the page shows it.
			page(http.StatusConflict, nil)
		case ok && e.Code == domain.Invalid && len(e.Fields) == 0:
			// Closed: the page explains why, with the secretariat's address.
			page(http.StatusUnprocessableEntity, func(data *view.RegisterData) error {
				if data.Closed == "" {
					data.Closed = message(t, e)
				}
				return nil
			})
		case applyDomainError(t, err, &f):
			page(http.StatusUnprocessableEntity, nil)
		default:
			s.fail(w, r, err)
		}
		return
	}
	// The personal page says what a pending registration means (received, not yet a
	// confirmation) for as long as it is pending, so no flash message (a session write) is needed.
	if visa != nil {
		s.flash(r, "visa.submitted_with_request")
	}
	http.Redirect(w, r, "/me#reg-"+itoa64(reg.ID), http.StatusSeeOther)
}

// closedMessage says why the registration form is not offered (offer is the domain's), with the
// secretariat's address where writing to it helps; "" when it is offered.
func closedMessage(t *i18n.Translator, offer domain.Capability, email string) string {
	switch offer.Key() {
	case "":
		return ""
	case "error.meeting_over":
		return t.T("reg.meeting_over")
	case "error.no_organisation":
		return t.T("reg.no_organisation", "Email", email)
	case "error.register_not_eligible":
		return t.T("reg.not_eligible", "Email", email)
	case "error.registration_not_open":
		day, _ := offer.Reason.Args["Date"].(time.Time)
		return t.T("reg.not_open", "Date", t.Date(day))
	case "error.registration_closed":
		day, _ := offer.Reason.Args["Date"].(time.Time)
		return t.T("reg.closed", "Date", t.Date(day), "Email", email)
	}
	return message(t, offer.Reason)
}

// message translates a domain error, naming states and modes in the user's language.
func message(t *i18n.Translator, e *domain.Error) string {
	args := make([]any, 0, len(e.Args)*2)
	for k, v := range e.Args {
		switch k {
		case "State":
			v = t.T("state." + toString(v))
		case "Mode":
			v = t.T("mode." + toString(v))
		case "VisaState":
			v = t.T("visa.state." + toString(v))
		}
		args = append(args, k, v)
	}
	return t.T(e.Key, args...)
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func (s *Server) registrationMode(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	next := r.PostFormValue("next")
	if next == "" {
		next = "/me#reg-" + itoa64(id)
	}
	next = localPath(next)
	change, err := s.svc.Registrations.ChangeMode(r.Context(), auditOf(r), actorOf(r), id, domain.Mode(r.PostFormValue("mode")))
	if err != nil {
		s.actionFailed(w, r, err, next)
		return
	}
	if change.BackToPending {
		s.flash(r, "reg.mode_changed_pending")
	} else {
		s.flash(r, "reg.mode_changed")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// actionFailed reports a refused action: a refusal the user can understand goes back to the page
// as a message (the change was not made); anything else is an error page.
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, err error, next string) {
	e, ok := domain.AsError(err)
	if !ok || e.Code == domain.Internal || e.Code == domain.NotFound || e.Code == domain.Forbidden {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", message(s.translator(r), e))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// myRegistrations builds the cards of the signed-in person's page.
func (s *Server) myRegistrations(r *http.Request) ([]view.MyRegistration, error) {
	mine, err := s.svc.Registrations.Mine(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	lines, trails, visas, colocated := mine.Lines, mine.History, mine.Visas, mine.Colocated
	lang := s.translator(r).Lang.Tag
	now := s.opts.Now()
	out := make([]view.MyRegistration, 0, len(lines))
	for _, l := range lines {
		m := view.MyRegistration{RegistrationLine: l, History: trails[l.ID]}
		d, err := s.meetingDetail(r.Context(), l.MeetingSlug)
		if err != nil {
			return nil, err
		}
		m.Open = !d.Past(now)
		m.Visa = s.myVisa(actorOf(r), l, d, visas, now)
		m.MeetingHasColocated = len(d.ColocatedEvents) > 0
		m.Colocated = domain.Attended(d.ColocatedEvents, colocated[l.ID])
		if l.State == domain.Approved && l.Mode == domain.Remote {
			m.RemoteLink, m.RemoteTool, m.RemoteRules = d.RemoteLink, d.RemoteTool, d.RemoteRules.In(lang)
		}
		out = append(out, m)
	}
	return out, nil
}
