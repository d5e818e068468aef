package visaletter

import (
	"slices"
	"unicode"

	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/segmenter"
)

// The letter lays out its text itself rather than through fpdf's Write, which breaks lines only
// at spaces and knows nothing of direction:
//
//   - lines break where Unicode's line breaking algorithm (UAX #14) allows, so Chinese wraps
//     between characters, but never before a closing mark (，。、：；）」) nor after an opening one
//     (（「);
//   - each paragraph is ordered by the Unicode bidirectional algorithm (UAX #9): a right-to-left
//     letter (Arabic) starts its lines at the right, and Latin passport data inside it (names,
//     numbers, dates) stays left to right;
//   - Arabic is shaped by a HarfBuzz port (shape.go) and its glyphs placed one by one.

// span is a stretch of a paragraph in one weight, possibly a link.
type span struct {
	text string
	bold bool
	link string
}

// piece is a stretch of one line drawn in one font and one direction.
type piece struct {
	at     int // where it starts in the paragraph
	text   []rune
	font   script
	bold   bool
	rtl    bool
	link   string
	width  float64
	glyphs []glyph // Arabic only: shaped, in visual order
}

// level is the bidi embedding level of each rune of a paragraph, for base direction rtl.
func levels(text []rune, rtl bool) []bidi.Level {
	out := make([]bidi.Level, len(text))
	dir := bidi.LeftToRight
	if rtl {
		dir = bidi.RightToLeft
	}
	var p bidi.Paragraph
	runs := p.Segment(text, dir)
	for i := range runs.NumRuns() {
		r := runs.Run(i)
		for j := r.Start; j < r.End; j++ {
			out[j] = r.Level
		}
	}
	return out
}

// segments are the stretches of text between two break opportunities, as rune offsets:
// text[out[i]:out[i+1]].
func segments(text []rune) []int {
	var seg segmenter.Segmenter
	seg.Init(text)
	it := seg.LineIterator()
	out := []int{0}
	for it.Next() {
		l := it.Line()
		out = append(out, l.Offset+len(l.Text))
	}
	if out[len(out)-1] != len(text) {
		out = append(out, len(text))
	}
	return out
}

// fontFor is the font a rune of a run at a level is drawn in: Arabic letters, and whatever the
// Arabic font has inside a right-to-left run, in the Arabic font; CJK in the CJK font.
func (w *writer) fontFor(r rune, rtl bool) script {
	sc := scriptOf(r)
	if sc == latin && rtl && w.arabic != nil && w.arabic.has(r) {
		return arabic
	}
	return sc
}

// pieces splits text[a:b] into pieces of one font, weight and direction, measured.
func (w *writer) pieces(text []rune, lv []bidi.Level, style []int, spans []span, a, b int) []piece {
	var out []piece
	for i := a; i < b; {
		if isBidiControl(text[i]) { // they order the text; nothing is drawn for them
			i++
			continue
		}
		rtl := lv[i]%2 == 1
		f := w.fontFor(text[i], rtl)
		s := style[i]
		j := i + 1
		for j < b && lv[j]%2 == lv[i]%2 && style[j] == s && w.fontFor(text[j], rtl) == f && !isBidiControl(text[j]) {
			j++
		}
		p := piece{at: i, text: text[i:j], font: f, bold: spans[s].bold, rtl: rtl, link: spans[s].link}
		w.measure(&p)
		out = append(out, p)
		i = j
	}
	return out
}

// measure sets p's width (and its glyphs when it is shaped).
func (w *writer) measure(p *piece) {
	if p.font == arabic {
		p.glyphs, p.width = w.arabic.shape(p.text, p.rtl, w.size, p.bold)
		return
	}
	w.setFont(p.font, p.bold)
	p.width = w.pdf.GetStringWidth(string(p.text))
}

// edges are the start and end of the text box on the page: left and right margins, swapped for
// a right-to-left letter.
func (w *writer) lineBox() (start, end float64) {
	l, _, r, _ := w.pdf.GetMargins()
	pw, _ := w.pdf.GetPageSize()
	return l, pw - r
}

// flow writes spans from the current position, wrapping at the end margin; it leaves the
// position after the last character, on the last line.
func (w *writer) flow(h float64, spans ...span) {
	var text []rune
	var style []int
	for i, s := range spans {
		for _, r := range s.text {
			text = append(text, r)
			style = append(style, i)
		}
	}
	if len(text) == 0 {
		return
	}
	lv := levels(text, w.rtl)
	// A link (the verification address) is never broken.
	cuts := slices.DeleteFunc(segments(text), func(c int) bool {
		return c > 0 && c < len(text) && style[c-1] == style[c] && spans[style[c]].link != ""
	})
	left, right := w.lineBox()
	width := func(a, b int) float64 { return w.widthOf(text, lv, style, spans, a, b) }
	ends := breakLines(text, cuts, width, right-left-w.off, right-left)
	a := 0
	for i, b := range ends {
		if i > 0 {
			w.newLine(h)
		}
		w.drawLine(text, lv, style, spans, a, b, h)
		a = b
	}
}

// breakLines fills lines greedily: a line takes the segments between break opportunities (cuts)
// while they fit, the white space that ends a line not counted; a segment longer than a whole
// line is cut between characters. The first line is first wide, the others full. It returns
// where each line ends.
func breakLines(text []rune, cuts []int, width func(a, b int) float64, first, full float64) []int {
	const slack = 0.01
	var ends []int
	lineStart, used, avail := 0, 0.0, first
	flush := func(at int) {
		ends = append(ends, at)
		lineStart, used, avail = at, 0, full
	}
	for k := 0; k+1 < len(cuts); k++ {
		a, b := cuts[k], cuts[k+1]
		wd := width(a, trimEnd(text, a, b))
		if used+wd > avail+slack && a > lineStart {
			flush(a)
		}
		if wd > avail+slack && used == 0 && avail < full && wd <= full+slack {
			flush(a) // what follows a label goes under it rather than be cut
		}
		if wd > avail+slack && used == 0 {
			for i := a; i < b; i++ {
				cw := width(i, i+1)
				if used+cw > avail+slack && i > lineStart {
					flush(i)
				}
				used += cw
			}
			continue
		}
		used += width(a, b)
	}
	return append(ends, len(text))
}

// trimEnd returns b less the white space that ends text[a:b].
func trimEnd(text []rune, a, b int) int {
	for b > a && unicode.IsSpace(text[b-1]) {
		b--
	}
	return b
}

func (w *writer) widthOf(text []rune, lv []bidi.Level, style []int, spans []span, a, b int) float64 {
	total := 0.0
	for _, p := range w.pieces(text, lv, style, spans, a, b) {
		total += p.width
	}
	return total
}

// drawLine draws text[a:b] on the current line, from the current position, in visual order.
func (w *writer) drawLine(text []rune, lv []bidi.Level, style []int, spans []span, a, b int, h float64) {
	end := trimEnd(text, a, b)
	ps := w.pieces(text, lv, style, spans, a, end)
	// Levels of the pieces, reordered as UAX #9 rule L2 says: from the highest level down to the
	// lowest odd one, reverse every sequence at that level or higher.
	pl := make([]bidi.Level, len(ps))
	var hi, lo bidi.Level = 0, 127
	for i, p := range ps {
		pl[i] = lv[p.at]
		hi, lo = max(hi, pl[i]), min(lo, pl[i])
	}
	if lo%2 == 0 {
		lo++
	}
	for l := hi; l >= lo && l > 0; l-- {
		for i := 0; i < len(ps); {
			if pl[i] < l {
				i++
				continue
			}
			j := i
			for j < len(ps) && pl[j] >= l {
				j++
			}
			slices.Reverse(ps[i:j])
			slices.Reverse(pl[i:j])
			i = j
		}
	}
	total := 0.0
	for _, p := range ps {
		total += p.width
	}
	left, right := w.lineBox()
	x := left + w.off
	if w.rtl {
		x = right - w.off - total
	}
	if auto, bottom := w.pdf.GetAutoPageBreak(); auto {
		if _, ph := w.pdf.GetPageSize(); w.pdf.GetY()+h > ph-bottom {
			w.pdf.AddPage()
		}
	}
	top := w.pdf.GetY()
	base := top + 0.5*h + 0.3*w.size*25.4/72
	for _, p := range ps {
		if p.link != "" {
			w.pdf.SetTextColor(0, 84, 147)
			w.pdf.LinkString(x, top, p.width, h, p.link)
		}
		w.drawPiece(p, x, base)
		if p.link != "" {
			w.pdf.SetTextColor(0, 0, 0)
		}
		x += p.width
	}
	// The width of the spaces that end the line counts for what follows on it.
	trail := w.widthOf(text, lv, style, spans, end, b)
	w.off += total + trail
	w.setFont(latin, w.bold)
}

func (w *writer) drawPiece(p piece, x, base float64) {
	if p.font == arabic {
		w.arabic.draw(w, p, x, base)
		return
	}
	w.setFont(p.font, p.bold)
	s := p.text
	if p.rtl { // neutrals in a right-to-left run that the Arabic font lacks: mirrored, reversed
		s = slices.Clone(s)
		slices.Reverse(s)
		for i, r := range s {
			if m, ok := mirror[r]; ok {
				s[i] = m
			}
		}
	}
	w.pdf.Text(x, base, string(s))
}

// isBidiControl says whether r is one of the marks, embeddings and isolates of UAX #9 (the
// catalogue isolates placeholders in right-to-left messages).
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

var mirror = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«',
	'‹': '›', '›': '‹'}

// newLine moves to the start of the next line.
func (w *writer) newLine(h float64) {
	w.pdf.SetY(w.pdf.GetY() + h)
	w.off = 0
}
