package domain

// OrganisationFields are an organisation's fields the secretariat edits in one form.
type OrganisationFields struct {
	Name         string
	Kind         OrgKind
	Country      string
	AutoApproval bool
	// StudyGroupIDs are the study groups an Associate takes part in.
	StudyGroupIDs []int64
}

// FocalPointNaming says whether the account found by the address typed (found false: none has
// it), affiliated to accountOrg (nil: to none), may be named a focal point of organisation org:
// an account of another organisation may not. A refusal is said beside the email field.
func FocalPointNaming(found bool, accountOrg *int64, org int64) error {
	if !found {
		return FieldErrors(map[string]string{"email": "error.no_account_with_email"})
	}
	if accountOrg != nil && *accountOrg != org {
		return FieldErrors(map[string]string{"email": "error.focal_point_other_organisation"})
	}
	return nil
}
