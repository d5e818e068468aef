package site

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"plenary/internal/badge"
	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// The registration desk: one field for a scanned or typed code, a reference or a name; the
// person with their organisation, mode, state and whether an ID check is due; check-in and the
// badge. Desk staff of the meeting and the secretariat (the domain's WorkDesk permission).

const deskNameKey = "desk_name"

// deskMeeting reads the meeting in the URL and checks the actor works its desk.
func (s *Server) deskMeeting(r *http.Request) (*domain.MeetingDetail, error) {
	return s.svc.Desk.Meeting(r.Context(), actorOf(r), urlParam(r, "slug"))
}

func (s *Server) deskName(r *http.Request) string {
	if n := s.sessions.GetString(r.Context(), deskNameKey); n != "" {
		return n
	}
	return s.translator(r).T("desk.default_name")
}

// deskHome lists the meetings whose desk the actor works.
func (s *Server) deskHome(w http.ResponseWriter, r *http.Request) {
	mine, err := s.svc.Desk.Meetings(r.Context(), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.translator(r).Lang.Tag
	var d view.DeskHomeData
	for _, m := range mine {
		d.Meetings = append(d.Meetings, view.DeskMeetingLink{Slug: m.Slug, Title: m.Title.In(lang)})
	}
	s.render(w, r, http.StatusOK, view.DeskHomePage(s.page(r, s.translator(r).T("desk.title")), d))
}

// deskMessage is a desk refusal in the reader's language, with its time in the meeting's zone.
func deskMessage(t *i18n.Translator, err error, loc *time.Location) string {
	e, ok := domain.AsError(err)
	if !ok {
		return t.T("error.internal")
	}
	if e.Key == domain.RefuseAlready {
		when := ""
		switch at := e.Args["At"].(type) {
		case time.Time:
			at = at.In(loc)
			when = t.DateShort(at) + " " + t.Clock(at)
		case string:
			if p, err := time.Parse(time.RFC3339Nano, at); err == nil {
				p = p.In(loc)
				when = t.DateShort(p) + " " + t.Clock(p)
			}
		}
		desk, _ := e.Args["Desk"].(string)
		return t.T(e.Key, "When", when, "Desk", desk)
	}
	return message(t, e)
}

// deskPersonView is a registration as the desk page shows it.
func (s *Server) deskPersonView(t *i18n.Translator, m *domain.MeetingDetail, p domain.DeskPerson) view.DeskPerson {
	r := p.Registration
	v := view.DeskPerson{RegistrationID: r.ID, Reference: domain.RegistrationReference(m.Slug, r.ID), Name: p.Name,
		Organisation: view.OrgNameIn(t, p.Organisation, p.OrgNames, p.OrgKind, p.Country), Country: t.Country(p.Country), Mode: r.Mode, State: r.State, Badges: p.Badges, LiveBadge: p.LiveBadge,
		IDCheckDue: domain.IDCheckDue(r, p.Badges)}
	var prior []domain.CheckIn
	if p.Entry != nil {
		prior = []domain.CheckIn{*p.Entry}
		at := p.Entry.At.In(m.Location())
		v.CheckedIn = t.T("desk.checked_in_at", "When", t.DateShort(at)+" "+t.Clock(at), "Desk", p.Entry.Desk)
	}
	entry := domain.CheckInList{MeetingID: m.ID, Kind: domain.EntryList}
	if err := domain.MayScan(domain.ScanCheck{List: entry, Registration: r, Direction: domain.Entry, At: s.opts.Now(), Counted: prior}); err != nil {
		v.Refusal = deskMessage(t, err, m.Location())
	} else {
		v.CanCheckIn = true
	}
	v.CanPrint = r.State == domain.Approved && r.Mode == domain.InPerson
	return v
}

// deskShow is the desk page: the search field and what it found.
func (s *Server) deskShow(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, c, err := s.deskData(r, m, strings.TrimSpace(r.URL.Query().Get("q")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("reg"), 10, 64); err == nil && id > 0 && d.Person == nil {
		p, err := s.svc.Desk.Person(r.Context(), actorOf(r), m.ID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := s.deskPersonView(s.translator(r), m, p)
		if err := s.deskPersonOnList(r, s.translator(r), m, p, c, &v); err != nil {
			s.fail(w, r, err)
			return
		}
		d.Person = &v
	}
	if tok, err := strconv.ParseInt(r.URL.Query().Get("badge"), 10, 64); err == nil && tok > 0 {
		d.BadgeURL = "/desk/" + m.Slug + "/badges/" + itoa64(tok) + "/badge.pdf"
	}
	status := http.StatusOK
	if d.Refusal != "" {
		status = http.StatusConflict
	}
	s.renderDesk(w, r, status, d)
}

// deskData reads what the desk page shows for the query q: a code (checked, its person shown with
// any refusal), a reference, or a name (the matches).
func (s *Server) deskData(r *http.Request, m *domain.MeetingDetail, q string) (view.DeskData, deskChoice, error) {
	t := s.translator(r)
	lang := t.Lang.Tag
	d := view.DeskData{Title: t.T("desk.page_title", "Meeting", m.Title.In(lang)), MeetingSlug: m.Slug, MeetingTitle: m.Title.In(lang),
		Desk: s.deskName(r), Query: q}
	if domain.CanSeeDayFigures(actorOf(r), m.ID) {
		d.FiguresHref = "/secretariat/meetings/" + itoa64(m.ID) + "/figures"
	}
	c, err := s.deskChoiceOf(r, m)
	if err != nil {
		return d, c, err
	}
	c.apply(&d)
	d, err = s.deskFind(r, m, c, d)
	return d, c, err
}

// deskFind finds what the query asks for (deskData).
func (s *Server) deskFind(r *http.Request, m *domain.MeetingDetail, c deskChoice, d view.DeskData) (view.DeskData, error) {
	t := s.translator(r)
	q := d.Query
	ctx := r.Context()
	show := func(id int64) error {
		p, err := s.svc.Desk.Person(ctx, actorOf(r), m.ID, id)
		if domain.ErrorCode(err) == domain.NotFound {
			d.Refusal = t.T(domain.RefuseWrongMeeting)
			return nil
		}
		if err != nil {
			return err
		}
		v := s.deskPersonView(t, m, p)
		if err := s.deskPersonOnList(r, t, m, p, c, &v); err != nil {
			return err
		}
		d.Person = &v
		return nil
	}
	switch {
	case q == "":
	case domain.LooksLikeToken(q):
		tok, err := s.svc.Desk.CheckCode(ctx, m.ID, q, s.opts.Now())
		if err != nil {
			if _, ok := domain.AsError(err); !ok {
				return d, err
			}
			d.Refusal = deskMessage(t, err, m.Location())
			// A revoked or expired code of this meeting still shows whose it was.
			if tok.Registration == 0 || tok.Meeting != m.ID || errors.Is(err, domain.ErrTokenSignature) || errors.Is(err, domain.ErrTokenMalformed) {
				return d, nil
			}
			if err := show(tok.Registration); err != nil {
				return d, err
			}
			if d.Person != nil {
				d.Person.CanCheckIn = false
			}
			return d, nil
		}
		d.Code = domain.NormalizeToken(q)
		return d, show(tok.Registration)
	default:
		if slug, id, ok := domain.ParseReference(q); ok {
			if slug != m.Slug {
				d.Refusal = t.T(domain.RefuseWrongMeeting)
				return d, nil
			}
			return d, show(id)
		}
		if len([]rune(q)) < 2 {
			d.Hint = t.T("desk.search_short")
			return d, nil
		}
		found, err := s.svc.Desk.Search(ctx, actorOf(r), m.ID, q)
		if err != nil {
			return d, err
		}
		for _, p := range found {
			d.Matches = append(d.Matches, s.deskPersonView(t, m, p))
		}
		if len(found) == 1 {
			if err := s.deskPersonOnList(r, t, m, found[0], c, &d.Matches[0]); err != nil {
				return d, err
			}
			d.Person, d.Matches = &d.Matches[0], nil
		}
		d.Searched = true
	}
	return d, nil
}

// deskSetName names this desk (kept in the session, written in every event it records).
func (s *Server) deskSetName(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("desk"))
	if len([]rune(name)) > 60 {
		name = string([]rune(name)[:60])
	}
	s.sessions.Put(r.Context(), deskNameKey, name)
	http.Redirect(w, r, "/desk/"+m.Slug, http.StatusSeeOther)
}

// deskCheckIn records a scan on the desk's list, in its direction (the meeting's entry unless
// the desk chose another), of the person found by code or name.
func (s *Server) deskCheckIn(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.deskChoiceOf(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("registration"), 10, 64)
	code := strings.TrimSpace(r.PostFormValue("code"))
	in := service.Scan{MeetingID: m.ID, ListID: c.List.ID, Direction: c.Dir, Registration: id, Code: code, Desk: s.deskName(r)}
	res, err := s.svc.Desk.Redeem(r.Context(), auditOf(r), actorOf(r), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	if res.Outcome != domain.ScanAccepted {
		d, c, err := s.deskData(r, m, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Refusal = deskMessage(t, res.Err(), m.Location())
		if res.Registration != 0 {
			if p, err := s.svc.Desk.Person(r.Context(), actorOf(r), m.ID, res.Registration); err == nil {
				v := s.deskPersonView(t, m, p)
				if err := s.deskPersonOnList(r, t, m, p, c, &v); err != nil {
					s.fail(w, r, err)
					return
				}
				d.Person = &v
			}
		}
		s.renderDesk(w, r, http.StatusConflict, d)
		return
	}
	switch {
	case c.Dir == domain.Exit:
		s.flash(r, "checkin.exit_recorded", "List", c.Name)
	case c.List.Kind == domain.EntryList:
		s.flash(r, "desk.checked_in")
	default:
		s.flash(r, "checkin.entry_recorded", "List", c.Name)
	}
	http.Redirect(w, r, "/desk/"+m.Slug+"?reg="+itoa64(res.Registration), http.StatusSeeOther)
}

// deskBadge prints (or reprints) the badge: the previous one's code is revoked.
func (s *Server) deskBadge(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("registration"), 10, 64)
	tok, _, err := s.svc.Desk.PrintBadge(r.Context(), auditOf(r), actorOf(r), m.ID, id, s.deskName(r))
	if err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.Conflict {
			t := s.translator(r)
			d, _, derr := s.deskData(r, m, "")
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			d.Refusal = deskMessage(t, err, m.Location())
			s.renderDesk(w, r, http.StatusConflict, d)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(r, "desk.badge_printed", "Number", tok.Serial)
	http.Redirect(w, r, "/desk/"+m.Slug+"?reg="+itoa64(id)+"&badge="+itoa64(tok.ID), http.StatusSeeOther)
}

// deskBadgePDF sends a live badge as an A6 PDF; a badge reprinted since is refused.
func (s *Server) deskBadgePDF(w http.ResponseWriter, r *http.Request) {
	m, err := s.deskMeeting(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tid, err := idParam(r, "token")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tok, revoked, err := s.svc.Desk.Badge(r.Context(), actorOf(r), m.ID, tid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code, err := s.svc.Desk.BadgeCode(r.Context(), actorOf(r), m.ID, tok, revoked)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.Desk.Person(r.Context(), actorOf(r), m.ID, tok.Registration)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The photo, when the person has one (a badge without one keeps a frame for it).
	_, photo, err := s.svc.Desk.OpenPhoto(r.Context(), actorOf(r), tok.Registration)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		s.fail(w, r, err)
		return
	}
	fonts, err := badge.DefaultFonts()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	meeting := m.Title.In(t.Lang.Tag) + " · " + m.City.In(t.Lang.Tag) + " · " + t.DateRange(m.FirstDay, m.LastDay)
	pdf, err := badge.RenderBadge(fonts, badge.Badge{Meeting: meeting, Name: p.Name, Organisation: view.OrgNameIn(t, p.Organisation, p.OrgNames, p.OrgKind, p.Country), Country: t.Country(p.Country),
		Photo: photo, Number: tok.Serial, Code: code})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "badge-" + itoa64(tok.Registration) + "-" + strconv.Itoa(tok.Serial) + ".pdf"}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf)
}
