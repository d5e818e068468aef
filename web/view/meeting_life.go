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
	base := "/secretariat/meetings/" + i64(id)
	switch m {
	case domain.MissingSession:
		return base + "#sessions-h"
	case domain.MissingDeadlines:
		return base + "#deadlines-h"
	case domain.MissingRemote:
		return base + "#remote_tool"
	case domain.MissingVenue:
		return base + "#venue"
	case domain.MissingTitle:
		return base + "#title-en"
	}
	if f, ok := strings.CutPrefix(m, "review:"); ok {
		return base + "#" + f + "-en"
	}
	return base
}
