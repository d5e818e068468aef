package badge

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-pdf/fpdf"
)

// Badge is what a printed badge shows.
type Badge struct {
	Meeting      string
	Name         string
	Organisation string
	Country      string
	// Photo is a JPEG or PNG (the stored, re-encoded photo), or nil.
	Photo []byte
	// Number counts the badges printed for the registration: a reprint has the next one.
	Number int
	// Code is the badge's own signed token.
	Code string
}

// A6, portrait.
const (
	badgeW = 105.0
	badgeH = 148.0
)

// RenderBadge writes a badge as an A6 PDF.
func RenderBadge(f *Fonts, b Badge) ([]byte, error) {
	d, err := newDoc(f, "P", "A6", 0, 0, b.Meeting, b.Name, b.Organisation, b.Country)
	if err != nil {
		return nil, err
	}
	pdf := d.pdf
	const m = 8.0
	pdf.SetMargins(m, m, m)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle("Badge "+b.Name, true)
	pdf.AddPage()

	// The band across the top, with the meeting.
	pdf.SetFillColor(0, 84, 147)
	pdf.Rect(0, 0, badgeW, 16, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetY(4)
	d.style(9, true)
	d.centred(b.Meeting, m, badgeW-m, 0)
	pdf.SetTextColor(0, 0, 0)

	// The photo, or a frame where it would be.
	const pw, ph = 30.0, 38.0
	px, py := (badgeW-pw)/2, 20.0
	if t := photoType(b.Photo); t != "" {
		name := "photo"
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: t}, bytes.NewReader(b.Photo))
		pdf.ImageOptions(name, px, py, pw, ph, false, fpdf.ImageOptions{ImageType: t}, 0, "")
	} else {
		pdf.SetDrawColor(160, 160, 160)
		pdf.SetLineWidth(0.3)
		pdf.Rect(px, py, pw, ph, "D")
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("badge: photo: %w", err)
	}

	pdf.SetY(py + ph + 4)
	d.style(16, true)
	d.centred(b.Name, m, badgeW-m, 1)
	d.style(11, false)
	d.centred(b.Organisation, m, badgeW-m, 0.5)
	d.centred(b.Country, m, badgeW-m, 0)

	// The badge's own code, bottom left, and its number.
	const side = 34.0
	if err := d.qr(b.Code, m, badgeH-m-side, side); err != nil {
		return nil, err
	}
	pdf.SetXY(m+side+4, badgeH-m-8)
	d.style(9, false)
	d.write("No. " + strconv.Itoa(b.Number))
	return d.bytes()
}
