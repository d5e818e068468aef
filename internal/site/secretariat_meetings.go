package site

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// blankRows is how many empty rows an editable table offers for additions.
const blankRows = 3

func (s *Server) secretariatHome(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.Meetings.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gs, err := s.svc.StudyGroups.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.SecretariatHome(s.page(r, s.translator(r).T("nav.secretariat")), ms, gs))
}

// meetingEditData loads what the editor's pages need; d is nil for a new meeting. Every
// section's form is filled from the meeting; a refused form replaces its own afterwards.
func (s *Server) meetingEditData(r *http.Request, d *domain.MeetingDetail, section string) (view.MeetingEdit, error) {
	gs, err := s.svc.StudyGroups.List(r.Context())
	if err != nil {
		return view.MeetingEdit{}, err
	}
	e := view.MeetingEdit{StudyGroups: gs, Langs: s.cat.Langs(), Copy: view.NewForm(), Section: section, EditLang: s.editLang(r)}
	if d == nil {
		e.Main = view.NewForm()
		e.Main.Values["time_zone"] = "Europe/Zurich"
		e.Main.Values["languages"] = "en"
		e.Main.Values["paperless"] = "on"
		if len(gs) > 0 {
			e.Main.Values["study_group_id"] = strconv.FormatInt(gs[0].ID, 10)
		}
		return e, nil
	}
	now := s.opts.Now()
	e.ID, e.Slug, e.Detail = d.ID, d.Slug, d
	e.Version = d.SectionVersion(section)
	e.Archived = d.StateAt(now) == domain.MeetingArchived
	e.WorkingParties, e.Questions = d.WorkingParties, d.Questions
	e.Main = mainFormOf(d, e.Langs)
	e.Deadlines = deadlinesFormOf(d)
	e.Sessions = sessionsFormOf(d)
	e.Desk = deskFormOf(d)
	e.Colocated = colocatedFormOf(d, e.Langs)
	e.Agenda = agendaFormOf(d, e.Langs)
	e.WorkItems = workItemsFormOf(d, e.Langs)
	e.State = view.MeetingStateView{ID: d.ID, Slug: d.Slug, State: d.StateAt(now), Missing: domain.PublishMissing(*d),
		Opens: d.RegistrationOpens, PublishedAt: d.PublishedAt}
	e.Defaults = domain.Deadlines(d.FirstDay, nil)
	return e, nil
}

func (s *Server) meetingNewForm(w http.ResponseWriter, r *http.Request) {
	e, err := s.meetingEditData(r, nil, domain.SectionDetails)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.MeetingNewPage(s.page(r, s.translator(r).T("sec.new_meeting")), e))
}

func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	in, _, f, ok := s.parseMeetingForm(w, r, t, nil)
	if ok {
		id, err := s.svc.Meetings.Create(r.Context(), auditOf(r), actorOf(r), in)
		if err == nil {
			s.flash(r, "sec.meeting_created")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/meetings/%d", id), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	e, err := s.meetingEditData(r, nil, domain.SectionDetails)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e.Main = f
	s.render(w, r, http.StatusUnprocessableEntity, view.MeetingNewPage(s.page(r, t.T("sec.new_meeting")), e))
}

// meetingForEdit loads the meeting named by the {id} in the URL.
func (s *Server) meetingForEdit(r *http.Request) (*domain.MeetingDetail, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	return s.svc.Meetings.Detail(r.Context(), id)
}

// meetingOverview is the editor's first page: the summary, the state with publish or unpublish,
// the sections, a copy.
func (s *Server) meetingOverview(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showOverview(w, r, d, http.StatusOK, nil)
}

func (s *Server) showOverview(w http.ResponseWriter, r *http.Request, d *domain.MeetingDetail, status int, set func(*view.MeetingEdit)) {
	e, err := s.meetingEditData(r, d, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if set != nil {
		set(&e)
	}
	s.render(w, r, status, view.MeetingOverviewPage(s.page(r, s.translator(r).T("sec.edit_meeting", "Slug", d.Slug)), e))
}

// meetingSection shows one section of the editor.
func (s *Server) meetingSection(section string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := s.meetingForEdit(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.showSection(w, r, d, section, http.StatusOK, nil)
	}
}

// showSection renders a section's page; set replaces what a refused form typed.
func (s *Server) showSection(w http.ResponseWriter, r *http.Request, d *domain.MeetingDetail, section string, status int, set func(*view.MeetingEdit)) {
	e, err := s.meetingEditData(r, d, section)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if set != nil {
		set(&e)
	}
	t := s.translator(r)
	s.render(w, r, status, view.MeetingSectionPage(s.page(r, t.T("life.section_title", "Section", t.T("life.section."+section), "Meeting", d.Title.In(t.Lang.Tag))), e))
}

// formVersion reads the section's version the form was read at.
func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	return v
}

// sectionSaved answers a section's save: on success, back to the section with a message that
// says exactly what was saved; refused, the section again with the typed values, the error
// summary at the top and the messages beside the fields.
func (s *Server) sectionSaved(w http.ResponseWriter, r *http.Request, d *domain.MeetingDetail, section string, saved service.Saved, err error, f *view.Form, set func(*view.MeetingEdit, view.Form)) {
	t := s.translator(r)
	if err == nil {
		s.flashText(r, savedMessage(t, saved))
		http.Redirect(w, r, view.SectionLangHref(d.ID, section, s.editLang(r)), http.StatusSeeOther)
		return
	}
	if !applyDomainError(t, err, f) {
		s.fail(w, r, err)
		return
	}
	version := formVersion(r)
	s.showSection(w, r, d, section, http.StatusUnprocessableEntity, func(e *view.MeetingEdit) {
		set(e, *f)
		// The form keeps the version it was read at: a stale one stays refused until reloaded.
		e.Version = version
	})
}

// savedMessage says what a save changed: "Details saved: the venue, the remote link." or
// "Sessions saved: 1 added, 2 changed, 0 removed."; or that it changed nothing.
func savedMessage(t *i18n.Translator, saved service.Saved) string {
	section := t.T("life.section." + saved.Section)
	if saved.Nothing() {
		return t.T("life.saved_nothing", "Section", section)
	}
	var parts []string
	if len(saved.Fields) > 0 {
		names := make([]string, len(saved.Fields))
		for i, f := range saved.Fields {
			names[i] = t.T("life.f." + f)
		}
		parts = append(parts, t.T("life.saved_fields", "Section", section, "Fields", strings.Join(names, t.T("life.list_sep"))))
	}
	if saved.Rows.Any() {
		parts = append(parts, t.T("life.saved_rows", "Section", section, "Added", saved.Rows.Added, "Changed", saved.Rows.Changed, "Removed", saved.Rows.Removed))
	}
	if len(saved.Reviewed) > 0 && len(saved.Fields) == 0 {
		parts = append(parts, t.T("life.saved_section", "Section", section))
	}
	if len(saved.Reviewed) > 0 {
		names := make([]string, len(saved.Reviewed))
		for i, f := range saved.Reviewed {
			names[i] = t.T("life.f." + f)
		}
		parts = append(parts, t.T("life.saved_reviewed", "Fields", strings.Join(names, t.T("life.list_sep"))))
	}
	return strings.Join(parts, " ")
}

// detailsSave saves the details section.
func (s *Server) detailsSave(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	parse := s.parseMeetingForm
	if lang := s.editLang(r); lang != i18n.Default {
		parse = func(w http.ResponseWriter, r *http.Request, t *i18n.Translator, d *domain.MeetingDetail) (domain.MeetingFields, []string, view.Form, bool) {
			return s.parseDetailsTranslation(w, r, t, d, lang)
		}
	}
	in, confirmed, f, ok := parse(w, r, t, d)
	var saved service.Saved
	err = domain.FieldErrors(nil)
	if ok {
		saved, err = s.svc.Meetings.SaveDetails(r.Context(), auditOf(r), actorOf(r), d.ID, formVersion(r), in, confirmed)
	}
	s.sectionSaved(w, r, d, domain.SectionDetails, saved, err, &f, func(e *view.MeetingEdit, f view.Form) { e.Main = f })
}

type meetingFields struct {
	Slug           string   `form:"slug" validate:"required,max=60"`
	StudyGroupID   int64    `form:"study_group_id" validate:"required"`
	City           string   `form:"city" validate:"required,max=100"`
	Venue          string   `form:"venue" validate:"required,max=200"`
	TimeZone       string   `form:"time_zone" validate:"required,max=60"`
	FirstDay       string   `form:"first_day" validate:"required,date"`
	LastDay        string   `form:"last_day" validate:"required,date"`
	Languages      []string `form:"languages" validate:"required,min=1,dive,oneof=ar zh en fr ru es"`
	Interpretation bool     `form:"interpretation"`
	Fellowships    bool     `form:"fellowships"`
	Paperless      bool     `form:"paperless"`
	RemoteTool     string   `form:"remote_tool" validate:"max=100"`
	RemoteLink     string   `form:"remote_link" validate:"omitempty,max=500,http_url"`
	ApprovedBy     string   `form:"approved_by" validate:"max=300"`
	Version        int64    `form:"version"`
	Reviewed       []string `form:"reviewed"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parseMeetingForm reads and checks the details form in English (every field, and the English
// of the texts; d's other translations are kept; d is nil for a new meeting), and the texts
// confirmed as read.
func (s *Server) parseMeetingForm(w http.ResponseWriter, r *http.Request, t *i18n.Translator, d *domain.MeetingDetail) (domain.MeetingFields, []string, view.Form, bool) {
	var mf meetingFields
	f, err := decodeForm(w, r, &mf)
	if err != nil {
		f.Summary = t.T("error.bad_form")
		return domain.MeetingFields{}, nil, f, false
	}
	s.check(t, &mf, &f)
	in := domain.MeetingFields{
		Slug: strings.ToLower(mf.Slug), StudyGroupID: mf.StudyGroupID,
		TimeZone: mf.TimeZone, Languages: mf.Languages, Interpretation: mf.Interpretation,
		Fellowships: mf.Fellowships, Paperless: mf.Paperless, RemoteTool: mf.RemoteTool, RemoteLink: mf.RemoteLink,
	}
	var old domain.MeetingFields
	if d != nil {
		old = domain.FieldsOf(d.Meeting)
	}
	readDetailsTexts(r, &f, t, &in, old, i18n.Default)
	confirmed := confirmedReviews(mf.Reviewed)
	f.Values["reviewed"] = strings.Join(confirmed, ",")
	if f.Errors["slug"] == "" && !slugPattern.MatchString(in.Slug) {
		f.Errors["slug"] = t.T("sec.slug_invalid")
	}
	if f.Errors["time_zone"] == "" {
		if _, err := time.LoadLocation(mf.TimeZone); err != nil || mf.TimeZone == "Local" {
			f.Errors["time_zone"] = t.T("sec.time_zone_invalid")
		}
	}
	first, ok1 := parseDay(mf.FirstDay)
	last, ok2 := parseDay(mf.LastDay)
	in.FirstDay, in.LastDay = first, last
	if ok1 && ok2 && last.Before(first) {
		f.Errors["last_day"] = t.T("sec.last_before_first")
	}
	if in.Title["en"] == "" {
		f.Errors["title-en"] = t.T("validation.required")
	}
	return in, confirmed, f, len(f.Errors) == 0
}

// detailsTextLimits are the longest each text of the details may be, in characters.
var detailsTextLimits = map[string]int{"title": 300, "city": 100, "venue": 200, "approved_by": 300, "room_allocation": 300,
	"remote_rules": 10000, "purpose": 10000, "practical_info": 10000}

// detailsTexts are the texts of the details section in f.
func detailsTexts(f *domain.MeetingFields) map[string]*domain.Text {
	return map[string]*domain.Text{"title": &f.Title, "city": &f.City, "venue": &f.Venue, "remote_rules": &f.RemoteRules, "purpose": &f.Purpose,
		"approved_by": &f.ApprovedBy, "room_allocation": &f.RoomAllocation, "practical_info": &f.PracticalInfo}
}

// readDetailsTexts sets in's texts to old's with their translation in lang as the form sent
// it (a text the form did not send keeps old's), keeping what was typed and refusing one too
// long.
func readDetailsTexts(r *http.Request, f *view.Form, t *i18n.Translator, in *domain.MeetingFields, old domain.MeetingFields, lang string) {
	olds := detailsTexts(&old)
	for name, dst := range detailsTexts(in) {
		*dst = *olds[name]
		field := view.DetailsFieldName(name, lang)
		if !r.PostForm.Has(field) {
			continue
		}
		raw := r.PostForm.Get(field)
		f.Values[field] = raw
		// A browser sends a textarea's line breaks as CRLF; the texts are kept with LF, so that
		// a text sent back unchanged is not taken for an edit.
		v := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
		if limit := detailsTextLimits[name]; runeLen(v) > limit {
			f.Errors[field] = t.N("validation.max", limit)
		}
		*dst = dst.With(lang, v)
	}
}

// confirmedReviews keeps of the texts a form confirms as read those that can be "to review".
func confirmedReviews(sent []string) []string {
	var out []string
	for _, v := range sent {
		if slices.Contains(domain.ReviewFields, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// parseDetailsTranslation reads the details form in a language other than English: the
// translations in lang of the texts it sends, every other field and translation as d has them.
func (s *Server) parseDetailsTranslation(w http.ResponseWriter, r *http.Request, t *i18n.Translator, d *domain.MeetingDetail, lang string) (domain.MeetingFields, []string, view.Form, bool) {
	f := view.NewForm()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		f.Summary = t.T("error.bad_form")
		return domain.MeetingFields{}, nil, f, false
	}
	in := domain.FieldsOf(d.Meeting)
	readDetailsTexts(r, &f, t, &in, domain.FieldsOf(d.Meeting), lang)
	confirmed := confirmedReviews(r.PostForm["reviewed"])
	f.Values["reviewed"] = strings.Join(confirmed, ",")
	for _, x := range view.DetailsTexts {
		if name := view.DetailsFieldName(x.Name, lang); f.Errors[name] != "" {
			f.Order = append(f.Order, name)
		}
	}
	return in, confirmed, f, len(f.Errors) == 0
}

// editLang is the language the request edits a section's texts in (?lang=, English when none
// or an unknown one is asked for).
func (s *Server) editLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" && s.cat.Has(l) {
		return l
	}
	return i18n.Default
}

// deadlinesSave saves the deadlines section: each deadline's day (required, on or before the
// first day) and the day registration opens.
func (s *Server) deadlinesSave(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	f := view.NewForm()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	set := map[domain.DeadlineKind]time.Time{}
	for _, k := range domain.DeadlineKinds {
		field := "deadline-" + string(k)
		v := strings.TrimSpace(r.PostForm.Get(field))
		f.Values[field] = v
		day, ok := parseDay(v)
		switch {
		case v == "":
			f.Errors[field] = t.T("validation.required")
		case !ok:
			f.Errors[field] = t.T("validation.date")
		case day.After(d.FirstDay):
			f.Errors[field] = t.T("sec.deadline_after_start")
		default:
			set[k] = day
		}
		if f.Errors[field] != "" {
			f.Order = append(f.Order, field)
		}
	}
	var opens *time.Time
	if v := strings.TrimSpace(r.PostForm.Get("registration_opens")); v != "" {
		f.Values["registration_opens"] = v
		if day, ok := parseDay(v); !ok {
			f.Errors["registration_opens"] = t.T("validation.date")
		} else if day.After(d.FirstDay) {
			f.Errors["registration_opens"] = t.T("life.opens_after_start")
		} else {
			opens = &day
		}
		if f.Errors["registration_opens"] != "" {
			f.Order = append(f.Order, "registration_opens")
		}
	}
	var saved service.Saved
	err = domain.FieldErrors(nil)
	if len(f.Errors) == 0 {
		saved, err = s.svc.Meetings.SaveDeadlines(r.Context(), auditOf(r), actorOf(r), d.ID, formVersion(r), set, opens)
	}
	s.sectionSaved(w, r, d, domain.SectionDeadlines, saved, err, &f, func(e *view.MeetingEdit, f view.Form) { e.Deadlines = f })
}

func (s *Server) meetingCopy(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	var in struct {
		Title    string `form:"copy_title" validate:"required,max=300"`
		Slug     string `form:"copy_slug" validate:"required,max=60"`
		FirstDay string `form:"copy_first_day" validate:"required,date"`
	}
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.check(t, &in, &f) {
		slug := strings.ToLower(in.Slug)
		if !slugPattern.MatchString(slug) {
			f.Errors["copy_slug"] = t.T("sec.slug_invalid")
		} else {
			first, _ := parseDay(in.FirstDay)
			id, err := s.svc.Meetings.Copy(r.Context(), auditOf(r), actorOf(r), d.ID, slug, first, domain.Text{"en": strings.TrimSpace(in.Title)})
			if err == nil {
				s.flash(r, "sec.meeting_copied")
				http.Redirect(w, r, fmt.Sprintf("/secretariat/meetings/%d", id), http.StatusSeeOther)
				return
			}
			e, ok := domain.AsError(err)
			if !ok || len(e.Fields) == 0 {
				s.fail(w, r, err)
				return
			}
			for field, key := range e.Fields {
				f.Errors["copy_"+field] = t.T(key)
			}
		}
	}
	s.showOverview(w, r, d, http.StatusUnprocessableEntity, func(e *view.MeetingEdit) { e.Copy = f })
}

// Forms filled from a meeting.

func mainFormOf(d *domain.MeetingDetail, langs []i18n.Lang) view.Form {
	f := view.NewForm()
	v := f.Values
	v["slug"], v["study_group_id"], v["time_zone"] = d.Slug, strconv.FormatInt(d.StudyGroupID, 10), d.TimeZone
	v["first_day"], v["last_day"] = d.FirstDay.Format("2006-01-02"), d.LastDay.Format("2006-01-02")
	v["languages"] = strings.Join(d.Languages, ",")
	v["interpretation"], v["fellowships"], v["paperless"] = onOff(d.Interpretation), onOff(d.Fellowships), onOff(d.Paperless)
	v["remote_tool"], v["remote_link"] = d.RemoteTool, d.RemoteLink
	for _, l := range langs {
		v[view.TextFieldName("city", l.Tag)] = d.City[l.Tag]
		v[view.TextFieldName("venue", l.Tag)] = d.Venue[l.Tag]
		v[view.TextFieldName("approved_by", l.Tag)] = d.ApprovedBy[l.Tag]
		v["title-"+l.Tag] = d.Title[l.Tag]
		v["remote_rules-"+l.Tag] = d.RemoteRules[l.Tag]
		v["purpose-"+l.Tag] = d.Purpose[l.Tag]
		v["room_allocation-"+l.Tag] = d.RoomAllocation[l.Tag]
		v["practical_info-"+l.Tag] = d.PracticalInfo[l.Tag]
	}
	return f
}

// deadlinesFormOf fills the deadlines form: the days set, and the defaults for the others (so
// that one save sets them all).
func deadlinesFormOf(d *domain.MeetingDetail) view.Form {
	f := view.NewForm()
	for _, dl := range d.Deadlines() {
		f.Values["deadline-"+string(dl.Kind)] = dl.Day.Format("2006-01-02")
	}
	if d.RegistrationOpens != nil {
		f.Values["registration_opens"] = d.RegistrationOpens.Format("2006-01-02")
	}
	return f
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

func rowForm(n int) view.Form {
	f := view.NewForm()
	f.Rows = n + blankRows
	return f
}

func sessionsFormOf(d *domain.MeetingDetail) view.Form {
	f := rowForm(len(d.Sessions))
	for i, x := range d.Sessions {
		set := rowSetter(f, "s", i)
		set("id", strconv.FormatInt(x.ID, 10))
		set("wp", strconv.FormatInt(x.WorkingPartyID, 10))
		set("day", x.StartsAt.Format("2006-01-02"))
		set("start", x.StartsAt.Format("15:04"))
		if x.EndsAt != nil {
			set("end", x.EndsAt.Format("15:04"))
		}
		set("room", x.Room["en"])
	}
	f.Values["session_minutes"] = strconv.Itoa(d.DefaultSessionMinutes())
	return f
}

func deskFormOf(d *domain.MeetingDetail) view.Form {
	f := rowForm(len(d.DeskOpenings))
	for tag, s := range d.DeskPlace {
		f.Values[view.TextFieldName("desk_place", tag)] = s
	}
	for i, x := range d.DeskOpenings {
		set := rowSetter(f, "d", i)
		set("id", strconv.FormatInt(x.ID, 10))
		set("day", x.OpensAt.Format("2006-01-02"))
		set("time", x.OpensAt.Format("15:04"))
		if x.ClosesAt != nil {
			set("closes", x.ClosesAt.Format("15:04"))
		}
	}
	return f
}

func colocatedFormOf(d *domain.MeetingDetail, langs []i18n.Lang) view.Form {
	f := rowForm(len(d.ColocatedEvents))
	for i, x := range d.ColocatedEvents {
		set := rowSetter(f, "c", i)
		set("id", strconv.FormatInt(x.ID, 10))
		for _, l := range langs {
			set("title-"+l.Tag, x.Title[l.Tag])
		}
		set("first", x.FirstDay.Format("2006-01-02"))
		set("last", x.LastDay.Format("2006-01-02"))
		set("url", x.URL)
	}
	return f
}

func agendaFormOf(d *domain.MeetingDetail, langs []i18n.Lang) view.Form {
	f := rowForm(len(d.AgendaItems))
	for i, x := range d.AgendaItems {
		set := rowSetter(f, "a", i)
		set("id", strconv.FormatInt(x.ID, 10))
		set("wp", strconv.FormatInt(x.WorkingPartyID, 10))
		set("position", strconv.Itoa(x.Position))
		for _, l := range langs {
			set("title-"+l.Tag, x.Title[l.Tag])
		}
		if x.Holds != nil {
			set("holds", string(*x.Holds))
		}
	}
	return f
}

func workItemsFormOf(d *domain.MeetingDetail, langs []i18n.Lang) view.Form {
	f := rowForm(len(d.WorkItems))
	for i, x := range d.WorkItems {
		set := rowSetter(f, "w", i)
		set("id", strconv.FormatInt(x.ID, 10))
		set("wp", strconv.FormatInt(x.WorkingPartyID, 10))
		set("position", strconv.Itoa(x.Position))
		set("acronym", x.Acronym)
		for _, l := range langs {
			set("title-"+l.Tag, x.Title[l.Tag])
		}
		set("question", strconv.FormatInt(x.QuestionID, 10))
		set("kind", string(x.Kind))
		set("action", string(x.Action))
	}
	return f
}

func rowSetter(f view.Form, prefix string, i int) func(field, value string) {
	return func(field, value string) { f.Values[view.RowName(prefix, i, field)] = value }
}

// meetingPublish publishes a draft, or shows the overview with the list of what is missing.
func (s *Server) meetingPublish(w http.ResponseWriter, r *http.Request) {
	s.meetingTransition(w, r, s.svc.Meetings.Publish, "life.published")
}

// meetingUnpublish makes a published meeting a draft again.
func (s *Server) meetingUnpublish(w http.ResponseWriter, r *http.Request) {
	s.meetingTransition(w, r, s.svc.Meetings.Unpublish, "life.unpublished")
}

func (s *Server) meetingTransition(w http.ResponseWriter, r *http.Request,
	change func(context.Context, service.Audit, domain.Actor, int64) error, done string) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	err = change(r.Context(), auditOf(r), actorOf(r), id)
	if err == nil {
		s.flash(r, done)
		http.Redirect(w, r, fmt.Sprintf("/secretariat/meetings/%d", id), http.StatusSeeOther)
		return
	}
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.Invalid && e.Code != domain.Conflict {
		s.fail(w, r, err)
		return
	}
	d, err := s.svc.Meetings.Detail(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showOverview(w, r, d, http.StatusUnprocessableEntity, func(m *view.MeetingEdit) {
		if missing, ok := e.Args["Missing"].([]string); ok {
			m.State.Missing, m.State.Refused = missing, true
			return
		}
		m.State.Error = message(s.translator(r), e)
	})
}

// meetingHistory lists the meeting's audit trail: who changed what and when, in the meeting's
// time zone, newest first.
func (s *Server) meetingHistory(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.svc.Meetings.History(r.Context(), actorOf(r), d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.meetingEditData(r, d, "history")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	loc := d.Location()
	lines := make([]view.HistoryLine, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		who := t.T("life.history_system")
		if ev.ActorName != nil {
			who = *ev.ActorName
		}
		at := ev.At.In(loc)
		lines = append(lines, view.HistoryLine{At: t.Date(at) + " " + at.Format("15:04") + " " + t.GMT(at), Who: who, What: historyWhat(t, ev)})
	}
	s.render(w, r, http.StatusOK, view.MeetingHistoryPage(s.page(r, t.T("life.history_title", "Meeting", d.Title.In(t.Lang.Tag))), e,
		d.TimeZone, lines))
}

// historyWhat says what an audit event of a meeting did, in the user's language.
func historyWhat(t *i18n.Translator, ev domain.AuditEvent) string {
	str := func(k string) string { v, _ := ev.Detail[k].(string); return v }
	num := func(k string) int { v, _ := ev.Detail[k].(float64); return int(v) }
	list := func(k string, prefix string) string {
		vs, _ := ev.Detail[k].([]any)
		names := make([]string, 0, len(vs))
		for _, v := range vs {
			if s, ok := v.(string); ok {
				names = append(names, t.T(prefix+s))
			}
		}
		return strings.Join(names, t.T("life.list_sep"))
	}
	if section, ok := strings.CutPrefix(ev.Action, "meeting.save_"); ok {
		if sec := str("section"); sec != "" {
			section = sec
		}
		// Saves made before the editor had sections name their table.
		legacy := map[string]string{"desk_openings": domain.SectionDesk, "colocated_events": domain.SectionColocated, "agenda_items": domain.SectionAgenda}
		if s, ok := legacy[section]; ok {
			section = s
		}
		name := t.T("life.section." + section)
		var parts []string
		if f := list("fields", "life.f."); f != "" {
			parts = append(parts, t.T("life.saved_fields", "Section", name, "Fields", f))
		}
		if _, ok := ev.Detail["added"]; ok {
			parts = append(parts, t.T("life.saved_rows", "Section", name, "Added", num("added"), "Changed", num("changed"), "Removed", num("removed")))
		} else if n := num("rows"); n > 0 {
			parts = append(parts, t.T("life.history_rows", "Section", name, "Rows", n))
		}
		if f := list("reviewed", "life.f."); f != "" {
			parts = append(parts, t.T("life.saved_reviewed", "Fields", f))
		}
		if len(parts) == 0 {
			parts = append(parts, t.T("life.saved_section", "Section", name))
		}
		return strings.Join(parts, " ")
	}
	if strings.HasPrefix(ev.Action, "checkin_list.") {
		// The list named as it was named then, in the reader's language.
		name := domain.Text{}
		if n, ok := ev.Detail["name"].(map[string]any); ok {
			for k, v := range n {
				if s, ok := v.(string); ok {
					name[k] = s
				}
			}
		}
		if len(name) == 0 {
			return t.T("event." + ev.Action)
		}
		return t.T("checkin.history."+strings.TrimPrefix(ev.Action, "checkin_list."), "List", name.In(t.Lang.Tag))
	}
	// (The actions are matched without their "meeting." prefix.)
	switch strings.TrimPrefix(ev.Action, "meeting.") {
	case "publish":
		return t.T("life.history_published")
	case "unpublish":
		return t.T("life.history_unpublished")
	case "copy":
		return t.T("life.history_copy", "Slug", str("slug"))
	case "copied":
		return t.T("life.history_copied", "Slug", str("from_slug"))
	case "create":
		return t.T("life.history_created")
	case "update":
		return t.T("life.history_updated")
	}
	return ev.Action
}

// flashText shows a message, already translated, on the next page.
func (s *Server) flashText(r *http.Request, msg string) { s.sessions.Put(r.Context(), "flash", msg) }
