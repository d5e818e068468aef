package site_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/seed"
	"plenary/internal/service"
	"plenary/internal/site"
	"plenary/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	letterSlug  = "sg13-wp-2025-07"
	letterPath  = "/meetings/" + letterSlug
	secretariat = "secretariat@plenary.test"
	delegate    = "delegate.ms@plenary.test"
)

// afterTheMeeting is the default clock of the tests: the day after the letter's meeting, when all
// of its deadlines have passed.
var afterTheMeeting = time.Date(2025, 7, 26, 10, 0, 0, 0, time.UTC)

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testSite is the whole web layer over the test's own database, served on a loopback port.
type testSite struct {
	t   *testing.T
	db  *postgres.DB
	cat *i18n.Catalogue
	srv *httptest.Server
	log *syncBuffer
	// server is the web layer srv serves.
	server *site.Server
}

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func newSite(t *testing.T, now time.Time) *testSite {
	t.Helper()
	return newSiteOver(t, pgtest.New(t), now)
}

func newSiteOver(t *testing.T, db *postgres.DB, now time.Time) *testSite {
	t.Helper()
	return newSiteWith(t, db, now, nil)
}

// newSiteWith is newSiteOver with options changed by opts (when not nil).
func newSiteWith(t *testing.T, db *postgres.DB, now time.Time, opts func(*site.Options)) *testSite {
	t.Helper()
	return newSiteWithServices(t, db, now, opts, nil)
}

// testServices are the use cases over db as the tests build them: with cheap password hashes,
// changed by opts (when not nil).
func testServices(db *postgres.DB, now func() time.Time, opts func(*app.ServiceOptions)) service.Services {
	o := app.ServiceOptions{Hash: pgtest.Hash, Verify: pgtest.Verify}
	if opts != nil {
		opts(&o)
	}
	return app.NewServicesWith(db, now, o)
}

// newSiteWithServices is newSiteWith with the use cases' options changed by sopts (when not nil).
func newSiteWithServices(t *testing.T, db *postgres.DB, now time.Time, opts func(*site.Options), sopts func(*app.ServiceOptions)) *testSite {
	t.Helper()
	ts := &testSite{t: t, db: db, cat: catalogue(t), log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := site.Options{
		BaseURL: "http://plenary.test",
		Now:     func() time.Time { return now },
	}
	if opts != nil {
		opts(&o)
	}
	// The use cases write links (mail, the letters' verification address) to the site's address.
	svc := testServices(db, func() time.Time { return now }, func(so *app.ServiceOptions) {
		so.BaseURL, so.Log = o.BaseURL, logger
		if sopts != nil {
			sopts(so)
		}
	})
	s := site.New(db.Sessions(), svc, logger, ts.cat, o)
	ts.server = s
	ts.srv = httptest.NewUnstartedServer(s.Handler())
	ts.srv.Config.ConnContext = site.ConnContext
	ts.srv.Start()
	t.Cleanup(ts.srv.Close)
	return ts
}

// browser is one visitor: its own cookies, and redirects are not followed so that tests see them.
type browser struct {
	site *testSite
	c    *http.Client
	// header is sent with every request.
	header http.Header
}

func (ts *testSite) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &browser{site: ts, header: http.Header{}, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read.
type page struct {
	*http.Response
	body string
}

func (p page) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *browser) do(req *http.Request, extra ...string) page {
	t := b.site.t
	t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp, string(body)}
}

// get requests path; extra holds header name/value pairs.
func (b *browser) get(path string, extra ...string) page {
	b.site.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.site.srv.URL+path, nil)
	if err != nil {
		b.site.t.Fatal(err)
	}
	return b.do(req, extra...)
}

// post submits a form to path; extra holds header name/value pairs.
func (b *browser) post(path string, form url.Values, extra ...string) page {
	b.site.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.site.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.site.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, extra...)
}

// login signs in with the demo password and checks it worked.
func (b *browser) login(email string) {
	t := b.site.t
	t.Helper()
	p := b.post("/login", url.Values{"email": {email}, "password": {seed.DemoPassword}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303\n%s", email, p.StatusCode, p.body)
	}
}

func wantStatus(t *testing.T, p page, want int) {
	t.Helper()
	if p.StatusCode != want {
		body := p.body
		if len(body) > 2000 {
			body = body[:2000] + "…"
		}
		t.Fatalf("%s %s: status %d, want %d\n%s", p.Request.Method, p.Request.URL.RequestURI(), p.StatusCode, want, body)
	}
}

func wantRedirect(t *testing.T, p page, location string) {
	t.Helper()
	wantStatus(t, p, http.StatusSeeOther)
	if got := p.Header.Get("Location"); got != location {
		t.Fatalf("%s %s redirects to %q, want %q", p.Request.Method, p.Request.URL.RequestURI(), got, location)
	}
}

// testid selects the elements with a data-testid.
func testid(d *goquery.Document, id string) *goquery.Selection {
	return d.Find(`[data-testid="` + id + `"]`)
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// texts joins the text of each element with "|".
func texts(s *goquery.Selection) string {
	var out []string
	s.Each(func(_ int, e *goquery.Selection) { out = append(out, text(e)) })
	return strings.Join(out, "|")
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// form builds form values from name/value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// decideRegistrations runs the decision use case (internal/service) at now.
func decideRegistrations(ctx context.Context, db *postgres.DB, a postgres.Audit, actor domain.Actor, ids []int64, approve bool, reason string, now time.Time) (service.DecideResult, error) {
	return app.NewServices(db, func() time.Time { return now }).Registrations.Decide(ctx, a, actor, ids, approve, reason)
}
