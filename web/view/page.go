// Package view holds the templ components of every page. Components take typed parameters; the
// common part of a page (language, user, flash message) is a Page.
package view

import (
	"strconv"
	"time"

	"plenary/internal/i18n"
)

// Page is what every page's layout needs.
type Page struct {
	T     *i18n.Translator
	Langs []i18n.Lang
	// Title is the page's own title, already translated.
	Title string
	// Path is the current path and query, where a language switch returns to.
	Path  string
	User  *User
	Flash string
	Now   time.Time
	// AssetVersion is appended to static URLs.
	AssetVersion string
	// FormID names the form being filled on the page, if any: the language buttons then send
	// what was typed in it along, and the page comes back in the other language with it filled
	// in (no script needed).
	FormID string
}

// User is the signed-in account as the layout shows it.
type User struct {
	ID          int64
	Name        string
	Secretariat bool
	FocalPoint  bool
}

// Asset returns the URL of a static file.
func (p Page) Asset(name string) string { return "/static/" + name + "?v=" + p.AssetVersion }

// Lang is the page's language tag.
func (p Page) Lang() string { return p.T.Lang.Tag }

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
