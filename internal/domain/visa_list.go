package domain

import "time"

// VisaLine is a visa request with the names the pages show beside it and its current letter.
type VisaLine struct {
	VisaRequest
	GivenName  string `db:"given_name"`
	FamilyName string `db:"family_name"`
	Email      string `db:"email"`
	OrgName    string `db:"org_name"`
	// OrgNames, OrgKind and OrgCountry name the organisation in other languages (view.OrgNameIn).
	OrgNames     Text   `db:"org_names"`
	OrgKind      string `db:"org_kind"`
	OrgCountry   string `db:"org_country"`
	MeetingSlug  string `db:"meeting_slug"`
	MeetingTitle Text   `db:"meeting_title"`
	TimeZone     string `db:"time_zone"`
	// Reference and IssuedOn are the current letter's, when one was issued.
	Reference *string    `db:"reference"`
	IssuedOn  *time.Time `db:"issued_on"`
}

// VisaQueue is the secretariat's list of a meeting's requests.
type VisaQueue struct {
	Lines []VisaLine
	// Counts per state of the selection, ignoring the state filter.
	Counts map[VisaState]int
	// Nationalities are the distinct nationalities of the meeting's requests, for the filter.
	Nationalities []string
}

// AccountName is the account holder's name (the passport's may be written differently).
func (l VisaLine) AccountName() string {
	return PersonName(l.GivenName, l.FamilyName, AutoOrder)
}

// Location is the meeting's time zone, where due days end.
func (l VisaLine) Location() *time.Location { return Meeting{TimeZone: l.TimeZone}.Location() }

// LetterCheck is what the public verification page shows about a letter: nothing more than the
// holder's name, the meeting, its dates and the issue date, and whether it still holds.
type LetterCheck struct {
	Status       LetterStatus
	Reference    string
	HolderName   string
	MeetingTitle Text
	City         Text
	FirstDay     time.Time
	LastDay      time.Time
	IssuedOn     time.Time
	// Current is the reference of the revision that replaced a superseded letter.
	Current string
}
