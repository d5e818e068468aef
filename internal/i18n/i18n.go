// Package i18n holds the interface's message catalogues. Each language is a folder named by its
// tag (en, zh, ar …) of JSON files holding every message, its plural forms (CLDR rules of that
// language), its native name (meta.name) and its writing direction (meta.dir): adding a language
// is adding a folder of files, not code. Dates are written by CLDR's calendar data for the
// language (github.com/go-playground/locales: month and weekday names, the order of day, month
// and year); a language missing from the table calendars gets British English dates until it is
// added there.
package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-playground/locales"
	cldrar "github.com/go-playground/locales/ar"
	cldren "github.com/go-playground/locales/en_GB"
	cldres "github.com/go-playground/locales/es"
	cldrfr "github.com/go-playground/locales/fr"
	cldrru "github.com/go-playground/locales/ru"
	cldrzh "github.com/go-playground/locales/zh"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// calendars gives each language its CLDR locale for dates. English is British English, as ITU
// writes it ("Friday, 25 July 2025"); Chinese is Simplified Chinese; Arabic is CLDR's ar, whose
// dates go-playground/locales writes in Latin digits, the choice made for Arabic here: the dates,
// document numbers and passport data typed into the forms are in Latin digits too, and one page
// never mixes two sets of digits.
var calendars = map[string]func() locales.Translator{
	"en": cldren.New, "zh": cldrzh.New, "fr": cldrfr.New, "es": cldres.New, "ru": cldrru.New, "ar": cldrar.New,
}

func calendarOf(tag string) locales.Translator {
	if f, ok := calendars[tag]; ok {
		return f()
	}
	return cldren.New()
}

// Lang is a language the interface speaks.
type Lang struct {
	Tag  string // "en", "zh"
	Name string // its own name: "English", "中文"
	Dir  string // "ltr" or "rtl"
}

// Catalogue holds every language's messages.
type Catalogue struct {
	langs   []Lang
	tags    []language.Tag
	matcher language.Matcher
	byTag   map[string]*Translator
	keys    map[string][]string
	// filled holds each language's messages that fill in values and nothing more, parsed (see
	// placeholders): T writes these without going through go-i18n.
	filled map[string]map[string]filledMessage
}

// Default is the language used when nothing else matches, and the fallback for missing messages.
const Default = "en"

// Load reads the catalogues in fsys: one folder per language, named by its tag (en, zh, ar …),
// holding any number of *.json files whose messages are merged.
func Load(fsys fs.FS) (*Catalogue, error) {
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	bundle := i18n.NewBundle(language.English)
	c := &Catalogue{byTag: map[string]*Translator{}, keys: map[string][]string{}, filled: map[string]map[string]filledMessage{}}
	var tags []string
	for _, d := range dirs {
		if d.IsDir() {
			tags = append(tags, d.Name())
		}
	}
	// English first, so that it is the matcher's default.
	sort.Slice(tags, func(i, j int) bool {
		return tags[i] == Default || (tags[j] != Default && tags[i] < tags[j])
	})
	for _, tag := range tags {
		lt, err := language.Parse(tag)
		if err != nil {
			return nil, fmt.Errorf("i18n: folder %s is not a language tag: %w", tag, err)
		}
		files, err := fs.Glob(fsys, path.Join(tag, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			msgs, err := bundle.ParseMessageBytes(lt, b, json.Unmarshal)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
			if c.filled[tag] == nil {
				c.filled[tag] = map[string]filledMessage{}
			}
			for _, m := range msgs {
				c.keys[tag] = append(c.keys[tag], m.ID)
				// A message without plural forms; T uses the other form, as go-i18n does.
				if m.Other != "" && m.One == "" && m.Two == "" && m.Few == "" && m.Many == "" && m.Zero == "" {
					if p, err := parser.Parse(m.Other, m.LeftDelim, m.RightDelim); err == nil {
						if f, ok := p.(filledMessage); ok {
							c.filled[tag][m.ID] = f
						}
					}
				}
			}
		}
		c.tags = append(c.tags, lt)
		c.langs = append(c.langs, Lang{Tag: tag})
	}
	if len(c.langs) == 0 || c.langs[0].Tag != Default {
		return nil, fmt.Errorf("i18n: no %s catalogue", Default)
	}
	c.matcher = language.NewMatcher(c.tags)
	for i := range c.langs {
		// A message missing from a language is English's.
		filled := maps.Clone(c.filled[Default])
		for _, id := range c.keys[c.langs[i].Tag] {
			if f, ok := c.filled[c.langs[i].Tag][id]; ok {
				filled[id] = f
			} else {
				delete(filled, id) // the language's own message has plural forms, or more
			}
		}
		t := &Translator{loc: i18n.NewLocalizer(bundle, c.langs[i].Tag, Default), filled: filled, cal: calendarOf(c.langs[i].Tag)}
		c.langs[i].Name = t.T("meta.name")
		c.langs[i].Dir = t.T("meta.dir")
		if c.langs[i].Dir != "rtl" {
			c.langs[i].Dir = "ltr"
		}
		t.Lang = c.langs[i]
		c.byTag[c.langs[i].Tag] = t
	}
	return c, nil
}

// Langs lists the languages, English first.
func (c *Catalogue) Langs() []Lang { return c.langs }

// Keys returns the message ids of one language's catalogue.
func (c *Catalogue) Keys(tag string) []string { return c.keys[tag] }

// Has reports whether tag is one of the catalogue's languages.
func (c *Catalogue) Has(tag string) bool { _, ok := c.byTag[tag]; return ok }

// Match picks the language for a request: the remembered choice when it is known, else the best
// match for the Accept-Language header, else English.
func (c *Catalogue) Match(chosen, acceptLanguage string) string {
	if c.Has(chosen) {
		return chosen
	}
	if acceptLanguage == "" {
		return Default
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return Default
	}
	return c.langs[idx].Tag
}

// For returns the translator of tag (English when unknown).
func (c *Catalogue) For(tag string) *Translator {
	if t, ok := c.byTag[tag]; ok {
		return t
	}
	return c.byTag[Default]
}

// Translator gives one language's messages and date formats.
type Translator struct {
	Lang   Lang
	loc    *i18n.Localizer
	filled map[string]filledMessage
	cal    locales.Translator // CLDR's calendar data of the language
}

// T returns the message key, filled with the template data given as name/value pairs. A key
// missing from every catalogue comes back as itself, which the catalogue test catches.
// Paren writes s in brackets after what precedes it, as the language does: " (s)" with a space
// before, in Chinese "（s）" with full-width brackets and none.
func (t *Translator) Paren(s string) string { return t.T("punct.paren", "Text", s) }

// Label writes a label before its value: "Status: ", in French "Statut : ", in Chinese "状态：".
func (t *Translator) Label(s string) string { return t.T("punct.label", "Label", s) }

func (t *Translator) T(key string, kv ...any) string {
	if t.Lang.Dir == "rtl" {
		kv = isolate(kv)
	}
	if m, ok := t.filled[key]; ok {
		return m.fill(kv)
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data(kv), TemplateParser: parser})
	if err != nil && !fellBack(err, s) {
		return key
	}
	return s
}

// N returns the plural form of key for count n; the template sees .Count and the pairs of kv.
func (t *Translator) N(key string, n int, kv ...any) string {
	if t.Lang.Dir == "rtl" {
		kv = isolate(kv)
	}
	d := data(kv)
	d["Count"] = n
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n, TemplateData: d, TemplateParser: parser})
	if err != nil && !fellBack(err, s) {
		return key
	}
	return s
}

// isolate returns the pairs with every text value between the Unicode isolates FSI and PDI
// (U+2068, U+2069), so that in a right-to-left message a value takes its own direction from its
// first letter and leaves the sentence's order alone: "Y.CNAO", "José Müller (ITU)" or
// "Europe/Zurich" inside Arabic text read as written, and the punctuation around them stays where
// the translator put it. This is what <bdi> does in markup, for text that has none (a message,
// a mail's subject).
func isolate(kv []any) []any {
	out := make([]any, len(kv))
	copy(out, kv)
	for i := 1; i < len(out); i += 2 {
		// A web address is left bare: it reads left to right anyway, and a mail program
		// finding links in a text must find it whole.
		if s, ok := out[i].(string); ok && s != "" && !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
			out[i] = "\u2068" + s + "\u2069"
		}
	}
	return out
}

// fellBack reports whether Localize, missing the message in the language, gave the English one.
func fellBack(err error, s string) bool {
	var nf *i18n.MessageNotFoundErr
	return s != "" && errors.As(err, &nf)
}

func data(kv []any) map[string]any {
	d := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		d[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return d
}

// Date formats a calendar day in CLDR's full form of the language, with its weekday ("Friday,
// 25 July 2025", "2025年7月25日星期五", "الجمعة، 25 يوليو 2025").
func (t *Translator) Date(d time.Time) string { return t.cal.FmtDateFull(d) }

// DateShort formats a calendar day in CLDR's long form of the language, without the weekday
// ("25 July 2025", "25 июля 2025 г.").
func (t *Translator) DateShort(d time.Time) string { return t.cal.FmtDateLong(d) }

// DateRange formats a span of days, or one day when both are the same.
func (t *Translator) DateRange(a, b time.Time) string {
	if a.Equal(b) {
		return t.DateShort(a)
	}
	return t.T("format.date_range", "From", t.DateShort(a), "To", t.DateShort(b))
}

// unNames are the countries whose CLDR name is not the one the United Nations and ITU use.
var unNames = map[string]map[string]string{
	"PS": {"en": "State of Palestine", "zh": "巴勒斯坦国", "fr": "État de Palestine", "es": "Estado de Palestina",
		"ru": "Государство Палестина", "ar": "دولة فلسطين"},
}

// Country returns the name of a country, given its ISO 3166 code ("CH"), in the language: CLDR's
// (golang.org/x/text/language/display), except where the United Nations name differs (unNames).
// A code CLDR does not know comes back as it is; an empty code is empty.
func (t *Translator) Country(code string) string {
	if code == "" {
		return ""
	}
	if n, ok := unNames[code][t.Lang.Tag]; ok {
		return n
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return code
	}
	tag, err := language.Parse(t.Lang.Tag)
	if err != nil {
		tag = language.English
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	return code
}

// Clock formats a time of day on the 24-hour clock, as meetings are announced: CLDR's "Hm"
// pattern of each of the six languages is HH:mm (Spanish allows H:mm; ITU writes 09:30 in every
// language), and go-playground/locales' short times are 12-hour for Chinese and Arabic, so the
// pattern is fixed here rather than taken from them.
func (t *Translator) Clock(d time.Time) string { return d.Format("15:04") }

// GMT names the offset from UTC of the zone at that instant as CLDR's localized GMT format of
// the language writes it ("GMT+1", "UTC+1" in French, "غرينتش+1" in Arabic; "GMT+5:30"; "GMT"
// at offset zero): the catalogue's time.gmt and time.gmt_zero carry each language's pattern.
// Unlike a zone's abbreviation ("CET", English), it reads the same in every language.
func (t *Translator) GMT(at time.Time) string {
	_, off := at.Zone()
	if off == 0 {
		return t.T("time.gmt_zero")
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	s := sign + fmt.Sprint(h)
	if m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return t.T("time.gmt", "Offset", s)
}
