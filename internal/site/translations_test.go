package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"plenary/internal/pgtest"
)

// The missing translations page lists each text of the meeting lacking one of the six languages,
// with the languages it lacks and a link to its section; a text written in all six leaves the
// list; only the secretariat sees it.
func TestMissingTranslationsPage(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	db := fx.ts.db.Pool

	six := `{"en":"Six","zh":"六","fr":"Six","es":"Seis","ru":"Шесть","ar":"ستة"}`
	// Every text of the meeting in all six languages, then three gaps.
	for _, q := range []string{
		`UPDATE meetings SET title = $2, venue = $2, approved_by = $2, desk_place = $2, remote_rules = $2, purpose = $2, room_allocation = $2, practical_info = $2 WHERE id = $1`,
		`UPDATE colocated_events SET title = $2 WHERE meeting_id = $1`,
		`UPDATE agenda_items SET title = $2 WHERE meeting_id = $1`,
		`UPDATE work_items SET title = $2 WHERE meeting_id = $1`,
	} {
		if _, err := db.Exec(ctx, q, fx.demo, six); err != nil {
			t.Fatal(err)
		}
	}
	p := sec.get(base + "/translations")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if testid(d, "translations-none").Length() != 1 || testid(d, "translation-line").Length() != 0 {
		t.Fatalf("all six written: lines %q", texts(testid(d, "translation-line")))
	}
	if _, err := db.Exec(ctx, `UPDATE meetings SET purpose = '{"en":"Purpose","zh":"目的"}', practical_info = '{}' WHERE id = $1`, fx.demo); err != nil {
		t.Fatal(err)
	}
	var item string
	if err := db.QueryRow(ctx, `UPDATE agenda_items SET title = '{"en":"Opening of the meeting","fr":"Ouverture de la réunion"}'
		WHERE id = (SELECT min(id) FROM agenda_items WHERE meeting_id = $1) RETURNING title->>'en'`, fx.demo).Scan(&item); err != nil {
		t.Fatal(err)
	}
	d = sec.get(base + "/translations").doc(t)
	lines := strings.Split(texts(testid(d, "translation-line")), "|")
	if len(lines) != 2 {
		t.Fatalf("lines = %q, want the purpose and one agenda item (the empty practical information is not missing a translation)", lines)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if got := norm(lines[0]); !strings.HasPrefix(got, "Purpose of the meeting") || !strings.Contains(got, "French, Spanish, Russian, Arabic") || strings.Contains(got, "Chinese") {
		t.Errorf("purpose line = %q", got)
	}
	if got := norm(lines[1]); !strings.Contains(got, "Agenda item") || !strings.Contains(got, item) || !strings.Contains(got, "Chinese, Spanish, Russian, Arabic") {
		t.Errorf("agenda line = %q", got)
	}
	links := testid(d, "translation-section")
	if h, _ := links.Eq(0).Attr("href"); h != base+"/details" {
		t.Errorf("purpose links to %q", h)
	}
	if h, _ := links.Eq(1).Attr("href"); h != base+"/agenda" {
		t.Errorf("agenda item links to %q", h)
	}
	if testid(sec.get(base+"/details").doc(t), "translations-link").Length() != 1 {
		t.Error("the editor's sections do not link to the missing translations")
	}

	// In Arabic: the page's own words and the language names in Arabic.
	wantStatus(t, sec.post("/language", form("lang", "ar", "next", "/")), http.StatusSeeOther)
	d = sec.get(base + "/translations").doc(t)
	if got := text(testid(d, "translation-missing").Eq(0)); !strings.Contains(got, "الفرنسية") {
		t.Errorf("Arabic page: missing languages = %q", got)
	}

	wantStatus(t, fx.as(delegate).get(base+"/translations"), http.StatusForbidden)
}

// The seeded SG13 meeting's venue, desk and "approved by" read in Chinese on the Chinese page,
// as the Chinese letter words them, and in English on the English page.
func TestMeetingContentInChinese(t *testing.T) {
	t.Parallel()
	ts := newSite(t, pgtest.SeededAt(t))
	b := ts.browser()
	en := b.get("/meetings/" + letterSlug).doc(t)
	if got := text(testid(en, "fact-venue")); !strings.Contains(got, "ITU headquarters") {
		t.Errorf("English venue = %q", got)
	}
	wantStatus(t, b.post("/language", form("lang", "zh", "next", "/")), http.StatusSeeOther)
	d := b.get("/meetings/" + letterSlug).doc(t)
	if got := text(testid(d, "fact-venue")); !strings.Contains(got, "国际电联总部") || strings.Contains(got, "headquarters") {
		t.Errorf("Chinese venue = %q", got)
	}
	ab := testid(d, "fact-approved-by")
	if lang, _ := ab.Attr("lang"); lang != "zh" || !strings.Contains(text(ab), "第13研究组会议") {
		t.Errorf("Chinese approved by = %q (lang %q)", text(ab), lang)
	}
	if body := text(d.Find("main")); !strings.Contains(body, "Montbrillant大楼入口处") {
		t.Errorf("Chinese page does not say where the desk is in Chinese")
	}
	// The city too, first as Chinese puts it, and so the times' zone: 日内瓦当地时间.
	if got := text(testid(d, "fact-venue")); !strings.Contains(got, "日内瓦国际电联总部") || strings.Contains(got, "Geneva") {
		t.Errorf("Chinese venue and city = %q, want 日内瓦国际电联总部", got)
	}
	if got := text(testid(d, "meeting-local-time")); !strings.Contains(got, "日内瓦当地时间") {
		t.Errorf("Chinese local time = %q, want 日内瓦当地时间", got)
	}
	if got := text(testid(en, "meeting-local-time")); !strings.Contains(got, "local time in Geneva") {
		t.Errorf("English local time = %q", got)
	}
	wantStatus(t, b.post("/language", form("lang", "fr", "next", "/")), http.StatusSeeOther)
	if got := text(testid(b.get("/meetings/"+letterSlug).doc(t), "meeting-local-time")); !strings.Contains(got, "Genève") {
		t.Errorf("French local time = %q, want Genève", got)
	}
}
