package domain

import (
	"strings"
	"unicode"
)

// NameOrder says which of a person's names comes first when their full name is written.
type NameOrder string

// The name orders.
const (
	GivenFirst  NameOrder = "given_first"  // Ana Silva
	FamilyFirst NameOrder = "family_first" // 王芳, Nagy Béla
)

// AutoOrder is for names read without their order: the family name first when both names are
// written in Chinese, Japanese or Korean characters (王芳), given names first otherwise.
const AutoOrder NameOrder = ""

// Valid reports whether o is a known order.
func (o NameOrder) Valid() bool { return o == GivenFirst || o == FamilyFirst }

// PersonName writes a person's full name as they give it: the family name first when they say so,
// and then with no space between names written in Chinese, Japanese or Korean characters (王芳,
// not "王 芳"); given names first otherwise. AutoOrder (a name read without its order) puts the
// family name first only for names written in those characters. (The
// database's accounts.display_name follows the same rule: migration 00150.)
func PersonName(given, family string, order NameOrder) string {
	given, family = strings.TrimSpace(given), strings.TrimSpace(family)
	switch {
	case given == "":
		return family
	case family == "":
		return given
	case (order == FamilyFirst || order == AutoOrder) && unspaced(family+given):
		return family + given
	case order == FamilyFirst:
		return family + " " + given
	default:
		return given + " " + family
	}
}

// unspaced reports whether s is written only in characters of scripts that put no space between
// a person's names: Han, Hiragana, Katakana and Hangul.
func unspaced(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return false
		}
	}
	return s != ""
}
