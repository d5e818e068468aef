package view

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/a-h/templ"

	"plenary/internal/i18n"
)

type labelsKey struct{}

// noteLabel records a field's label for the error summary WithErrorSummary renders above the
// form (the field components call it); it writes nothing.
func noteLabel(ctx context.Context, name, label string) string {
	if m, ok := ctx.Value(labelsKey{}).(map[string]string); ok {
		m[name] = label
	}
	return ""
}

// WithErrorSummary renders the error summary of f above its children (the form), each line
// naming its field by the field's own label and linking to it: the children are rendered first,
// into a buffer, so that every field has said its label.
func WithErrorSummary(p Page, f Form) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		children := templ.GetChildren(ctx)
		ctx = templ.ClearChildren(ctx)
		labels := map[string]string{}
		var buf bytes.Buffer
		if err := children.Render(context.WithValue(ctx, labelsKey{}, labels), &buf); err != nil {
			return err
		}
		f.Labels = labels
		if err := FormErrors(p, f).Render(ctx, w); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// summaryLine is one line of the error summary: the field's label and its message.
func summaryLine(p Page, f Form, e FieldMessage) string {
	if l := f.Labels[e.Field]; l != "" {
		return p.T.T("form.summary_line", "Field", l, "Message", e.Message)
	}
	return e.Message
}

// dateHint is the hint of a date field: a date input shows the date as the browser's locale
// writes it (31/01/1985, 01/31/1985, 1985/1/31…), so the hint names no format, and its example
// is written out in the page's language.
func dateHint(t *i18n.Translator) string {
	return t.T("visa.date_hint_picker", "Example", t.DateShort(time.Date(1985, time.January, 31, 0, 0, 0, 0, time.UTC)))
}
