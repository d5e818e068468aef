package domain

// Capability says whether an actor may do something now and, when not, why: a page shows the
// reason (why registration is closed, why a form cannot be edited) from the same rule the use
// case applies when it refuses, so that no page re-derives a rule.
type Capability struct {
	Allowed bool
	// Reason is why not (nil when Allowed): its code, the catalogue key of the message and the
	// message's arguments (a deadline's day, a state).
	Reason *Error
}

// Allow is a capability granted.
func Allow() Capability { return Capability{Allowed: true} }

// Deny is a capability refused for reason.
func Deny(reason *Error) Capability { return Capability{Reason: reason} }

// Err is the refusal to return when the action is attempted anyway: nil when allowed.
func (c Capability) Err() error {
	if c.Allowed {
		return nil
	}
	if c.Reason == nil {
		return Errorf(Forbidden, "error.forbidden")
	}
	return c.Reason
}

// Key is the catalogue key of the reason, "" when allowed.
func (c Capability) Key() string {
	if c.Allowed || c.Reason == nil {
		return ""
	}
	return c.Reason.Key
}
