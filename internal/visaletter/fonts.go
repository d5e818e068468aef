package visaletter

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// The TrueType files the letter embeds, from Debian's packages (fonts-dejavu-core,
// fonts-droid-fallback, fonts-noto-core): they are read at run time and never committed.
const (
	DefaultLatin      = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	DefaultLatinBold  = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	DefaultCJK        = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
	DefaultArabic     = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"
	DefaultArabicBold = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf"
)

// Fonts holds the bytes of the fonts a letter embeds (only the glyphs it uses end up in the
// PDF): DejaVu Sans for Latin, Greek and Cyrillic, Droid Sans Fallback for Chinese, Japanese and
// Korean, Noto Naskh Arabic for Arabic.
type Fonts struct {
	Latin, LatinBold, CJK, Arabic, ArabicBold []byte

	arabicOnce sync.Once
	arabic     *arabicFonts // parsed for shaping, shared by Subset's fonts
	arabicErr  error
}

// arabicFonts parses the Arabic fonts once.
func (f *Fonts) arabicFonts() (*arabicFonts, error) {
	f.arabicOnce.Do(func() {
		if len(f.Arabic) == 0 || len(f.ArabicBold) == 0 {
			f.arabicErr = fmt.Errorf("visaletter: no Arabic font (install fonts-noto-core)")
			return
		}
		f.arabic, f.arabicErr = newArabicFonts(f.Arabic, f.ArabicBold)
	})
	return f.arabic, f.arabicErr
}

// LoadFonts reads the five font files.
func LoadFonts(latin, latinBold, cjk, arabic, arabicBold string) (*Fonts, error) {
	f := &Fonts{}
	for _, x := range []struct {
		path string
		dst  *[]byte
	}{{latin, &f.Latin}, {latinBold, &f.LatinBold}, {cjk, &f.CJK}, {arabic, &f.Arabic}, {arabicBold, &f.ArabicBold}} {
		b, err := os.ReadFile(x.path)
		if err != nil {
			return nil, fmt.Errorf("visaletter: font: %w (install fonts-dejavu-core, fonts-droid-fallback and fonts-noto-core)", err)
		}
		*x.dst = b
	}
	return f, nil
}

var (
	defaultOnce  sync.Once
	defaultFonts *Fonts
	defaultErr   error
)

// DefaultFonts loads the fonts from their Debian paths once per process.
func DefaultFonts() (*Fonts, error) {
	defaultOnce.Do(func() {
		defaultFonts, defaultErr = LoadFonts(DefaultLatin, DefaultLatinBold, DefaultCJK, DefaultArabic, DefaultArabicBold)
	})
	return defaultFonts, defaultErr
}

// script is the font a run of text needs.
type script int

const (
	latin  script = iota // DejaVu Sans: Latin, Greek, Cyrillic, punctuation, digits
	cjk                  // Droid Sans Fallback: Han, kana, Hangul, CJK punctuation, full-width forms
	arabic               // Noto Naskh Arabic, shaped
)

// run is a stretch of text printed in one font.
type run struct {
	script script
	text   string
}

func scriptOf(r rune) script {
	switch {
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo):
		return cjk
	case r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
		r >= 0xFF00 && r <= 0xFFEF, // half- and full-width forms
		r >= 0x3200 && r <= 0x33FF: // enclosed CJK letters, compatibility
		return cjk
	case isArabic(r):
		return arabic
	}
	return latin
}

// isArabic says whether r is of the Arabic blocks (letters, marks, Arabic-Indic digits, Arabic
// punctuation, presentation forms).
func isArabic(r rune) bool {
	return r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0x08A0 && r <= 0x08FF ||
		r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF
}

// hasArabic reports whether any of the strings needs the Arabic font.
func hasArabic(ss ...string) bool {
	for _, s := range ss {
		for _, r := range s {
			if isArabic(r) {
				return true
			}
		}
	}
	return false
}

// rightToLeft says whether s is a right-to-left paragraph: its first strong character is
// (UAX #9 rule P2).
func rightToLeft(s string) bool {
	for _, r := range s {
		switch {
		case isArabic(r) && unicode.IsLetter(r), unicode.Is(unicode.Hebrew, r) && unicode.IsLetter(r):
			return true
		case unicode.IsLetter(r):
			return false
		}
	}
	return false
}

// runs splits s where the script changes, so that each run is printed in a font that has its
// glyphs. A space between two CJK runs stays in the CJK run, so that a name such as "李 娜" is not
// cut into three.
func runs(s string) []run {
	var out []run
	rs := []rune(s)
	start := 0
	cur := latin
	for i, r := range rs {
		sc := scriptOf(r)
		if r == ' ' && i > 0 && cur == cjk && i+1 < len(rs) && scriptOf(rs[i+1]) == cjk {
			sc = cjk
		}
		if i == 0 {
			cur = sc
			continue
		}
		if sc != cur {
			out = append(out, run{cur, string(rs[start:i])})
			start, cur = i, sc
		}
	}
	if start < len(rs) {
		out = append(out, run{cur, string(rs[start:])})
	}
	return out
}

// hasCJK reports whether any of the strings needs the CJK font, which is only embedded then.
func hasCJK(ss ...string) bool {
	for _, s := range ss {
		for _, r := range s {
			if scriptOf(r) == cjk {
				return true
			}
		}
	}
	return false
}

// templateRunes are the characters the letter's fixed text uses besides the data: printable ASCII
// and a few typographic marks.
var templateRunes = func() string {
	var b strings.Builder
	for r := rune(0x20); r < 0x7f; r++ {
		b.WriteRune(r)
	}
	b.WriteString("—–·’“”")
	return b.String()
}()

// fields returns every piece of data a letter prints.
func (l Letter) fields() []string {
	h := l.Holder
	out := []string{l.Reference, l.Representation, h.Name, h.BirthPlace, h.Nationality, h.PassportNumber, h.IssuingCountry,
		h.Organisation, l.MeetingTitle, l.StudyGroup, l.GroupTitle, l.City, l.Venue, l.Email, l.Phone, l.VerifyURL}
	for _, e := range l.Colocated {
		out = append(out, e.Title)
	}
	out = append(out, l.SecretariatName, l.SignatoryName, l.SignatoryTitle)
	out = append(out, l.Address...)
	if l.Words != nil {
		out = append(out, l.texts().strings()...)
	}
	return out
}

// Subset returns fonts cut down to the characters the letters print. Parsing a whole font takes
// most of the time of a letter (tens of milliseconds for the CJK font's 50,000 glyphs); cut once
// for a batch, each letter parses a font of a few hundred glyphs instead.
func (f *Fonts) Subset(letters []Letter) *Fonts {
	latinSet := map[rune]bool{}
	cjkSet := map[rune]bool{' ': true}
	for _, r := range templateRunes {
		latinSet[r] = true
	}
	for _, l := range letters {
		for _, s := range l.fields() {
			for _, r := range s {
				if isArabic(r) {
					continue
				}
				if scriptOf(r) == cjk {
					cjkSet[r] = true
				} else {
					latinSet[r] = true
				}
			}
		}
	}
	latin := setString(latinSet)
	out := &Fonts{Latin: fpdf.UTF8CutFont(f.Latin, latin), LatinBold: fpdf.UTF8CutFont(f.LatinBold, latin),
		Arabic: f.Arabic, ArabicBold: f.ArabicBold}
	out.arabicOnce.Do(func() { out.arabic, out.arabicErr = f.arabicSubset(letters) })
	if len(cjkSet) > 1 {
		out.CJK = fpdf.UTF8CutFont(f.CJK, setString(cjkSet))
	}
	return out
}

func setString(set map[rune]bool) string {
	rs := make([]rune, 0, len(set))
	for r := range set {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	return string(rs)
}

// arabicSubset returns the Arabic fonts cut to the glyphs the letters' Arabic shapes into (each
// run of what the Arabic font prints, in both weights), and the nominal glyph of every character
// it has; the fonts whole when the letters have no Arabic.
func (f *Fonts) arabicSubset(letters []Letter) (*arabicFonts, error) {
	ar, err := f.arabicFonts()
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, l := range letters {
		if fields := l.fields(); hasArabic(fields...) {
			texts = append(texts, fields...)
		}
	}
	if len(texts) == 0 {
		return ar, nil
	}
	sh := ar.shaper()
	glyphs := [2]map[rune]bool{{puaBase: true}, {puaBase: true}}
	for _, s := range texts {
		rs := []rune(s)
		for i := 0; i < len(rs); {
			if !isArabic(rs[i]) && !sh.has(rs[i]) || unicode.IsSpace(rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && (isArabic(rs[j]) || sh.has(rs[j])) && !unicode.IsSpace(rs[j]) {
				if g, ok := sh.regular.NominalGlyph(rs[j]); ok {
					glyphs[0][puaBase+rune(g)] = true
				}
				if g, ok := sh.bold.NominalGlyph(rs[j]); ok {
					glyphs[1][puaBase+rune(g)] = true
				}
				j++
			}
			for k, bold := range []bool{false, true} {
				gs, _ := sh.shape(rs[i:j], true, 10, bold)
				for _, g := range gs {
					glyphs[k][puaBase+rune(g.id)] = true
				}
			}
			i = j
		}
	}
	return &arabicFonts{regular: ar.regular, bold: ar.bold,
		puaRegular: fpdf.UTF8CutFont(ar.puaRegular, setString(glyphs[0])),
		puaBold:    fpdf.UTF8CutFont(ar.puaBold, setString(glyphs[1]))}, nil
}
