package domain

import "testing"

// The secretariat's capabilities as a matrix: role × capability (× organisation for automatic
// approval).
func TestSecretariatCapabilities(t *testing.T) {
	const org, other = 10, 20
	roles := map[string]Actor{
		"visitor":           Visitor,
		"delegate":          {ID: 3, OrganisationID: org},
		"focal point":       {ID: 4, OrganisationID: org, Grants: []Grant{FocalPointGrant(org)}},
		"other focal point": {ID: 5, OrganisationID: other, Grants: []Grant{FocalPointGrant(other)}},
		"secretariat":       {ID: 6, Grants: []Grant{SecretariatGrant()}},
	}
	// meetings, organisations, study groups, automatic approval of org, mail
	want := map[string][5]bool{
		"visitor":           {false, false, false, false, false},
		"delegate":          {false, false, false, false, false},
		"focal point":       {false, false, false, true, false},
		"other focal point": {false, false, false, false, false},
		"secretariat":       {true, true, true, true, true},
	}
	for name, a := range roles {
		got := [5]bool{CanManageMeetings(a), CanManageOrganisations(a), CanManageStudyGroups(a), CanSetAutoApproval(a, org), CanReadMail(a)}
		if got != want[name] {
			t.Errorf("%s: got %v, want %v", name, got, want[name])
		}
	}
}

func TestRegistrationScope(t *testing.T) {
	for name, c := range map[string]struct {
		a       Actor
		orgs    []int64
		all, ok bool
	}{
		"visitor":               {Visitor, nil, false, false},
		"delegate":              {Actor{ID: 1, OrganisationID: 10}, nil, false, false},
		"focal point of two":    {Actor{ID: 2, Grants: []Grant{FocalPointGrant(10), FocalPointGrant(20)}}, []int64{10, 20}, false, true},
		"secretariat":           {Actor{ID: 3, Grants: []Grant{SecretariatGrant()}}, nil, true, true},
		"secretariat and focal": {Actor{ID: 4, Grants: []Grant{SecretariatGrant(), FocalPointGrant(10)}}, nil, true, true},
	} {
		orgs, all, ok := RegistrationScope(c.a)
		if all != c.all || ok != c.ok || len(orgs) != len(c.orgs) {
			t.Errorf("%s: %v %v %v, want %v %v %v", name, orgs, all, ok, c.orgs, c.all, c.ok)
		}
	}
}
