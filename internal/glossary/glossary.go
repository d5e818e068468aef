// Package glossary reads the glossaries of web/glossary (one term per concept, per language)
// and checks a text written in a language against them: the tests of the mail, the pages and
// the letters use it, so that each says the same thing with the same words.
package glossary

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Entry is one concept's term in one language: the term, other grammatical forms that count as
// it (plurals, cases), and competing or wrong terms that must not appear.
type Entry struct {
	Term  string   `json:"term"`
	Forms []string `json:"forms"`
	Avoid []string `json:"avoid"`
}

func (e Entry) all() []string { return append([]string{e.Term}, e.Forms...) }

// Glossary holds each language's entries by concept.
type Glossary map[string]map[string]Entry

// Load reads one <lang>.json per language from fsys (web.Glossary()).
func Load(fsys fs.FS) (Glossary, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	g := Glossary{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var m map[string]Entry
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("glossary: %s: %w", f, err)
		}
		g[strings.TrimSuffix(f, ".json")] = m
	}
	if len(g["en"]) == 0 {
		return nil, fmt.Errorf("glossary: no English glossary")
	}
	return g, nil
}

func hasAny(s string, subs []string) (string, bool) {
	low := strings.ToLower(s)
	for _, sub := range subs {
		if sub != "" && strings.Contains(low, strings.ToLower(sub)) {
			return sub, true
		}
	}
	return "", false
}

// Check says what is wrong with text, written in lang, beside english, the same text written
// in English: a term the glossary rules out in lang, or a concept the English names that text
// does not name by lang's term (or one of its forms). Nothing wrong: nil. Concepts are checked
// in a fixed order, so the same text always reads the same.
func (g Glossary) Check(lang, text, english string) []string {
	var out []string
	concepts := make([]string, 0, len(g["en"]))
	for c := range g["en"] {
		concepts = append(concepts, c)
	}
	sort.Strings(concepts)
	for _, c := range concepts {
		e, ok := g[lang][c]
		if !ok {
			out = append(out, fmt.Sprintf("%s glossary lacks %s", lang, c))
			continue
		}
		if bad, found := hasAny(text, e.Avoid); found {
			out = append(out, fmt.Sprintf("%s says %q for %s, want %q", lang, bad, c, e.Term))
		}
		if lang == "en" {
			continue
		}
		if named, found := hasAny(english, g["en"][c].all()); found {
			if _, ok := hasAny(text, e.all()); !ok {
				out = append(out, fmt.Sprintf("%s does not say %q for %s, which the English names (%q)", lang, e.Term, c, named))
			}
		}
	}
	return out
}
