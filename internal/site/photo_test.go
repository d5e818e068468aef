package site_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/pdftest"
)

// postPhoto posts a multipart form to path: fields (name, value pairs) first, then the file as
// the "photo" part (none when file is nil).
func (b *browser) postPhoto(path string, file []byte, fields ...string) page {
	b.site.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			b.site.t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("photo", "me.jpg")
		if err != nil {
			b.site.t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			b.site.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		b.site.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.site.srv.URL+path, &body)
	if err != nil {
		b.site.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// testPicture is a w × h picture, drawn so that it is not one flat colour.
func testPicture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testPicture(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testPicture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wantFieldError checks that a refused photo form says msg beside the field.
func wantFieldError(t *testing.T, p page, status int, msg string) {
	t.Helper()
	wantStatus(t, p, status)
	d := p.doc(t)
	if got := text(testid(d, "error-photo")); got != msg {
		t.Errorf("message beside the field: %q, want %q", got, msg)
	}
	if v, _ := d.Find("#photo").Attr("aria-invalid"); v != "true" {
		t.Errorf("the field is not marked invalid: %q", v)
	}
}

// A delegate uploads a photo from /me: bad files are refused with the reason beside the field;
// a good one is re-encoded, shown to the delegate, the organisation's focal point, the
// secretariat and the meeting's desk staff, never cached, and to no one else; removing it asks
// first.
func TestPhotoUploadSeeRemove(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.InPerson, true)
	owner := fx.as(delegateSM)
	base := "/registrations/" + idStr(id) + "/photo"

	me := owner.get("/me").doc(t)
	if href, _ := testid(me, "photo-link").Find("a").Attr("href"); href != base {
		t.Fatalf("/me links the photo page at %q", href)
	}
	if href, _ := testid(owner.get("/registrations/"+idStr(id)+"/edit").doc(t), "edit-photo-link").Find("a").Attr("href"); href != base {
		t.Errorf("the registration's edit page links the photo page at %q", href)
	}
	p := owner.get(base)
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if testid(d, "photo-none").Length() != 1 || testid(d, "photo-current").Length() != 0 {
		t.Error("a registration without a photo shows one")
	}
	if acc, _ := d.Find(`input[type=file]#photo`).Attr("accept"); acc != "image/jpeg,image/png" {
		t.Errorf("file input accepts %q", acc)
	}
	if enc, _ := testid(d, "photo-form").Attr("enctype"); enc != "multipart/form-data" {
		t.Errorf("form enctype %q", enc)
	}

	wantFieldError(t, owner.postPhoto(base, []byte("%PDF-1.4 not a picture")), http.StatusUnprocessableEntity,
		"The photo must be a JPEG or PNG image.")
	wantFieldError(t, owner.postPhoto(base, testPNG(t, 100, 120)), http.StatusUnprocessableEntity,
		"The photo is too small: it must be at least 240 × 320 pixels, so that the face can be recognised on the badge.")
	wantFieldError(t, owner.postPhoto(base, []byte{}), http.StatusUnprocessableEntity, "Choose a photo to upload.")
	wantFieldError(t, owner.postPhoto(base, nil), http.StatusUnprocessableEntity, "Choose a photo to upload.")
	big := append(testJPEG(t, 300, 400), bytes.Repeat([]byte{0}, domain.PhotoMaxUpload)...)
	wantFieldError(t, owner.postPhoto(base, big), http.StatusRequestEntityTooLarge, "The photo is larger than 10 MB. Choose a smaller file.")
	if n := fx.count(`SELECT count(*) FROM registration_photos WHERE registration_id = $1`, id); n != 0 {
		t.Fatalf("refused uploads stored %d photos", n)
	}

	p = owner.postPhoto(base, testJPEG(t, 900, 1200))
	if got := followFlash(t, owner, p); got != "Photo saved: it will be printed on the badge." {
		t.Errorf("flash %q", got)
	}
	d = owner.get(base).doc(t)
	img := testid(d, "photo-current")
	src, _ := img.Attr("src")
	if alt, _ := img.Attr("alt"); !strings.HasPrefix(src, base+".jpg?v=") || !strings.HasPrefix(alt, "Photo of ") {
		t.Fatalf("photo shown at %q, alt %q", src, alt)
	}
	if got := text(testid(d, "photo-upload")); got != "Replace the photo" {
		t.Errorf("the button of a second upload says %q", got)
	}
	wantPhoto := func(b *browser, who string) {
		t.Helper()
		p := b.get(src)
		wantStatus(t, p, http.StatusOK)
		if p.Header.Get("Content-Type") != "image/jpeg" || p.Header.Get("Cache-Control") != "private, no-store" ||
			p.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", who, p.Header)
		}
		cfg, err := jpeg.DecodeConfig(strings.NewReader(p.body))
		if err != nil || cfg.Width != domain.PhotoWidth || cfg.Height != domain.PhotoHeight {
			t.Errorf("%s: the picture served is %+v (%v), want the re-encoded %d × %d", who, cfg, err, domain.PhotoWidth, domain.PhotoHeight)
		}
	}
	wantPhoto(owner, "owner")
	if n := fx.count(`SELECT count(*) FROM audit_events WHERE action = 'photo.set' AND entity_id = $1`, id); n != 1 {
		t.Errorf("photo.set audited %d times", n)
	}

	// Someone of another organisation: not found, the page, the picture and the form alike.
	stranger := fx.as(delegate)
	wantStatus(t, stranger.get(src), http.StatusNotFound)
	wantStatus(t, stranger.get(base), http.StatusNotFound)
	wantStatus(t, stranger.postPhoto(base, testJPEG(t, 900, 1200)), http.StatusNotFound)
	wantStatus(t, stranger.post(base+"/remove", form("confirm", "yes")), http.StatusNotFound)
	wantStatus(t, fx.ts.browser().get(src), http.StatusSeeOther) // signed out: to the sign-in page

	// The focal point sees it and cannot change it.
	focal := fx.as(focalSM)
	wantPhoto(focal, "focal point")
	d = focal.get(base).doc(t)
	if testid(d, "photo-current").Length() != 1 || testid(d, "photo-form").Length() != 0 || testid(d, "photo-remove").Length() != 0 {
		t.Error("the focal point's photo page: want the photo, no form, no removal")
	}
	wantStatus(t, focal.postPhoto(base, testJPEG(t, 900, 1200)), http.StatusForbidden)
	listPhoto := func(b *browser, list, who string) {
		t.Helper()
		p := b.get(list)
		wantStatus(t, p, http.StatusOK)
		img := p.doc(t).Find(`[data-testid="reg-` + idStr(id) + `"] [data-testid="list-photo"]`)
		got, _ := img.Attr("src")
		alt, _ := img.Attr("alt")
		if got != src || !strings.HasPrefix(alt, "Photo of ") {
			t.Errorf("%s's list shows the photo at %q (alt %q), want %q", who, got, alt, src)
		}
		if n := p.doc(t).Find(`[data-testid="list-photo"]`).Length(); n != 1 {
			t.Errorf("%s's list shows %d photos, want 1 (only this registration has one)", who, n)
		}
	}
	listPhoto(focal, "/focal", "the focal point")

	// The secretariat sees and may replace it.
	sec := fx.as(secretariat)
	wantPhoto(sec, "secretariat")
	if testid(sec.get(base).doc(t), "photo-form").Length() != 1 {
		t.Error("the secretariat has no form")
	}
	listPhoto(sec, "/secretariat/meetings/"+idStr(fx.demo)+"/registrations", "the secretariat")

	// Desk staff of the meeting see it.
	wantStatus(t, sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	wantPhoto(stranger, "desk staff")

	// Removing asks first; a post without the confirmation only asks.
	p = owner.get(base + "/remove")
	wantStatus(t, p, http.StatusOK)
	if testid(p.doc(t), "photo-remove-confirm").Length() != 1 {
		t.Fatal("no confirmation button")
	}
	wantStatus(t, owner.post(base+"/remove", form()), http.StatusOK)
	wantStatus(t, owner.get(src), http.StatusOK)
	if got := followFlash(t, owner, owner.post(base+"/remove", form("confirm", "yes"))); got != "Photo removed." {
		t.Errorf("flash %q", got)
	}
	wantStatus(t, owner.get(src), http.StatusNotFound)
	if n := fx.count(`SELECT count(*) FROM audit_events WHERE action = 'photo.remove' AND entity_id = $1`, id); n != 1 {
		t.Errorf("photo.remove audited %d times", n)
	}
}

// A remote registration takes no photo: the page says why and shows no form, and a post is
// refused.
func TestPhotoRemoteRefused(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.Remote, true)
	owner := fx.as(delegateSM)
	base := "/registrations/" + idStr(id) + "/photo"
	d := owner.get(base).doc(t)
	if testid(d, "photo-form").Length() != 0 || text(testid(d, "photo-refusal")) != "A remote registration has no badge, so it takes no photo." {
		t.Errorf("remote: form %d, refusal %q", testid(d, "photo-form").Length(), text(testid(d, "photo-refusal")))
	}
	wantStatus(t, owner.postPhoto(base, testJPEG(t, 900, 1200)), http.StatusConflict)
	if testid(owner.get("/me").doc(t), "photo-link").Length() != 0 {
		t.Error("/me links a remote registration's photo page")
	}
}

func (fx *listsFixture) count(q string, args ...any) int {
	fx.t.Helper()
	var n int
	if err := fx.ts.db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		fx.t.Fatal(err)
	}
	return n
}

// badgeImages prints a badge at the desk and returns the sizes of the pictures its PDF holds.
func badgeImages(t *testing.T, staff *browser, desk string, id int64) []pdftest.Image {
	t.Helper()
	p := staff.post(desk+"/badge", form("registration", idStr(id)))
	wantStatus(t, p, http.StatusSeeOther)
	href, _ := testid(staff.get(p.Header.Get("Location")).doc(t), "badge-pdf").Attr("href")
	pdf := staff.get(href)
	wantStatus(t, pdf, http.StatusOK)
	return pdftest.Images(t, []byte(pdf.body))
}

func hasPicture(imgs []pdftest.Image, w, h int) bool {
	for _, im := range imgs {
		if im.Type == "image" && im.Width == w && im.Height == h {
			return true
		}
	}
	return false
}

// The desk takes a photo at the counter (a file input with capture, no script): a bad picture
// is refused beside the field in the desk's language (the staff member's is Chinese), with the
// person still shown; a good one is audited with the desk and the staff member, shown on the
// desk and printed on the badge, which before it carried no photo.
func TestDeskPhotoCaptureAndBadge(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	id := fx.register(fx.account(delegateSM), domain.InPerson, true)
	fx.approve(id)
	sec := fx.as(secretariat)
	wantStatus(t, sec.post("/secretariat/meetings/"+idStr(fx.demo)+"/desk-staff", form("email", delegate)), http.StatusSeeOther)
	staff := fx.as(delegate)
	desk := "/desk/" + fx.demoSlug
	wantStatus(t, staff.post(desk+"/name", form("desk", "Desk 3")), http.StatusSeeOther)

	d := staff.get(desk + "?reg=" + idStr(id)).doc(t)
	if testid(d, "desk-photo-none").Length() != 1 || testid(d, "desk-photo").Length() != 0 {
		t.Error("the desk shows a photo the person does not have")
	}
	in := testid(d, "desk-photo-form").Find(`input[type=file]`)
	if acc, _ := in.Attr("accept"); acc != "image/*" {
		t.Errorf("the desk's file input accepts %q", acc)
	}
	if c, _ := in.Attr("capture"); c != "user" {
		t.Errorf("the desk's file input captures %q", c)
	}
	if before := badgeImages(t, staff, desk, id); hasPicture(before, domain.PhotoWidth, domain.PhotoHeight) {
		t.Fatalf("a badge without a photo holds a %d × %d picture: %v", domain.PhotoWidth, domain.PhotoHeight, before)
	}

	zh := catalogue(t).For("zh")
	p := staff.postPhoto(desk+"/photo", []byte("GIF89a not a photo"), "registration", idStr(id))
	wantFieldError(t, p, http.StatusUnprocessableEntity, zh.T("photo.type"))
	if got := text(testid(p.doc(t), "desk-reference")); got != domain.RegistrationReference(fx.demoSlug, id) {
		t.Errorf("the refused photo's desk page shows %q", got)
	}
	wantFieldError(t, staff.postPhoto(desk+"/photo", testJPEG(t, 200, 200), "registration", idStr(id)), http.StatusUnprocessableEntity, zh.T("photo.too_small"))

	p = staff.postPhoto(desk+"/photo", testJPEG(t, 1200, 900), "registration", idStr(id))
	if got := followFlash(t, staff, p); got != zh.T("desk.photo_taken") {
		t.Errorf("flash %q", got)
	}
	d = staff.get(desk + "?reg=" + idStr(id)).doc(t)
	src, ok := testid(d, "desk-photo").Attr("src")
	if !ok {
		t.Fatal("the desk does not show the photo just taken")
	}
	wantStatus(t, staff.get(src), http.StatusOK)
	staffID := fx.account(delegate).ID
	if n := fx.count(`SELECT count(*) FROM audit_events WHERE action = 'photo.set' AND entity_id = $1 AND actor_id = $2
		AND detail->>'source' = 'desk' AND detail->>'desk' = 'Desk 3' AND (detail->>'staff')::bigint = $2`, id, staffID); n != 1 {
		t.Errorf("%d photo events with the desk and the staff member, want 1", n)
	}
	if after := badgeImages(t, staff, desk, id); !hasPicture(after, domain.PhotoWidth, domain.PhotoHeight) {
		t.Errorf("the badge does not carry the %d × %d photo: %v", domain.PhotoWidth, domain.PhotoHeight, after)
	}
}
