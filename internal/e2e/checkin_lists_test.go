package e2e_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCheckInListsOnAPhone: on a 390 px phone, the secretariat adds a room's check-in list (a
// room without a name refused beside the field), sees it in Arabic and Chinese; then works the
// desk: chooses the room and exits, types José's code as a scanner would, records his entry and
// sees who is inside now. No page scrolls sideways; axe-core and the HTML checker find nothing.
func TestCheckInListsOnAPhone(t *testing.T) {
	browser, dbURL := startPortal(t, nil)
	conn := connect(t, dbURL)
	meetingID, slug := demoMeeting(t, conn)
	mid := strconv.FormatInt(meetingID, 10)

	jose := newClient(t, browser.base)
	jose.login(regDelegateSM, demoPassword)
	form := formValues(t, jose.must(http.MethodGet, "/meetings/"+slug+"/register", nil, 200).body, `[data-testid="register-form"]`)
	form.Set("mode", "in_person")
	a := jose.must(http.MethodPost, "/meetings/"+slug+"/register", form, http.StatusSeeOther)
	id, ok := regID(a.location)
	if !ok {
		t.Fatalf("registered, sent to %q", a.location)
	}
	focal := newClient(t, browser.base)
	focal.login(regFocalSM, demoPassword)
	focal.must(http.MethodPost, "/focal/decide", map[string][]string{"action": {"approve"}, "only": {strconv.FormatInt(id, 10)}}, http.StatusSeeOther)
	conf := jose.must(http.MethodGet, "/registrations/"+strconv.FormatInt(id, 10)+"/confirmation", nil, 200).body
	m := regexp.MustCompile(`data-testid="conf-code">([^<]+)<`).FindStringSubmatch(conf)
	if m == nil {
		t.Fatal("the confirmation shows no code")
	}
	code := m[1]

	sec := docTab(browser, t)
	sec.do("make the window a phone's", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	docSignIn(sec, "secretariat@plenary.test", "Sara Secretariat")
	lists := "/secretariat/meetings/" + mid + "/check-in-lists"
	sec.open(lists)
	sec.checkA11y("the check-in lists on a phone")
	sec.fitsPhone("the check-in lists")
	if status := sec.submit("add a room without a name", `[data-testid="list-add"]`); status != 422 {
		t.Fatalf("a room without a name: status %d", status)
	}
	if got := sec.text(`[data-testid="error-name"]`); got != "Give the room's name in at least one language." {
		t.Errorf("beside the name: %q", got)
	}
	sec.checkA11y("the refused list on a phone")
	sec.fitsPhone("the refused list")
	sec.do("name the room", chromedp.SendKeys(chromedp.CSS("#name"), "Room C, Montbrillant building (second basement)", chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#name-zh"), "Montbrillant 大楼 C 会议室", chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#name-ar"), "القاعة C، مبنى مونبريان", chromedp.NodeVisible))
	if status := sec.submit("add the room", `[data-testid="list-add"]`); status != 200 {
		t.Fatalf("adding the room: status %d", status)
	}
	if got := sec.text(`[data-testid="check-in-lists"] tbody tr:nth-child(2) [data-testid="list-name"]`); got != "Room C, Montbrillant building (second basement)" {
		t.Fatalf("the room's list: %q", got)
	}
	for _, lang := range []string{"ar", "zh"} {
		sec.open(lists)
		if status := sec.submit("switch to "+lang, `[data-testid="lang-`+lang+`"]`); status != 200 {
			t.Fatalf("switching to %s: status %d", lang, status)
		}
		if got := sec.eval("read the page's language", `document.documentElement.lang`); got != lang {
			t.Errorf("?lang=%s: the page is in %q", lang, got)
		}
		sec.checkA11y("the check-in lists in " + lang + " on a phone")
		sec.fitsPhone("the check-in lists in " + lang)
	}
	if status := sec.submit("switch to English", `[data-testid="lang-en"]`); status != 200 {
		t.Fatalf("switching to English: status %d", status)
	}

	desk := "/desk/" + slug
	sec.open(desk)
	room := sec.eval("find the room's list", `document.querySelector('#desk-list-id option:nth-child(2)').value`)
	sec.eval("choose the room", `(() => { document.querySelector('details.desk-list-choice').open = true;
		document.querySelector('#desk-list-id').value = `+jsString(room)+`; return 'ok'; })()`)
	if status := sec.submit("use the room's list", `[data-testid="desk-list-use"]`); status != 200 {
		t.Fatalf("choosing the room: status %d", status)
	}
	sec.eval("open the choice", `(() => { document.querySelector('details.desk-list-choice').open = true; return 'ok'; })()`)
	sec.checkA11y("the desk at the room's door, choosing the direction, on a phone")
	sec.fitsPhone("the desk's choice of direction")
	sec.do("type the code as a scanner types it", chromedp.SendKeys(chromedp.CSS("#desk-q"), code, chromedp.NodeVisible))
	if status := sec.submit("find the code", `[data-testid="desk-find"]`); status != 200 {
		t.Fatalf("the code typed: status %d", status)
	}
	if got := sec.text(`[data-testid="desk-check-in"]`); got != "Record entry" {
		t.Errorf("the desk offers %q", got)
	}
	if status := sec.submit("record the entry", `[data-testid="desk-check-in"]`); status != 200 {
		t.Fatalf("recording the entry: status %d", status)
	}
	if got := sec.text(`[data-testid="desk-inside"]`); got != "1" {
		t.Errorf("inside now: %q", got)
	}
	sec.checkA11y("the desk after an entry, on a phone")
	sec.fitsPhone("the desk after an entry")
	if status := sec.submit("switch to Arabic", `[data-testid="lang-ar"]`); status != 200 {
		t.Fatalf("switching to Arabic: status %d", status)
	}
	sec.open(desk + "?reg=" + strconv.FormatInt(id, 10))
	if got := sec.eval("read the page's language", `document.documentElement.lang`); got != "ar" {
		t.Errorf("the desk is in %q, want Arabic", got)
	}
	sec.checkA11y("the desk in Arabic, on a phone")
	sec.fitsPhone("the desk in Arabic")
}
