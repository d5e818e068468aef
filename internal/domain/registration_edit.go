package domain

import "time"

// RegistrationDetails are the answers of a registration its delegate may change afterwards: the
// function or title, the interpretation request, accessibility needs and the consent to be
// listed among the participants. (The mode, the co-located events and cancelling have their own
// use cases.)
type RegistrationDetails struct {
	FunctionTitle  string
	Interpretation bool
	Accessibility  string
	ListConsent    bool
}

// Details returns r's changeable answers.
func (r Registration) Details() RegistrationDetails {
	return RegistrationDetails{FunctionTitle: r.FunctionTitle, Interpretation: r.Interpretation, Accessibility: r.Accessibility, ListConsent: r.ListConsent}
}

// Detail fields, as their forms name them.
const (
	FieldFunctionTitle  = "function_title"
	FieldInterpretation = "interpretation"
	FieldAccessibility  = "accessibility"
	FieldListConsent    = "list_consent"
)

// EditRegistration changes r's details to d, as actor, at meeting m: for whoever may see the
// registration (its owner, a focal point of its organisation, the secretariat), while it is
// pending or approved and, but for the secretariat, until the meeting is over. A question the
// form does not ask of the delegate (fields: function/title and interpretation for Member State
// administrations only) keeps its answer. It returns the registration and the fields changed
// (none: nothing to save). The registration's state is untouched: these answers are not what
// the focal point approved.
func EditRegistration(a Actor, r Registration, m Meeting, fields FieldsFor, d RegistrationDetails, now time.Time) (Registration, []string, error) {
	if !CanView(a, r) {
		return r, nil, Errorf(NotFound, "error.registration_not_found")
	}
	if !r.State.Live() {
		return r, nil, &Error{Code: Conflict, Key: "error.not_live", Args: map[string]any{"State": string(r.State)}}
	}
	if m.Past(now) && !a.Can(RegisterAnyone) {
		return r, nil, Errorf(Conflict, "error.meeting_over")
	}
	var changed []string
	if fields.FunctionTitle && d.FunctionTitle != r.FunctionTitle {
		r.FunctionTitle = d.FunctionTitle
		changed = append(changed, FieldFunctionTitle)
	}
	if fields.Interpretation && d.Interpretation != r.Interpretation {
		r.Interpretation = d.Interpretation
		changed = append(changed, FieldInterpretation)
	}
	if d.Accessibility != r.Accessibility {
		r.Accessibility = d.Accessibility
		changed = append(changed, FieldAccessibility)
	}
	if d.ListConsent != r.ListConsent {
		r.ListConsent = d.ListConsent
		changed = append(changed, FieldListConsent)
	}
	if len(changed) > 0 {
		r.UpdatedAt = now
	}
	return r, changed, nil
}
