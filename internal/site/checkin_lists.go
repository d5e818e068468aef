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

// The secretariat's check-in lists of a meeting (issue 13 §4): the entry, and the rooms and
// co-located events added, each with who is inside now; a form adds a list, a list's own page
// changes it.

// checkInListName is a list's name in the reader's language: its own, else the entry's or its
// co-located event's; and the tag of the language it is in.
func checkInListName(t *i18n.Translator, l domain.CheckInList, events []domain.ColocatedEvent) (string, string) {
	lang := t.Lang.Tag
	if len(l.Name) > 0 {
		return l.Name.In(lang), l.Name.Lang(lang)
	}
	switch l.Kind {
	case domain.EntryList:
		return t.T("checkin.entry_name"), lang
	case domain.EventList:
		for _, e := range events {
			if e.ID == l.EventID {
				return e.Title.In(lang), e.Title.Lang(lang)
			}
		}
		return t.T("checkin.event_removed"), lang
	}
	return "", lang
}

// checkInListRow is a list as the secretariat's page and the desk show it.
func checkInListRow(t *i18n.Translator, l service.CheckInListCount, events []domain.ColocatedEvent) view.CheckInListRow {
	row := view.CheckInListRow{ID: l.ID, Kind: l.Kind, MultiEntry: l.MultiEntry, Exits: l.Exits, Figures: l.Figures}
	row.Name, row.Lang = checkInListName(t, l.CheckInList, events)
	switch l.Kind {
	case domain.EventList:
		title := t.T("checkin.event_removed")
		for _, e := range events {
			if e.ID == l.EventID {
				title = e.Title.In(t.Lang.Tag)
			}
		}
		row.Scope = t.T("checkin.scope.event", "Event", title)
	default:
		row.Scope = t.T("checkin.scope." + string(l.Kind))
	}
	return row
}

// checkInListsData reads the meeting's lists for its editor page, with an empty add form.
func (s *Server) checkInListsData(r *http.Request, d *domain.MeetingDetail) (view.MeetingEdit, view.CheckInListsData, []service.CheckInListCount, error) {
	e, err := s.meetingEditData(r, d, "check-in-lists")
	if err != nil {
		return e, view.CheckInListsData{}, nil, err
	}
	lists, events, err := s.svc.Desk.CheckInLists(r.Context(), actorOf(r), d.ID)
	if err != nil {
		return e, view.CheckInListsData{}, nil, err
	}
	t := s.translator(r)
	data := view.CheckInListsData{Langs: s.cat.Langs(), Form: view.NewForm()}
	taken := map[int64]bool{}
	for _, l := range lists {
		data.Lists = append(data.Lists, checkInListRow(t, l, events))
		if l.Kind == domain.EventList {
			taken[l.EventID] = true
		}
	}
	data.Scopes = []view.Option{{Value: string(domain.RoomList), Label: t.T("checkin.scope.room")}}
	for _, ev := range events {
		if !taken[ev.ID] {
			data.Scopes = append(data.Scopes, view.Option{Value: "event-" + itoa64(ev.ID), Label: t.T("checkin.scope.event", "Event", ev.Title.In(t.Lang.Tag))})
		}
	}
	// A room people come and go from is the usual list to add.
	data.Form.Values["scope"], data.Form.Values["multi_entry"], data.Form.Values["exits"] = string(domain.RoomList), "on", "on"
	return e, data, lists, nil
}

func (s *Server) checkInListsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, data, _, err := s.checkInListsData(r, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	s.render(w, r, http.StatusOK, view.CheckInListsPage(s.page(r, t.T("checkin.title", "Meeting", d.Title.In(t.Lang.Tag))), e, data))
}

// readCheckInList reads the list form into l, keeping what was typed in f.
func (s *Server) readCheckInList(r *http.Request, f *view.Form, l *domain.CheckInList) {
	t := s.translator(r)
	l.Name = domain.Text{}
	for _, lang := range s.cat.Langs() {
		// The English name is "name", the others "name-<tag>" (view.TextFieldName).
		field := view.TextFieldName(domain.FieldListName, lang.Tag)
		raw := r.PostForm.Get(field)
		f.Values[field] = raw
		v := strings.TrimSpace(raw)
		if runeLen(v) > domain.ListNameMax {
			f.Errors[field] = t.N("validation.max", domain.ListNameMax)
		}
		if v != "" {
			l.Name[lang.Tag] = v
		}
	}
	f.Values["multi_entry"], f.Values["exits"] = r.PostForm.Get("multi_entry"), r.PostForm.Get("exits")
	l.MultiEntry, l.Exits = f.Checked("multi_entry"), f.Checked("exits")
}

// listFieldErrors puts a refusal's field messages beside the form's fields (the kind and the
// event are one field, the scope, on the page).
func listFieldErrors(t *i18n.Translator, f *view.Form, err error) bool {
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return false
	}
	for field, key := range e.Fields {
		if field == domain.FieldListKind || field == domain.FieldListEvent {
			field = "scope"
		}
		f.Errors[field] = t.T(key)
	}
	return true
}

func (s *Server) checkInListCreate(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	t := s.translator(r)
	f := view.NewForm()
	l := domain.CheckInList{MeetingID: d.ID}
	scope := r.PostForm.Get("scope")
	f.Values["scope"] = scope
	if ev, ok := strings.CutPrefix(scope, "event-"); ok {
		l.Kind = domain.EventList
		l.EventID, _ = strconv.ParseInt(ev, 10, 64)
	} else {
		l.Kind = domain.CheckInListKind(scope)
	}
	s.readCheckInList(r, &f, &l)
	if len(f.Errors) == 0 {
		_, err = s.svc.Desk.SaveCheckInList(r.Context(), auditOf(r), actorOf(r), l)
		if err == nil {
			s.flash(r, "checkin.created")
			http.Redirect(w, r, view.CheckInListHref(d.ID, 0), http.StatusSeeOther)
			return
		}
		if !listFieldErrors(t, &f, err) {
			s.fail(w, r, err)
			return
		}
	}
	e, data, _, err := s.checkInListsData(r, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Form = f
	s.render(w, r, http.StatusUnprocessableEntity, view.CheckInListsPage(s.page(r, t.T("checkin.title", "Meeting", d.Title.In(t.Lang.Tag))), e, data))
}

// checkInListEditData reads a list's page: the list, and its form filled from it.
func (s *Server) checkInListEditData(r *http.Request) (*domain.MeetingDetail, view.MeetingEdit, view.CheckInListsData, *service.CheckInListCount, error) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		return nil, view.MeetingEdit{}, view.CheckInListsData{}, nil, err
	}
	id, err := idParam(r, "list")
	if err != nil {
		return nil, view.MeetingEdit{}, view.CheckInListsData{}, nil, err
	}
	e, data, lists, err := s.checkInListsData(r, d)
	if err != nil {
		return nil, e, data, nil, err
	}
	for i, l := range lists {
		if l.ID == id {
			data.Edit = &data.Lists[i]
			f := view.NewForm()
			for _, lang := range data.Langs {
				f.Values[view.TextFieldName(domain.FieldListName, lang.Tag)] = l.Name[lang.Tag]
			}
			if l.MultiEntry {
				f.Values["multi_entry"] = "on"
			}
			if l.Exits {
				f.Values["exits"] = "on"
			}
			data.Form = f
			return d, e, data, &lists[i], nil
		}
	}
	return nil, e, data, nil, domain.Errorf(domain.NotFound, "error.not_found")
}

func (s *Server) checkInListEdit(w http.ResponseWriter, r *http.Request) {
	d, e, data, _, err := s.checkInListEditData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	s.render(w, r, http.StatusOK, view.CheckInListEditPage(s.page(r, t.T("checkin.edit_title", "List", data.Edit.Name, "Meeting", d.Title.In(t.Lang.Tag))), e, data))
}

func (s *Server) checkInListSave(w http.ResponseWriter, r *http.Request) {
	d, e, data, list, err := s.checkInListEditData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	t := s.translator(r)
	f := view.NewForm()
	l := list.CheckInList
	s.readCheckInList(r, &f, &l)
	if len(f.Errors) == 0 {
		_, err = s.svc.Desk.SaveCheckInList(r.Context(), auditOf(r), actorOf(r), l)
		if err == nil {
			s.flash(r, "checkin.saved")
			http.Redirect(w, r, view.CheckInListHref(d.ID, 0), http.StatusSeeOther)
			return
		}
		if !listFieldErrors(t, &f, err) {
			s.fail(w, r, err)
			return
		}
	}
	data.Form = f
	s.render(w, r, http.StatusUnprocessableEntity, view.CheckInListEditPage(s.page(r, t.T("checkin.edit_title", "List", data.Edit.Name, "Meeting", d.Title.In(t.Lang.Tag))), e, data))
}
