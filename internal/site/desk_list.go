package site

import (
	"net/http"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// The desk's check-in list and direction (issue 13 §4): the desk chooses the list it scans for
// (the meeting's entry, a room, a co-located event) and, where exits are scanned, entry or exit;
// the choice is kept in the desk's session, per meeting, and every check-in form carries it.

// deskChoice is the list a desk scans for, with its counts, and the direction.
type deskChoice struct {
	List   service.CheckInListCount
	Name   string
	Dir    domain.Direction
	Rows   []view.CheckInListRow
	Events []domain.ColocatedEvent
}

func deskListKey(meetingID int64) string { return "desk_list_" + itoa64(meetingID) }

// deskChoiceOf reads the desk's list and direction: the form's (a check-in says what the page
// showed), else the session's, else the meeting's entry.
func (s *Server) deskChoiceOf(r *http.Request, m *domain.MeetingDetail) (deskChoice, error) {
	lists, events, err := s.svc.Desk.CheckInLists(r.Context(), actorOf(r), m.ID)
	if err != nil {
		return deskChoice{}, err
	}
	t := s.translator(r)
	c := deskChoice{Events: events, Dir: domain.Entry}
	saved := strings.SplitN(s.sessions.GetString(r.Context(), deskListKey(m.ID)), ":", 2)
	listID, _ := strconv.ParseInt(saved[0], 10, 64)
	if len(saved) == 2 {
		c.Dir = domain.Direction(saved[1])
	}
	if r.Method == http.MethodPost {
		if v, err := strconv.ParseInt(r.PostFormValue("list"), 10, 64); err == nil {
			listID = v
		}
		if v := r.PostFormValue("direction"); v != "" {
			c.Dir = domain.Direction(v)
		}
	}
	for i, l := range lists {
		c.Rows = append(c.Rows, checkInListRow(t, l, events))
		if i == 0 || l.ID == listID {
			c.List = l
		}
	}
	c.Name, _ = checkInListName(t, c.List.CheckInList, events)
	if !c.List.Exits || !c.Dir.Valid() {
		c.Dir = domain.Entry
	}
	return c, nil
}

// apply puts the choice on the desk page.
func (c deskChoice) apply(d *view.DeskData) {
	d.Lists, d.ListID, d.ListName, d.Direction = c.Rows, c.List.ID, c.Name, c.Dir
	d.ListExits, d.ListIsEntry, d.Inside, d.Entries = c.List.Exits, c.List.Kind == domain.EntryList, c.List.Figures.Inside, c.List.Figures.Entries
}

// deskSetList keeps the desk's list and direction in its session.
func (s *Server) deskSetList(w http.ResponseWriter, r *http.Request) {
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
	s.sessions.Put(r.Context(), deskListKey(m.ID), itoa64(c.List.ID)+":"+string(c.Dir))
	http.Redirect(w, r, "/desk/"+m.Slug, http.StatusSeeOther)
}

// deskListStatus says where the person stands on the chosen list (not the entry, which the
// card says already): inside since when, left when, or not inside.
func deskListStatus(t *i18n.Translator, m *domain.MeetingDetail, counted []domain.CheckIn) string {
	if len(counted) == 0 {
		return t.T("checkin.not_inside")
	}
	last := counted[len(counted)-1]
	at := last.At.In(m.Location())
	when := t.DateShort(at) + " " + t.Clock(at)
	if last.Direction == domain.Exit {
		return t.T("checkin.left_at", "When", when, "Desk", last.Desk)
	}
	return t.T("checkin.inside_since", "When", when, "Desk", last.Desk)
}

// deskPersonOnList says whether the person may be scanned on the chosen list in its direction,
// and where they stand on it.
func (s *Server) deskPersonOnList(r *http.Request, t *i18n.Translator, m *domain.MeetingDetail, p domain.DeskPerson, c deskChoice, v *view.DeskPerson) error {
	st, err := s.svc.Desk.Standing(r.Context(), actorOf(r), c.List.CheckInList, p.Registration, c.Dir)
	if err != nil {
		return err
	}
	if c.List.Kind != domain.EntryList || c.List.Exits {
		v.ListStatus = deskListStatus(t, m, st.Counted)
	}
	v.Refusal, v.CanCheckIn = "", false
	if st.Refusal != nil {
		v.Refusal = deskMessage(t, st.Refusal, m.Location())
	} else {
		v.CanCheckIn = true
	}
	return nil
}
