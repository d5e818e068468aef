package view

import (
	"net/url"
	"strconv"

	"plenary/internal/domain"
)

// ScreenView is a room screen: the meeting, what it shows now, and how it was asked for.
type ScreenView struct {
	Slug     string
	Title    string
	City     string
	TimeZone string
	domain.Screen
	// Refresh is the number of seconds after which the page loads itself again (0: it does not).
	Refresh int
	// Preview says the meeting is a draft, shown to the secretariat only.
	Preview bool
}

// ScreenHref is the address of the screen for room in lang, refreshing every refresh seconds
// (each left out when empty or 0).
func ScreenHref(slug, room, lang string, refresh int) string {
	q := url.Values{}
	if room != "" {
		q.Set("room", room)
	}
	if lang != "" {
		q.Set("lang", lang)
	}
	if refresh > 0 {
		q.Set("refresh", strconv.Itoa(refresh))
	}
	h := "/meetings/" + slug + "/screen"
	if len(q) > 0 {
		h += "?" + q.Encode()
	}
	return h
}

// ScreenDefaultRefresh is the refresh a screen in the building is given by the page's own link.
const ScreenDefaultRefresh = 30
