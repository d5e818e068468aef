package site

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/service"
	"plenary/web/view"
)

// perPage is the number of registrations a list shows at once.
const perPage = 100

// maxQuery bounds the search text of a list.
const maxQuery = 200

// parseListQuery reads a list's filter from query parameters; a value that is not one the list
// knows is dropped rather than refused, as a bookmark may outlive a meeting.
func parseListQuery(v url.Values) view.ListQuery {
	q := view.ListQuery{Q: strings.TrimSpace(v.Get("q"))}
	if r := []rune(q.Q); len(r) > maxQuery {
		q.Q = string(r[:maxQuery])
	}
	q.MeetingID = positiveID(v.Get("meeting"))
	q.OrganisationID = positiveID(v.Get("organisation"))
	if s := domain.State(v.Get("state")); s.Valid() {
		q.State = string(s)
	}
	if m := domain.Mode(v.Get("mode")); m.Valid() {
		q.Mode = string(m)
	}
	if s := v.Get("sort"); slices.Contains(view.Sorts, s) {
		q.Sort = s
	}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		q.Page = n
	}
	return q
}

func positiveID(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// listScope is whose registrations a list shows and where its actions go.
type listScope struct {
	base    string
	exports string
	// fixed is the part of the filter the user cannot change: a focal point's organisations, or
	// the secretariat's meeting.
	fixed domain.RegistrationFilter
}

// focalScope is the focal point's list; the store narrows it to their organisations.
func focalScope(domain.Actor) listScope {
	return listScope{base: "/focal", exports: "/focal/export"}
}

func meetingScope(meetingID int64) listScope {
	base := "/secretariat/meetings/" + strconv.FormatInt(meetingID, 10) + "/registrations"
	return listScope{base: base, exports: base + "/export", fixed: domain.RegistrationFilter{MeetingID: meetingID}}
}

// filter is the store's filter for a query, without paging.
func (sc listScope) filter(q view.ListQuery) domain.RegistrationFilter {
	f := sc.fixed
	if f.MeetingID == 0 {
		f.MeetingID = q.MeetingID
	}
	f.OrganisationID = q.OrganisationID
	f.State = domain.State(q.State)
	f.Mode = domain.Mode(q.Mode)
	f.Query = q.Q
	f.Sort = q.Sort
	return f
}

// pageFilter is the store's filter for the page of a list a query asks.
func (sc listScope) pageFilter(q view.ListQuery) domain.RegistrationFilter {
	f := sc.filter(q)
	f.Limit = perPage
	f.Offset = (max(q.Page, 1) - 1) * perPage
	return f
}

// listAsOf is the time a list is read at, taken before reading: "approve all" approves only
// what the page could have shown.
func (s *Server) listAsOf() string { return s.opts.Now().UTC().Format(time.RFC3339Nano) }

// loadList reads one page of a list.
func (s *Server) loadList(r *http.Request, sc listScope, q view.ListQuery) (view.RegistrationList, error) {
	asOf := s.listAsOf()
	page, err := s.svc.Registrations.List(r.Context(), actorOf(r), sc.pageFilter(q))
	if err != nil {
		return view.RegistrationList{}, err
	}
	return s.listView(r, sc, q, page, asOf), nil
}

// listView is the view of one page of a list read at asOf.
func (s *Server) listView(r *http.Request, sc listScope, q view.ListQuery, page service.RegistrationList, asOf string) view.RegistrationList {
	t := s.translator(r)
	rows := make([]view.RegistrationRow, len(page.Lines))
	for i, l := range page.Lines {
		rows[i] = registrationRow(t, l, page.Visas[l.ID])
		if at, ok := page.Photos[l.ID]; ok {
			rows[i].PhotoURL = photoURLAt(l.ID, at)
		}
	}
	return view.RegistrationList{
		Base: sc.base, Exports: sc.exports, Query: q, Lines: rows, Counts: page.Counts, Total: page.Total,
		PerPage: perPage, Decide: view.NewForm(), AsOf: asOf,
	}
}

// registrationRow is what a list shows of a registration, in the page's language.
func registrationRow(t *i18n.Translator, l domain.RegistrationLine, visa domain.VisaState) view.RegistrationRow {
	lang := t.Lang.Tag
	row := view.RegistrationRow{
		ID: l.ID, Name: l.Name(), Email: l.Email, EmailVerified: l.EmailVerified, Organisation: view.LineOrg(t, l),
		MeetingTitle: l.MeetingTitle.In(lang), MeetingFirstDay: l.MeetingFirstDay, MeetingLastDay: l.MeetingLastDay,
		Mode: l.Mode, State: l.State, Late: l.Late, CreatedAt: l.CreatedAt.In(domain.Location(l.MeetingTimeZone)), Reason: l.Reason, Visa: visa,
		CancelledByOwner: l.CancelledByOwner(),
	}
	// Who decided is not shown once the registration is cancelled: who cancelled it is.
	if l.DeciderName != nil && l.State != domain.Pending && l.State != domain.Cancelled {
		row.DecidedBy = *l.DeciderName
	}
	if l.State == domain.Cancelled && !row.CancelledByOwner && l.CancellerName != nil {
		row.CancelledBy = *l.CancellerName
	}
	return row
}

// decideFields is a decision posted from a list: approve the ticked registrations (or the one
// whose own button was pressed), approve every pending one the list's filter matches, or reject
// one with a reason.
type decideFields struct {
	Action string   `form:"action" validate:"required,oneof=approve reject approve_all"`
	IDs    []string `form:"id"`
	Only   string   `form:"only"`
	Reason string   `form:"reason"`
	Back   string   `form:"back" validate:"max=2000"`
	AsOf   string   `form:"as_of"`
	// Confirm is "yes" from the question before "approve all".
	Confirm string `form:"confirm"`
}

// decide handles a decision posted from a list of scope sc; show renders the list again with a
// refused decision's messages.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, sc listScope, show func(status int, q view.ListQuery, f view.Form)) {
	var in decideFields
	f, err := decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := s.translator(r)
	back, err := url.ParseQuery(in.Back)
	if err != nil {
		back = url.Values{}
	}
	q := parseListQuery(back)
	if !s.check(t, &in, &f) {
		s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
		return
	}
	var ids []int64
	approve := in.Action != "reject"
	switch in.Action {
	case "approve":
		raw := in.IDs
		if in.Only != "" {
			raw = []string{in.Only}
		}
		if ids, err = parseIDs(raw); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(ids) == 0 {
			f.Summary = t.T("lists.select_some")
			show(http.StatusUnprocessableEntity, q, f)
			return
		}
	case "reject":
		if ids, err = parseIDs(in.IDs); err != nil || len(ids) != 1 {
			s.fail(w, r, domain.Errorf(domain.Invalid, "error.bad_form"))
			return
		}
		field := "reason-" + strconv.FormatInt(ids[0], 10)
		f.Values[field] = f.Values["reason"]
		// The id is the rejection's, not a ticked box of the list shown again.
		delete(f.Values, "id")
		f.Order = append(f.Order, field)
		// A missing or too long reason is the domain's to refuse; its message is shown beside
		// the field below.
	case "approve_all":
		if in.Confirm != "yes" {
			// Not confirmed: the question, which names them, first.
			http.Redirect(w, r, q.WithPage(0).URL(sc.base+"/approve-all"), http.StatusSeeOther)
			return
		}
		asOf, err := time.Parse(time.RFC3339Nano, in.AsOf)
		if err != nil {
			asOf = s.opts.Now()
		}
		if ids, err = s.svc.Registrations.PendingIDs(r.Context(), actorOf(r), sc.filter(q), asOf); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(ids) == 0 {
			s.flash(r, "lists.nothing_pending")
			http.Redirect(w, r, q.URL(sc.base), http.StatusSeeOther)
			return
		}
	}
	res, err := s.svc.Registrations.Decide(r.Context(), auditOf(r), actorOf(r), ids, approve, in.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !approve {
		// A reason the domain refuses is shown beside the field, like a missing one.
		if e, ok := domain.AsError(res.Refused[ids[0]]); ok && len(e.Fields) > 0 {
			field := "reason-" + strconv.FormatInt(ids[0], 10)
			f.Errors[field] = t.T(e.Fields["reason"])
			show(http.StatusUnprocessableEntity, q, f)
			return
		}
	}
	names, err := s.svc.Registrations.Names(r.Context(), actorOf(r), res.Done)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", decisionSummary(t, approve, res, names))
	http.Redirect(w, r, q.URL(sc.base), http.StatusSeeOther)
}

// parseIDs reads registration ids from a form; anything but a positive number is a bad form.
func parseIDs(raw []string) ([]int64, error) {
	ids := make([]int64, 0, len(raw))
	seen := make(map[int64]bool, len(raw))
	for _, v := range raw {
		id := positiveID(v)
		if id == 0 {
			return nil, domain.Errorf(domain.Invalid, "error.bad_form")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// decisionSummary is the flash message after a decision: how many changed and, for those that
// did not, why ("12 approved; 1 could not be: …"). A single refused registration gets its reason
// alone.
func decisionSummary(t *i18n.Translator, approve bool, res service.DecideResult, names []string) string {
	if len(res.Done) == 0 && len(res.Refused) == 1 {
		for _, err := range res.Refused {
			return errorMessage(t, err)
		}
	}
	key := "lists.approved_n"
	if !approve {
		key = "lists.rejected_n"
	}
	parts := []string{t.N(key, len(res.Done)) + decidedNames(t, names)}
	ids := make([]int64, 0, len(res.Refused))
	for id := range res.Refused {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var order []string
	count := map[string]int{}
	for _, id := range ids {
		m := errorMessage(t, res.Refused[id])
		if count[m] == 0 {
			order = append(order, m)
		}
		count[m]++
	}
	for _, m := range order {
		parts = append(parts, t.N("lists.refused_n", count[m], "Reason", m))
	}
	return strings.Join(parts, t.T("lists.summary_separator"))
}

// maxDecidedNames is how many names the message after a decision lists.
const maxDecidedNames = 50

// decidedNames lists who was decided (": Ana Lima, Bo Chen"), the first maxDecidedNames of
// them and how many more.
func decidedNames(t *i18n.Translator, names []string) string {
	if len(names) == 0 {
		return ""
	}
	shown := names[:min(len(names), maxDecidedNames)]
	list := strings.Join(shown, t.T("list.separator"))
	if more := len(names) - len(shown); more > 0 {
		list += t.T("list.separator") + t.N("decided.more", more)
	}
	return t.T("decided.names", "Names", list)
}

// errorMessage is a domain error in the user's language, the registration's state included.
func errorMessage(t *i18n.Translator, err error) string {
	e, ok := domain.AsError(err)
	if !ok || e.Code == domain.Internal {
		return t.T("error.internal")
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return t.T(e.Fields[keys[0]])
	}
	return message(t, e)
}

// meetingOptions are the choices of a meeting filter, newest first.
func meetingOptions(t *i18n.Translator, ms []domain.MeetingSummary, first view.Option) []view.Option {
	out := []view.Option{first}
	for _, m := range ms {
		out = append(out, view.Option{Value: strconv.FormatInt(m.ID, 10), Label: meetingLabel(t, m)})
	}
	return out
}

func meetingLabel(t *i18n.Translator, m domain.MeetingSummary) string {
	return m.Title.In(t.Lang.Tag) + t.Paren(t.DateRange(m.FirstDay, m.LastDay))
}

// onBehalfFields is a registration made for someone else.
type onBehalfFields struct {
	MeetingID      int64  `form:"meeting_id"`
	OrganisationID int64  `form:"organisation_id"`
	AccountID      int64  `form:"account_id" validate:"required"`
	Mode           string `form:"mode" validate:"required,oneof=in_person remote"`
	FunctionTitle  string `form:"function_title" validate:"max=200"`
	Interpretation bool   `form:"interpretation"`
	Fellowship     bool   `form:"fellowship"`
	Accessibility  string `form:"accessibility" validate:"max=2000"`
	ListConsent    bool   `form:"list_consent"`
}

func (in onBehalfFields) request() domain.RegistrationRequest {
	return domain.RegistrationRequest{
		Mode: domain.Mode(in.Mode), FunctionTitle: in.FunctionTitle, Interpretation: in.Interpretation,
		Fellowship: in.Fellowship, Accessibility: in.Accessibility, ListConsent: in.ListConsent,
	}
}

// parseOnBehalf reads and checks a registration made for someone else.
func (s *Server) parseOnBehalf(w http.ResponseWriter, r *http.Request) (onBehalfFields, view.Form, bool) {
	var in onBehalfFields
	f, err := decodeForm(w, r, &in)
	t := s.translator(r)
	if err != nil {
		f.Summary = t.T("error.bad_form")
		return in, f, false
	}
	ok := s.check(t, &in, &f)
	if f.Errors["mode"] != "" {
		f.Errors["mode"] = t.T("error.mode_required")
	}
	if f.Errors["account_id"] != "" {
		f.Errors["account_id"] = t.T("lists.colleague_required")
	}
	return in, f, ok
}

// registeredMessage is the flash message after registering someone.
func registeredMessage(t *i18n.Translator, name string, reg domain.Registration) string {
	msg := t.T("lists.registered_pending", "Name", name)
	if reg.State == domain.Approved {
		msg = t.T("lists.registered_approved", "Name", name)
	}
	if reg.Late {
		msg += " " + t.T("lists.registered_late")
	}
	return msg
}

// unshownFieldErrors moves the messages of questions the form does not ask (they did not apply,
// yet were sent) to the summary, which would otherwise link to nothing.
func unshownFieldErrors(f *view.Form, fields domain.FieldsFor) {
	shown := map[string]bool{"function_title": fields.FunctionTitle, "interpretation": fields.Interpretation, "fellowship": fields.Fellowship}
	for _, name := range []string{"function_title", "interpretation", "fellowship"} {
		if msg := f.Errors[name]; msg != "" && !shown[name] {
			delete(f.Errors, name)
			if f.Summary != "" {
				f.Summary += " "
			}
			f.Summary += msg
		}
	}
}
