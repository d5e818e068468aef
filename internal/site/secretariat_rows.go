package site

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// maxRows bounds an editable table.
const maxRows = 2000

// rows reads an editable table ("s-0-day", "s-0-start", … "s-rows") from a submitted form and
// collects the messages of its fields.
type rows struct {
	t      *i18n.Translator
	prefix string
	n      int
	f      view.Form
	get    func(string) string
	sent   func(string) bool
}

func readRows(w http.ResponseWriter, r *http.Request, t *i18n.Translator, prefix string) (*rows, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 4*maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, domain.Errorf(domain.Invalid, "error.bad_form")
	}
	n, err := strconv.Atoi(r.PostForm.Get(prefix + "-rows"))
	if err != nil || n < 0 || n > maxRows {
		return nil, domain.Errorf(domain.Invalid, "error.bad_form")
	}
	f := view.NewForm()
	f.Rows = n
	for k, v := range r.PostForm {
		if strings.HasPrefix(k, prefix+"-") && len(v) > 0 {
			f.Values[k] = v[0]
		}
	}
	return &rows{t: t, prefix: prefix, n: n, f: f, get: r.PostForm.Get, sent: r.PostForm.Has}, nil
}

func (rs *rows) name(i int, field string) string { return view.RowName(rs.prefix, i, field) }

// has reports whether the form sent the field (by its whole name).
func (rs *rows) has(field string) bool { return rs.sent(field) }

func (rs *rows) value(i int, field string) string {
	return strings.TrimSpace(rs.get(rs.name(i, field)))
}

func (rs *rows) fail(i int, field, key string) { rs.failMsg(i, field, rs.t.T(key)) }

func (rs *rows) failMsg(i int, field, msg string) {
	name := rs.name(i, field)
	if rs.f.Errors[name] == "" {
		rs.f.Errors[name] = msg + " " + rs.t.T("sec.in_row", "Row", i+1)
		rs.f.Order = append(rs.f.Order, name)
	}
}

// id returns the row's id (0 for a new row) and whether the row is to be removed.
func (rs *rows) id(i int) (int64, bool) {
	id, _ := strconv.ParseInt(rs.value(i, "id"), 10, 64)
	return id, rs.value(i, "delete") == "on"
}

// blank reports whether a new row was left empty in every listed field.
func (rs *rows) blank(i int, fields ...string) bool {
	if id, _ := rs.id(i); id != 0 {
		return false
	}
	for _, f := range fields {
		if rs.value(i, f) != "" {
			return false
		}
	}
	return true
}

func (rs *rows) text(i int, field string, max int, required bool) string {
	v := rs.value(i, field)
	if required && v == "" {
		rs.fail(i, field, "validation.required")
	}
	if runeLen(v) > max {
		rs.failMsg(i, field, rs.t.N("validation.max", max))
	}
	return v
}

func (rs *rows) day(i int, field string) time.Time {
	d, ok := parseDay(rs.value(i, field))
	if !ok && rs.value(i, field) != "" {
		rs.fail(i, field, "validation.date")
	} else if !ok {
		rs.fail(i, field, "validation.required")
	}
	return d
}

func (rs *rows) clock(i int, field string, required bool) (time.Duration, bool) {
	v := rs.value(i, field)
	if v == "" {
		if required {
			rs.fail(i, field, "validation.required")
		}
		return 0, false
	}
	c, err := time.Parse("15:04", v)
	if err != nil {
		rs.fail(i, field, "validation.clock")
		return 0, false
	}
	return time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute, true
}

// minutes reads a form field outside the table: a whole number of minutes from min to max,
// kept in the form as typed.
func (rs *rows) minutes(field string, min, max int) int {
	v := strings.TrimSpace(rs.get(field))
	rs.f.Values[field] = v
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		if rs.f.Errors[field] == "" {
			rs.f.Errors[field] = rs.t.T("cal.minutes_invalid", "Min", min, "Max", max)
			rs.f.Order = append(rs.f.Order, field)
		}
	}
	return n
}

func (rs *rows) number(i int, field string) int {
	v := rs.value(i, field)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 999 {
		rs.fail(i, field, "sec.number_invalid")
	}
	return n
}

// ref reads an id that must be one of allowed.
func (rs *rows) ref(i int, field string, allowed map[int64]bool) int64 {
	id, err := strconv.ParseInt(rs.value(i, field), 10, 64)
	if err != nil || !allowed[id] {
		rs.fail(i, field, "validation.oneof")
	}
	return id
}

// english reads a row's title in English (title-en, required), keeping cur's other
// translations (cur is nil for a new row).
func (rs *rows) english(i int, max int, cur domain.Text) domain.Text {
	return cur.With(i18n.Default, rs.text(i, "title-"+i18n.Default, max, true))
}

// translatedTitles reads a list section sent for translation into lang: each row names an
// item of current by its id, and its title-<lang>; the item comes back with that translation
// of its title replaced. A row whose item is not in current (removed meanwhile) is left out:
// the save is refused by the section's version anyway.
func translatedTitles[T any](rs *rows, lang string, max int, current map[int64]T, title func(*T) *domain.Text) []domain.RowEdit[T] {
	var edits []domain.RowEdit[T]
	field := "title-" + lang
	for i := 0; i < rs.n; i++ {
		id, _ := rs.id(i)
		cur, ok := current[id]
		if !ok || !rs.has(rs.name(i, field)) {
			continue
		}
		t := title(&cur)
		*t = t.With(lang, rs.text(i, field, max, false))
		edits = append(edits, domain.RowEdit[T]{ID: id, Value: cur})
	}
	return edits
}

// translatedRooms reads the sessions sent for translation into lang: each row names a room by
// its key (domain.RoomKey) and its room-<lang>; every session in that room comes back with that
// translation of its room replaced.
func translatedRooms(rs *rows, lang string, sessions []domain.Session) []domain.RowEdit[domain.Session] {
	var edits []domain.RowEdit[domain.Session]
	field := "room-" + lang
	for i := 0; i < rs.n; i++ {
		key := rs.value(i, "key")
		if key == "" || !rs.has(rs.name(i, field)) {
			continue
		}
		v := rs.text(i, field, 100, false)
		for _, x := range sessions {
			if strings.EqualFold(domain.RoomKey(x.Room), key) {
				x.Room = x.Room.With(lang, v)
				edits = append(edits, domain.RowEdit[domain.Session]{ID: x.ID, Value: x})
			}
		}
	}
	return edits
}

// minutesOr is the minutes the form sent as session_minutes (read by minutes), or def when it
// sent none (a form of translations).
func (rs *rows) minutesOr(def int) int {
	if !rs.has("session_minutes") {
		return def
	}
	n, _ := strconv.Atoi(strings.TrimSpace(rs.get("session_minutes")))
	return n
}

// texts reads one text per interface language; the English one is required when requireEN.
func (rs *rows) texts(i int, field string, langs []i18n.Lang, max int, requireEN bool) domain.Text {
	out := domain.Text{}
	for _, l := range langs {
		if v := rs.text(i, field+"-"+l.Tag, max, requireEN && l.Tag == i18n.Default); v != "" {
			out[l.Tag] = v
		}
	}
	return out
}

func wpSet(d *domain.MeetingDetail) map[int64]bool {
	m := map[int64]bool{}
	for _, w := range d.WorkingParties {
		m[w.ID] = true
	}
	return m
}

// saveRowsPage is the common end of every editable table: save through the use case, then the
// section again with what was saved, or the refused form.
func saveRowsPage[T any](s *Server, w http.ResponseWriter, r *http.Request, d *domain.MeetingDetail, rs *rows,
	edits []domain.RowEdit[T], save func(version int64, edits []domain.RowEdit[T]) (service.Saved, error),
	set func(*view.MeetingEdit, view.Form), section string) {
	var saved service.Saved
	var err error = domain.FieldErrors(nil)
	if len(rs.f.Errors) == 0 {
		saved, err = save(formVersion(r), edits)
	}
	s.sectionSaved(w, r, d, section, saved, err, &rs.f, set)
}

// rowsRequest loads the meeting and reads the submitted table.
func (s *Server) rowsRequest(w http.ResponseWriter, r *http.Request, prefix string) (*domain.MeetingDetail, *rows, bool) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	rs, err := readRows(w, r, s.translator(r), prefix)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	return d, rs, true
}

func (s *Server) sessionsSave(w http.ResponseWriter, r *http.Request) {
	d, rs, ok := s.rowsRequest(w, r, "s")
	if !ok {
		return
	}
	current := domain.ByID(d.Sessions, func(x domain.Session) int64 { return x.ID })
	save := func(v int64, e []domain.RowEdit[domain.Session]) (service.Saved, error) {
		return s.svc.Meetings.SaveSessions(r.Context(), auditOf(r), actorOf(r), d.ID, v, rs.minutesOr(d.DefaultSessionMinutes()), e)
	}
	set := func(e *view.MeetingEdit, f view.Form) { e.Sessions = f }
	if lang := s.editLang(r); lang != i18n.Default {
		saveRowsPage(s, w, r, d, rs, translatedRooms(rs, lang, d.Sessions), save, set, domain.SectionSessions)
		return
	}
	wps := wpSet(d)
	var edits []domain.RowEdit[domain.Session]
	for i := 0; i < rs.n; i++ {
		if rs.blank(i, "wp", "day", "start", "end", "room") {
			continue
		}
		id, del := rs.id(i)
		if del {
			edits = append(edits, domain.RowEdit[domain.Session]{ID: id, Delete: true})
			continue
		}
		x := domain.Session{WorkingPartyID: rs.ref(i, "wp", wps), Room: current[id].Room.With(i18n.Default, rs.text(i, "room", 100, false))}
		day := rs.day(i, "day")
		start, _ := rs.clock(i, "start", true)
		x.StartsAt = day.Add(start)
		if end, ok := rs.clock(i, "end", false); ok {
			e := day.Add(end)
			if end <= start {
				rs.fail(i, "end", "sec.end_before_start")
			}
			x.EndsAt = &e
		}
		edits = append(edits, domain.RowEdit[domain.Session]{ID: id, Value: x})
	}
	rs.minutes("session_minutes", 15, 720)
	saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionSessions)
}

func (s *Server) deskSave(w http.ResponseWriter, r *http.Request) {
	d, rs, ok := s.rowsRequest(w, r, "d")
	if !ok {
		return
	}
	lang := s.editLang(r)
	var edits []domain.RowEdit[domain.DeskOpening]
	if lang != i18n.Default {
		// Translating: where the desk is, in lang; the openings as they are.
		rs.n = 0
	}
	for i := 0; i < rs.n; i++ {
		if rs.blank(i, "day", "time", "closes") {
			continue
		}
		id, del := rs.id(i)
		if del {
			edits = append(edits, domain.RowEdit[domain.DeskOpening]{ID: id, Delete: true})
			continue
		}
		day := rs.day(i, "day")
		at, _ := rs.clock(i, "time", true)
		x := domain.DeskOpening{OpensAt: day.Add(at)}
		if closes, ok := rs.clock(i, "closes", false); ok {
			c := day.Add(closes)
			if closes <= at {
				rs.fail(i, "closes", "cal.closes_before_opens")
			}
			x.ClosesAt = &c
		}
		edits = append(edits, domain.RowEdit[domain.DeskOpening]{ID: id, Value: x})
	}
	place := d.DeskPlace
	if field := view.TextFieldName("desk_place", lang); rs.has(field) {
		v := rs.get(field)
		rs.f.Values[field] = v
		v = strings.TrimSpace(v)
		if runeLen(v) > 200 {
			rs.f.Errors[field] = rs.t.N("validation.max", 200)
			rs.f.Order = append([]string{field}, rs.f.Order...)
		}
		place = place.With(lang, v)
	}
	saveRowsPage(s, w, r, d, rs, edits, func(v int64, e []domain.RowEdit[domain.DeskOpening]) (service.Saved, error) {
		return s.svc.Meetings.SaveDesk(r.Context(), auditOf(r), actorOf(r), d.ID, v, place, e)
	}, func(e *view.MeetingEdit, f view.Form) { e.Desk = f }, domain.SectionDesk)
}

func (s *Server) colocatedSave(w http.ResponseWriter, r *http.Request) {
	d, rs, ok := s.rowsRequest(w, r, "c")
	if !ok {
		return
	}
	current := domain.ByID(d.ColocatedEvents, func(x domain.ColocatedEvent) int64 { return x.ID })
	save := func(v int64, e []domain.RowEdit[domain.ColocatedEvent]) (service.Saved, error) {
		return s.svc.Meetings.SaveColocated(r.Context(), auditOf(r), actorOf(r), d.ID, v, e)
	}
	set := func(e *view.MeetingEdit, f view.Form) { e.Colocated = f }
	if lang := s.editLang(r); lang != i18n.Default {
		edits := translatedTitles(rs, lang, 300, current, func(x *domain.ColocatedEvent) *domain.Text { return &x.Title })
		saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionColocated)
		return
	}
	fields := []string{"first", "last", "url", "title-en"}
	var edits []domain.RowEdit[domain.ColocatedEvent]
	for i := 0; i < rs.n; i++ {
		if rs.blank(i, fields...) {
			continue
		}
		id, del := rs.id(i)
		if del {
			edits = append(edits, domain.RowEdit[domain.ColocatedEvent]{ID: id, Delete: true})
			continue
		}
		x := domain.ColocatedEvent{Title: rs.english(i, 300, current[id].Title), FirstDay: rs.day(i, "first"), LastDay: rs.day(i, "last"),
			URL: rs.text(i, "url", 500, false)}
		if x.LastDay.Before(x.FirstDay) {
			rs.fail(i, "last", "sec.last_before_first")
		}
		if x.URL != "" && !strings.HasPrefix(x.URL, "https://") && !strings.HasPrefix(x.URL, "http://") {
			rs.fail(i, "url", "validation.url")
		}
		edits = append(edits, domain.RowEdit[domain.ColocatedEvent]{ID: id, Value: x})
	}
	saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionColocated)
}

func (s *Server) agendaSave(w http.ResponseWriter, r *http.Request) {
	d, rs, ok := s.rowsRequest(w, r, "a")
	if !ok {
		return
	}
	current := domain.ByID(d.AgendaItems, func(x domain.AgendaItem) int64 { return x.ID })
	save := func(v int64, e []domain.RowEdit[domain.AgendaItem]) (service.Saved, error) {
		return s.svc.Meetings.SaveAgenda(r.Context(), auditOf(r), actorOf(r), d.ID, v, e)
	}
	set := func(e *view.MeetingEdit, f view.Form) { e.Agenda = f }
	if lang := s.editLang(r); lang != i18n.Default {
		edits := translatedTitles(rs, lang, 300, current, func(x *domain.AgendaItem) *domain.Text { return &x.Title })
		saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionAgenda)
		return
	}
	wps := wpSet(d)
	fields := []string{"wp", "position", "holds", "title-en"}
	var edits []domain.RowEdit[domain.AgendaItem]
	for i := 0; i < rs.n; i++ {
		if rs.blank(i, fields...) {
			continue
		}
		id, del := rs.id(i)
		if del {
			edits = append(edits, domain.RowEdit[domain.AgendaItem]{ID: id, Delete: true})
			continue
		}
		x := domain.AgendaItem{WorkingPartyID: rs.ref(i, "wp", wps), Position: rs.number(i, "position"), Title: rs.english(i, 300, current[id].Title)}
		if h := rs.value(i, "holds"); h != "" {
			a := domain.ProposedAction(h)
			if !a.Valid() {
				rs.fail(i, "holds", "validation.oneof")
			}
			x.Holds = &a
		}
		edits = append(edits, domain.RowEdit[domain.AgendaItem]{ID: id, Value: x})
	}
	saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionAgenda)
}

func (s *Server) workItemsSave(w http.ResponseWriter, r *http.Request) {
	d, rs, ok := s.rowsRequest(w, r, "w")
	if !ok {
		return
	}
	current := domain.ByID(d.WorkItems, func(x domain.WorkItem) int64 { return x.ID })
	save := func(v int64, e []domain.RowEdit[domain.WorkItem]) (service.Saved, error) {
		return s.svc.Meetings.SaveWorkItems(r.Context(), auditOf(r), actorOf(r), d.ID, v, e)
	}
	set := func(e *view.MeetingEdit, f view.Form) { e.WorkItems = f }
	if lang := s.editLang(r); lang != i18n.Default {
		edits := translatedTitles(rs, lang, 500, current, func(x *domain.WorkItem) *domain.Text { return &x.Title })
		saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionWorkItems)
		return
	}
	wps := wpSet(d)
	qs := map[int64]bool{}
	for _, q := range d.Questions {
		qs[q.ID] = true
	}
	fields := []string{"wp", "position", "acronym", "question", "title-en"}
	var edits []domain.RowEdit[domain.WorkItem]
	for i := 0; i < rs.n; i++ {
		if rs.blank(i, fields...) {
			continue
		}
		id, del := rs.id(i)
		if del {
			edits = append(edits, domain.RowEdit[domain.WorkItem]{ID: id, Delete: true})
			continue
		}
		x := domain.WorkItem{WorkingPartyID: rs.ref(i, "wp", wps), Position: rs.number(i, "position"),
			Acronym: rs.text(i, "acronym", 60, true), Title: rs.english(i, 500, current[id].Title), QuestionID: rs.ref(i, "question", qs),
			Kind: domain.WorkItemKind(rs.value(i, "kind")), Action: domain.ProposedAction(rs.value(i, "action"))}
		if !x.Kind.Valid() {
			rs.fail(i, "kind", "validation.oneof")
		}
		if !x.Action.Valid() {
			rs.fail(i, "action", "validation.oneof")
		}
		edits = append(edits, domain.RowEdit[domain.WorkItem]{ID: id, Value: x})
	}
	saveRowsPage(s, w, r, d, rs, edits, save, set, domain.SectionWorkItems)
}
