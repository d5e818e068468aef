package view

import (
	"plenary/internal/domain"
	"plenary/internal/i18n"
)

// UNLanguages are the six official languages a meeting can be held in.
var UNLanguages = []string{"ar", "zh", "en", "fr", "ru", "es"}

// Has reports whether a multi-valued field (comma-joined) holds v.
func (f Form) Has(name, v string) bool {
	for _, x := range splitComma(f.Values[name]) {
		if x == v {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func studyGroupOptions(choose string, gs []domain.StudyGroup) []Option {
	out := make([]Option, 0, len(gs)+1)
	out = append(out, Option{"", choose})
	for _, g := range gs {
		out = append(out, Option{i64(g.ID), g.Code})
	}
	return out
}

func wpOptions(t *i18n.Translator, wps []domain.WorkingParty) []Option {
	out := []Option{{"", t.T("field.choose")}}
	for _, w := range wps {
		out = append(out, Option{i64(w.ID), w.Code})
	}
	return out
}

func questionOptions(t *i18n.Translator, qs []domain.Question) []Option {
	out := []Option{{"", t.T("field.choose")}}
	for _, q := range qs {
		out = append(out, Option{i64(q.ID), q.Code})
	}
	return out
}

func holdsOptions(t *i18n.Translator) []Option {
	out := []Option{{"", t.T("sec.holds_none")}}
	for _, a := range domain.ProposedActions {
		out = append(out, Option{string(a), t.T("action." + string(a))})
	}
	return out
}

func kindOptions(t *i18n.Translator) []Option {
	return []Option{
		{string(domain.Recommendation), t.T("kind.recommendation")},
		{string(domain.Supplement), t.T("kind.supplement")},
	}
}

func actionOptions(t *i18n.Translator) []Option {
	out := make([]Option, 0, len(domain.ProposedActions))
	for _, a := range domain.ProposedActions {
		out = append(out, Option{string(a), t.T("action." + string(a))})
	}
	return out
}
