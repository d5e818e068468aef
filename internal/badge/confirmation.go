package badge

import (
	"time"

	"plenary/internal/visaletter"
)

// Confirmation is what a registration's confirmation says, its labels already in the reader's
// language.
type Confirmation struct {
	// Title heads the page ("Registration confirmation").
	Title string
	// Rows are label and value pairs: reference, name, organisation, meeting, dates, mode.
	Rows [][2]string
	// Desk says where and when to collect the badge (one line each); empty for a remote
	// registration.
	DeskHeading string
	Desk        []string
	// Remote is what a remote participant needs (tool, link, rules), one line each.
	RemoteHeading string
	Remote        []string
	// Code is the signed token the QR code holds; empty for a remote registration.
	Code     string
	CodeNote string
	Issued   time.Time
}

// RenderConfirmation writes a confirmation as an A4 PDF.
func RenderConfirmation(f *Fonts, c Confirmation) ([]byte, error) {
	texts := []string{c.Title, c.DeskHeading, c.RemoteHeading, c.CodeNote}
	for _, r := range c.Rows {
		texts = append(texts, r[0], r[1])
	}
	texts = append(append(texts, c.Desk...), c.Remote...)
	d, err := newDoc(f, "P", "A4", 0, 0, texts...)
	if err != nil {
		return nil, err
	}
	pdf := d.pdf
	d.text.SetRightToLeft(visaletter.RightToLeft(c.Title)) // an Arabic confirmation starts its lines at the right
	const margin = 20.0
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	if !c.Issued.IsZero() {
		pdf.SetCreationDate(c.Issued)
		pdf.SetModificationDate(c.Issued)
	}
	pdf.SetTitle(c.Title, true)
	pdf.AddPage()

	d.style(16, true)
	d.para(c.Title, 2)
	pdf.SetDrawColor(0, 84, 147)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY()
	pdf.Line(margin, y, 210-margin, y)
	pdf.SetY(y + 5)

	for _, r := range c.Rows {
		d.style(11, true)
		d.para(r[0], 0)
		d.style(11, false)
		d.para("\u2068"+r[1]+"\u2069", 2) // isolated: "Example Networks Ltd." keeps its full stop at its end in Arabic
	}
	if len(c.Desk) > 0 {
		pdf.Ln(2)
		d.style(12, true)
		d.para(c.DeskHeading, 1)
		d.style(11, false)
		for _, l := range c.Desk {
			d.para(l, 0.5)
		}
	}
	if len(c.Remote) > 0 {
		pdf.Ln(2)
		d.style(12, true)
		d.para(c.RemoteHeading, 1)
		d.style(11, false)
		for _, l := range c.Remote {
			d.para(l, 0.5)
		}
	}
	if c.Code != "" {
		const side = 60.0
		pdf.Ln(4)
		if pdf.GetY()+side+20 > 297-margin {
			pdf.AddPage()
		}
		y := pdf.GetY()
		if err := d.qr(c.Code, (210-side)/2, y, side); err != nil {
			return nil, err
		}
		pdf.SetY(y + side + 4)
		d.style(10, false)
		d.centred(c.CodeNote, margin, 210-margin, 1)
	}
	return d.bytes()
}
