package view

import (
	"net/url"
	"strconv"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// ListQuery is the filter of a list of registrations, as the query string carries it.
type ListQuery struct {
	MeetingID      int64
	OrganisationID int64
	State          string
	Mode           string
	Q              string
	// Sort is one of Sorts: "" (pending first), "name", "date" (newest first), "state".
	Sort string
	Page int
}

// Sorts are the orders a list offers.
var Sorts = []string{"", "name", "date", "state"}

// Values returns the query's parameters; page 1 is left out.
func (q ListQuery) Values() url.Values {
	v := url.Values{}
	if q.MeetingID != 0 {
		v.Set("meeting", i64(q.MeetingID))
	}
	if q.OrganisationID != 0 {
		v.Set("organisation", i64(q.OrganisationID))
	}
	if q.State != "" {
		v.Set("state", q.State)
	}
	if q.Mode != "" {
		v.Set("mode", q.Mode)
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

// Encode returns the query string, without "?".
func (q ListQuery) Encode() string { return q.Values().Encode() }

// URL returns base with the query.
func (q ListQuery) URL(base string) string {
	if s := q.Encode(); s != "" {
		return base + "?" + s
	}
	return base
}

// WithPage returns the query on page n.
func (q ListQuery) WithPage(n int) ListQuery { q.Page = n; return q }

// WithState returns the query restricted to one state (all states for ""), on its first page.
func (q ListQuery) WithState(s string) ListQuery { q.State = s; q.Page = 0; return q }

// Filtered reports whether anything narrows the list.
func (q ListQuery) Filtered() bool {
	return q.MeetingID != 0 || q.OrganisationID != 0 || q.State != "" || q.Mode != "" || q.Q != ""
}

// RegistrationList is one page of registrations with its filter and the actions on them; the
// focal point's page and the secretariat's show it alike.
type RegistrationList struct {
	// Base is the list's address; actions post to Base + "/decide".
	Base  string
	Query ListQuery
	Lines []RegistrationRow
	// Counts per state of the selection, whatever the state filter.
	Counts  map[domain.State]int
	Total   int
	PerPage int
	// Meetings and Organisations are the choices of those filters; nil hides the filter.
	Meetings      []Option
	Organisations []Option
	// Decide is a refused decision, shown again with its messages.
	Decide Form
	// AsOf is when the list was read; "approve all" approves only what was pending then.
	AsOf string
	// Exports is the address of the exports, without the extension.
	Exports string
}

// RegistrationRow is one registration of a list, as its row (or, on a phone, its card) shows it.
type RegistrationRow struct {
	ID    int64
	Name  string
	Email string
	// EmailVerified is false while the delegate has not shown the email is theirs.
	EmailVerified bool
	Organisation  string
	// MeetingTitle is in the page's language.
	MeetingTitle    string
	MeetingFirstDay time.Time
	MeetingLastDay  time.Time
	Mode            domain.Mode
	State           domain.State
	Late            bool
	// CreatedAt is in the meeting's time zone.
	CreatedAt time.Time
	// DecidedBy names who approved or rejected it ("" if nobody or not shown).
	DecidedBy string
	// CancelledByOwner is true when the delegate cancelled it; CancelledBy otherwise names who did.
	CancelledByOwner bool
	CancelledBy      string
	Reason           string
	// Visa is the state of its visa request, "" when none (or not the viewer's to see).
	Visa domain.VisaState
	// PhotoURL is its photo for the badge, "" when it has none.
	PhotoURL string
}

// Pages is the number of pages.
func (l RegistrationList) Pages() int {
	if l.PerPage <= 0 || l.Total == 0 {
		return 1
	}
	return (l.Total + l.PerPage - 1) / l.PerPage
}

// Page is the current page number.
func (l RegistrationList) Page() int { return max(l.Query.Page, 1) }

// First and Last are the positions of the page's first and last line in the selection.
func (l RegistrationList) First() int { return (l.Page()-1)*l.PerPage + 1 }

// Last is the position of the page's last line.
func (l RegistrationList) Last() int { return l.First() + len(l.Lines) - 1 }

// Pending is the number of pending registrations matching the filter (its state aside).
func (l RegistrationList) Pending() int { return l.Counts[domain.Pending] }

// AllStates counts the whole selection.
func (l RegistrationList) AllStates() int {
	n := 0
	for _, c := range l.Counts {
		n += c
	}
	return n
}

// Here is the list's own address with its query, where actions return.
func (l RegistrationList) Here() string { return l.Query.URL(l.Base) }

// HasPending reports whether the page shows a pending registration.
func (l RegistrationList) HasPending() bool {
	for _, x := range l.Lines {
		if x.State == domain.Pending {
			return true
		}
	}
	return false
}

// ExportURL returns the address of an export (ext "csv" or "xlsx") of the filtered list.
func (l RegistrationList) ExportURL(ext string) string {
	q := l.Query
	q.Page = 0
	return q.URL(l.Exports + "." + ext)
}

// OrgSummary is an organisation a focal point acts for.
type OrgSummary struct {
	ID           int64
	Name         string
	AutoApproval bool
}

// Composition is a delegation's make-up: live registrations by mode and gender.
type Composition struct {
	// Cells maps mode, then gender, to a count.
	Cells map[string]map[string]int
}

// Cell returns the count for a mode and a gender.
func (c Composition) Cell(mode domain.Mode, g domain.Gender) int {
	return c.Cells[string(mode)][string(g)]
}

// RowTotal returns the count for a mode.
func (c Composition) RowTotal(mode domain.Mode) int {
	n := 0
	for _, v := range c.Cells[string(mode)] {
		n += v
	}
	return n
}

// ColTotal returns the count for a gender.
func (c Composition) ColTotal(g domain.Gender) int {
	n := 0
	for _, m := range c.Cells {
		n += m[string(g)]
	}
	return n
}

// Total is the number of live registrations.
func (c Composition) Total() int {
	n := 0
	for _, m := range c.Cells {
		for _, v := range m {
			n += v
		}
	}
	return n
}

// compositionGenders are the columns of a composition: women, men, not stated.
var compositionGenders = []domain.Gender{domain.Female, domain.Male, domain.NotStated}

// compositionModes are its rows.
var compositionModes = []domain.Mode{domain.InPerson, domain.Remote}

// FocalData is what the focal point's page shows.
type FocalData struct {
	List          RegistrationList
	Organisations []OrgSummary
	// Meeting is the meeting chosen in the filter, if any, and Composition its delegation.
	Meeting     *domain.MeetingSummary
	Composition Composition
	// Mail is the form of how the focal point is told of new requests: "mail" is "each" or
	// "daily", "digest_at" the digest's time of day.
	Mail Form
}

// SecRegistrationsData is what the secretariat's list of a meeting's registrations shows.
type SecRegistrationsData struct {
	Meeting *domain.MeetingDetail
	List    RegistrationList
	Stats   domain.Statistics
}

// RegisterOnBehalfData is the form to register someone else.
type RegisterOnBehalfData struct {
	// Back is the list the page belongs to.
	Back string
	// Choose is the first step: the meeting (focal point) or the person (secretariat).
	Meetings       []Option
	Organisations  []Option
	Colleagues     []Option
	MeetingID      int64
	OrganisationID int64
	// Secretariat: the search and the chosen account.
	Search     string
	Found      []domain.AccountRef
	Searched   bool
	Account    *domain.AccountRef
	AccountOrg *domain.Organisation
	Meeting    *domain.MeetingDetail
	Fields     domain.FieldsFor
	// Closed explains why no form is offered, already translated.
	Closed string
	// Late says the registration will be marked late.
	Late bool
	Form Form
}

// ParticipantGroup is one organisation of the list of participants.
type ParticipantGroup struct {
	Organisation string
	Country      string
	Lines        []domain.RegistrationLine
}

// GroupParticipants groups a list ordered by organisation, each named in t's language.
func GroupParticipants(t *i18n.Translator, lines []domain.RegistrationLine) []ParticipantGroup {
	var out []ParticipantGroup
	for i, l := range lines {
		if n := len(out); n == 0 || lines[i-1].OrganisationID != l.OrganisationID {
			out = append(out, ParticipantGroup{Organisation: LineOrg(t, l), Country: l.Country})
		}
		out[len(out)-1].Lines = append(out[len(out)-1].Lines, l)
	}
	return out
}

// ParticipantsData is the printable list of participants of a meeting.
type ParticipantsData struct {
	Meeting *domain.MeetingDetail
	Groups  []ParticipantGroup
	Count   int
	// Basis is what the list is made from: the registrations or the check-ins.
	Basis domain.ParticipantBasis
}

// ParticipantBases are the bases the list can be made on, in the order offered.
var ParticipantBases = []domain.ParticipantBasis{domain.BasisRegistered, domain.BasisCheckedIn}

// basisLabel names a basis of the list of participants.
func basisLabel(t *i18n.Translator, b domain.ParticipantBasis) string {
	if b == domain.BasisCheckedIn {
		return t.T("participants.basis_checked_in")
	}
	return t.T("participants.basis_registered")
}

func stateOptions(t *i18n.Translator) []Option {
	out := []Option{{"", t.T("lists.any_state")}}
	for _, s := range domain.States {
		out = append(out, Option{string(s), t.T("state." + string(s))})
	}
	return out
}

func listSortOptions(t *i18n.Translator) []Option {
	out := make([]Option, 0, len(Sorts))
	for _, s := range Sorts {
		key := "sort.default"
		if s != "" {
			key = "sort." + s
		}
		out = append(out, Option{s, t.T(key)})
	}
	return out
}

func modeOptions(t *i18n.Translator) []Option {
	return []Option{{"", t.T("lists.any_mode")}, {string(domain.InPerson), t.T("mode.in_person")}, {string(domain.Remote), t.T("mode.remote")}}
}

// breakdownLabel names a key of a breakdown of statistics.
func breakdownLabel(t *i18n.Translator, kind, key string) string {
	switch kind {
	case "mode":
		return t.T("mode." + key)
	case "gender":
		return t.T("gender." + key)
	case "kind":
		return t.T("org." + key)
	}
	if key == "" {
		return t.T("lists.no_country")
	}
	return t.Country(key)
}

// sumBreakdown is the total of a breakdown.
func sumBreakdown(b []domain.Breakdown) int {
	n := 0
	for _, x := range b {
		n += x.Count
	}
	return n
}

// listQueryValue is a ListQuery field as a form value.
func listQueryValue(n int64) string {
	if n == 0 {
		return ""
	}
	return i64(n)
}

// form builds the filter form's values from the query.
func (q ListQuery) form() Form {
	f := NewForm()
	f.Values["meeting"] = listQueryValue(q.MeetingID)
	f.Values["organisation"] = listQueryValue(q.OrganisationID)
	f.Values["state"] = q.State
	f.Values["mode"] = q.Mode
	f.Values["q"] = q.Q
	f.Values["sort"] = q.Sort
	return f
}
