package site_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// formValues reads the values a browser would send from the form sel of d (the submit buttons
// aside).
func formValues(t *testing.T, d *goquery.Document, sel string) url.Values {
	t.Helper()
	f := d.Find(sel)
	if f.Length() != 1 {
		t.Fatalf("%d forms %s", f.Length(), sel)
	}
	return fieldValues(f, false)
}

// fieldValues are the values of form f's fields as the page gives them; a select with no option
// selected gives its first when firstOption (as a browser sends it), else "".
func fieldValues(f *goquery.Selection, firstOption bool) url.Values {
	vals := url.Values{}
	f.Find("input[name], textarea[name], select[name]").Each(func(_ int, in *goquery.Selection) {
		name := in.AttrOr("name", "")
		switch goquery.NodeName(in) {
		case "textarea":
			vals.Add(name, in.Text())
		case "select":
			opt := in.Find("option[selected]").First()
			if opt.Length() == 0 && firstOption {
				opt = in.Find("option").First()
			}
			if opt.Length() == 1 {
				vals.Add(name, opt.AttrOr("value", opt.Text()))
			} else {
				vals.Add(name, "")
			}
		default:
			switch in.AttrOr("type", "text") {
			case "checkbox", "radio":
				if _, ok := in.Attr("checked"); ok {
					vals.Add(name, in.AttrOr("value", "on"))
				}
			default:
				vals.Add(name, in.AttrOr("value", ""))
			}
		}
	})
	return vals
}

// copyDemo copies the demo meeting as the secretariat and returns the copy's editor path and slug.
func copyDemo(t *testing.T, fx *listsFixture, sec *browser, slug, first string) (string, string) {
	t.Helper()
	p := sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/copy", form("copy_slug", slug, "copy_first_day", first,
		"copy_title", "Copy "+slug))
	wantStatus(t, p, http.StatusSeeOther)
	return p.Header.Get("Location"), slug
}

// A copy is a draft: visitors and delegates are told it does not exist, on every page of it; the
// secretariat previews it with a banner. Publishing is refused with the list of what is missing,
// and allowed once it is fixed; the meeting is then public, and unpublishing hides it again.
// Every change is in the audit trail.
func TestMeetingLifeCycle(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	edit, slug := copyDemo(t, fx, sec, "sg13-life", fx.now.AddDate(0, 6, 0).Format("2006-01-02"))
	visitor := fx.ts.browser()
	delegate := fx.as(delegateSM)
	pages := []string{"/meetings/" + slug, "/meetings/" + slug + "/agenda", "/meetings/" + slug + "/agenda/wp1",
		"/meetings/" + slug + "/agenda.ics", "/meetings/" + slug + "/documents"}
	hidden := func(when string) {
		t.Helper()
		for _, path := range pages {
			wantStatus(t, visitor.get(path), http.StatusNotFound)
			wantStatus(t, delegate.get(path), http.StatusNotFound)
		}
		wantStatus(t, delegate.get("/meetings/"+slug+"/register"), http.StatusNotFound)
		if strings.Contains(visitor.get("/").body, slug) {
			t.Errorf("%s: the home page lists the draft", when)
		}
		// Registering anyway is refused, and nothing is registered.
		delegate.post("/meetings/"+slug+"/register", form("mode", "remote", "list_consent", "on"))
		var n int
		if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM registrations r JOIN meetings m ON m.id = r.meeting_id WHERE m.slug = $1`, slug).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d registrations of the draft (%v)", when, n, err)
		}
	}
	hidden("a new copy")

	p := sec.get("/meetings/" + slug)
	wantStatus(t, p, http.StatusOK)
	if got := text(testid(p.doc(t), "draft-banner")); !strings.Contains(got, "Draft: only the secretariat sees this page") {
		t.Errorf("the secretariat's preview banner = %q", got)
	}
	d := sec.get(edit).doc(t)
	if got := text(testid(d, "meeting-state")); got != "Draft" {
		t.Errorf("state = %q", got)
	}

	// Publishing is refused with what is missing: the copy's deadlines (the demo's follow the
	// default rules, none set) and the texts to review.
	p = sec.post(edit+"/publish", nil)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d = p.doc(t)
	missing := texts(testid(d, "error-summary").Find("li"))
	for _, want := range []string{"The deadlines", "The purpose is marked “to review”", "“Approved by” is marked “to review”"} {
		if !strings.Contains(missing, want) {
			t.Errorf("the refusal lists %q, want it to name %q", missing, want)
		}
	}
	if strings.Contains(missing, "session") || strings.Contains(missing, "venue") {
		t.Errorf("the refusal lists what is there: %q", missing)
	}
	hidden("after a refused publish")

	// Fixed: the deadlines are set, the texts read again.
	// The deadlines page offers the default dates: one save sets them.
	vals := formValues(t, sec.get(edit+"/deadlines").doc(t), `form[data-testid="deadlines-form"]`)
	if got := followFlash(t, sec, sec.post(edit+"/deadlines", vals)); !strings.HasPrefix(got, "Deadlines saved: contributions needing translation, pre-registration") {
		t.Errorf("deadlines flash = %q", got)
	}
	vals = formValues(t, sec.get(edit+"/details").doc(t), `form[data-testid="meeting-form"]`)
	vals.Add("reviewed", "purpose")
	vals.Add("reviewed", "approved_by")
	wantStatus(t, sec.post(edit+"/details", vals), http.StatusSeeOther)
	if got := followFlash(t, sec, sec.post(edit+"/publish", nil)); got != "Published: the meeting is public." {
		t.Errorf("flash = %q", got)
	}
	for _, path := range pages {
		wantStatus(t, visitor.get(path), http.StatusOK)
	}
	wantStatus(t, delegate.get("/meetings/"+slug+"/register"), http.StatusOK)
	if !strings.Contains(visitor.get("/").body, "/meetings/"+slug) {
		t.Error("the home page does not list the published meeting")
	}
	wantStatus(t, sec.post(edit+"/publish", nil), http.StatusUnprocessableEntity)

	if got := followFlash(t, sec, sec.post(edit+"/unpublish", nil)); !strings.HasPrefix(got, "Unpublished") {
		t.Errorf("flash = %q", got)
	}
	hidden("unpublished")

	// Neither a delegate nor a focal point may change the state.
	wantStatus(t, delegate.post(edit+"/publish", nil), http.StatusForbidden)

	var actions []string
	rows, err := fx.ts.db.Pool.Query(ctx, `SELECT action FROM audit_events WHERE entity = 'meeting'
		AND entity_id = (SELECT id FROM meetings WHERE slug = $1) ORDER BY id`, slug)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	if got, want := strings.Join(actions, " "), "meeting.copied meeting.save_deadlines meeting.save_details meeting.publish meeting.unpublish"; got != want {
		t.Errorf("audit trail = %q, want %q", got, want)
	}
}

// A copy asked without a title, or with another meeting's, is refused on the overview: the
// summary at the top names the field by its label, the message is beside it, the typed values
// stay, and no meeting is made.
func TestMeetingCopyErrorsNameTheirField(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	sec := fx.as(secretariat)
	var before int
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT title->>'en' FROM meetings WHERE id = $1`, fx.demo).Scan(&title); err != nil {
		t.Fatal(err)
	}
	edit := "/secretariat/meetings/" + idStr(fx.demo)
	first := fx.now.AddDate(0, 6, 0).Format("2006-01-02")
	for _, typed := range []string{"", title} {
		p := sec.post(edit+"/copy", form("copy_slug", "sg13-copy-err", "copy_first_day", first, "copy_title", typed))
		wantStatus(t, p, http.StatusUnprocessableEntity)
		d := p.doc(t)
		if first := d.Find("main h1").NextAllFiltered("*").First(); first.AttrOr("data-testid", "") != "error-summary" {
			t.Errorf("title %q: the element after the page's title is %q, want the error summary", typed, goquery.NodeName(first))
		}
		label := text(d.Find(`label[for="copy_title"]`))
		if got := text(testid(d, "error-summary").Find("a")); label == "" || !strings.HasPrefix(got, label+": ") {
			t.Errorf("title %q: the summary's line %q does not start with the field's label %q", typed, got, label)
		}
		if testid(d, "error-copy_title").Length() != 1 {
			t.Errorf("title %q: no message beside the title", typed)
		}
		if v, _ := d.Find(`[name="copy_slug"]`).Attr("value"); v != "sg13-copy-err" {
			t.Errorf("title %q: the typed address came back as %q", typed, v)
		}
	}
	var after int
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings`).Scan(&after); err != nil || after != before {
		t.Errorf("%d meetings after the refused copies, %d before (%v)", after, before, err)
	}
}
