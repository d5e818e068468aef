package domain

// Text is a piece of meeting content with its translations, keyed by language tag ("en", "zh").
type Text map[string]string

// In returns the text in lang, falling back to English and then to any translation.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t["en"]; s != "" {
		return s
	}
	for _, s := range t {
		if s != "" {
			return s
		}
	}
	return ""
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
