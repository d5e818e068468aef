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
