package domain

import "sort"

// Text is a piece of meeting content with its translations, keyed by language tag ("en", "zh").
type Text map[string]string

// TextOrder is the fixed order in which a missing translation falls back after English:
// the UN's six languages in the order ITU lists them. A tag outside it comes after, alphabetically.
var TextOrder = []string{"en", "zh", "fr", "es", "ru", "ar"}

// In returns the text in lang, falling back to English, then to the first translation in
// TextOrder, then to any other tag in alphabetical order — never to map iteration order, so
// the same content always reads the same.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range TextOrder {
		if s := t[l]; s != "" {
			return s
		}
	}
	var rest []string
	for l, s := range t {
		if s != "" {
			rest = append(rest, l)
		}
	}
	if len(rest) == 0 {
		return ""
	}
	sort.Strings(rest)
	return t[rest[0]]
}

// Missing returns the tags of langs that t has no translation for, in the order of langs.
func (t Text) Missing(langs []string) []string {
	var out []string
	for _, l := range langs {
		if t[l] == "" {
			out = append(out, l)
		}
	}
	return out
}

// With returns a copy of t with lang set to s (removed when s is empty).
func (t Text) With(lang, s string) Text {
	out := make(Text, len(t)+1)
	for k, v := range t {
		out[k] = v
	}
	if s == "" {
		delete(out, lang)
	} else {
		out[lang] = s
	}
	return out
}
