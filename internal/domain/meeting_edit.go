package domain

import (
	"maps"
	"slices"
	"time"
)

// The sections of the meeting editor: each is saved on its own, with its own version.
const (
	SectionDetails   = "details"
	SectionDeadlines = "deadlines"
	SectionSessions  = "sessions"
	SectionDesk      = "desk"
	SectionColocated = "colocated"
	SectionAgenda    = "agenda"
	SectionWorkItems = "work_items"
)

// Sections lists the editor's sections in the order a person meets them.
var Sections = []string{SectionDetails, SectionDeadlines, SectionSessions, SectionDesk, SectionColocated, SectionAgenda, SectionWorkItems}

// SectionVersion is the number of saves of a section so far.
func (m Meeting) SectionVersion(section string) int64 { return m.SectionVersions[section] }

// CheckSectionVersion refuses a save made over a version of the section that is no longer the
// current one: someone saved it meanwhile.
func CheckSectionVersion(m Meeting, section string, version int64) error {
	if m.SectionVersion(section) != version {
		return Errorf(Conflict, "error.section_stale")
	}
	return nil
}

// MeetingFields are the fields of the details section.
type MeetingFields struct {
	Slug           string
	StudyGroupID   int64
	Title          Text
	City           Text
	Venue          Text
	TimeZone       string
	FirstDay       time.Time
	LastDay        time.Time
	Languages      []string
	Interpretation bool
	Fellowships    bool
	Paperless      bool
	RemoteTool     string
	RemoteLink     string
	RemoteRules    Text
	Purpose        Text
	ApprovedBy     Text
	RoomAllocation Text
	PracticalInfo  Text
}

// FieldsOf returns the details section of m.
func FieldsOf(m Meeting) MeetingFields {
	return MeetingFields{Slug: m.Slug, StudyGroupID: m.StudyGroupID, Title: m.Title, City: m.City, Venue: m.Venue, TimeZone: m.TimeZone,
		FirstDay: m.FirstDay, LastDay: m.LastDay, Languages: m.Languages, Interpretation: m.Interpretation, Fellowships: m.Fellowships,
		Paperless: m.Paperless, RemoteTool: m.RemoteTool, RemoteLink: m.RemoteLink, RemoteRules: m.RemoteRules, Purpose: m.Purpose,
		ApprovedBy: m.ApprovedBy, RoomAllocation: m.RoomAllocation, PracticalInfo: m.PracticalInfo}
}

func sameText(a, b Text) bool {
	return maps.EqualFunc(a, b, func(x, y string) bool { return x == y }) || (len(a) == 0 && len(b) == 0)
}

// Changed lists the fields of f that differ from old, by form name, in form order.
func (f MeetingFields) Changed(old MeetingFields) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("slug", f.Slug != old.Slug)
	add("study_group_id", f.StudyGroupID != old.StudyGroupID)
	add("title", !sameText(f.Title, old.Title))
	add("city", !sameText(f.City, old.City))
	add("venue", !sameText(f.Venue, old.Venue))
	add("time_zone", f.TimeZone != old.TimeZone)
	add("first_day", !f.FirstDay.Equal(old.FirstDay))
	add("last_day", !f.LastDay.Equal(old.LastDay))
	add("languages", !slices.Equal(f.Languages, old.Languages))
	add("interpretation", f.Interpretation != old.Interpretation)
	add("fellowships", f.Fellowships != old.Fellowships)
	add("paperless", f.Paperless != old.Paperless)
	add("remote_tool", f.RemoteTool != old.RemoteTool)
	add("remote_link", f.RemoteLink != old.RemoteLink)
	add("remote_rules", !sameText(f.RemoteRules, old.RemoteRules))
	add("purpose", !sameText(f.Purpose, old.Purpose))
	add("approved_by", !sameText(f.ApprovedBy, old.ApprovedBy))
	add("room_allocation", !sameText(f.RoomAllocation, old.RoomAllocation))
	add("practical_info", !sameText(f.PracticalInfo, old.PracticalInfo))
	return out
}

// ReviewAfter is what stays "to review" after a save of the details that changed the fields
// changed and in which the person confirmed having read the fields confirmed: a text edited or
// confirmed is no longer to review.
func ReviewAfter(review, changed, confirmed []string) []string {
	out := []string{}
	for _, f := range review {
		if !slices.Contains(changed, f) && !slices.Contains(confirmed, f) {
			out = append(out, f)
		}
	}
	return out
}

// RowEdit is one row of a list the secretariat edits in one form: ID 0 adds the row, Delete
// removes it, anything else updates it.
type RowEdit[T any] struct {
	ID     int64
	Delete bool
	Value  T
}

// RowCounts says what a save of a list did.
type RowCounts struct {
	Added, Changed, Removed int
}

// Any reports whether anything changed.
func (c RowCounts) Any() bool { return c.Added+c.Changed+c.Removed > 0 }

// Effective drops from edits the updates that change nothing (same as the row in current, by
// id, compared by same) and counts what remains. An update or removal of a row that is not in
// current is kept: the store refuses it (someone removed the row meanwhile).
func Effective[T any](edits []RowEdit[T], current map[int64]T, same func(a, b T) bool) ([]RowEdit[T], RowCounts) {
	var out []RowEdit[T]
	var c RowCounts
	for _, e := range edits {
		switch {
		case e.ID == 0 && e.Delete:
			continue
		case e.ID == 0:
			c.Added++
		case e.Delete:
			c.Removed++
		default:
			if cur, ok := current[e.ID]; ok && same(cur, e.Value) {
				continue
			}
			c.Changed++
		}
		out = append(out, e)
	}
	return out, c
}

func sameTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// SameSession reports whether two sessions have the same values (ids aside).
func SameSession(a, b Session) bool {
	return a.WorkingPartyID == b.WorkingPartyID && a.StartsAt.Equal(b.StartsAt) && sameTimePtr(a.EndsAt, b.EndsAt) && sameText(a.Room, b.Room)
}

// SameDeskOpening reports whether two desk openings are at the same time.
func SameDeskOpening(a, b DeskOpening) bool {
	return a.OpensAt.Equal(b.OpensAt) && sameTimePtr(a.ClosesAt, b.ClosesAt)
}

// SameColocatedEvent reports whether two co-located events have the same values.
func SameColocatedEvent(a, b ColocatedEvent) bool {
	return sameText(a.Title, b.Title) && a.FirstDay.Equal(b.FirstDay) && a.LastDay.Equal(b.LastDay) && a.URL == b.URL
}

// SameAgendaItem reports whether two agenda items have the same values.
func SameAgendaItem(a, b AgendaItem) bool {
	sameHolds := (a.Holds == nil && b.Holds == nil) || (a.Holds != nil && b.Holds != nil && *a.Holds == *b.Holds)
	return a.WorkingPartyID == b.WorkingPartyID && a.Position == b.Position && sameText(a.Title, b.Title) && sameHolds
}

// SameWorkItem reports whether two work items have the same values.
func SameWorkItem(a, b WorkItem) bool {
	return a.WorkingPartyID == b.WorkingPartyID && a.QuestionID == b.QuestionID && a.Acronym == b.Acronym && sameText(a.Title, b.Title) &&
		a.Kind == b.Kind && a.Action == b.Action && a.Position == b.Position
}

// ByID indexes rows by their ids.
func ByID[T any](rows []T, id func(T) int64) map[int64]T {
	out := make(map[int64]T, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out
}
