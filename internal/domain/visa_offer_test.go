package domain

import (
	"testing"
	"time"
)

// TestVisaOfferTable: the reason the registration form and the visa page show is the one
// CheckVisaRequest refuses with, for each actor, registration and moment.
func TestVisaOfferTable(t *testing.T) {
	m := visaMeeting()
	dl := Deadline{Kind: VisaSupportRequest, Day: mustDate("2025-06-25")}
	owner := Actor{ID: 10, OrganisationID: 3}
	sec := Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}
	focal := Actor{ID: 11, OrganisationID: 3, Grants: []Grant{FocalPointGrant(3)}}
	reg := Registration{ID: 5, MeetingID: m.ID, AccountID: 10, OrganisationID: 3, Mode: InPerson, State: Pending}
	approved, remote, cancelled, rejected := reg, reg, reg, reg
	approved.State = Approved
	remote.Mode = Remote
	cancelled.State = Cancelled
	rejected.State = Rejected
	before := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	lastMinute := time.Date(2025, 6, 25, 21, 59, 0, 0, time.UTC) // 23:59 in Zurich
	late := time.Date(2025, 6, 25, 22, 0, 0, 0, time.UTC)
	after := time.Date(2025, 7, 26, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		actor   Actor
		reg     Registration
		now     time.Time
		meeting string // VisaOffer's key: the meeting-level reason
		request string // VisaRequestOffer's key
		code    Code
	}{
		{"owner before the deadline", owner, reg, before, "", "", ""},
		{"owner, approved", owner, approved, before, "", "", ""},
		{"owner a minute before the deadline", owner, reg, lastMinute, "", "", ""},
		{"owner at the deadline", owner, reg, late, "error.visa_deadline_passed", "error.visa_deadline_passed", Invalid},
		{"secretariat after the deadline", sec, reg, late, "", "", ""},
		{"owner after the meeting", owner, reg, after, "error.visa_meeting_over", "error.visa_meeting_over", Invalid},
		{"secretariat after the meeting", sec, reg, after, "error.visa_meeting_over", "error.visa_meeting_over", Invalid},
		{"remote", owner, remote, before, "", "error.visa_remote", Invalid},
		{"cancelled", owner, cancelled, before, "", "error.not_live", Conflict},
		{"rejected", owner, rejected, before, "", "error.not_live", Conflict},
		{"focal point", focal, reg, before, "", "error.visa_forbidden", Forbidden},
		{"visitor", Visitor, reg, before, "", "error.visa_forbidden", Forbidden},
		{"another delegate", Actor{ID: 12, OrganisationID: 3}, reg, before, "", "error.visa_forbidden", Forbidden},
	}
	for _, c := range cases {
		if got := VisaOffer(c.actor, m, dl, c.now).Key(); got != c.meeting {
			t.Errorf("%s: VisaOffer = %q, want %q", c.name, got, c.meeting)
		}
		ctx := VisaContext{Actor: c.actor, Registration: c.reg, Meeting: m, Deadline: dl, Now: c.now}
		offer := VisaRequestOffer(ctx)
		if offer.Allowed != (c.request == "") || offer.Key() != c.request {
			t.Errorf("%s: VisaRequestOffer = %+v, want %q", c.name, offer, c.request)
		}
		err := CheckVisaRequest(ctx)
		if c.request == "" {
			if err != nil {
				t.Errorf("%s: CheckVisaRequest = %v, want nil", c.name, err)
			}
			continue
		}
		if ErrorCode(err) != c.code {
			t.Errorf("%s: CheckVisaRequest code %s, want %s", c.name, ErrorCode(err), c.code)
		}
		if c.code == Invalid && fieldKey(err, FieldVisa) != c.request {
			t.Errorf("%s: the refusal is not beside the visa field: %v", c.name, err)
		}
	}
	if d, _ := VisaOffer(owner, m, dl, late).Reason.Args["Date"].(time.Time); !d.Equal(dl.Day) {
		t.Errorf("the deadline's refusal names %v, want %v", d, dl.Day)
	}
}

// TestPassportEditTable: who may change the passport data of a request in each state; the visa
// page offers the form from the same rule UpdatePassport applies.
func TestPassportEditTable(t *testing.T) {
	m := visaMeeting()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	owner := Actor{ID: 10, OrganisationID: 3}
	sec := Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}
	focal := Actor{ID: 11, OrganisationID: 3, Grants: []Grant{FocalPointGrant(3)}}
	erased := now
	cases := []struct {
		name   string
		actor  Actor
		state  VisaState
		erased bool
		want   string
	}{
		{"owner, requested", owner, VisaRequested, false, ""},
		{"owner, processing", owner, VisaProcessing, false, ""},
		{"owner, issued", owner, VisaIssued, false, "error.visa_issued_ask_secretariat"},
		{"owner, declined", owner, VisaDeclined, false, "error.visa_not_open"},
		{"owner, withdrawn", owner, VisaWithdrawn, false, "error.visa_not_open"},
		{"owner, erased", owner, VisaProcessing, true, "error.visa_erased"},
		{"secretariat, processing", sec, VisaProcessing, false, ""},
		{"secretariat, issued", sec, VisaIssued, false, ""},
		{"secretariat, declined", sec, VisaDeclined, false, "error.visa_not_open"},
		{"secretariat, erased", sec, VisaIssued, true, "error.visa_erased"},
		{"focal point", focal, VisaRequested, false, "error.visa_not_found"},
		{"visitor", Visitor, VisaRequested, false, "error.visa_not_found"},
	}
	for _, c := range cases {
		v := VisaRequest{ID: 1, RegistrationID: 5, MeetingID: m.ID, AccountID: 10, OrganisationID: 3, State: c.state,
			Passport: goodPassport(), Revision: 1}
		if c.erased {
			v.ErasedAt = &erased
		}
		offer := PassportEdit(c.actor, v)
		if offer.Allowed != (c.want == "") || offer.Key() != c.want {
			t.Errorf("%s: PassportEdit = %+v, want %q", c.name, offer, c.want)
		}
		out, reissue, err := UpdatePassport(c.actor, v, m, goodPassport(), now)
		if (err == nil) != offer.Allowed {
			t.Errorf("%s: UpdatePassport error %v, but PassportEdit allowed = %v", c.name, err, offer.Allowed)
		}
		if err == nil && reissue != (c.state == VisaIssued) {
			t.Errorf("%s: reissue = %v", c.name, reissue)
		}
		if err == nil && reissue && out.Revision != 2 {
			t.Errorf("%s: revision %d after a reissue", c.name, out.Revision)
		}
	}
}

// TestColocatedOfferAgreesWithChangeColocated: the page's reason is ChangeColocated's refusal.
func TestColocatedOfferAgreesWithChangeColocated(t *testing.T) {
	m := visaMeeting()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	after := time.Date(2025, 7, 26, 10, 0, 0, 0, time.UTC)
	owner := Actor{ID: 10, OrganisationID: 3}
	sec := Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}
	reg := Registration{ID: 5, MeetingID: m.ID, AccountID: 10, OrganisationID: 3, Mode: InPerson, State: Approved}
	cancelled := reg
	cancelled.State = Cancelled
	cases := []struct {
		name  string
		actor Actor
		reg   Registration
		visa  VisaState
		now   time.Time
		want  string
	}{
		{"owner", owner, reg, "", now, ""},
		{"owner, letter in processing", owner, reg, VisaProcessing, now, ""},
		{"owner, letter issued", owner, reg, VisaIssued, now, "error.colocated_letter_issued"},
		{"secretariat, letter issued", sec, reg, VisaIssued, now, ""},
		{"cancelled", owner, cancelled, "", now, "error.not_live"},
		{"after the meeting", owner, reg, "", after, "error.meeting_over"},
		{"stranger", Actor{ID: 12, OrganisationID: 4}, reg, "", now, "error.registration_not_found"},
	}
	for _, c := range cases {
		ch := ColocatedChange{Actor: c.actor, Registration: c.reg, Meeting: m, Visa: c.visa, Now: c.now}
		offer := ColocatedOffer(ch)
		if offer.Key() != c.want || offer.Allowed != (c.want == "") {
			t.Errorf("%s: ColocatedOffer = %+v, want %q", c.name, offer, c.want)
		}
		_, err := ChangeColocated(ch, nil)
		if got := ""; err != nil {
			e, _ := AsError(err)
			got = e.Key
			if got != c.want {
				t.Errorf("%s: ChangeColocated = %v, want %q", c.name, err, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%s: ChangeColocated allowed, want %q", c.name, c.want)
		}
	}
}

// TestCancelOfferAgreesWithCancel: the confirmation page's refusal is Cancel's.
func TestCancelOfferAgreesWithCancel(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	owner := Actor{ID: 10, OrganisationID: 3}
	focal := Actor{ID: 11, OrganisationID: 3, Grants: []Grant{FocalPointGrant(3)}}
	otherFocal := Actor{ID: 12, OrganisationID: 4, Grants: []Grant{FocalPointGrant(4)}}
	sec := Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}
	reg := Registration{ID: 5, MeetingID: 7, AccountID: 10, OrganisationID: 3, Mode: InPerson, State: Pending}
	with := func(s State) Registration { r := reg; r.State = s; return r }
	cases := []struct {
		name  string
		actor Actor
		reg   Registration
		want  string
	}{
		{"owner, pending", owner, reg, ""},
		{"owner, approved", owner, with(Approved), ""},
		{"focal point", focal, reg, ""},
		{"secretariat", sec, with(Approved), ""},
		{"owner, cancelled", owner, with(Cancelled), "error.not_live"},
		{"owner, rejected", owner, with(Rejected), "error.not_live"},
		{"another organisation's focal point", otherFocal, reg, "error.cancel_forbidden"},
		{"another delegate", Actor{ID: 13, OrganisationID: 3}, reg, "error.cancel_forbidden"},
		{"visitor", Visitor, reg, "error.cancel_forbidden"},
	}
	for _, c := range cases {
		offer := CancelOffer(c.actor, c.reg)
		if offer.Allowed != (c.want == "") || offer.Key() != c.want {
			t.Errorf("%s: CancelOffer = %+v, want %q", c.name, offer, c.want)
		}
		out, err := Cancel(c.actor, c.reg, now)
		switch {
		case c.want == "" && (err != nil || out.State != Cancelled || *out.CancelledBy != c.actor.ID):
			t.Errorf("%s: Cancel = %+v %v", c.name, out, err)
		case c.want != "":
			if e, ok := AsError(err); !ok || e.Key != c.want || out.State != c.reg.State {
				t.Errorf("%s: Cancel = %v (state %s), want %q and nothing changed", c.name, err, out.State, c.want)
			}
		}
	}
}
