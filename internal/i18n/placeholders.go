package i18n

import (
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// placeholders parses the catalogues' messages. A message fills in named values, {{.Name}}, and
// nothing more, so it is cut once into text and names and filled by substitution: text/template
// took more time writing a registration's mail than the rest of the registration. A message that
// uses more of text/template's language is left to text/template, so the output is the same.
type placeholders struct{ text template.TextParser }

var parser = &placeholders{}

// Cacheable implements template.Parser: a parsed message is kept with the message.
func (*placeholders) Cacheable() bool { return true }

// Parse implements template.Parser.
func (p *placeholders) Parse(src, left, right string) (template.ParsedTemplate, error) {
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	var m filledMessage
	rest := src
	for {
		i := strings.Index(rest, left)
		if i < 0 {
			m = append(m, messagePart{text: rest})
			return m, nil
		}
		j := strings.Index(rest[i+len(left):], right)
		if j < 0 {
			return p.text.Parse(src, left, right)
		}
		name, ok := fieldName(strings.TrimSpace(rest[i+len(left) : i+len(left)+j]))
		if !ok {
			return p.text.Parse(src, left, right)
		}
		m = append(m, messagePart{text: rest[:i]}, messagePart{name: name, field: true})
		rest = rest[i+len(left)+j+len(right):]
	}
}

// fieldName returns Name of the action ".Name".
func fieldName(action string) (string, bool) {
	name, ok := strings.CutPrefix(action, ".")
	if !ok || name == "" {
		return "", false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return name, true
}

type messagePart struct {
	text  string
	name  string
	field bool
}

// filledMessage is a message cut into text and the names of the values filled in.
type filledMessage []messagePart

// Execute implements template.ParsedTemplate, printing values as text/template does.
func (m filledMessage) Execute(data any) (string, error) {
	values, _ := data.(map[string]any)
	return m.write(func(name string) any { return values[name] }), nil
}

// fill is Execute with the values given as name/value pairs (as T takes them; of a name given
// twice, the last), without making a map of them.
func (m filledMessage) fill(kv []any) string {
	return m.write(func(name string) any {
		for i := len(kv)&^1 - 2; i >= 0; i -= 2 {
			if k, ok := kv[i].(string); ok && k == name {
				return kv[i+1]
			}
		}
		return nil
	})
}

func (m filledMessage) write(value func(name string) any) string {
	if len(m) == 1 && !m[0].field {
		return m[0].text
	}
	var b strings.Builder
	for _, p := range m {
		if !p.field {
			b.WriteString(p.text)
			continue
		}
		switch v := value(p.name).(type) {
		case nil: // missing, or nil
			b.WriteString("<no value>")
		case string:
			b.WriteString(v)
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}
