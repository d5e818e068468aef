package domain

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// StudyGroup is a study group of the sector, with its secretariat's contact details.
type StudyGroup struct {
	ID          int64  `db:"id"`
	Code        string `db:"code"`
	Title       Text   `db:"title"`
	StudyPeriod string `db:"study_period"`
	Chair       string `db:"chair"`
	Phone       string `db:"phone"`
	Fax         string `db:"fax"`
	Email       string `db:"email"`
	Web         string `db:"web"`
}

// StudyGroupDetail is a study group with its working parties and Questions.
type StudyGroupDetail struct {
	StudyGroup
	WorkingParties []WorkingParty
	Questions      []Question
}

// WorkingParty is a working party of a study group (WP1/13).
type WorkingParty struct {
	ID           int64  `db:"id"`
	StudyGroupID int64  `db:"study_group_id"`
	Number       int    `db:"number"`
	Code         string `db:"code"`
	Title        Text   `db:"title"`
}

// Slug is the working party's short name in URLs: "wp1".
func (w WorkingParty) Slug() string { return "wp" + strconv.Itoa(w.Number) }

// Question is a Question of a study group (Q20/13).
type Question struct {
	ID             int64  `db:"id"`
	StudyGroupID   int64  `db:"study_group_id"`
	WorkingPartyID *int64 `db:"working_party_id"`
	Number         int    `db:"number"`
	Code           string `db:"code"`
	Title          Text   `db:"title"`
}

// Meeting is one meeting of a study group or of its working parties.
type Meeting struct {
	ID             int64     `db:"id"`
	Slug           string    `db:"slug"`
	StudyGroupID   int64     `db:"study_group_id"`
	Title          Text      `db:"title"`
	City           Text      `db:"city"`
	Venue          Text      `db:"venue"`
	TimeZone       string    `db:"time_zone"`
	FirstDay       time.Time `db:"first_day"`
	LastDay        time.Time `db:"last_day"`
	Languages      []string  `db:"languages"`
	Interpretation bool      `db:"interpretation"`
	Fellowships    bool      `db:"fellowships"`
	Paperless      bool      `db:"paperless"`
	RemoteTool     string    `db:"remote_tool"`
	RemoteLink     string    `db:"remote_link"`
	RemoteRules    Text      `db:"remote_rules"`
	Purpose        Text      `db:"purpose"`
	ApprovedBy     Text      `db:"approved_by"`
	DeskPlace      Text      `db:"desk_place"`
	// SessionMinutes is how long a session without its own end lasts.
	SessionMinutes   int    `db:"session_minutes"`
	RoomAllocation   Text   `db:"room_allocation"`
	PracticalInfo    Text   `db:"practical_info"`
	CollectiveLetter string `db:"collective_letter"`
	Version          int64  `db:"version"`
	// State is draft or published (archived is derived: StateAt).
	State MeetingState `db:"state"`
	// RegistrationOpens is the day registration opens (nil: on publication).
	RegistrationOpens *time.Time `db:"registration_opens"`
	PublishedAt       *time.Time `db:"published_at"`
	// Review lists the texts marked "to review" (ReviewFields) since a copy.
	Review []string `db:"review"`
	// SectionVersions counts the saves of each section of the editor (optimistic concurrency).
	SectionVersions map[string]int64 `db:"section_versions"`
	CreatedAt       time.Time        `db:"created_at"`
	UpdatedAt       time.Time        `db:"updated_at"`
}

// Location returns the meeting's time zone (UTC when the name is unknown).
func (m Meeting) Location() *time.Location { return Location(m.TimeZone) }

var locations sync.Map // name → *time.Location

// Location returns the time zone called name, or UTC when the name is unknown. Zones are read
// once: time.LoadLocation parses the zone data on every call.
func Location(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// Past reports whether the meeting's last day has ended at now.
func (m Meeting) Past(now time.Time) bool {
	return !now.Before(EndOfDay(m.LastDay, m.Location()))
}

// DeskOpening is a day and hour the registration desk opens, in the meeting's local time.
type DeskOpening struct {
	ID      int64     `db:"id"`
	OpensAt time.Time `db:"opens_at"`
	// ClosesAt is when it closes that day (nil: not said).
	ClosesAt *time.Time `db:"closes_at"`
}

// Session is a working party's session, its start in the meeting's local time.
type Session struct {
	ID             int64      `db:"id"`
	WorkingPartyID int64      `db:"working_party_id"`
	StartsAt       time.Time  `db:"starts_at"`
	EndsAt         *time.Time `db:"ends_at"`
	// Room is where the session is held, in each language ("" in all: to be announced).
	Room Text `db:"room"`
}

// ColocatedEvent is an event held at the same place around the meeting.
type ColocatedEvent struct {
	ID       int64     `db:"id"`
	Title    Text      `db:"title"`
	FirstDay time.Time `db:"first_day"`
	LastDay  time.Time `db:"last_day"`
	URL      string    `db:"url"`
}

// ProposedAction is what a meeting is asked to do with a work item.
type ProposedAction string

// The proposed actions.
const (
	Determination ProposedAction = "determination" // TAP
	Consent       ProposedAction = "consent"       // AAP
	Agreement     ProposedAction = "agreement"     // supplements
)

// ProposedActions lists the actions in agenda order.
var ProposedActions = []ProposedAction{Determination, Consent, Agreement}

// Valid reports whether a is a known action.
func (a ProposedAction) Valid() bool {
	return a == Determination || a == Consent || a == Agreement
}

// WorkItemKind is a Recommendation or a Supplement.
type WorkItemKind string

// The work item kinds.
const (
	Recommendation WorkItemKind = "recommendation"
	Supplement     WorkItemKind = "supplement"
)

// Valid reports whether k is a known kind.
func (k WorkItemKind) Valid() bool { return k == Recommendation || k == Supplement }

// DefaultAction is the usual action for a kind of work item: consent for Recommendations,
// agreement for Supplements.
func (k WorkItemKind) DefaultAction() ProposedAction {
	if k == Supplement {
		return Agreement
	}
	return Consent
}

// AgendaItem is an item of a working party's agenda. Holds, when set, names the proposed action
// whose work items the item lists.
type AgendaItem struct {
	ID             int64           `db:"id"`
	WorkingPartyID int64           `db:"working_party_id"`
	Position       int             `db:"position"`
	Title          Text            `db:"title"`
	Holds          *ProposedAction `db:"holds"`
}

// WorkItem is a draft Recommendation or Supplement on a meeting's agenda.
type WorkItem struct {
	ID             int64          `db:"id"`
	WorkingPartyID int64          `db:"working_party_id"`
	QuestionID     int64          `db:"question_id"`
	QuestionCode   string         `db:"question_code"`
	Acronym        string         `db:"acronym"`
	Title          Text           `db:"title"`
	Kind           WorkItemKind   `db:"kind"`
	Action         ProposedAction `db:"action"`
	Position       int            `db:"position"`
}

// MeetingDetail is a meeting with everything its public pages show.
type MeetingDetail struct {
	Meeting
	StudyGroup      StudyGroup
	WorkingParties  []WorkingParty
	Questions       []Question
	DeskOpenings    []DeskOpening
	Sessions        []Session
	ColocatedEvents []ColocatedEvent
	// Overrides are the deadlines the secretariat has set; Deadlines() fills in the rest.
	Overrides   map[DeadlineKind]time.Time
	AgendaItems []AgendaItem
	WorkItems   []WorkItem
	// AgendaDocuments are the documents linked to agenda items and work items.
	AgendaDocuments []AgendaDocument
}

// Deadlines returns the meeting's four deadlines.
func (d MeetingDetail) Deadlines() []Deadline { return Deadlines(d.FirstDay, d.Overrides) }

// Deadline returns the deadline of one kind.
func (d MeetingDetail) Deadline(k DeadlineKind) Deadline {
	for _, dl := range d.Deadlines() {
		if dl.Kind == k {
			return dl
		}
	}
	return Deadline{}
}

// SessionEnd returns when a session ends: its own end, else its start plus the meeting's
// default session length.
func (d MeetingDetail) SessionEnd(s Session) time.Time {
	if s.EndsAt != nil {
		return *s.EndsAt
	}
	return s.StartsAt.Add(time.Duration(d.DefaultSessionMinutes()) * time.Minute)
}

// DefaultSessionLength is the default session length when the meeting has none set.
const DefaultSessionLength = 180

// DefaultSessionMinutes is the meeting's default session length in minutes.
func (m Meeting) DefaultSessionMinutes() int {
	if m.SessionMinutes <= 0 {
		return DefaultSessionLength
	}
	return m.SessionMinutes
}

// WorkingParty returns the working party with id.
func (d MeetingDetail) WorkingParty(id int64) (WorkingParty, bool) {
	for _, w := range d.WorkingParties {
		if w.ID == id {
			return w, true
		}
	}
	return WorkingParty{}, false
}

// WorkingPartyBySlug returns the working party named by slug ("wp1").
func (d MeetingDetail) WorkingPartyBySlug(slug string) (WorkingParty, bool) {
	for _, w := range d.WorkingParties {
		if strings.EqualFold(w.Slug(), slug) {
			return w, true
		}
	}
	return WorkingParty{}, false
}

// SessionOf returns the session of a working party, if it meets.
func (d MeetingDetail) SessionOf(wp int64) (Session, bool) {
	for _, s := range d.Sessions {
		if s.WorkingPartyID == wp {
			return s, true
		}
	}
	return Session{}, false
}

// AgendaOf returns a working party's agenda items in order.
func (d MeetingDetail) AgendaOf(wp int64) []AgendaItem {
	var out []AgendaItem
	for _, a := range d.AgendaItems {
		if a.WorkingPartyID == wp {
			out = append(out, a)
		}
	}
	return out
}

// WorkItemsOf returns a working party's work items with the given proposed action.
func (d MeetingDetail) WorkItemsOf(wp int64, action ProposedAction) []WorkItem {
	var out []WorkItem
	for _, w := range d.WorkItems {
		if w.WorkingPartyID == wp && w.Action == action {
			out = append(out, w)
		}
	}
	return out
}

// MeetingSummary is a line of the list of meetings.
type MeetingSummary struct {
	ID       int64        `db:"id"`
	Slug     string       `db:"slug"`
	Title    Text         `db:"title"`
	City     Text         `db:"city"`
	TimeZone string       `db:"time_zone"`
	FirstDay time.Time    `db:"first_day"`
	LastDay  time.Time    `db:"last_day"`
	SGCode   string       `db:"sg_code"`
	State    MeetingState `db:"state"`
}
