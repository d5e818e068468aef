package view

import (
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"plenary/internal/domain"
)

// ConfirmationData is what a registration's confirmation page shows.
type ConfirmationData struct {
	RegistrationID int64
	Reference      string
	Name           string
	Organisation   string
	Country        string
	MeetingTitle   string
	MeetingSlug    string
	Dates          string
	Mode           domain.Mode
	// DeskHours are the desk's openings, one line each with the place (in person only).
	DeskHours []string
	// The remote participation details (remote only).
	RemoteTool, RemoteLink, RemoteRules string
	// Code is the signed token (in person only) and QR its picture.
	Code string
	QR   QRPicture
}

// QRPicture is a QR code drawn as one SVG path, one unit per module.
type QRPicture struct {
	Size int
	Path string
}

// QROf draws code as a QR code (empty for no code).
func QROf(code string) QRPicture {
	if code == "" {
		return QRPicture{}
	}
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return QRPicture{}
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	var b strings.Builder
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b.WriteString("M" + strconv.Itoa(start) + " " + strconv.Itoa(y) + "h" + strconv.Itoa(x-start) + "v1h-" + strconv.Itoa(x-start) + "z")
		}
	}
	return QRPicture{Size: len(bm), Path: b.String()}
}

// viewBox is the picture's SVG viewBox, with a quiet zone of 4 modules.
func (q QRPicture) viewBox() string {
	return "-4 -4 " + strconv.Itoa(q.Size+8) + " " + strconv.Itoa(q.Size+8)
}

// DeskHomeData lists the meetings whose desk the actor works.
type DeskHomeData struct {
	Meetings []DeskMeetingLink
}

// DeskMeetingLink is one meeting's desk.
type DeskMeetingLink struct {
	Slug, Title string
}

// DeskData is what the desk page shows.
type DeskData struct {
	Title        string
	MeetingSlug  string
	MeetingTitle string
	// Desk is this desk's name, written in every event it records.
	Desk  string
	Query string
	// Refusal is a refusal in the desk's language, shown at the top.
	Refusal string
	// Hint says why a search was not made (too short); it refuses nothing, so the page is a 200.
	Hint string
	// Code is the verified code the person was found by, sent with the check-in.
	Code     string
	Person   *DeskPerson
	Matches  []DeskPerson
	Searched bool
	// BadgeURL is the badge just printed.
	BadgeURL string
	// Lists are the meeting's check-in lists; ListID the one this desk scans for, ListName its
	// name, Direction entry or exit (exit only where ListExits); Inside and Entries its counts.
	Lists       []CheckInListRow
	ListID      int64
	ListName    string
	Direction   domain.Direction
	ListExits   bool
	ListIsEntry bool
	Inside      int
	Entries     int
	// PhotoForm is the photo taken at the counter, when it was refused (its message beside the
	// field).
	PhotoForm Form
	// FiguresHref links to the day's figures (empty when the reader may not see them).
	FiguresHref string
}

// DeskPerson is a registration as the desk sees it.
type DeskPerson struct {
	RegistrationID int64
	Reference      string
	Name           string
	Organisation   string
	Country        string
	Mode           domain.Mode
	State          domain.State
	IDCheckDue     bool
	// CheckedIn says when and where (empty: not yet).
	CheckedIn  string
	Badges     int
	LiveBadge  int64
	CanCheckIn bool
	CanPrint   bool
	// Refusal says why the person may not be checked in now (empty when they may).
	Refusal string
	// ListStatus says where the person stands on the desk's list, when it is not the entry
	// without exits (inside since, left, not inside).
	ListStatus string
	// PhotoURL is the person's photo ("" when there is none); CanPhoto says the desk may take
	// one (an in-person registration neither cancelled nor rejected).
	PhotoURL string
	CanPhoto bool
}

// DeskStaffData is the secretariat's page of a meeting's desk staff.
type DeskStaffData struct {
	MeetingID    int64
	MeetingSlug  string
	MeetingTitle string
	Staff        []DeskStaffRow
	// Email and EmailError are a refused form's value and message.
	Email, EmailError string
}

// DeskStaffRow is one member of the desk staff.
type DeskStaffRow struct {
	AccountID   int64
	Name, Email string
}

// DevicesData is the secretariat's page of a meeting's scanner devices.
type DevicesData struct {
	MeetingID    int64
	MeetingTitle string
	Devices      []DeviceRow
	// Name and NameError are a refused form's value and message.
	Name, NameError string
	// NewCode is the one-time code of the device just registered (NewName), shown this once,
	// valid until NewUntil.
	NewCode, NewName, NewUntil string
}

// DeviceRow is one scanner device.
type DeviceRow struct {
	ID         int64
	Name       string
	ClientName string
	// State is the device's state (domain.DeviceState), StateText its words.
	State, StateText string
	LastSeen         string
	CanRevoke        bool
}
