package domain

import (
	"testing"
	"time"
)

func visaMeeting() Meeting {
	return Meeting{ID: 7, Slug: "sg13-wp-2025-07", TimeZone: "Europe/Zurich", FirstDay: mustDate("2025-07-25"), LastDay: mustDate("2025-07-25")}
}

func mustDate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func goodPassport() Passport {
	return Passport{Name: "José Müller-Ñúñez", BirthDate: mustDate("1984-02-29"), BirthPlace: "Zaragoza", Nationality: "Spanish",
		Number: "PAE4471", Issued: mustDate("2021-05-06"), Expires: mustDate("2025-10-25"), IssuingCountry: "Spain",
		Representation: "Embassy of Switzerland, Madrid, Spain", RepresentationID: new(int64(7)), NativeName: "何塞"}
}

func fieldKey(err error, field string) string {
	e, ok := AsError(err)
	if !ok {
		return ""
	}
	return e.Fields[field]
}

func TestCheckPassport(t *testing.T) {
	m := visaMeeting()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	if err := CheckPassport(goodPassport(), m, now); err != nil {
		t.Fatalf("valid passport (expiring exactly three months after the meeting): %v", err)
	}
	cases := []struct {
		name        string
		change      func(*Passport)
		field, want string
	}{
		{"expires a day too early", func(p *Passport) { p.Expires = mustDate("2025-10-24") }, FieldExpires, "error.visa_expires_too_soon"},
		{"expires before issue", func(p *Passport) { p.Expires = mustDate("2021-01-01") }, FieldExpires, "error.visa_expires_before_issue"},
		{"born after issue", func(p *Passport) { p.BirthDate = mustDate("2022-01-01") }, FieldIssued, "error.visa_issued_before_birth"},
		{"born in the future", func(p *Passport) { p.BirthDate = mustDate("2025-06-02") }, FieldBirthDate, "error.visa_birth_date"},
		{"born 121 years ago", func(p *Passport) { p.BirthDate = mustDate("1904-01-01") }, FieldBirthDate, "error.visa_birth_date"},
		{"issued in the future", func(p *Passport) { p.Issued = mustDate("2025-06-02") }, FieldIssued, "error.visa_issued_future"},
		{"no birth date", func(p *Passport) { p.BirthDate = time.Time{} }, FieldBirthDate, "error.visa_date_required"},
		{"no name", func(p *Passport) { p.Name = "  " }, FieldPassportName, "error.visa_required"},
		{"no representation", func(p *Passport) { p.RepresentationID = nil }, FieldRepresentation, "error.visa_representation"},
		{"an unknown representation", func(p *Passport) { p.Representation = "" }, FieldRepresentation, "error.visa_representation"},
		{"name in Chinese", func(p *Passport) { p.Name = "张伟" }, FieldPassportName, "error.visa_latin"},
		{"name in Cyrillic", func(p *Passport) { p.Name = "Мария Иванова" }, FieldPassportName, "error.visa_latin"},
		{"birth place in Chinese", func(p *Passport) { p.BirthPlace = "上海" }, FieldBirthPlace, "error.visa_latin"},
		{"nationality mixed", func(p *Passport) { p.Nationality = "Chinese 中国" }, FieldNationality, "error.visa_latin"},
		{"issuing authority in Arabic", func(p *Passport) { p.IssuingCountry = "مصر" }, FieldIssuingCountry, "error.visa_latin"},
		{"passport number in Cyrillic", func(p *Passport) { p.Number = "РА123" }, FieldPassportNumber, "error.visa_passport_number"},
		{"native name on two lines", func(p *Passport) { p.NativeName = "张\n伟" }, FieldNativeName, "error.visa_one_line"},
		{"two lines", func(p *Passport) { p.BirthPlace = "Zaragoza\nSpain" }, FieldBirthPlace, "error.visa_one_line"},
		{"too long", func(p *Passport) { p.Nationality = string(make([]rune, 201)) }, FieldNationality, "error.too_long"},
	}
	for _, c := range cases {
		p := goodPassport()
		c.change(&p)
		if got := fieldKey(CheckPassport(p, m, now), c.field); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.name, c.field, got, c.want)
		}
	}
}

func TestVisaRequestRules(t *testing.T) {
	m := visaMeeting()
	dl := Deadline{Kind: VisaSupportRequest, Day: mustDate("2025-06-25")}
	owner := Actor{ID: 10, OrganisationID: 3}
	reg := Registration{ID: 5, MeetingID: m.ID, AccountID: 10, OrganisationID: 3, Mode: InPerson, State: Pending}
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	ctx := func(a Actor, r Registration, now time.Time) VisaContext {
		return VisaContext{Actor: a, Registration: r, Meeting: m, Deadline: dl, Now: now}
	}
	v, err := NewVisaRequest(ctx(owner, reg, now), goodPassport())
	if err != nil || v.State != VisaRequested || v.DueOn != nil || v.AccountID != 10 {
		t.Fatalf("pending registration: %+v %v", v, err)
	}
	approved := reg
	approved.State = Approved
	v, err = NewVisaRequest(ctx(owner, approved, now), goodPassport())
	if err != nil || v.State != VisaProcessing || v.DueOn == nil || ymd(*v.DueOn) != "2025-06-16" {
		t.Fatalf("approved registration: %+v %v", v, err)
	}
	// The deadline is the end of the day in Geneva: 23:59 on 25 June in Zurich is 21:59 UTC.
	lastMinute := time.Date(2025, 6, 25, 21, 59, 0, 0, time.UTC)
	if _, err := NewVisaRequest(ctx(owner, reg, lastMinute), goodPassport()); err != nil {
		t.Errorf("a minute before the deadline: %v", err)
	}
	late := time.Date(2025, 6, 25, 22, 0, 0, 0, time.UTC)
	if got := fieldKey(CheckVisaRequest(ctx(owner, reg, late)), FieldVisa); got != "error.visa_deadline_passed" {
		t.Errorf("at the deadline: %q", got)
	}
	if err := CheckVisaRequest(ctx(Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}, reg, late)); err != nil {
		t.Errorf("the secretariat after the deadline: %v", err)
	}
	remote := reg
	remote.Mode = Remote
	if got := fieldKey(CheckVisaRequest(ctx(owner, remote, now)), FieldVisa); got != "error.visa_remote" {
		t.Errorf("remote: %q", got)
	}
	cancelled := reg
	cancelled.State = Cancelled
	if ErrorCode(CheckVisaRequest(ctx(owner, cancelled, now))) != Conflict {
		t.Error("cancelled registration accepted")
	}
	focal := Actor{ID: 11, OrganisationID: 3, Grants: []Grant{FocalPointGrant(3)}}
	if ErrorCode(CheckVisaRequest(ctx(focal, reg, now))) != Forbidden {
		t.Error("a focal point may not request for a delegate (the passport data are the delegate's)")
	}
	if ErrorCode(CheckVisaRequest(ctx(Visitor, reg, now))) != Forbidden {
		t.Error("visitor")
	}
	after := time.Date(2025, 7, 26, 10, 0, 0, 0, time.UTC)
	if got := fieldKey(CheckVisaRequest(ctx(Actor{ID: 99, Grants: []Grant{SecretariatGrant()}}, reg, after)), FieldVisa); got != "error.visa_meeting_over" {
		t.Errorf("after the meeting: %q", got)
	}
}

func TestVisaStateMachine(t *testing.T) {
	m := visaMeeting()
	loc := m.Location()
	sec := Actor{ID: 1, Grants: []Grant{SecretariatGrant()}}
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	v := VisaRequest{ID: 42, AccountID: 10, OrganisationID: 3, State: VisaRequested, Passport: goodPassport()}

	if _, err := IssueVisa(sec, v, now); ErrorCode(err) != Conflict {
		t.Errorf("issue a requested letter: %v", err)
	}
	p, changed := VisaOnApproved(v, loc, now)
	if !changed || p.State != VisaProcessing || ymd(*p.DueOn) != "2025-06-16" {
		t.Fatalf("on approval: %+v", p)
	}
	if _, changed := VisaOnApproved(p, loc, now); changed {
		t.Error("approval moved a processing request again")
	}
	if p.Overdue(time.Date(2025, 6, 16, 21, 59, 0, 0, time.UTC), loc) || !p.Overdue(time.Date(2025, 6, 16, 22, 0, 0, 0, time.UTC), loc) {
		t.Error("overdue at the end of the due day in Geneva")
	}
	if _, err := IssueVisa(Actor{ID: 10}, p, now); ErrorCode(err) != Forbidden {
		t.Errorf("the owner issues: %v", err)
	}
	i, err := IssueVisa(sec, p, now)
	if err != nil || i.State != VisaIssued || i.Revision != 1 || *i.DecidedBy != 1 {
		t.Fatalf("issue: %+v %v", i, err)
	}
	if _, err := DeclineVisa(sec, i, "late", now); ErrorCode(err) != Conflict {
		t.Errorf("decline an issued letter: %v", err)
	}
	w, changed := WithdrawVisa(i, now)
	if !changed || w.State != VisaWithdrawn {
		t.Errorf("withdraw an issued letter: %+v", w)
	}
	if _, changed := WithdrawVisa(w, now); changed {
		t.Error("withdrew twice")
	}
	if _, err := DeclineVisa(sec, p, " ", now); fieldKey(err, "reason") != "error.visa_reason_required" {
		t.Errorf("decline without a reason: %v", err)
	}
	d, err := DeclineVisa(sec, p, "Incomplete passport copy.", now)
	if err != nil || d.State != VisaDeclined || d.Reason != "Incomplete passport copy." {
		t.Fatalf("decline: %+v %v", d, err)
	}
	if _, changed := WithdrawVisa(d, now); changed {
		t.Error("a declined request was withdrawn")
	}

	// Passport changes: the owner while open, the secretariat after issue (a new revision).
	owner := Actor{ID: 10, OrganisationID: 3}
	np := goodPassport()
	np.Name = "José MÜLLER-ÑÚÑEZ"
	u, reissue, err := UpdatePassport(owner, p, m, np, now)
	if err != nil || reissue || u.Name != np.Name || u.Revision != 0 {
		t.Fatalf("owner update: %+v %v %v", u, reissue, err)
	}
	if _, _, err := UpdatePassport(owner, i, m, np, now); ErrorCode(err) != Conflict {
		t.Errorf("owner update after issue: %v", err)
	}
	u, reissue, err = UpdatePassport(sec, i, m, np, now)
	if err != nil || !reissue || u.Revision != 2 || u.State != VisaIssued {
		t.Fatalf("secretariat update after issue: %+v %v %v", u, reissue, err)
	}
	if _, _, err := UpdatePassport(Actor{ID: 11, Grants: []Grant{FocalPointGrant(3)}}, p, m, np, now); ErrorCode(err) != NotFound {
		t.Errorf("focal point update: %v", err)
	}
	erased := p
	erased.ErasedAt = &now
	if _, _, err := UpdatePassport(sec, erased, m, np, now); ErrorCode(err) != Conflict {
		t.Errorf("update erased: %v", err)
	}
}

func TestVisaPermissions(t *testing.T) {
	v := VisaRequest{AccountID: 10, OrganisationID: 3}
	cases := []struct {
		name                    string
		a                       Actor
		state, passport, decide bool
	}{
		{"owner", Actor{ID: 10, OrganisationID: 3}, true, true, false},
		{"other delegate", Actor{ID: 12, OrganisationID: 3}, false, false, false},
		{"focal point", Actor{ID: 11, OrganisationID: 3, Grants: []Grant{FocalPointGrant(3)}}, true, false, false},
		{"other focal point", Actor{ID: 13, OrganisationID: 4, Grants: []Grant{FocalPointGrant(4)}}, false, false, false},
		{"secretariat", Actor{ID: 1, Grants: []Grant{SecretariatGrant()}}, true, true, true},
		{"visitor", Visitor, false, false, false},
	}
	for _, c := range cases {
		if CanSeeVisaState(c.a, v) != c.state || CanSeePassport(c.a, v) != c.passport || CanDecideVisa(c.a) != c.decide {
			t.Errorf("%s: state %v passport %v decide %v", c.name, CanSeeVisaState(c.a, v), CanSeePassport(c.a, v), CanDecideVisa(c.a))
		}
	}
}

func TestVisaReferenceAndErasure(t *testing.T) {
	if got := VisaReference("sg13-wp-2025-07", 42, 1); got != "SG13-WP-2025-07/V00042" {
		t.Errorf("reference %s", got)
	}
	if got := VisaReference("sg13-wp-2025-07", 123456, 3); got != "SG13-WP-2025-07/V123456-R3" {
		t.Errorf("revision 3: %s", got)
	}
	m := visaMeeting()
	// 90 days after 25 July is 23 October; the data go at the end of that day in Geneva.
	if VisaErasureDue(m, 90, time.Date(2025, 10, 23, 21, 59, 0, 0, time.UTC)) || !VisaErasureDue(m, 90, time.Date(2025, 10, 23, 22, 0, 0, 0, time.UTC)) {
		t.Error("erasure due at the end of the 90th day after the meeting")
	}
	if !VisaErasureDue(m, 0, time.Date(2025, 7, 26, 0, 0, 0, 0, loc(t))) {
		t.Error("retention 0: erased as soon as the meeting ends")
	}
}

func loc(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ymd(d time.Time) string { return d.Format(time.DateOnly) }
