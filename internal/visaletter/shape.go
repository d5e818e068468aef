package visaletter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Arabic is shaped (joined forms, lam-alef, marks placed) by go-text/typesetting's port of
// HarfBuzz, and its glyphs are drawn through fpdf one by one. fpdf embeds TrueType fonts keyed by
// character, not by glyph, so the Arabic font is given to it with a character map of its own:
// glyph n is the private-use character U+E000+n. What a reader extracts is told by an ActualText
// span around each cluster of glyphs, holding its characters.

const fontArabic = "naskh"

// puaBase is the first private-use character, standing for glyph 0.
const puaBase = 0xE000

// glyph is one shaped glyph, its offsets and advance in mm.
type glyph struct {
	id              font.GID
	dx, dy, advance float64
	cluster, runes  int // the characters it stands for (with the others of its cluster)
}

// arabicFonts are the parsed Arabic fonts, shared (read only) by every letter, and the fonts
// rewritten for fpdf.
type arabicFonts struct {
	regular, bold       *font.Font
	puaRegular, puaBold []byte
}

func newArabicFonts(regular, bold []byte) (*arabicFonts, error) {
	a := &arabicFonts{}
	for _, x := range []struct {
		b   []byte
		f   **font.Font
		pua *[]byte
	}{{regular, &a.regular, &a.puaRegular}, {bold, &a.bold, &a.puaBold}} {
		ld, err := ot.NewLoader(bytes.NewReader(x.b))
		if err != nil {
			return nil, fmt.Errorf("visaletter: Arabic font: %w", err)
		}
		if *x.f, err = font.NewFont(ld); err != nil {
			return nil, fmt.Errorf("visaletter: Arabic font: %w", err)
		}
		if *x.pua, err = glyphKeyedFont(x.b); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// shaper shapes Arabic for one letter (faces and the shaper hold caches: one per goroutine).
type shaper struct {
	regular, bold *font.Face
	hb            shaping.HarfbuzzShaper
	// shaped keeps what was shaped: lines are measured while they are broken and again when drawn.
	shaped map[shapeKey]shapedRun
}

type shapeKey struct {
	text      string
	rtl, bold bool
	size      float64
}

type shapedRun struct {
	glyphs []glyph
	width  float64
}

func (a *arabicFonts) shaper() *shaper {
	return &shaper{regular: font.NewFace(a.regular), bold: font.NewFace(a.bold)}
}

// has says whether the Arabic font has a glyph for r (it has Arabic, digits and some
// punctuation, but no brackets).
func (s *shaper) has(r rune) bool {
	_, ok := s.regular.NominalGlyph(r)
	return ok
}

const mmPerPt = 25.4 / 72

// shape shapes text right to left at size points; it returns the glyphs in visual order and
// their width in mm.
func (s *shaper) shape(text []rune, rtl bool, size float64, bold bool) ([]glyph, float64) {
	key := shapeKey{string(text), rtl, bold, size}
	if r, ok := s.shaped[key]; ok {
		return r.glyphs, r.width
	}
	gs, wd := s.shapeNew(text, rtl, size, bold)
	if s.shaped == nil {
		s.shaped = map[shapeKey]shapedRun{}
	}
	s.shaped[key] = shapedRun{gs, wd}
	return gs, wd
}

func (s *shaper) shapeNew(text []rune, rtl bool, size float64, bold bool) ([]glyph, float64) {
	face := s.regular
	if bold {
		face = s.bold
	}
	dir := di.DirectionRTL
	if !rtl {
		dir = di.DirectionLTR
	}
	out := s.hb.Shape(shaping.Input{Text: text, RunStart: 0, RunEnd: len(text), Direction: dir, Face: face,
		Size: fixed.Int26_6(size * 64), Script: language.Arabic, Language: language.NewLanguage("ar")})
	mm := func(v fixed.Int26_6) float64 { return float64(v) / 64 * mmPerPt }
	gs := make([]glyph, len(out.Glyphs))
	for i, g := range out.Glyphs {
		gs[i] = glyph{id: g.GlyphID, dx: mm(g.XOffset), dy: mm(g.YOffset), advance: mm(g.XAdvance),
			cluster: g.ClusterIndex, runes: max(1, g.RuneCount)}
	}
	return gs, mm(out.Advance)
}

// draw places p's glyphs from x, on the baseline base. Each word is an ActualText span holding
// its characters, in visual order (reversed, for right to left): readers such as pdftotext take
// a span's characters as drawn, left to right, and reorder a right-to-left line into logical
// order as they do for text drawn without one. Spaces are not drawn: readers see the gap.
func (s *shaper) draw(w *writer, p piece, x, base float64) {
	style := ""
	if p.bold {
		style = "B"
	}
	w.pdf.SetFont(fontArabic, style, w.size)
	space := func(g glyph) bool { return unicode.IsSpace(p.text[g.cluster]) }
	for i := 0; i < len(p.glyphs); {
		if space(p.glyphs[i]) {
			x += p.glyphs[i].advance
			i++
			continue
		}
		j := i
		lo, hi := len(p.text), 0
		for j < len(p.glyphs) && !space(p.glyphs[j]) {
			lo, hi = min(lo, p.glyphs[j].cluster), max(hi, p.glyphs[j].cluster+p.glyphs[j].runes)
			j++
		}
		w.pdf.RawWriteStr("/Span <</ActualText <" + actualText(p.text[lo:hi], p.rtl) + ">>> BDC")
		for _, g := range p.glyphs[i:j] {
			w.pdf.Text(x+g.dx, base-g.dy, string(rune(puaBase+int(g.id))))
			x += g.advance
		}
		w.pdf.RawWriteStr("EMC")
		i = j
	}
}

// actualText is the PDF string of text (UTF-16 with its byte order mark, in hex), reversed for
// right to left.
func actualText(text []rune, rtl bool) string {
	rs := append([]rune(nil), text...)
	if rtl {
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
	}
	var b strings.Builder
	b.WriteString("FEFF")
	for _, u := range utf16.Encode(rs) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// glyphKeyedFont returns the TrueType font ttf with its character map replaced by one that maps
// U+E000+n to glyph n (one segment of a format 4 map), for fpdf to embed glyphs by id.
func glyphKeyedFont(ttf []byte) ([]byte, error) {
	bad := func(why string) ([]byte, error) { return nil, fmt.Errorf("visaletter: Arabic font: %s", why) }
	if len(ttf) < 12 {
		return bad("too short")
	}
	be := binary.BigEndian
	n := int(be.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return bad("truncated table directory")
	}
	type table struct {
		tag  string
		data []byte
	}
	tables := make([]table, 0, n)
	glyphs := 0
	for i := range n {
		rec := ttf[12+16*i:]
		off, ln := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		if uint64(off)+uint64(ln) > uint64(len(ttf)) {
			return bad("table out of the file")
		}
		t := table{string(rec[:4]), ttf[off : off+ln]}
		if t.tag == "maxp" && len(t.data) >= 6 {
			glyphs = int(be.Uint16(t.data[4:]))
		}
		tables = append(tables, t)
	}
	if glyphs == 0 || glyphs > 0xF8FF-puaBase+1 {
		return bad(fmt.Sprintf("%d glyphs", glyphs))
	}
	var cmap bytes.Buffer
	put := func(v ...uint16) {
		for _, x := range v {
			_ = binary.Write(&cmap, be, x)
		}
	}
	put(0, 1)                             // version, one subtable
	put(3, 1, 0, 12)                      // Windows, Unicode BMP, at offset 12
	put(4, 32, 0, 4, 4, 1, 0)             // format 4, length, language, 2 segments ×2, search range, selector, shift
	put(uint16(puaBase+glyphs-1), 0xFFFF) // end codes
	put(0)                                // reserved pad
	put(puaBase, 0xFFFF)                  // start codes
	put(uint16(-puaBase&0xFFFF), 1)       // deltas: U+E000+n → n; 0xFFFF → 0
	put(0, 0)                             // no range offsets
	found := false
	for i := range tables {
		if tables[i].tag == "cmap" {
			tables[i].data, found = cmap.Bytes(), true
		}
	}
	if !found {
		return bad("no cmap")
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	var head, body bytes.Buffer
	head.Write(ttf[:4])
	_ = binary.Write(&head, be, uint16(len(tables)))
	head.Write(ttf[6:12])
	start := 12 + 16*len(tables)
	for _, t := range tables {
		head.WriteString(t.tag)
		_ = binary.Write(&head, be, checksum(t.data))
		_ = binary.Write(&head, be, uint32(start+body.Len()))
		_ = binary.Write(&head, be, uint32(len(t.data)))
		body.Write(t.data)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	return append(head.Bytes(), body.Bytes()...), nil
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var word [4]byte
		copy(word[:], b[i:])
		sum += binary.BigEndian.Uint32(word[:])
	}
	return sum
}
