package domain

import (
	"bytes"
	"image"
	_ "image/jpeg" // signatures may be JPEG
	_ "image/png"  // or PNG
	"strings"
	"unicode/utf8"
)

// LetterSettings is what a visa support letter says of its sender: the letterhead, the
// signatory and the language. A study group has them; a meeting may override any field.
type LetterSettings struct {
	SecretariatName string `db:"secretariat_name"`
	PostalAddress   string `db:"postal_address"`
	SignatoryName   string `db:"signatory_name"`
	SignatoryTitle  string `db:"signatory_title"`
	Signature       []byte `db:"signature"`
	SignatureType   string `db:"signature_type"`
	Language        string `db:"language"`
	Version         int64  `db:"version"`
}

// The fields of the letter settings form.
const (
	FieldSecretariatName = "secretariat_name"
	FieldPostalAddress   = "postal_address"
	FieldSignatoryName   = "signatory_name"
	FieldSignatoryTitle  = "signatory_title"
	FieldSignature       = "signature"
	FieldLetterLanguage  = "letter_language"
)

// SignatureMaxBytes is the largest signature image accepted, and SignatureMaxSide its largest
// width or height in pixels.
const (
	SignatureMaxBytes = 512 << 10
	SignatureMaxSide  = 4000
)

// LetterLanguages are the languages a letter can be written in.
var LetterLanguages = []string{"en", "fr", "es", "ru", "zh", "ar"}

// Over returns s with every empty field taken from base: a meeting's settings over its study
// group's.
func (s LetterSettings) Over(base LetterSettings) LetterSettings {
	pick := func(a, b string) string {
		if strings.TrimSpace(a) != "" {
			return a
		}
		return b
	}
	out := LetterSettings{
		SecretariatName: pick(s.SecretariatName, base.SecretariatName),
		PostalAddress:   pick(s.PostalAddress, base.PostalAddress),
		SignatoryName:   pick(s.SignatoryName, base.SignatoryName),
		SignatoryTitle:  pick(s.SignatoryTitle, base.SignatoryTitle),
		Language:        pick(s.Language, base.Language),
		Signature:       base.Signature, SignatureType: base.SignatureType,
	}
	if len(s.Signature) > 0 {
		out.Signature, out.SignatureType = s.Signature, s.SignatureType
	}
	if out.Language == "" {
		out.Language = "en"
	}
	return out
}

// AddressLines returns the postal address's lines, without empty ones.
func (s LetterSettings) AddressLines() []string {
	var out []string
	for _, l := range strings.Split(s.PostalAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// CanIssueLetters says whether letters can be issued with these (effective) settings: a letter
// needs its letterhead and its signatory.
func (s LetterSettings) CanIssueLetters() Capability {
	if strings.TrimSpace(s.SecretariatName) == "" || len(s.AddressLines()) == 0 ||
		strings.TrimSpace(s.SignatoryName) == "" || strings.TrimSpace(s.SignatoryTitle) == "" {
		return Deny(Errorf(Conflict, "error.letter_settings_missing"))
	}
	return Allow()
}

// CheckLetterSettings checks settings as the secretariat typed them (empty fields are allowed:
// they follow the study group's); requireAll is true for a study group, whose settings are what
// meetings fall back to.
func CheckLetterSettings(s LetterSettings, requireAll bool) error {
	fields := map[string]string{}
	one := map[string]string{FieldSecretariatName: s.SecretariatName, FieldSignatoryName: s.SignatoryName, FieldSignatoryTitle: s.SignatoryTitle}
	for name, v := range one {
		switch {
		case requireAll && strings.TrimSpace(v) == "":
			fields[name] = "error.required"
		case utf8.RuneCountInString(v) > 200:
			fields[name] = "error.too_long"
		case strings.ContainsAny(v, "\r\n\t"):
			fields[name] = "error.visa_one_line"
		}
	}
	switch lines := s.AddressLines(); {
	case requireAll && len(lines) == 0:
		fields[FieldPostalAddress] = "error.required"
	case len(lines) > 6 || utf8.RuneCountInString(s.PostalAddress) > 400:
		fields[FieldPostalAddress] = "error.address_too_long"
	}
	if s.Language != "" && !isLetterLanguage(s.Language) {
		fields[FieldLetterLanguage] = "error.letter_language"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

func isLetterLanguage(l string) bool {
	for _, x := range LetterLanguages {
		if x == l {
			return true
		}
	}
	return false
}

// CheckSignature checks an uploaded signature image: at most SignatureMaxBytes, a PNG or JPEG
// that decodes whole, at most SignatureMaxSide pixels each way. It returns its media type.
func CheckSignature(b []byte) (string, error) {
	refuse := func(key string) (string, error) { return "", FieldErrors(map[string]string{FieldSignature: key}) }
	if len(b) > SignatureMaxBytes {
		return refuse("error.signature_too_large")
	}
	// The format is told by the image's own signature bytes, as image.Decode reads them.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	typ := map[string]string{"png": "image/png", "jpeg": "image/jpeg"}[format]
	if err != nil || typ == "" || cfg.Width == 0 || cfg.Height == 0 {
		return refuse("error.signature_type")
	}
	if cfg.Width > SignatureMaxSide || cfg.Height > SignatureMaxSide {
		return refuse("error.signature_dimensions")
	}
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		return refuse("error.signature_type")
	}
	return typ, nil
}
