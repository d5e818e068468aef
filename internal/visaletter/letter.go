// Package visaletter writes visa support letters as PDF: addressed to the Swiss representation
// the delegate chose, with the passport data, the meeting, the purpose of the visit, a reference
// number, the issue date and a QR code pointing to the portal's public verification page.
//
// Names and places may be in any script: text is split into runs by script and each run is
// printed in a font that has its glyphs (DejaVu Sans, or Droid Sans Fallback for CJK), both
// embedded as subsets, so the letter prints the same everywhere and its text can be extracted.
package visaletter

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// Holder is the participant as their passport names them.
type Holder struct {
	Name            string
	BirthDate       time.Time
	BirthPlace      string
	Nationality     string
	PassportNumber  string
	PassportIssued  time.Time
	PassportExpires time.Time
	IssuingCountry  string
	Organisation    string
}

// Letter is everything one letter says.
type Letter struct {
	Reference string
	IssuedOn  time.Time
	// Representation is the Swiss embassy or consulate where the visa will be applied for.
	Representation string
	Holder         Holder
	// The meeting, in English (the letter's language).
	MeetingTitle string
	StudyGroup   string // "ITU-T Study Group 13"
	GroupTitle   string // "Future networks and emerging network technologies"
	City, Venue  string
	FirstDay     time.Time
	LastDay      time.Time
	// Colocated are the events held at the same place that the participant also attends; the
	// period of stay the letter states covers them.
	Colocated []Event
	// The letterhead: the secretariat's name and postal address, and its contact details.
	SecretariatName string
	Address         []string
	Email, Phone    string
	// The signatory block: the official's name and title, and optionally a scanned signature
	// (PNG or JPEG, checked when uploaded).
	SignatoryName, SignatoryTitle string
	Signature                     []byte
	SignatureType                 string
	// VerifyURL is the public page that confirms the letter is genuine; the QR code holds it.
	VerifyURL string
}

// Event is a co-located event the participant attends.
type Event struct {
	Title             string
	FirstDay, LastDay time.Time
}

// Stay is the period of stay the letter asks a visa for: the meeting's days and those of every
// co-located event attended.
func (l Letter) Stay() (time.Time, time.Time) {
	first, last := l.FirstDay, l.LastDay
	for _, e := range l.Colocated {
		if e.FirstDay.Before(first) {
			first = e.FirstDay
		}
		if e.LastDay.After(last) {
			last = e.LastDay
		}
	}
	return first, last
}

const (
	fontLatin = "dejavu"
	fontCJK   = "droid"
	margin    = 18.0
	lineH     = 5.0
	rowH      = 5.2 // a row of the passport table
)

// writer prints text in runs by script.
type writer struct {
	pdf     *fpdf.Fpdf
	withCJK bool
	size    float64
	bold    bool
}

func (w *writer) font(s script) {
	style := ""
	if w.bold && s == latin {
		style = "B"
	}
	if s == cjk && w.withCJK {
		w.pdf.SetFont(fontCJK, "", w.size)
		return
	}
	w.pdf.SetFont(fontLatin, style, w.size)
}

// write flows text from the current position, wrapping at the right margin.
func (w *writer) write(h float64, s string) {
	for _, r := range runs(s) {
		w.font(r.script)
		w.pdf.Write(h, r.text)
	}
	w.font(latin)
}

// para writes a paragraph and moves below it.
func (w *writer) para(s string, after float64) {
	w.write(lineH, s)
	w.pdf.Ln(lineH + after)
}

func (w *writer) style(size float64, bold bool) {
	w.size, w.bold = size, bold
	w.font(latin)
}

// Date formats a calendar day as the letter prints it: "25 July 2025".
func Date(d time.Time) string { return fmt.Sprintf("%d %s %d", d.Day(), d.Month(), d.Year()) }

// DateRange formats the meeting's days: "25 July 2025", "14 to 25 July 2025".
func DateRange(a, b time.Time) string {
	switch {
	case a.Equal(b):
		return Date(a)
	case a.Year() == b.Year() && a.Month() == b.Month():
		return fmt.Sprintf("%d to %s", a.Day(), Date(b))
	default:
		return Date(a) + " to " + Date(b)
	}
}

// Render writes the letter as a PDF.
func Render(fonts *Fonts, l Letter) ([]byte, error) {
	h := l.Holder
	withCJK := hasCJK(l.fields()...)

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetCreationDate(l.IssuedOn)
	pdf.SetModificationDate(l.IssuedOn)
	pdf.SetTitle("Visa support letter "+l.Reference, true)
	pdf.SetAuthor(l.StudyGroup+" secretariat", true)
	pdf.SetCreator("Plenary", true)
	pdf.SetProducer("Plenary", true)
	pdf.AddUTF8FontFromBytes(fontLatin, "", fonts.Latin)
	pdf.AddUTF8FontFromBytes(fontLatin, "B", fonts.LatinBold)
	if withCJK {
		pdf.AddUTF8FontFromBytes(fontCJK, "", fonts.CJK)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("visaletter: fonts: %w", err)
	}
	pdf.AddPage()
	w := &writer{pdf: pdf, withCJK: withCJK}

	// Letterhead, with the verification QR code at its right.
	if err := qrCode(pdf, l.VerifyURL, 210-margin-qrSize, margin); err != nil {
		return nil, err
	}
	pdf.SetRightMargin(margin + qrSize + 6)
	w.style(12.5, true)
	w.para(l.SecretariatName, 0.5)
	w.style(9.5, false)
	for _, a := range l.Address {
		w.para(a, 0)
	}
	contact := l.StudyGroup + " secretariat"
	if l.Phone != "" {
		contact += " · Tel. " + l.Phone
	}
	if l.Email != "" {
		contact += " · " + l.Email
	}
	w.para(contact, 0)
	pdf.SetRightMargin(margin)
	if pdf.GetY() < margin+qrSize {
		pdf.SetY(margin + qrSize)
	}
	pdf.SetDrawColor(0, 84, 147)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY() + 2
	pdf.Line(margin, y, 210-margin, y)
	pdf.SetY(y + 6)

	w.style(10, false)
	labelled := func(label, value string) {
		w.style(10, true)
		pdf.CellFormat(28, lineH, label, "", 0, "L", false, 0, "")
		w.style(10, false)
		w.write(lineH, value)
		pdf.Ln(lineH)
	}
	labelled("Reference:", l.Reference)
	labelled("Date:", Date(l.IssuedOn))
	labelled("To:", l.Representation)
	pdf.Ln(4)
	w.style(11, true)
	w.para("Subject: Visa support letter — "+l.MeetingTitle, 3)

	w.style(10, false)
	w.para("Dear Sir or Madam,", 2)
	group := l.StudyGroup
	if l.GroupTitle != "" {
		group += " (" + l.GroupTitle + ")"
	}
	place := l.City
	if l.Venue != "" {
		place = l.Venue + ", " + l.City
	}
	w.para(fmt.Sprintf("The secretariat of %s confirms that the person named below is registered to attend, in person, the %s, to be held at %s on %s.",
		group, l.MeetingTitle, place, DateRange(l.FirstDay, l.LastDay)), 3)
	if len(l.Colocated) > 0 {
		w.para("The participant will also attend the following meetings, held at the same place:", 1)
		pdf.SetLeftMargin(margin + 4)
		for _, e := range l.Colocated {
			pdf.SetX(margin + 4)
			w.para("– "+e.Title+", "+DateRange(e.FirstDay, e.LastDay), 0.5)
		}
		pdf.SetLeftMargin(margin)
		pdf.Ln(2.5)
	}
	from, to := l.Stay()
	w.para(fmt.Sprintf("Period of stay: %s.", DateRange(from, to)), 3)

	// The participant's passport data.
	rows := [][2]string{
		{"Name as in passport", h.Name},
		{"Date of birth", Date(h.BirthDate)},
		{"Place of birth", h.BirthPlace},
		{"Nationality", h.Nationality},
		{"Passport number", h.PassportNumber},
		{"Date of issue", Date(h.PassportIssued)},
		{"Date of expiry", Date(h.PassportExpires)},
		{"Issuing country", h.IssuingCountry},
	}
	if h.Organisation != "" {
		rows = append(rows, [2]string{"Organisation", h.Organisation})
	}
	pdf.SetFillColor(240, 244, 248)
	top := pdf.GetY()
	pdf.Rect(margin, top, 210-2*margin, float64(len(rows))*(rowH)+3, "F")
	pdf.SetY(top + 1.5)
	for _, r := range rows {
		pdf.SetX(margin + 3)
		w.style(10, true)
		pdf.CellFormat(50, rowH, r[0], "", 0, "L", false, 0, "")
		w.style(10, false)
		w.write(rowH, r[1])
		pdf.Ln(rowH)
	}
	pdf.SetY(top + float64(len(rows))*(rowH) + 3 + 4)

	w.para("We would be grateful if you could grant this person an entry visa for the period of stay stated above. "+
		"This letter does not commit the Union to bear any cost of the participant's travel or stay.", 3)
	w.para("Yours faithfully,", 2)
	if err := signature(w, l); err != nil {
		return nil, err
	}
	w.style(10, true)
	w.para(l.SignatoryName, 0)
	w.style(10, false)
	w.para(l.SignatoryTitle, 6)

	// The verification block: a QR code and the short URL.
	if err := verification(w, l); err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("visaletter: %w", err)
	}
	return buf.Bytes(), nil
}

// signature places the scanned signature, if any, above the signatory's name: at most 50 mm wide
// and 18 mm high, its proportions kept.
func signature(w *writer, l Letter) error {
	if len(l.Signature) == 0 {
		return nil
	}
	pdf := w.pdf
	typ := map[string]string{"image/png": "PNG", "image/jpeg": "JPG"}[l.SignatureType]
	if typ == "" {
		return fmt.Errorf("visaletter: signature of type %q", l.SignatureType)
	}
	info := pdf.RegisterImageOptionsReader("signature", fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(l.Signature))
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("visaletter: signature: %w", err)
	}
	wd, ht := info.Extent()
	const maxW, maxH = 50.0, 18.0
	scale := min(maxW/wd, maxH/ht)
	wd, ht = wd*scale, ht*scale
	if pdf.GetY()+ht+2*lineH > 297-margin {
		pdf.AddPage()
	}
	pdf.ImageOptions("signature", margin, pdf.GetY(), wd, ht, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
	pdf.SetY(pdf.GetY() + ht + 1)
	return nil
}

const qrSize = 26.0

// qrCode draws the QR code of url as vector squares (crisp at any zoom, and faster than an
// embedded image), qrSize wide, its top left corner at x, y.
func qrCode(pdf *fpdf.Fpdf, url string, x0, y0 float64) error {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("visaletter: qr code: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	cell := qrSize / float64(len(bm))
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bm {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.Rect(x0+float64(start)*cell, y0+float64(r)*cell, float64(c-start)*cell, cell, "F")
		}
	}
	return nil
}

// verification says, at the foot of the letter's last page, how to check the letter: the QR
// code at its head holds the address of the portal's verification page.
func verification(w *writer, l Letter) error {
	pdf := w.pdf
	const h = 4.2
	const lines = 3
	if pdf.GetY()+lines*h+2 > 297-margin {
		pdf.AddPage()
	}
	pdf.SetAutoPageBreak(false, 0)
	defer pdf.SetAutoPageBreak(true, margin)
	pdf.SetY(297 - margin - lines*h)
	pdf.SetDrawColor(0, 84, 147)
	pdf.SetLineWidth(0.3)
	pdf.Line(margin, pdf.GetY()-1.5, 210-margin, pdf.GetY()-1.5)
	w.style(8.5, true)
	w.write(h, "Check that this letter is genuine: ")
	w.style(8.5, false)
	w.write(h, "scan the code at its head or open ")
	pdf.SetTextColor(0, 84, 147)
	pdf.WriteLinkString(h, l.VerifyURL, l.VerifyURL)
	pdf.SetTextColor(0, 0, 0)
	w.write(h, ". The portal shows the name, the meeting and the issue date of every letter it issued. Reference "+
		l.Reference+", issued "+Date(l.IssuedOn)+".")
	pdf.Ln(h)
	return nil
}

// RenderAll writes many letters at once: the fonts are cut to the batch's characters once, and
// the PDFs are written on every core. It stops early when ctx ends.
func RenderAll(ctx context.Context, fonts *Fonts, letters []Letter) ([][]byte, error) {
	if len(letters) == 0 {
		return nil, nil
	}
	sub := fonts.Subset(letters)
	out := make([][]byte, len(letters))
	errs := make([]error, len(letters))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(letters)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = Render(sub, letters[i])
			}
		}()
	}
feed:
	for i := range letters {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("letter %s: %w", letters[i].Reference, err)
		}
	}
	return out, nil
}

// Filename is the letter's file name for a download: "visa-letter-SG13-WP-2025-07-V00042.pdf".
func Filename(reference string) string {
	var b strings.Builder
	for _, r := range reference {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return "visa-letter-" + b.String() + ".pdf"
}
