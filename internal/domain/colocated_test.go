package domain

import (
	"testing"
	"time"
)

func TestColocatedChoiceAndStay(t *testing.T) {
	evs := []ColocatedEvent{
		{ID: 7, FirstDay: mustDate("2025-07-14"), LastDay: mustDate("2025-07-25")},
		{ID: 8, FirstDay: mustDate("2025-07-16"), LastDay: mustDate("2025-07-16")},
		{ID: 9, FirstDay: mustDate("2025-07-28"), LastDay: mustDate("2025-07-29")},
	}
	got, err := CheckColocated(evs, []int64{9, 7, 9})
	if err != nil || len(got) != 2 || got[0] != 7 || got[1] != 9 {
		t.Fatalf("CheckColocated = %v, %v", got, err)
	}
	if _, err := CheckColocated(evs, []int64{7, 3}); fieldKey(err, FieldColocated) != "error.colocated_unknown" {
		t.Errorf("unknown event: %v", err)
	}
	first, last := StayPeriod(mustDate("2025-07-25"), mustDate("2025-07-25"), Attended(evs, []int64{8}))
	if !first.Equal(mustDate("2025-07-16")) || !last.Equal(mustDate("2025-07-25")) {
		t.Errorf("stay with JCA: %v–%v", first, last)
	}
	first, last = StayPeriod(mustDate("2025-07-25"), mustDate("2025-07-25"), Attended(evs, []int64{7, 9}))
	if !first.Equal(mustDate("2025-07-14")) || !last.Equal(mustDate("2025-07-29")) {
		t.Errorf("stay with both: %v–%v", first, last)
	}
}

// Who may change the choice, and when: a table of actor × registration × letter state.
func TestChangeColocatedMatrix(t *testing.T) {
	m := visaMeeting()
	evs := []ColocatedEvent{{ID: 7, FirstDay: m.FirstDay, LastDay: m.LastDay}}
	reg := Registration{ID: 5, MeetingID: m.ID, AccountID: 10, OrganisationID: 3, Mode: InPerson, State: Approved}
	owner := NewActor(10, 3)
	focal := NewActor(11, 3, FocalPointGrant(3))
	otherFocal := NewActor(12, 4, FocalPointGrant(4))
	stranger := NewActor(13, 3)
	sec := NewActor(1, 0, SecretariatGrant())
	before := m.FirstDay.AddDate(0, -1, 0)
	after := m.LastDay.AddDate(0, 0, 2)
	cancelled := reg
	cancelled.State = Cancelled
	cases := []struct {
		name string
		a    Actor
		r    Registration
		visa VisaState
		now  time.Time
		want Code // "": allowed
	}{
		{"owner", owner, reg, "", before, ""},
		{"owner, letter processing", owner, reg, VisaProcessing, before, ""},
		{"owner, letter issued", owner, reg, VisaIssued, before, Conflict},
		{"focal point", focal, reg, "", before, ""},
		{"focal point, letter issued", focal, reg, VisaIssued, before, Conflict},
		{"secretariat, letter issued", sec, reg, VisaIssued, before, ""},
		{"another organisation's focal point", otherFocal, reg, "", before, NotFound},
		{"a colleague", stranger, reg, "", before, NotFound},
		{"visitor", Visitor, reg, "", before, NotFound},
		{"cancelled", owner, cancelled, "", before, Conflict},
		{"meeting over", owner, reg, "", after, Conflict},
	}
	for _, c := range cases {
		_, err := ChangeColocated(ColocatedChange{Actor: c.a, Registration: c.r, Meeting: m, Events: evs, Visa: c.visa, Now: c.now}, []int64{7})
		if got := ErrorCode(err); (c.want == "" && err != nil) || (c.want != "" && got != c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
