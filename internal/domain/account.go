package domain

import "time"

// OrgKind is the membership category of an organisation.
type OrgKind string

// The organisation kinds.
const (
	MemberState  OrgKind = "member_state"
	SectorMember OrgKind = "sector_member"
	Associate    OrgKind = "associate"
	Academia     OrgKind = "academia"
	Observer     OrgKind = "observer"
	OtherOrg     OrgKind = "other"
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []OrgKind{MemberState, SectorMember, Associate, Academia, Observer, OtherOrg}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Organisation is a member of the standards body (or another entity) that sends delegates.
type Organisation struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	// Names are the name's translations the secretariat gave (English is Name).
	Names        Text      `db:"names"`
	Kind         OrgKind   `db:"kind"`
	Country      string    `db:"country"`
	AutoApproval bool      `db:"auto_approval"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	// StudyGroupIDs are the study groups an Associate takes part in.
	StudyGroupIDs []int64 `db:"study_group_ids"`
	// FocalPoints are filled by the store where a page needs them.
	FocalPoints []AccountRef `db:"-"`
}

// Gender is recorded for delegation statistics only.
type Gender string

// The genders.
const (
	Female    Gender = "female"
	Male      Gender = "male"
	NotStated Gender = "not_stated"
)

// Genders lists the accepted genders.
var Genders = []Gender{NotStated, Female, Male}

// Valid reports whether g is a known gender.
func (g Gender) Valid() bool { return g == Female || g == Male || g == NotStated }

// Account is a person who can sign in.
type Account struct {
	ID             int64     `db:"id"`
	Email          string    `db:"email"`
	GivenName      string    `db:"given_name"`
	FamilyName     string    `db:"family_name"`
	Gender         Gender    `db:"gender"`
	OrganisationID *int64    `db:"organisation_id"`
	Language       string    `db:"language"`
	Secretariat    bool      `db:"secretariat"`
	CreatedAt      time.Time `db:"created_at"`
	// NameOrder says whether the family name comes first in the full name.
	NameOrder NameOrder `db:"name_order"`
	// EmailVerifiedAt is when the owner showed the email is theirs (a link sent to it); nil while
	// it is not verified.
	EmailVerifiedAt *time.Time `db:"email_verified_at"`
}

// Name is the person's full name, in the order they give it (PersonName).
func (a Account) Name() string { return PersonName(a.GivenName, a.FamilyName, a.NameOrder) }

// EmailVerified reports whether the account's email is verified.
func (a Account) EmailVerified() bool { return a.EmailVerifiedAt != nil }

// AccountRef names an account briefly.
type AccountRef struct {
	ID         int64  `db:"id"`
	Email      string `db:"email"`
	GivenName  string `db:"given_name"`
	FamilyName string `db:"family_name"`
}

// Name is the person's full name: given names first, or, when both are written in Chinese,
// Japanese or Korean characters, the family name first with no space (PersonName's Auto).
func (a AccountRef) Name() string { return PersonName(a.GivenName, a.FamilyName, AutoOrder) }
