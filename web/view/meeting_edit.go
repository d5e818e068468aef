package view

import (
	"slices"
	"strings"

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
	// EditLang is the language the section's texts are edited in ("en" or "": English, with
	// every other field; another: that language's translations alone).
	EditLang string
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
	"check-in-lists": "check-in-lists",
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

// Translating reports whether the section is shown for translating its texts into a language
// other than English (EditLang): then only the texts are offered, each beside its English.
func (m MeetingEdit) Translating() bool { return m.ID != 0 && m.EditLang != "" && m.EditLang != "en" }

// EditLangOf returns the language the section's texts are edited in (English when none is
// chosen).
func (m MeetingEdit) EditLangOf() i18n.Lang {
	for _, l := range m.Langs {
		if l.Tag == m.EditLang {
			return l
		}
	}
	return i18n.Lang{Tag: "en", Name: "English", Dir: "ltr"}
}

// SectionAction is where a section's form is sent: the section, in the language being edited.
func (m MeetingEdit) SectionAction(section string) string {
	return SectionLangHref(m.ID, section, m.EditLang)
}

// SectionLangHref is the address of a section of the editor with its texts in language tag
// (no query for English, the default).
func SectionLangHref(id int64, section, tag string) string {
	if tag == "" || tag == "en" || id == 0 {
		return SectionHref(id, section)
	}
	return SectionHref(id, section) + "?lang=" + tag
}

// TranslatedSections are the sections that hold texts in several languages, and so offer the
// choice of the language they are edited in.
var TranslatedSections = []string{domain.SectionDetails, domain.SectionSessions, domain.SectionDesk, domain.SectionColocated, domain.SectionAgenda, domain.SectionWorkItems}

// HasTexts reports whether section holds texts in several languages.
func HasTexts(section string) bool { return slices.Contains(TranslatedSections, section) }

// DetailsText is one text of the details section: its name, the message of its label (taking
// the language), and its rows (0 for a single line).
type DetailsText struct {
	Name  string
	Label string
	Rows  int
}

// DetailsTexts are the texts of the details section, in the form's order.
var DetailsTexts = []DetailsText{
	{"title", "sec.title_in", 0}, {"city", "sec.city_in", 0}, {"venue", "sec.venue_in", 0}, {"remote_rules", "sec.remote_rules_in", 3},
	{"purpose", "sec.purpose_in", 3}, {"approved_by", "sec.approved_by_in", 0}, {"room_allocation", "sec.room_allocation_in", 0},
	{"practical_info", "sec.practical_in", 6},
}

// DetailsFieldName is the form field of a text of the details in language tag: the city, the
// venue and "approved by" are named as TextFieldName does ("venue", "venue-zh"), the others always carry
// their tag ("title-en").
func DetailsFieldName(name, tag string) string {
	if name == "city" || name == "venue" || name == "approved_by" || name == "desk_place" {
		return TextFieldName(name, tag)
	}
	return name + "-" + tag
}

// DetailsSource is the English of a text of the details (what a translator reads).
func (m MeetingEdit) DetailsSource(name string) string {
	if m.Detail == nil {
		return ""
	}
	f := domain.FieldsOf(m.Detail.Meeting)
	switch name {
	case "title":
		return f.Title["en"]
	case "city":
		return f.City["en"]
	case "venue":
		return f.Venue["en"]
	case "remote_rules":
		return f.RemoteRules["en"]
	case "purpose":
		return f.Purpose["en"]
	case "approved_by":
		return f.ApprovedBy["en"]
	case "room_allocation":
		return f.RoomAllocation["en"]
	case "practical_info":
		return f.PracticalInfo["en"]
	case "desk_place":
		return m.Detail.DeskPlace["en"]
	}
	return ""
}

// TranslationRow is one item of a list offered for translation: its id (or, for a room, its
// key: RoomKey), what names it beside its text (a number, an acronym, dates, the working
// parties meeting in a room), its text in English and in the language being edited.
type TranslationRow struct {
	ID      int64
	Key     string
	Context string
	Source  string
	Current string
}

// TranslatedColumn is the text a list section translates ("title"; the sessions: "room") and
// the message of its label, which takes the language.
func TranslatedColumn(section string) (field, label string) {
	if section == domain.SectionSessions {
		return "room", "sec.room_in"
	}
	return "title", "sec.title_in"
}

// TranslationRows are the items of a list section (co-located events, agenda, work items),
// in the editor's order, offered for translation.
func (m MeetingEdit) TranslationRows(t *i18n.Translator) []TranslationRow {
	if m.Detail == nil {
		return nil
	}
	wp := map[int64]string{}
	for _, w := range m.WorkingParties {
		wp[w.ID] = w.Code
	}
	var out []TranslationRow
	lang := m.EditLangOf().Tag
	switch m.Section {
	case domain.SectionSessions:
		// A room once for all its sessions.
		at := map[string]int{}
		for _, x := range m.Detail.Sessions {
			key := domain.RoomKey(x.Room)
			if key == "" {
				continue
			}
			k := strings.ToLower(key)
			i, ok := at[k]
			if !ok {
				i = len(out)
				at[k] = i
				out = append(out, TranslationRow{Key: key, Source: x.Room["en"], Current: x.Room[lang]})
			}
			if c := wp[x.WorkingPartyID]; !strings.Contains(out[i].Context, c) {
				out[i].Context = strings.TrimPrefix(out[i].Context+t.T("life.list_sep")+c, t.T("life.list_sep"))
			}
		}
	case domain.SectionColocated:
		for _, x := range m.Detail.ColocatedEvents {
			out = append(out, TranslationRow{ID: x.ID, Context: t.DateRange(x.FirstDay, x.LastDay), Source: x.Title["en"], Current: x.Title[lang]})
		}
	case domain.SectionAgenda:
		for _, x := range m.Detail.AgendaItems {
			out = append(out, TranslationRow{ID: x.ID, Context: wp[x.WorkingPartyID] + " · " + itoa(x.Position), Source: x.Title["en"], Current: x.Title[lang]})
		}
	case domain.SectionWorkItems:
		for _, x := range m.Detail.WorkItems {
			out = append(out, TranslationRow{ID: x.ID, Context: x.Acronym, Source: x.Title["en"], Current: x.Title[lang]})
		}
	}
	return out
}

// RowPrefix is the prefix of a list section's rows in its form ("c", "a", "w").
func RowPrefix(section string) string {
	switch section {
	case domain.SectionSessions:
		return "s"
	case domain.SectionColocated:
		return "c"
	case domain.SectionAgenda:
		return "a"
	case domain.SectionWorkItems:
		return "w"
	}
	return ""
}

// valueOr is what a field shows: what the form holds for it, else current.
func valueOr(f Form, name, current string) string {
	if v, ok := f.Values[name]; ok {
		return v
	}
	return current
}
