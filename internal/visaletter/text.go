package visaletter

import (
	"github.com/go-pdf/fpdf"
)

// TextWriter prints text into another PDF the way the letters do (badges and confirmations):
// runs by script in fonts that have their glyphs, Arabic shaped, lines broken where Unicode
// allows and ordered by the bidi algorithm.
type TextWriter struct {
	w writer
}

// NewTextWriter prepares pdf for texts. The caller has added the Latin fonts as family "dejavu"
// (regular and bold) and, when withCJK, the CJK font as "droid"; the Arabic fonts are added here
// when texts have Arabic.
func NewTextWriter(pdf *fpdf.Fpdf, f *Fonts, withCJK bool, texts ...string) (*TextWriter, error) {
	t := &TextWriter{w: writer{pdf: pdf, withCJK: withCJK, size: 10}}
	if hasArabic(texts...) {
		ar, err := f.arabicFonts()
		if err != nil {
			return nil, err
		}
		pdf.AddUTF8FontFromBytes(fontArabic, "", ar.puaRegular)
		pdf.AddUTF8FontFromBytes(fontArabic, "B", ar.puaBold)
		t.w.arabic = ar.shaper()
	}
	return t, nil
}

// RightToLeft says whether s is a right-to-left paragraph: its first strong character is.
func RightToLeft(s string) bool { return rightToLeft(s) }

// SetRightToLeft sets the paragraphs' direction: right to left, lines start at the right margin.
func (t *TextWriter) SetRightToLeft(rtl bool) { t.w.rtl = rtl }

// Style sets the size (points) and weight of what follows.
func (t *TextWriter) Style(size float64, bold bool) { t.w.style(size, bold) }

// Width is the width of s as printed, in mm.
func (t *TextWriter) Width(s string) float64 { return t.w.width(s) }

// Write flows s from the current position (for left to right, the PDF's x), lines h high,
// wrapping at the end margin, and leaves the position after it.
func (t *TextWriter) Write(h float64, s string) {
	left, _, _, _ := t.w.pdf.GetMargins()
	if !t.w.rtl {
		t.w.off = t.w.pdf.GetX() - left
	}
	t.w.write(h, s)
	if !t.w.rtl {
		t.w.pdf.SetX(left + t.w.off)
	}
}

// Ln moves down by h to the start of a line.
func (t *TextWriter) Ln(h float64) { t.w.ln(h) }

// Centred writes s on one line centred between x0 and x1 (mm from the page's left edge), in the
// direction of its first strong character.
func (t *TextWriter) Centred(h float64, s string, x0, x1 float64) {
	pdf := t.w.pdf
	rtl := t.w.rtl
	t.w.rtl = rightToLeft(s)
	defer func() { t.w.rtl = rtl }()
	left, top, right, _ := pdf.GetMargins()
	pw, _ := pdf.GetPageSize()
	pdf.SetLeftMargin(x0)
	pdf.SetRightMargin(pw - x1)
	t.w.off = max(0, (x1-x0-t.w.width(s))/2)
	t.w.write(h, s)
	pdf.SetMargins(left, top, right)
	t.w.off = 0
}
