package e2e_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"plenary/internal/pgtest"
)

// TestDocumentFormOnAPhone: a delegate posts a contribution on a 390 px wide phone. The sources
// are checkboxes to tap (their own organisation first, ticked), never a list to Ctrl-click; a form
// refused for its title keeps the chosen file on the server and says so ("Already attached: name,
// size"), so that it need not be chosen again; sent again with the title, the contribution is
// posted with that file. The form never scrolls sideways, and axe-core finds nothing on any page.
func TestDocumentFormOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test builds and runs the binary: not with -short")
	}
	t.Parallel()
	root := moduleRoot(t)
	chromium := chromiumPath(t)
	axe := axeSource(t, root)
	bin := build(t, root)
	dbURL := pgtest.EmptyURL(t)
	base := serve(t, bin, dbURL)
	conn := connect(t, dbURL)
	_, slug := demoMeeting(t, conn)
	docs := "/meetings/" + slug + "/documents"
	browser := tab{t: t, ctx: newBrowser(t, chromium), base: base, axe: axe}
	phone := docTab(browser, t)
	phone.do("make the window a phone's", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	// The focal point, a member without needing a confirmation.
	docSignIn(phone, "focal.ms@plenary.test", "Wei Zhang")
	narrow := func(where string) {
		t.Helper()
		if got := phone.eval("measure the page's width", `String(document.documentElement.scrollWidth)`); func() bool { w, err := strconv.Atoi(got); return err != nil || w > 390 }() {
			t.Errorf("%s: the page is %s px wide on a 390 px phone", where, got)
		}
	}

	content := []byte("%PDF-1.7\n% a contribution posted from a phone\n%%EOF\n")
	file := filepath.Join(t.TempDir(), "phone contribution.pdf")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	phone.open(docs + "/new")
	phone.checkA11y("the form of a new contribution on a phone")
	narrow("the form")
	if got := phone.eval("count the sources' controls", `(() => {
		const f = document.querySelector('[data-testid="doc-sources"]');
		return [f.querySelectorAll('select').length, f.querySelectorAll('input[type="checkbox"]').length > 1,
			f.querySelector('input[type="checkbox"]').checked,
			f.querySelector('input[type="checkbox"] + label').textContent].join('|');
	})()`); got != "0|true|true|China (People's Republic of)" {
		t.Errorf("the sources field = %q; want checkboxes, the focal point's organisation first and ticked", got)
	}
	if hint := phone.text("#sources-hint"); strings.Contains(strings.ToLower(hint), "ctrl") {
		t.Errorf("the sources' hint asks for Ctrl: %q", hint)
	}
	// Tap a co-source: a checkbox big enough to hit on a phone (its label is its target).
	if got := phone.eval("measure the second source's label", `(() => {
		const l = document.querySelectorAll('[data-testid="doc-sources"] label')[1];
		const r = l.getBoundingClientRect();
		l.click();
		return [Math.round(r.height) >= 24, document.querySelectorAll('[data-testid="doc-sources"] input:checked').length].join('|');
	})()`); got != "true|2" {
		t.Errorf("tapping the second source's label: %q; want a target of 24 px at least and two sources ticked", got)
	}

	// Refused for its missing title: the file stays attached.
	phone.do("choose the file and the Question",
		chromedp.SendKeys(chromedp.CSS("#questions"), "Q20/13", chromedp.NodeVisible),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}, chromedp.NodeReady))
	if status := phone.submit("post without a title", `[data-testid="doc-submit"]`); status != 422 {
		t.Fatalf("without a title: status %d\n%s", status, phone.text("main"))
	}
	if got := phone.text(`[data-testid="doc-attached"]`); !strings.HasPrefix(got, "Already attached: phone contribution.pdf, ") {
		t.Errorf("after the refusal the form says %q; want the file already attached", got)
	}
	if got := phone.eval("count the ticked sources", `String(document.querySelectorAll('[data-testid="doc-sources"] input:checked').length)`); got != "2" {
		t.Errorf("after the refusal %s sources are ticked, want the 2 chosen", got)
	}
	phone.checkA11y("the refused form on a phone")
	narrow("the refused form")

	// The title, and nothing else: the kept file goes with it.
	phone.do("give the title", chromedp.SendKeys(chromedp.CSS("#title"), "Posted from a phone", chromedp.NodeVisible))
	if status := phone.submit("post again", `[data-testid="doc-submit"]`); status != 200 {
		t.Fatalf("posting again: status %d\n%s", status, phone.text("main"))
	}
	if got := phone.path(); got != docs+"/C1" {
		t.Fatalf("after posting the phone is at %s\n%s", got, phone.text("main"))
	}
	if got := phone.text(`[data-testid="doc-rev-0"] a`); got != "phone contribution.pdf" {
		t.Errorf("the posted file is %q", got)
	}
	phone.checkA11y("the contribution's page on a phone")
	// The document's page and the list are tables: their width on a phone is checked with the
	// other tables' (issue 11 §5).
}
