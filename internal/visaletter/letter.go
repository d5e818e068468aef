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
	// The secretariat's contact details.
	Email, Phone string
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
	margin    = 20.0
	lineH     = 5.6
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

	// Letterhead.
	w.style(13, true)
	w.para("International Telecommunication Union", 0)
	w.style(10, false)
	w.para("Telecommunication Standardization Bureau", 0)
	contact := l.StudyGroup + " secretariat"
	if l.Phone != "" {
		contact += " · Tel. " + l.Phone
	}
	if l.Email != "" {
		contact += " · " + l.Email
	}
	w.para(contact, 0)
	pdf.SetDrawColor(0, 84, 147)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY() + 2
	pdf.Line(margin, y, 210-margin, y)
	pdf.SetY(y + 6)

	w.style(10.5, false)
	labelled := func(label, value string) {
		w.style(10.5, true)
		pdf.CellFormat(28, lineH, label, "", 0, "L", false, 0, "")
		w.style(10.5, false)
		w.write(lineH, value)
		pdf.Ln(lineH)
	}
	labelled("Reference:", l.Reference)
	labelled("Date:", Date(l.IssuedOn))
	labelled("To:", l.Representation)
	pdf.Ln(4)
	w.style(11, true)
	w.para("Subject: Visa support letter — "+l.MeetingTitle, 3)

	w.style(10.5, false)
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
		for _, e := range l.Colocated {
			pdf.SetX(margin + 4)
			w.para("– "+e.Title+", "+DateRange(e.FirstDay, e.LastDay), 0.5)
		}
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
	pdf.Rect(margin, top, 210-2*margin, float64(len(rows))*(lineH+1)+3, "F")
	pdf.SetY(top + 1.5)
	for _, r := range rows {
		pdf.SetX(margin + 3)
		w.style(10.5, true)
		pdf.CellFormat(50, lineH+1, r[0], "", 0, "L", false, 0, "")
		w.style(10.5, false)
		w.write(lineH+1, r[1])
		pdf.Ln(lineH + 1)
	}
	pdf.SetY(top + float64(len(rows))*(lineH+1) + 3 + 4)

	w.para("We would be grateful if you could grant this person an entry visa for the period of stay stated above. "+
		"This letter does not commit the Union to bear any cost of the participant's travel or stay.", 3)
	w.para("Yours faithfully,", 1)
	w.para("For the secretariat of "+l.StudyGroup, 6)

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

// verification draws the QR code of the verification URL as vector squares (crisp at any zoom,
// and faster than an embedded image), with the URL beside it.
func verification(w *writer, l Letter) error {
	pdf := w.pdf
	q, err := qrcode.New(l.VerifyURL, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("visaletter: qr code: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	const size = 30.0
	cell := size / float64(len(bm))
	if pdf.GetY()+size+4 > 297-margin {
		pdf.AddPage()
	}
	x0, y0 := margin, pdf.GetY()
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
	pdf.SetXY(x0+size+6, y0+2)
	pdf.SetLeftMargin(x0 + size + 6)
	w.style(9.5, true)
	w.para("Check that this letter is genuine:", 0.5)
	w.style(9.5, false)
	pdf.SetTextColor(0, 84, 147)
	pdf.WriteLinkString(lineH, l.VerifyURL, l.VerifyURL)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(lineH + 0.5)
	w.para("Scan the code or open the address: the portal shows the name, the meeting and the issue date of every letter it issued.", 0)
	w.para("Reference "+l.Reference+", issued "+Date(l.IssuedOn)+".", 0)
	pdf.SetLeftMargin(margin)
	if pdf.GetY() < y0+size {
		pdf.SetY(y0 + size)
	}
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
