// Package visaletter writes visa support letters as PDF: addressed to the Swiss representation
// the delegate chose, with the passport data, the meeting, the purpose of the visit, a reference
// number, the issue date and a QR code pointing to the portal's public verification page.
//
// A letter is written in the language the secretariat chose for it: every fixed word comes from
// the message catalogue (the vletter.* keys of web/locales/<lang>/visaletter.json) and the dates
// from CLDR, through Words; only the data (passport data in Latin script, as the passport prints
// them, and names of places and meetings) are as stored.
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
	// Words is the letter's language: its messages and its dates (an *i18n.Translator).
	Words Words
	// The meeting, in the letter's language where it has a translation.
	MeetingTitle string
	StudyGroup   string // the study group's number: "13"
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

// Words are the letter's language: the catalogue's messages, filled with name/value pairs, and
// CLDR's dates. *i18n.Translator is one.
type Words interface {
	T(key string, kv ...any) string
	DateShort(d time.Time) string
	DateRange(a, b time.Time) string
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

// writer lays out and prints the letter's text (layout.go): in runs by script, each in a font
// that has its glyphs, Arabic shaped, lines broken where Unicode allows and ordered by direction.
type writer struct {
	pdf     *fpdf.Fpdf
	withCJK bool
	arabic  *shaper // nil when the letter has no Arabic
	rtl     bool    // the letter's language is written right to left: lines start at the right
	size    float64
	bold    bool
	off     float64 // the position on the current line, in mm from its start (right, for rtl)
}

func (w *writer) setFont(s script, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	switch {
	case s == cjk && w.withCJK:
		w.pdf.SetFont(fontCJK, "", w.size)
	case s == arabic && w.arabic != nil:
		w.pdf.SetFont(fontArabic, style, w.size)
	default:
		w.pdf.SetFont(fontLatin, style, w.size)
	}
}

// write flows text from the current position, wrapping at the end margin.
func (w *writer) write(h float64, s string) { w.flow(h, span{text: s, bold: w.bold}) }

// cell writes s on the current line in a cell wd wide and moves past it.
func (w *writer) cell(wd, h float64, s string) {
	off := w.off
	w.write(h, s)
	w.off = off + wd
}

// width is the width of s as printed.
func (w *writer) width(s string) float64 {
	text := []rune(s)
	if len(text) == 0 {
		return 0
	}
	style := make([]int, len(text))
	return w.widthOf(text, levels(text, w.rtl), style, []span{{text: s, bold: w.bold}}, 0, len(text))
}

// para writes a paragraph and moves below it.
func (w *writer) para(s string, after float64) {
	w.write(lineH, s)
	w.ln(lineH + after)
}

// ln moves down by h to the start of a line.
func (w *writer) ln(h float64) {
	w.pdf.Ln(h)
	w.off = 0
}

// setStart sets the margin lines start from (the left, or the right for rtl), at x mm from the
// page's edge; setEnd the other.
func (w *writer) setStart(x float64) {
	if w.rtl {
		w.pdf.SetRightMargin(x)
	} else {
		w.pdf.SetLeftMargin(x)
	}
}

func (w *writer) setEnd(x float64) {
	if w.rtl {
		w.pdf.SetLeftMargin(x)
	} else {
		w.pdf.SetRightMargin(x)
	}
}

// startX is the page's x of something wd wide placed at the start of a line, at off mm from the
// start margin.
func (w *writer) startX(off, wd float64) float64 {
	left, right := w.lineBox()
	if w.rtl {
		return right - off - wd
	}
	return left + off
}

func (w *writer) style(size float64, bold bool) {
	w.size, w.bold = size, bold
	w.setFont(latin, bold)
}

// isolate marks s as data of its own direction (UAX #9 first-strong isolate), so that "Example
// Networks Ltd." keeps its full stop at its end in an Arabic letter. The marks are not drawn.
func isolate(s string) string { return "\u2068" + s + "\u2069" }

// Date formats a calendar day as the letter prints it: "25 July 2025".
func Date(d time.Time) string { return fmt.Sprintf("%d %s %d", d.Day(), d.Month(), d.Year()) }

// DateRange formats days as an English letter prints them: "25 July 2025", "14 July 2025 to 25
// July 2025".
func DateRange(a, b time.Time) string {
	if a.Equal(b) {
		return Date(a)
	}
	return Date(a) + " to " + Date(b)
}

// texts are the words a letter prints, in its language, with the data filled in.
type texts struct {
	title, secretariat, contact, reference, date, to, subject, salutation, confirms, also string
	events                                                                                []string
	stay                                                                                  string
	rows                                                                                  [][2]string
	request, closing, checkTitle, checkScan, checkRest                                    string
}

// texts fills in the letter's messages.
func (l Letter) texts() texts {
	w, h := l.Words, l.Holder
	t := texts{
		title:       w.T("vletter.pdf_title", "Reference", l.Reference),
		secretariat: w.T("vletter.secretariat", "Number", l.StudyGroup),
		reference:   w.T("vletter.reference"),
		date:        w.T("vletter.date"),
		to:          w.T("vletter.to"),
		subject:     w.T("vletter.subject", "Meeting", l.MeetingTitle),
		salutation:  w.T("vletter.salutation"),
		also:        w.T("vletter.also"),
		request:     w.T("vletter.request"),
		closing:     w.T("vletter.closing"),
		checkTitle:  w.T("vletter.check_title"),
		checkScan:   w.T("vletter.check_scan"),
		checkRest:   w.T("vletter.check_rest", "Reference", l.Reference, "Date", w.DateShort(l.IssuedOn)),
	}
	t.contact = t.secretariat
	if l.Phone != "" {
		t.contact += " · " + w.T("vletter.tel", "Phone", l.Phone)
	}
	if l.Email != "" {
		t.contact += " · " + l.Email
	}
	place := l.City
	if l.Venue != "" {
		// Without the isolates the catalogue puts around the venue and the city: nested in the
		// sentence's own, an isolate holding only them and a comma would be left to right (UAX #9
		// P2 skips nested isolates), and an Arabic letter would name the city first.
		place = strings.Map(func(r rune) rune {
			if isBidiControl(r) {
				return -1
			}
			return r
		}, w.T("vletter.place", "Venue", l.Venue, "City", l.City))
	}
	if l.FirstDay.Equal(l.LastDay) {
		t.confirms = w.T("vletter.confirms_day", "Number", l.StudyGroup, "GroupTitle", l.GroupTitle, "Meeting", l.MeetingTitle,
			"Place", place, "Day", w.DateShort(l.FirstDay))
	} else {
		t.confirms = w.T("vletter.confirms_days", "Number", l.StudyGroup, "GroupTitle", l.GroupTitle, "Meeting", l.MeetingTitle,
			"Place", place, "From", w.DateShort(l.FirstDay), "To", w.DateShort(l.LastDay))
	}
	if l.GroupTitle == "" { // a study group without a title: no empty brackets
		t.confirms = strings.NewReplacer(" ()", "", "（）", "", "()", "").Replace(t.confirms)
	}
	for _, e := range l.Colocated {
		t.events = append(t.events, w.T("vletter.event", "Title", e.Title, "Dates", w.DateRange(e.FirstDay, e.LastDay)))
	}
	from, to := l.Stay()
	t.stay = w.T("vletter.stay", "Dates", w.DateRange(from, to))
	t.rows = [][2]string{
		{w.T("vletter.name"), h.Name},
		{w.T("vletter.birth_date"), w.DateShort(h.BirthDate)},
		{w.T("vletter.birth_place"), h.BirthPlace},
		{w.T("vletter.nationality"), h.Nationality},
		{w.T("vletter.passport_number"), h.PassportNumber},
		{w.T("vletter.issued"), w.DateShort(h.PassportIssued)},
		{w.T("vletter.expires"), w.DateShort(h.PassportExpires)},
		{w.T("vletter.issuing_country"), h.IssuingCountry},
	}
	if h.Organisation != "" {
		t.rows = append(t.rows, [2]string{w.T("vletter.organisation"), h.Organisation})
	}
	return t
}

// strings returns every piece of text the letter prints.
func (t texts) strings() []string {
	out := []string{t.title, t.contact, t.reference, t.date, t.to, t.subject, t.salutation, t.confirms, t.also, t.stay,
		t.request, t.closing, t.checkTitle, t.checkScan, t.checkRest}
	out = append(out, t.events...)
	for _, r := range t.rows {
		out = append(out, r[0], r[1])
	}
	return out
}

// Render writes the letter as a PDF.
func Render(fonts *Fonts, l Letter) ([]byte, error) {
	if l.Words == nil {
		return nil, fmt.Errorf("visaletter: letter %s has no language", l.Reference)
	}
	tx := l.texts()
	withCJK := hasCJK(l.fields()...)
	withArabic := hasArabic(l.fields()...)

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetCreationDate(l.IssuedOn)
	pdf.SetModificationDate(l.IssuedOn)
	pdf.SetTitle(tx.title, true)
	pdf.SetAuthor(tx.secretariat, true)
	pdf.SetCreator("Plenary", true)
	pdf.SetProducer("Plenary", true)
	pdf.AddUTF8FontFromBytes(fontLatin, "", fonts.Latin)
	pdf.AddUTF8FontFromBytes(fontLatin, "B", fonts.LatinBold)
	if withCJK {
		pdf.AddUTF8FontFromBytes(fontCJK, "", fonts.CJK)
	}
	w := &writer{pdf: pdf, withCJK: withCJK, rtl: rightToLeft(tx.salutation)}
	if withArabic {
		ar, err := fonts.arabicFonts()
		if err != nil {
			return nil, err
		}
		pdf.AddUTF8FontFromBytes(fontArabic, "", ar.puaRegular)
		pdf.AddUTF8FontFromBytes(fontArabic, "B", ar.puaBold)
		w.arabic = ar.shaper()
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("visaletter: fonts: %w", err)
	}
	pdf.AddPage()

	// Letterhead, with the verification QR code at its end (right, or left for rtl).
	qrX := 210 - margin - qrSize
	if w.rtl {
		qrX = margin
	}
	if err := qrCode(pdf, l.VerifyURL, qrX, margin); err != nil {
		return nil, err
	}
	w.setEnd(margin + qrSize + 6)
	w.style(12.5, true)
	w.para(isolate(l.SecretariatName), 0.5)
	w.style(9.5, false)
	for _, a := range l.Address {
		w.para(isolate(a), 0)
	}
	w.para(tx.contact, 0)
	w.setEnd(margin)
	if pdf.GetY() < margin+qrSize {
		pdf.SetY(margin + qrSize)
	}
	pdf.SetDrawColor(0, 84, 147)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY() + 2
	pdf.Line(margin, y, 210-margin, y)
	pdf.SetY(y + 6)

	// The labels' column is as wide as the longest label of the language.
	w.style(10, true)
	labelW := 28.0
	for _, s := range []string{tx.reference, tx.date, tx.to} {
		labelW = max(labelW, w.width(s)+3)
	}
	labelled := func(label, value string) {
		w.style(10, true)
		w.cell(labelW, lineH, label)
		w.style(10, false)
		w.write(lineH, isolate(value))
		w.ln(lineH)
	}
	labelled(tx.reference, l.Reference)
	labelled(tx.date, l.Words.DateShort(l.IssuedOn))
	labelled(tx.to, l.Representation)
	w.ln(4)
	w.style(11, true)
	w.para(tx.subject, 3)

	w.style(10, false)
	w.para(tx.salutation, 2)
	w.para(tx.confirms, 3)
	if len(tx.events) > 0 {
		w.para(tx.also, 1)
		w.setStart(margin + 4)
		for _, e := range tx.events {
			w.off = 0
			w.para("– "+e, 0.5)
		}
		w.setStart(margin)
		w.ln(2.5)
	}
	w.para(tx.stay, 3)

	// The participant's passport data, the labels' column as wide as the language needs.
	rows := tx.rows
	w.style(10, true)
	rowLabelW := 50.0
	for _, r := range rows {
		rowLabelW = max(rowLabelW, w.width(r[0])+3)
	}
	pdf.SetFillColor(240, 244, 248)
	top := pdf.GetY()
	pdf.Rect(margin, top, 210-2*margin, float64(len(rows))*(rowH)+3, "F")
	pdf.SetY(top + 1.5)
	for _, r := range rows {
		w.off = 3
		w.style(10, true)
		w.cell(rowLabelW, rowH, r[0])
		w.style(10, false)
		w.write(rowH, isolate(r[1]))
		w.ln(rowH)
	}
	pdf.SetY(top + float64(len(rows))*(rowH) + 3 + 4)

	w.para(tx.request, 3)
	w.para(tx.closing, 2)
	if err := signature(w, l); err != nil {
		return nil, err
	}
	w.style(10, true)
	w.para(isolate(l.SignatoryName), 0)
	w.style(10, false)
	w.para(isolate(l.SignatoryTitle), 6)

	// The verification block: a QR code and the short URL.
	if err := verification(w, l, tx); err != nil {
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
	pdf.ImageOptions("signature", w.startX(0, wd), pdf.GetY(), wd, ht, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
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
func verification(w *writer, l Letter, tx texts) error {
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
	w.off = 0
	w.style(8.5, false)
	w.flow(h, span{text: tx.checkTitle + " ", bold: true}, span{text: tx.checkScan + " "}, span{text: l.VerifyURL, link: l.VerifyURL},
		span{text: tx.checkRest})
	w.ln(h)
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
