package view

import (
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// MeetingStateView is the meeting's place in its life cycle as the editor shows it: its state,
// what publishing still needs, and the buttons that change it.
type MeetingStateView struct {
	ID      int64
	Slug    string
	State   domain.MeetingState
	Missing []string
	// Opens is the day registration opens (nil: on publication).
	Opens       *time.Time
	PublishedAt *time.Time
	// Refused is set when a publish was just refused: the list is then the error summary.
	Refused bool
	// Error is why a change of state was just refused otherwise.
	Error string
}

// MissingText says an entry of PublishMissing in the user's language ("review:purpose" → the
// purpose is marked "to review").
func MissingText(t *i18n.Translator, m string) string {
	if f, ok := strings.CutPrefix(m, "review:"); ok {
		return t.T("missing.review", "Field", t.T("life.field."+f))
	}
	return t.T("missing." + m)
}

// MissingHref is where the editor fixes an entry of PublishMissing.
func MissingHref(id int64, m string) string {
	switch m {
	case domain.MissingSession:
		return SectionHref(id, domain.SectionSessions)
	case domain.MissingDeadlines:
		return SectionHref(id, domain.SectionDeadlines)
	case domain.MissingRemote:
		return SectionHref(id, domain.SectionDetails) + "#remote_tool"
	case domain.MissingVenue:
		return SectionHref(id, domain.SectionDetails) + "#venue"
	case domain.MissingTitle:
		return SectionHref(id, domain.SectionDetails) + "#title-en"
	}
	if f, ok := strings.CutPrefix(m, "review:"); ok {
		return SectionHref(id, domain.SectionDetails) + "#review-" + f
	}
	return SectionHref(id, "")
}
