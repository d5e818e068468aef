package domain

import (
	"slices"
	"time"
)

// Permission is one thing an actor may be allowed to do. Roles are data: a role is a set of
// permissions (roles below), and an account holds roles as grants, each everywhere or for one
// organisation or one meeting. A new role (desk staff of a meeting) or an API token's scopes is a
// new entry in roles or a narrower set of permissions, never a new boolean on Actor.
// Its value reads "thing:action" (kept apart from the catalogue's dotted keys).
type Permission string

// The permissions. Those held everywhere only are marked so; the others may be held for one
// organisation (a focal point's) or one meeting.
const (
	// ManageMeetings: create, edit and copy meetings (fields, deadlines, sessions, agendas). Everywhere only.
	ManageMeetings Permission = "meetings:manage"
	// ManageOrganisations: create and edit organisations, name or remove their focal points. Everywhere only.
	ManageOrganisations Permission = "organisations:manage"
	// ManageStudyGroups: edit study groups, working parties and Questions. Everywhere only.
	ManageStudyGroups Permission = "study_groups:manage"
	// ReadMail: read the outbox, which holds everyone's messages. Everywhere only.
	ReadMail Permission = "mail:read"
	// ListParticipants: see and export a meeting's list of participants.
	ListParticipants Permission = "participants:list"
	// ManageVisas: decide visa requests and issue, edit and withdraw letters.
	ManageVisas Permission = "visas:manage"
	// ManageDocuments: post every document type, edit, link and withdraw documents.
	ManageDocuments Permission = "documents:manage"
	// RegisterAnyone: register an account of any organisation, after the pre-registration
	// deadline too, and switch a registration to in person then, without sending it back to
	// pending.
	RegisterAnyone Permission = "registrations:register_anyone"

	// ViewRegistrations: see, cancel and change the mode of an organisation's registrations.
	ViewRegistrations Permission = "registrations:view"
	// DecideRegistrations: approve and reject an organisation's registrations.
	DecideRegistrations Permission = "registrations:decide"
	// RegisterColleagues: register an account of the organisation, approved at once.
	RegisterColleagues Permission = "registrations:register"
	// SetAutoApproval: switch an organisation's automatic approval.
	SetAutoApproval Permission = "organisations:auto_approval"
	// ConfirmMembers: confirm an organisation's accounts as members (their documents access).
	ConfirmMembers Permission = "organisations:members"

	// WorkDesk: work the registration desk of a meeting: find approved delegates, see their
	// photo, check them in, print and reprint their badges.
	WorkDesk Permission = "desk:check_in"
	// ManageDesk: name a meeting's desk staff and register its scanner devices. Everywhere only.
	ManageDesk Permission = "desk:manage"
	// ScanTokens: record the scans of a meeting's confirmations and badges on its check-in
	// lists, and read the meeting's lists of valid and revoked tokens: what a scanner device
	// does, and the desk with it.
	ScanTokens Permission = "desk:scan"
	// SeeDayFigures: see a meeting's day figures: check-ins against those expected, by
	// organisation and by hour (counts, no names).
	SeeDayFigures Permission = "desk:figures"
)

// RoleName names a role.
type RoleName string

// The roles.
const (
	RoleSecretariat RoleName = "secretariat"
	RoleFocalPoint  RoleName = "focal_point"
	// RoleDeskStaff works the registration desk of one meeting, named by the secretariat.
	RoleDeskStaff RoleName = "desk_staff"
	// RoleScannerDevice is a scanner device registered for one meeting by the secretariat
	// (DeviceActor): it scans, nothing more.
	RoleScannerDevice RoleName = "scanner_device"
)

// roles is what each role may do. A role is given to an account as a Grant: the secretariat's
// everywhere, a focal point's for its organisation.
var roles = map[RoleName][]Permission{
	RoleSecretariat: {
		ManageMeetings, ManageOrganisations, ManageStudyGroups, ReadMail, ListParticipants, ManageVisas,
		ManageDocuments, RegisterAnyone,
		ViewRegistrations, DecideRegistrations, RegisterColleagues, SetAutoApproval, ConfirmMembers,
		WorkDesk, ManageDesk, ScanTokens, SeeDayFigures,
	},
	RoleFocalPoint:    {ViewRegistrations, DecideRegistrations, RegisterColleagues, SetAutoApproval, ConfirmMembers},
	RoleDeskStaff:     {WorkDesk, ScanTokens, SeeDayFigures},
	RoleScannerDevice: {ScanTokens},
}

// Permissions returns what a role may do (nil for an unknown role).
func (r RoleName) Permissions() []Permission { return slices.Clone(roles[r]) }

// Valid reports whether r is a known role.
func (r RoleName) Valid() bool { _, ok := roles[r]; return ok }

// Grant is a role held by an account: everywhere (Organisation and Meeting 0), for one
// organisation, or at one meeting.
type Grant struct {
	Role         RoleName
	Organisation int64
	Meeting      int64
}

// Everywhere reports whether the grant holds in every organisation and meeting.
func (g Grant) Everywhere() bool { return g.Organisation == 0 && g.Meeting == 0 }

// SecretariatGrant is the secretariat's role, held everywhere.
func SecretariatGrant() Grant { return Grant{Role: RoleSecretariat} }

// DeskStaffGrant is the role of desk staff at meeting m.
func DeskStaffGrant(m int64) Grant { return Grant{Role: RoleDeskStaff, Meeting: m} }

// FocalPointGrant is the role of focal point of organisation org.
func FocalPointGrant(org int64) Grant { return Grant{Role: RoleFocalPoint, Organisation: org} }

// Actor is who performs an action: an account with the roles it holds, a scanner device
// (Device, no account), or a visitor (both 0).
type Actor struct {
	ID int64
	// Device is the scanner device acting, 0 for a person (DeviceActor).
	Device         int64
	OrganisationID int64
	// Grants are the roles the account holds, each where it holds it.
	Grants []Grant
	// Scopes, when not nil, narrows what the actor may do to these permissions, whatever its
	// roles: an API token's scopes.
	Scopes []Permission
}

// Visitor is the actor of a request without a signed-in account.
var Visitor = Actor{}

// NewActor returns the actor of account id (of organisation org, 0 for none) holding grants.
func NewActor(id, org int64, grants ...Grant) Actor {
	return Actor{ID: id, OrganisationID: org, Grants: grants}
}

// SignedIn reports whether the actor has an account.
func (a Actor) SignedIn() bool { return a.ID != 0 }

// identified reports whether the actor is someone: an account or a scanner device.
func (a Actor) identified() bool { return a.ID != 0 || a.Device != 0 }

// scoped reports whether the actor's scopes (if any) allow p.
func (a Actor) scoped(p Permission) bool { return a.Scopes == nil || slices.Contains(a.Scopes, p) }

// holds reports whether grant g gives p, wherever.
func holds(g Grant, p Permission) bool { return slices.Contains(roles[g.Role], p) }

// Can reports whether the actor may do p everywhere (the secretariat's kind of permission).
func (a Actor) Can(p Permission) bool {
	if !a.identified() || !a.scoped(p) {
		return false
	}
	for _, g := range a.Grants {
		if g.Everywhere() && holds(g, p) {
			return true
		}
	}
	return false
}

// CanFor reports whether the actor may do p for organisation org: everywhere, or by a grant for
// that organisation.
func (a Actor) CanFor(p Permission, org int64) bool {
	if !a.identified() || !a.scoped(p) {
		return false
	}
	for _, g := range a.Grants {
		if (g.Everywhere() || (org != 0 && g.Organisation == org)) && holds(g, p) {
			return true
		}
	}
	return false
}

// CanAt reports whether the actor may do p at meeting m: everywhere, or by a grant for that
// meeting.
func (a Actor) CanAt(p Permission, m int64) bool {
	if !a.identified() || !a.scoped(p) {
		return false
	}
	for _, g := range a.Grants {
		if (g.Everywhere() || (m != 0 && g.Meeting == m)) && holds(g, p) {
			return true
		}
	}
	return false
}

// OrganisationsFor says for which organisations the actor may do p: every one (all), or those
// listed; none when both are empty.
func (a Actor) OrganisationsFor(p Permission) (orgs []int64, all bool) {
	if !a.identified() || !a.scoped(p) {
		return nil, false
	}
	for _, g := range a.Grants {
		switch {
		case !holds(g, p):
		case g.Everywhere():
			return nil, true
		case g.Organisation != 0 && !slices.Contains(orgs, g.Organisation):
			orgs = append(orgs, g.Organisation)
		}
	}
	slices.Sort(orgs)
	return orgs, false
}

// MeetingsFor says at which meetings the actor may do p: every one (all), or those listed.
func (a Actor) MeetingsFor(p Permission) (meetings []int64, all bool) {
	if !a.identified() || !a.scoped(p) {
		return nil, false
	}
	for _, g := range a.Grants {
		switch {
		case !holds(g, p):
		case g.Everywhere():
			return nil, true
		case g.Meeting != 0 && !slices.Contains(meetings, g.Meeting):
			meetings = append(meetings, g.Meeting)
		}
	}
	slices.Sort(meetings)
	return meetings, false
}

// HasRole reports whether the actor holds role r anywhere: for what a page shows about the
// person (their focal point's menu), never to decide what they may do (use Can and its kin).
func (a Actor) HasRole(r RoleName) bool {
	if !a.SignedIn() {
		return false
	}
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// FocalOf lists the organisations the actor is a focal point of, in id order.
func (a Actor) FocalOf() []int64 {
	var out []int64
	for _, g := range a.Grants {
		if g.Role == RoleFocalPoint && g.Organisation != 0 && !slices.Contains(out, g.Organisation) {
			out = append(out, g.Organisation)
		}
	}
	slices.Sort(out)
	return out
}

// IsFocalPointOf reports whether the actor is a focal point of organisation org.
func (a Actor) IsFocalPointOf(org int64) bool {
	return a.SignedIn() && slices.Contains(a.Grants, FocalPointGrant(org))
}

// IsFocalPoint reports whether the actor is a focal point of any organisation.
func (a Actor) IsFocalPoint() bool { return a.HasRole(RoleFocalPoint) }

// WithScopes returns the actor narrowed to scopes (an API token's): it may do no more than
// both its roles and scopes allow.
func (a Actor) WithScopes(scopes ...Permission) Actor {
	a.Scopes = append([]Permission{}, scopes...)
	return a
}

// DeskStaffMember is an account named desk staff of a meeting.
type DeskStaffMember struct {
	AccountID int64
	Name      string
	Email     string
	GrantedAt time.Time
}
