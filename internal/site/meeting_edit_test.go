package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The editor's sections are pages of their own, each with the meeting's summary at the top; a
// save changes its own section alone and says exactly what it saved; a refused save comes back
// with the summary at the top, the messages beside the fields and what was typed; a save over a
// stale version is refused and changes nothing.
func TestMeetingEditorSections(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	base := "/secretariat/meetings/" + idStr(fx.demo)
	for _, path := range []string{"", "/details", "/deadlines", "/sessions", "/desk", "/colocated", "/agenda", "/work-items", "/history"} {
		p := sec.get(base + path)
		wantStatus(t, p, http.StatusOK)
		d := p.doc(t)
		if testid(d, "meeting-summary").Length() != 1 || !strings.Contains(text(testid(d, "summary-title")), fx.demoSlug) {
			t.Errorf("%s: no meeting summary at the top", path)
		}
		if n := d.Find("form[method=post]:not([action='/logout']):not([action='/language'])").Length(); path != "" && path != "/history" && n != 1 {
			t.Errorf("%s: %d forms, want the section's one", path, n)
		}
	}
	venue := func() string {
		var v string
		if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT venue->>'en' FROM meetings WHERE id = $1`, fx.demo).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Both forms read before either save: the venue changed in the details is not reverted by
	// the sessions' save (the defect of the one-page editor).
	details := formValues(t, sec.get(base+"/details").doc(t), `form[data-testid="meeting-form"]`)
	sessions := formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	details.Set("venue", "CICG, Geneva")
	if got := followFlash(t, sec, sec.post(base+"/details", details)); got != "Details saved: venue." {
		t.Errorf("details flash = %q", got)
	}
	sessions.Set("s-0-room", "Popov room")
	if got := followFlash(t, sec, sec.post(base+"/sessions", sessions)); got != "Sessions saved: 0 added, 1 changed, 0 removed." {
		t.Errorf("sessions flash = %q", got)
	}
	if v := venue(); v != "CICG, Geneva" {
		t.Errorf("venue after the sessions' save = %q: the save reverted another section", v)
	}
	// Saved again unchanged: nothing changes, and it says so.
	sessions = formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	if got := followFlash(t, sec, sec.post(base+"/sessions", sessions)); got != "Nothing was changed in Sessions." {
		t.Errorf("unchanged save flash = %q", got)
	}

	// An error: the summary at the top of the page, the message beside the field, the typed
	// values kept, nothing saved.
	sessions = formValues(t, sec.get(base+"/sessions").doc(t), `form[data-testid="sessions-form"]`)
	sessions.Set("s-0-start", "11:00")
	sessions.Set("s-0-end", "10:00")
	sessions.Set("s-0-room", "Room typed")
	p := sec.post(base+"/sessions", sessions)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	if first := d.Find("main h1").NextAllFiltered("*").First(); first.AttrOr("data-testid", "") != "error-summary" {
		t.Errorf("the element after the page's title is %q, want the error summary", first.AttrOr("data-testid", goquery.NodeName(first)))
	}
	if href, _ := testid(d, "error-summary").Find("a").Attr("href"); href != "#s-0-end" {
		t.Errorf("the summary links to %q, want #s-0-end", href)
	}
	if testid(d, "error-s-0-end").Length() != 1 {
		t.Error("no message beside the end time")
	}
	if v, _ := d.Find(`[name="s-0-room"]`).Attr("value"); v != "Room typed" {
		t.Errorf("the typed room came back as %q", v)
	}
	var room string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT room->>'en' FROM meeting_sessions WHERE meeting_id = $1 ORDER BY starts_at, id LIMIT 1`, fx.demo).Scan(&room); err != nil || room != "Popov room" {
		t.Errorf("first session's room = %q (%v), want Popov room unchanged", room, err)
	}

	// Two tabs read the details; the first saves; the second's save is refused, nothing of it
	// applied, and the form keeps what it typed.
	tab1 := formValues(t, sec.get(base+"/details").doc(t), `form[data-testid="meeting-form"]`)
	tab2 := formValues(t, sec.get(base+"/details").doc(t), `form[data-testid="meeting-form"]`)
	tab1.Set("venue", "ITU Tower")
	wantStatus(t, sec.post(base+"/details", tab1), http.StatusSeeOther)
	tab2.Set("venue", "Varembé")
	tab2.Set("city", "Lausanne")
	p = sec.post(base+"/details", tab2)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	if got := text(testid(d, "error-summary")); !strings.Contains(got, "Someone else saved this section after you opened it") {
		t.Errorf("stale save summary = %q", got)
	}
	if v, _ := d.Find(`#venue`).Attr("value"); v != "Varembé" {
		t.Errorf("the refused form shows venue %q, want what was typed", v)
	}
	if v := venue(); v != "ITU Tower" {
		t.Errorf("venue = %q after the stale save, want the first save's", v)
	}

	// Each save is in the meeting's history, with who and when in the meeting's zone.
	p = sec.get(base + "/history")
	d = p.doc(t)
	if got := text(testid(d, "history-zone")); !strings.Contains(got, "Europe/Zurich") {
		t.Errorf("history zone = %q", got)
	}
	lines := texts(testid(d, "history-line"))
	for _, want := range []string{"Details saved: venue.", "Sessions saved: 0 added, 1 changed, 0 removed.", "Sara Secretariat"} {
		if !strings.Contains(lines, want) {
			t.Errorf("history lacks %q:\n%s", want, lines)
		}
	}
	if !strings.Contains(lines, " GMT+1") && !strings.Contains(lines, " GMT+2") {
		t.Errorf("history times do not name the zone:\n%s", lines)
	}
	if strings.Count(lines, "Details saved: venue.") != 2 {
		t.Errorf("want two details saves (the stale one refused) in:\n%s", lines)
	}
}

// A copy's texts marked "to review" are shown as such in the details; editing one or confirming
// it as read clears it, and publishing is refused until none is left. An archived meeting's
// sections cannot be saved.
func TestMeetingReviewMarksAndArchive(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	edit, _ := copyDemo(t, fx, sec, "sg13-review", fx.now.AddDate(0, 7, 0).Format("2006-01-02"))
	d := sec.get(edit + "/details").doc(t)
	for _, f := range []string{"purpose", "approved_by"} {
		if testid(d, "review-"+f).Length() != 1 {
			t.Errorf("%s is not shown as to review", f)
		}
	}
	vals := formValues(t, d, `form[data-testid="meeting-form"]`)
	vals.Set("approved_by", "Study Group 13, Geneva, 2-13 March 2026")
	vals.Add("reviewed", "purpose")
	got := followFlash(t, sec, sec.post(edit+"/details", vals))
	if got != "Details saved: “approved by”. No longer to review: purpose, “approved by”." {
		t.Errorf("flash = %q", got)
	}
	var review []string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT review FROM meetings WHERE slug = 'sg13-review'`).Scan(&review); err != nil || len(review) != 0 {
		t.Errorf("still to review: %v (%v)", review, err)
	}

	// The letter's meeting is over: archived, its sections read-only.
	var letter int64
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE slug = $1`, letterSlug).Scan(&letter); err != nil {
		t.Fatal(err)
	}
	lbase := "/secretariat/meetings/" + idStr(letter)
	if got := text(testid(sec.get(lbase).doc(t), "meeting-state")); got != "Archived" {
		t.Errorf("the letter's meeting is %q, want Archived", got)
	}
	vals = formValues(t, sec.get(lbase+"/details").doc(t), `form[data-testid="meeting-form"]`)
	vals.Set("venue", "Elsewhere")
	p := sec.post(lbase+"/details", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-summary")); !strings.Contains(got, "archived") {
		t.Errorf("archived save refused with %q", got)
	}
}
