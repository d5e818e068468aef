package domain

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// The permission matrix of registrations: role × action × whose registration.
func TestRegistrationPermissionMatrix(t *testing.T) {
	const orgA, orgB = 10, 20
	reg := Registration{ID: 1, AccountID: 100, OrganisationID: orgA, State: Pending, Mode: Remote}
	actors := map[string]Actor{
		"visitor":            Visitor,
		"owner":              {ID: 100, OrganisationID: orgA},
		"colleague":          {ID: 101, OrganisationID: orgA},
		"other delegate":     {ID: 200, OrganisationID: orgB},
		"focal point":        {ID: 102, OrganisationID: orgA, Grants: []Grant{FocalPointGrant(orgA)}},
		"other focal point":  {ID: 201, OrganisationID: orgB, Grants: []Grant{FocalPointGrant(orgB)}},
		"focal point of two": {ID: 300, OrganisationID: orgB, Grants: []Grant{FocalPointGrant(orgB), FocalPointGrant(orgA)}},
		"secretariat":        {ID: 1, Grants: []Grant{SecretariatGrant()}},
	}
	// want[actor] = {view, decide, cancel, change mode, edit details}
	want := map[string][5]bool{
		"visitor":            {false, false, false, false, false},
		"owner":              {true, false, true, true, true},
		"colleague":          {false, false, false, false, false},
		"other delegate":     {false, false, false, false, false},
		"focal point":        {true, true, true, true, true},
		"other focal point":  {false, false, false, false, false},
		"focal point of two": {true, true, true, true, true},
		"secretariat":        {true, true, true, true, true},
	}
	m := Meeting{ID: 5, TimeZone: "Europe/Zurich", FirstDay: day(2030, 7, 25), LastDay: day(2030, 7, 25)}
	pre := Deadline{Kind: PreRegistration, Day: day(2030, 6, 25)}
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	for name, a := range actors {
		w := want[name]
		if got := CanView(a, reg); got != w[0] {
			t.Errorf("%s: CanView = %v, want %v", name, got, w[0])
		}
		_, err := Decide(a, reg, true, "", now)
		if got := err == nil; got != w[1] {
			t.Errorf("%s: Decide allowed = %v, want %v (%v)", name, got, w[1], err)
		}
		if err != nil && ErrorCode(err) != Forbidden {
			t.Errorf("%s: Decide refused with %v, want Forbidden", name, ErrorCode(err))
		}
		_, err = Cancel(a, reg, now)
		if got := err == nil; got != w[2] {
			t.Errorf("%s: Cancel allowed = %v, want %v (%v)", name, got, w[2], err)
		}
		_, err = ChangeMode(a, reg, m, pre, InPerson, false, now)
		if got := err == nil; got != w[3] {
			t.Errorf("%s: ChangeMode allowed = %v, want %v (%v)", name, got, w[3], err)
		}
		_, _, err = EditRegistration(a, reg, m, FieldsFor{}, RegistrationDetails{ListConsent: true}, now)
		if got := err == nil; got != w[4] {
			t.Errorf("%s: EditRegistration allowed = %v, want %v (%v)", name, got, w[4], err)
		}
		if err != nil && ErrorCode(err) != NotFound {
			t.Errorf("%s: EditRegistration refused with %v, want NotFound (no hint that it exists)", name, ErrorCode(err))
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestRegistrationTransitions(t *testing.T) {
	fp := Actor{ID: 2, Grants: []Grant{FocalPointGrant(10)}}
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	base := Registration{ID: 1, AccountID: 1, OrganisationID: 10, Mode: Remote}
	for _, from := range States {
		for _, approve := range []bool{true, false} {
			r := base
			r.State = from
			out, err := Decide(fp, r, approve, "no budget", now)
			if from == Pending {
				if err != nil {
					t.Errorf("decide %s approve=%v: %v", from, approve, err)
				}
				want := Approved
				if !approve {
					want = Rejected
				}
				if out.State != want || out.DecidedBy == nil || *out.DecidedBy != fp.ID || out.DecidedAt == nil {
					t.Errorf("decide %s approve=%v: got %+v", from, approve, out)
				}
				continue
			}
			if ErrorCode(err) != Conflict || out.State != from {
				t.Errorf("decide %s approve=%v: want a Conflict and no change, got %v, %s", from, approve, err, out.State)
			}
		}
		r := base
		r.State = from
		out, err := Cancel(fp, r, now)
		if from.Live() {
			if err != nil || out.State != Cancelled {
				t.Errorf("cancel %s: %v %s", from, err, out.State)
			}
		} else if ErrorCode(err) != Conflict {
			t.Errorf("cancel %s: want a Conflict, got %v", from, err)
		}
	}
	// A rejection needs a reason, which the delegate will see.
	r := base
	r.State = Pending
	if _, err := Decide(fp, r, false, "", now); ErrorCode(err) != Invalid {
		t.Errorf("reject without reason: %v", err)
	}
	out, _ := Decide(fp, r, false, "Please register in person instead.", now)
	if out.Reason != "Please register in person instead." {
		t.Errorf("reason = %q", out.Reason)
	}
}

func TestEditRegistration(t *testing.T) {
	owner := Actor{ID: 1, OrganisationID: 10}
	sec := Actor{ID: 9, Grants: []Grant{SecretariatGrant()}}
	m := Meeting{ID: 5, TimeZone: "Europe/Zurich", FirstDay: day(2030, 7, 25), LastDay: day(2030, 7, 26)}
	now := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	over := time.Date(2030, 7, 26, 22, 0, 0, 0, time.UTC) // midnight after the last day in Geneva
	approved := Registration{ID: 1, AccountID: 1, OrganisationID: 10, Mode: InPerson, State: Approved, DecidedBy: &sec.ID,
		FunctionTitle: "Counsellor", Accessibility: "", ListConsent: false}
	ms := FieldsFor{FunctionTitle: true, Interpretation: true}

	out, changed, err := EditRegistration(owner, approved, m, ms, RegistrationDetails{FunctionTitle: "Minister", Interpretation: true,
		Accessibility: "Step-free access", ListConsent: true}, now)
	if err != nil || fmt.Sprint(changed) != "[function_title interpretation accessibility list_consent]" {
		t.Fatalf("changed %v, %v", changed, err)
	}
	if out.FunctionTitle != "Minister" || !out.Interpretation || out.Accessibility != "Step-free access" || !out.ListConsent || !out.UpdatedAt.Equal(now) {
		t.Errorf("edited registration %+v", out)
	}
	if out.State != Approved || out.DecidedBy == nil {
		t.Errorf("editing the details changed the decision: %+v", out)
	}
	// Nothing changed: nothing to save.
	if _, changed, err := EditRegistration(owner, approved, m, ms, approved.Details(), now); err != nil || len(changed) != 0 {
		t.Errorf("unchanged: %v %v", changed, err)
	}
	// Questions not asked of this delegate keep their answers.
	out, changed, err = EditRegistration(owner, approved, m, FieldsFor{}, RegistrationDetails{FunctionTitle: "", Interpretation: true, ListConsent: true}, now)
	if err != nil || fmt.Sprint(changed) != "[list_consent]" || out.FunctionTitle != "Counsellor" || out.Interpretation {
		t.Errorf("a question not asked changed: %v %+v %v", changed, out, err)
	}
	// A cancelled registration, and a meeting that is over (but for the secretariat).
	cancelled := approved
	cancelled.State = Cancelled
	if _, _, err := EditRegistration(owner, cancelled, m, ms, RegistrationDetails{ListConsent: true}, now); ErrorCode(err) != Conflict {
		t.Errorf("cancelled: %v", err)
	}
	if _, _, err := EditRegistration(owner, approved, m, ms, RegistrationDetails{ListConsent: true}, over); ErrorCode(err) != Conflict {
		t.Errorf("meeting over: %v", err)
	}
	if _, changed, err := EditRegistration(sec, approved, m, ms, RegistrationDetails{FunctionTitle: "Counsellor", ListConsent: true}, over); err != nil || len(changed) != 1 {
		t.Errorf("the secretariat after the meeting: %v %v", changed, err)
	}
}

func TestChangeMode(t *testing.T) {
	owner := Actor{ID: 1, OrganisationID: 10}
	sec := Actor{ID: 9, Grants: []Grant{SecretariatGrant()}}
	m := Meeting{ID: 5, TimeZone: "Europe/Zurich", FirstDay: day(2030, 7, 25), LastDay: day(2030, 7, 25)}
	pre := Deadline{Kind: PreRegistration, Day: day(2030, 6, 25)}
	before := time.Date(2030, 6, 25, 21, 59, 0, 0, time.UTC) // 23:59 in Geneva, last minute
	after := time.Date(2030, 6, 25, 22, 0, 0, 0, time.UTC)   // midnight in Geneva
	approvedRemote := Registration{ID: 1, AccountID: 1, OrganisationID: 10, Mode: Remote, State: Approved, DecidedBy: &sec.ID}

	out, err := ChangeMode(owner, approvedRemote, m, pre, InPerson, false, before)
	if err != nil || out.State != Pending || out.Mode != InPerson || out.DecidedBy != nil {
		t.Errorf("remote→in person of an approved registration must return to pending: %+v %v", out, err)
	}
	out, err = ChangeMode(owner, approvedRemote, m, pre, InPerson, true, before)
	if err != nil || out.State != Approved {
		t.Errorf("under automatic approval it stays approved: %+v %v", out, err)
	}
	if _, err := ChangeMode(owner, approvedRemote, m, pre, InPerson, false, after); ErrorCode(err) != Invalid {
		t.Errorf("after the deadline a delegate cannot switch to in person alone: %v", err)
	}
	out, err = ChangeMode(sec, approvedRemote, m, pre, InPerson, false, after)
	if err != nil || out.Mode != InPerson || out.State != Approved {
		t.Errorf("the secretariat can, after the deadline: %+v %v", out, err)
	}
	inPerson := approvedRemote
	inPerson.Mode = InPerson
	out, err = ChangeMode(owner, inPerson, m, pre, Remote, false, after)
	if err != nil || out.State != Approved || out.Mode != Remote {
		t.Errorf("in person→remote stays approved, even after the deadline: %+v %v", out, err)
	}
	if _, err := ChangeMode(owner, inPerson, m, pre, InPerson, false, before); ErrorCode(err) != Conflict {
		t.Errorf("same mode: %v", err)
	}
	if _, err := ChangeMode(owner, inPerson, m, pre, "by pigeon", false, before); ErrorCode(err) != Invalid {
		t.Errorf("unknown mode: %v", err)
	}
}

func TestNewRegistration(t *testing.T) {
	m := Meeting{ID: 5, StudyGroupID: 13, TimeZone: "Europe/Zurich", FirstDay: day(2030, 7, 25), LastDay: day(2030, 7, 25)}
	pre := Deadline{Kind: PreRegistration, Day: day(2030, 6, 25)}
	open := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	closed := time.Date(2030, 6, 25, 22, 0, 0, 0, time.UTC)
	orgID := int64(10)
	org := func(kind OrgKind) Organisation { return Organisation{ID: orgID, Kind: kind} }
	person := Account{ID: 1, OrganisationID: &orgID}
	self := Actor{ID: 1, OrganisationID: orgID}
	ctx := func(a Actor, o Organisation, now time.Time) RegistrationContext {
		return RegistrationContext{Actor: a, Meeting: m, PreRegistration: pre, Registrant: person, Organisation: o, Now: now}
	}
	remote := RegistrationRequest{Mode: Remote, ListConsent: true}

	r, err := NewRegistration(ctx(self, org(SectorMember), open), remote)
	if err != nil || r.State != Pending || r.Late || r.RegisteredBy != nil {
		t.Fatalf("a Sector Member delegate registers, pending: %+v %v", r, err)
	}
	auto := org(SectorMember)
	auto.AutoApproval = true
	if r, _ := NewRegistration(ctx(self, auto, open), remote); r.State != Approved || r.DecidedBy != nil {
		t.Errorf("automatic approval: %+v", r)
	}
	c := ctx(self, org(SectorMember), open)
	c.RegistrantIsFocalPoint = true
	if r, _ := NewRegistration(c, remote); r.State != Approved {
		t.Errorf("a focal point's own registration is approved at once: %+v", r)
	}
	fp := Actor{ID: 7, OrganisationID: orgID, Grants: []Grant{FocalPointGrant(orgID)}}
	if r, err := NewRegistration(ctx(fp, org(SectorMember), open), remote); err != nil || r.State != Approved || *r.RegisteredBy != fp.ID || *r.DecidedBy != fp.ID {
		t.Errorf("a focal point registering a colleague approves it: %+v %v", r, err)
	}
	otherFP := Actor{ID: 8, OrganisationID: 20, Grants: []Grant{FocalPointGrant(20)}}
	if _, err := NewRegistration(ctx(otherFP, org(SectorMember), open), remote); ErrorCode(err) != Forbidden {
		t.Errorf("another organisation's focal point: %v", err)
	}
	colleague := Actor{ID: 9, OrganisationID: orgID}
	if _, err := NewRegistration(ctx(colleague, org(SectorMember), open), remote); ErrorCode(err) != Forbidden {
		t.Errorf("a colleague who is not focal point: %v", err)
	}
	if _, err := NewRegistration(ctx(Visitor, org(SectorMember), open), remote); ErrorCode(err) != Forbidden {
		t.Errorf("a visitor: %v", err)
	}

	// The deadline: the end of the day in Geneva.
	if _, err := NewRegistration(ctx(self, org(SectorMember), closed.Add(-time.Minute)), remote); err != nil {
		t.Errorf("23:59 in Geneva on the deadline day is still open: %v", err)
	}
	if _, err := NewRegistration(ctx(self, org(SectorMember), closed), remote); ErrorCode(err) != Invalid {
		t.Errorf("after the deadline a delegate cannot register: %v", err)
	}
	sec := Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}
	if r, err := NewRegistration(ctx(sec, org(SectorMember), closed), remote); err != nil || !r.Late || r.State != Approved {
		t.Errorf("the secretariat can, marked late: %+v %v", r, err)
	}
	if _, err := NewRegistration(ctx(sec, org(SectorMember), time.Date(2030, 7, 26, 0, 0, 0, 0, time.UTC)), remote); ErrorCode(err) != Invalid {
		t.Errorf("nobody registers for a meeting that is over: %v", err)
	}

	// Who may take part.
	for kind, ok := range map[OrgKind]bool{MemberState: true, SectorMember: true, Academia: true, Observer: true, Associate: false, OtherOrg: false} {
		_, err := NewRegistration(ctx(self, org(kind), open), remote)
		if (err == nil) != ok {
			t.Errorf("%s may take part = %v, want %v (%v)", kind, err == nil, ok, err)
		}
	}
	assoc := org(Associate)
	assoc.StudyGroupIDs = []int64{13}
	if _, err := NewRegistration(ctx(self, assoc, open), remote); err != nil {
		t.Errorf("an Associate of SG13 takes part in SG13: %v", err)
	}
	if _, err := NewRegistration(ctx(sec, org(OtherOrg), open), remote); err != nil {
		t.Errorf("the secretariat registers anyone: %v", err)
	}
}

func TestRegistrationQuestionsThatDoNotApply(t *testing.T) {
	letter := Meeting{ID: 5, TimeZone: "Europe/Zurich", FirstDay: day(2030, 7, 25), LastDay: day(2030, 7, 25)} // no interpretation, no fellowships
	offers := letter
	offers.Interpretation, offers.Fellowships = true, true
	if f := RegistrationFields(SectorMember, offers); f.FunctionTitle || f.Interpretation || f.Fellowship {
		t.Errorf("a Sector Member is never asked: %+v", f)
	}
	if f := RegistrationFields(MemberState, letter); !f.FunctionTitle || f.Interpretation || f.Fellowship {
		t.Errorf("the letter's meeting asks Member States only the function: %+v", f)
	}
	if f := RegistrationFields(MemberState, offers); !f.FunctionTitle || !f.Interpretation || !f.Fellowship {
		t.Errorf("a meeting that offers both asks Member States all three: %+v", f)
	}
	cases := []struct {
		kind OrgKind
		m    Meeting
		req  RegistrationRequest
		want map[string]string
	}{
		{SectorMember, offers, RegistrationRequest{Mode: Remote, FunctionTitle: "CTO"}, map[string]string{"function_title": "error.member_states_only"}},
		{SectorMember, offers, RegistrationRequest{Mode: Remote, Interpretation: true, Fellowship: true},
			map[string]string{"interpretation": "error.member_states_only", "fellowship": "error.member_states_only"}},
		{MemberState, letter, RegistrationRequest{Mode: InPerson, Interpretation: true}, map[string]string{"interpretation": "error.no_interpretation"}},
		{MemberState, letter, RegistrationRequest{Mode: InPerson, Fellowship: true}, map[string]string{"fellowship": "error.no_fellowships"}},
		{MemberState, letter, RegistrationRequest{Mode: ""}, map[string]string{"mode": "error.mode_required"}},
		{MemberState, letter, RegistrationRequest{Mode: InPerson, FunctionTitle: "Director"}, nil},
		{MemberState, offers, RegistrationRequest{Mode: InPerson, Interpretation: true, Fellowship: true}, nil},
	}
	for i, c := range cases {
		err := checkRequest(c.kind, c.m, c.req)
		var e *Error
		if c.want == nil {
			if err != nil {
				t.Errorf("case %d: unexpected %v", i, err)
			}
			continue
		}
		if !errors.As(err, &e) || fmt.Sprint(e.Fields) != fmt.Sprint(c.want) {
			t.Errorf("case %d: got %v, want fields %v", i, err, c.want)
		}
	}
}
