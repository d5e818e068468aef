package i18n_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// glossaryEntry is one concept's term in one language (web/glossary/<lang>.json).
type glossaryEntry struct {
	Term  string   `json:"term"`
	Forms []string `json:"forms"` // other forms of the term: plurals, cases
	Avoid []string `json:"avoid"` // competing or wrong terms for the concept
}

func (e glossaryEntry) all() []string { return append([]string{e.Term}, e.Forms...) }

func loadGlossaries(t *testing.T) map[string]map[string]glossaryEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "web", "glossary", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]glossaryEntry{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var g map[string]glossaryEntry
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = g
	}
	return out
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func containsAnyFold(s string, subs []string) bool {
	for _, sub := range subs {
		if containsFold(s, sub) {
			return true
		}
	}
	return false
}

// messageText is every form of a message, joined.
func messageText(m rawMessage) string {
	if m.forms == nil {
		return m.text
	}
	var keys []string
	for k := range m.forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, m.forms[k])
	}
	return strings.Join(parts, "\n")
}

// One term per concept: every message of the pages and of the mail that names a concept in
// English names it in each language with that language's glossary term, and no message uses a
// term the glossary rules out. The visa letter (English) uses the English terms.
func TestCataloguesFollowTheGlossary(t *testing.T) {
	glossaries := loadGlossaries(t)
	raw := rawCatalogues(t)
	en := glossaries["en"]
	if len(en) < 5 {
		t.Fatalf("the English glossary has %d concepts", len(en))
	}
	for tag := range raw {
		g, ok := glossaries[tag]
		if !ok {
			t.Errorf("web/glossary/%s.json is missing", tag)
			continue
		}
		for concept := range en {
			if _, ok := g[concept]; !ok {
				t.Errorf("%s glossary lacks %s", tag, concept)
			}
		}
	}
	// The ITU terms the glossaries must hold.
	for tag, want := range map[string]map[string]string{
		"zh": {"visa_support_letter": "签证协办函", "pre_registration": "预注册", "direct_document_posting": "文件直传", "focal_point": "联系人"},
		"fr": {"working_party": "groupe de travail", "study_group": "commission d'études", "visa_support_letter": "lettre de soutien pour la demande de visa", "focal_point": "coordonnateur"},
		"es": {"working_party": "Grupo de Trabajo", "study_group": "Comisión de Estudio", "visa_support_letter": "carta de apoyo para visado"},
		"ru": {"working_party": "рабочая группа", "study_group": "исследовательская комиссия"},
		"ar": {"working_party": "فرقة العمل", "study_group": "لجنة الدراسات"},
	} {
		for concept, term := range want {
			if got := glossaries[tag][concept].Term; got != term {
				t.Errorf("%s glossary: %s = %q, want %q", tag, concept, got, term)
			}
		}
	}
	placeholder := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for tag, msgs := range raw {
		g := glossaries[tag]
		for key, m := range msgs {
			text := placeholder.ReplaceAllString(messageText(m), "")
			for concept, e := range g {
				if containsAnyFold(text, e.Avoid) {
					t.Errorf("%s %s uses a term the glossary rules out for %s (want %q): %q", tag, key, concept, e.Term, text)
				}
			}
			if tag == "en" {
				continue
			}
			enText := placeholder.ReplaceAllString(messageText(raw["en"][key]), "")
			for concept, ee := range en {
				if containsAnyFold(enText, ee.all()) && !containsAnyFold(text, g[concept].all()) {
					t.Errorf("%s %s names %s in English (%q) but not with the glossary's %q: %q", tag, key, concept, ee.Term, g[concept].Term, text)
				}
			}
		}
	}
	// The letter's words (the vletter.* messages, checked above like every message) name the
	// visa support letter in every language.
	for tag, msgs := range raw {
		if !containsAnyFold(messageText(msgs["vletter.subject"]), glossaries[tag]["visa_support_letter"].all()) {
			t.Errorf("%s: the letter's subject does not say %q", tag, glossaries[tag]["visa_support_letter"].Term)
		}
	}
}
