package site_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/site"
	"plenary/web"
)

// beforeTheDeadlines is before every deadline of the letter's meeting: contributions are on time
// and translated.
var beforeTheDeadlines = time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)

const docsPath = letterPath + "/documents"

// newDocSite is newSiteOver with a document size limit.
func newDocSite(t *testing.T, db *postgres.DB, now time.Time, maxBytes int64) *testSite {
	t.Helper()
	ts := newDocSiteTB(t, db, now, maxBytes)
	ts.t = t
	return ts
}

// newDocSiteTB is newDocSite for tests and benchmarks alike (its browser helpers need a test).
func newDocSiteTB(tb testing.TB, db *postgres.DB, now time.Time, maxBytes int64) *testSite {
	tb.Helper()
	return newDocSiteOpts(tb, db, now, func(o *site.Options) { o.DocumentMaxBytes = maxBytes }, nil, false)
}

// newDocSiteOpts is newDocSiteTB with options changed by opts and the use cases' by sopts (when
// not nil), served over small socket buffers when small (see smallBuffers).
func newDocSiteOpts(tb testing.TB, db *postgres.DB, now time.Time, opts func(*site.Options), sopts func(*app.ServiceOptions), small bool) *testSite {
	tb.Helper()
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		tb.Fatal(err)
	}
	ts := &testSite{db: db, cat: cat, log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := site.Options{
		BaseURL: "http://plenary.test", Now: func() time.Time { return now },
	}
	if opts != nil {
		opts(&o)
	}
	s := site.New(db.Sessions(), testServices(db, func() time.Time { return now }, func(so *app.ServiceOptions) {
		so.Log = logger
		if sopts != nil {
			sopts(so)
		}
	}), logger, ts.cat, o)
	ts.server = s
	ts.srv = httptest.NewUnstartedServer(s.Handler())
	ts.srv.Config.ConnContext = site.ConnContext
	if small {
		ts.srv.Listener = smallBuffers{ts.srv.Listener}
	}
	ts.srv.Start()
	tb.Cleanup(ts.srv.Close)
	return ts
}

// docFile is a file to upload.
type docFile struct {
	name string
	body io.Reader
}

var pdfBytes = []byte("%PDF-1.7\n% a contribution\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func pdf(name string) docFile { return docFile{name, bytes.NewReader(pdfBytes)} }

// multipartBody streams a form whose file comes last, as browsers send it.
func multipartBody(fields url.Values, file *docFile) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, k := range []string{"type", "suffix", "ls_direction", "ls_purpose", "title", "sources", "source_text",
				"questions", "working_party", "agenda_item", "work_item", "attached"} {
				for _, v := range fields[k] {
					if err := mw.WriteField(k, v); err != nil {
						return err
					}
				}
			}
			if file != nil {
				fw, err := mw.CreateFormFile("file", file.name)
				if err != nil {
					return err
				}
				if _, err := io.Copy(fw, file.body); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

func (b *browser) postMultipart(path string, fields url.Values, file *docFile) page {
	b.site.t.Helper()
	body, ctype := multipartBody(fields, file)
	req, err := http.NewRequest(http.MethodPost, b.site.srv.URL+path, body)
	if err != nil {
		b.site.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	return b.do(req)
}

// docIDs returns the ids the tests need: organisations and accounts by name.
type docFixture struct {
	t  *testing.T
	ts *testSite
}

func (fx docFixture) org(name string) string {
	fx.t.Helper()
	var id int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = $1`, name).Scan(&id); err != nil {
		fx.t.Fatalf("organisation %s: %v", name, err)
	}
	return strconv.FormatInt(id, 10)
}

func (fx docFixture) account(email string) int64 {
	fx.t.Helper()
	acc, err := fx.ts.db.AccountByEmail(context.Background(), email)
	if err != nil {
		fx.t.Fatalf("account %s: %v", email, err)
	}
	return acc.ID
}

// as signs in; the pages come in English whatever the account's language (the demo delegates
// of China read Chinese).
func (fx docFixture) as(email string) *browser {
	b := fx.ts.browser()
	u, _ := url.Parse(fx.ts.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	b.login(email)
	return b
}

func (fx docFixture) count(table string) int {
	fx.t.Helper()
	var n int
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		fx.t.Fatal(err)
	}
	return n
}

const (
	china    = "China (People's Republic of)"
	networks = "Example Networks Ltd."
)

func contribution(org, title string) url.Values {
	return form("type", "C", "title", title, "sources", org, "questions", "Q20/13")
}

// confirm has a focal point confirm a delegate on the members page.
func confirm(t *testing.T, fx docFixture, focal, delegate string) {
	t.Helper()
	p := fx.as(focal).post("/focal/members/"+strconv.FormatInt(fx.account(delegate), 10)+"/confirm", nil)
	wantRedirect(t, p, "/focal/members")
}

func TestAMemberPostsAContributionAndItIsNumbered(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	confirm(t, fx, "focal.ms@plenary.test", delegate)
	b := fx.as(delegate)

	p := b.get(docsPath + "/new")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if d.Find(`form[data-testid="doc-form"][enctype="multipart/form-data"] input[type="file"][name="file"]`).Length() != 1 {
		t.Fatal("the form has no file field in a multipart form")
	}
	// The sources are checkboxes (no "hold Ctrl" on a phone), the delegate's organisation first
	// and ticked.
	first := d.Find(`fieldset[data-testid="doc-sources"] input[type="checkbox"][name="sources"]`).First()
	if id, _ := first.Attr("id"); id != "sources" || first.AttrOr("checked", "no") == "no" || text(d.Find(`label[for="sources"]`)) != china {
		t.Errorf("the sources do not start with the delegate's organisation, ticked: %q", text(d.Find(`label[for="sources"]`)))
	}
	if n := d.Find(`fieldset[data-testid="doc-sources"] input[checked]`).Length(); n != 1 {
		t.Errorf("%d sources ticked, want 1", n)
	}
	if strings.Contains(d.Text(), "Ctrl") {
		t.Error("the form still says to hold Ctrl")
	}
	for _, id := range []string{"title", "sources", "questions", "working_party", "file"} {
		if d.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("field %s has no label", id)
		}
	}

	f := contribution(fx.org(china), "Proposed modifications to draft Recommendation Y.CNAO")
	f.Add("sources", fx.org(networks))
	f.Set("questions", "Q20/13, q21")
	p = b.postMultipart(docsPath+"/new", f, &docFile{"C-Y.CNAO – 中文.pdf", bytes.NewReader(pdfBytes)})
	wantRedirect(t, p, docsPath+"/C1")
	p = b.get(docsPath + "/C1")
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	if got := text(testid(d, "flash")); got != "SG13-C1 is posted." {
		t.Errorf("flash = %q", got)
	}
	if got := text(testid(d, "doc-number")); got != "SG13-C1" {
		t.Errorf("number = %q", got)
	}
	if got := text(testid(d, "doc-source")); got != china+"; "+networks {
		t.Errorf("source = %q", got)
	}
	if !strings.Contains(text(testid(d, "doc-facts")), "Q20/13, Q21/13") || !strings.Contains(text(testid(d, "doc-facts")), "WP1/13") {
		t.Errorf("facts = %q, want both Questions and WP1/13", text(testid(d, "doc-facts")))
	}
	if testid(d, "doc-late").Length() != 0 || testid(d, "doc-no-translation").Length() != 0 {
		t.Error("a contribution on time is marked late or not for translation")
	}

	// It is in the list at once, with its number, title, source, Questions and working party.
	p = ts.browser().get(docsPath)
	wantStatus(t, p, http.StatusOK)
	row := testid(p.doc(t), "doc-C1")
	if row.Length() != 1 {
		t.Fatalf("the list has no C1:\n%s", p.body)
	}
	if got := text(row); !strings.Contains(got, "Proposed modifications to draft Recommendation Y.CNAO") || !strings.Contains(got, "Q20/13, Q21/13") || !strings.Contains(got, "WP1/13") {
		t.Errorf("row = %q", got)
	}

	// The next one gets the next number.
	p = b.postMultipart(docsPath+"/new", contribution(fx.org(china), "A second contribution"), ptr(pdf("second.pdf")))
	wantRedirect(t, p, docsPath+"/C2")
}

func ptr[T any](v T) *T { return &v }

// The access matrix: who may list, download, post, revise, edit and withdraw.
func TestDocumentAccessMatrix(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ts := newDocSite(t, db, beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	ctx := context.Background()
	// An organisation of another kind, whose confirmed delegate still has no access.
	var other int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO organisations (name, kind) VALUES ('Some Consultancy', 'other') RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	hash, _ := pgtest.Hash("plenary-demo")
	if _, err := db.Pool.Exec(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id)
		VALUES ('guest@plenary.test', $1, 'Gus', 'Guest', $2)`, hash, other); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO affiliations (account_id, organisation_id) SELECT id, organisation_id FROM accounts WHERE email = 'guest@plenary.test'`); err != nil {
		t.Fatal(err)
	}

	// The focal point of China posts C1.
	focal := fx.as("focal.ms@plenary.test")
	wantRedirect(t, focal.postMultipart(docsPath+"/new", contribution(fx.org(china), "Draft text of Y.CNAO"), ptr(pdf("c1.pdf"))), docsPath+"/C1")

	// The delegate of the Sector Member is confirmed by their own focal point; the delegate of
	// China is not (yet).
	confirm(t, fx, "focal.sm@plenary.test", "delegate.sm@plenary.test")

	type who struct {
		name string
		b    *browser
	}
	visitor := who{"visitor", ts.browser()}
	unconfirmed := who{"unconfirmed delegate", fx.as(delegate)}
	member := who{"confirmed member of another organisation", fx.as("delegate.sm@plenary.test")}
	otherKind := who{"confirmed delegate of an organisation of kind other", fx.as("guest@plenary.test")}
	focalPoint := who{"focal point", focal}
	sec := who{"secretariat", fx.as(secretariat)}

	download := func(w who) int { return w.b.get(docsPath + "/C1/file").StatusCode }
	cases := []struct {
		who      who
		list     int
		download int
		newForm  int
		edit     int
	}{
		{visitor, 200, 303, 303, 303},
		{unconfirmed, 200, 403, 403, 403},
		{member, 200, 200, 200, 403},
		{otherKind, 200, 403, 403, 403},
		{focalPoint, 200, 200, 200, 403},
		{sec, 200, 200, 200, 200},
	}
	for _, c := range cases {
		p := c.who.b.get(docsPath)
		if p.StatusCode != c.list {
			t.Errorf("%s: list %d, want %d", c.who.name, p.StatusCode, c.list)
		}
		d := p.doc(t)
		if text(testid(d, "doc-C1").Find(`[data-testid="doc-title"]`)) != "Draft text of Y.CNAO" {
			t.Errorf("%s does not see the title in the list", c.who.name)
		}
		links := testid(d, "doc-download").Length()
		if (c.download == 200) != (links == 1) {
			t.Errorf("%s: %d download links in the list, want them only for those who may download", c.who.name, links)
		}
		if got := download(c.who); got != c.download {
			t.Errorf("%s: download %d, want %d", c.who.name, got, c.download)
		}
		if got := c.who.b.get(docsPath + "/new").StatusCode; got != c.newForm {
			t.Errorf("%s: new document form %d, want %d", c.who.name, got, c.newForm)
		}
		if got := c.who.b.get(docsPath + "/C1/edit").StatusCode; got != c.edit {
			t.Errorf("%s: edit form %d, want %d", c.who.name, got, c.edit)
		}
	}
	// A visitor is sent to sign in, and back to the file.
	if loc := visitor.b.get(docsPath + "/C1/file").Header.Get("Location"); loc != "/login?next="+url.QueryEscape(docsPath+"/C1/file") {
		t.Errorf("visitor sent to %q", loc)
	}
	if got := text(testid(unconfirmed.b.get(docsPath).doc(t), "doc-access")); !strings.Contains(got, "not yet been confirmed") {
		t.Errorf("the unconfirmed delegate is told %q", got)
	}

	// Posting: those without access cannot, even by sending the form.
	for _, w := range []who{unconfirmed, otherKind} {
		p := w.b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Not allowed"), ptr(pdf("x.pdf")))
		wantStatus(t, p, http.StatusForbidden)
	}
	wantStatus(t, visitor.b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Not allowed"), ptr(pdf("x.pdf"))), http.StatusSeeOther)
	// A member posts contributions only, naming their own organisation among the sources.
	p := member.b.postMultipart(docsPath+"/new", form("type", "TD", "suffix", "WP1", "title", "A TD", "source_text", "Editor"), ptr(pdf("td.pdf")))
	wantStatus(t, p, http.StatusForbidden)
	p = member.b.postMultipart(docsPath+"/new", contribution(fx.org(china), "On behalf of another"), ptr(pdf("x.pdf")))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-sources")); got != "Your own organisation must be one of the sources." {
		t.Errorf("sources error = %q", got)
	}

	// Revisions: the submitter's side (its focal point) and the secretariat, not another member.
	wantStatus(t, member.b.postMultipart(docsPath+"/C1/revisions", nil, ptr(pdf("rev.pdf"))), http.StatusForbidden)
	wantStatus(t, unconfirmed.b.postMultipart(docsPath+"/C1/revisions", nil, ptr(pdf("rev.pdf"))), http.StatusForbidden)
	wantRedirect(t, focal.postMultipart(docsPath+"/C1/revisions", nil, ptr(pdf("rev1.pdf"))), docsPath+"/C1")
	wantRedirect(t, sec.b.postMultipart(docsPath+"/C1/revisions", nil, ptr(pdf("rev2.pdf"))), docsPath+"/C1")

	// Withdrawing: the secretariat only.
	wantStatus(t, focal.post(docsPath+"/C1/withdraw", nil), http.StatusForbidden)
	wantRedirect(t, sec.b.post(docsPath+"/C1/withdraw", nil), docsPath+"/C1")

	// Members pages: a focal point sees and confirms only their own organisation's accounts.
	p = fx.as("focal.sm@plenary.test").get("/focal/members")
	wantStatus(t, p, http.StatusOK)
	if strings.Contains(p.body, "delegate.ms@plenary.test") || !strings.Contains(p.body, "delegate.sm@plenary.test") {
		t.Error("the Sector Member's focal point sees another organisation's accounts, or not their own")
	}
	wantStatus(t, fx.as("focal.sm@plenary.test").post("/focal/members/"+strconv.FormatInt(fx.account(delegate), 10)+"/confirm", nil), http.StatusNotFound)
	wantStatus(t, unconfirmed.b.get("/focal/members"), http.StatusForbidden)
	// Once confirmed by their focal point, the delegate of China may download.
	confirm(t, fx, "focal.ms@plenary.test", delegate)
	if got := download(unconfirmed); got != 200 {
		t.Errorf("after confirmation: download %d, want 200", got)
	}
}

func TestApprovingARegistrationConfirmsTheDelegate(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	fx := docFixture{t, newDocSite(t, db, beforeTheDeadlines, 0)}
	var meetingID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE slug = $1`, letterSlug).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	actor, _, err := db.Actor(ctx, fx.account(delegate))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := db.Register(ctx, postgres.Audit{}, actor, meetingID, actor.ID, domain.RegistrationRequest{Mode: domain.Remote}, beforeTheDeadlines)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.Membership(ctx, actor)
	if err != nil || m.Confirmed {
		t.Fatalf("before approval: confirmed=%v err=%v", m.Confirmed, err)
	}
	focal, _, err := db.Actor(ctx, fx.account("focal.ms@plenary.test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decideRegistrations(ctx, db, postgres.Audit{ActorID: focal.ID}, focal, []int64{reg.ID}, true, "", beforeTheDeadlines); err != nil {
		t.Fatal(err)
	}
	if m, err := db.Membership(ctx, actor); err != nil || !m.Confirmed {
		t.Fatalf("after approval: confirmed=%v err=%v", m.Confirmed, err)
	}
	// Automatic approval confirms every account of the organisation.
	sm, _, err := db.Actor(ctx, fx.account("delegate.sm@plenary.test"))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := db.Membership(ctx, sm); m.Confirmed {
		t.Fatal("the Sector Member's delegate is confirmed before anything")
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE organisations SET auto_approval = true WHERE id = $1`, sm.OrganisationID); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.Membership(ctx, sm); !m.Confirmed {
		t.Fatal("automatic approval does not confirm the Sector Member's delegate")
	}
}

func TestLateContributionsAreMarked(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	for _, c := range []struct {
		now                time.Time
		late, noTranslated bool
	}{
		{beforeTheDeadlines, false, false},
		{time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC), false, true},
		// 1 July is the contributions deadline: the end of that day in Geneva, 22:00 UTC.
		{time.Date(2025, 7, 1, 21, 59, 0, 0, time.UTC), false, true},
		{time.Date(2025, 7, 1, 22, 0, 0, 0, time.UTC), true, true},
	} {
		ts := newDocSite(t, db, c.now, 0)
		fx := docFixture{t, ts}
		b := fx.as("focal.ms@plenary.test")
		form := b.get(docsPath + "/new")
		wantStatus(t, form, http.StatusOK)
		if warned := testid(form.doc(t), "doc-late-warning").Length() == 1; warned != c.noTranslated {
			t.Errorf("%s: warning shown %v, want %v", c.now, warned, c.noTranslated)
		}
		p := b.postMultipart(docsPath+"/new", contribution(fx.org(china), "At "+c.now.String()), ptr(pdf("c.pdf")))
		wantStatus(t, p, http.StatusSeeOther)
		d := b.get(p.Header.Get("Location")).doc(t)
		if late := testid(d, "doc-late").Length() > 0; late != c.late {
			t.Errorf("%s: late %v, want %v", c.now, late, c.late)
		}
		if nt := testid(d, "doc-no-translation").Length() > 0; nt != c.noTranslated {
			t.Errorf("%s: not for translation %v, want %v", c.now, nt, c.noTranslated)
		}
	}
}

func TestBadUploadsAreRefusedBesideTheField(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	const limit = 64 << 10
	ts := newDocSite(t, db, beforeTheDeadlines, limit)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	ok := contribution(fx.org(china), "A fine title")
	big := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("x"), limit)...)
	cases := []struct {
		name   string
		fields url.Values
		file   *docFile
		status int
		field  string
		msg    string
	}{
		{"no file", ok, nil, 422, "file", "Choose the file to post."},
		{"empty file", ok, &docFile{"empty.pdf", strings.NewReader("")}, 422, "file", "The file is empty."},
		{"too large", ok, &docFile{"big.pdf", bytes.NewReader(big)}, 413, "file", "The file is larger than 64 KB."},
		{"PDF that is not one", ok, &docFile{"fake.pdf", strings.NewReader("Just some text, not a PDF")}, 422, "file", "The file's content does not match its name: check that it is the right file and that its extension is right."},
		{"Word file that is a PDF", ok, &docFile{"c.docx", bytes.NewReader(pdfBytes)}, 422, "file", "The file's content does not match its name: check that it is the right file and that its extension is right."},
		{"text file that is binary", ok, &docFile{"notes.txt", bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0})}, 422, "file", "The file's content does not match its name: check that it is the right file and that its extension is right."},
		{"program", ok, &docFile{"setup.exe", strings.NewReader("MZ...")}, 422, "file", "This kind of file is not accepted. Post an office document (Word, Excel, PowerPoint, OpenDocument, RTF), a PDF, a ZIP archive or a plain text file."},
		{"title too long", contribution(fx.org(china), strings.Repeat("é", 401)), ptr(pdf("c.pdf")), 422, "title", "The title is too long: use at most 400 characters."},
		{"no title", contribution(fx.org(china), "  "), ptr(pdf("c.pdf")), 422, "title", "Enter the title."},
		{"unknown Question", func() url.Values {
			v := contribution(fx.org(china), "T")
			v.Set("questions", "Q20/13, Q99/13")
			return v
		}(), ptr(pdf("c.pdf")), 422, "questions", "Q99/13 is not a Question of SG13."},
		{"no Question", func() url.Values { v := contribution(fx.org(china), "T"); v.Del("questions"); return v }(), ptr(pdf("c.pdf")), 422, "questions", "Enter at least one Question."},
	}
	for _, c := range cases {
		p := b.postMultipart(docsPath+"/new", c.fields, c.file)
		if p.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, p.StatusCode, c.status)
			continue
		}
		d := p.doc(t)
		if got := text(testid(d, "error-"+c.field)); got != c.msg {
			t.Errorf("%s: message beside %s = %q, want %q", c.name, c.field, got, c.msg)
		}
		if testid(d, "error-summary").Length() != 1 {
			t.Errorf("%s: no error summary", c.name)
		}
		if v, _ := d.Find(`input[name="title"]`).Attr("value"); v != strings.TrimSpace(c.fields.Get("title")) && c.field != "title" {
			t.Errorf("%s: the title typed is lost: %q", c.name, v)
		}
	}
	// Both problems at once: a bad title and a bad file are named together.
	p := b.postMultipart(docsPath+"/new", contribution(fx.org(china), ""), &docFile{"fake.pdf", strings.NewReader("nope")})
	wantStatus(t, p, 422)
	if d := p.doc(t); testid(d, "error-title").Length() != 1 || testid(d, "error-file").Length() != 1 {
		t.Error("a bad title and a bad file are not both named")
	}
	// Nothing half-saved: no document, no number, no file recorded as a document's. The good
	// files of the forms refused for another field are kept, pending, for those forms to be sent
	// again (the sweep removes them later); the bad files are not kept at all.
	for _, table := range []string{"documents", "document_counters", "document_files"} {
		if n := fx.count(table); n != 0 {
			t.Errorf("%d rows in %s after refused uploads", n, table)
		}
	}
	var claimed, pending, objects int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE pending_until IS NULL),
			count(*) FILTER (WHERE pending_until IS NOT NULL), (SELECT count(*) FROM blob_objects) FROM blobs`).Scan(&claimed, &pending, &objects); err != nil {
		t.Fatal(err)
	}
	if claimed != 0 || pending != 4 || objects != 4 {
		t.Errorf("after refused uploads: %d files claimed, %d pending, %d objects; want 0, 4 (the good files of the 4 forms refused for another field), 4",
			claimed, pending, objects)
	}
	// The limit is exact: a file of exactly the limit passes.
	exact := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("x"), limit-len(pdfBytes))...)
	wantRedirect(t, b.postMultipart(docsPath+"/new", ok, &docFile{"exact.pdf", bytes.NewReader(exact)}), docsPath+"/C1")
	// Every accepted kind passes with the right first bytes.
	for i, f := range []docFile{
		{"a.docx", strings.NewReader("PK\x03\x04 rest of a zip")},
		{"a.odt", strings.NewReader("PK\x03\x04 rest of a zip")},
		{"a.doc", bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2})},
		{"a.txt", strings.NewReader("Plain text, UTF-8: 文本\n")},
		{"a.rtf", strings.NewReader(`{\rtf1\ansi hello}`)},
	} {
		f := f
		wantRedirect(t, b.postMultipart(docsPath+"/new", ok, &f), docsPath+"/C"+strconv.Itoa(i+2))
	}
}

func TestSecretariatPostsTDsLiaisonsAndReports(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	sec := fx.as(secretariat)
	m, err := ts.db.MeetingDetail(context.Background(), letterSlug)
	if err != nil {
		t.Fatal(err)
	}
	var item5, cnao string
	wp1, _ := m.WorkingPartyBySlug("wp1")
	for _, a := range m.AgendaOf(wp1.ID) {
		if a.Position == 5 {
			item5 = strconv.FormatInt(a.ID, 10)
		}
	}
	for _, w := range m.WorkItems {
		if w.Acronym == "Y.CNAO" {
			cnao = strconv.FormatInt(w.ID, 10)
		}
	}
	if item5 == "" || cnao == "" {
		t.Fatal("the seed lacks WP1/13's item 5 or Y.CNAO")
	}
	td := form("type", "TD", "suffix", "WP1", "title", "Draft new Recommendation ITU-T Y.CNAO", "source_text", "Editors",
		"questions", "Q20/13", "agenda_item", item5, "work_item", cnao)
	wantRedirect(t, sec.postMultipart(docsPath+"/new", td, ptr(pdf("Y.CNAO.pdf"))), docsPath+"/TD1")
	wantRedirect(t, sec.postMultipart(docsPath+"/new", form("type", "TD", "suffix", "GEN", "title", "List of documents", "source_text", "TSB"), nil), docsPath+"/TD2")
	wantRedirect(t, sec.postMultipart(docsPath+"/new", form("type", "LS", "ls_direction", "incoming", "ls_purpose", "action",
		"title", "LS on network slicing", "source_text", "ITU-T SG11"), ptr(pdf("ls.pdf"))), docsPath+"/LS1")
	wantRedirect(t, sec.postMultipart(docsPath+"/new", form("type", "R", "title", "Report of WP1/13", "source_text", "WP1/13 chair"), ptr(pdf("r.pdf"))), docsPath+"/R1")
	// A TD needs its series, a liaison statement its direction and purpose.
	p := sec.postMultipart(docsPath+"/new", form("type", "TD", "title", "No series", "source_text", "TSB"), nil)
	wantStatus(t, p, 422)
	if got := text(testid(p.doc(t), "error-suffix")); got != "Choose the TD series: GEN, PLEN or a working party." {
		t.Errorf("suffix error = %q", got)
	}
	p = sec.postMultipart(docsPath+"/new", form("type", "LS", "title", "No direction", "source_text", "SG11"), nil)
	wantStatus(t, p, 422)
	if testid(p.doc(t), "error-ls_direction").Length() != 1 || testid(p.doc(t), "error-ls_purpose").Length() != 1 {
		t.Error("a liaison statement without direction and purpose is not refused beside both fields")
	}

	// TD1 is numbered in its series and linked from WP1/13's agenda, under item 5 and Y.CNAO.
	d := sec.get(docsPath + "/TD1").doc(t)
	if got := text(testid(d, "doc-number")); got != "SG13-TD1/WP1" {
		t.Errorf("TD number = %q", got)
	}
	agenda := ts.browser().get(letterPath + "/agenda/wp1")
	wantStatus(t, agenda, http.StatusOK)
	ad := agenda.doc(t)
	item := ad.Find(`[data-testid="agenda-item"][value="5"] [data-testid="agenda-documents"]`)
	if !strings.Contains(text(item), "SG13-TD1/WP1 Draft new Recommendation ITU-T Y.CNAO") {
		t.Errorf("item 5 documents = %q", text(item))
	}
	if got := text(ad.Find(`[data-testid="work-item"]:contains("Y.CNAO") [data-testid="work-item-documents"]`)); !strings.Contains(got, "SG13-TD1/WP1") {
		t.Errorf("Y.CNAO documents = %q", got)
	}
	// The registered TD2 has its number and no file yet; posting the file makes it the original.
	if testid(sec.get(docsPath+"/TD2").doc(t), "doc-no-file").Length() != 1 {
		t.Error("TD2 does not say it has no file yet")
	}
	wantRedirect(t, sec.postMultipart(docsPath+"/TD2/revisions", nil, ptr(pdf("list.pdf"))), docsPath+"/TD2")
	if testid(sec.get(docsPath+"/TD2").doc(t), "doc-rev-0").Length() != 1 {
		t.Error("the first file of TD2 is not its original")
	}

	// Editing the details: the secretariat moves the TD to another item; the number stays.
	var item6 string
	for _, a := range m.AgendaOf(wp1.ID) {
		if a.Position == 6 {
			item6 = strconv.FormatInt(a.ID, 10)
		}
	}
	td.Set("agenda_item", item6)
	td.Set("title", "Draft new Recommendation ITU-T Y.CNAO (revised)")
	wantRedirect(t, sec.post(docsPath+"/TD1/edit", td), docsPath+"/TD1")
	ad = ts.browser().get(letterPath + "/agenda/wp1").doc(t)
	if got := text(ad.Find(`[data-testid="agenda-item"][value="6"] [data-testid="agenda-documents"]`)); !strings.Contains(got, "(revised)") {
		t.Errorf("item 6 documents = %q", got)
	}
	if ad.Find(`[data-testid="agenda-item"][value="5"] [data-testid="agenda-documents"]`).Length() != 0 {
		t.Error("item 5 still lists the TD")
	}
	td.Set("questions", "Q77")
	p = sec.post(docsPath+"/TD1/edit", td)
	wantStatus(t, p, 422)
	if got := text(testid(p.doc(t), "error-questions")); got != "Q77 is not a Question of SG13." {
		t.Errorf("edit question error = %q", got)
	}

	// Withdrawn documents keep their number; the next TD takes the next number.
	wantRedirect(t, sec.post(docsPath+"/TD2/withdraw", nil), docsPath+"/TD2")
	if testid(sec.get(docsPath+"/TD2").doc(t), "doc-withdrawn").Length() == 0 {
		t.Error("TD2 is not marked withdrawn")
	}
	wantRedirect(t, sec.postMultipart(docsPath+"/new", form("type", "TD", "suffix", "PLEN", "title", "Opening", "source_text", "Chair"), nil), docsPath+"/TD3")
}

func TestDownloadsRevisionsAndTheArchive(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	original := []byte("%PDF-1.4 original " + strings.Repeat("o", 3<<20))
	rev1 := []byte("%PDF-1.4 revision one")
	name := `Contribution "Y.CNAO" – 中文.pdf`
	wantRedirect(t, b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Y.CNAO"), &docFile{name, bytes.NewReader(original)}), docsPath+"/C1")
	wantRedirect(t, b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Another"), &docFile{"other.txt", strings.NewReader("hello\n")}), docsPath+"/C2")
	wantRedirect(t, b.postMultipart(docsPath+"/C1/revisions", nil, &docFile{"rev1.pdf", bytes.NewReader(rev1)}), docsPath+"/C1")

	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	p := b.get(docsPath + "/C1/rev/0")
	wantStatus(t, p, http.StatusOK)
	if p.body != string(original) {
		t.Fatalf("the original comes back with %d bytes, want %d", len(p.body), len(original))
	}
	if got := p.Header.Get("ETag"); got != `"`+sum(original)+`"` {
		t.Errorf("ETag = %s", got)
	}
	if got := p.Header.Get("Content-Disposition"); got != `attachment; filename="Contribution Y.CNAO _ __.pdf"; filename*=UTF-8''Contribution%20Y.CNAO%20%E2%80%93%20%E4%B8%AD%E6%96%87.pdf` {
		t.Errorf("Content-Disposition = %s", got)
	}
	if got := p.Header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("Content-Type = %s", got)
	}
	if got := p.Header.Get("Cache-Control"); got != "private, no-cache" {
		t.Errorf("Cache-Control = %s", got)
	}
	// The latest file is Rev.1; the original stays at its own address.
	latest := b.get(docsPath + "/C1/file")
	if latest.body != string(rev1) {
		t.Errorf("latest = %q", latest.body)
	}
	if got := text(testid(b.get(docsPath).doc(t), "doc-C1").Find(`[data-testid="doc-revision"]`)); got != "Rev.1" {
		t.Errorf("revision in the list = %q", got)
	}
	// Conditional and range requests.
	p = b.get(docsPath+"/C1/rev/0", "If-None-Match", `"`+sum(original)+`"`)
	wantStatus(t, p, http.StatusNotModified)
	if p.body != "" {
		t.Error("304 with a body")
	}
	wantStatus(t, b.get(docsPath+"/C1/rev/0", "If-None-Match", `"something else"`), http.StatusOK)
	p = b.get(docsPath+"/C1/rev/0", "Range", "bytes=1048570-1048589")
	wantStatus(t, p, http.StatusPartialContent)
	if p.body != string(original[1048570:1048590]) {
		t.Errorf("range across chunks = %q", p.body)
	}
	p = b.get(docsPath+"/C1/rev/0", "Range", fmt.Sprintf("bytes=%d-", len(original)-5))
	if p.body != string(original[len(original)-5:]) {
		t.Errorf("suffix range = %q", p.body)
	}
	wantStatus(t, b.get(docsPath+"/C1/rev/2"), http.StatusNotFound)
	wantStatus(t, b.get(docsPath+"/C9/file"), http.StatusNotFound)
	wantStatus(t, b.get(docsPath+"/X1/file"), http.StatusNotFound)

	// The archive holds the latest file of each document, stored as is.
	p = b.get(letterPath + "/documents.zip")
	wantStatus(t, p, http.StatusOK)
	if got := p.Header.Get("Content-Type"); got != "application/zip" {
		t.Errorf("archive Content-Type = %s", got)
	}
	zr, err := zip.NewReader(strings.NewReader(p.body), int64(len(p.body)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC-32
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		got[f.Name] = string(b)
	}
	if len(got) != 2 || got["SG13-C1-Rev.1.pdf"] != string(rev1) || got["SG13-C2.txt"] != "hello\n" {
		t.Errorf("archive = %v", func() []string {
			var n []string
			for k := range got {
				n = append(n, k)
			}
			return n
		}())
	}
	// Filtered like the list; and not for visitors.
	p = b.get(letterPath + "/documents.zip?q=another")
	zr, err = zip.NewReader(strings.NewReader(p.body), int64(len(p.body)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "SG13-C2.txt" {
		t.Errorf("filtered archive: %v %d files", err, len(zr.File))
	}
	wantStatus(t, ts.browser().get(letterPath+"/documents.zip"), http.StatusSeeOther)
}

func TestTheListFiltersSearchesSortsAndPages(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ts := newDocSite(t, db, beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	post := func(title, questions string) {
		f := contribution(fx.org(china), title)
		f.Set("questions", questions)
		p := b.postMultipart(docsPath+"/new", f, ptr(pdf("c.pdf")))
		wantStatus(t, p, http.StatusSeeOther)
	}
	post("Zeta on slicing", "Q21/13")
	post("Alpha on quantum key distribution", "Q16/13")
	post("Beta on slicing and 100% of it", "Q20/13")
	wantRedirect(t, fx.as(secretariat).postMultipart(docsPath+"/new", form("type", "TD", "suffix", "WP4", "title", "A TD on QKD", "source_text", "Editor"), nil), docsPath+"/TD1")

	order := func(path string) string {
		p := ts.browser().get(path)
		wantStatus(t, p, http.StatusOK)
		return texts(testid(p.doc(t), "documents").Find(`[data-testid="doc-number"]`))
	}
	if got := order(docsPath); got != "SG13-C1|SG13-C2|SG13-C3|SG13-TD1/WP4" {
		t.Errorf("by number: %s", got)
	}
	if got := order(docsPath + "?sort=title"); got != "SG13-TD1/WP4|SG13-C2|SG13-C3|SG13-C1" {
		t.Errorf("by title: %s", got)
	}
	if got := order(docsPath + "?type=TD"); got != "SG13-TD1/WP4" {
		t.Errorf("TDs: %s", got)
	}
	if got := order(docsPath + "?wp=wp1"); got != "SG13-C1|SG13-C3" {
		t.Errorf("WP1: %s", got)
	}
	if got := order(docsPath + "?question=16"); got != "SG13-C2" {
		t.Errorf("Q16: %s", got)
	}
	if got := order(docsPath + "?q=SLICING"); got != "SG13-C1|SG13-C3" {
		t.Errorf("search: %s", got)
	}
	if got := order(docsPath + "?q=100%25"); got != "SG13-C3" {
		t.Errorf("search for a percent sign: %s", got)
	}
	if got := order(docsPath + "?q=_"); got != "" {
		t.Errorf("search for an underscore: %s", got)
	}
	p := ts.browser().get(docsPath + "?wp=wp1&q=slicing")
	d := p.doc(t)
	if got := text(testid(d, "doc-count")); got != "2 documents" {
		t.Errorf("count = %q", got)
	}
	if v, _ := d.Find(`select[name="wp"] option[selected]`).Attr("value"); v != "wp1" {
		t.Errorf("the filter does not show the chosen working party: %q", v)
	}

	// A long list comes in pages of 100, in order, with links that keep the filter.
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO documents (meeting_id, study_group_id, study_period, doc_type, number, title, state, submitted_at)
		SELECT m.id, m.study_group_id, '2025-2028', 'C', 100 + n, 'Bulk ' || n, 'registered', now()
		FROM meetings m, generate_series(1, 150) n WHERE m.slug = $1`, letterSlug); err != nil {
		t.Fatal(err)
	}
	p = ts.browser().get(docsPath + "?type=C")
	d = p.doc(t)
	if n := testid(d, "documents").Find("tbody tr").Length(); n != 100 {
		t.Errorf("first page: %d rows", n)
	}
	next, _ := testid(d, "doc-next").Attr("href")
	if next != docsPath+"?type=C&page=2" {
		t.Fatalf("next page link = %q", next)
	}
	d = ts.browser().get(next).doc(t)
	if n := testid(d, "documents").Find("tbody tr").Length(); n != 53 {
		t.Errorf("second page: %d rows", n)
	}
}

func TestPagesLinkToTheDocuments(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	d := ts.browser().get(letterPath).doc(t)
	if href, _ := testid(d, "documents-link").Attr("href"); href != docsPath {
		t.Errorf("the meeting page links to %q for its documents", href)
	}
	// A focal point reaches the members page from the list.
	fx := docFixture{t, ts}
	d = fx.as("focal.ms@plenary.test").get(docsPath).doc(t)
	if d.Find(`a[href="/focal/members"]`).Length() != 1 {
		t.Error("the list does not link a focal point to the members page")
	}
	p := fx.as("focal.ms@plenary.test").get("/focal/members")
	wantStatus(t, p, http.StatusOK)
	row := testid(p.doc(t), "member-"+strconv.FormatInt(fx.account(delegate), 10))
	if !strings.Contains(text(row), "Awaiting confirmation") || row.Find(`[data-testid="member-confirm"]`).Length() != 1 {
		t.Errorf("the delegate's row = %q", text(row))
	}
	// In Chinese too.
	zh := ts.browser()
	zh.header.Set("Accept-Language", "zh-CN")
	if got := text(testid(zh.get(docsPath).doc(t), "documents-title")); got != "文件" {
		t.Errorf("zh title = %q", got)
	}
}

// The keys the document pages build from a value exist in every language.
func TestDocumentComputedKeysExist(t *testing.T) {
	t.Parallel()
	cat := catalogue(t)
	var keys []string
	for _, x := range domain.DocTypes {
		keys = append(keys, "doc.type_"+strings.ToLower(string(x)))
	}
	for _, x := range []string{domain.Incoming, domain.Outgoing, domain.ForAction, domain.ForInformation} {
		keys = append(keys, "doc.ls_"+x)
	}
	for _, l := range cat.Langs() {
		tr := cat.For(l.Tag)
		for _, k := range keys {
			if got := tr.T(k); got == k || got == "" {
				t.Errorf("%s lacks %s", l.Tag, k)
			}
		}
	}
	if cat.For("zh").T("doc.type_td") == cat.For("en").T("doc.type_td") {
		t.Error("doc.type_td is not translated into Chinese")
	}
}
