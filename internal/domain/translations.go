package domain

import "strings"

// MissingText is one text of a meeting written in some languages but not in all that are asked for.
type MissingText struct {
	// Section is the editor's section where the text is edited (SectionDetails, SectionAgenda, …).
	Section string
	// Field names the text: the meeting's own fields by name ("title", "purpose", …), an item of
	// a list by the list's name ("colocated", "agenda_item", "work_item").
	Field string
	// Item is the item's title, for a text of a list's item (nil for the meeting's own fields).
	Item Text
	// Acronym is a work item's acronym ("" otherwise).
	Acronym string
	// Missing are the languages the text lacks, in the order asked for.
	Missing []string
}

// MissingTranslations lists the meeting's texts that lack one of langs, in the editor's order:
// the details' texts, the session rooms (each once), where the desk is, then the co-located events, the agenda items and the work items. A text
// written in no language at all is not listed: it is empty, not untranslated.
func (d MeetingDetail) MissingTranslations(langs []string) []MissingText {
	var out []MissingText
	add := func(section, field string, t, item Text, acronym string) {
		if t.In("en") == "" {
			return
		}
		if m := t.Missing(langs); len(m) > 0 {
			out = append(out, MissingText{Section: section, Field: field, Item: item, Acronym: acronym, Missing: m})
		}
	}
	for _, f := range []struct {
		name string
		text Text
	}{{"title", d.Title}, {"city", d.City}, {"venue", d.Venue}, {"remote_rules", d.RemoteRules}, {"purpose", d.Purpose},
		{"approved_by", d.ApprovedBy}, {"room_allocation", d.RoomAllocation}, {"practical_info", d.PracticalInfo}} {
		add(SectionDetails, f.name, f.text, nil, "")
	}
	seen := map[string]bool{}
	for _, x := range d.Sessions {
		if k := strings.ToLower(RoomKey(x.Room)); k != "" && !seen[k] {
			seen[k] = true
			add(SectionSessions, "room", x.Room, x.Room, "")
		}
	}
	add(SectionDesk, "desk_place", d.DeskPlace, nil, "")
	for _, e := range d.ColocatedEvents {
		add(SectionColocated, "colocated", e.Title, e.Title, "")
	}
	for _, a := range d.AgendaItems {
		add(SectionAgenda, "agenda_item", a.Title, a.Title, "")
	}
	for _, w := range d.WorkItems {
		add(SectionWorkItems, "work_item", w.Title, w.Title, w.Acronym)
	}
	return out
}
