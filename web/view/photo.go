package view

import (
	"net/url"

	"plenary/internal/i18n"
)

// photoLabel is the label of the photo's file field: choosing a first one, or a replacement.
func photoLabel(t *i18n.Translator, replace bool) string {
	if replace {
		return t.T("photo.file_label_replace")
	}
	return t.T("photo.file_label")
}

// photoPath is the address of registration id's photo page, returning to back (/me when empty).
func photoPath(id int64, back string) string {
	u := "/registrations/" + i64(id) + "/photo"
	if back != "" && back != "/me" {
		u += "?" + url.Values{"back": {back}}.Encode()
	}
	return u
}

// photoRemovePath is the address of the page that asks before registration id's photo is
// removed, returning to back.
func photoRemovePath(id int64, back string) string {
	u := "/registrations/" + i64(id) + "/photo/remove"
	if back != "" && back != "/me" {
		u += "?" + url.Values{"back": {back}}.Encode()
	}
	return u
}

// deskPhotoLabel is the label of the desk's photo field: taking a first one, or a new one.
func deskPhotoLabel(t *i18n.Translator, replace bool) string {
	if replace {
		return t.T("desk.photo_label_replace")
	}
	return t.T("desk.photo_label")
}
