package domain

import "time"

// MemberLine is an account of an organisation as the members page lists it.
type MemberLine struct {
	ID             int64  `db:"id"`
	Email          string `db:"email"`
	GivenName      string `db:"given_name"`
	FamilyName     string `db:"family_name"`
	OrganisationID int64  `db:"organisation_id"`
	OrgName        string `db:"org_name"`
	// OrgNames, OrgKind and OrgCountry name the organisation in other languages (view.OrgNameIn).
	OrgNames     Text       `db:"org_names"`
	OrgKind      string     `db:"org_kind"`
	OrgCountry   string     `db:"org_country"`
	AutoApproval bool       `db:"auto_approval"`
	FocalPoint   bool       `db:"focal_point"`
	ConfirmedAt  *time.Time `db:"confirmed_at"`
	ConfirmedBy  *string    `db:"confirmed_by"`
	CreatedAt    time.Time  `db:"created_at"`
}

// Name is the person's full name.
func (l MemberLine) Name() string {
	return PersonName(l.GivenName, l.FamilyName, AutoOrder)
}
