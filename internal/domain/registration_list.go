package domain

import "time"

// RegistrationLine is a registration with the names a list shows beside it.
type RegistrationLine struct {
	Registration
	GivenName  string `db:"given_name"`
	FamilyName string `db:"family_name"`
	Email      string `db:"email"`
	Gender     Gender `db:"gender"`
	OrgName    string `db:"org_name"`
	// OrgNames are the organisation's name's translations (Organisation.Names).
	OrgNames     Text   `db:"org_names"`
	OrgKind      string `db:"org_kind"`
	Country      string `db:"country"`
	MeetingSlug  string `db:"meeting_slug"`
	MeetingTitle Text   `db:"meeting_title"`
	// MeetingFirstDay and MeetingLastDay are the meeting's dates.
	MeetingFirstDay time.Time `db:"meeting_first_day"`
	MeetingLastDay  time.Time `db:"meeting_last_day"`
	// MeetingTimeZone is the meeting's IANA time zone: its times are shown in it.
	MeetingTimeZone string  `db:"meeting_time_zone"`
	DeciderName     *string `db:"decider_name"`
	// CancellerName names who cancelled it, when that was not its owner.
	CancellerName *string `db:"canceller_name"`
	// DisplayName is the delegate's name in the order they give it (accounts.display_name).
	DisplayName string `db:"display_name"`
	// EmailVerified says the delegate showed their email is theirs (a focal point sees when not).
	EmailVerified bool `db:"email_verified"`
}

// Breakdown counts live registrations by one attribute.
type Breakdown struct {
	Key   string `db:"key"`
	Count int    `db:"count"`
}

// Statistics are the counts of a selection's live registrations.
type Statistics struct {
	ByMode, ByGender, ByOrgKind, ByCountry []Breakdown
	ByModeGender                           map[string]map[string]int
}

// Name is the delegate's full name, in the order they give it.
func (l RegistrationLine) Name() string {
	if l.DisplayName != "" {
		return l.DisplayName
	}
	return PersonName(l.GivenName, l.FamilyName, AutoOrder)
}

// RegistrationFilter selects registrations for the focal point's and the secretariat's lists.
// OrganisationIDs, when set, restricts the list to those organisations; the store narrows it to
// what the actor may see (RegistrationScope).
type RegistrationFilter struct {
	OrganisationIDs []int64
	MeetingID       int64
	OrganisationID  int64
	State           State
	Mode            Mode
	Query           string
	// UpdatedBefore, when set, keeps the registrations last changed at or before it: "approve
	// all" shows and approves those the list showed, not one that arrived since.
	UpdatedBefore time.Time
	// Sort is the list's order: "" (pending first, then the newest meeting, then by name),
	// "name", "date" (newest registration first) or "state" (pending, approved, rejected,
	// cancelled, then by name). Every order ends with the id, so that pages never overlap.
	Sort          string
	Limit, Offset int
}

// RegistrationPage is one page of a list and the counts of the whole selection.
type RegistrationPage struct {
	Lines []RegistrationLine
	// Counts per state of the selection (ignoring the state filter).
	Counts map[State]int
	// Total is the number of lines matching every filter.
	Total int
}
