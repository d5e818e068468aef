package visaletter

import (
	"bytes"
	"context"
	"image"
	"image/color"
	pngenc "image/png"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"plenary/internal/i18n"
	"plenary/web"
)

var catalogue = sync.OnceValues(func() (*i18n.Catalogue, error) { return i18n.Load(web.Locales()) })

// words returns the language lang of the real catalogue.
func words(t testing.TB, lang string) *i18n.Translator {
	t.Helper()
	c, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has(lang) {
		t.Fatalf("no catalogue %s", lang)
	}
	return c.For(lang)
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func sample(name string) Letter {
	c, err := catalogue()
	if err != nil {
		panic(err)
	}
	return Letter{
		Words:          c.For("en"),
		Reference:      "SG13-WP-2025-07/V00042",
		IssuedOn:       day("2025-06-20"),
		Representation: "Embassy of Switzerland in Beijing",
		Holder: Holder{Name: name, BirthDate: day("1985-01-02"), BirthPlace: "Zaragoza", Nationality: "Spanish",
			PassportNumber: "PAE123456", PassportIssued: day("2020-03-04"), PassportExpires: day("2030-03-03"),
			IssuingCountry: "Spain", Organisation: "Example Networks Ltd."},
		MeetingTitle: "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13",
		StudyGroup:   "13", GroupTitle: "Future networks and emerging network technologies",
		City: "Geneva", Venue: "ITU headquarters", FirstDay: day("2025-07-25"), LastDay: day("2025-07-25"),
		Email: "tsbsg13@itu.int", Phone: "+41 22 730 5126",
		SecretariatName: "International Telecommunication Union, Telecommunication Standardization Bureau",
		Address:         []string{"Place des Nations", "CH-1211 Geneva 20", "Switzerland"},
		SignatoryName:   "Seizo Onoe", SignatoryTitle: "Director, Telecommunication Standardization Bureau",
		VerifyURL: "http://plenary.test/v/abcdefghijklmnopqrstuvwxyz234567",
	}
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils), keeping the layout so that a
// label and its value share a line.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		missing(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func fonts(t testing.TB) *Fonts {
	t.Helper()
	f, err := DefaultFonts()
	if err != nil {
		missing(t, err.Error())
	}
	return f
}

// missing skips a test whose tools are not installed, except in CI, which must have them.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// lineWith returns the line of text holding label, with its spaces squeezed.
func lineWith(text, label string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, label) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

// Every field of the letter is in its text, each value on its label's line, in any script.
func TestLetterPrintsEveryField(t *testing.T) {
	f := fonts(t)
	cases := []struct {
		name       string
		holder     Holder
		rep, title string
	}{
		{"latin", Holder{Name: "José Müller-Ñúñez", BirthDate: day("1984-02-29"), BirthPlace: "Zaragoza", Nationality: "Spanish",
			PassportNumber: "PAE4471", PassportIssued: day("2021-05-06"), PassportExpires: day("2031-05-05"),
			IssuingCountry: "Spain", Organisation: "Example Networks Ltd."}, "Embassy of Switzerland in Madrid",
			"Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13"},
		{"chinese", Holder{Name: "李娜", BirthDate: day("1990-12-31"), BirthPlace: "北京", Nationality: "中国",
			PassportNumber: "E12345678", PassportIssued: day("2019-01-15"), PassportExpires: day("2029-01-14"),
			IssuingCountry: "China", Organisation: "China (People's Republic of)"}, "瑞士驻北京大使馆 Embassy of Switzerland in Beijing",
			"Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13"},
		{"greek and cyrillic", Holder{Name: "Ελένη Παπαδοπούλου / Мария Иванова", BirthDate: day("1975-06-01"), BirthPlace: "Θεσσαλονίκη",
			Nationality: "Greek", PassportNumber: "AB1234567", PassportIssued: day("2022-02-02"), PassportExpires: day("2032-02-01"),
			IssuingCountry: "Greece", Organisation: "Université de Genève"}, "Consulate General of Switzerland in Москва",
			"Réunion des groupes de travail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := sample(c.holder.Name)
			l.Holder, l.Representation, l.MeetingTitle = c.holder, c.rep, c.title
			l.FirstDay, l.LastDay = day("2025-07-14"), day("2025-07-25")
			pdf, err := Render(f, l)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			h := c.holder
			want := map[string]string{
				"Name as in passport": h.Name,
				"Date of birth":       Date(h.BirthDate),
				"Place of birth":      h.BirthPlace,
				"Nationality":         h.Nationality,
				"Passport number":     h.PassportNumber,
				"Date of issue":       Date(h.PassportIssued),
				"Date of expiry":      Date(h.PassportExpires),
				"Issuing country":     h.IssuingCountry,
				"Organisation":        h.Organisation,
				"Reference:":          l.Reference,
				"Date:":               "20 June 2025",
				"To:":                 c.rep,
			}
			for label, value := range want {
				if line := lineWith(text, label); !strings.Contains(line, value) {
					t.Errorf("%s: line %q, want %q", label, line, value)
				}
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, s := range []string{c.title, "ITU headquarters, Geneva", "from 14 July 2025 to 25 July 2025", l.VerifyURL,
				"ITU-T Study Group 13", "tsbsg13@itu.int", "issued 20 June 2025", "Seizo Onoe"} {
				if !strings.Contains(flat, s) {
					t.Errorf("the letter lacks %q:\n%s", s, text)
				}
			}
		})
	}
}

// The letter names the co-located events attended, with their dates, and states a period of
// stay that covers them and the meeting.
func TestLetterCoversTheColocatedEvents(t *testing.T) {
	l := sample("José Müller-Ñúñez")
	l.Colocated = []Event{
		{"Study Group 13 Rapporteur group meetings", day("2025-07-14"), day("2025-07-25")},
		{"22nd meeting of the Joint Coordination Activity on IMT-2020 and beyond (JCA-IMT2020)", day("2025-07-16"), day("2025-07-16")},
	}
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(pdfText(t, pdf)), " ")
	for _, s := range []string{"Study Group 13 Rapporteur group meetings, 14 July 2025 to 25 July 2025",
		"(JCA-IMT2020), 16 July 2025", "Period of stay: 14 July 2025 to 25 July 2025.", "on 25 July 2025."} {
		if !strings.Contains(flat, s) {
			t.Errorf("the letter lacks %q:\n%s", s, flat)
		}
	}
	// Without events the stay is the meeting's days.
	l.Colocated = nil
	pdf, err = Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	flat = strings.Join(strings.Fields(pdfText(t, pdf)), " ")
	if !strings.Contains(flat, "Period of stay: 25 July 2025.") || strings.Contains(flat, "also attend") {
		t.Errorf("letter without events:\n%s", flat)
	}
}

// The letterhead names the secretariat and its postal address; the signatory block ends the
// letter, with the scanned signature when there is one.
func TestLetterheadAndSignatory(t *testing.T) {
	l := sample("Jose Muller")
	img := image.NewRGBA(image.Rect(0, 0, 300, 90))
	for x := 20; x < 280; x++ {
		img.Set(x, 45+(x%17)-8, color.Black)
	}
	var png bytes.Buffer
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	l.Signature, l.SignatureType = png.Bytes(), "image/png"
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	flat := strings.Join(strings.Fields(text), " ")
	for _, s := range []string{"International Telecommunication Union, Telecommunication Standardization Bureau Place des Nations CH-1211 Geneva 20 Switzerland",
		"Yours faithfully, Seizo Onoe Director, Telecommunication Standardization Bureau"} {
		if !strings.Contains(flat, s) {
			t.Errorf("the letter lacks %q:\n%s", s, text)
		}
	}
	if strings.Index(flat, "Place des Nations") > strings.Index(flat, "Reference:") {
		t.Error("the address is not in the letterhead")
	}
	if _, err := exec.LookPath("pdfimages"); err != nil {
		missing(t, "pdfimages not installed (poppler-utils)")
	}
	images := func(pdf []byte) []byte {
		f := t.TempDir() + "/letter.pdf"
		if err := os.WriteFile(f, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdfimages", "-list", f).Output()
		if err != nil {
			t.Fatalf("pdfimages: %v", err)
		}
		return out
	}
	out := images(pdf)
	if !regexp.MustCompile(`(?m)^\s*1\s+\d+\s+image\s+300\s+90\b`).Match(out) {
		t.Errorf("the signature image is not in the letter:\n%s", out)
	}
	l.Signature, l.SignatureType = nil, ""
	pdf, err = Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	if out := images(pdf); regexp.MustCompile(`(?m)^\s*1\s`).Match(out) {
		t.Errorf("an image without a signature:\n%s", out)
	}
}

func TestRunsSplitByScript(t *testing.T) {
	got := runs("José 李 娜 (Li Na) 北京")
	want := []run{{latin, "José "}, {cjk, "李 娜"}, {latin, " (Li Na) "}, {cjk, "北京"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs = %+v, want %+v", got, want)
	}
	if runs("") != nil {
		t.Error("runs of nothing")
	}
	if !hasCJK("Müller", "東京") || hasCJK("Müller-Ñúñez", "Москва") {
		t.Error("hasCJK")
	}
}

// A batch prints exactly what single letters print: the cut fonts miss no character.
func TestRenderAllMatchesRender(t *testing.T) {
	f := fonts(t)
	names := []string{"José Müller-Ñúñez", "李娜", "Ελένη Παπαδοπούλου", "Zoë O’Brien — “Bo”", "محمد عبد الله", "MULLER Jose"}
	letters := make([]Letter, len(names))
	for i, n := range names {
		letters[i] = sample(n)
	}
	// A letter in Arabic: its glyphs come from the batch's cut of the Arabic fonts.
	letters[5].Words = words(t, "ar")
	letters[5].MeetingTitle = "اجتماعات فرق العمل 1/13 و2/13 و3/13 و4/13"
	pdfs, err := RenderAll(context.Background(), f, letters)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range letters {
		one, err := Render(f, l)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := pdfText(t, pdfs[i]), pdfText(t, one); a != b {
			t.Errorf("%s: batch text differs:\n%s\n---\n%s", names[i], a, b)
		}
		// The same glyphs drawn: the pages look the same (the text read back comes from ActualText
		// for Arabic, and would not show a glyph missing from the cut).
		if i >= 4 && !bytes.Equal(page(t, pdfs[i]), page(t, one)) {
			t.Errorf("%s: the batch's page looks different", names[i])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RenderAll(ctx, f, letters); err == nil {
		t.Error("RenderAll ignores a cancelled context")
	}
}

// page renders a PDF's first page at 100 dpi (pdftoppm) as PNG bytes.
func page(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		missing(t, "pdftoppm not installed (poppler-utils)")
	}
	cmd := exec.Command("pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	return out
}

func TestFilenameAndDates(t *testing.T) {
	if got := Filename("SG13-WP-2025-07/V00042-R2"); got != "visa-letter-SG13-WP-2025-07-V00042-R2.pdf" {
		t.Errorf("Filename = %s", got)
	}
	if got := DateRange(day("2025-07-25"), day("2025-07-25")); got != "25 July 2025" {
		t.Errorf("one day: %s", got)
	}
	if got := DateRange(day("2025-06-30"), day("2025-07-02")); got != "30 June 2025 to 2 July 2025" {
		t.Errorf("two months: %s", got)
	}
	if got := DateRange(day("2025-07-14"), day("2025-07-25")); got != "14 July 2025 to 25 July 2025" {
		t.Errorf("one month: %s", got)
	}
}

// The QR code holds the verification URL (checked with zbarimg, from zbar-tools, when the
// machine has it).
func TestQRCodeHoldsTheVerificationURL(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	l := sample("李娜")
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", "-", dir+"/page")
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", dir+"/page.png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != l.VerifyURL {
		t.Errorf("QR code holds %q, want %q", got, l.VerifyURL)
	}
}

// scripts returns the writing systems of the letters in s (Latin, Cyrillic, Han …), ignoring
// digits, punctuation and symbols.
func scripts(s string) map[string]bool {
	out := map[string]bool{}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for name, tab := range unicode.Scripts {
			if unicode.Is(tab, r) {
				out[name] = true
			}
		}
	}
	return out
}

// hasWords says whether every word of want is among got. In the layout pdftotext keeps, the
// order of a right-to-left line's runs is its own (TestArabicLetterReadsAsTheData checks the order
// in reading order), so the Arabic letter is checked here for its words, each on its line.
func hasWords(got, want []string) bool {
	have := map[string]int{}
	for _, w := range got {
		have[w]++
	}
	for _, w := range want {
		if have[w] == 0 {
			return false
		}
		have[w]--
	}
	return true
}

// A letter in each language: every fixed word in that language, the passport data in Latin as
// the passport prints them, each fact on its label's line, and no other script.
func TestLetterInEveryLanguage(t *testing.T) {
	f := fonts(t)
	allowed := map[string][]string{"en": {"Latin"}, "fr": {"Latin"}, "es": {"Latin"}, "ru": {"Latin", "Cyrillic"},
		"zh": {"Latin", "Han"}, "ar": {"Latin", "Arabic"}}
	for lang, ok := range allowed {
		t.Run(lang, func(t *testing.T) {
			w := words(t, lang)
			l := sample("MULLER-NUNEZ Jose")
			l.Words = w
			l.FirstDay, l.LastDay = day("2025-07-14"), day("2025-07-25")
			l.Colocated = []Event{{"JCA-IMT2020", day("2025-07-16"), day("2025-07-16")}}
			l.Representation = w.T("vletter.consulate_general", "City", "Shanghai", "Country", "China")
			pdf, err := Render(f, l)
			if err != nil {
				t.Fatal(err)
			}
			// pdftotext marks right-to-left runs with bidi controls, the catalogue isolates data: neither is text.
			text := plain(pdfText(t, pdf))
			flat := strings.Join(strings.Fields(text), " ")
			h := l.Holder
			for label, value := range map[string]string{
				w.T("vletter.name"): h.Name, w.T("vletter.birth_date"): w.DateShort(h.BirthDate),
				w.T("vletter.birth_place"): h.BirthPlace, w.T("vletter.nationality"): h.Nationality,
				w.T("vletter.passport_number"): h.PassportNumber, w.T("vletter.issued"): w.DateShort(h.PassportIssued),
				w.T("vletter.expires"): w.DateShort(h.PassportExpires), w.T("vletter.issuing_country"): h.IssuingCountry,
				w.T("vletter.organisation"): h.Organisation, w.T("vletter.reference"): l.Reference,
				w.T("vletter.date"): w.DateShort(l.IssuedOn), w.T("vletter.to"): l.Representation,
			} {
				nospace := func(s string) string { return strings.Join(strings.Fields(plain(s)), "") }
				line, words := "", []string(nil)
				for _, x := range strings.Split(text, "\n") {
					if strings.Contains(nospace(x), nospace(label)) {
						line, words = nospace(x), wordsOf(x)
						break
					}
				}
				if !strings.Contains(line, nospace(value)) && !(lang == "ar" && hasWords(words, wordsOf(value))) {
					t.Errorf("%s: line %q, want %q", label, line, value)
				}
			}
			squeeze := func(s string) string { return strings.Join(strings.Fields(plain(s)), " ") }
			for _, s := range []string{l.MeetingTitle, l.SignatoryName, l.VerifyURL, w.DateShort(l.FirstDay), w.DateShort(l.LastDay),
				squeeze(w.T("vletter.stay", "Dates", w.DateRange(l.FirstDay, l.LastDay))),
				squeeze(w.T("vletter.event", "Title", "JCA-IMT2020", "Dates", w.DateShort(day("2025-07-16")))),
				squeeze(w.T("vletter.subject", "Meeting", l.MeetingTitle)), squeeze(w.T("vletter.closing"))} {
				if !strings.Contains(flat, s) && !strings.Contains(strings.ReplaceAll(flat, " ", ""), strings.ReplaceAll(s, " ", "")) &&
					!(lang == "ar" && hasWords(wordsOf(text), wordsOf(s))) {
					t.Errorf("the letter lacks %q:\n%s", s, text)
				}
			}
			got := scripts(text)
			for _, s := range ok {
				delete(got, s)
			}
			if len(got) > 0 {
				t.Errorf("the %s letter mixes in %v:\n%s", lang, got, text)
			}
		})
	}
}
