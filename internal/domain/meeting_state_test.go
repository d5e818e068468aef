package domain

import (
	"reflect"
	"testing"
	"time"
)

// ready is a draft that has everything publishing needs.
func ready() MeetingDetail {
	first := time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC)
	d := MeetingDetail{Meeting: Meeting{ID: 1, Slug: "sg13-2030-03", Title: Text{"en": "Meetings of WP1/13 (March 2030)"},
		City: Text{"en": "Geneva"}, Venue: Text{"en": "ITU headquarters"}, TimeZone: "Europe/Zurich", FirstDay: first, LastDay: first.AddDate(0, 0, 4),
		RemoteTool: "MyMeetings", RemoteLink: "https://remote.example/sg13", State: MeetingDraft},
		Sessions:  []Session{{ID: 1, WorkingPartyID: 1, StartsAt: first.Add(9 * time.Hour)}},
		Overrides: map[DeadlineKind]time.Time{},
	}
	for _, k := range DeadlineKinds {
		d.Overrides[k] = k.Default(first)
	}
	return d
}

func TestMeetingTransitions(t *testing.T) {
	now := time.Date(2030, 1, 10, 12, 0, 0, 0, time.UTC)
	with := func(change func(*MeetingDetail)) MeetingDetail {
		d := ready()
		change(&d)
		return d
	}
	cases := []struct {
		name    string
		d       MeetingDetail
		action  MeetingAction
		at      time.Time
		want    MeetingState
		errKey  string
		missing []string
	}{
		{"a ready draft is published", ready(), Publish, now, MeetingPublished, "", nil},
		{"a published meeting is unpublished", with(func(d *MeetingDetail) { d.State = MeetingPublished }), Unpublish, now, MeetingDraft, "", nil},
		{"publishing twice is refused", with(func(d *MeetingDetail) { d.State = MeetingPublished }), Publish, now, MeetingPublished, "error.meeting_already_published", nil},
		{"a draft cannot be unpublished", ready(), Unpublish, now, MeetingDraft, "error.meeting_not_published", nil},
		{"an archived meeting is read-only (publish)", with(func(d *MeetingDetail) { d.State = MeetingPublished }), Publish,
			time.Date(2030, 3, 9, 0, 0, 0, 0, time.UTC), MeetingArchived, "error.meeting_archived", nil},
		{"an archived meeting is read-only (unpublish)", with(func(d *MeetingDetail) { d.State = MeetingPublished }), Unpublish,
			time.Date(2030, 3, 9, 0, 0, 0, 0, time.UTC), MeetingArchived, "error.meeting_archived", nil},
		{"a past draft cannot be published", ready(), Publish, time.Date(2030, 3, 9, 0, 0, 0, 0, time.UTC), MeetingDraft, "error.meeting_over", nil},
		{"no session", with(func(d *MeetingDetail) { d.Sessions = nil }), Publish, now, MeetingDraft, "error.publish_missing", []string{MissingSession}},
		{"a deadline not set", with(func(d *MeetingDetail) { delete(d.Overrides, PreRegistration) }), Publish, now, MeetingDraft,
			"error.publish_missing", []string{MissingDeadlines}},
		{"a deadline after the first day", with(func(d *MeetingDetail) { d.Overrides[Contributions] = d.FirstDay.AddDate(0, 0, 1) }), Publish, now,
			MeetingDraft, "error.publish_missing", []string{MissingDeadlines}},
		{"no venue", with(func(d *MeetingDetail) { d.Venue = Text{} }), Publish, now, MeetingDraft, "error.publish_missing", []string{MissingVenue}},
		{"no remote link", with(func(d *MeetingDetail) { d.RemoteLink = "" }), Publish, now, MeetingDraft, "error.publish_missing", []string{MissingRemote}},
		{"texts to review", with(func(d *MeetingDetail) { d.Review = []string{"approved_by", "purpose"} }), Publish, now, MeetingDraft,
			"error.publish_missing", []string{"review:purpose", "review:approved_by"}},
		{"everything missing, listed in order", with(func(d *MeetingDetail) {
			d.Title, d.Sessions, d.Overrides, d.Venue, d.City, d.RemoteTool, d.Review = Text{}, nil, nil, Text{}, Text{}, "", []string{"practical_info"}
		}), Publish, now, MeetingDraft, "error.publish_missing",
			[]string{MissingTitle, MissingSession, MissingDeadlines, MissingVenue, MissingRemote, "review:practical_info"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MeetingTransition(c.d, c.action, c.at)
			if got != c.want {
				t.Errorf("state = %q, want %q", got, c.want)
			}
			if c.errKey == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Key != c.errKey {
				t.Fatalf("err = %v, want %s", err, c.errKey)
			}
			if c.missing != nil && !reflect.DeepEqual(e.Args["Missing"], c.missing) {
				t.Errorf("missing = %v, want %v", e.Args["Missing"], c.missing)
			}
		})
	}
}

func TestMeetingStateAtAndVisibility(t *testing.T) {
	d := ready()
	before, after := time.Date(2030, 3, 8, 22, 59, 0, 0, time.UTC), time.Date(2030, 3, 8, 23, 0, 0, 0, time.UTC) // Geneva, CET
	if s := d.StateAt(after); s != MeetingDraft {
		t.Errorf("a past draft is %q, want draft", s)
	}
	d.State = MeetingPublished
	if s := d.StateAt(before); s != MeetingPublished {
		t.Errorf("on its last day: %q", s)
	}
	if s := d.StateAt(after); s != MeetingArchived {
		t.Errorf("after its last day: %q, want archived", s)
	}
	if err := CanEditMeeting(d.Meeting, after); err == nil {
		t.Error("an archived meeting can be edited")
	}
	if err := CanEditMeeting(d.Meeting, before); err != nil {
		t.Errorf("a published meeting cannot be edited: %v", err)
	}
	sec := Actor{ID: 1, Grants: []Grant{SecretariatGrant()}}
	delegate := Actor{ID: 2}
	draft := ready().Meeting
	for _, c := range []struct {
		a    Actor
		m    Meeting
		want bool
	}{{Visitor, draft, false}, {delegate, draft, false}, {sec, draft, true}, {Visitor, d.Meeting, true}, {delegate, d.Meeting, true}} {
		if got := CanSeeMeeting(c.a, c.m); got != c.want {
			t.Errorf("CanSeeMeeting(%+v, %s) = %v", c.a, c.m.State, got)
		}
	}
}

func TestReviewOnCopy(t *testing.T) {
	m := Meeting{Purpose: Text{"en": "Consider the drafts."}, ApprovedBy: Text{"en": "Study Group 13, Geneva, 3-14 March 2025"},
		PracticalInfo: Text{"en": "The desk opens at 08:00.", "zh": "2025年7月14日"}, RemoteRules: Text{"en": "Register first."}}
	if got, want := ReviewOnCopy(m), []string{"purpose", "approved_by", "practical_info"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ReviewOnCopy = %v, want %v", got, want)
	}
	for text, want := range map[string]bool{"The chair may interrupt.": false, "14-25 July": true, "on July 14": true, "in 2026": true,
		"7月14日": true, "Room 12": false} {
		if got := NamesDate(Text{"en": text}); got != want {
			t.Errorf("NamesDate(%q) = %v", text, got)
		}
	}
	if got := ReviewOnCopy(Meeting{}); len(got) != 0 {
		t.Errorf("an empty meeting marks %v", got)
	}
}
