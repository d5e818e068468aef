package view

import (
	"slices"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// MeetingEdit is everything a page of the meeting editor shows: the overview, one section, or
// the form of a new meeting (ID 0, Detail nil).
type MeetingEdit struct {
	ID     int64
	Slug   string
	Detail *domain.MeetingDetail
	// Section is the section shown ("" for the overview, "history" for the history).
	Section string
	// Version is the section's version the form was read at.
	Version        int64
	Archived       bool
	StudyGroups    []domain.StudyGroup
	WorkingParties []domain.WorkingParty
	Questions      []domain.Question
	Langs          []i18n.Lang
	// Defaults are the deadlines' default dates, shown as hints.
	Defaults  []domain.Deadline
	Main      Form
	Deadlines Form
	Sessions  Form
	Desk      Form
	Colocated Form
	Agenda    Form
	WorkItems Form
	Copy      Form
	// State is the meeting's life cycle panel (existing meetings only).
	State MeetingStateView
}

// ToReview reports whether a text of the details is marked "to review".
func (m MeetingEdit) ToReview(field string) bool {
	return m.Detail != nil && slices.Contains(m.Detail.Review, field)
}

// sectionPaths are the editor's sections' addresses under the meeting's.
var sectionPaths = map[string]string{
	domain.SectionDetails: "details", domain.SectionDeadlines: "deadlines", domain.SectionSessions: "sessions",
	domain.SectionDesk: "desk", domain.SectionColocated: "colocated", domain.SectionAgenda: "agenda",
	domain.SectionWorkItems: "work-items", "history": "history", "translations": "translations",
}

// SectionHref is the address of a section of the editor of meeting id ("" for the overview; the
// form of a new meeting for id 0).
func SectionHref(id int64, section string) string {
	if id == 0 {
		return "/secretariat/meetings/new"
	}
	base := "/secretariat/meetings/" + i64(id)
	if p, ok := sectionPaths[section]; ok {
		return base + "/" + p
	}
	return base
}

// SectionForm is the form of the section m shows, whose errors the page's summary lists.
func (m MeetingEdit) SectionForm() Form {
	switch m.Section {
	case "details":
		return m.Main
	case "deadlines":
		return m.Deadlines
	case "sessions":
		return m.Sessions
	case "desk":
		return m.Desk
	case "colocated":
		return m.Colocated
	case "agenda":
		return m.Agenda
	case "work_items":
		return m.WorkItems
	}
	return Form{}
}

// TextFieldName is the form field of a translated text in language tag: the name alone for
// English, name-<tag> for the others ("venue", "venue-zh").
func TextFieldName(name, tag string) string {
	if tag == "en" {
		return name
	}
	return name + "-" + tag
}
