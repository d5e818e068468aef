package visaletter

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"unicode"

	"plenary/internal/pdftest"
)

// Characters a Chinese line never starts with, and never ends with (kinsoku).
const (
	noLineStart = "，。、：；）」！？"
	noLineEnd   = "（「"
)

// Lines break between Chinese characters, but never before a closing mark nor after an opening
// one: a character moves down with the mark instead.
func TestBreakLinesKinsoku(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // the lines, at five characters a line
	}{
		{"一二三四五，六七八九十", []string{"一二三四", "五，六七八", "九十"}},
		{"一二三四（五六）七八", []string{"一二三四", "（五六）七", "八"}},
		{"一二三四五六七八九十", []string{"一二三四五", "六七八九十"}},
		{"一二三四五：「六七」", []string{"一二三四", "五：「六", "七」"}},
		{"ab cd efgh ij", []string{"ab cd ", "efgh ", "ij"}},
	} {
		text := []rune(c.text)
		ends := breakLines(text, segments(text), func(a, b int) float64 { return float64(b - a) }, 5, 5)
		var got []string
		a := 0
		for _, b := range ends {
			got = append(got, string(text[a:b]))
			a = b
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: lines %q, want %q", c.text, got, c.want)
		}
	}
	// What follows a label goes under it when it does not fit beside it.
	text := []rune("abcdef")
	ends := breakLines(text, segments(text), func(a, b int) float64 { return float64(b - a) }, 3, 10)
	if len(ends) != 2 || ends[0] != 0 {
		t.Errorf("a long value after a label: lines end at %v", ends)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// A Chinese letter wraps its paragraphs between characters, lines filled to the margin, and no
// line starts with a closing mark or ends with an opening one.
func TestChineseLetterWrapsBetweenCharacters(t *testing.T) {
	w := words(t, "zh")
	l := sample("李娜")
	l.Words = w
	l.MeetingTitle = "第1/13、2/13、3/13和4/13工作组会议（包括第13研究组报告人组会议和联合协调活动会议）"
	l.GroupTitle = "未来网络和新兴网络技术"
	l.Venue, l.City = "国际电联总部", "日内瓦"
	l.FirstDay, l.LastDay = day("2025-07-14"), day("2025-07-25")
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	between := 0
	for i, line := range lines {
		rs := []rune(line)
		if strings.ContainsRune(noLineStart, rs[0]) {
			t.Errorf("line %d starts with %q: %s", i, rs[0], line)
		}
		if strings.ContainsRune(noLineEnd, rs[len(rs)-1]) {
			t.Errorf("line %d ends with %q: %s", i, rs[len(rs)-1], line)
		}
		if i+1 < len(lines) && isHan(rs[len(rs)-1]) && isHan([]rune(lines[i+1])[0]) {
			between++
		}
	}
	if between == 0 {
		t.Errorf("no line breaks between two Chinese characters:\n%s", text)
	}
	// The place reads as Chinese writes it, the city first: 日内瓦国际电联总部.
	if flat := strings.Join(strings.Fields(text), ""); !strings.Contains(flat, "在日内瓦国际电联总部举行") {
		t.Errorf("the place is not 日内瓦国际电联总部:\n%s", text)
	}
	// The paragraph, read line after line, is whole.
	flat := strings.Join(strings.Fields(text), "")
	want := w.T("vletter.confirms_days", "Number", l.StudyGroup, "GroupTitle", l.GroupTitle, "Meeting", l.MeetingTitle,
		"Place", w.T("vletter.place", "Venue", l.Venue, "City", l.City), "From", w.DateShort(l.FirstDay), "To", w.DateShort(l.LastDay))
	if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
		t.Errorf("the letter lacks %q:\n%s", want, text)
	}
}

var (
	plain         = pdftest.Plain
	wordsOf       = pdftest.Words
	containsWords = pdftest.ContainsWords
)

// readsAsTheData checks that the text of the letter l, as pdftotext reads it, has the words of
// every sentence of the letter and of its data, in their order.
func readsAsTheData(t *testing.T, l Letter, pdf []byte) {
	t.Helper()
	got := wordsOf(pdftest.ReadingText(t, pdf))
	tx := l.texts()
	want := []string{tx.subject, tx.salutation, tx.confirms, tx.stay, tx.request, tx.closing, l.SignatoryName, l.SignatoryTitle,
		l.SecretariatName}
	want = append(want, tx.events...)
	want = append(want, l.Address...)
	for _, r := range tx.rows {
		want = append(want, r[0], r[1])
	}
	for _, s := range want {
		if !containsWords(got, wordsOf(s)) {
			t.Errorf("the letter does not read %q:\n%s", s, strings.Join(got, " "))
		}
	}
}

// A Russian letter reads, extracted, as its words and data: Cyrillic fixed text, Latin passport
// data, in order.
func TestRussianLetterReadsAsTheData(t *testing.T) {
	w := words(t, "ru")
	l := sample("MULLER-NUNEZ Jose")
	l.Words = w
	l.MeetingTitle = "Собрания рабочих групп 1/13, 2/13, 3/13 и 4/13"
	l.GroupTitle = "Будущие сети и новые сетевые технологии"
	l.Venue, l.City = "штаб-квартира МСЭ", "Женева"
	l.Holder.BirthPlace, l.Holder.Nationality = "Москва", "Российская Федерация"
	l.FirstDay, l.LastDay = day("2025-07-14"), day("2025-07-25")
	l.Colocated = []Event{{"Собрание группы Докладчика ИК13", day("2025-07-16"), day("2025-07-16")}}
	l.Representation = w.T("vletter.embassy", "City", "Москва", "Country", "Российская Федерация")
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	readsAsTheData(t, l, pdf)
	if got := qrOf(t, pdf); got != l.VerifyURL {
		t.Errorf("QR code holds %q, want %q", got, l.VerifyURL)
	}
}

// An Arabic letter reads, extracted, as its words and data in logical order: Arabic fixed text
// and meeting data, shaped, with the Latin passport name, number and dates as they are.
func TestArabicLetterReadsAsTheData(t *testing.T) {
	w := words(t, "ar")
	l := sample("MULLER-NUNEZ Jose")
	l.Words = w
	l.MeetingTitle = "اجتماعات فرق العمل 1/13 و2/13 و3/13 و4/13"
	l.GroupTitle = "الشبكات المستقبلية والتكنولوجيات الشبكية الناشئة"
	l.Venue, l.City = "مقر الاتحاد", "جنيف"
	l.Holder.Nationality, l.Holder.IssuingCountry = "إسبانية", "إسبانيا"
	l.FirstDay, l.LastDay = day("2025-07-14"), day("2025-07-25")
	// Not a title ending with a number: in a right-to-left line, two numbers either side of a comma
	// ("13، 16 يوليو") are read by pdftotext as one left-to-right number, in the wrong order.
	l.Colocated = []Event{{"اجتماعات فريق المقررين التابعة للجنة الدراسات", day("2025-07-16"), day("2025-07-16")}}
	l.Representation = w.T("vletter.embassy", "City", "بيجين", "Country", "الصين")
	l.SignatoryName, l.SignatoryTitle = "سيزو أونوي", "مدير مكتب تقييس الاتصالات"
	l.SecretariatName = "الاتحاد الدولي للاتصالات، مكتب تقييس الاتصالات"
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	readsAsTheData(t, l, pdf)
	got := pdftest.ReadingText(t, pdf)
	for _, s := range []string{"MULLER-NUNEZ Jose", "PAE123456", l.Reference} {
		if !strings.Contains(plain(got), s) {
			t.Errorf("the letter lacks %q as it is:\n%s", s, got)
		}
	}
	// Shaped: the text extracted is the Arabic letters themselves, not presentation forms
	// (U+FB50–U+FEFF), and no glyph stands for a private-use character.
	for _, r := range got {
		if r >= 0xFB50 && r <= 0xFEFF && r != 0xFEFF || r >= 0xE000 && r <= 0xF8FF {
			t.Fatalf("the text has %U:\n%s", r, got)
		}
	}
	if got := qrOf(t, pdf); got != l.VerifyURL {
		t.Errorf("QR code holds %q, want %q", got, l.VerifyURL)
	}
}

// qrOf decodes the QR code on the letter's first page (pdftoppm, zbarimg).
func qrOf(t *testing.T, pdf []byte) string {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, tool+" not installed (poppler-utils, zbar-tools)")
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1", "-", dir+"/page")
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", dir+"/page.png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// A letter longer than a page goes on to a second one: every line printed once, none over the
// foot of the first page.
func TestLongLetterTakesTwoPages(t *testing.T) {
	l := sample("MULLER-NUNEZ Jose")
	for i := range 40 {
		l.Colocated = append(l.Colocated, Event{"Rapporteur group meeting number " + string(rune('A'+i%26)) + string(rune('a'+i/26)),
			day("2025-07-14"), day("2025-07-15")})
	}
	pdf, err := Render(fonts(t), l)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.ReadingText(t, pdf)
	if pages := strings.Count(text, "\f"); pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
	for _, e := range l.Colocated {
		if n := strings.Count(text, e.Title+","); n != 1 {
			t.Errorf("%q printed %d times", e.Title, n)
		}
	}
	first := text[:strings.Index(text, "\f")]
	if !strings.Contains(first, "Check that this letter is genuine") && !strings.Contains(text[strings.Index(text, "\f"):], "Check that this letter is genuine") {
		t.Error("no verification block")
	}
}
