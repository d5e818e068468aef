package view

import (
	"net/url"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// VisaOffer says whether a visa support letter can be requested for a meeting, and the dates a
// request must respect.
type VisaOffer struct {
	// Open is true while the form offers the request.
	Open bool
	// Deadline is the visa support request deadline; ValidUntil the first day a passport may
	// expire.
	Deadline   time.Time
	ValidUntil time.Time
	// Closed explains, translated, why a request is not offered.
	Closed string
	// Representations are the Swiss representations to choose among.
	Representations []domain.Representation
}

// representationGroups groups representations by country, in the list's order.
func representationGroups(reps []domain.Representation) [][]domain.Representation {
	var out [][]domain.Representation
	for _, r := range reps {
		if n := len(out); n > 0 && out[n-1][0].Country == r.Country {
			out[n-1] = append(out[n-1], r)
			continue
		}
		out = append(out, []domain.Representation{r})
	}
	return out
}

// VisaPageData is what the page of one registration's visa request shows.
type VisaPageData struct {
	Registration domain.RegistrationLine
	// Visa is the registration's request (live, else the latest withdrawn), if any.
	Visa  *domain.VisaLine
	Offer VisaOffer
	// CanRequest: the form asks for a new request; CanEdit: it changes the passport data.
	CanRequest bool
	CanEdit    bool
	// ShowPassport is true for the passport data's owner and the secretariat.
	ShowPassport bool
	// Reissue is true when a change makes a new revision of an issued letter.
	Reissue bool
	// Secretariat is true when the secretariat looks at someone's request.
	Secretariat bool
	Form        Form
	History     []domain.AuditEvent
	Now         time.Time
}

// Editing reports whether the form is there.
func (d VisaPageData) Editing() bool { return d.CanRequest || d.CanEdit }

// VisaQueueData is what the secretariat's visa queue of a meeting shows.
type VisaQueueData struct {
	MeetingID    int64
	MeetingTitle string
	Queue        domain.VisaQueue
	State        string
	Nationality  string
	// Decline carries a refused decline's reason and message (fields "reason-<id>").
	Decline Form
	Now     time.Time
	// LettersBlocked explains, translated, why no letter can be issued now (the letterhead or
	// the signatory is missing); "" when letters can be issued.
	LettersBlocked string
}

// Base is the queue's path.
func (d VisaQueueData) Base() string { return "/secretariat/meetings/" + i64(d.MeetingID) + "/visas" }

// Query is the filter as a query string ("?state=…"), empty when there is none.
func (d VisaQueueData) Query() string {
	v := url.Values{}
	if d.State != "" {
		v.Set("state", d.State)
	}
	if d.Nationality != "" {
		v.Set("nationality", d.Nationality)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// Processing counts the requests the queue shows that can be issued.
func (d VisaQueueData) Processing() int {
	n := 0
	for _, l := range d.Queue.Lines {
		if l.State == domain.VisaProcessing {
			n++
		}
	}
	return n
}

// AllStates counts every request of the selection.
func (d VisaQueueData) AllStates() int {
	n := 0
	for _, c := range d.Queue.Counts {
		n += c
	}
	return n
}

// filterForm is the queue's filter as a form, for the select fields.
func (d VisaQueueData) filterForm() Form {
	f := NewForm()
	f.Values["state"] = d.State
	f.Values["nationality"] = d.Nationality
	return f
}

func visaStateOptions(t *i18n.Translator) []Option {
	out := []Option{{"", t.T("visa.all_states")}}
	for _, s := range domain.VisaStates {
		out = append(out, Option{string(s), t.T("visa.state." + string(s))})
	}
	return out
}

func nationalityOptions(t *i18n.Translator, ns []string) []Option {
	out := []Option{{"", t.T("visa.all_nationalities")}}
	for _, n := range ns {
		out = append(out, Option{n, n})
	}
	return out
}

// VerifyData is what the public verification page of a letter shows.
type VerifyData struct {
	Check domain.LetterCheck
}

// MyVisa is the visa part of a registration's card on the personal page.
type MyVisa struct {
	RegistrationID int64
	// Visa is the registration's request, if any.
	Visa *domain.VisaLine
	// CanRequest is true when a request can still be made (in person, live, before the deadline).
	CanRequest bool
	Deadline   *time.Time
	Now        time.Time
}

// letterCaption names the current letter: "(SG13-WP-2025-07/V00042, issued 20 June 2025)".
func letterCaption(t *i18n.Translator, v domain.VisaLine) string {
	s := "(" + *v.Reference
	if v.IssuedOn != nil {
		s += t.T("list.separator") + t.T("visa.issued_on", "Date", t.DateShort(*v.IssuedOn))
	}
	return s + ")"
}
