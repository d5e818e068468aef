package view

import (
	"net/url"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// cancelLink is the address of the page that asks before cancelling registration id, returning
// to next.
func cancelLink(id int64, next string) string {
	return "/registrations/" + i64(id) + "/cancel?" + url.Values{"next": {next}}.Encode()
}

// myStateLabel is a registration's state as its owner reads it: "Cancelled by you" when they
// cancelled it, "Cancelled by <name>" when someone else did.
func myStateLabel(t *i18n.Translator, r domain.Registration, cancellerName *string) string {
	switch {
	case r.CancelledByOwner():
		return t.T("reg.cancelled_by_you")
	case r.State == domain.Cancelled && cancellerName != nil:
		return t.T("reg.cancelled_by", "Name", *cancellerName)
	}
	return t.T("state." + string(r.State))
}

// CancelData is the page that asks before a registration is cancelled: what is cancelled and
// what follows from it, with the button that does it and the way back.
type CancelData struct {
	ID int64
	// Own is true when the person cancelling is the registrant.
	Own          bool
	Name         string
	Organisation string
	MeetingTitle string
	FirstDay     time.Time
	LastDay      time.Time
	Mode         domain.Mode
	State        domain.State
	// Visa is the state of the registration's visa support letter request, "" when there is
	// none or the person may not see it; VisaWithdrawn says the cancellation withdraws it.
	Visa          domain.VisaState
	VisaWithdrawn bool
	// FocalPointsTold says which focal points are mailed: none, the organisation's, or its other
	// ones (the person cancelling is one of them).
	FocalPointsTold FocalPointsTold
	// Next is where both buttons return.
	Next string
}

// FocalPointsTold says which of an organisation's focal points a change is mailed to.
type FocalPointsTold int

// Who is told.
const (
	NoFocalPointTold FocalPointsTold = iota
	FocalPointsOfOrganisationTold
	OtherFocalPointsTold
)

// ApproveAllData is the question before "approve all": which pending registrations, by name.
type ApproveAllData struct {
	// Base is the list's address; the confirmation posts to Base + "/decide".
	Base string
	// Back is the list's filter (a query string) and Here the list's address with it.
	Back string
	Here string
	// AsOf is when the pending registrations were read: the confirmation approves those.
	AsOf  string
	Count int
	Lines []ApproveAllLine
	// More is how many the page does not name.
	More int
}

// ApproveAllLine is one registration "approve all" would approve.
type ApproveAllLine struct {
	ID           int64
	Name         string
	Organisation string
	Meeting      string
	Mode         domain.Mode
}
