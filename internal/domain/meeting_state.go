package domain

import (
	"regexp"
	"slices"
	"time"
)

// MeetingState is where a meeting is in its life cycle.
type MeetingState string

// The meeting states. Draft and Published are stored; Archived is a published meeting whose last
// day has ended (StateAt).
const (
	MeetingDraft     MeetingState = "draft"
	MeetingPublished MeetingState = "published"
	MeetingArchived  MeetingState = "archived"
)

// MeetingAction is a change of a meeting's state the secretariat asks for.
type MeetingAction string

// The meeting actions.
const (
	Publish   MeetingAction = "publish"
	Unpublish MeetingAction = "unpublish"
)

// StateAt returns the meeting's state at now: a published meeting is archived once its last day
// has ended.
func (m Meeting) StateAt(now time.Time) MeetingState {
	if m.State == MeetingDraft {
		return MeetingDraft
	}
	if m.Past(now) {
		return MeetingArchived
	}
	return MeetingPublished
}

// Public reports whether anyone may see the meeting's pages (it is not a draft).
func (m Meeting) Public() bool { return m.State != MeetingDraft }

// CanSeeMeeting reports whether actor may see m's pages: anyone once it is published, the
// secretariat (who may manage meetings) while it is a draft. Others are told it does not exist.
func CanSeeMeeting(a Actor, m Meeting) bool { return m.Public() || CanManageMeetings(a) }

// RegistrationOpensAt returns when delegates may start registering: the start of the day set for
// it in the meeting's time zone, or its publication (zero: from publication).
func (m Meeting) RegistrationOpensAt() time.Time {
	if m.RegistrationOpens == nil {
		return time.Time{}
	}
	y, mo, d := m.RegistrationOpens.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, m.Location())
}

// What publishing needs: the keys of the list of what is missing (catalogue keys "missing.<key>").
const (
	MissingSession   = "session"
	MissingDeadlines = "deadlines"
	MissingVenue     = "venue"
	MissingRemote    = "remote"
	MissingTitle     = "title"
)

// ReviewFields are the meeting's texts that may name dates or meetings, in the order the
// details form shows them. A copy marks those that are filled (and, for the others, those naming
// a date) "to review" until a person edits them or says they have read them.
var ReviewFields = []string{"purpose", "approved_by", "remote_rules", "room_allocation", "practical_info"}

// PublishMissing lists what d lacks for registration, in a stable order: at least one session,
// the deadlines (every kind set by the secretariat, none after the first day), the venue, the
// remote participation details (tool and link), an English title; then every text still marked
// "to review" as "review:<field>".
func PublishMissing(d MeetingDetail) []string {
	var out []string
	if d.Title["en"] == "" {
		out = append(out, MissingTitle)
	}
	if len(d.Sessions) == 0 {
		out = append(out, MissingSession)
	}
	deadlinesOK := true
	for _, k := range DeadlineKinds {
		day, ok := d.Overrides[k]
		if !ok || day.After(d.FirstDay) {
			deadlinesOK = false
		}
	}
	if !deadlinesOK {
		out = append(out, MissingDeadlines)
	}
	if d.Venue.In("en") == "" || d.City.In("en") == "" {
		out = append(out, MissingVenue)
	}
	if d.RemoteTool == "" || d.RemoteLink == "" {
		out = append(out, MissingRemote)
	}
	for _, f := range ReviewFields {
		if slices.Contains(d.Review, f) {
			out = append(out, "review:"+f)
		}
	}
	return out
}

// MeetingTransition is the meeting's life cycle: the state a meeting in d's state goes to on
// action at now, or why it may not. Publishing a draft is refused (Invalid, Args["Missing"] the
// list of PublishMissing) while anything registration needs is missing or a text is to review;
// publishing a meeting already published, or unpublishing a draft, is refused as a conflict; an
// archived meeting is read-only: neither is allowed.
func MeetingTransition(d MeetingDetail, action MeetingAction, now time.Time) (MeetingState, error) {
	state := d.StateAt(now)
	if state == MeetingArchived {
		return state, Errorf(Invalid, "error.meeting_archived")
	}
	switch action {
	case Publish:
		if state != MeetingDraft {
			return state, Errorf(Conflict, "error.meeting_already_published")
		}
		if d.Past(now) {
			return state, Errorf(Invalid, "error.meeting_over")
		}
		if missing := PublishMissing(d); len(missing) > 0 {
			return state, &Error{Code: Invalid, Key: "error.publish_missing", Args: map[string]any{"Missing": missing}}
		}
		return MeetingPublished, nil
	case Unpublish:
		if state != MeetingPublished {
			return state, Errorf(Conflict, "error.meeting_not_published")
		}
		return MeetingDraft, nil
	}
	return state, Errorf(Invalid, "error.bad_form")
}

// CanEditMeeting says whether the meeting's sections may be saved at now: not once it is archived
// (its documents and participants are managed elsewhere).
func CanEditMeeting(m Meeting, now time.Time) error {
	if m.StateAt(now) == MeetingArchived {
		return Errorf(Invalid, "error.meeting_archived")
	}
	return nil
}

// datePattern finds a year, a day of a month ("14 July", "July 14", "14-25 July") or a date in
// Chinese ("7月14日"); a month's name alone ("the chair may …") is no date.
var datePattern = regexp.MustCompile(`(?i)\b(1[89]|20)\d\d\b|\d+\s*[年月日]|\b\d{1,2}(\s*[-–]\s*\d{1,2})?\s+` + months + `\b|\b` + months + `\s+\d{1,2}\b`)

const months = `(january|february|march|april|may|june|july|august|september|october|november|december)`

// NamesDate reports whether any translation of t names a year, a month or a day.
func NamesDate(t Text) bool {
	for _, s := range t {
		if datePattern.MatchString(s) {
			return true
		}
	}
	return false
}

// ReviewOnCopy lists the texts of m that a copy must have read again: the purpose and "approved
// by" whenever they are filled (they name the meetings and dates the meeting follows from), and
// the other texts when they name a date.
func ReviewOnCopy(m Meeting) []string {
	var out []string
	for _, f := range ReviewFields {
		switch f {
		case "purpose":
			if len(m.Purpose) > 0 {
				out = append(out, f)
			}
		case "approved_by":
			if m.ApprovedBy.In("en") != "" {
				out = append(out, f)
			}
		case "remote_rules":
			if NamesDate(m.RemoteRules) {
				out = append(out, f)
			}
		case "room_allocation":
			if NamesDate(m.RoomAllocation) {
				out = append(out, f)
			}
		case "practical_info":
			if NamesDate(m.PracticalInfo) {
				out = append(out, f)
			}
		}
	}
	return out
}
