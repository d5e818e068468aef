package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"

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
