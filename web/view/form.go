package view

import (
	"net/url"
	"sort"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// Form carries what the user typed and what was wrong with it, so a refused form is shown again
// with nothing lost and a message beside each field.
type Form struct {
	Values map[string]string
	// Errors maps field names to messages, already translated.
	Errors map[string]string
	// Summary is a message about the whole form.
	Summary string
	// Order lists field names in the order they appear, for the summary.
	Order []string
	// Rows is the number of rows of an editable table.
	Rows int
	// Labels are the fields' labels, for the error summary (WithErrorSummary fills them in).
	Labels map[string]string
}

// NewForm returns an empty form.
func NewForm() Form { return Form{Values: map[string]string{}, Errors: map[string]string{}} }

// Get returns a field's value.
func (f Form) Get(name string) string { return f.Values[name] }

// Checked reports whether a checkbox field is ticked.
func (f Form) Checked(name string) bool {
	v := f.Values[name]
	return v == "on" || v == "true" || v == "1"
}

// HasErrors reports whether anything is wrong.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.Summary != "" }

// Invalid returns "true" for aria-invalid when the field has an error.
func (f Form) Invalid(name string) string {
	if f.Errors[name] != "" {
		return "true"
	}
	return "false"
}

// Describe returns the id of the field's error message, for aria-describedby.
func (f Form) Describe(name string) string {
	if f.Errors[name] != "" {
		return name + "-error"
	}
	return ""
}

// DescribedBy returns the ids for a field's aria-describedby: its error message, when it has
// one, then its hint, when it has one (hasHint); empty when it has neither. (templ takes no
// `else if` among an element's attributes, so the choice is made here.)
func (f Form) DescribedBy(name string, hasHint bool) string {
	ids := f.Describe(name)
	if hasHint {
		if ids != "" {
			ids += " "
		}
		ids += name + "-hint"
	}
	return ids
}

// FieldMessage is one entry of the error summary.
type FieldMessage struct{ Field, Message string }

// Ordered returns the field errors in form order.
func (f Form) Ordered() []FieldMessage {
	pos := map[string]int{}
	for i, n := range f.Order {
		pos[n] = i + 1
	}
	out := make([]FieldMessage, 0, len(f.Errors))
	for k, v := range f.Errors {
		out = append(out, FieldMessage{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := pos[out[i].Field], pos[out[j].Field]
		if pi == 0 {
			pi = 1 << 20
		}
		if pj == 0 {
			pj = 1 << 20
		}
		if pi != pj {
			return pi < pj
		}
		return out[i].Field < out[j].Field
	})
	return out
}

func ariaBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func orgOptions(choose string, orgs []domain.Organisation) []Option {
	out := []Option{{"", choose}}
	for _, o := range orgs {
		out = append(out, Option{i64(o.ID), o.Name})
	}
	return out
}

func genderOptions(t *i18n.Translator) []Option {
	out := make([]Option, 0, len(domain.Genders))
	for _, g := range domain.Genders {
		out = append(out, Option{string(g), t.T("gender." + string(g))})
	}
	return out
}

func loginAction(next string) string { return withNext("/login", next) }

// toRegister reports whether the page to return to is a registration form.
func toRegister(next string) bool {
	p, _, _ := strings.Cut(next, "?")
	return strings.HasSuffix(p, "/register")
}

// withNext is path with the page to return to afterwards, when there is one.
func withNext(path, next string) string {
	if next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}
