package domain

import "time"

// The list of participants (issue 13 §6): made from the registrations before the meeting, from
// the check-ins once it has begun.

// ParticipantBasis says what the list of participants is made from.
type ParticipantBasis string

// The bases of the list.
const (
	// BasisRegistered lists the approved registrations: who is expected (before the meeting).
	BasisRegistered ParticipantBasis = "registered"
	// BasisCheckedIn lists who took part: those checked in at the meeting's entry and the
	// approved remote participants.
	BasisCheckedIn ParticipantBasis = "checked-in"
)

// ParseParticipantBasis reads a basis from a query ("" or an unknown value: ok false).
func ParseParticipantBasis(s string) (ParticipantBasis, bool) {
	switch b := ParticipantBasis(s); b {
	case BasisRegistered, BasisCheckedIn:
		return b, true
	}
	return "", false
}

// DefaultParticipantBasis is the list's basis when none is asked for: the registrations until
// the meeting's first day begins in its time zone, the check-ins from then on (the day of the
// meeting and after, when the list is published).
func DefaultParticipantBasis(m Meeting, now time.Time) ParticipantBasis {
	y, mo, d := m.FirstDay.Date()
	if now.Before(time.Date(y, mo, d, 0, 0, 0, 0, m.Location())) {
		return BasisRegistered
	}
	return BasisCheckedIn
}

// Listed reports whether registration r appears in the list of participants made on basis b,
// checkedIn saying whether it was checked in at the meeting's entry. Only a delegate who agreed
// to be listed is, and only while approved. On the check-ins an in-person delegate must have been
// checked in; a remote participant is listed as registered, since remote participation is open
// only to registered participants and the portal does not see who connects.
func Listed(r Registration, b ParticipantBasis, checkedIn bool) bool {
	if !r.ListConsent || r.State != Approved {
		return false
	}
	if b == BasisCheckedIn && r.Mode == InPerson {
		return checkedIn
	}
	return true
}
