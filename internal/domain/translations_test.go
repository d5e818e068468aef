package domain_test

import (
	"fmt"
	"testing"

	"plenary/internal/domain"
)

func TestMissingTranslations(t *testing.T) {
	six := []string{"en", "zh", "fr", "es", "ru", "ar"}
	all := domain.Text{"en": "a", "zh": "b", "fr": "c", "es": "d", "ru": "e", "ar": "f"}
	d := domain.MeetingDetail{
		Meeting: domain.Meeting{
			Title:       domain.Text{"en": "SG13", "zh": "第13研究组"},
			Purpose:     all,
			RemoteRules: domain.Text{},
			// Written in Chinese only: listed, lacking English too.
			PracticalInfo: domain.Text{"zh": "实用"},
		},
		// A room is listed once, however many sessions are held there.
		Sessions:        []domain.Session{{Room: domain.Text{"en": "Popov"}}, {Room: all}, {Room: domain.Text{"en": "Popov"}}, {Room: domain.Text{}}},
		ColocatedEvents: []domain.ColocatedEvent{{Title: all}},
		AgendaItems:     []domain.AgendaItem{{Title: domain.Text{"en": "Opening"}}},
		WorkItems:       []domain.WorkItem{{Acronym: "Y.CNAO", Title: domain.Text{"en": "Networks", "ar": "الشبكات"}}},
	}
	got := d.MissingTranslations(six)
	var lines []string
	for _, m := range got {
		lines = append(lines, fmt.Sprint(m.Section, " ", m.Field, " ", m.Item.In("en"), " ", m.Acronym, " ", m.Missing))
	}
	want := []string{
		"details title   [fr es ru ar]",
		"details practical_info   [en fr es ru ar]",
		"sessions room Popov  [zh fr es ru ar]",
		"agenda agenda_item Opening  [zh fr es ru ar]",
		"work_items work_item Networks Y.CNAO [zh fr es ru]",
	}
	if fmt.Sprintf("%q", lines) != fmt.Sprintf("%q", want) {
		t.Errorf("MissingTranslations =\n%q\nwant\n%q", lines, want)
	}
	if n := len(d.MissingTranslations([]string{"en"})); n != 1 {
		t.Errorf("asked for English only: %d lines, want 1 (the Chinese-only practical information)", n)
	}
}
