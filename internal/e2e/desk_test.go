package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"plenary/internal/pdftest"
)

// fetchBytes downloads a path from the page, with the person's cookies, and returns its status,
// content type and body.
func fetchBytes(b tab, path string) (int, string, []byte) {
	b.t.Helper()
	out := run(b, "download "+path, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(async r => {
		const bytes = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
		return JSON.stringify({status: r.status, type: r.headers.get('content-type') || '', body: btoa(s)});
	})`, chromedp.EvalAwaitPromise))
	var res struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Body   string `json:"body"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		b.t.Fatalf("download %s: %v", path, err)
	}
	body, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil {
		b.t.Fatalf("download %s: %v", path, err)
	}
	return res.Status, res.Type, body
}

// scan types a code into the desk's field as a USB scanner does (the characters, then Enter) and
// waits for the page that answers; it returns its status.
func scan(b tab, code string) int64 {
	b.t.Helper()
	b.trackDocuments()
	b.do("clear the desk's field", chromedp.Evaluate[chromedp.Void](`void (document.querySelector('#desk-q').value = '')`))
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS("#desk-q"), code+kb.Enter, chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("scan %s: %v", code, err)
	}
	return resp.Status
}

// pdfCode downloads a PDF and returns the one QR code on it.
func pdfCode(t *testing.T, b tab, what, path string) []byte {
	t.Helper()
	status, ct, body := fetchBytes(b, path)
	if status != 200 || ct != "application/pdf" {
		t.Fatalf("%s: status %d, %q", what, status, ct)
	}
	return body
}

// TestDeskInABrowser: a delegate downloads the confirmation from /me; its QR code, read from the
// PDF, is typed into the desk's field as a USB scanner types it; the desk checks the delegate in,
// prints the badge and reprints it; the first badge's code is then refused. The day's figures
// count the check-in. A room changed in the meeting editor shows on the room screen. axe-core
// finds nothing on the desk's pages nor on the figures.
func TestDeskInABrowser(t *testing.T) {
	browser, dbURL := startPortal(t, nil)
	conn := connect(t, dbURL)
	ctx := context.Background()
	meetingID, slug := demoMeeting(t, conn)
	mid := strconv.FormatInt(meetingID, 10)

	// José registers in person; the secretariat approves and names Li Na desk staff.
	jose := newClient(t, browser.base)
	jose.login(regDelegateSM, demoPassword)
	form := formValues(t, jose.must(http.MethodGet, "/meetings/"+slug+"/register", nil, 200).body, `[data-testid="register-form"]`)
	form.Set("mode", "in_person")
	a := jose.must(http.MethodPost, "/meetings/"+slug+"/register", form, http.StatusSeeOther)
	id, ok := regID(a.location)
	if !ok {
		t.Fatalf("registered, sent to %q", a.location)
	}
	sec := newClient(t, browser.base)
	sec.login(secretariat, demoPassword)
	sec.must(http.MethodPost, "/secretariat/meetings/"+mid+"/registrations/decide",
		map[string][]string{"action": {"approve"}, "only": {strconv.FormatInt(id, 10)}, "back": {""}}, http.StatusSeeOther)
	sec.must(http.MethodPost, "/secretariat/meetings/"+mid+"/desk-staff",
		map[string][]string{"email": {"delegate.ms@plenary.test"}}, http.StatusSeeOther)

	// The delegate downloads the confirmation.
	delegate := docTab(browser, t)
	docSignIn(delegate, regDelegateSM, "José Müller-Ñúñez")
	delegate.open("/me")
	delegate.follow("open the confirmation from /me", `[data-testid="confirmation-link"] a`)
	// The code as text is folded away (details): read from the document.
	pageCode := strings.TrimSpace(delegate.eval("read the code", `document.querySelector('[data-testid="conf-code"]').textContent`))
	href := delegate.eval("read the PDF's link", `document.querySelector('[data-testid="conf-pdf"]').getAttribute('href')`)
	codes := pdftest.QRCodes(t, pdfCode(t, delegate, "the confirmation PDF", href))
	if len(codes) != 1 || codes[0] != pageCode {
		t.Fatalf("the confirmation PDF's QR codes %q, want the page's code %q", codes, pageCode)
	}
	code := codes[0]

	// The desk scans it.
	desk := docTab(browser, t)
	docSignIn(desk, "delegate.ms@plenary.test", "Li Na")
	desk.open("/desk/" + slug)
	desk.checkA11y("the desk")
	if status := scan(desk, code); status != 200 {
		t.Fatalf("scanning the confirmation: status %d\n%s", status, desk.text("main"))
	}
	ref := desk.text(`[data-testid="desk-reference"]`)
	if !strings.HasSuffix(ref, strconv.FormatInt(id, 10)) || desk.text(`[data-testid="desk-person-name"]`) != "José Müller-Ñúñez" {
		t.Fatalf("the scan found %q (%s)", ref, desk.text(`[data-testid="desk-person-name"]`))
	}
	if got := desk.text(`[data-testid="id-check"]`); got == "" {
		t.Error("no ID check asked before the first badge")
	}
	desk.checkA11y("the desk with the person scanned")

	if status := desk.submit("check in", `[data-testid="desk-check-in"]`); status != 200 {
		t.Fatalf("check-in: status %d", status)
	}
	if got := desk.text(`[data-testid="flash"]`); got != "Checked in." {
		t.Errorf("after the check-in: %q", got)
	}
	if got := desk.text(`[data-testid="desk-checked-in"]`); !strings.Contains(got, "Checked in on") {
		t.Errorf("the person's check-in: %q", got)
	}
	desk.checkA11y("the desk after the check-in")

	badge := func(round int) string {
		t.Helper()
		if status := desk.submit("print badge "+strconv.Itoa(round), `[data-testid="desk-print"]`); status != 200 {
			t.Fatalf("badge %d: status %d", round, status)
		}
		href := desk.eval("read the badge's link", `document.querySelector('[data-testid="badge-pdf"]').getAttribute('href')`)
		body := pdfCode(t, desk, "badge "+strconv.Itoa(round), href)
		if txt := pdftest.Text(t, body); !strings.Contains(txt, "No. "+strconv.Itoa(round)) {
			t.Errorf("badge %d reads:\n%s", round, txt)
		}
		codes := pdftest.QRCodes(t, body)
		if len(codes) != 1 {
			t.Fatalf("badge %d's QR codes %q", round, codes)
		}
		return codes[0]
	}
	first := badge(1)
	desk.checkA11y("the desk with the badge to download")
	second := badge(2)
	if first == second || first == code {
		t.Fatalf("the badges' codes are not their own: %q, %q", first, second)
	}
	// A refusal is a 409, with the reason at the top.
	if status := scan(desk, first); status != http.StatusConflict {
		t.Fatalf("scanning the first badge: status %d, want 409", status)
	}
	if got := desk.text(`[data-testid="desk-refusal"]`); !strings.Contains(got, "revoked") {
		t.Errorf("the first badge's code after the reprint: %q", got)
	}
	if n := desk.eval("look for the check-in button", `String(document.querySelectorAll('[data-testid="desk-check-in"]').length)`); n != "0" {
		t.Error("a revoked badge offers a check-in")
	}
	desk.checkA11y("the desk refusing a revoked badge")
	if status := scan(desk, second); status != 200 {
		t.Fatalf("scanning the second badge: status %d", status)
	}
	if n := desk.eval("look for a refusal", `String(document.querySelectorAll('[data-testid="desk-refusal"]').length)`); n != "0" {
		t.Errorf("the reprinted badge is refused: %s", desk.text(`[data-testid="desk-refusal"]`))
	}

	// The day's figures, from the desk: José's organisation counts the check-ins the database holds.
	desk.follow("open the day's figures", `[data-testid="figures-link"]`)
	var orgName string
	var checkedIn int
	if err := conn.QueryRow(ctx, `SELECT o.name, (SELECT count(*) FROM registrations r2 WHERE r2.organisation_id = o.id AND r2.meeting_id = $2
			AND r2.state = 'approved' AND r2.mode = 'in_person' AND EXISTS (SELECT 1 FROM scans s JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry'
				WHERE s.registration_id = r2.id AND s.outcome = 'accepted'))
		FROM registrations r JOIN organisations o ON o.id = r.organisation_id WHERE r.id = $1`, id, meetingID).Scan(&orgName, &checkedIn); err != nil {
		t.Fatal(err)
	}
	if checkedIn < 1 {
		t.Fatalf("the database holds no check-in of %s", orgName)
	}
	got := desk.eval("read the organisation's line", `(() => {
		const row = [...document.querySelectorAll('[data-testid="figures-organisation"]')]
			.find(r => r.querySelector('[data-testid="org-name"]').textContent.includes(`+jsString(orgName)+`));
		return row ? row.querySelector('[data-testid="org-checked-in"]').textContent.trim() : 'none';
	})()`)
	if got != strconv.Itoa(checkedIn) {
		t.Errorf("the figures give %s checked in for %s, the database %d", got, orgName, checkedIn)
	}
	desk.checkA11y("the day's figures")
	desk.do("use a phone", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	desk.open("/secretariat/meetings/" + mid + "/figures")
	desk.onPhone("the day's figures on a phone")
	desk.open("/desk/" + slug + "?reg=" + strconv.FormatInt(id, 10))
	desk.onPhone("the desk on a phone")
	// In Arabic (right to left) and Chinese too, every message translated.
	for _, lang := range []string{"ar", "zh"} {
		desk.open("/secretariat/meetings/" + mid + "/figures")
		if status := desk.submit("switch to "+lang, `[data-testid="lang-`+lang+`"]`); status != 200 {
			t.Fatalf("switching to %s: status %d", lang, status)
		}
		if got := desk.eval("read the page's language", `document.documentElement.lang`); got != lang {
			t.Fatalf("the figures in %s: the page is in %q", lang, got)
		}
		if body := desk.text("main"); strings.Contains(body, "figures.") || strings.Contains(body, "Checked in") {
			t.Errorf("the figures in %s show a key or English: %s", lang, body)
		}
		desk.onPhone("the day's figures on a phone, in " + lang)
	}

	// A room changed in the editor shows on the screen: the next day's first session moves.
	var screen struct {
		NextDay string `json:"next_day"`
		Next    []struct {
			Room  string `json:"room"`
			Start string `json:"start"`
		} `json:"next"`
		Sessions []struct {
			Room string `json:"room"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(sec.must(http.MethodGet, "/meetings/"+slug+"/screen.json", nil, 200).body), &screen); err != nil {
		t.Fatal(err)
	}
	if screen.NextDay == "" || len(screen.Next) == 0 {
		t.Fatalf("the demo meeting's screen shows no next day: %+v", screen)
	}
	editor := docTab(browser, t)
	docSignIn(editor, secretariat, "Sara Secretariat")
	editor.open("/secretariat/meetings/" + mid + "/sessions")
	start := screen.Next[0].Start[11:16]
	row := editor.eval("find the session in the editor", `(() => {
		const day = [...document.querySelectorAll('input[name$="-day"]')].find(i => i.value === `+jsString(screen.NextDay)+` &&
			document.querySelector('input[name="' + i.name.replace(/-day$/, '-start') + '"]').value === `+jsString(start)+`);
		return day ? day.name.replace(/-day$/, '') : '';
	})()`)
	if row == "" {
		t.Fatalf("no session on %s at %s in the editor", screen.NextDay, start)
	}
	editor.do("move the session to Room K",
		chromedp.Evaluate[chromedp.Void](`void (document.querySelector('input[name="`+row+`-room"]').value = '')`),
		chromedp.SendKeys(chromedp.CSS(`input[name="`+row+`-room"]`), "Room K", chromedp.NodeVisible))
	if status := editor.submit("save the sessions", `[data-testid="save-sessions"]`); status != 200 {
		t.Fatalf("saving the sessions: status %d\n%s", status, editor.text("main"))
	}
	editor.open("/meetings/" + slug + "/screen")
	if got := editor.text(`[data-testid="screen-next"]`); !strings.Contains(got, "Room K") {
		t.Errorf("the screen's next day after the change: %q", got)
	}
}
