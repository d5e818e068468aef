package site_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"plenary/internal/domain"
)

// The editor offers a section's texts one language at a time: in English, every field with the
// English of each text and no other language; in another language (?lang=), only the texts,
// each beside its English shown read-only; a save in a language writes that language alone and
// keeps every other one; a refused save keeps what was typed beside its message; the missing
// translations view links to the section in each missing language.
func TestSectionsTranslatedOneLanguageAtATime(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	db := fx.ts.db.Pool
	texts := func(q string) domain.Text {
		t.Helper()
		var x domain.Text
		if err := db.QueryRow(ctx, q, fx.demo).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if _, err := db.Exec(ctx, `UPDATE meetings SET title = title || '{"zh":"第13研究组会议"}' WHERE id = $1`, fx.demo); err != nil {
		t.Fatal(err)
	}
	before := texts(`SELECT title FROM meetings WHERE id = $1`)
	var slug string
	if err := db.QueryRow(ctx, `SELECT slug FROM meetings WHERE id = $1`, fx.demo).Scan(&slug); err != nil {
		t.Fatal(err)
	}

	// English: every field, the texts in English alone.
	d := sec.get(base + "/details").doc(t)
	form := d.Find(`form[data-testid="meeting-form"]`)
	if form.Find(`[name="slug"]`).Length() != 1 || form.Find(`[name="title-en"]`).Length() != 1 {
		t.Fatal("the English details lack the slug or the English title")
	}
	if n := form.Find(`[name$="-zh"], [name$="-fr"], [name$="-ar"]`).Length(); n != 0 {
		t.Errorf("the English details carry %d fields of other languages", n)
	}
	langs := testid(d, "edit-langs").Find("a")
	if langs.Length() != 6 || testid(d, "edit-lang-en").AttrOr("aria-current", "") != "page" {
		t.Errorf("language chooser: %d links, English current %q", langs.Length(), testid(d, "edit-lang-en").AttrOr("aria-current", ""))
	}
	if h := testid(d, "edit-lang-fr").AttrOr("href", ""); h != base+"/details?lang=fr" {
		t.Errorf("French link = %q", h)
	}

	// French: the texts alone, each with its English read-only; nothing else.
	d = sec.get(base + "/details?lang=fr").doc(t)
	form = d.Find(`form[data-testid="meeting-form"]`)
	if a := form.AttrOr("action", ""); a != base+"/details?lang=fr" {
		t.Errorf("French form posts to %q", a)
	}
	if form.Find(`[name="slug"], [name="city"], [name="title-en"], [name="time_zone"]`).Length() != 0 {
		t.Error("the French details offer fields that are not translations")
	}
	fields := form.Find(`input[type="text"], textarea`)
	if fields.Length() != 8 { // title, city, venue, remote rules, purpose, approved by, room allocation, practical information
		t.Errorf("%d French fields, want the 8 texts", fields.Length())
	}
	if v := form.Find(`[name="city-fr"]`).AttrOr("value", ""); v != "Genève" {
		t.Errorf("the French city = %q, want Genève", v)
	}
	title := testid(d, "translate-title-fr")
	if got := text(title.Find(`[data-testid="source-text"]`)); got != before["en"] {
		t.Errorf("English shown beside the French title = %q, want %q", got, before["en"])
	}
	if in := title.Find("input"); in.AttrOr("lang", "") != "fr" || in.AttrOr("aria-describedby", "") != "title-fr-source" {
		t.Errorf("French title input lang=%q describedby=%q", in.AttrOr("lang", ""), in.AttrOr("aria-describedby", ""))
	}
	vals := formValues(t, d, `form[data-testid="meeting-form"]`)
	vals.Set("title-fr", "Réunion du Groupe de travail 1/13")
	vals.Set("venue-fr", "Siège de l'UIT, Genève")
	p := sec.post(base+"/details?lang=fr", vals)
	wantRedirect(t, p, base+"/details?lang=fr")
	if got := followFlash(t, sec, p); got != "Details saved: title, venue." {
		t.Errorf("French save flash = %q", got)
	}
	after := texts(`SELECT title FROM meetings WHERE id = $1`)
	if after["fr"] != "Réunion du Groupe de travail 1/13" || after["en"] != before["en"] || after["zh"] != "第13研究组会议" {
		t.Errorf("title after the French save = %v (before %v)", after, before)
	}
	var slugAfter string
	if err := db.QueryRow(ctx, `SELECT slug FROM meetings WHERE id = $1`, fx.demo).Scan(&slugAfter); err != nil || slugAfter != slug {
		t.Errorf("slug after the French save = %q (%v), want %q", slugAfter, err, slug)
	}
	if v := texts(`SELECT venue FROM meetings WHERE id = $1`); v["fr"] != "Siège de l'UIT, Genève" || v["en"] == "" {
		t.Errorf("venue after the French save = %v", v)
	}

	// The English save keeps the French and Chinese.
	vals = formValues(t, sec.get(base+"/details").doc(t), `form[data-testid="meeting-form"]`)
	vals.Set("title-en", before["en"]+" (revised)")
	wantRedirect(t, sec.post(base+"/details", vals), base+"/details")
	after = texts(`SELECT title FROM meetings WHERE id = $1`)
	if after["en"] != before["en"]+" (revised)" || after["fr"] != "Réunion du Groupe de travail 1/13" || after["zh"] != "第13研究组会议" {
		t.Errorf("title after the English save = %v", after)
	}

	// Too long in Arabic: refused beside the field, what was typed kept, nothing saved.
	d = sec.get(base + "/details?lang=ar").doc(t)
	if in := testid(d, "translate-venue-ar").Find("input"); in.AttrOr("dir", "") != "rtl" {
		t.Errorf("Arabic venue input dir = %q", in.AttrOr("dir", ""))
	}
	vals = formValues(t, d, `form[data-testid="meeting-form"]`)
	long := strings.Repeat("م", 201)
	vals.Set("venue-ar", long)
	vals.Set("title-ar", "اجتماع الفرقة 1/13")
	p = sec.post(base+"/details?lang=ar", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	if testid(d, "error-venue-ar").Length() != 1 {
		t.Error("no message beside the Arabic venue")
	}
	if h, _ := testid(d, "error-summary").Find("a").Attr("href"); h != "#venue-ar" {
		t.Errorf("summary links to %q", h)
	}
	if v, _ := d.Find(`#title-ar`).Attr("value"); v != "اجتماع الفرقة 1/13" {
		t.Errorf("typed Arabic title came back as %q", v)
	}
	if texts(`SELECT title FROM meetings WHERE id = $1`)["ar"] != "" {
		t.Error("the refused Arabic save wrote the title")
	}

	// A list in Chinese: one row per agenda item, its English beside the Chinese title, no
	// other column; the save changes that translation alone.
	var items int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, fx.demo).Scan(&items); err != nil || items == 0 {
		t.Fatalf("agenda items: %d (%v)", items, err)
	}
	d = sec.get(base + "/agenda?lang=zh").doc(t)
	rows := testid(d, "translation-table").Find("tbody tr")
	if rows.Length() != items {
		t.Errorf("%d rows to translate, want the %d agenda items", rows.Length(), items)
	}
	if n := rows.First().Find("input:not([type=hidden]), textarea, select").Length(); n != 1 {
		t.Errorf("a row offers %d fields, want the Chinese title alone", n)
	}
	var firstID int64
	var firstEN string
	if err := db.QueryRow(ctx, `SELECT a.id, a.title->>'en' FROM agenda_items a JOIN working_parties w ON w.id = a.working_party_id
		WHERE a.meeting_id = $1 ORDER BY w.number, a.position LIMIT 1`, fx.demo).Scan(&firstID, &firstEN); err != nil {
		t.Fatal(err)
	}
	if got := text(rows.First().Find(`[data-testid="source-text"]`)); got != firstEN {
		t.Errorf("first row's English = %q, want %q", got, firstEN)
	}
	vals = formValues(t, d, `form[data-testid="agenda-form"]`)
	if vals.Get("a-0-id") != idStr(firstID) {
		t.Fatalf("first row is item %s, want %d", vals.Get("a-0-id"), firstID)
	}
	vals.Set("a-0-title-zh", "会议开幕")
	if got := followFlash(t, sec, sec.post(base+"/agenda?lang=zh", vals)); got != "Agenda saved: 0 added, 1 changed, 0 removed." {
		t.Errorf("Chinese agenda flash = %q", got)
	}
	var x domain.Text
	var pos int
	if err := db.QueryRow(ctx, `SELECT title, position FROM agenda_items WHERE id = $1`, firstID).Scan(&x, &pos); err != nil {
		t.Fatal(err)
	}
	if x["zh"] != "会议开幕" || x["en"] != firstEN {
		t.Errorf("agenda item after the Chinese save = %v", x)
	}
	// The English grid keeps the Chinese when its English is edited.
	vals = formValues(t, sec.get(base+"/agenda").doc(t), `form[data-testid="agenda-form"]`)
	if vals.Has("a-0-title-zh") {
		t.Error("the English agenda carries the Chinese titles")
	}
	vals.Set("a-0-title-en", "Opening of the meeting (revised)")
	wantRedirect(t, sec.post(base+"/agenda", vals), base+"/agenda")
	if err := db.QueryRow(ctx, `SELECT title FROM agenda_items WHERE id = $1`, firstID).Scan(&x); err != nil {
		t.Fatal(err)
	}
	if x["zh"] != "会议开幕" || x["en"] != "Opening of the meeting (revised)" {
		t.Errorf("agenda item after the English save = %v", x)
	}

	// The desk in Russian: where the desk is, nothing else.
	d = sec.get(base + "/desk?lang=ru").doc(t)
	if d.Find(`form[data-testid="desk-form"] [name^="d-0-"]`).Length() != 0 {
		t.Error("the Russian desk offers the opening hours")
	}
	vals = formValues(t, d, `form[data-testid="desk-form"]`)
	vals.Set("desk_place-ru", "У входа в здание Монбриллан")
	if got := followFlash(t, sec, sec.post(base+"/desk?lang=ru", vals)); got != "Registration desk saved: where the desk is." {
		t.Errorf("Russian desk flash = %q", got)
	}
	if v := texts(`SELECT desk_place FROM meetings WHERE id = $1`); v["ru"] != "У входа в здание Монбриллан" {
		t.Errorf("desk place after the Russian save = %v", v)
	}

	// The missing translations view links to the section in each missing language.
	d = sec.get(base + "/translations").doc(t)
	found := false
	testid(d, "translation-lang").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("href", "") == base+"/details?lang=es" {
			found = true
		}
	})
	if !found {
		t.Error("no link to the details in Spanish among the missing translations")
	}
}

// Session rooms in six languages: the sessions section in a language lists each room once (not
// each session), and its translation reaches every session held there; the meeting page, the
// agenda and the room screen show the room in the page's language, the screen found by any of
// the room's names; the English grid keeps the translations.
func TestSessionRoomsTranslated(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	db := fx.ts.db.Pool

	vals := formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	if vals.Get("s-1-wp") == "" {
		t.Fatal("the demo meeting has fewer than two sessions")
	}
	vals.Set("s-0-room", "Popov Room")
	vals.Set("s-1-room", "Popov Room")
	wantRedirect(t, sec.post(base+"/sessions", vals), base+"/sessions")

	d := sec.get(base + "/sessions?lang=zh").doc(t)
	rows := testid(d, "translation-table").Find("tbody tr")
	if rows.Length() != 1 || text(rows.Find(`[data-testid="source-text"]`)) != "Popov Room" {
		t.Fatalf("rooms to translate: %d rows %q, want Popov Room once", rows.Length(), text(rows.Find(`[data-testid="source-text"]`)))
	}
	if testid(d, "sessions-form").Find(`[name$="-start"], [name$="-day"]`).Length() != 0 {
		t.Error("the Chinese sessions offer the times")
	}
	vals = formValues(t, d, `form[data-testid="sessions-form"]`)
	vals.Set("s-0-room-zh", "波波夫厅")
	if got := followFlash(t, sec, sec.post(base+"/sessions?lang=zh", vals)); got != "Sessions saved: 0 added, 2 changed, 0 removed." {
		t.Errorf("flash = %q", got)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM meeting_sessions WHERE meeting_id = $1 AND room = '{"en":"Popov Room","zh":"波波夫厅"}'`, fx.demo).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d sessions in the translated room (%v), want 2", n, err)
	}
	// The English grid: editing another field keeps the Chinese room.
	vals = formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	if vals.Has("s-0-room-zh") {
		t.Error("the English sessions carry the Chinese rooms")
	}
	vals.Set("session_minutes", "150")
	wantRedirect(t, sec.post(base+"/sessions", vals), base+"/sessions")
	if err := db.QueryRow(ctx, `SELECT count(*) FROM meeting_sessions WHERE meeting_id = $1 AND room->>'zh' = '波波夫厅'`, fx.demo).Scan(&n); err != nil || n != 2 {
		t.Errorf("after the English save %d sessions keep the Chinese room (%v)", n, err)
	}

	visitor := fx.ts.browser()
	wantStatus(t, visitor.post("/language", form("lang", "zh", "next", "/")), http.StatusSeeOther)
	page := "/meetings/" + fx.demoSlug
	if got := texts(testid(visitor.get(page).doc(t), "session-room")); !strings.Contains(got, "波波夫厅") || strings.Contains(got, "Popov") {
		t.Errorf("Chinese meeting page rooms = %q", got)
	}
	if got := texts(testid(visitor.get(page+"/agenda").doc(t), "agenda-room")); !strings.Contains(got, "波波夫厅") {
		t.Errorf("Chinese agenda rooms = %q", got)
	}
	en := fx.ts.browser()
	if got := texts(testid(en.get(page).doc(t), "session-room")); !strings.Contains(got, "Popov Room") {
		t.Errorf("English meeting page rooms = %q", got)
	}
	p := en.get(page + "/screen?lang=zh&room=" + url.QueryEscape("波波夫厅"))
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if got := text(testid(d, "screen-room")); !strings.Contains(got, "波波夫厅") || testid(d, "screen-unknown-room").Length() != 0 {
		t.Errorf("Chinese room screen names its room %q (unknown: %d)", got, testid(d, "screen-unknown-room").Length())
	}
}

// Organisation names in six languages: a Member State reads as its country in the page's
// language (CLDR) without anything entered, English pages keep the official name; the
// secretariat gives any organisation a name per language, one language at a time, audited; the
// focal point's list and /me show it in the page's language.
func TestOrganisationNamesInSixLanguages(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	db := fx.ts.db.Pool
	fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.register(fx.account("delegate.ms@plenary.test"), domain.InPerson, true)
	inLang := func(b *browser, lang string) *browser {
		wantStatus(t, b.post("/language", form("lang", lang, "next", "/")), http.StatusSeeOther)
		return b
	}

	// The Member State: its country in Chinese and Arabic, its official name in English.
	ms := inLang(fx.as(focalMS), "en")
	if got := texts(testid(ms.get("/focal").doc(t), "organisation")); !strings.Contains(got, orgMS) {
		t.Errorf("English focal list organisations = %q", got)
	}
	if got := texts(testid(inLang(ms, "zh").get("/focal").doc(t), "organisation")); !strings.Contains(got, "中国") || strings.Contains(got, "China") {
		t.Errorf("Chinese focal list organisations = %q", got)
	}
	if got := texts(testid(inLang(ms, "ar").get("/focal").doc(t), "organisation")); !strings.Contains(got, "الصين") {
		t.Errorf("Arabic focal list organisations = %q", got)
	}

	// The sector member: the secretariat names it in Chinese.
	sec := fx.as(secretariat)
	path := "/secretariat/organisations/" + idStr(fx.sm)
	d := sec.get(path + "?lang=zh").doc(t)
	if got := text(testid(d, "names-default")); !strings.Contains(got, orgSM) {
		t.Errorf("default in Chinese = %q, want the official name", got)
	}
	if got := text(testid(d, "translate-name-zh").Find(`[data-testid="source-text"]`)); got != orgSM {
		t.Errorf("official name shown = %q", got)
	}
	if testid(d, "names-lang-en").Length() != 0 || testid(d, "names-lang-ar").Length() != 1 {
		t.Error("the names offer English, or not Arabic")
	}
	vals := formValues(t, d, `form[data-testid="names-form"]`)
	vals.Set("name-zh", strings.Repeat("网", 201))
	p := sec.post(path+"/names?lang=zh", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if testid(p.doc(t), "error-name-zh").Length() != 1 {
		t.Error("no message beside the too long Chinese name")
	}
	vals.Set("name-zh", "示例网络有限公司")
	wantRedirect(t, sec.post(path+"/names?lang=zh", vals), path+"?lang=zh#names")
	var names domain.Text
	var audits int
	if err := db.QueryRow(ctx, `SELECT names, (SELECT count(*) FROM audit_events WHERE action = 'organisation.name' AND entity_id = o.id)
		FROM organisations o WHERE id = $1`, fx.sm).Scan(&names, &audits); err != nil {
		t.Fatal(err)
	}
	if names["zh"] != "示例网络有限公司" || len(names) != 1 || audits != 1 {
		t.Errorf("names = %v, %d audit events", names, audits)
	}
	sm := inLang(fx.as(focalSM), "zh")
	if got := texts(testid(sm.get("/focal").doc(t), "organisation")); !strings.Contains(got, "示例网络有限公司") {
		t.Errorf("Chinese focal list organisations = %q", got)
	}
	if got := text(sm.get("/focal/members").doc(t).Find("main table")); !strings.Contains(got, "示例网络有限公司") {
		t.Errorf("Chinese members page does not name the organisation in Chinese: %q", got)
	}
	me := inLang(fx.as(delegateSM), "zh")
	if got := text(testid(me.get("/me").doc(t), "my-organisation")); got != "示例网络有限公司" {
		t.Errorf("Chinese /me organisation = %q", got)
	}
	if got := text(testid(inLang(fx.as(delegateSM), "en").get("/me").doc(t), "my-organisation")); got != orgSM {
		t.Errorf("English /me organisation = %q", got)
	}
	wantStatus(t, fx.as(focalSM).post(path+"/names?lang=fr", form("name-fr", "X")), http.StatusForbidden)
}

// The times' zone is named in the page's language: the meeting's city, translated, and the
// zone's offset as CLDR writes it in that language, never the zone's English name or
// abbreviation; the room screen says the same.
func TestZoneNamedInThePagesLanguage(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	var first time.Time
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT first_day FROM meetings WHERE id = $1`, fx.demo).Scan(&first); err != nil {
		t.Fatal(err)
	}
	zurich, _ := time.LoadLocation("Europe/Zurich")
	_, off := time.Date(first.Year(), first.Month(), first.Day(), 12, 0, 0, 0, zurich).Zone()
	hours := strconv.Itoa(off / 3600)
	for _, c := range []struct{ lang, want string }{
		{"zh", "时间均为日内瓦当地时间（GMT+" + hours + "）。"},
		{"ar", "الأوقات بالتوقيت المحلي في جنيف (غرينتش+" + hours + ")."},
		{"en", "Times are local time in Geneva (GMT+" + hours + ")."},
	} {
		b := fx.ts.browser()
		wantStatus(t, b.post("/language", form("lang", c.lang, "next", "/")), http.StatusSeeOther)
		// (Arabic isolates each value it writes: compared without the isolates.)
		got := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(text(testid(b.get("/meetings/"+fx.demoSlug).doc(t), "meeting-local-time")))
		if got != c.want {
			t.Errorf("%s: local time = %q, want %q", c.lang, got, c.want)
		}
		if strings.Contains(got, "Zurich") || strings.Contains(got, "CET") {
			t.Errorf("%s: the zone is named in English: %q", c.lang, got)
		}
		screen := text(testid(b.get("/meetings/"+fx.demoSlug+"/screen?lang="+c.lang).doc(t), "screen-zone"))
		if strings.Contains(screen, "Zurich") || !strings.Contains(screen, "+") {
			t.Errorf("%s: the room screen names the zone %q", c.lang, screen)
		}
	}
}
