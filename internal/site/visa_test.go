package site_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/visaletter"
)

// visaSite is the site over a fresh database, its clock two months before the demo meeting
// (registration and visa requests open).
type visaSite struct {
	*testSite
	meetingID int64
	slug      string
	first     time.Time
	last      time.Time
	now       time.Time
}

func newVisaSite(t *testing.T) *visaSite {
	t.Helper()
	if _, err := visaletter.DefaultFonts(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	db := pgtest.New(t)
	vs := &visaSite{}
	err := db.Pool.QueryRow(context.Background(), `SELECT id, slug, first_day, last_day FROM meetings
		WHERE slug LIKE 'sg13-wp-%' AND slug <> $1`, letterSlug).Scan(&vs.meetingID, &vs.slug, &vs.first, &vs.last)
	if err != nil {
		t.Fatal(err)
	}
	vs.now = time.Date(vs.first.Year(), vs.first.Month(), vs.first.Day(), 8, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
	vs.testSite = newSiteOver(t, db, vs.now)
	return vs
}

// passportForm is a registration form in person with a valid visa part.
func (vs *visaSite) passportForm(name string) url.Values {
	return form("mode", "in_person", "visa_request", "on",
		"passport_name", name, "birth_date", "1984-02-29", "birth_place", "Zaragoza", "nationality", "Spanish",
		"passport_number", "PAE4471", "passport_issued", "2021-05-06", "passport_expires", vs.last.AddDate(0, 3, 0).Format(time.DateOnly),
		"issuing_country", "Spain", "representation", itoa(vs.representation("Madrid")))
}

// representation returns the id of the Swiss representation in city (from the seeded list).
func (vs *visaSite) representation(city string) int64 {
	vs.t.Helper()
	var id int64
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT id FROM swiss_representations WHERE city = $1`, city).Scan(&id); err != nil {
		vs.t.Fatalf("representation in %s: %v", city, err)
	}
	return id
}

func (vs *visaSite) registerPath() string { return "/meetings/" + vs.slug + "/register" }

func (vs *visaSite) queuePath() string {
	return "/secretariat/meetings/" + itoa(vs.meetingID) + "/visas"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// approve approves a registration as the focal point with email would.
func (vs *visaSite) approve(email string, reg int64) {
	vs.t.Helper()
	ctx := context.Background()
	acc, err := vs.db.AccountByEmail(ctx, email)
	if err != nil {
		vs.t.Fatal(err)
	}
	a, _, err := vs.db.Actor(ctx, acc.ID)
	if err != nil {
		vs.t.Fatal(err)
	}
	res, err := decideRegistrations(ctx, vs.db, postgres.Audit{ActorID: a.ID}, a, []int64{reg}, true, "", vs.now)
	if err != nil || len(res.Done) != 1 {
		vs.t.Fatalf("approve: %v %v", err, res.Refused)
	}
}

// visaOf returns the id and state of the visa request of an account's registration.
func (vs *visaSite) visaOf(email string) (id, reg int64, state string) {
	vs.t.Helper()
	err := vs.db.Pool.QueryRow(context.Background(), `SELECT v.id, v.registration_id, v.state FROM visa_requests v
		JOIN accounts a ON a.id = v.account_id WHERE a.email = $1 ORDER BY v.id DESC LIMIT 1`, email).Scan(&id, &reg, &state)
	if err != nil {
		vs.t.Fatalf("visa request of %s: %v", email, err)
	}
	return id, reg, state
}

func (vs *visaSite) visaCount() int {
	vs.t.Helper()
	var n int
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM visa_requests`).Scan(&n); err != nil {
		vs.t.Fatal(err)
	}
	return n
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not installed (poppler-utils)")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// The whole life of a letter through the pages: asked for on the registration form, approved by
// the focal point, issued from the queue, downloaded by its owner, checked on its public page.
func TestVisaLetterThroughThePages(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	del := vs.browser()
	del.login("delegate.sm@plenary.test")
	p := del.get(vs.registerPath())
	wantStatus(t, p, http.StatusOK)
	if testid(p.doc(t), "visa-fields").Length() != 1 {
		t.Fatal("the registration form offers no visa request")
	}
	p = del.post(vs.registerPath(), vs.passportForm("José Müller-Ñúñez"))
	wantStatus(t, p, http.StatusSeeOther)
	id, reg, state := vs.visaOf("delegate.sm@plenary.test")
	if state != "requested" {
		t.Fatalf("state %s, want requested", state)
	}
	p = del.get("/me")
	wantStatus(t, p, http.StatusOK)
	if got := text(testid(p.doc(t), "visa-state")); got != "Requested" {
		t.Errorf("/me visa state %q", got)
	}

	// The focal point approves; the focal point sees the state, not the passport.
	focal := vs.browser()
	focal.login("focal.sm@plenary.test")
	vs.approve("focal.sm@plenary.test", reg)
	p = focal.get("/registrations/" + itoa(reg) + "/visa")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := text(testid(d, "visa-state")); !strings.HasPrefix(got, "Being processed") {
		t.Errorf("focal point sees state %q", got)
	}
	if testid(d, "passport").Length() != 0 || strings.Contains(p.body, "PAE4471") || strings.Contains(p.body, "1984") {
		t.Error("the focal point sees passport data")
	}
	if testid(d, "visa-form").Length() != 0 {
		t.Error("the focal point is offered the passport form")
	}

	// The secretariat issues it from the queue.
	sec := vs.browser()
	sec.login(secretariat)
	p = sec.get(vs.queuePath())
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	row := testid(d, "visa-"+itoa(id))
	if row.Length() != 1 || text(row.Find(`[data-testid="passport-name"]`)) != "José Müller-Ñúñez" {
		t.Fatalf("queue row: %q", text(row))
	}
	if text(testid(d, "visa-count-processing")) != "1" {
		t.Errorf("processing count %q", text(testid(d, "visa-count-processing")))
	}
	p = sec.post(vs.queuePath()+"/issue", form("id", itoa(id)))
	wantRedirect(t, p, vs.queuePath())
	if _, _, state := vs.visaOf("delegate.sm@plenary.test"); state != "issued" {
		t.Fatalf("after issue: %s", state)
	}
	if got := text(testid(sec.get(vs.queuePath()).doc(t), "flash")); got != "1 letter issued." {
		t.Errorf("flash %q", got)
	}

	// The owner downloads it as an attachment; its text holds the passport data.
	p = del.get("/me")
	link, ok := testid(p.doc(t), "letter-link").Attr("href")
	if !ok || link != "/visas/"+itoa(id)+"/letter.pdf" {
		t.Fatalf("letter link %q", link)
	}
	p = del.get(link)
	wantStatus(t, p, http.StatusOK)
	ref := strings.ToUpper(vs.slug) + "/V" + pad5(id)
	if ct, cd := p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"); ct != "application/pdf" ||
		cd != "attachment; filename="+visaletter.Filename(ref) {
		t.Errorf("download headers %q %q", ct, cd)
	}
	txt := pdfText(t, []byte(p.body))
	for _, s := range []string{"José Müller-Ñúñez", "29 February 1984", "Zaragoza", "Spanish", "PAE4471", "6 May 2021",
		"Embassy of Switzerland, Madrid, Spain", "Spain", "Example Networks Ltd.", ref, "Geneva", "http://plenary.test/v/"} {
		if !strings.Contains(txt, s) {
			t.Errorf("the letter lacks %q:\n%s", s, txt)
		}
	}
	token := regexp.MustCompile(`/v/([a-z2-7]{32})`).FindStringSubmatch(txt)
	if token == nil {
		t.Fatalf("no verification URL in the letter:\n%s", txt)
	}

	// Anyone can check it, and sees nothing but name, meeting, dates, issue date.
	visitor := vs.browser()
	p = visitor.get("/v/" + token[1])
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if s, _ := testid(d, "verify-status").Attr("data-status"); s != "valid" {
		t.Errorf("verification status %q", s)
	}
	if text(testid(d, "verify-holder")) != "José Müller-Ñúñez" || text(testid(d, "verify-reference")) != ref {
		t.Errorf("verification facts %q", text(testid(d, "verify-facts")))
	}
	for _, secret := range []string{"PAE4471", "Zaragoza", "1984", "Spanish", "Madrid"} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the verification page shows %q", secret)
		}
	}
	if p.Header.Get("X-Robots-Tag") == "" {
		t.Error("the verification page may be indexed")
	}
	wantStatus(t, visitor.get("/v/"+strings.Repeat("a", 32)), http.StatusNotFound)

	// The delegate was told, in a mail with the link.
	var mails int
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox o JOIN accounts a ON a.id = o.account_id
		WHERE a.email = 'delegate.sm@plenary.test' AND o.kind = $1`, postgres.MailVisaIssued).Scan(&mails); err != nil || mails != 1 {
		t.Errorf("%d issued mails: %v", mails, err)
	}
}

func pad5(n int64) string {
	s := itoa(n)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

// Who may download a letter: its owner and the secretariat; nobody else learns it exists.
func TestVisaLetterDownloadMatrix(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	fp := vs.browser()
	fp.login("focal.sm@plenary.test")
	// A focal point's own registration is approved at once: the request is processing.
	wantStatus(t, fp.post(vs.registerPath(), vs.passportForm("Aino Virtanen")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("focal.sm@plenary.test")
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("only", itoa(id))), http.StatusSeeOther)
	path := "/visas/" + itoa(id) + "/letter.pdf"
	visa := "/registrations/" + itoa(reg) + "/visa"
	cases := []struct {
		who               string
		letter, passport  int
		queue, issue, csv int
	}{
		{"focal.sm@plenary.test", http.StatusOK, http.StatusOK, http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
		{secretariat, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusSeeOther, http.StatusOK},
		{"delegate.sm@plenary.test", http.StatusNotFound, http.StatusNotFound, http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
		{"delegate.ms@plenary.test", http.StatusNotFound, http.StatusNotFound, http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
		{"focal.ms@plenary.test", http.StatusNotFound, http.StatusNotFound, http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
		{"", http.StatusSeeOther, http.StatusSeeOther, http.StatusSeeOther, http.StatusSeeOther, http.StatusSeeOther},
	}
	for _, c := range cases {
		b := vs.browser()
		if c.who != "" {
			b.login(c.who)
		}
		if p := b.get(path); p.StatusCode != c.letter {
			t.Errorf("%s downloads: %d, want %d", c.who, p.StatusCode, c.letter)
		}
		p := b.get(visa)
		if p.StatusCode != c.passport {
			t.Errorf("%s opens the request: %d, want %d", c.who, p.StatusCode, c.passport)
		}
		if p.StatusCode == http.StatusOK && !strings.Contains(p.body, "Aino Virtanen") {
			t.Errorf("%s does not see the passport name", c.who)
		}
		if p := b.get(vs.queuePath()); p.StatusCode != c.queue {
			t.Errorf("%s opens the queue: %d, want %d", c.who, p.StatusCode, c.queue)
		}
		if p := b.post(vs.queuePath()+"/issue", form("only", itoa(id))); p.StatusCode != c.issue {
			t.Errorf("%s issues: %d, want %d", c.who, p.StatusCode, c.issue)
		}
		if p := b.post(vs.queuePath()+"/"+itoa(id)+"/decline", form("reason", "no")); p.StatusCode != c.issue {
			t.Errorf("%s declines: %d, want %d", c.who, p.StatusCode, c.issue)
		}
		p = b.get(vs.queuePath() + ".csv")
		if p.StatusCode != c.csv {
			t.Errorf("%s exports: %d, want %d", c.who, p.StatusCode, c.csv)
		}
		if p.StatusCode == http.StatusOK && (!strings.Contains(p.body, "Aino Virtanen") || !strings.Contains(p.body, "PAE4471")) {
			t.Errorf("export lacks the passport data:\n%s", p.body)
		}
	}
	// Nothing the others tried changed the issued letter.
	if _, _, state := vs.visaOf("focal.sm@plenary.test"); state != "issued" {
		t.Errorf("state %s after the refused attempts", state)
	}
}

// The registration form refuses a bad visa part with a message beside the field, and registers
// nothing; without the box the fields are not required.
func TestVisaRegistrationFormValidation(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	b := vs.browser()
	b.login("delegate.sm@plenary.test")
	cases := []struct {
		name, field, want string
		change            func(url.Values)
	}{
		{"remote", "visa_request", "A visa support letter is only for taking part in person.", func(v url.Values) { v.Set("mode", "remote") }},
		{"expiry too early", "passport_expires", "The passport must be valid for at least three months after the meeting's last day.",
			func(v url.Values) { v.Set("passport_expires", vs.last.AddDate(0, 3, -1).Format(time.DateOnly)) }},
		{"born after issue", "passport_issued", "The passport cannot have been issued before the date of birth.",
			func(v url.Values) { v.Set("birth_date", "2021-05-07") }},
		{"not a date", "birth_date", "", func(v url.Values) { v.Set("birth_date", "29/02/1984") }},
		{"missing number", "passport_number", "Fill in this field to request a visa support letter.", func(v url.Values) { v.Del("passport_number") }},
	}
	for _, c := range cases {
		v := vs.passportForm("José Müller-Ñúñez")
		c.change(v)
		p := b.post(vs.registerPath(), v)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		d := p.doc(t)
		got := text(testid(d, "error-"+c.field))
		if got == "" || (c.want != "" && got != c.want) {
			t.Errorf("%s: message beside %s = %q, want %q", c.name, c.field, got, c.want)
		}
		if v, _ := testid(d, "visa-fields").Find(`input[name="passport_name"]`).Attr("value"); v != "José Müller-Ñúñez" {
			t.Errorf("%s: the form lost the passport name (%q)", c.name, v)
		}
	}
	if n := vs.visaCount(); n != 0 {
		t.Fatalf("%d visa requests after refused forms", n)
	}
	// Without the box, whatever the fields hold, the registration goes through alone.
	p := b.post(vs.registerPath(), form("mode", "in_person", "passport_name", "José", "birth_date", "not a date"))
	wantStatus(t, p, http.StatusSeeOther)
	if n := vs.visaCount(); n != 0 {
		t.Fatalf("%d visa requests without the box", n)
	}
	// The request can be added later from the personal page.
	p = b.get("/me")
	href, ok := testid(p.doc(t), "visa-request-link").Attr("href")
	if !ok {
		t.Fatal("/me offers no visa request")
	}
	v := vs.passportForm("José Müller-Ñúñez")
	v.Del("mode")
	v.Set("passport_issued", "2030-01-01")
	p = b.post(href, v)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-passport_issued")); got != "A passport cannot be issued in the future." {
		t.Errorf("issued in the future: %q", got)
	}
	v.Set("passport_issued", "2021-05-06")
	wantRedirect(t, b.post(href, v), "/me#reg-"+strings.TrimSuffix(strings.TrimPrefix(href, "/registrations/"), "/visa"))
	if n := vs.visaCount(); n != 1 {
		t.Fatalf("%d visa requests after the later request", n)
	}
}

// After the visa deadline (the end of that day in the meeting's time zone) the request is
// refused beside the box, though registration is still open.
func TestVisaRequestAfterTheDeadline(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	yesterday := vs.now.AddDate(0, 0, -1)
	if _, err := vs.db.Pool.Exec(context.Background(), `INSERT INTO deadlines (meeting_id, kind, day) VALUES ($1, 'visa_support_request', $2)`,
		vs.meetingID, yesterday.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	b := vs.browser()
	b.login("delegate.sm@plenary.test")
	p := b.get(vs.registerPath())
	wantStatus(t, p, http.StatusOK)
	if testid(p.doc(t), "visa-fields").Length() != 0 {
		t.Error("the form offers a visa request after the deadline")
	}
	p = b.post(vs.registerPath(), vs.passportForm("José Müller-Ñúñez"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-visa_request")); got != "The deadline for visa support letter requests has passed. Write to the secretariat." {
		t.Errorf("message %q", got)
	}
	if vs.visaCount() != 0 {
		t.Error("a request was stored")
	}
}

// Declining needs a reason, given beside that request's field in the queue.
func TestVisaDeclineFromTheQueue(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	b := vs.browser()
	b.login("delegate.ms@plenary.test")
	wantStatus(t, b.post(vs.registerPath(), vs.passportForm("LI NA")), http.StatusSeeOther)
	id, _, _ := vs.visaOf("delegate.ms@plenary.test")
	sec := vs.browser()
	sec.login(secretariat)
	p := sec.post(vs.queuePath()+"/"+itoa(id)+"/decline", form("reason", " ", "back", "?state=requested"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-reason-"+itoa(id))); got != "Give the reason; the delegate will see it." {
		t.Errorf("message %q", got)
	}
	p = sec.post(vs.queuePath()+"/"+itoa(id)+"/decline", form("reason", "Passport copy unreadable.", "back", "?state=requested"))
	wantRedirect(t, p, vs.queuePath()+"?state=requested#visa-"+itoa(id))
	p = b.get("/me")
	if got := text(testid(p.doc(t), "visa-reason")); !strings.Contains(got, "Passport copy unreadable.") {
		t.Errorf("/me reason %q", got)
	}
	// The queue filters by state and nationality.
	q := sec.get(vs.queuePath() + "?state=declined&nationality=spanish")
	wantStatus(t, q, http.StatusOK)
	if testid(q.doc(t), "visa-"+itoa(id)).Length() != 1 {
		t.Error("the filter hides the declined request")
	}
	q = sec.get(vs.queuePath() + "?state=issued")
	if testid(q.doc(t), "visa-"+itoa(id)).Length() != 0 {
		t.Error("the issued filter shows a declined request")
	}
}

// A changed passport after issue makes a new revision; the old letter's page says superseded,
// and after the erasure every page says expired.
func TestVisaVerificationPageStates(t *testing.T) {
	t.Parallel()
	vs := newVisaSite(t)
	fp := vs.browser()
	fp.login("focal.ms@plenary.test")
	wantStatus(t, fp.post(vs.registerPath(), vs.passportForm("ZHANG WEI")), http.StatusSeeOther)
	id, reg, _ := vs.visaOf("focal.ms@plenary.test")
	sec := vs.browser()
	sec.login(secretariat)
	wantStatus(t, sec.post(vs.queuePath()+"/issue", form("only", itoa(id))), http.StatusSeeOther)
	var oldToken string
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT token FROM visa_letters WHERE visa_request_id = $1`, id).Scan(&oldToken); err != nil {
		t.Fatal(err)
	}
	// The owner may no longer change it; the secretariat may, which reissues.
	p := fp.get("/registrations/" + itoa(reg) + "/visa")
	if testid(p.doc(t), "visa-form").Length() != 0 || testid(p.doc(t), "ask-secretariat").Length() != 1 {
		t.Error("the owner is offered to change an issued letter")
	}
	v := vs.passportForm("ZHANG WEI MING")
	p = sec.get("/registrations/" + itoa(reg) + "/visa")
	if testid(p.doc(t), "reissue-notice").Length() != 1 {
		t.Error("no notice that saving reissues the letter")
	}
	wantStatus(t, sec.post("/registrations/"+itoa(reg)+"/visa", v), http.StatusSeeOther)
	p = vs.browser().get("/v/" + oldToken)
	wantStatus(t, p, http.StatusOK)
	if s, _ := testid(p.doc(t), "verify-status").Attr("data-status"); s != "superseded" {
		t.Errorf("old letter %q", s)
	}
	if got := text(testid(p.doc(t), "verify-current")); !strings.Contains(got, "-R2") {
		t.Errorf("current revision %q", got)
	}
	if _, err := vs.db.EraseVisaData(context.Background(), 0, vs.last.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	p = vs.browser().get("/v/" + oldToken)
	wantStatus(t, p, http.StatusOK)
	if s, _ := testid(p.doc(t), "verify-status").Attr("data-status"); s != "expired" {
		t.Errorf("after erasure %q", s)
	}
	if testid(p.doc(t), "verify-holder").Length() != 0 || strings.Contains(p.body, "ZHANG") {
		t.Error("the expired letter's page still names its holder")
	}
	if p := fp.get("/visas/" + itoa(id) + "/letter.pdf"); p.StatusCode != http.StatusNotFound {
		t.Errorf("download after erasure: %d", p.StatusCode)
	}
	var st domain.VisaState
	if err := vs.db.Pool.QueryRow(context.Background(), `SELECT state FROM visa_requests WHERE id = $1`, id).Scan(&st); err != nil || st != domain.VisaIssued {
		t.Errorf("state after erasure %s %v", st, err)
	}
}

// The keys built at run time from visa states, letter statuses and audit actions exist in every
// language.
func TestVisaComputedKeysExist(t *testing.T) {
	cat := catalogue(t)
	var keys []string
	for _, s := range domain.VisaStates {
		keys = append(keys, "visa.state."+string(s))
	}
	for _, s := range []domain.LetterStatus{domain.LetterValid, domain.LetterSuperseded, domain.LetterWithdrawn, domain.LetterExpired} {
		keys = append(keys, "verify.status."+string(s))
	}
	for _, a := range []string{"request", "process", "issue", "reissue", "decline", "withdraw", "update", "erase"} {
		keys = append(keys, "event.visa_request."+a)
	}
	for _, l := range cat.Langs() {
		tr := cat.For(l.Tag)
		for _, k := range keys {
			if tr.T(k) == k {
				t.Errorf("%s lacks %s", l.Tag, k)
			}
		}
	}
}
