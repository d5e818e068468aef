package site

import (
	"net/http"
	"strconv"

	"plenary/internal/domain"
	"plenary/web/view"
)

// secRegistrations is the secretariat's list of every registration of a meeting.
func (s *Server) secRegistrations(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showSecRegistrations(w, r, http.StatusOK, m, parseListQuery(r.URL.Query()), view.NewForm())
}

func (s *Server) showSecRegistrations(w http.ResponseWriter, r *http.Request, status int, m *domain.MeetingDetail, q view.ListQuery, decide view.Form) {
	t := s.translator(r)
	q.MeetingID = 0 // the meeting is the page's
	sc := meetingScope(m.ID)
	asOf := s.listAsOf()
	page, st, err := s.svc.Registrations.ListAndStatistics(r.Context(), actorOf(r), sc.pageFilter(q), domain.RegistrationFilter{MeetingID: m.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.listView(r, sc, q, page, asOf)
	orgs, err := s.svc.Registrations.FilterOrganisations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l.Organisations = []view.Option{{Value: "", Label: t.T("lists.any_organisation")}}
	for _, o := range orgs {
		l.Organisations = append(l.Organisations, view.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	if decide.Values != nil {
		l.Decide = decide
	}
	d := view.SecRegistrationsData{Meeting: m, List: l, Stats: st}
	s.render(w, r, status, view.SecRegistrationsPage(s.page(r, t.T("lists.sec_title", "Meeting", m.Slug)), d))
}

// secDecide approves or rejects registrations of a meeting.
func (s *Server) secDecide(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.decide(w, r, meetingScope(m.ID), func(status int, q view.ListQuery, f view.Form) {
		s.showSecRegistrations(w, r, status, m, q, f)
	})
}

// maxFound is how many accounts a search for someone to register shows.
const maxFound = 20

// secRegisterData loads the form to register someone for meeting m: the search for the account,
// then the questions that apply to that account's organisation.
func (s *Server) secRegisterData(r *http.Request, m *domain.MeetingDetail, accountID int64, search string) (view.RegisterOnBehalfData, error) {
	t := s.translator(r)
	now := s.opts.Now()
	d := view.RegisterOnBehalfData{
		Back: "/secretariat/meetings/" + strconv.FormatInt(m.ID, 10) + "/registrations", Meeting: m, Search: search, Form: view.NewForm(),
	}
	if accountID == 0 {
		if search != "" {
			found, err := s.svc.Registrations.FindRegistrants(r.Context(), actorOf(r), search, maxFound)
			if err != nil {
				return d, err
			}
			d.Found, d.Searched = found, true
		}
		return d, nil
	}
	acc, org, err := s.svc.Registrations.Registrant(r.Context(), actorOf(r), accountID)
	if err != nil {
		return d, err
	}
	d.Account = &domain.AccountRef{ID: acc.ID, Email: acc.Email, GivenName: acc.GivenName, FamilyName: acc.FamilyName}
	if org == nil {
		d.Closed = t.T("error.no_organisation")
		return d, nil
	}
	d.AccountOrg = org
	d.Fields = domain.RegistrationFields(org.Kind, m.Meeting)
	if offer := domain.RegistrationOffer(actorOf(r), m.Meeting, m.Deadline(domain.PreRegistration), org, now); !offer.Allowed {
		d.Closed = message(t, offer.Reason)
	}
	d.Late = m.Deadline(domain.PreRegistration).Passed(now, m.Location())
	return d, nil
}

func (s *Server) secRegisterForm(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	search := q.Get("q")
	if rs := []rune(search); len(rs) > maxQuery {
		search = string(rs[:maxQuery])
	}
	d, err := s.secRegisterData(r, m, positiveID(q.Get("account")), search)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.SecRegisterPage(s.page(r, s.translator(r).T("lists.register_someone")), d))
}

// secRegisterSubmit registers any account for the meeting; after the pre-registration deadline
// the registration is marked late.
func (s *Server) secRegisterSubmit(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	in, f, ok := s.parseOnBehalf(w, r)
	if in.AccountID == 0 {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	d, err := s.secRegisterData(r, m, in.AccountID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ok {
		reg, err := s.svc.Registrations.Submit(r.Context(), auditOf(r), actorOf(r), m.ID, in.AccountID, in.request(), nil)
		if err == nil {
			s.sessions.Put(r.Context(), "flash", registeredMessage(t, d.Account.Name(), reg))
			http.Redirect(w, r, d.Back, http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	unshownFieldErrors(&f, d.Fields)
	d.Form = f
	s.render(w, r, http.StatusUnprocessableEntity, view.SecRegisterPage(s.page(r, t.T("lists.register_someone")), d))
}

func (s *Server) secExportCSV(w http.ResponseWriter, r *http.Request)  { s.secExport(w, r, exportCSV) }
func (s *Server) secExportXLSX(w http.ResponseWriter, r *http.Request) { s.secExport(w, r, exportXLSX) }

// secExport downloads a meeting's registrations as filtered, every page.
func (s *Server) secExport(w http.ResponseWriter, r *http.Request, format exportFormat) {
	m, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := parseListQuery(r.URL.Query())
	q.MeetingID = 0
	s.exportRegistrations(w, r, format, "registrations-"+m.Slug, meetingScope(m.ID).filter(q))
}

// participantsPage is the printable list of participants, by organisation: approved
// registrations of delegates who agreed to appear in it, before the meeting; from its first day
// on, those checked in and the remote participants (?basis= chooses; domain.Listed).
func (s *Server) participantsPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, basis, err := s.svc.Figures.ParticipantList(r.Context(), actorOf(r), id, r.URL.Query().Get("basis"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var lines []domain.RegistrationLine
	err = s.svc.Figures.EachParticipant(r.Context(), actorOf(r), m.ID, basis, func(l domain.RegistrationLine) error {
		lines = append(lines, l)
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := view.ParticipantsData{Meeting: m, Groups: view.GroupParticipants(s.translator(r), lines), Count: len(lines), Basis: basis}
	s.render(w, r, http.StatusOK, view.ParticipantsPage(s.page(r, s.translator(r).T("lists.participants")), d))
}

func (s *Server) participantsCSV(w http.ResponseWriter, r *http.Request) {
	s.participantsExport(w, r, exportCSV)
}

func (s *Server) participantsXLSX(w http.ResponseWriter, r *http.Request) {
	s.participantsExport(w, r, exportXLSX)
}

func (s *Server) participantsExport(w http.ResponseWriter, r *http.Request, format exportFormat) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, basis, err := s.svc.Figures.ParticipantList(r.Context(), actorOf(r), id, r.URL.Query().Get("basis"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.exportParticipants(w, r, format, "participants-"+m.Slug+"-"+string(basis), m.ID, basis)
}
