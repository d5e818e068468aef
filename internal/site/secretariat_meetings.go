package site

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/web/view"
)

// blankRows is how many empty rows an editable table offers for additions.
const blankRows = 3

func (s *Server) secretariatHome(w http.ResponseWriter, r *http.Request) {
	ms, err := s.db.Meetings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gs, err := s.db.StudyGroups(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.SecretariatHome(s.page(r, s.translator(r).T("nav.secretariat")), ms, gs))
}

// meetingEditData loads what the meeting form needs; d is nil for a new meeting.
func (s *Server) meetingEditData(r *http.Request, d *domain.MeetingDetail) (view.MeetingEdit, error) {
	gs, err := s.db.StudyGroups(r.Context())
	if err != nil {
		return view.MeetingEdit{}, err
	}
	e := view.MeetingEdit{StudyGroups: gs, Langs: s.cat.Langs(), Copy: view.NewForm()}
	first := s.opts.Now()
	if d != nil {
		e.ID, e.Slug = d.ID, d.Slug
		e.WorkingParties, e.Questions = d.WorkingParties, d.Questions
		first = d.FirstDay
		e.Main = mainFormOf(d, e.Langs)
		e.Sessions = sessionsFormOf(d)
		e.Desk = deskFormOf(d)
		e.Colocated = colocatedFormOf(d, e.Langs)
		e.Agenda = agendaFormOf(d, e.Langs)
		e.WorkItems = workItemsFormOf(d, e.Langs)
		e.State = view.MeetingStateView{ID: d.ID, Slug: d.Slug, State: d.StateAt(s.opts.Now()), Missing: domain.PublishMissing(*d),
			Opens: d.RegistrationOpens, PublishedAt: d.PublishedAt}
	} else {
		e.Main = view.NewForm()
		e.Main.Values["time_zone"] = "Europe/Zurich"
		e.Main.Values["languages"] = "en"
		e.Main.Values["paperless"] = "on"
		if len(gs) > 0 {
			e.Main.Values["study_group_id"] = strconv.FormatInt(gs[0].ID, 10)
		}
	}
	e.Defaults = domain.Deadlines(first, nil)
	return e, nil
}

func (s *Server) meetingNewForm(w http.ResponseWriter, r *http.Request) {
	e, err := s.meetingEditData(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.MeetingEditPage(s.page(r, s.translator(r).T("sec.new_meeting")), e))
}

func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) {
	t := s.translator(r)
	in, f, ok := s.parseMeetingForm(w, r, t)
	if ok {
		id, err := s.db.CreateMeeting(r.Context(), auditOf(r), actorOf(r), in)
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
	e, err := s.meetingEditData(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e.Main = f
	s.render(w, r, http.StatusUnprocessableEntity, view.MeetingEditPage(s.page(r, t.T("sec.new_meeting")), e))
}

// meetingForEdit loads the meeting named by the {id} in the URL.
func (s *Server) meetingForEdit(r *http.Request) (*domain.MeetingDetail, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	return s.db.MeetingDetailByID(r.Context(), id)
}

func (s *Server) meetingEditForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.meetingEditData(r, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, view.MeetingEditPage(s.page(r, s.translator(r).T("sec.edit_meeting", "Slug", d.Slug)), e))
}

// showMeetingEdit renders the edit page with one section replaced by the refused form.
func (s *Server) showMeetingEdit(w http.ResponseWriter, r *http.Request, d *domain.MeetingDetail, set func(*view.MeetingEdit)) {
	e, err := s.meetingEditData(r, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set(&e)
	s.render(w, r, http.StatusUnprocessableEntity, view.MeetingEditPage(s.page(r, s.translator(r).T("sec.edit_meeting", "Slug", d.Slug)), e))
}

func (s *Server) meetingUpdate(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	in, f, ok := s.parseMeetingForm(w, r, t)
	if ok {
		err := s.db.UpdateMeeting(r.Context(), auditOf(r), actorOf(r), d.ID, in)
		if err == nil {
			s.flash(r, "sec.saved")
			http.Redirect(w, r, fmt.Sprintf("/secretariat/meetings/%d", d.ID), http.StatusSeeOther)
			return
		}
		if !applyDomainError(t, err, &f) {
			s.fail(w, r, err)
			return
		}
	}
	s.showMeetingEdit(w, r, d, func(e *view.MeetingEdit) { e.Main = f })
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
	DeskPlace      string   `form:"desk_place" validate:"max=200"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parseMeetingForm reads and checks the main meeting form, with its translated fields (one per
// language of the interface) and its deadlines.
func (s *Server) parseMeetingForm(w http.ResponseWriter, r *http.Request, t *i18n.Translator) (postgres.MeetingInput, view.Form, bool) {
	var mf meetingFields
	f, err := decodeForm(w, r, &mf)
	if err != nil {
		f.Summary = t.T("error.bad_form")
		return postgres.MeetingInput{}, f, false
	}
	s.check(t, &mf, &f)
	in := postgres.MeetingInput{
		Slug: strings.ToLower(mf.Slug), StudyGroupID: mf.StudyGroupID, City: mf.City, Venue: mf.Venue,
		TimeZone: mf.TimeZone, Languages: mf.Languages, Interpretation: mf.Interpretation,
		Fellowships: mf.Fellowships, Paperless: mf.Paperless, RemoteTool: mf.RemoteTool, RemoteLink: mf.RemoteLink,
		ApprovedBy: mf.ApprovedBy, DeskPlace: mf.DeskPlace, Deadlines: map[domain.DeadlineKind]time.Time{},
	}
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
	texts := map[string]*domain.Text{"title": &in.Title, "remote_rules": &in.RemoteRules, "purpose": &in.Purpose,
		"room_allocation": &in.RoomAllocation, "practical_info": &in.PracticalInfo}
	for name, dst := range texts {
		*dst = domain.Text{}
		for _, l := range s.cat.Langs() {
			field := name + "-" + l.Tag
			v := strings.TrimSpace(r.PostForm.Get(field))
			f.Values[field] = r.PostForm.Get(field)
			limit := 300
			if name != "title" && name != "room_allocation" {
				limit = 10000
			}
			if runeLen(v) > limit {
				f.Errors[field] = t.N("validation.max", limit)
			}
			if v != "" {
				(*dst)[l.Tag] = v
			}
		}
	}
	if in.Title["en"] == "" {
		f.Errors["title-en"] = t.T("validation.required")
	}
	if v := strings.TrimSpace(r.PostForm.Get("registration_opens")); v != "" {
		f.Values["registration_opens"] = v
		if day, ok := parseDay(v); !ok {
			f.Errors["registration_opens"] = t.T("validation.date")
		} else if ok1 && day.After(first) {
			f.Errors["registration_opens"] = t.T("life.opens_after_start")
		} else {
			in.RegistrationOpens = &day
		}
	}
	for _, k := range domain.DeadlineKinds {
		field := "deadline-" + string(k)
		v := strings.TrimSpace(r.PostForm.Get(field))
		f.Values[field] = v
		if v == "" {
			continue
		}
		day, ok := parseDay(v)
		if !ok {
			f.Errors[field] = t.T("validation.date")
			continue
		}
		if ok1 && day.After(first) {
			f.Errors[field] = t.T("sec.deadline_after_start")
			continue
		}
		in.Deadlines[k] = day
	}
	return in, f, len(f.Errors) == 0
}

func (s *Server) meetingCopy(w http.ResponseWriter, r *http.Request) {
	d, err := s.meetingForEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	var in struct {
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
			id, err := s.db.CopyMeeting(r.Context(), auditOf(r), actorOf(r), d.ID, slug, first)
			if err == nil {
				s.flash(r, "sec.meeting_copied")
				http.Redirect(w, r, fmt.Sprintf("/secretariat/meetings/%d", id), http.StatusSeeOther)
				return
			}
			e, ok := domain.AsError(err)
			if !ok || e.Fields["slug"] == "" {
				s.fail(w, r, err)
				return
			}
			f.Errors["copy_slug"] = t.T(e.Fields["slug"])
		}
	}
	s.showMeetingEdit(w, r, d, func(e *view.MeetingEdit) { e.Copy = f })
}

// Forms filled from a meeting.

func mainFormOf(d *domain.MeetingDetail, langs []i18n.Lang) view.Form {
	f := view.NewForm()
	v := f.Values
	v["slug"], v["study_group_id"], v["city"], v["venue"], v["time_zone"] = d.Slug, strconv.FormatInt(d.StudyGroupID, 10), d.City, d.Venue, d.TimeZone
	v["first_day"], v["last_day"] = d.FirstDay.Format("2006-01-02"), d.LastDay.Format("2006-01-02")
	v["languages"] = strings.Join(d.Languages, ",")
	v["interpretation"], v["fellowships"], v["paperless"] = onOff(d.Interpretation), onOff(d.Fellowships), onOff(d.Paperless)
	v["remote_tool"], v["remote_link"], v["approved_by"], v["desk_place"] = d.RemoteTool, d.RemoteLink, d.ApprovedBy, d.DeskPlace
	for _, l := range langs {
		v["title-"+l.Tag] = d.Title[l.Tag]
		v["remote_rules-"+l.Tag] = d.RemoteRules[l.Tag]
		v["purpose-"+l.Tag] = d.Purpose[l.Tag]
		v["room_allocation-"+l.Tag] = d.RoomAllocation[l.Tag]
		v["practical_info-"+l.Tag] = d.PracticalInfo[l.Tag]
	}
	if d.RegistrationOpens != nil {
		v["registration_opens"] = d.RegistrationOpens.Format("2006-01-02")
	}
	for k, day := range d.Overrides {
		v["deadline-"+string(k)] = day.Format("2006-01-02")
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
		set("room", x.Room)
	}
	return f
}

func deskFormOf(d *domain.MeetingDetail) view.Form {
	f := rowForm(len(d.DeskOpenings))
	for i, x := range d.DeskOpenings {
		set := rowSetter(f, "d", i)
		set("id", strconv.FormatInt(x.ID, 10))
		set("day", x.OpensAt.Format("2006-01-02"))
		set("time", x.OpensAt.Format("15:04"))
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

// meetingPublish publishes a draft, or shows the editor with the list of what is missing.
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
	d, err := s.db.MeetingDetailByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showMeetingEdit(w, r, d, func(m *view.MeetingEdit) {
		if missing, ok := e.Args["Missing"].([]string); ok {
			m.State.Missing, m.State.Refused = missing, true
			return
		}
		m.Main.Summary = message(s.translator(r), e)
	})
}
