package domain

// DeskPerson is a registration as the desk sees it.
type DeskPerson struct {
	Registration Registration
	Name         string
	Organisation string
	// OrgNames and OrgKind name the organisation in other languages (view.OrgNameIn).
	OrgNames Text
	OrgKind  string
	Country  string
	// Badges is how many badges were printed; LiveBadge the current one's token id (0: none).
	Badges    int
	LiveBadge int64
	// Entry is the registration's check-in at the meeting's entry, if any.
	Entry *CheckIn
}
