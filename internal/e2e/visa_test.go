package e2e_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"plenary/internal/pgtest"
)

// visaPassport is what José types into the visa part of the registration form, as printed in
// his passport. The number is distinctive so that a page that shows it is caught.
var visaPassport = struct {
	name, birthDate, birthPlace, nationality, number, issued, expires, country, representation string
}{
	name:           "José Müller-Ñúñez",
	birthDate:      "1980-04-12",
	birthPlace:     "Lima",
	nationality:    "Peruvian",
	number:         "PX7741902Q",
	issued:         "2021-06-01",
	expires:        "2031-05-31",
	country:        "Peru",
	representation: "Embassy of Switzerland, Lima, Peru", // chosen from the list by its city
}

const visaExpiresTooSoonMsg = "The passport must be valid for at least three months after the meeting's last day."

// visaVerifyPath finds a letter's verification address in the text of the letter.
var visaVerifyPath = regexp.MustCompile(`https?://\S+?(/v/[a-z2-7]{32})\b`)

// visaDays formats the days around today plus n days as the English pages write them ("5 March
// 2026"): the server counts days in the meeting's time zone, which may be a day off the test's.
func visaDays(n int) []string {
	now := time.Now()
	var out []string
	for _, d := range []int{-1, 0, 1} {
		out = append(out, now.AddDate(0, 0, n+d).Format("2 January 2006"))
	}
	return out
}

// pageHas reports whether the current page's HTML contains s anywhere (text, attributes,
// scripts).
func (b person) pageHas(s string) bool {
	b.t.Helper()
	return b.eval("look for "+s+" in the page", `String(document.documentElement.outerHTML.includes(`+regJS(s)+`))`) == "true"
}

// visaFetched is the answer to a fetch from the page.
type visaFetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"` // base64
}

// visaFetch fetches a path from the page, with the person's cookies, and returns the answer and
// its body.
func (b person) visaFetch(path string) (visaFetched, []byte) {
	b.t.Helper()
	raw := run(b.tab, "fetch "+path, chromedp.Evaluate[string](`fetch(`+regJS(path)+`).then(async r => {
		const bytes = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
		return JSON.stringify({status: r.status, type: r.headers.get('content-type') || '',
			disposition: r.headers.get('content-disposition') || '', body: btoa(s)});
	})`, chromedp.EvalAwaitPromise))
	var f visaFetched
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	body, err := base64.StdEncoding.DecodeString(f.Body)
	if err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	return f, body
}

// visaUnzip returns the contents of every file of a zip archive (an .xlsx), one after another.
func visaUnzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read the spreadsheet: %v", err)
	}
	var out []byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("read %s of the spreadsheet: %v", f.Name, err)
		}
		c, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s of the spreadsheet: %v", f.Name, err)
		}
		out = append(out, c...)
	}
	return out
}

// TestVisaLetterJourney: a Sector Member's delegate registers in person for the open demo meeting
// and asks for a visa support letter on the registration form (first with a passport that expires
// too soon, then corrected); the focal point approves the registration without ever seeing the
// passport data; the request is then being processed; the secretariat issues the letter from the
// queue; the delegate downloads it; a visitor checks it on the public verification page. Every
// page visited is checked with axe-core.
func TestVisaLetterJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test builds and runs the binary: not with -short")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		requireOrSkip(t, "no pdftotext (Debian: apt-get install poppler-utils) to read the letter")
	}
	root := moduleRoot(t)
	chromium := chromiumPath(t)
	axe := axeSource(t, root)
	bin := build(t, root)
	base := serve(t, bin, pgtest.EmptyURL(t))
	browser := tab{t: t, ctx: newBrowser(t, chromium), base: base, axe: axe}
	start := time.Now()
	defer func() {
		t.Logf("the journey took %s (after building and starting)", time.Since(start).Round(100*time.Millisecond))
	}()

	browser.open("/")
	slug := browser.eval("find the open demo meeting", `(() => {
		const a = [...document.querySelectorAll('[data-testid="meetings-upcoming"] a[href^="/meetings/sg13-wp-"]')]
			.find(a => a.getAttribute('href') !== '`+letterPath+`');
		return a ? a.getAttribute('href').slice('/meetings/'.length) : '';
	})()`)
	if slug == "" || strings.Contains(slug, "/") {
		t.Fatalf("no open demo meeting (sg13-wp-…) among the upcoming meetings on the home page:\n%s", browser.text("main"))
	}
	registerPath := "/meetings/" + slug + "/register"
	p := visaPassport

	jose := newPerson(t, browser)
	focal := newPerson(t, browser)
	secr := newPerson(t, browser)

	// José registers in person and ticks the box; the passport expires too soon.
	jose.login(regDelegateSM, "José Müller-Ñúñez")
	jose.open(registerPath)
	if n := jose.count(`[data-testid="visa-fields"] #visa_request`); n != 1 {
		t.Fatalf("the registration form has no box to request a visa support letter:\n%s", jose.text("main"))
	}
	jose.checkA11y("the registration form with its visa part")
	tooSoon := time.Now().AddDate(0, 0, 120).Format(time.DateOnly) // the meeting starts 100+ days from now
	jose.do("choose in person, tick the visa box and fill in the passport",
		chromedp.Click(chromedp.CSS("#mode-in_person"), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#visa_request"), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#passport_name"), p.name, chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS("#birth_date"), p.birthDate, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#birth_place"), p.birthPlace, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#nationality"), p.nationality, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#passport_number"), p.number, chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS("#passport_issued"), p.issued, chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS("#passport_expires"), tooSoon, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#issuing_country"), p.country, chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#representation")))
	jose.eval("choose the embassy in Lima", `(() => { const s = document.querySelector("#representation");
		s.value = [...s.options].find(o => o.text.includes("Lima")).value; return s.value; })()`)
	if got := run(jose.tab, "read the typed name", chromedp.Value(chromedp.CSS("#passport_name"))); got != p.name {
		t.Fatalf("the name field reads %q after typing %q", got, p.name)
	}
	if status := jose.submit("register with a passport that expires too soon", `[data-testid="register-submit"]`); status != 422 {
		t.Fatalf("registering with a passport that expires too soon: status %d, want 422\n%s", status, jose.text("main"))
	}
	if got := jose.text(`[data-testid="error-passport_expires"]`); got != visaExpiresTooSoonMsg {
		t.Errorf("message beside the expiry date = %q, want %q", got, visaExpiresTooSoonMsg)
	}
	if got := jose.attr("#passport_expires", "aria-invalid"); got != "true" {
		t.Errorf("the expiry field's aria-invalid = %q, want true", got)
	}
	if got := jose.attr("#passport_expires", "aria-describedby"); !strings.Contains(got, "passport_expires-error") {
		t.Errorf("the expiry field is described by %q, not by its message", got)
	}
	if got := jose.text(`[data-testid="error-summary"]`); !strings.Contains(got, visaExpiresTooSoonMsg) {
		t.Errorf("the error summary = %q, want it to name the expiry date", got)
	}
	if n := jose.count(`[data-testid="register-form"] [data-testid^="error-"]`); n != 1 {
		t.Errorf("the form shows %d field message(s), want only the expiry date's:\n%s", n, jose.text(`[data-testid="register-form"]`))
	}
	for id, want := range map[string]string{
		"passport_name": p.name, "birth_date": p.birthDate, "birth_place": p.birthPlace, "nationality": p.nationality,
		"passport_number": p.number, "passport_issued": p.issued, "passport_expires": tooSoon, "issuing_country": p.country,
	} {
		if got := run(jose.tab, "read #"+id, chromedp.Value(chromedp.CSS("#"+id))); got != want {
			t.Errorf("after the refusal #%s = %q, want what was typed, %q", id, got, want)
		}
	}
	if got := jose.eval("read the chosen representation", `document.querySelector("#representation").selectedOptions[0].text`); !strings.Contains(got, "Lima") {
		t.Errorf("after the refusal the representation chosen is %q, want Lima's embassy", got)
	}
	for _, box := range []string{"#visa_request", "#mode-in_person"} {
		if got := jose.eval("is "+box+" checked", `String(document.querySelector(`+regJS(box)+`).checked)`); got != "true" {
			t.Errorf("after the refusal %s is no longer checked", box)
		}
	}
	jose.checkA11y("the registration form refusing a passport that expires too soon")

	// Corrected, the registration and the request are received.
	jose.do("correct the expiry date", chromedp.SetValue(chromedp.CSS("#passport_expires"), p.expires, chromedp.NodeVisible))
	if status := jose.submit("register", `[data-testid="register-submit"]`); status != 200 {
		t.Fatalf("after registering: status %d\n%s", status, jose.text("main"))
	}
	if got := jose.path(); !strings.HasPrefix(got, "/me#reg-") {
		t.Fatalf("after registering the browser is at %q, want /me#reg-…\n%s", got, jose.text("main"))
	}
	if got := jose.text(`[data-testid="flash"]`); !strings.Contains(got, "visa support letter request were received") {
		t.Errorf("message after registering = %q, want it to say the visa request was received", got)
	}
	if n := jose.count(`[data-testid="my-registration"]`); n != 1 {
		t.Fatalf("/me shows %d registrations, want 1 (the refused form must not have registered)", n)
	}
	card := `[data-testid="my-registration"]`
	meetingTitle := jose.text(card + ` h3`)
	if got := jose.text(card + ` [data-testid="my-state"]`); got != "Pending" {
		t.Errorf("state on /me = %q, want Pending", got)
	}
	if got := jose.text(card + ` [data-testid="my-mode"]`); got != "In person" {
		t.Errorf("mode on /me = %q, want In person", got)
	}
	if got := jose.text(card + ` [data-testid="my-visa"] [data-testid="visa-state"]`); got != "Requested" {
		t.Errorf("visa request on /me = %q, want Requested", got)
	}
	if n := jose.count(card + ` [data-testid="visa-due"], ` + card + ` [data-testid="letter-link"]`); n != 0 {
		t.Error("a requested letter shows a due date or a letter before the registration is approved")
	}
	jose.checkA11y("/me with a requested visa letter")
	// The request's own page shows José his passport data as saved, accents included.
	jose.follow("open the visa request", card+` [data-testid="my-visa-link"]`)
	jose.do("see the visa request", chromedp.WaitVisible(chromedp.CSS(`[data-testid="visa-request"]`)))
	if got := jose.text(`[data-testid="passport-name"]`); got != p.name {
		t.Errorf("name as in passport on the request's page = %q, want %q", got, p.name)
	}
	if got := jose.text(`[data-testid="passport-number"]`); got != p.number {
		t.Errorf("passport number on the request's page = %q, want %q", got, p.number)
	}
	if !jose.pageHas(p.number) {
		t.Error("the page's HTML does not contain the passport number it shows: the checks for it below prove nothing")
	}
	visaPage := jose.path()
	jose.checkA11y("the delegate's visa request page")

	// The focal point approves the registration and sees the request's state, never the passport.
	focal.login(regFocalSM, "Aino Virtanen")
	focal.open("/focal")
	id := focal.rowOf(regDelegateSM)
	row := `[data-testid="reg-` + id + `"]`
	if got := focal.text(row + ` [data-testid="visa-state"]`); got != "Visa support letter: Requested" {
		t.Errorf("the focal point sees the visa request as %q, want Visa support letter: Requested", got)
	}
	for _, secret := range []string{p.number, p.birthPlace + ",", p.representation} {
		if focal.pageHas(secret) {
			t.Errorf("the focal point's page shows the passport data (%q)", secret)
		}
	}
	focal.checkA11y("the focal point's page with a visa request")
	if status := focal.submit("approve José", row+` [data-testid="approve-one"]`); status != 200 {
		t.Fatalf("after approving: status %d\n%s", status, focal.text("main"))
	}
	if got := focal.text(row + ` [data-testid="state"]`); got != "Approved" {
		t.Errorf("after approving, José's registration is %q on /focal, want Approved", got)
	}
	if got := focal.text(row + ` [data-testid="visa-state"]`); got != "Visa support letter: Being processed" {
		t.Errorf("after approving, the focal point sees the visa request as %q, want Being processed", got)
	}
	if focal.pageHas(p.number) {
		t.Error("after approving, the focal point's page shows the passport number")
	}
	focal.checkA11y("the focal point's page after approving")
	// Nor do the focal point's exports, nor the request's own page.
	for _, path := range []string{"/focal/export.csv", "/focal/export.xlsx", visaPage} {
		f, body := focal.visaFetch(path)
		if strings.HasSuffix(path, ".xlsx") && f.Status == 200 {
			body = visaUnzip(t, body)
		}
		if strings.Contains(string(body), p.number) {
			t.Errorf("%s (status %d) shows the passport number to the focal point", path, f.Status)
		}
		if strings.HasPrefix(path, "/focal/") && (f.Status != 200 || !strings.Contains(string(body), regDelegateSM)) {
			t.Errorf("%s: status %d, without José's registration: the check proves nothing", path, f.Status)
		}
	}

	// The request is being processed, due 15 days from today.
	jose.open("/me")
	if got := jose.text(card + ` [data-testid="my-state"]`); got != "Approved" {
		t.Errorf("after approval the state on /me = %q, want Approved", got)
	}
	if got := jose.text(card + ` [data-testid="my-visa"] [data-testid="visa-state"]`); got != "Being processed" {
		t.Errorf("after approval the visa request on /me is %q, want Being processed", got)
	}
	due := strings.TrimPrefix(jose.text(card+` [data-testid="visa-due"]`), "due ")
	if !slices.Contains(visaDays(15), due) {
		t.Errorf("the letter is due %q, want 15 days from today (%s)", due, strings.Join(visaDays(15), " or "))
	}
	jose.checkA11y("/me with a visa letter being processed")

	// The secretariat issues the letter from the meeting's queue.
	secr.login(secretariat, "Sara Secretariat")
	secr.open("/secretariat")
	secr.follow("open the meeting's visa queue", `tr:has([data-testid="edit-`+slug+`"]) a[href$="/visas"]`)
	secr.do("see the meeting's visa queue", chromedp.WaitVisible(chromedp.CSS(`[data-testid="visas"]`)))
	visaID := secr.eval("find José's request in the queue", `(() => {
		const n = [...document.querySelectorAll('table[data-testid="visas"] [data-testid="passport-name"]')]
			.find(n => n.textContent.trim() === `+regJS(p.name)+`);
		const tr = n && n.closest('tr');
		return tr ? tr.id.replace(/^visa-/, '') : '';
	})()`)
	if visaID == "" {
		t.Fatalf("José's request is not in the queue:\n%s", secr.text("main"))
	}
	vrow := `[data-testid="visa-` + visaID + `"]`
	if got := secr.attr(vrow, "data-state"); got != "processing" {
		t.Errorf("José's request is %q in the queue, want processing", got)
	}
	if got := secr.text(`[data-testid="visa-count-processing"]`); got != "1" {
		t.Errorf("the queue counts %s request(s) being processed, want 1", got)
	}
	secr.checkA11y("the secretariat's visa queue")
	secr.do("select José's request", chromedp.Click(chromedp.CSS(vrow+` [data-testid="select"]`), chromedp.NodeVisible))
	if status := secr.submit("issue the selected letters", `[data-testid="issue-selected"]`); status != 200 {
		t.Fatalf("after issuing: status %d\n%s", status, secr.text("main"))
	}
	if got := secr.text(`[data-testid="flash"]`); got != "1 letter issued." {
		t.Errorf("message after issuing = %q, want 1 letter issued.", got)
	}
	if got := secr.attr(vrow, "data-state"); got != "issued" {
		t.Errorf("after issuing, José's request is %q in the queue, want issued", got)
	}
	if n := secr.count(vrow + ` [data-testid="letter-link"]`); n != 1 {
		t.Error("the queue offers no letter after issuing it")
	}
	secr.checkA11y("the secretariat's visa queue after issuing")

	// José downloads the letter from /me.
	jose.do("reload /me", chromedp.Reload())
	if got := jose.text(card + ` [data-testid="my-visa"] [data-testid="visa-state"]`); got != "Issued" {
		t.Errorf("after issuing the visa request on /me is %q, want Issued", got)
	}
	href := jose.attr(card+` [data-testid="letter-link"]`, "href")
	if href != "/visas/"+visaID+"/letter.pdf" {
		t.Fatalf("the letter's link on /me = %q, want /visas/%s/letter.pdf", href, visaID)
	}
	jose.checkA11y("/me with an issued visa letter")
	res, pdf := jose.visaFetch(href)
	if res.Status != 200 {
		t.Fatalf("downloading the letter: status %d", res.Status)
	}
	if res.Type != "application/pdf" {
		t.Errorf("the letter's Content-Type = %q, want application/pdf", res.Type)
	}
	if !strings.HasPrefix(res.Disposition, "attachment") || !strings.Contains(res.Disposition, ".pdf") {
		t.Errorf("the letter's Content-Disposition = %q, want an attachment named ….pdf", res.Disposition)
	}
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the letter does not start with %%PDF: %q", pdf[:min(len(pdf), 16)])
	}
	// The focal point may not download it (it holds the passport number).
	if f, _ := focal.visaFetch(href); f.Status == 200 {
		t.Errorf("the focal point downloads the letter: status %d", f.Status)
	}

	// The letter's text names José and gives the verification address.
	file := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	letter := string(out)
	if !strings.Contains(letter, p.name) || !strings.Contains(letter, p.number) {
		t.Errorf("the letter does not name %s with passport %s:\n%s", p.name, p.number, letter)
	}
	m := visaVerifyPath.FindStringSubmatch(letter)
	if m == nil {
		t.Fatalf("no verification address (…/v/<token>) in the letter:\n%s", letter)
	}
	verifyPath := m[1]

	// A visitor, in a fresh browser context, checks the letter.
	visitor := newPerson(t, browser)
	visitor.open(verifyPath)
	if got := visitor.attr(`[data-testid="verify-status"]`, "data-status"); got != "valid" {
		t.Errorf("the verification page says the letter is %q, want valid", got)
	}
	if got := visitor.text(`[data-testid="verify-status"]`); !strings.Contains(got, "This letter is genuine") {
		t.Errorf("the verification page says %q, want it to say the letter is genuine", got)
	}
	if got := visitor.text(`[data-testid="verify-holder"]`); got != p.name {
		t.Errorf("the letter is issued to %q on the verification page, want %q", got, p.name)
	}
	if got := visitor.text(`[data-testid="verify-meeting"]`); !strings.HasPrefix(got, meetingTitle) {
		t.Errorf("the meeting on the verification page = %q, want %q", got, meetingTitle)
	}
	if got := visitor.text(`[data-testid="verify-issued"]`); !slices.Contains(visaDays(0), got) {
		t.Errorf("the letter was issued on %q says the verification page, want today (%s)", got, strings.Join(visaDays(0), " or "))
	}
	for _, secret := range []string{p.number, p.birthDate, p.birthPlace, p.representation} {
		if visitor.pageHas(secret) {
			t.Errorf("the public verification page shows the passport data (%q)", secret)
		}
	}
	if n := visitor.count(`[data-testid="user-name"]`); n != 0 {
		t.Error("the visitor's context is signed in")
	}
	visitor.checkA11y("the public verification page")
}
