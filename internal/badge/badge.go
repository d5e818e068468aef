// Package badge writes the PDFs of the day of the meeting: a registration's confirmation (A4,
// with its signed QR code, brought to the desk) and the badge the desk prints (A6: name,
// organisation, country, photo and a QR code of its own).
//
// Text may be in any script and is printed as the visa letters print it (visaletter.TextWriter):
// in runs, CJK in Droid Sans Fallback, Arabic shaped in Noto Naskh Arabic and the rest in DejaVu
// Sans, embedded as subsets, lines ordered by the bidi algorithm. The Latin font is cut once to
// the alphabets names are written in, so a badge parses a small font; CJK glyphs are cut per
// document, only when it has some. Labels come translated from the caller.
package badge

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // photos
	_ "image/png"
	"sort"
	"strings"
	"sync"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"plenary/internal/visaletter"
)

// Fonts are the fonts the PDFs embed, the Latin ones cut once.
type Fonts struct {
	latin, latinBold         []byte // cut to baseRanges
	latinFull, latinBoldFull []byte
	cjkFull                  []byte
	cuts                     sync.Map          // string of runes → *[2][]byte (Latin cuts) or []byte (CJK cuts)
	letter                   *visaletter.Fonts // for Arabic
}

// baseRanges are the characters the Latin font is cut to once: Western European names and
// punctuation. A document with other letters (Greek, Cyrillic, Vietnamese) gets a cut of its own.
var baseRanges = [][2]rune{{0x20, 0x7e}, {0xa0, 0x17f}, {0x2010, 0x2027}, {0x20ac, 0x20ac}}

func inBase(r rune) bool {
	for _, x := range baseRanges {
		if r >= x[0] && r <= x[1] {
			return true
		}
	}
	return false
}

// NewFonts prepares fonts from the visa letters' font files.
func NewFonts(f *visaletter.Fonts) *Fonts {
	var b strings.Builder
	for _, r := range baseRanges {
		for c := r[0]; c <= r[1]; c++ {
			b.WriteRune(c)
		}
	}
	set := b.String()
	return &Fonts{latin: fpdf.UTF8CutFont(f.Latin, set), latinBold: fpdf.UTF8CutFont(f.LatinBold, set),
		latinFull: f.Latin, latinBoldFull: f.LatinBold, cjkFull: f.CJK, letter: f}
}

// latinFonts returns the Latin fonts for texts: the base cut, or a cut of its own when they have
// other letters (kept for the next document with the same ones).
func (f *Fonts) latinFonts(texts ...string) (regular, bold []byte) {
	extra := map[rune]bool{}
	for _, s := range texts {
		for _, r := range s {
			if !inBase(r) && !isCJK(r) && !isArabic(r) {
				extra[r] = true
			}
		}
	}
	if len(extra) == 0 {
		return f.latin, f.latinBold
	}
	var b strings.Builder
	for _, r := range baseRanges {
		for c := r[0]; c <= r[1]; c++ {
			b.WriteRune(c)
		}
	}
	rs := make([]rune, 0, len(extra))
	for r := range extra {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	key := "L" + string(rs)
	if c, ok := f.cuts.Load(key); ok {
		p := c.(*[2][]byte)
		return p[0], p[1]
	}
	set := b.String() + string(rs)
	p := &[2][]byte{fpdf.UTF8CutFont(f.latinFull, set), fpdf.UTF8CutFont(f.latinBoldFull, set)}
	f.cuts.Store(key, p)
	return p[0], p[1]
}

var (
	defaultOnce  sync.Once
	defaultFonts *Fonts
	defaultErr   error
)

// DefaultFonts loads the fonts from their Debian paths once per process.
func DefaultFonts() (*Fonts, error) {
	defaultOnce.Do(func() {
		var f *visaletter.Fonts
		if f, defaultErr = visaletter.DefaultFonts(); defaultErr == nil {
			defaultFonts = NewFonts(f)
		}
	})
	return defaultFonts, defaultErr
}

// isArabic says whether r is of the Arabic blocks, which the Arabic font prints.
func isArabic(r rune) bool {
	return r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0x08A0 && r <= 0x08FF ||
		r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF
}

func isCJK(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x11ff, r >= 0x2e80 && r <= 0x9fff, r >= 0xa960 && r <= 0xa97f,
		r >= 0xac00 && r <= 0xd7ff, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xffef, r >= 0x20000 && r <= 0x3ffff:
		return true
	}
	return false
}

// cjkFont returns the CJK font cut to the runes of texts, or nil when they have none.
func (f *Fonts) cjkFont(texts ...string) []byte {
	set := map[rune]bool{}
	for _, s := range texts {
		for _, r := range s {
			if isCJK(r) {
				set[r] = true
			}
		}
	}
	if len(set) == 0 || f.cjkFull == nil {
		return nil
	}
	rs := make([]rune, 0, len(set)+1)
	for r := range set {
		rs = append(rs, r)
	}
	rs = append(rs, ' ')
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	key := string(rs)
	if b, ok := f.cuts.Load(key); ok {
		return b.([]byte)
	}
	b := fpdf.UTF8CutFont(f.cjkFull, key)
	f.cuts.Store(key, b)
	return b
}

// doc is a PDF being written, its text printed as the letters print theirs.
type doc struct {
	pdf   *fpdf.Fpdf
	text  *visaletter.TextWriter
	cjk   bool
	size  float64
	bold  bool
	lineH float64
}

func newDoc(f *Fonts, orientation, size string, w, h float64, texts ...string) (*doc, error) {
	var pdf *fpdf.Fpdf
	if size == "" {
		pdf = fpdf.NewCustom(&fpdf.InitType{OrientationStr: orientation, UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}})
	} else {
		pdf = fpdf.New(orientation, "mm", size, "")
	}
	pdf.SetCreator("Plenary", true)
	pdf.SetProducer("Plenary", true)
	regular, bold := f.latinFonts(texts...)
	pdf.AddUTF8FontFromBytes("dejavu", "", regular)
	pdf.AddUTF8FontFromBytes("dejavu", "B", bold)
	d := &doc{pdf: pdf, size: 10, lineH: 5}
	if c := f.cjkFont(texts...); c != nil {
		pdf.AddUTF8FontFromBytes("droid", "", c)
		d.cjk = true
	}
	var err error
	if d.text, err = visaletter.NewTextWriter(pdf, f.letter, d.cjk, texts...); err != nil {
		return nil, fmt.Errorf("badge: %w", err)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("badge: fonts: %w", err)
	}
	return d, nil
}

func (d *doc) style(size float64, bold bool) {
	d.size, d.bold = size, bold
	d.lineH = size * 0.5
	d.text.Style(size, bold)
}

// write flows s from the current position, wrapping at the end margin.
func (d *doc) write(s string) { d.text.Write(d.lineH, s) }

// para writes a paragraph and moves below it.
func (d *doc) para(s string, after float64) {
	d.write(s)
	d.text.Ln(d.lineH + after)
}

// width is the width of s as write prints it.
func (d *doc) width(s string) float64 { return d.text.Width(s) }

// centred writes one line of s centred between x0 and x1, shrinking the type to fit.
func (d *doc) centred(s string, x0, x1 float64, after float64) {
	size := d.size
	for d.width(s) > x1-x0 && d.size > 6 {
		d.style(d.size-0.5, d.bold)
	}
	d.text.Centred(d.lineH, s, x0, x1)
	d.text.Ln(d.lineH + after)
	d.style(size, d.bold)
}

// qr draws code as a QR code of side mm at x, y, as vector squares (crisp when printed).
func (d *doc) qr(code string, x, y, side float64) error {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("badge: qr code: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	cell := side / float64(len(bm))
	d.pdf.SetFillColor(0, 0, 0)
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
			d.pdf.Rect(x+float64(start)*cell, y+float64(r)*cell, float64(c-start)*cell, cell, "F")
		}
	}
	return nil
}

func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("badge: %w", err)
	}
	return buf.Bytes(), nil
}

// photoType returns fpdf's name of an image's format ("JPG", "PNG"), or "" when it is neither.
func photoType(b []byte) string {
	_, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	switch format {
	case "jpeg":
		return "JPG"
	case "png":
		return "PNG"
	}
	return ""
}
