package domain

import (
	"bytes"
	"encoding/json"
	"sort"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Text is a piece of meeting content with its translations, keyed by language tag ("en", "zh").
type Text map[string]string

// TextOrder is the fixed order in which a missing translation falls back after English:
// the UN's six languages in the order ITU lists them. A tag outside it comes after, alphabetically.
var TextOrder = []string{"en", "zh", "fr", "es", "ru", "ar"}

// In returns the text in lang, falling back to English, then to the first translation in
// TextOrder, then to any other tag in alphabetical order — never to map iteration order, so
// the same content always reads the same.
func (t Text) In(lang string) string {
	return t[t.Lang(lang)]
}

// Lang is the tag of the translation In(lang) returns ("" when t is empty): what a page writes
// in a lang attribute around the text.
func (t Text) Lang(lang string) string {
	if t[lang] != "" {
		return lang
	}
	for _, l := range TextOrder {
		if t[l] != "" {
			return l
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
	return rest[0]
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

// Equal reports whether t and u hold the same translations (an empty translation counts as none).
func (t Text) Equal(u Text) bool {
	for k, v := range t {
		if u[k] != v {
			return false
		}
	}
	for k, v := range u {
		if t[k] != v {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads a Text from a JSON object of translations, or from a plain JSON string
// (what a text held before it had translations), taken as its English; null is no translation.
// The first byte tells which it is, so that an object (nearly every text) is decoded once.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text{}
		if s != "" {
			(*t)["en"] = s
		}
		return nil
	case bytes.Equal(bytes.TrimRight(b, " \t\r\n"), []byte("null")):
		*t = Text{}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = m
	return nil
}

// UnmarshalJSONFrom is UnmarshalJSON for the JSON package that reads from a token stream
// (github.com/go-json-experiment/json), which the mail worker decodes mail facts with: the same
// three forms, read without a copy of the value first.
func (t *Text) UnmarshalJSONFrom(d *jsontext.Decoder) error {
	switch d.PeekKind() {
	case '"':
		tok, err := d.ReadToken()
		if err != nil {
			return err
		}
		*t = Text{}
		if s := tok.String(); s != "" {
			(*t)["en"] = s
		}
		return nil
	case 'n':
		if _, err := d.ReadToken(); err != nil {
			return err
		}
		*t = Text{}
		return nil
	}
	var m map[string]string
	if err := jsonv2.UnmarshalDecode(d, &m); err != nil {
		return err
	}
	*t = m
	return nil
}
