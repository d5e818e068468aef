package domain

import (
	"fmt"
	"unicode"
)

// LatinScript reports whether s is written in Latin script, as a passport's machine-readable
// zone and its Latin transcription are: every letter Latin (accents allowed, as combining marks
// or precomposed), besides digits, spaces and the punctuation names and places use.
func LatinScript(s string) bool {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r), r >= '0' && r <= '9', unicode.Is(unicode.Mn, r):
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',' || r == '(' || r == ')' || r == '/':
		default:
			return false
		}
	}
	return true
}

// PassportNumberChars reports whether s is made of what passport numbers are: Latin capital or
// small letters A–Z, digits, and spaces or hyphens between them.
func PassportNumberChars(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' || r == '-') {
			return false
		}
	}
	return true
}

// RepresentationKind is what a Swiss representation is.
type RepresentationKind string

// The kinds of representation a visa is applied for at.
const (
	Embassy          RepresentationKind = "embassy"
	ConsulateGeneral RepresentationKind = "consulate_general"
)

// Representation is a Swiss embassy or consulate general, kept by the secretariat.
type Representation struct {
	ID      int64              `db:"id"`
	Country string             `db:"country"`
	City    string             `db:"city"`
	Kind    RepresentationKind `db:"kind"`
	Active  bool               `db:"active"`
}

// Name is how an English letter addresses it: "Embassy of Switzerland, Beijing, China".
func (r Representation) Name() string {
	kind := "Embassy of Switzerland"
	if r.Kind == ConsulateGeneral {
		kind = "Consulate General of Switzerland"
	}
	return fmt.Sprintf("%s, %s, %s", kind, r.City, r.Country)
}

// CheckRepresentation checks a representation the secretariat adds.
func CheckRepresentation(r Representation) error {
	fields := map[string]string{}
	for name, v := range map[string]string{"country": r.Country, "city": r.City} {
		switch {
		case v == "":
			fields[name] = "error.required"
		case len([]rune(v)) > 100:
			fields[name] = "error.too_long"
		case !LatinScript(v):
			fields[name] = "error.visa_latin"
		}
	}
	if r.Kind != Embassy && r.Kind != ConsulateGeneral {
		fields["kind"] = "error.representation_kind"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}
