package site_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"plenary/internal/pdftest"
)

// postLetterSettings sends the letter settings form as a browser does, with a signature file
// when sig is not nil.
func (b *browser) postLetterSettings(path string, fields map[string]string, sig []byte) page {
	b.site.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			b.site.t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("signature", "signature.png")
	if err != nil {
		b.site.t.Fatal(err)
	}
	if _, err := fw.Write(sig); err != nil {
		b.site.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		b.site.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.site.srv.URL+path, &buf)
	if err != nil {
		b.site.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func signaturePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 10; x < w-10; x++ {
		img.Set(x, h/2+(x%13)-6, color.Black)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// formFields reads a page's form fields (inputs and textareas) by name.
func formFields(t *testing.T, p page) map[string]string {
	out := map[string]string{}
	d := p.doc(t)
	d.Find(`form[data-testid="letter-settings-form"] input[name]`).Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("type", "") != "file" && s.AttrOr("type", "") != "checkbox" {
			out[s.AttrOr("name", "")] = s.AttrOr("value", "")
		}
	})
	d.Find(`form[data-testid="letter-settings-form"] textarea[name]`).Each(func(_ int, s *goquery.Selection) {
		out[s.AttrOr("name", "")] = s.Text()
	})
	return out
}

// The secretariat sets the letterhead and signatory per study group and overrides the
// signatory for a meeting, with a scanned signature; the letter carries them.
func TestLetterheadAndSignatorySettings(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	var sg int64
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT study_group_id FROM meetings WHERE id = $1`, vs.meetingID).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	sgPath := "/secretariat/study-groups/" + itoa(sg) + "/letter"
	mPath := "/secretariat/meetings/" + itoa(vs.meetingID) + "/letter"
	sec := vs.browser()
	sec.login(secretariat)
	p := sec.get(sgPath)
	wantStatus(t, p, http.StatusOK)
	f := formFields(t, p)
	if f["signatory_name"] != "Seizo Onoe" || !strings.Contains(f["postal_address"], "CH-1211 Geneva 20") {
		t.Fatalf("seeded settings %v", f)
	}

	// A file that is not an image: refused beside the field, what was typed kept.
	f["signatory_title"] = "Director, TSB"
	p = sec.postLetterSettings(sgPath, f, []byte("GIF89a not an image"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	if text(d.Find("#signature-error")) == "" {
		t.Errorf("no message beside the signature:\n%s", p.body)
	}
	if v, _ := d.Find(`#signatory_title`).Attr("value"); v != "Director, TSB" {
		t.Errorf("typed title lost: %q", v)
	}
	// A study group's name cannot be emptied.
	g := formFields(t, sec.get(sgPath))
	g["signatory_name"] = ""
	p = sec.postLetterSettings(sgPath, g, nil)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if text(p.doc(t).Find("#signatory_name-error")) == "" {
		t.Error("an empty signatory accepted for the study group")
	}

	// A real signature for the study group; the meeting names another signatory.
	wantRedirect(t, sec.postLetterSettings(sgPath, f, signaturePNG(t, 400, 120)), sgPath)
	p = sec.get(sgPath)
	src, ok := testid(p.doc(t), "letter-signature").Attr("src")
	if !ok {
		t.Fatal("no signature preview")
	}
	img := sec.get(src)
	wantStatus(t, img, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("signature served as %q %q", img.Header.Get("Content-Type"), img.Header.Get("Content-Disposition"))
	}
	m := formFields(t, sec.get(mPath))
	stale := m["version"]
	m["signatory_name"], m["signatory_title"] = "Jane Roe", "Counsellor, Study Group 13"
	wantRedirect(t, sec.postLetterSettings(mPath, m, nil), mPath)
	// A second tab saving over the first is refused, nothing changed.
	m["version"], m["signatory_name"] = stale, "Someone Else"
	p = sec.postLetterSettings(mPath, m, nil)
	wantStatus(t, p, http.StatusConflict)
	var audits int
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'letter_settings.save'`).Scan(&audits); err != nil || audits != 2 {
		t.Errorf("%d audit events, want 2: %v", audits, err)
	}

	// Others may not see or change them.
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	wantStatus(t, del.get(mPath), http.StatusForbidden)
	wantStatus(t, del.postLetterSettings(mPath, m, nil), http.StatusForbidden)

	// The letter: the study group's letterhead, the meeting's signatory, the study group's
	// signature image.
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("Jose Muller")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	vs.approve("focal.sm@plenary.test", reg)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p = del.get("/visas/" + itoa(id) + "/letter.pdf")
	wantStatus(t, p, http.StatusOK)
	txt := pdfText(t, []byte(p.body))
	for _, s := range []string{"International Telecommunication Union, Telecommunication Standardization Bureau Place des Nations CH-1211 Geneva 20 Switzerland",
		"Yours faithfully, Jane Roe Counsellor, Study Group 13"} {
		if !strings.Contains(txt, s) {
			t.Errorf("the letter lacks %q:\n%s", s, txt)
		}
	}
	if strings.Contains(txt, "Someone Else") || strings.Contains(txt, "Seizo Onoe") {
		t.Errorf("the wrong signatory:\n%s", txt)
	}
	if _, err := exec.LookPath("pdfimages"); err == nil {
		file := t.TempDir() + "/l.pdf"
		if err := os.WriteFile(file, []byte(p.body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdfimages", "-list", file).Output()
		if err != nil || !regexp.MustCompile(`(?m)^\s*1\s+\d+\s+image\s+400\s+120\b`).Match(out) {
			t.Errorf("the signature is not in the letter: %v\n%s", err, out)
		}
	}
}

// Without a letterhead or signatory no letter is issued: the queue says why, nothing changes.
func TestNoLetterWithoutSignatory(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	if _, err := vs.db.Pool.Exec(context.Background(), `UPDATE letter_settings SET signatory_name = ''`); err != nil {
		t.Fatal(err)
	}
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("Jose Muller")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	vs.approve("focal.sm@plenary.test", reg)
	sec := vs.browser()
	sec.login(secretariat)
	if text(testid(sec.get(vs.queuePath()).doc(t), "letters-blocked")) == "" {
		t.Error("the queue does not say why letters cannot be issued")
	}
	p := sec.post(vs.queuePath()+"/issue", form("id", itoa(id)))
	wantRedirect(t, p, vs.queuePath())
	if got := text(testid(sec.get(vs.queuePath()).doc(t), "flash")); !strings.Contains(got, "signatory") {
		t.Errorf("flash %q", got)
	}
	if _, _, state := vs.visaOf("delegate.sm@plenary.test"); state != "processing" {
		t.Errorf("state %s after a refused issue", state)
	}
}

// The secretariat chooses the letters' language for the study group; a letter issued then is
// in it, every fixed word, with the passport data in Latin as typed. A language not offered is
// refused beside the field.
func TestLetterInTheChosenLanguage(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	var sg int64
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT study_group_id FROM meetings WHERE id = $1`, vs.meetingID).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	sgPath := "/secretariat/study-groups/" + itoa(sg) + "/letter"
	sec := vs.browser()
	sec.login(secretariat)
	p := sec.get(sgPath)
	for _, lang := range []string{"en", "fr", "es", "ru", "zh", "ar"} {
		if p.doc(t).Find(`select[name="letter_language"] option[value="`+lang+`"]`).Length() != 1 {
			t.Errorf("%s not offered", lang)
		}
	}
	f := formFields(t, p)
	f["letter_language"] = "xx"
	p = sec.postLetterSettings(sgPath, f, nil)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if text(p.doc(t).Find("#letter_language-error")) == "" {
		t.Errorf("an unknown language accepted:\n%s", p.body)
	}
	f["letter_language"] = "ru"
	wantRedirect(t, sec.postLetterSettings(sgPath, f, nil), sgPath)

	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("Jose Muller")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	vs.approve("focal.sm@plenary.test", reg)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p = del.get("/visas/" + itoa(id) + "/letter.pdf")
	wantStatus(t, p, http.StatusOK)
	txt := pdfText(t, []byte(p.body))
	for _, s := range []string{"Письмо в поддержку получения визы", "Имя, как в паспорте", "Jose Muller", "Кому:",
		"Швейцарии", "Срок пребывания:", "С уважением,", "Секретариат Исследовательской комиссии 13 МСЭ-Т", "Женева"} {
		if !strings.Contains(txt, s) {
			t.Errorf("the Russian letter lacks %q:\n%s", s, txt)
		}
	}
	for _, s := range []string{"Dear Sir", "Period of stay", "Embassy of", "Consulate General of", "Name as in passport"} {
		if strings.Contains(txt, s) {
			t.Errorf("the Russian letter says %q in English:\n%s", s, txt)
		}
	}
}

// A delegate with a Latin-script passport gets an Arabic letter when the secretariat chose
// Arabic: its words read back in logical order, the city in Arabic, the passport name as typed.
func TestArabicLetterIssued(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	var sg int64
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT study_group_id FROM meetings WHERE id = $1`, vs.meetingID).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	sgPath := "/secretariat/study-groups/" + itoa(sg) + "/letter"
	sec := vs.browser()
	sec.login(secretariat)
	f := formFields(t, sec.get(sgPath))
	f["letter_language"] = "ar"
	wantRedirect(t, sec.postLetterSettings(sgPath, f, nil), sgPath)

	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	wantStatus(t, del.post(vs.registerPath(), vs.passportForm("Jose Muller")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("delegate.sm@plenary.test")
	vs.approve("focal.sm@plenary.test", reg)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("id", itoa(id))), http.StatusSeeOther)
	p := del.get("/visas/" + itoa(id) + "/letter.pdf")
	wantStatus(t, p, http.StatusOK)
	got := pdftest.Words(pdftest.ReadingText(t, []byte(p.body)))
	for _, s := range []string{"رسالة دعم طلب التأشيرة", "الاسم كما في جواز السفر", "Jose Muller", "حضرات السادة",
		"مدة الإقامة", "وتفضلوا بقبول فائق الاحترام", "جنيف"} {
		if !pdftest.ContainsWords(got, pdftest.Words(s)) {
			t.Errorf("the Arabic letter does not read %q:\n%s", s, strings.Join(got, " "))
		}
	}
	for _, s := range []string{"Dear", "Period", "Embassy", "passport"} {
		if slices.Contains(got, s) {
			t.Errorf("the Arabic letter says %q in English:\n%s", s, strings.Join(got, " "))
		}
	}
}
