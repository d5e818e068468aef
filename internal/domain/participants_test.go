package domain

import (
	"testing"
	"time"
)

func TestListed(t *testing.T) {
	base := Registration{State: Approved, Mode: InPerson, ListConsent: true}
	with := func(f func(*Registration)) Registration { r := base; f(&r); return r }
	noConsent := with(func(r *Registration) { r.ListConsent = false })
	remote := with(func(r *Registration) { r.Mode = Remote })
	remoteNoConsent := with(func(r *Registration) { r.Mode = Remote; r.ListConsent = false })
	cancelled := with(func(r *Registration) { r.State = Cancelled })
	pending := with(func(r *Registration) { r.State = Pending })
	for _, c := range []struct {
		name      string
		r         Registration
		basis     ParticipantBasis
		checkedIn bool
		want      bool
	}{
		{"in person, registered", base, BasisRegistered, false, true},
		{"in person, checked in", base, BasisCheckedIn, true, true},
		{"in person, not checked in", base, BasisCheckedIn, false, false},
		{"no consent, checked in", noConsent, BasisCheckedIn, true, false},
		{"no consent, registered", noConsent, BasisRegistered, false, false},
		{"remote, on the check-ins", remote, BasisCheckedIn, false, true},
		{"remote, registered", remote, BasisRegistered, false, true},
		{"remote without consent", remoteNoConsent, BasisCheckedIn, false, false},
		{"checked in, then cancelled", cancelled, BasisCheckedIn, true, false},
		{"pending", pending, BasisRegistered, false, false},
	} {
		if got := Listed(c.r, c.basis, c.checkedIn); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDefaultParticipantBasis(t *testing.T) {
	m := Meeting{FirstDay: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), TimeZone: "Europe/Zurich"}
	// Midnight in Geneva is 23:00 UTC the day before.
	if b := DefaultParticipantBasis(m, time.Date(2026, 12, 6, 22, 59, 0, 0, time.UTC)); b != BasisRegistered {
		t.Errorf("the evening before: %s", b)
	}
	if b := DefaultParticipantBasis(m, time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)); b != BasisCheckedIn {
		t.Errorf("the first day's midnight in Geneva: %s", b)
	}
	if b := DefaultParticipantBasis(m, time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC)); b != BasisCheckedIn {
		t.Errorf("after the meeting: %s", b)
	}
	for _, s := range []string{"", "all", "Checked-in"} {
		if _, ok := ParseParticipantBasis(s); ok {
			t.Errorf("%q read as a basis", s)
		}
	}
	if b, ok := ParseParticipantBasis("checked-in"); !ok || b != BasisCheckedIn {
		t.Error("checked-in not read")
	}
}
