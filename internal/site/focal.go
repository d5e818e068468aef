package site

import (
	"net/http"
	"strconv"

	"plenary/internal/domain"
	"plenary/web/view"
)

// focalList is the focal point's page: every registration of their organisations, pending first.
func (s *Server) focalList(w http.ResponseWriter, r *http.Request) {
	s.showFocal(w, r, http.StatusOK, parseListQuery(r.URL.Query()), view.NewForm())
}

func (s *Server) showFocal(w http.ResponseWriter, r *http.Request, status int, q view.ListQuery, decide view.Form) {
	s.showFocalWith(w, r, status, q, decide, view.Form{})
}

// showFocalWith shows the focal point's page with a refused form of the mail preference.
func (s *Server) showFocalWith(w http.ResponseWriter, r *http.Request, status int, q view.ListQuery, decide, mailForm view.Form) {
	a := actorOf(r)
	t := s.translator(r)
	orgs, err := s.svc.Focal.Organisations(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if q.OrganisationID != 0 && !a.IsFocalPointOf(q.OrganisationID) {
		q.OrganisationID = 0
	}
	sc := focalScope(a)
	l, err := s.loadList(r, sc, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	meetings, err := s.svc.Meetings.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l.Meetings = meetingOptions(t, meetings, view.Option{Value: "", Label: t.T("lists.any_meeting")})
	d := view.FocalData{}
	for _, o := range orgs {
		d.Organisations = append(d.Organisations, view.OrgSummary{ID: o.ID, Name: o.Name, AutoApproval: o.AutoApproval})
	}
	if len(orgs) > 1 {
		l.Organisations = []view.Option{{Value: "", Label: t.T("lists.any_organisation")}}
		for _, o := range orgs {
			l.Organisations = append(l.Organisations, view.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	if decide.Values != nil {
		l.Decide = decide
	}
	if q.MeetingID != 0 {
		for i := range meetings {
			if meetings[i].ID == q.MeetingID {
				d.Meeting = &meetings[i]
			}
		}
		if d.Meeting != nil {
			f := sc.fixed
			f.MeetingID, f.OrganisationID = q.MeetingID, q.OrganisationID
			st, err := s.svc.Registrations.Statistics(r.Context(), a, f)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			d.Composition = view.Composition{Cells: st.ByModeGender}
		}
	}
	d.List = l
	if mailForm.Values != nil {
		d.Mail = mailForm
	} else {
		d.Mail = view.NewForm()
		at, err := s.svc.FocalMail.DigestPref(r.Context(), a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Mail.Values["mail"], d.Mail.Values["digest_at"] = "each", "08:00"
		if at != nil {
			d.Mail.Values["mail"], d.Mail.Values["digest_at"] = "daily", at.String()
		}
	}
	s.render(w, r, status, view.FocalPage(s.page(r, t.T("lists.focal_title")), d))
}

// focalDecide approves or rejects registrations of the focal point's organisations.
func (s *Server) focalDecide(w http.ResponseWriter, r *http.Request) {
	s.decide(w, r, focalScope(actorOf(r)), func(status int, q view.ListQuery, f view.Form) {
		s.showFocal(w, r, status, q, f)
	})
}

// focalAutoApproval switches an organisation's automatic approval.
func (s *Server) focalAutoApproval(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OrganisationID int64  `form:"organisation_id" validate:"required"`
		AutoApproval   string `form:"auto_approval" validate:"required,oneof=on off"`
	}
	f, err := decodeForm(w, r, &in)
	if err == nil && !s.check(s.translator(r), &in, &f) {
		err = domain.Errorf(domain.Invalid, "error.bad_form")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	on := in.AutoApproval == "on"
	name, err := s.svc.Focal.SetAutoApproval(r.Context(), auditOf(r), actorOf(r), in.OrganisationID, on)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if on {
		s.flash(r, "lists.auto_now_on", "Organisation", name)
	} else {
		s.flash(r, "lists.auto_now_off", "Organisation", name)
	}
	http.Redirect(w, r, "/focal#auto-h", http.StatusSeeOther)
}

// focalRegisterData loads the form to register a colleague for a meeting: the upcoming meetings,
// the organisation's colleagues, and the questions that apply.
func (s *Server) focalRegisterData(r *http.Request, meetingID, orgID int64) (view.RegisterOnBehalfData, []domain.AccountRef, error) {
	a := actorOf(r)
	t := s.translator(r)
	now := s.opts.Now()
	d := view.RegisterOnBehalfData{Back: "/focal", Form: view.NewForm()}
	orgs, err := s.svc.Focal.Organisations(r.Context(), a)
	if err != nil {
		return d, nil, err
	}
	if !a.IsFocalPointOf(orgID) {
		orgID = orgs[0].ID
	}
	var org domain.Organisation
	for _, o := range orgs {
		d.Organisations = append(d.Organisations, view.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		if o.ID == orgID {
			org = o
		}
	}
	d.OrganisationID = orgID
	upcoming, err := s.svc.Focal.UpcomingMeetings(r.Context())
	if err != nil {
		return d, nil, err
	}
	if len(upcoming) == 0 {
		return d, nil, nil
	}
	d.Meetings = meetingOptions(t, upcoming, view.Option{})[1:]
	d.MeetingID = upcoming[0].ID
	for _, m := range upcoming {
		if m.ID == meetingID {
			d.MeetingID = m.ID
		}
	}
	d.Meeting, err = s.svc.Meetings.Detail(r.Context(), d.MeetingID)
	if err != nil {
		return d, nil, err
	}
	d.Fields = domain.RegistrationFields(org.Kind, d.Meeting.Meeting)
	if offer := domain.RegistrationOffer(a, d.Meeting.Meeting, d.Meeting.Deadline(domain.PreRegistration), &org, now); !offer.Allowed {
		d.Closed = message(t, offer.Reason)
	}
	colleagues, err := s.svc.Focal.Colleagues(r.Context(), a, orgID)
	if err != nil {
		return d, nil, err
	}
	d.Colleagues = []view.Option{{Value: "", Label: t.T("field.choose")}}
	for _, c := range colleagues {
		d.Colleagues = append(d.Colleagues, view.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name() + t.Paren(c.Email)})
	}
	return d, colleagues, nil
}

func (s *Server) focalRegisterForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, _, err := s.focalRegisterData(r, positiveID(q.Get("meeting")), positiveID(q.Get("organisation")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.FocalRegisterPage(s.page(r, s.translator(r).T("lists.register_colleague")), d))
}

// focalRegisterSubmit registers a colleague of the focal point's organisation.
func (s *Server) focalRegisterSubmit(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	in, f, ok := s.parseOnBehalf(w, r)
	d, colleagues, err := s.focalRegisterData(r, in.MeetingID, in.OrganisationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Meeting == nil || d.Meeting.ID != in.MeetingID {
		// The meeting is over or unknown: show the form for the meeting the page now offers.
		f.Summary = t.T("error.meeting_over")
		ok = false
	}
	var name string
	if ok {
		name = colleagueName(colleagues, in.AccountID)
		if name == "" {
			f.Errors["account_id"] = t.T("lists.colleague_required")
			ok = false
		}
	}
	if ok {
		reg, err := s.svc.Registrations.Submit(r.Context(), auditOf(r), actorOf(r), d.MeetingID, in.AccountID, in.request(), nil)
		if err == nil {
			s.sessions.Put(r.Context(), "flash", registeredMessage(t, name, reg))
			http.Redirect(w, r, "/focal?meeting="+strconv.FormatInt(d.MeetingID, 10), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	unshownFieldErrors(&f, d.Fields)
	d.Form = f
	s.render(w, r, http.StatusUnprocessableEntity, view.FocalRegisterPage(s.page(r, t.T("lists.register_colleague")), d))
}

// colleagueName finds a colleague among those the form offered; "" when not there.
func colleagueName(colleagues []domain.AccountRef, id int64) string {
	for _, c := range colleagues {
		if c.ID == id {
			return c.Name()
		}
	}
	return ""
}

func (s *Server) focalExportCSV(w http.ResponseWriter, r *http.Request) {
	s.focalExport(w, r, exportCSV)
}

func (s *Server) focalExportXLSX(w http.ResponseWriter, r *http.Request) {
	s.focalExport(w, r, exportXLSX)
}

// focalExport downloads the focal point's list as filtered, every page.
func (s *Server) focalExport(w http.ResponseWriter, r *http.Request, format exportFormat) {
	a := actorOf(r)
	q := parseListQuery(r.URL.Query())
	if q.OrganisationID != 0 && !a.IsFocalPointOf(q.OrganisationID) {
		q.OrganisationID = 0
	}
	f := focalScope(a).filter(q)
	name := "registrations-" + s.opts.Now().UTC().Format("2006-01-02")
	if q.MeetingID != 0 {
		d, err := s.svc.Meetings.Detail(r.Context(), q.MeetingID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		name = "registrations-" + d.Slug
	}
	s.exportRegistrations(w, r, format, name, f)
}

// focalMail sets how the focal point is told of new requests: one mail each, or a daily digest
// at a time of day they choose (in each meeting's time zone).
func (s *Server) focalMail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Mail     string `form:"mail" validate:"required,oneof=each daily"`
		DigestAt string `form:"digest_at" validate:"max=10"`
	}
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	f.Order = []string{"mail", "digest_at"}
	if !s.check(t, &in, &f) {
		f.Errors["mail"] = t.T("digest.choose")
		s.showFocalWith(w, r, http.StatusUnprocessableEntity, view.ListQuery{}, view.NewForm(), f)
		return
	}
	var at *domain.DigestAt
	if in.Mail == "daily" {
		v, err := domain.ParseDigestAt(in.DigestAt)
		if err != nil {
			f.Errors["digest_at"] = t.T("error.digest_time")
			s.showFocalWith(w, r, http.StatusUnprocessableEntity, view.ListQuery{}, view.NewForm(), f)
			return
		}
		at = &v
	}
	if err := s.svc.FocalMail.SetDigest(r.Context(), auditOf(r), actorOf(r), at); err != nil {
		s.fail(w, r, err)
		return
	}
	if at != nil {
		s.flash(r, "digest.now_daily", "Time", at.String())
	} else {
		s.flash(r, "digest.now_each")
	}
	http.Redirect(w, r, "/focal#mail-h", http.StatusSeeOther)
}
