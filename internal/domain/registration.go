package domain

import "time"

// Mode is how a delegate takes part.
type Mode string

// The participation modes.
const (
	InPerson Mode = "in_person"
	Remote   Mode = "remote"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == InPerson || m == Remote }

// State is where a registration stands.
type State string

// The registration states.
const (
	Pending   State = "pending"
	Approved  State = "approved"
	Rejected  State = "rejected"
	Cancelled State = "cancelled"
)

// States lists the states in the order lists show them.
var States = []State{Pending, Approved, Rejected, Cancelled}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s == Pending || s == Approved || s == Rejected || s == Cancelled }

// CancelledByOwner reports whether r was cancelled by the delegate themself.
func (r Registration) CancelledByOwner() bool {
	return r.State == Cancelled && r.CancelledBy != nil && *r.CancelledBy == r.AccountID
}

// Live reports whether a registration in this state still counts (one live registration per
// account and meeting).
func (s State) Live() bool { return s == Pending || s == Approved }

// Registration is a person's registration for a meeting.
type Registration struct {
	ID             int64      `db:"id"`
	MeetingID      int64      `db:"meeting_id"`
	AccountID      int64      `db:"account_id"`
	OrganisationID int64      `db:"organisation_id"`
	Mode           Mode       `db:"mode"`
	FunctionTitle  string     `db:"function_title"`
	Interpretation bool       `db:"interpretation"`
	Fellowship     bool       `db:"fellowship"`
	Accessibility  string     `db:"accessibility"`
	ListConsent    bool       `db:"list_consent"`
	State          State      `db:"state"`
	Late           bool       `db:"late"`
	RegisteredBy   *int64     `db:"registered_by"`
	DecidedBy      *int64     `db:"decided_by"`
	DecidedAt      *time.Time `db:"decided_at"`
	// CancelledBy is who cancelled it: its owner, a focal point or the secretariat.
	CancelledBy *int64    `db:"cancelled_by"`
	Reason      string    `db:"reason"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	// Colocated are the co-located events attended (stored beside the registration).
	Colocated []int64 `db:"-"`
}

// RegistrationRequest is what a registration form asks for.
type RegistrationRequest struct {
	Mode           Mode
	FunctionTitle  string
	Interpretation bool
	Fellowship     bool
	Accessibility  string
	ListConsent    bool
	// Colocated are the co-located events the delegate attends (checked against the meeting's
	// events with CheckColocated).
	Colocated []int64
}

// RegistrationContext is what the rules need to know about a registration being made.
type RegistrationContext struct {
	Actor   Actor
	Meeting Meeting
	// PreRegistration is the meeting's pre-registration deadline.
	PreRegistration Deadline
	// Registrant is the account being registered, and Organisation its organisation.
	Registrant   Account
	Organisation Organisation
	// RegistrantIsFocalPoint is true when the registrant is a focal point of the organisation.
	RegistrantIsFocalPoint bool
	Now                    time.Time
}

// FieldsFor says which optional questions a registration form asks: function/title, the
// interpretation request and the fellowship request are for Member State administrations only,
// and the last two only where the meeting offers them.
type FieldsFor struct {
	FunctionTitle  bool
	Interpretation bool
	Fellowship     bool
}

// RegistrationFields returns the optional questions for a delegate of org at meeting m.
func RegistrationFields(org OrgKind, m Meeting) FieldsFor {
	ms := org == MemberState
	return FieldsFor{FunctionTitle: ms, Interpretation: ms && m.Interpretation, Fellowship: ms && m.Fellowships}
}

// MayTakePart reports whether delegates of org may register for a meeting of study group sg:
// Member States, Sector Members, Academia and observers for any meeting; Associates only for the
// study groups they are associated with; others only through the secretariat.
func MayTakePart(org Organisation, sg int64) bool {
	switch org.Kind {
	case MemberState, SectorMember, Academia, Observer:
		return true
	case Associate:
		for _, id := range org.StudyGroupIDs {
			if id == sg {
				return true
			}
		}
	}
	return false
}

// NewRegistration checks a registration request against every rule and returns the registration
// to store: its state (pending, or approved at once under automatic approval, when the registrant
// is a focal point of the organisation, or when a focal point or the secretariat registers them)
// and whether it is late.
func NewRegistration(c RegistrationContext, req RegistrationRequest) (Registration, error) {
	a := c.Actor
	self := a.ID == c.Registrant.ID
	if !a.SignedIn() || (!self && !a.CanFor(RegisterColleagues, c.Organisation.ID) && !a.Can(RegisterAnyone)) {
		return Registration{}, Errorf(Forbidden, "error.register_forbidden")
	}
	if c.Registrant.OrganisationID == nil || *c.Registrant.OrganisationID != c.Organisation.ID {
		return Registration{}, Errorf(Forbidden, "error.register_other_organisation")
	}
	if err := RegistrationOffer(a, c.Meeting, c.PreRegistration, &c.Organisation, c.Now).Err(); err != nil {
		return Registration{}, err
	}
	late := c.PreRegistration.Passed(c.Now, c.Meeting.Location())
	if err := checkRequest(c.Organisation.Kind, c.Meeting, req); err != nil {
		return Registration{}, err
	}
	r := Registration{
		MeetingID: c.Meeting.ID, AccountID: c.Registrant.ID, OrganisationID: c.Organisation.ID,
		Mode: req.Mode, FunctionTitle: req.FunctionTitle, Interpretation: req.Interpretation,
		Fellowship: req.Fellowship, Accessibility: req.Accessibility, ListConsent: req.ListConsent,
		State: Pending, Late: late, CreatedAt: c.Now, UpdatedAt: c.Now, Colocated: req.Colocated,
	}
	if !self {
		r.RegisteredBy = &a.ID
	}
	switch {
	case !self:
		// A focal point or the secretariat registering someone decides at the same time.
		r.State = Approved
		r.DecidedBy = &a.ID
		r.DecidedAt = &c.Now
	case c.Organisation.AutoApproval || c.RegistrantIsFocalPoint:
		r.State = Approved
		r.DecidedAt = &c.Now
	}
	return r, nil
}

// checkRequest refuses a question that does not apply, even when sent anyway.
func checkRequest(org OrgKind, m Meeting, req RegistrationRequest) error {
	fields := map[string]string{}
	if !req.Mode.Valid() {
		fields["mode"] = "error.mode_required"
	}
	allowed := RegistrationFields(org, m)
	if req.FunctionTitle != "" && !allowed.FunctionTitle {
		fields["function_title"] = "error.member_states_only"
	}
	if req.Interpretation && !allowed.Interpretation {
		if org != MemberState {
			fields["interpretation"] = "error.member_states_only"
		} else {
			fields["interpretation"] = "error.no_interpretation"
		}
	}
	if req.Fellowship && !allowed.Fellowship {
		if org != MemberState {
			fields["fellowship"] = "error.member_states_only"
		} else {
			fields["fellowship"] = "error.no_fellowships"
		}
	}
	if len([]rune(req.FunctionTitle)) > 200 {
		fields["function_title"] = "error.too_long"
	}
	if len([]rune(req.Accessibility)) > 2000 {
		fields["accessibility"] = "error.too_long"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// CanView reports whether actor may see registration r: its owner, a focal point of its
// organisation, the secretariat.
func CanView(a Actor, r Registration) bool {
	return a.SignedIn() && (a.ID == r.AccountID || a.CanFor(ViewRegistrations, r.OrganisationID))
}

// CanDecide reports whether actor may approve or reject r: a focal point of its organisation or
// the secretariat.
func CanDecide(a Actor, r Registration) bool { return a.CanFor(DecideRegistrations, r.OrganisationID) }

// Decide approves or rejects a pending registration. A rejection needs a reason.
func Decide(a Actor, r Registration, approve bool, reason string, now time.Time) (Registration, error) {
	if !CanDecide(a, r) {
		return r, Errorf(Forbidden, "error.decide_forbidden")
	}
	if r.State != Pending {
		return r, &Error{Code: Conflict, Key: "error.already_decided", Args: map[string]any{"State": string(r.State)}}
	}
	if approve {
		r.State = Approved
		r.Reason = ""
	} else {
		if reason == "" {
			return r, FieldErrors(map[string]string{"reason": "error.reason_required"})
		}
		if len([]rune(reason)) > 1000 {
			return r, FieldErrors(map[string]string{"reason": "error.too_long"})
		}
		r.State = Rejected
		r.Reason = reason
	}
	r.DecidedBy = &a.ID
	r.DecidedAt = &now
	r.UpdatedAt = now
	return r, nil
}

// CancelOffer says whether actor may cancel registration r: its owner, a focal point of its
// organisation or the secretariat (Forbidden), while it is pending or approved (Conflict, with its
// "State"). The confirmation page asks from the same rule Cancel applies.
func CancelOffer(a Actor, r Registration) Capability {
	switch {
	case !CanView(a, r):
		return Deny(Errorf(Forbidden, "error.cancel_forbidden"))
	case !r.State.Live():
		return Deny(&Error{Code: Conflict, Key: "error.not_live", Args: map[string]any{"State": string(r.State)}})
	}
	return Allow()
}

// Cancel withdraws a pending or approved registration: by its owner, a focal point of its
// organisation or the secretariat (CancelOffer).
func Cancel(a Actor, r Registration, now time.Time) (Registration, error) {
	if err := CancelOffer(a, r).Err(); err != nil {
		return r, err
	}
	r.State = Cancelled
	r.CancelledBy = &a.ID
	r.UpdatedAt = now
	return r, nil
}

// ChangeMode switches a live registration between in person and remote. An approved registration
// switched from remote to in person goes back to pending, unless it would be approved at once
// again (automatic approval, a focal point's own registration) or the secretariat switches it;
// after the pre-registration deadline only the secretariat may switch someone to in person.
func ChangeMode(a Actor, r Registration, m Meeting, pre Deadline, mode Mode, autoApprove bool, now time.Time) (Registration, error) {
	if !CanView(a, r) {
		return r, Errorf(Forbidden, "error.change_forbidden")
	}
	if !mode.Valid() {
		return r, FieldErrors(map[string]string{"mode": "error.mode_required"})
	}
	if !r.State.Live() {
		return r, &Error{Code: Conflict, Key: "error.not_live", Args: map[string]any{"State": string(r.State)}}
	}
	if r.Mode == mode {
		return r, Errorf(Conflict, "error.same_mode")
	}
	if mode == InPerson && !a.Can(RegisterAnyone) && pre.Passed(now, m.Location()) {
		return r, Errorf(Invalid, "error.in_person_closed")
	}
	if mode == InPerson && r.State == Approved && !a.Can(RegisterAnyone) && !autoApprove {
		r.State = Pending
		r.DecidedBy, r.DecidedAt = nil, nil
	}
	r.Mode = mode
	r.UpdatedAt = now
	return r, nil
}

// RegistrationOffer says whether the registration form is open to actor at meeting m for a
// delegate of org (nil: the account has no organisation), and why not: the meeting is a draft
// (not found, but for the secretariat), registration has not opened yet, the meeting is over, the
// account has no organisation, its organisation does not take part in the meeting's study group,
// or the pre-registration deadline pre has passed. Only an actor who may register anyone (the
// secretariat) passes the last two. NewRegistration refuses with the same reasons, so the page
// and the use case cannot disagree.
func RegistrationOffer(a Actor, m Meeting, pre Deadline, org *Organisation, now time.Time) Capability {
	anyone := a.Can(RegisterAnyone)
	switch {
	case !CanSeeMeeting(a, m):
		return Deny(Errorf(NotFound, "error.meeting_not_found"))
	case m.Past(now):
		return Deny(Errorf(Invalid, "error.meeting_over"))
	case !anyone && now.Before(m.RegistrationOpensAt()):
		return Deny(&Error{Code: Invalid, Key: "error.registration_not_open", Args: map[string]any{"Date": *m.RegistrationOpens}})
	case org == nil:
		return Deny(Errorf(Invalid, "error.no_organisation"))
	case !anyone && !MayTakePart(*org, m.StudyGroupID):
		return Deny(Errorf(Forbidden, "error.register_not_eligible"))
	case !anyone && pre.Passed(now, m.Location()):
		return Deny(&Error{Code: Invalid, Key: "error.registration_closed", Args: map[string]any{"Date": pre.Day}})
	}
	return Allow()
}
