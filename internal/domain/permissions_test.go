package domain

import "testing"

// The secretariat's capabilities as a matrix: role × capability (× organisation for automatic
// approval).
func TestSecretariatCapabilities(t *testing.T) {
	const org, other = 10, 20
	roles := map[string]Actor{
		"visitor":           Visitor,
		"delegate":          {ID: 3, OrganisationID: org},
		"focal point":       {ID: 4, OrganisationID: org, FocalOf: []int64{org}},
		"other focal point": {ID: 5, OrganisationID: other, FocalOf: []int64{other}},
		"secretariat":       {ID: 6, Secretariat: true},
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
