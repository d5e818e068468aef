package e2e_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPhotoOnAPhone: a delegate uploads the photo for the badge from /me on a 390 px wide phone;
// a file that is not a picture is refused with the reason beside the field; the photo is shown
// once uploaded. The desk, on a phone too, sees it beside the person and takes a new one at the
// counter through the same kind of file input (capture), without any script. No page scrolls
// sideways, and axe-core finds nothing on any of them.
func TestPhotoOnAPhone(t *testing.T) {
	browser, dbURL := startPortal(t, nil)
	conn := connect(t, dbURL)
	meetingID, slug := demoMeeting(t, conn)

	// José registers in person; the secretariat names Li desk staff of the meeting.
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
	sec.login("secretariat@plenary.test", demoPassword)
	sec.must(http.MethodPost, "/secretariat/meetings/"+strconv.FormatInt(meetingID, 10)+"/desk-staff",
		map[string][]string{"email": {"delegate.ms@plenary.test"}}, http.StatusSeeOther)

	dir := t.TempDir()
	notPicture := filepath.Join(dir, "passport scan.jpg")
	if err := os.WriteFile(notPicture, []byte("%PDF-1.7\n% a scan, not a picture\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	picture := func(name string, w, h int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, testPortrait(t, w, h), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	phone := func(email, name string) tab {
		p := docTab(browser, t)
		p.do("make the window a phone's", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		docSignIn(p, email, name)
		return p
	}
	narrow := func(p tab, where string) {
		t.Helper()
		if got := p.eval("measure the page's width", `String(document.documentElement.scrollWidth)`); func() bool { w, err := strconv.Atoi(got); return err != nil || w > phoneWidth }() {
			t.Errorf("%s: the page is %s px wide on a %d px phone", where, got, phoneWidth)
		}
	}
	// shown says whether the picture selector names has loaded (the browser could decode it).
	shown := func(p tab, selector string) bool {
		return p.eval("see whether "+selector+" loaded", `(() => { const i = document.querySelector(`+jsString(selector)+`);
			return String(!!i && i.complete && i.naturalWidth > 0); })()`) == "true"
	}

	delegate := phone(regDelegateSM, "José Müller-Ñúñez")
	delegate.open("/me")
	delegate.follow("open the photo page from /me", `[data-testid="photo-link"] a`)
	if got := delegate.path(); got != "/registrations/"+strconv.FormatInt(id, 10)+"/photo" {
		t.Fatalf("the photo link leads to %s", got)
	}
	delegate.checkA11y("the photo page on a phone")
	narrow(delegate, "the photo page")

	delegate.do("choose a file that is not a picture", chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{notPicture}, chromedp.NodeReady))
	if status := delegate.submit("upload it", `[data-testid="photo-upload"]`); status != 422 {
		t.Fatalf("a file that is not a picture: status %d\n%s", status, delegate.text("main"))
	}
	if got := delegate.text(`[data-testid="error-photo"]`); got != "The photo must be a JPEG or PNG image." {
		t.Errorf("beside the field: %q", got)
	}
	delegate.checkA11y("the refused photo on a phone")
	narrow(delegate, "the refused photo")

	delegate.do("choose a photo", chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{picture("me.jpg", 900, 1200)}, chromedp.NodeReady))
	if status := delegate.submit("upload it", `[data-testid="photo-upload"]`); status != 200 {
		t.Fatalf("uploading the photo: status %d\n%s", status, delegate.text("main"))
	}
	if got := delegate.text(`[data-testid="flash"]`); got != "Photo saved: it will be printed on the badge." {
		t.Errorf("after the upload the page says %q", got)
	}
	if !shown(delegate, `[data-testid="photo-current"]`) {
		t.Error("the uploaded photo is not shown")
	}
	delegate.checkA11y("the photo page with the photo, on a phone")
	narrow(delegate, "the photo page with the photo")

	desk := phone("delegate.ms@plenary.test", "Li Na")
	desk.open("/desk/" + slug + "?reg=" + strconv.FormatInt(id, 10))
	if !shown(desk, `[data-testid="desk-photo"]`) {
		t.Error("the desk does not show the delegate's photo")
	}
	if got := desk.eval("read the desk's file input", `(() => { const i = document.querySelector('[data-testid="desk-photo-form"] input[type=file]');
		return i ? i.accept + '|' + i.getAttribute('capture') : 'none'; })()`); got != "image/*|user" {
		t.Errorf("the desk's file input: %q, want image/* with capture=user", got)
	}
	desk.checkA11y("the desk with the person's photo, on a phone")
	narrow(desk, "the desk")
	before := desk.eval("read the photo's address", `document.querySelector('[data-testid="desk-photo"]').getAttribute('src')`)
	desk.do("take a photo at the counter", chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{picture("counter.jpg", 1200, 1600)}, chromedp.NodeReady))
	if status := desk.submit("save it", `[data-testid="desk-photo-save"]`); status != 200 {
		t.Fatalf("the photo at the counter: status %d\n%s", status, desk.text("main"))
	}
	after := desk.eval("read the photo's address", `document.querySelector('[data-testid="desk-photo"]').getAttribute('src')`)
	if after == before || !strings.Contains(after, "/photo.jpg?v=") || !shown(desk, `[data-testid="desk-photo"]`) {
		t.Errorf("after the photo at the counter the desk shows %q (before %q)", after, before)
	}
	desk.checkA11y("the desk after a photo at the counter, on a phone")
}

// photoPost uploads picture as the photo of registration id, as c.
func photoPost(t *testing.T, c *client, id int64, picture []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("photo", "photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(picture); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := "/registrations/" + strconv.FormatInt(id, 10) + "/photo"
	req, err := http.NewRequest(http.MethodPost, c.base+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.c.Do(req)
	if err != nil {
		t.Fatalf("post %s: %v", path, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post %s: status %d, want 303", path, res.StatusCode)
	}
}

// testPortrait is a w × h JPEG that is not one flat colour.
func testPortrait(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 160, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
