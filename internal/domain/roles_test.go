package domain

import (
	"slices"
	"testing"
)

// Every permission as a matrix: role held where × permission × where it is asked.
func TestRolesMatrix(t *testing.T) {
	const org, other, meeting = 10, 20, 30
	sec := NewActor(1, 0, SecretariatGrant())
	focal := NewActor(2, org, FocalPointGrant(org))
	delegate := NewActor(3, org)
	// A role the code does not know (a newer release's) gives nothing.
	unknown := NewActor(4, org, Grant{Role: "from_the_future"}, Grant{Role: "from_the_future", Meeting: meeting})
	all := roles[RoleSecretariat]
	focalPerms := roles[RoleFocalPoint]
	for _, p := range all {
		if !sec.Can(p) || !sec.CanFor(p, org) || !sec.CanAt(p, meeting) {
			t.Errorf("secretariat lacks %s", p)
		}
		if focal.Can(p) {
			t.Errorf("focal point has %s everywhere", p)
		}
		if got, want := focal.CanFor(p, org), slices.Contains(focalPerms, p); got != want {
			t.Errorf("focal point for own organisation, %s: %v, want %v", p, got, want)
		}
		if focal.CanFor(p, other) || focal.CanFor(p, 0) || focal.CanAt(p, meeting) {
			t.Errorf("focal point has %s beyond its organisation", p)
		}
		for _, a := range []Actor{delegate, unknown, Visitor} {
			if a.Can(p) || a.CanFor(p, org) || a.CanAt(p, meeting) {
				t.Errorf("actor %d has %s", a.ID, p)
			}
		}
	}
	// A meeting-scoped role (as desk staff will be): a test role defined here.
	roles["test_desk"] = []Permission{ListParticipants}
	defer delete(roles, "test_desk")
	desk := NewActor(5, 0, Grant{Role: "test_desk", Meeting: meeting})
	if !desk.CanAt(ListParticipants, meeting) || desk.CanAt(ListParticipants, meeting+1) || desk.Can(ListParticipants) || desk.CanFor(ListParticipants, org) {
		t.Error("a meeting-scoped grant must hold at its meeting only")
	}
	if ms, all := desk.MeetingsFor(ListParticipants); all || !slices.Equal(ms, []int64{meeting}) {
		t.Errorf("MeetingsFor: %v %v", ms, all)
	}
}

// Scopes (an API token's) narrow what the roles give, never widen it.
func TestScopes(t *testing.T) {
	sec := NewActor(1, 0, SecretariatGrant()).WithScopes(ReadMail)
	if !sec.Can(ReadMail) || sec.Can(ManageMeetings) || sec.CanFor(DecideRegistrations, 10) {
		t.Error("scopes must narrow the secretariat to reading mail")
	}
	delegate := NewActor(2, 10).WithScopes(ReadMail, ManageMeetings)
	if delegate.Can(ReadMail) || delegate.Can(ManageMeetings) {
		t.Error("scopes must not give what no role gives")
	}
	none := NewActor(1, 0, SecretariatGrant()).WithScopes()
	if none.Can(ReadMail) {
		t.Error("an empty set of scopes allows nothing")
	}
}

func TestOrganisationsFor(t *testing.T) {
	a := NewActor(1, 10, FocalPointGrant(20), FocalPointGrant(10), FocalPointGrant(20))
	if orgs, all := a.OrganisationsFor(DecideRegistrations); all || !slices.Equal(orgs, []int64{10, 20}) {
		t.Errorf("got %v %v", orgs, all)
	}
	if orgs, all := a.OrganisationsFor(ReadMail); all || orgs != nil {
		t.Errorf("got %v %v", orgs, all)
	}
	if !slices.Equal(a.FocalOf(), []int64{10, 20}) || !a.IsFocalPointOf(20) || a.IsFocalPointOf(30) {
		t.Errorf("FocalOf %v", a.FocalOf())
	}
	if _, all := NewActor(2, 0, SecretariatGrant(), FocalPointGrant(10)).OrganisationsFor(DecideRegistrations); !all {
		t.Error("the secretariat decides for every organisation")
	}
}
