package view

import (
	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// CheckInListsData is the secretariat's page of a meeting's check-in lists: each with who is
// inside now, and the form adding a list (or, on a list's own page, changing it).
type CheckInListsData struct {
	Lists []CheckInListRow
	// Form is the add form, or the edit form when Edit is set.
	Form Form
	// Scopes are the add form's choices: a room, or a co-located event without a list yet.
	Scopes []Option
	Langs  []i18n.Lang
	// Edit is the list changed on its own page (nil on the lists' page).
	Edit *CheckInListRow
}

// CheckInListRow is one list as the page shows it.
type CheckInListRow struct {
	ID int64
	// Name is the list's name in the reader's language (or its fallback), Lang its tag.
	Name, Lang string
	Kind       domain.CheckInListKind
	// Scope says what the list counts: the meeting's entry, a room, or which co-located event.
	Scope      string
	MultiEntry bool
	Exits      bool
	Figures    domain.ListFigures
}

// CheckInListHref is the address of a list's page (0: the lists' page).
func CheckInListHref(meetingID, listID int64) string {
	base := SectionHref(meetingID, "check-in-lists")
	if listID == 0 {
		return base
	}
	return base + "/" + i64(listID)
}
