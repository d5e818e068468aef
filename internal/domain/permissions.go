package domain

// What only the secretariat may do today. Each is its own function so that the permission matrix
// reads as the product describes it; each asks for a permission (roles.go), so that another role
// given that permission can do it too.

// CanManageMeetings reports whether actor may create, edit and copy meetings: their fields,
// deadlines, sessions, desk hours, co-located events, agendas and work items.
func CanManageMeetings(a Actor) bool { return a.Can(ManageMeetings) }

// CanManageOrganisations reports whether actor may create and edit organisations and name or
// remove their focal points.
func CanManageOrganisations(a Actor) bool { return a.Can(ManageOrganisations) }

// CanManageStudyGroups reports whether actor may edit study groups, working parties and Questions.
func CanManageStudyGroups(a Actor) bool { return a.Can(ManageStudyGroups) }

// CanSetAutoApproval reports whether actor may switch an organisation's automatic approval: one of
// its focal points, or the secretariat.
func CanSetAutoApproval(a Actor, org int64) bool { return a.CanFor(SetAutoApproval, org) }

// CanReadMail reports whether actor may read the mail the portal sent or kept (the secretariat's
// view of the outbox, which holds everyone's messages).
func CanReadMail(a Actor) bool { return a.Can(ReadMail) }

// RegistrationScope says whose registrations actor may list: every organisation's for the
// secretariat (all), its own organisations' for a focal point, nobody else's (ok false).
func RegistrationScope(a Actor) (orgs []int64, all, ok bool) {
	orgs, all = a.OrganisationsFor(ViewRegistrations)
	return orgs, all, all || len(orgs) > 0
}

// CanListParticipants reports whether actor may see a meeting's list of participants (those
// approved who consented to appear in it) and export it.
func CanListParticipants(a Actor) bool { return a.Can(ListParticipants) }
