package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"

	"plenary/web"
)

// sameAsTextTemplate checks that placeholders fills src with data exactly as text/template does.
func sameAsTextTemplate(t *testing.T, src string, data map[string]any) {
	t.Helper()
	want, werr := (&template.TextParser{}).Parse(src, "", "")
	got, gerr := parser.Parse(src, "", "")
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: parse errors differ: text/template %v, placeholders %v", src, werr, gerr)
	}
	if werr != nil {
		return
	}
	w, werr := want.Execute(data)
	g, gerr := got.Execute(data)
	if w != g || (werr == nil) != (gerr == nil) {
		t.Errorf("%q: text/template gives %q (%v), placeholders %q (%v)", src, w, werr, g, gerr)
	}
}

func TestPlaceholdersFillEveryMessageAsTextTemplateDoes(t *testing.T) {
	names := regexp.MustCompile(`\.([A-Za-z0-9_]+)`)
	values := []any{"Geneva", 25, int64(-3), 2.5, true, "{{.Injected}} <b>&", nil}
	n := 0
	err := fs.WalkDir(web.Locales(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Locales(), path)
		if err != nil {
			return err
		}
		var msgs map[string]any
		if err := json.Unmarshal(b, &msgs); err != nil {
			return err
		}
		var sources []string
		for _, v := range msgs {
			switch v := v.(type) {
			case string:
				sources = append(sources, v)
			case map[string]any: // plural forms
				for _, f := range v {
					if s, ok := f.(string); ok {
						sources = append(sources, s)
					}
				}
			}
		}
		for _, src := range sources {
			data := map[string]any{}
			for i, m := range names.FindAllStringSubmatch(src, -1) {
				data[m[1]] = values[(n+i)%len(values)]
			}
			sameAsTextTemplate(t, src, data)
			// And with every value missing.
			sameAsTextTemplate(t, src, map[string]any{})
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d messages checked", n)
	}
}

func TestPlaceholdersLeaveTheRestToTextTemplate(t *testing.T) {
	data := map[string]any{"Name": "Ana", "N": 3, "Nested": map[string]any{"X": "x"}}
	for _, src := range []string{
		"", "plain text", "{{.Name}}", "{{ .Name }} and {{.N}}", "{{.Name}}{{.Name}}", "a {{.Missing}} b",
		"{{.Nested.X}}", "{{if .N}}yes{{end}}", "{{- .Name -}}", "{{.}}", "{{.Name", "}}{{.Name}}{{", "{{printf \"%d\" .N}}",
	} {
		sameAsTextTemplate(t, src, data)
	}
}

// T writes every message of every language as go-i18n with text/template does.
func TestTranslatorWritesEveryMessageAsGoI18nDoes(t *testing.T) {
	c, err := Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	checked, filled := 0, 0
	for _, lang := range c.Langs() {
		tr := c.For(lang.Tag)
		for _, key := range c.Keys(Default) {
			var kv []any
			for i, p := range tr.filled[key] {
				if p.field {
					kv = append(kv, p.name, []any{"Ana", 3, "", int64(7)}[i%4])
				}
			}
			kv = append(kv, "Unused", "x")
			want, err := tr.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data(kv), TemplateParser: &template.TextParser{}})
			if err != nil && !fellBack(err, want) {
				want = key
			}
			if got := tr.T(key, kv...); got != want {
				t.Errorf("%s %s: T gives %q, go-i18n %q", lang.Tag, key, got, want)
			}
			checked++
			if len(kv) > 2 {
				filled++
			}
		}
	}
	if checked < 200 || filled < 50 {
		t.Fatalf("only %d messages checked, %d with values", checked, filled)
	}
	// A name given twice: the last counts, as in a map.
	f, _ := parser.Parse("{{.A}}", "", "")
	if got := f.(filledMessage).fill([]any{"A", 1, "A", 2}); got != "2" {
		t.Errorf("fill of a name given twice = %q", got)
	}
}
