package e2e_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDevicesOnAPhone: on a 390 px phone, the secretariat registers a scanner device (a device
// without a name refused beside the field), reads its one-time code, which a device then
// exchanges through the API; the device is listed as active, in Arabic and Chinese too, and
// revoked. No page scrolls sideways; axe-core and the HTML checker find nothing.
func TestDevicesOnAPhone(t *testing.T) {
	browser, dbURL := startPortal(t, nil)
	conn := connect(t, dbURL)
	meetingID, _ := demoMeeting(t, conn)
	devices := "/secretariat/meetings/" + strconv.FormatInt(meetingID, 10) + "/devices"

	sec := docTab(browser, t)
	sec.do("make the window a phone's", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	docSignIn(sec, "secretariat@plenary.test", "Sara Secretariat")
	sec.open(devices)
	sec.checkA11y("the devices page without devices, on a phone")
	sec.fitsPhone("the devices page without devices")
	if status := sec.submit("register a device without a name", `[data-testid="device-add"]`); status != 422 {
		t.Fatalf("a device without a name: status %d", status)
	}
	if got := sec.text(`[data-testid="error-name"]`); got != `Give the device a name, for example “Entrance scanner 1”.` {
		t.Errorf("beside the name: %q", got)
	}
	sec.checkA11y("the refused device on a phone")
	sec.fitsPhone("the refused device")
	sec.do("name the device", chromedp.SendKeys(chromedp.CSS("#name"), "Montbrillant entrance, handheld scanner No. 2 (left door)", chromedp.NodeVisible))
	if status := sec.submit("register the device", `[data-testid="device-add"]`); status != 200 {
		t.Fatalf("registering the device: status %d", status)
	}
	code := sec.text(`[data-testid="device-code-text"]`)
	if len(code) != 11 {
		t.Fatalf("the one-time code: %q", code)
	}
	sec.checkA11y("the device's code on a phone")
	sec.fitsPhone("the device's code")

	body, _ := json.Marshal(map[string]string{"code": code, "name": "Zebra TC21 handheld computer, Android 13"})
	resp, err := http.Post(browser.base+"/api/desk/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the device's registration: %d", resp.StatusCode)
	}
	for _, lang := range []string{"ar", "zh", "en"} {
		sec.open(devices)
		if status := sec.submit("switch to "+lang, `[data-testid="lang-`+lang+`"]`); status != 200 {
			t.Fatalf("switching to %s: status %d", lang, status)
		}
		if got := sec.eval("read the device's state", `document.querySelector('[data-testid="device-state"]').dataset.state`); got != "active" {
			t.Errorf("%s: the device's state %q", lang, got)
		}
		sec.checkA11y("the devices in " + lang + " on a phone")
		sec.fitsPhone("the devices in " + lang)
	}
	if status := sec.submit("revoke the device", `[data-testid="device-revoke"]`); status != 200 {
		t.Fatalf("revoking: status %d", status)
	}
	if got := sec.eval("read the device's state", `document.querySelector('[data-testid="device-state"]').dataset.state`); got != "revoked" {
		t.Errorf("after revoking: %q", got)
	}
	sec.checkA11y("the revoked device on a phone")
}
