package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/web"
)

func load(t *testing.T) *i18n.Catalogue {
	t.Helper()
	c, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatalf("load the catalogues: %v", err)
	}
	return c
}

func keySet(c *i18n.Catalogue, tag string) map[string]bool {
	m := map[string]bool{}
	for _, k := range c.Keys(tag) {
		m[k] = true
	}
	return m
}

func TestEveryLanguageHasTheSameKeys(t *testing.T) {
	c := load(t)
	if len(c.Langs()) < 2 {
		t.Fatalf("only %d language(s) loaded, want at least en and zh", len(c.Langs()))
	}
	en := keySet(c, "en")
	if len(en) < 100 {
		t.Fatalf("the en catalogue has only %d keys", len(en))
	}
	for _, l := range c.Langs()[1:] {
		other := keySet(c, l.Tag)
		var missing, extra []string
		for k := range en {
			if !other[k] {
				missing = append(missing, k)
			}
		}
		for k := range other {
			if !en[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d key(s) of en: %s", l.Tag, len(missing), strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("%s has %d key(s) en lacks: %s", l.Tag, len(extra), strings.Join(extra, ", "))
		}
	}
}

func TestNoKeyIsDefinedTwiceInALanguage(t *testing.T) {
	c := load(t)
	for _, l := range c.Langs() {
		seen := map[string]bool{}
		for _, k := range c.Keys(l.Tag) {
			if seen[k] {
				t.Errorf("%s defines %s in more than one file", l.Tag, k)
			}
			seen[k] = true
		}
	}
}

func TestChineseIsTranslated(t *testing.T) {
	c := load(t)
	zh := c.For("zh")
	if zh.Lang.Tag != "zh" || zh.Lang.Name != "中文" || zh.Lang.Dir != "ltr" {
		t.Fatalf("zh = %+v", zh.Lang)
	}
	for _, k := range []string{"home.title", "meeting.sessions", "meeting.deadlines", "deadline.passed", "agenda.title", "nav.login"} {
		s := zh.T(k)
		if s == k || !hasHan(s) {
			t.Errorf("zh %s = %q, want Chinese text", k, s)
		}
	}
	if got := zh.Date(mustDay(t, "2025-07-25")); !strings.Contains(got, "2025") || !hasHan(got) {
		t.Errorf("zh date = %q", got)
	}
	if got := c.For("en").Date(mustDay(t, "2025-07-25")); got != "Friday, 25 July 2025" {
		t.Errorf("en date = %q, want Friday, 25 July 2025", got)
	}
}

// The keys built at run time from a prefix and a value ("deadline." + kind) exist for every value.
func TestComputedKeysExist(t *testing.T) {
	c := load(t)
	en := keySet(c, "en")
	var want []string
	for _, k := range domain.DeadlineKinds {
		want = append(want, "deadline."+string(k))
	}
	for _, g := range domain.Genders {
		want = append(want, "gender."+string(g))
	}
	for _, k := range []domain.WorkItemKind{domain.Recommendation, domain.Supplement} {
		want = append(want, "kind."+string(k))
	}
	for _, l := range c.Langs() {
		want = append(want, "language."+l.Tag)
	}
	want = append(want, "meta.name", "meta.dir", "format.date_range",
		"deadline.days_left", "deadline.today", "deadline.passed")
	for _, k := range want {
		if !en[k] {
			t.Errorf("en lacks %s", k)
		}
	}
}

// Patterns of literal keys in the code and templates.
var (
	// t.T("key"), p.T.T("key"), t.N("key", n) …
	reCall = regexp.MustCompile(`\b[TN]\(\s*"([^"]+)"`)
	// domain.Errorf(domain.NotFound, "key"), Errorf(Invalid, "key")
	reErrorf = regexp.MustCompile(`Errorf\(\s*(?:domain\.)?[A-Z]\w*\s*,\s*"([^"]+)"`)
	// domain.FieldErrors(map[string]string{"field": "key", …})
	reFieldErrors = regexp.MustCompile(`FieldErrors\(\s*map\[string\]string\{([^}]*)\}`)
	reMapValue    = regexp.MustCompile(`:\s*"([^"]+)"`)
	// f.Errors[name] = "key"
	reErrorsAssign = regexp.MustCompile(`Errors\[[^\]]+\]\s*=\s*"([^"]+)"`)
	// s.renderError(w, r, status, "title key", "message key"), s.flash(r, "key"), titleOf's values
	reRenderError = regexp.MustCompile(`renderError\([^"]*"([^"]+)"\s*,\s*"([^"]+)"`)
	reFlash       = regexp.MustCompile(`flash\(\s*r\s*,\s*"([^"]+)"`)
	reStatusMap   = regexp.MustCompile(`http\.Status\w+\s*:\s*"([^"]+)"`)
	// Any other literal that looks like a key of a namespace the catalogue has ("validation.required"
	// passed through a helper); the audit actions ("meeting.create") are removed first.
	// reAudit finds an audit event's action, which is no message key: the store's audit(ctx, tx,
	// a, "action", ...) and a service transaction's tx.Audit(ctx, a, "action", ...).
	reAudit   = regexp.MustCompile(`(?:audit\(\s*ctx\s*,\s*\w+\s*,\s*\w+\s*,\s*"[^"]*"|\.Audit\(\s*ctx\s*,\s*\w+\s*,\s*"[^"]*")`)
	reLiteral = regexp.MustCompile(`"([a-z][a-z_]*\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)
)

// sourceFiles returns the module's hand-written Go and templ files (not tests, not generated).
func sourceFiles(t *testing.T) map[string]string {
	t.Helper()
	root := moduleRoot(t)
	files := map[string]string{}
	for _, top := range []string{"internal", "cmd", "web"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			n := d.Name()
			if strings.HasSuffix(n, "_test.go") || strings.HasSuffix(n, "_templ.go") {
				return nil
			}
			if strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".templ") {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(root, p)
				files[rel] = string(b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 20 {
		t.Fatalf("found only %d source files under %s", len(files), root)
	}
	return files
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// usedKeys returns every literal catalogue key in the sources, with where it is used.
func usedKeys(t *testing.T, namespaces map[string]bool) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	add := func(key, file string) {
		if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") || strings.ContainsAny(key, " %/") {
			return // a prefix completed at run time, or not a key
		}
		for _, f := range used[key] {
			if f == file {
				return
			}
		}
		used[key] = append(used[key], file)
	}
	for file, src := range sourceFiles(t) {
		for _, m := range reCall.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
		}
		for _, m := range reErrorf.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
		}
		for _, m := range reFieldErrors.FindAllStringSubmatch(src, -1) {
			for _, v := range reMapValue.FindAllStringSubmatch(m[1], -1) {
				add(v[1], file)
			}
		}
		for _, m := range reErrorsAssign.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
		}
		for _, m := range reRenderError.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
			add(m[2], file)
		}
		for _, m := range reFlash.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
		}
		for _, m := range reStatusMap.FindAllStringSubmatch(src, -1) {
			add(m[1], file)
		}
		for _, m := range reLiteral.FindAllStringSubmatch(reAudit.ReplaceAllString(src, "audit("), -1) {
			ns, _, _ := strings.Cut(m[1], ".")
			if namespaces[ns] {
				add(m[1], file)
			}
		}
	}
	return used
}

func TestEveryKeyUsedInTheCodeExistsInEnglish(t *testing.T) {
	c := load(t)
	en := keySet(c, "en")
	namespaces := map[string]bool{}
	for k := range en {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	used := usedKeys(t, namespaces)
	// The scan must see the keys we know are used, or it proves nothing.
	for _, k := range []string{"home.title", "error.meeting_not_found", "error.email_taken", "login.failed",
		"signup.welcome_verify", "error.internal_title", "error.not_found_title", "validation.required", "error.not_a_number"} {
		if _, ok := used[k]; !ok {
			t.Errorf("the scan did not find %s in the code", k)
		}
	}
	var missing []string
	for k, files := range used {
		if !en[k] {
			missing = append(missing, k+" (used in "+strings.Join(files, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("en lacks the key %s", m)
	}
}

func TestMatchPicksTheLanguage(t *testing.T) {
	c := load(t)
	cases := []struct{ chosen, accept, want string }{
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"", "zh-TW", "zh"},
		{"", "fr-FR,fr;q=0.9", "fr"},
		{"", "fr-CH, de;q=0.8", "fr"},
		{"", "de-CH, de;q=0.8", "en"},
		{"", "de-DE,fr;q=0.5", "fr"},
		{"", "es-419,es;q=0.9", "es"},
		{"", "es-MX", "es"},
		{"", "ru-RU,ru;q=0.9,en;q=0.5", "ru"},
		{"", "uk-UA,ru;q=0.8", "ru"},
		{"", "ar-EG,ar;q=0.9", "ar"},
		{"", "ar-MA", "ar"},
		{"", "", "en"},
		{"", "not a header ;;;", "en"},
		{"zh", "en-GB", "zh"}, // the remembered choice wins
		{"xx", "zh-CN", "zh"}, // an unknown choice is ignored
		{"en", "zh-CN", "en"},
	}
	for _, cs := range cases {
		if got := c.Match(cs.chosen, cs.accept); got != cs.want {
			t.Errorf("Match(%q, %q) = %q, want %q", cs.chosen, cs.accept, got, cs.want)
		}
	}
	if c.For("xx").Lang.Tag != "en" {
		t.Error("For an unknown language does not give English")
	}
}

func TestPlurals(t *testing.T) {
	c := load(t)
	en := c.For("en")
	one, many := en.N("deadline.days_left", 1), en.N("deadline.days_left", 12)
	if one == many || !strings.Contains(many, "12") {
		t.Errorf("en plurals: 1 → %q, 12 → %q", one, many)
	}
	if s := c.For("zh").N("deadline.days_left", 12); !strings.Contains(s, "12") || !hasHan(s) {
		t.Errorf("zh plural = %q", s)
	}
}

// A language is a folder of files: adding one needs no code.
func TestANewLanguageIsAFolderOfFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"en/core.json":  {Data: []byte(`{"meta.name": "English", "meta.dir": "ltr", "home.title": "Meetings", "only.en": "Only in English"}`)},
		"en/more.json":  {Data: []byte(`{"nav.login": "Log in"}`)},
		"ar/core.json":  {Data: []byte(`{"meta.name": "العربية", "meta.dir": "rtl", "home.title": "الاجتماعات", "nav.login": "تسجيل الدخول"}`)},
		"README.txt":    {Data: []byte("not a language")},
		"ar/notes.txt":  {Data: []byte("ignored: not json")},
		"zh/core.json":  {Data: []byte(`{"meta.name": "中文", "home.title": "会议"}`)},
		"es/empty.json": {Data: []byte(`{}`)},
	}
	c, err := i18n.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, l := range c.Langs() {
		tags = append(tags, l.Tag)
	}
	if strings.Join(tags, ",") != "en,ar,es,zh" {
		t.Fatalf("languages = %v, want English first then the others in order", tags)
	}
	ar := c.For("ar")
	if ar.Lang.Dir != "rtl" || ar.Lang.Name != "العربية" {
		t.Errorf("ar = %+v, want rtl and its own name", ar.Lang)
	}
	if c.For("zh").Lang.Dir != "ltr" {
		t.Errorf("zh without meta.dir = %q, want ltr", c.For("zh").Lang.Dir)
	}
	if got := ar.T("home.title"); got != "الاجتماعات" {
		t.Errorf("ar home.title = %q", got)
	}
	if got := ar.T("only.en"); got != "Only in English" {
		t.Errorf("ar missing key = %q, want the English", got)
	}
	if got := ar.T("no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q, want the key itself", got)
	}
	if got := c.Match("", "ar-EG,ar;q=0.9"); got != "ar" {
		t.Errorf("Match(ar-EG) = %q, want ar", got)
	}
	if got := c.For("en").T("nav.login"); got != "Log in" {
		t.Errorf("a second file's message = %q", got)
	}
}

func TestLoadRefusesABadFolder(t *testing.T) {
	if _, err := i18n.Load(fstest.MapFS{"zh/core.json": {Data: []byte(`{"meta.name": "中文"}`)}}); err == nil {
		t.Error("a catalogue without en loaded")
	}
	if _, err := i18n.Load(fstest.MapFS{
		"en/core.json":         {Data: []byte(`{"meta.name": "English"}`)},
		"not_a_tag!/core.json": {Data: []byte(`{}`)},
	}); err == nil {
		t.Error("a folder that is not a language tag loaded")
	}
	if _, err := i18n.Load(fstest.MapFS{"en/core.json": {Data: []byte(`{"meta.name": `)}}); err == nil {
		t.Error("broken JSON loaded")
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// A zone's offset is named as CLDR's localized GMT format of each language writes it.
func TestGMTOffsetInSixLanguages(t *testing.T) {
	c := load(t)
	at := func(secs int) time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("X", secs)) }
	for _, tc := range []struct {
		lang string
		secs int
		want string
	}{
		{"en", 3600, "GMT+1"}, {"zh", 7200, "GMT+2"}, {"fr", 3600, "UTC+1"}, {"es", -3 * 3600, "GMT-3"},
		{"ru", 3*3600 + 0, "GMT+3"}, {"ar", 3600, "غرينتش\u2068+1\u2069"}, // the offset isolated, so "+1" keeps its sign first in Arabic {"en", 5*3600 + 1800, "GMT+5:30"},
		{"en", 0, "GMT"}, {"fr", 0, "UTC"}, {"ar", 0, "غرينتش"},
	} {
		if got := c.For(tc.lang).GMT(at(tc.secs)); got != tc.want {
			t.Errorf("%s at %+d s: %q, want %q", tc.lang, tc.secs, got, tc.want)
		}
	}
}
