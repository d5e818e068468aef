package domain

import "time"

// The photo of a registration: a passport-style picture the delegate uploads before the meeting,
// or the desk takes at the counter, printed on the badge. It is personal data, seen only by the
// delegate, their organisation's focal points, the secretariat and the desk staff of that
// meeting, and erased with the passport data after the meeting (VisaErasureDue).

// The photo's limits: what is accepted, and what is kept.
const (
	// PhotoMaxUpload is the largest file accepted (before it is re-encoded).
	PhotoMaxUpload = 10 << 20
	// PhotoMinWidth and PhotoMinHeight are the smallest picture accepted: a face must be
	// recognisable on the badge.
	PhotoMinWidth, PhotoMinHeight = 240, 320
	// PhotoMaxPixels bounds the picture decoded (width × height), read from its header before
	// anything is decoded.
	PhotoMaxPixels = 40_000_000
	// PhotoWidth and PhotoHeight are the kept picture's size at most: 3:4, passport-style.
	PhotoWidth, PhotoHeight = 600, 800
)

// FieldPhoto is the form field of the photo.
const FieldPhoto = "photo"

// PhotoSource says who took the photo.
type PhotoSource string

const (
	PhotoUploaded PhotoSource = "upload" // by the delegate (or the secretariat), before the meeting
	PhotoAtDesk   PhotoSource = "desk"   // at the counter
)

// Photo is a registration's stored photo.
type Photo struct {
	RegistrationID int64
	Key, Backend   string
	Size           int64
	Width, Height  int
	Source         PhotoSource
	TakenBy        int64
	TakenAt        time.Time
	// Desk is the desk a photo taken at the counter was taken at (not stored with the photo:
	// written in its audit event).
	Desk string
}

// CanSeePhoto reports whether actor may see r's photo: its owner, a focal point of its
// organisation, the secretariat, and the desk staff of its meeting.
func CanSeePhoto(a Actor, r Registration) bool {
	return a.SignedIn() && (a.ID == r.AccountID || a.CanFor(ViewRegistrations, r.OrganisationID) || a.CanAt(WorkDesk, r.MeetingID))
}

// CanSetPhoto reports whether actor may give r a photo: its owner (uploading in advance), the
// secretariat, and the desk staff of its meeting (taking one at the counter). A focal point sees
// the photo but does not set it. Only a live in-person registration has a badge to print it on.
func CanSetPhoto(a Actor, r Registration) error {
	if err := CanRemovePhoto(a, r); err != nil {
		return err
	}
	switch {
	case r.State == Cancelled || r.State == Rejected:
		return Errorf(Conflict, "photo.refuse_state")
	case r.Mode != InPerson:
		return Errorf(Conflict, "photo.refuse_remote")
	}
	return nil
}

// CheckPhotoSize checks a picture's dimensions, read from its header, as a field error.
func CheckPhotoSize(width, height int) error {
	switch {
	case width <= 0 || height <= 0 || int64(width)*int64(height) > PhotoMaxPixels:
		return FieldErrors(map[string]string{FieldPhoto: "photo.too_many_pixels"})
	case width < PhotoMinWidth || height < PhotoMinHeight:
		return FieldErrors(map[string]string{FieldPhoto: "photo.too_small"})
	}
	return nil
}

// CanRemovePhoto reports whether actor may remove r's photo: whoever may set one (its owner, the
// secretariat, the desk staff of its meeting), in any state, since removing personal data is
// never refused for a registration's state.
func CanRemovePhoto(a Actor, r Registration) error {
	if !(a.SignedIn() && (a.ID == r.AccountID || a.CanAt(WorkDesk, r.MeetingID))) {
		return Errorf(Forbidden, "error.forbidden")
	}
	return nil
}
