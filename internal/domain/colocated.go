package domain

import (
	"slices"
	"time"
)

// FieldColocated is the registration form's field naming the co-located events attended.
const FieldColocated = "colocated"

// CheckColocated checks a choice of co-located events against a meeting's events and returns it
// without repeats, in the events' order. An id that is not one of the meeting's events is refused
// beside the field.
func CheckColocated(events []ColocatedEvent, ids []int64) ([]int64, error) {
	chosen := map[int64]bool{}
	for _, id := range ids {
		if !slices.ContainsFunc(events, func(e ColocatedEvent) bool { return e.ID == id }) {
			return nil, FieldErrors(map[string]string{FieldColocated: "error.colocated_unknown"})
		}
		chosen[id] = true
	}
	out := make([]int64, 0, len(chosen))
	for _, e := range events {
		if chosen[e.ID] {
			out = append(out, e.ID)
		}
	}
	return out, nil
}

// Attended returns the events of ids, in the events' order.
func Attended(events []ColocatedEvent, ids []int64) []ColocatedEvent {
	var out []ColocatedEvent
	for _, e := range events {
		if slices.Contains(ids, e.ID) {
			out = append(out, e)
		}
	}
	return out
}

// StayPeriod is the period a visa support letter asks the stay to cover: the meeting's days and
// those of every co-located event the delegate attends.
func StayPeriod(first, last time.Time, attended []ColocatedEvent) (time.Time, time.Time) {
	for _, e := range attended {
		if e.FirstDay.Before(first) {
			first = e.FirstDay
		}
		if e.LastDay.After(last) {
			last = e.LastDay
		}
	}
	return first, last
}

// ColocatedChange is what changing a registration's co-located events needs to know.
type ColocatedChange struct {
	Actor        Actor
	Registration Registration
	Meeting      Meeting
	Events       []ColocatedEvent
	// Visa is the state of the registration's live visa request, "" when there is none.
	Visa VisaState
	Now  time.Time
}

// ColocatedOffer says whether the co-located events a registration attends may be changed: by
// whoever may see it (its owner, a focal point of its organisation, the secretariat), while it is
// live and the meeting not over. Once a visa support letter is issued the letter states the
// period of stay, so only the secretariat may change the choice then (and reissue the letter).
// The page offers its form from the same rule ChangeColocated refuses with.
func ColocatedOffer(c ColocatedChange) Capability {
	switch {
	case !CanView(c.Actor, c.Registration):
		return Deny(Errorf(NotFound, "error.registration_not_found"))
	case !c.Registration.State.Live():
		return Deny(&Error{Code: Conflict, Key: "error.not_live", Args: map[string]any{"State": string(c.Registration.State)}})
	case c.Meeting.Past(c.Now):
		return Deny(Errorf(Conflict, "error.meeting_over"))
	case c.Visa == VisaIssued && !c.Actor.Can(ManageVisas):
		return Deny(Errorf(Conflict, "error.colocated_letter_issued"))
	}
	return Allow()
}

// ChangeColocated checks a new choice of co-located events for a registration: ColocatedOffer's
// refusal, else the events must be the meeting's.
func ChangeColocated(c ColocatedChange, ids []int64) ([]int64, error) {
	if err := ColocatedOffer(c).Err(); err != nil {
		return nil, err
	}
	return CheckColocated(c.Events, ids)
}
