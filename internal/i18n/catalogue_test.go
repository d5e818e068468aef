package i18n_test

import (
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"plenary/web"
)

// The languages the interface must speak; each one is added here as its catalogue lands.
var wantLangs = []string{"en", "zh", "fr", "es", "ru", "ar"}

// rawMessage is one message as a catalogue file holds it: a string, or plural forms.
type rawMessage struct {
	file  string
	text  string            // a message without plural forms
	forms map[string]string // "one", "few", "other" … of a plural message
}

// rawCatalogues reads every language folder's files as they are written, without go-i18n, so the
// tests see exactly which plural forms each message gives.
func rawCatalogues(t *testing.T) map[string]map[string]rawMessage {
	t.Helper()
	fsys := web.Locales()
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]rawMessage{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := fs.Glob(fsys, path.Join(d.Name(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		msgs := map[string]rawMessage{}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for k, v := range m {
				var s string
				if json.Unmarshal(v, &s) == nil {
					msgs[k] = rawMessage{file: path.Base(f), text: s}
					continue
				}
				var forms map[string]string
				if err := json.Unmarshal(v, &forms); err != nil {
					t.Fatalf("%s: %s is neither a string nor plural forms: %v", f, k, err)
				}
				msgs[k] = rawMessage{file: path.Base(f), forms: forms}
			}
		}
		out[d.Name()] = msgs
	}
	return out
}

var rePlaceholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

// placeholdersOf returns the sorted, distinct template actions of s ("{{.Name}}" …).
func placeholdersOf(s string) []string {
	var out []string
	for _, p := range rePlaceholder.FindAllString(s, -1) {
		p = strings.Join(strings.Fields(p), "")
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// integerForms returns, for a language, the CLDR cardinal plural forms its whole numbers take,
// and for each form how many whole numbers of 0…1000 take it.
func integerForms(tag string) map[plural.Form]int {
	lt := language.MustParse(tag)
	forms := map[plural.Form]int{}
	for n := 0; n <= 1000; n++ {
		forms[plural.Cardinal.MatchPlural(lt, n, 0, 0, 0, 0)]++
	}
	return forms
}

var formNames = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two",
	plural.Few: "few", plural.Many: "many", plural.Other: "other"}

func TestTheInterfaceSpeaksItsLanguages(t *testing.T) {
	c := load(t)
	var tags []string
	for _, l := range c.Langs() {
		tags = append(tags, l.Tag)
		if l.Name == "" || l.Name == "meta.name" {
			t.Errorf("%s has no name of its own", l.Tag)
		}
		if l.Tag != "en" && l.Name == c.For("en").Lang.Name {
			t.Errorf("%s is named %q, English's name", l.Tag, l.Name)
		}
		if want := map[bool]string{true: "rtl", false: "ltr"}[l.Tag == "ar"]; l.Dir != want {
			t.Errorf("%s is written %s, want %s", l.Tag, l.Dir, want)
		}
	}
	for _, w := range wantLangs {
		if !slices.Contains(tags, w) {
			t.Errorf("the catalogue lacks %s (it has %v)", w, tags)
		}
	}
}

// Every language has every message of English, with the same values filled in, and nothing else.
func TestEveryLanguageHasEveryMessageWithItsPlaceholders(t *testing.T) {
	raw := rawCatalogues(t)
	en := raw["en"]
	if len(en) < 100 {
		t.Fatalf("en has only %d messages", len(en))
	}
	for tag, msgs := range raw {
		if tag == "en" {
			continue
		}
		counts := integerForms(tag)
		for key, e := range en {
			m, ok := msgs[key]
			if !ok {
				t.Errorf("%s lacks %s (en/%s)", tag, key, e.file)
				continue
			}
			if m.file != e.file {
				t.Errorf("%s has %s in %s, en in %s", tag, key, m.file, e.file)
			}
			if (e.forms == nil) != (m.forms == nil) {
				t.Errorf("%s %s: plural forms in one language and not the other", tag, key)
				continue
			}
			if e.forms == nil {
				if got, want := placeholdersOf(m.text), placeholdersOf(e.text); !slices.Equal(got, want) {
					t.Errorf("%s %s fills in %v, en %v", tag, key, got, want)
				}
				if strings.TrimSpace(m.text) == "" {
					t.Errorf("%s %s is empty", tag, key)
				}
				continue
			}
			var want []string
			for _, s := range e.forms {
				want = append(want, placeholdersOf(s)...)
			}
			want = placeholdersOf(strings.Join(want, ""))
			for name, s := range m.forms {
				got := placeholdersOf(s)
				for _, p := range want {
					// A form that stands for one number alone ("يومان", two days) may leave the
					// count out; every other value must be there.
					if !slices.Contains(got, p) && (p != "{{.Count}}" || !singleNumberForm(counts, name)) {
						t.Errorf("%s %s (%s) lacks %s", tag, key, name, p)
					}
				}
				for _, p := range got {
					if !slices.Contains(want, p) {
						t.Errorf("%s %s (%s) fills in %s, which en does not", tag, key, name, p)
					}
				}
			}
		}
		for key, m := range msgs {
			if _, ok := en[key]; !ok {
				t.Errorf("%s/%s has %s, which en lacks", tag, m.file, key)
			}
		}
	}
}

func singleNumberForm(counts map[plural.Form]int, name string) bool {
	for f, n := range counts {
		if formNames[f] == name {
			return n == 1
		}
	}
	return false
}

// Every plural message gives exactly the forms CLDR's rules of its language use for whole
// numbers (Arabic six, Russian three plus other, Chinese one), and the form chosen for 0, 1, 2, 3,
// 11 and 100 is the one CLDR names.
func TestPluralFormsFollowCLDR(t *testing.T) {
	raw := rawCatalogues(t)
	c := load(t)
	for tag, msgs := range raw {
		counts := integerForms(tag)
		var need []string
		for f := range counts {
			need = append(need, formNames[f])
		}
		// "other" is go-i18n's fallback, and Russian's form for fractions: every message has it.
		if !slices.Contains(need, "other") {
			need = append(need, "other")
		}
		sort.Strings(need)
		lt := language.MustParse(tag)
		tr := c.For(tag)
		for key, m := range msgs {
			if m.forms == nil {
				continue
			}
			var have []string
			for f, s := range m.forms {
				have = append(have, f)
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s %s: the %s form is empty", tag, key, f)
				}
			}
			sort.Strings(have)
			if !slices.Equal(have, need) {
				t.Errorf("%s %s gives the forms %v; CLDR's rules for %s need %v", tag, key, have, tag, need)
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 11, 100} {
				form := formNames[plural.Cardinal.MatchPlural(lt, n, 0, 0, 0, 0)]
				want := fillCount(m.forms[form], n, tr.Lang.Dir == "rtl")
				got := tr.N(key, n, "Reason", "R")
				if got != want {
					t.Errorf("%s %s for %d = %q, want the %s form %q", tag, key, n, got, form, want)
				}
			}
		}
	}
	// The rules themselves, as the catalogues rely on them.
	for _, cs := range []struct {
		tag  string
		n    int
		want plural.Form
	}{
		{"ar", 0, plural.Zero}, {"ar", 1, plural.One}, {"ar", 2, plural.Two}, {"ar", 3, plural.Few},
		{"ar", 11, plural.Many}, {"ar", 100, plural.Other}, {"ar", 103, plural.Few},
		{"ru", 0, plural.Many}, {"ru", 1, plural.One}, {"ru", 2, plural.Few}, {"ru", 3, plural.Few},
		{"ru", 11, plural.Many}, {"ru", 21, plural.One}, {"ru", 100, plural.Many},
		{"fr", 0, plural.One}, {"fr", 1, plural.One}, {"fr", 2, plural.Other},
		{"es", 0, plural.Other}, {"es", 1, plural.One}, {"zh", 1, plural.Other},
	} {
		if got := plural.Cardinal.MatchPlural(language.MustParse(cs.tag), cs.n, 0, 0, 0, 0); got != cs.want {
			t.Errorf("CLDR %s %d = %v, want %v", cs.tag, cs.n, got, cs.want)
		}
	}
}

func fillCount(s string, n int, rtl bool) string {
	s = strings.ReplaceAll(s, "{{.Count}}", strconv.Itoa(n))
	if rtl {
		return strings.ReplaceAll(s, "{{.Reason}}", "\u2068R\u2069")
	}
	return strings.ReplaceAll(s, "{{.Reason}}", "R")
}

// In a right-to-left language every text filled into a message is isolated (FSI … PDI), so a
// Latin name, acronym or zone keeps its own order; numbers and left-to-right languages are
// left as they are.
func TestRightToLeftMessagesIsolateTheirValues(t *testing.T) {
	c := load(t)
	ar := c.For("ar")
	if got, want := ar.T("reg.title", "Meeting", "Y.CNAO (WP2/13)"), "التسجيل في \u2068Y.CNAO (WP2/13)\u2069"; got != want {
		t.Errorf("ar reg.title = %q, want %q", got, want)
	}
	if got, want := ar.T("meeting.local_time", "City", "Geneva", "Zone", "Europe/Zurich"),
		"الأوقات بالتوقيت المحلي في \u2068Geneva\u2069 (\u2068Europe/Zurich\u2069)."; got != want {
		t.Errorf("ar meeting.local_time = %q, want %q", got, want)
	}
	if got, want := ar.N("visa.refused_n", 12, "Reason", "José Müller"), "لم يتغير 12 طلباً، ومن الأسباب: \u2068José Müller\u2069"; got != want {
		t.Errorf("ar visa.refused_n = %q, want %q", got, want)
	}
	if got, want := ar.T("mail.approved.in_person", "URL", "https://plenary.test/me"), "تسجيلاتك موجودة في صفحتك على العنوان https://plenary.test/me."; got != want {
		t.Errorf("ar mail.approved.in_person = %q, want %q: a web address stays bare for mail programs to find", got, want)
	}
	if got := ar.T("doc.page_of", "Page", 2, "Pages", 10); got != "الصفحة 2 من 10" {
		t.Errorf("ar doc.page_of = %q: numbers need no isolation", got)
	}
	for _, tag := range []string{"en", "zh", "fr", "es", "ru"} {
		if got := c.For(tag).T("reg.title", "Meeting", "Y.CNAO"); strings.ContainsAny(got, "\u2068\u2069") {
			t.Errorf("%s reg.title = %q: a left-to-right language needs no isolates", tag, got)
		}
	}
}

// Dates follow CLDR's calendar data of each language (names, order, punctuation); the clock is
// the 24-hour one in every language; Arabic writes Latin digits (the choice made for Arabic).
func TestDatesFollowCLDR(t *testing.T) {
	c := load(t)
	day := time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC)
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ full, long, rng string }{
		"en": {"Friday, 25 July 2025", "25 July 2025", "25 July 2025 to 29 July 2025"},
		"zh": {"2025年7月25日星期五", "2025年7月25日", "2025年7月25日至2025年7月29日"},
		"fr": {"vendredi 25 juillet 2025", "25 juillet 2025", "du 25 juillet 2025 au 29 juillet 2025"},
		"es": {"viernes, 25 de julio de 2025", "25 de julio de 2025", "del 25 de julio de 2025 al 29 de julio de 2025"},
		"ru": {"пятница, 25 июля 2025 г.", "25 июля 2025 г.", "с 25 июля 2025 г. по 29 июля 2025 г."},
		"ar": {"الجمعة، 25 يوليو 2025", "25 يوليو 2025", "من \u206825 يوليو 2025\u2069 إلى \u206829 يوليو 2025\u2069"},
	}
	for _, l := range c.Langs() {
		want, ok := cases[l.Tag]
		if !ok {
			t.Errorf("no expected dates for %s", l.Tag)
			continue
		}
		tr := c.For(l.Tag)
		if got := tr.Date(day); got != want.full {
			t.Errorf("%s Date = %q, want %q", l.Tag, got, want.full)
		}
		if got := tr.DateShort(day); got != want.long {
			t.Errorf("%s DateShort = %q, want %q", l.Tag, got, want.long)
		}
		if got := tr.DateRange(day, day.AddDate(0, 0, 4)); got != want.rng {
			t.Errorf("%s DateRange = %q, want %q", l.Tag, got, want.rng)
		}
		if got := tr.DateRange(day, day); got != want.long {
			t.Errorf("%s DateRange of one day = %q, want %q", l.Tag, got, want.long)
		}
		// The day and the time are those of the meeting's zone, whatever the server's.
		late := time.Date(2025, 7, 25, 22, 30, 0, 0, time.UTC).In(zurich) // 00:30 on the 26th in Geneva
		if got := tr.Clock(late); got != "00:30" {
			t.Errorf("%s Clock = %q, want 00:30", l.Tag, got)
		}
		if got := tr.Clock(time.Date(2025, 7, 25, 14, 5, 0, 0, zurich)); got != "14:05" {
			t.Errorf("%s Clock = %q, want the 24-hour 14:05", l.Tag, got)
		}
		if got := tr.DateShort(late); !strings.Contains(got, "26") {
			t.Errorf("%s DateShort of 00:30 on the 26th in Geneva = %q", l.Tag, got)
		}
	}
	ar := c.For("ar")
	for _, s := range []string{ar.Date(day), ar.DateShort(day), ar.Clock(day), ar.N("deadline.days_left", 12),
		ar.N("doc.count", 100), ar.T("doc.page_of", "Page", 2, "Pages", 10)} {
		if strings.ContainsFunc(s, func(r rune) bool { return r >= '٠' && r <= '٩' || r >= '۰' && r <= '۹' }) {
			t.Errorf("Arabic %q has Arabic-Indic digits; Arabic is written here with Latin ones", s)
		}
		if !strings.ContainsAny(s, "0123456789") {
			t.Errorf("Arabic %q has no Latin digits", s)
		}
	}
}

// Countries are named by CLDR in each language, and by the United Nations where that differs.
func TestCountryNames(t *testing.T) {
	c := load(t)
	want := map[string][3]string{ // CH, CN, PS
		"en": {"Switzerland", "China", "State of Palestine"},
		"zh": {"瑞士", "中国", "巴勒斯坦国"},
		"fr": {"Suisse", "Chine", "État de Palestine"},
		"es": {"Suiza", "China", "Estado de Palestina"},
		"ru": {"Швейцария", "Китай", "Государство Палестина"},
		"ar": {"سويسرا", "الصين", "دولة فلسطين"},
	}
	for _, l := range c.Langs() {
		tr := c.For(l.Tag)
		for i, code := range []string{"CH", "CN", "PS"} {
			if got := tr.Country(code); got != want[l.Tag][i] {
				t.Errorf("%s Country(%s) = %q, want %q", l.Tag, code, got, want[l.Tag][i])
			}
		}
		if got := tr.Country("QQ"); got != "QQ" {
			t.Errorf("%s Country(QQ) = %q, want the code back", l.Tag, got)
		}
		if got := tr.Country(""); got != "" {
			t.Errorf("%s Country(\"\") = %q", l.Tag, got)
		}
	}
}
