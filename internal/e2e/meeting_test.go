package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openStatus navigates to path and returns the answer's status, whatever it is.
func (b tab) openStatus(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// inView reports whether the element sel is on the screen as it is now (its top within the
// window), so that a message is where the user is.
func (b tab) inView(sel string) bool {
	b.t.Helper()
	return b.eval("is "+sel+" in view", `(() => {
		const e = document.querySelector(`+regJS(sel)+`);
		if (!e) return 'missing';
		const r = e.getBoundingClientRect();
		return String(r.top >= 0 && r.top < window.innerHeight && r.height > 0);
	})()`) == "true"
}

// TestPreparingAMeeting is the secretariat preparing the next meeting from the letter's: a copy
// is a draft that visitors do not see, publishing is refused with what is missing, a sessions
// error comes back with its message in view, the copy is published and a delegate registers;
// two tabs save the same section and the second is refused. Every page is checked with axe.
func TestPreparingAMeeting(t *testing.T) {
	browser, _ := startPortal(t, nil)
	secr := newPerson(t, browser)
	visitor := newPerson(t, browser)
	jose := newPerson(t, browser)

	first := time.Now().AddDate(0, 5, 0).Format("2006-01-02")
	const slug = "sg13-wp-next"
	const title = "Meetings of Working Parties 1/13 to 4/13 (next)"
	path := "/meetings/" + slug

	secr.login(secretariat, "Sara Secretariat")
	secr.open("/secretariat")
	secr.follow("open the letter's meeting", `[data-testid="edit-`+letterSlug+`"]`)
	if got := secr.text(`[data-testid="meeting-state"]`); got != "Archived" {
		t.Errorf("the letter's meeting is %q, want Archived", got)
	}
	secr.checkA11y("the editor's overview of an archived meeting")
	secr.do("fill in the copy form",
		chromedp.SendKeys(chromedp.CSS("#copy_title"), title, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#copy_slug"), slug, chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS("#copy_first_day"), first, chromedp.NodeVisible))
	if status := secr.submit("copy the meeting", `[data-testid="copy-meeting"]`); status != 200 {
		t.Fatalf("after copying: status %d\n%s", status, secr.text("main"))
	}
	if got := secr.text(`[data-testid="meeting-state"]`); got != "Draft" {
		t.Fatalf("the copy is %q, want Draft\n%s", got, secr.text("main"))
	}
	if got := secr.text(`[data-testid="summary-title"]`); !strings.Contains(got, title) {
		t.Errorf("the copy's title = %q", got)
	}
	secr.checkA11y("the copy's overview")

	// Visitors (and delegates) are told it does not exist; the secretariat previews it.
	for _, p := range []string{path, path + "/agenda", path + "/documents"} {
		if status := visitor.openStatus(p); status != 404 {
			t.Errorf("a visitor opening the draft's %s: status %d, want 404", p, status)
		}
	}
	visitor.open("/")
	if n := visitor.count(`a[href="` + path + `"]`); n != 0 {
		t.Error("the home page lists the draft")
	}
	secr.open(path)
	if got := secr.text(`[data-testid="draft-banner"]`); !strings.Contains(got, "only the secretariat sees this page") {
		t.Errorf("the preview's banner = %q", got)
	}
	secr.checkA11y("the draft's preview")

	// Publishing is refused with the list of what is missing.
	secr.follow("back to the editor", `[data-testid="draft-editor-link"]`)
	editor := secr.path()
	if status := secr.submit("publish too early", `[data-testid="publish"]`); status != 422 {
		t.Fatalf("publishing the copy as made: status %d, want 422", status)
	}
	missing := secr.text(`[data-testid="error-summary"]`)
	for _, want := range []string{"remote participation details", "The purpose is marked “to review”", "“Approved by” is marked “to review”"} {
		if !strings.Contains(missing, want) {
			t.Errorf("the refusal %q does not name %q", missing, want)
		}
	}
	secr.checkA11y("the refused publication")

	// A sessions error: the summary is where the user is, the message beside the field.
	secr.follow("open the sessions", `[data-testid="section-sessions"]`)
	secr.do("end the first session before it starts",
		chromedp.SetValue(chromedp.CSS(`[name="s-0-end"]`), "08:00", chromedp.NodeVisible))
	if status := secr.submit("save the sessions", `[data-testid="save-sessions"]`); status != 422 {
		t.Fatalf("saving a session ending before it starts: status %d, want 422", status)
	}
	if !secr.inView(`[data-testid="error-summary"]`) {
		t.Error("the error summary is not in view after the refused save")
	}
	if got := secr.text(`[data-testid="error-s-0-end"]`); !strings.Contains(strings.ToLower(got), "row 1") {
		t.Errorf("the message beside the end = %q", got)
	}
	secr.checkA11y("the sessions with an error")
	if n := secr.count(`[data-testid="error-summary"] a[href="#s-0-end"]`); n != 1 {
		t.Error("the summary does not link to the end time")
	}
	secr.do("clear the end", chromedp.SetValue(chromedp.CSS(`[name="s-0-end"]`), "", chromedp.NodeVisible))
	if status := secr.submit("save the sessions again", `[data-testid="save-sessions"]`); status != 200 {
		t.Fatalf("saving the fixed sessions: status %d\n%s", status, secr.text("main"))
	}
	if got := secr.text(`[data-testid="flash"]`); got != "Nothing was changed in Sessions." {
		t.Errorf("after the fix, the page says %q", got)
	}

	// The details: the remote link, and the texts read again.
	secr.follow("open the details", `[data-testid="section-details"]`)
	secr.checkA11y("the details of a copy with texts to review")
	secr.do("give the remote link and confirm the texts",
		chromedp.SendKeys(chromedp.CSS("#remote_link"), "https://remote.example.test/sg13-next", chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#reviewed-purpose"), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#reviewed-approved_by"), chromedp.NodeVisible))
	if status := secr.submit("save the details", `[data-testid="save-meeting"]`); status != 200 {
		t.Fatalf("saving the details: status %d\n%s", status, secr.text("main"))
	}
	if got := secr.text(`[data-testid="flash"]`); got != "Details saved: remote participation link. No longer to review: purpose, “approved by”." {
		t.Errorf("after saving the details, the page says %q", got)
	}

	// Two tabs of the same person edit the details; the later save is refused.
	other, cancel := chromedp.NewContext(secr.ctx)
	defer cancel()
	if err := chromedp.Do(other); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	tab2 := tab{t: t, ctx: other, base: browser.base, axe: browser.axe}
	tab2.open(editor + "/details")
	secr.do("change the venue in the first tab", chromedp.SetValue(chromedp.CSS("#venue"), "CICG, Geneva", chromedp.NodeVisible))
	if status := secr.submit("save in the first tab", `[data-testid="save-meeting"]`); status != 200 {
		t.Fatalf("saving in the first tab: status %d", status)
	}
	tab2.do("change the city in the second tab", chromedp.SetValue(chromedp.CSS("#city"), "Lausanne", chromedp.NodeVisible))
	if status := tab2.submit("save in the second tab", `[data-testid="save-meeting"]`); status != 422 {
		t.Fatalf("the second tab's save: status %d, want 422 (refused)", status)
	}
	if got := tab2.text(`[data-testid="error-summary"]`); !strings.Contains(got, "Someone else saved this section") {
		t.Errorf("the second tab is told %q", got)
	}
	if got := run(tab2, "read the typed city", chromedp.Value(chromedp.CSS("#city"))); got != "Lausanne" {
		t.Errorf("the refused form lost the typed city: %q", got)
	}
	tab2.checkA11y("the stale save refused")

	// Published; a delegate registers.
	secr.open(editor)
	if status := secr.submit("publish", `[data-testid="publish"]`); status != 200 {
		t.Fatalf("publishing: status %d\n%s", status, secr.text("main"))
	}
	if got := secr.text(`[data-testid="flash"]`); got != "Published: the meeting is public." {
		t.Errorf("after publishing, the page says %q\n%s", got, secr.text("main"))
	}
	if status := visitor.openStatus(path); status != 200 {
		t.Errorf("a visitor opening the published meeting: status %d", status)
	}
	if got := visitor.text(`[data-testid="meeting-when-where"]`); !strings.Contains(got, "CICG, Geneva") {
		t.Errorf("the public page says %q, want the first tab's venue", got)
	}
	visitor.checkA11y("the published copy")

	jose.login(regDelegateSM, "José Müller-Ñúñez")
	jose.open(path + "/register")
	jose.do("choose remote participation and consent to the list",
		chromedp.Click(chromedp.CSS("#mode-remote"), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#list_consent"), chromedp.NodeVisible))
	if status := jose.submit("register", `[data-testid="register-submit"]`); status != 200 {
		t.Fatalf("registering for the copy: status %d\n%s", status, jose.text("main"))
	}
	if got := jose.path(); !strings.HasPrefix(got, "/me#reg-") {
		t.Errorf("after registering the delegate is at %q\n%s", got, jose.text("main"))
	}

	// The history names each step.
	secr.open(editor + "/history")
	lines := secr.text(`[data-testid="history"]`)
	for _, want := range []string{"Published the meeting.", "Details saved: venue.", "Made this meeting as a copy of " + letterSlug, "Sara Secretariat"} {
		if !strings.Contains(lines, want) {
			t.Errorf("the history lacks %q:\n%s", want, lines)
		}
	}
	if got := secr.text(`[data-testid="history-zone"]`); !strings.Contains(got, "Europe/Zurich") {
		t.Errorf("the history's zone = %q", got)
	}
	secr.checkA11y("the meeting's history")
}
