package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// VisaState is where a visa support letter request stands.
type VisaState string

// The visa request states: requested with the registration; processing once the registration is
// approved (the letter is due VisaProcessingDays later); then issued or declined; withdrawn when
// the registration is cancelled, rejected or becomes remote.
const (
	VisaRequested  VisaState = "requested"
	VisaProcessing VisaState = "processing"
	VisaIssued     VisaState = "issued"
	VisaDeclined   VisaState = "declined"
	VisaWithdrawn  VisaState = "withdrawn"
)

// VisaStates lists the states in the order lists show them.
var VisaStates = []VisaState{VisaRequested, VisaProcessing, VisaIssued, VisaDeclined, VisaWithdrawn}

// Valid reports whether s is a known state.
func (s VisaState) Valid() bool {
	for _, x := range VisaStates {
		if x == s {
			return true
		}
	}
	return false
}

// Open reports whether the request still awaits the secretariat.
func (s VisaState) Open() bool { return s == VisaRequested || s == VisaProcessing }

// Live reports whether the request counts as the registration's request (one per registration):
// every state but withdrawn.
func (s VisaState) Live() bool { return s.Valid() && s != VisaWithdrawn }

// VisaProcessingDays is how long the secretariat has to issue a letter once the registration is
// approved.
const VisaProcessingDays = 15

// PassportValidityMonths is how long a passport must still be valid after the meeting's last
// day (the Schengen rule).
const PassportValidityMonths = 3

// Passport is what a visa request asks for: the participant's passport data and the Swiss
// representation where the visa will be applied for.
type Passport struct {
	Name           string    `db:"passport_name"`
	BirthDate      time.Time `db:"birth_date"`
	BirthPlace     string    `db:"birth_place"`
	Nationality    string    `db:"nationality"`
	Number         string    `db:"passport_number"`
	Issued         time.Time `db:"passport_issued"`
	Expires        time.Time `db:"passport_expires"`
	IssuingCountry string    `db:"issuing_country"`
	// Representation is the name of the Swiss representation chosen (RepresentationID), as it
	// was when chosen.
	Representation   string `db:"representation"`
	RepresentationID *int64 `db:"representation_id"`
	// NativeName is the name in another script, if the holder gives it: shown beside the
	// passport's Latin one on the pages, never in a letter written in Latin script.
	NativeName string `db:"passport_name_native"`
}

// VisaRequest is a request for a visa support letter, attached to an in-person registration.
type VisaRequest struct {
	ID             int64     `db:"id"`
	RegistrationID int64     `db:"registration_id"`
	MeetingID      int64     `db:"meeting_id"`
	AccountID      int64     `db:"account_id"`
	OrganisationID int64     `db:"organisation_id"`
	State          VisaState `db:"state"`
	Passport
	// DueOn is the day the letter is due, set when the request moves to processing.
	DueOn     *time.Time `db:"due_on"`
	Reason    string     `db:"reason"`
	DecidedBy *int64     `db:"decided_by"`
	DecidedAt *time.Time `db:"decided_at"`
	Revision  int        `db:"revision"`
	ErasedAt  *time.Time `db:"erased_at"`
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
}

// Overdue reports whether a request in processing has passed its due day at now in loc.
func (v VisaRequest) Overdue(now time.Time, loc *time.Location) bool {
	return v.State == VisaProcessing && v.DueOn != nil && !now.Before(EndOfDay(*v.DueOn, loc))
}

// Today returns the calendar day of now in loc, as a date at midnight UTC (how days are stored).
func Today(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CanSeeVisaState reports whether actor may see that a registration has a visa request and its
// state: the owner, a focal point of the organisation, the secretariat.
func CanSeeVisaState(a Actor, v VisaRequest) bool {
	return CanView(a, Registration{AccountID: v.AccountID, OrganisationID: v.OrganisationID})
}

// CanSeePassport reports whether actor may see the passport data and download the letter: only
// their owner and the secretariat (not the focal point).
func CanSeePassport(a Actor, v VisaRequest) bool {
	return a.SignedIn() && (a.ID == v.AccountID || a.Can(ManageVisas))
}

// CanDecideVisa reports whether actor may issue or decline letters: the secretariat.
func CanDecideVisa(a Actor) bool { return a.Can(ManageVisas) }

// VisaContext is what the rules need to know about the registration a request is made for.
type VisaContext struct {
	Actor        Actor
	Registration Registration
	Meeting      Meeting
	// Deadline is the meeting's visa support request deadline.
	Deadline Deadline
	Now      time.Time
}

// The form fields of a visa request, named as the forms name them.
const (
	FieldVisa           = "visa_request"
	FieldPassportName   = "passport_name"
	FieldBirthDate      = "birth_date"
	FieldBirthPlace     = "birth_place"
	FieldNationality    = "nationality"
	FieldPassportNumber = "passport_number"
	FieldIssued         = "passport_issued"
	FieldExpires        = "passport_expires"
	FieldIssuingCountry = "issuing_country"
	FieldRepresentation = "representation"
	FieldNativeName     = "passport_name_native"
)

// VisaOffer says whether a visa support letter can still be asked for at meeting m, whose visa
// support request deadline is dl: not once the meeting has taken place, and not after the
// deadline but by the secretariat (who may still add one). The registration form and the visa
// page show its reason, and CheckVisaRequest refuses with it, so they cannot disagree. A refusal
// names the form's visa field; the deadline's refusal carries its day as "Date".
func VisaOffer(a Actor, m Meeting, dl Deadline, now time.Time) Capability {
	switch {
	case m.Past(now):
		return Deny(visaFieldError("error.visa_meeting_over", nil))
	case !a.Can(ManageVisas) && dl.Passed(now, m.Location()):
		return Deny(visaFieldError("error.visa_deadline_passed", map[string]any{"Date": dl.Day}))
	}
	return Allow()
}

// VisaRequestOffer says whether a visa request may be made for the registration described by c
// (without the passport data): by the registrant or the secretariat (Forbidden), for a live
// registration (Conflict, with its "State"), in person, while VisaOffer allows it.
func VisaRequestOffer(c VisaContext) Capability {
	a, r := c.Actor, c.Registration
	switch {
	case !a.SignedIn() || (a.ID != r.AccountID && !a.Can(ManageVisas)):
		return Deny(Errorf(Forbidden, "error.visa_forbidden"))
	case !r.State.Live():
		return Deny(&Error{Code: Conflict, Key: "error.not_live", Args: map[string]any{"State": string(r.State)}})
	case r.Mode != InPerson:
		return Deny(visaFieldError("error.visa_remote", nil))
	}
	return VisaOffer(a, c.Meeting, c.Deadline, c.Now)
}

// visaFieldError is a refusal shown beside the form's visa field.
func visaFieldError(key string, args map[string]any) *Error {
	return &Error{Code: Invalid, Key: key, Args: args, Fields: map[string]string{FieldVisa: key}}
}

// CheckVisaRequest checks that a visa request may be made for the registration described by c
// (without the passport data): VisaRequestOffer's refusal, nil when it is allowed.
func CheckVisaRequest(c VisaContext) error { return VisaRequestOffer(c).Err() }

// CheckPassport checks passport data for a meeting: every field given, dates that make sense
// (born before the passport was issued, issued before it expires, neither in the future nor
// absurdly old), and a passport still valid PassportValidityMonths after the meeting's last day.
func CheckPassport(p Passport, m Meeting, now time.Time) error {
	fields := map[string]string{}
	text := map[string]string{
		FieldPassportName: p.Name, FieldBirthPlace: p.BirthPlace, FieldNationality: p.Nationality,
		FieldPassportNumber: p.Number, FieldIssuingCountry: p.IssuingCountry,
	}
	for name, v := range text {
		switch {
		case strings.TrimSpace(v) == "":
			fields[name] = "error.visa_required"
		case utf8.RuneCountInString(v) > 200:
			fields[name] = "error.too_long"
		case strings.ContainsAny(v, "\r\n\t"):
			fields[name] = "error.visa_one_line"
		case name == FieldPassportNumber && !PassportNumberChars(v):
			fields[name] = "error.visa_passport_number"
		case !LatinScript(v):
			// As the passport's machine-readable zone prints it.
			fields[name] = "error.visa_latin"
		}
	}
	switch {
	case p.RepresentationID == nil || strings.TrimSpace(p.Representation) == "":
		fields[FieldRepresentation] = "error.visa_representation"
	}
	switch n := p.NativeName; {
	case utf8.RuneCountInString(n) > 200:
		fields[FieldNativeName] = "error.too_long"
	case strings.ContainsAny(n, "\r\n\t"):
		fields[FieldNativeName] = "error.visa_one_line"
	}
	today := Today(now, m.Location())
	if p.BirthDate.IsZero() {
		fields[FieldBirthDate] = "error.visa_date_required"
	} else if !p.BirthDate.Before(today) || p.BirthDate.Before(today.AddDate(-120, 0, 0)) {
		fields[FieldBirthDate] = "error.visa_birth_date"
	}
	if p.Issued.IsZero() {
		fields[FieldIssued] = "error.visa_date_required"
	} else if p.Issued.After(today) {
		fields[FieldIssued] = "error.visa_issued_future"
	} else if !p.BirthDate.IsZero() && p.Issued.Before(p.BirthDate) {
		fields[FieldIssued] = "error.visa_issued_before_birth"
	}
	if p.Expires.IsZero() {
		fields[FieldExpires] = "error.visa_date_required"
	} else if !p.Issued.IsZero() && !p.Expires.After(p.Issued) {
		fields[FieldExpires] = "error.visa_expires_before_issue"
	} else if p.Expires.Before(PassportValidUntil(m)) {
		fields[FieldExpires] = "error.visa_expires_too_soon"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// PassportValidUntil is the first day a passport may expire for a meeting: PassportValidityMonths
// after its last day.
func PassportValidUntil(m Meeting) time.Time {
	return m.LastDay.AddDate(0, PassportValidityMonths, 0)
}

// NewVisaRequest checks a request and returns it to store: requested, or processing at once
// (due VisaProcessingDays later) when the registration is already approved.
func NewVisaRequest(c VisaContext, p Passport) (VisaRequest, error) {
	if err := CheckVisaRequest(c); err != nil {
		return VisaRequest{}, err
	}
	if err := CheckPassport(p, c.Meeting, c.Now); err != nil {
		return VisaRequest{}, err
	}
	r := c.Registration
	v := VisaRequest{
		RegistrationID: r.ID, MeetingID: r.MeetingID, AccountID: r.AccountID, OrganisationID: r.OrganisationID,
		State: VisaRequested, Passport: trimPassport(p), CreatedAt: c.Now, UpdatedAt: c.Now,
	}
	if r.State == Approved {
		v, _ = VisaOnApproved(v, c.Meeting.Location(), c.Now)
	}
	return v, nil
}

func trimPassport(p Passport) Passport {
	p.Name = strings.TrimSpace(p.Name)
	p.BirthPlace = strings.TrimSpace(p.BirthPlace)
	p.Nationality = strings.TrimSpace(p.Nationality)
	p.Number = strings.TrimSpace(p.Number)
	p.IssuingCountry = strings.TrimSpace(p.IssuingCountry)
	p.Representation = strings.TrimSpace(p.Representation)
	p.NativeName = strings.TrimSpace(p.NativeName)
	return p
}

// VisaOnApproved moves a requested letter to processing when its registration is approved: due
// VisaProcessingDays after today in the meeting's time zone. It reports whether v changed.
func VisaOnApproved(v VisaRequest, loc *time.Location, now time.Time) (VisaRequest, bool) {
	if v.State != VisaRequested {
		return v, false
	}
	due := Today(now, loc).AddDate(0, 0, VisaProcessingDays)
	v.State = VisaProcessing
	v.DueOn = &due
	v.UpdatedAt = now
	return v, true
}

// WithdrawVisa withdraws a request whose registration was cancelled, rejected or switched to
// remote: an open request, or an issued letter (which then no longer verifies as valid). A
// declined or already withdrawn request is left as it is. It reports whether v changed.
func WithdrawVisa(v VisaRequest, now time.Time) (VisaRequest, bool) {
	if v.State != VisaRequested && v.State != VisaProcessing && v.State != VisaIssued {
		return v, false
	}
	v.State = VisaWithdrawn
	v.UpdatedAt = now
	return v, true
}

// IssueVisa marks a request in processing as issued, by the secretariat. The store writes the
// letter.
func IssueVisa(a Actor, v VisaRequest, now time.Time) (VisaRequest, error) {
	if !CanDecideVisa(a) {
		return v, Errorf(Forbidden, "error.visa_decide_forbidden")
	}
	if v.ErasedAt != nil {
		return v, Errorf(Conflict, "error.visa_erased")
	}
	if v.State != VisaProcessing {
		return v, &Error{Code: Conflict, Key: "error.visa_not_processing", Args: map[string]any{"VisaState": string(v.State)}}
	}
	v.State = VisaIssued
	v.Revision++
	v.Reason = ""
	v.DecidedBy = &a.ID
	v.DecidedAt = &now
	v.UpdatedAt = now
	return v, nil
}

// DeclineVisa declines an open request, by the secretariat, with a reason the delegate is told.
func DeclineVisa(a Actor, v VisaRequest, reason string, now time.Time) (VisaRequest, error) {
	if !CanDecideVisa(a) {
		return v, Errorf(Forbidden, "error.visa_decide_forbidden")
	}
	if !v.State.Open() {
		return v, &Error{Code: Conflict, Key: "error.visa_not_open", Args: map[string]any{"VisaState": string(v.State)}}
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return v, FieldErrors(map[string]string{"reason": "error.visa_reason_required"})
	}
	if utf8.RuneCountInString(reason) > 1000 {
		return v, FieldErrors(map[string]string{"reason": "error.too_long"})
	}
	v.State = VisaDeclined
	v.Reason = reason
	v.DecidedBy = &a.ID
	v.DecidedAt = &now
	v.UpdatedAt = now
	return v, nil
}

// PassportEdit says whether actor may change the passport data of request v: its owner while the
// request is open; once the letter is issued only the secretariat (UpdatePassport then makes a
// new revision of the letter). Never after the data were erased. The visa page offers the form
// from the same rule.
func PassportEdit(a Actor, v VisaRequest) Capability {
	switch {
	case !CanSeePassport(a, v):
		return Deny(Errorf(NotFound, "error.visa_not_found"))
	case v.ErasedAt != nil:
		return Deny(Errorf(Conflict, "error.visa_erased"))
	case v.State.Open():
		return Allow()
	case v.State == VisaIssued && a.Can(ManageVisas):
		return Allow()
	case v.State == VisaIssued:
		return Deny(Errorf(Conflict, "error.visa_issued_ask_secretariat"))
	}
	return Deny(&Error{Code: Conflict, Key: "error.visa_not_open", Args: map[string]any{"VisaState": string(v.State)}})
}

// UpdatePassport changes a request's passport data. The owner may correct an open request; once
// the letter is issued only the secretariat may, and the change makes a new revision of the
// letter (reissue is true): the earlier one is superseded.
func UpdatePassport(a Actor, v VisaRequest, m Meeting, p Passport, now time.Time) (out VisaRequest, reissue bool, err error) {
	if err := PassportEdit(a, v).Err(); err != nil {
		return v, false, err
	}
	reissue = v.State == VisaIssued
	if err := CheckPassport(p, m, now); err != nil {
		return v, false, err
	}
	v.Passport = trimPassport(p)
	v.UpdatedAt = now
	if reissue {
		v.Revision++
		v.DecidedBy = &a.ID
		v.DecidedAt = &now
	}
	return v, reissue, nil
}

// VisaReference is a letter's reference number: the meeting's slug in capitals, the request's
// number, and from the second revision on a suffix naming the revision ("SG13-WP-2025-07/V00042",
// then "SG13-WP-2025-07/V00042-R2").
func VisaReference(meetingSlug string, requestID int64, revision int) string {
	ref := fmt.Sprintf("%s/V%05d", strings.ToUpper(meetingSlug), requestID)
	if revision > 1 {
		ref += fmt.Sprintf("-R%d", revision)
	}
	return ref
}

// VisaErasureDue reports whether a meeting's visa data are to be erased at now: retentionDays
// after its last day has ended in its time zone.
func VisaErasureDue(m Meeting, retentionDays int, now time.Time) bool {
	return !now.Before(EndOfDay(m.LastDay.AddDate(0, 0, retentionDays), m.Location()))
}

// LetterStatus is what the public verification page says about a letter.
type LetterStatus string

// The letter statuses.
const (
	LetterValid      LetterStatus = "valid"      // the current revision of an issued request
	LetterSuperseded LetterStatus = "superseded" // a later revision replaced it
	LetterWithdrawn  LetterStatus = "withdrawn"  // the registration was cancelled or became remote
	LetterExpired    LetterStatus = "expired"    // the data were erased after the meeting
)

// AuditDetail is what the audit trail says about a request: never the passport data, nor a
// decline's reason (which stays with the request, and is erased with it).
func (v VisaRequest) AuditDetail() map[string]any {
	d := map[string]any{"state": v.State, "registration_id": v.RegistrationID}
	if v.DueOn != nil {
		d["due_on"] = v.DueOn.Format(time.DateOnly)
	}
	if v.Revision > 0 {
		d["revision"] = v.Revision
	}
	return d
}
