package site_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"plenary/internal/pgtest"
	"plenary/internal/seed"
)

func organisationID(t *testing.T, ts *testSite) string {
	t.Helper()
	orgs, err := ts.db.Organisations(context.Background())
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organisations: %v (%d)", err, len(orgs))
	}
	return strconv.FormatInt(orgs[0].ID, 10)
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	creds := form("email", secretariat, "password", seed.DemoPassword)
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "https://evil.example"},
	} {
		p := b.post("/login", creds, h...)
		wantStatus(t, p, http.StatusForbidden)
		if cookieNamed(p.Response, "plenary_session") != nil {
			t.Errorf("%s: %s got a session", h[0], h[1])
		}
	}
	for _, path := range []string{"/signup", "/language", "/logout"} {
		wantStatus(t, b.post(path, form("lang", "zh"), "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
	}
	// The same form from the site itself goes through.
	wantStatus(t, b.post("/login", creds, "Sec-Fetch-Site", "same-origin", "Origin", ts.srv.URL), http.StatusSeeOther)
}

func TestSignup(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	org := organisationID(t, ts)
	b := ts.browser()

	p := b.get("/signup")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	for _, name := range []string{"email", "password", "given_name", "family_name", "organisation_id", "gender"} {
		if d.Find(`[data-testid="signup-form"] [name="`+name+`"]`).Length() != 1 {
			t.Errorf("the signup form lacks %s", name)
		}
	}

	p = b.post("/signup", form("email", "ana.silva@example.org", "password", "a long enough password",
		"given_name", "Ana", "family_name", "Silva", "organisation_id", org, "gender", "female"))
	wantRedirect(t, p, "/")
	c := cookieNamed(p.Response, "plenary_session")
	if c == nil || c.Value == "" {
		t.Fatal("no session cookie after signing up")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie HttpOnly=%v SameSite=%v, want HttpOnly and Lax", c.HttpOnly, c.SameSite)
	}
	home := b.get("/")
	wantStatus(t, home, http.StatusOK)
	hd := home.doc(t)
	if got := text(testid(hd, "flash")); got != "Welcome, Ana Silva. Your account is ready. We have sent a link to ana.silva@example.org to verify it." {
		t.Errorf("flash = %q", got)
	}
	if got := text(testid(hd, "user-name")); got != "Ana Silva" {
		t.Errorf("signed in as %q", got)
	}
	me := b.get("/me")
	wantStatus(t, me, http.StatusOK)
	if got := text(testid(me.doc(t), "me-account")); !strings.Contains(got, "ana.silva@example.org") {
		t.Errorf("/me = %q", got)
	}
	cred, err := ts.db.Credentials(context.Background(), "ana.silva@example.org")
	if err != nil || cred.PasswordHash == "" || strings.Contains(cred.PasswordHash, "a long enough password") {
		t.Errorf("stored credentials %+v, %v", cred, err)
	}
}

func TestSignupShowsEachProblemBesideItsField(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	const password = "short"
	p := b.post("/signup", form("email", "not-an-email", "password", password, "given_name", "Zhang",
		"family_name", "", "organisation_id", ""))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	d := p.doc(t)
	want := map[string]string{
		"email":           "Enter an email address like name@example.org.",
		"password":        ts.cat.For("en").N("validation.min", 10),
		"family_name":     "Enter this information.",
		"organisation_id": "Enter this information.",
	}
	for field, msg := range want {
		got := text(testid(d, "error-"+field))
		if !strings.Contains(got, msg) {
			t.Errorf("error-%s = %q, want %q", field, got, msg)
		}
		if d.Find("#"+field).AttrOr("aria-invalid", "") != "true" {
			t.Errorf("%s is not aria-invalid", field)
		}
	}
	if testid(d, "error-given_name").Length() != 0 {
		t.Error("a message beside the given name, which was right")
	}
	if testid(d, "error-summary").Find("li").Length() != len(want) {
		t.Errorf("error summary = %q, want %d entries", text(testid(d, "error-summary")), len(want))
	}
	if got := d.Find("#email").AttrOr("value", ""); got != "not-an-email" {
		t.Errorf("typed email not kept: %q", got)
	}
	if got := d.Find("#given_name").AttrOr("value", ""); got != "Zhang" {
		t.Errorf("typed given name not kept: %q", got)
	}
	if got := d.Find("#password").AttrOr("value", ""); got != "" {
		t.Errorf("password echoed back: %q", got)
	}
	if strings.Contains(p.body, `value="`+password+`"`) {
		t.Error("the password is in the page")
	}
	if cookieNamed(p.Response, "plenary_session") != nil && b.get("/me").StatusCode == http.StatusOK {
		t.Error("a refused signup signed the visitor in")
	}

	// An organisation that does not exist.
	p = b.post("/signup", form("email", "ok@example.org", "password", "a long enough password",
		"given_name", "A", "family_name", "B", "organisation_id", "999999"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-organisation_id")); !strings.Contains(got, "Choose an organisation from the list.") {
		t.Errorf("unknown organisation: %q", got)
	}

	// An email taken in another letter case.
	p = b.post("/signup", form("email", "SECRETARIAT@plenary.test", "password", "a long enough password",
		"given_name", "A", "family_name", "B", "organisation_id", organisationID(t, ts)))
	wantStatus(t, p, http.StatusConflict)
	if got := text(testid(p.doc(t), "error-email")); !strings.Contains(got, "An account with this email address already exists.") {
		t.Errorf("taken email: %q", got)
	}
}

func TestLoginAndLogout(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()

	wantRedirect(t, b.get("/me"), "/login?next=%2Fme")
	login := b.get("/login?next=%2Fme")
	wantStatus(t, login, http.StatusOK)
	if got := testid(login.doc(t), "login-form").AttrOr("action", ""); got != "/login?next=%2Fme" {
		t.Errorf("login form action = %q", got)
	}

	p := b.post("/login?next=%2Fme", form("email", "Secretariat@Plenary.test", "password", seed.DemoPassword))
	wantRedirect(t, p, "/me")
	c := cookieNamed(p.Response, "plenary_session")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", c)
	}
	me := b.get("/me")
	wantStatus(t, me, http.StatusOK)
	if got := text(testid(me.doc(t), "me-roles")); !strings.Contains(got, "Secretariat") {
		t.Errorf("roles = %q", got)
	}

	wantRedirect(t, b.post("/logout", nil), "/")
	wantRedirect(t, b.get("/me"), "/login?next=%2Fme")
	home := b.get("/")
	wantStatus(t, home, http.StatusOK)
	if testid(home.doc(t), "user-name").Length() != 0 {
		t.Error("still signed in after logging out")
	}

	// next never leaves the site.
	wantRedirect(t, b.post("/login?next=%2F%2Fevil.example", form("email", secretariat, "password", seed.DemoPassword)), "/")
}

func TestLoginFailureIsGeneric(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	var messages []string
	for _, creds := range [][]string{
		{secretariat, "wrong password"},
		{"nobody@plenary.test", seed.DemoPassword},
	} {
		p := b.post("/login", form("email", creds[0], "password", creds[1]))
		wantStatus(t, p, http.StatusUnauthorized)
		d := p.doc(t)
		messages = append(messages, text(testid(d, "error-summary")))
		if got := d.Find("#email").AttrOr("value", ""); got != creds[0] {
			t.Errorf("typed email not kept: %q", got)
		}
		if got := d.Find("#password").AttrOr("value", ""); got != "" {
			t.Errorf("password echoed: %q", got)
		}
		if cookieNamed(p.Response, "plenary_session") != nil && b.get("/me").StatusCode == http.StatusOK {
			t.Error("a failed login signed in")
		}
	}
	if messages[0] != messages[1] || !strings.Contains(messages[0], "The email address or the password is not right.") {
		t.Errorf("messages = %q, want the same generic message for a wrong password and an unknown email", messages)
	}
	wantStatus(t, b.post("/login", form("email", "", "password", "")), http.StatusUnprocessableEntity)
}

func TestLoginIsRateLimitedPerAccount(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	for i := 0; i < 5; i++ {
		wantStatus(t, b.post("/login", form("email", delegate, "password", "guess "+strconv.Itoa(i))), http.StatusUnauthorized)
	}
	// Even the right password is refused now, in any letter case of the email.
	p := b.post("/login", form("email", strings.ToUpper(delegate), "password", seed.DemoPassword))
	wantStatus(t, p, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > 15*60+1 {
		t.Errorf("Retry-After = %q", p.Header.Get("Retry-After"))
	}
	// The wait is rounded up; with the clock standing still it is the whole window.
	if m := regexp.MustCompile(`Try again in (\d+) minutes`).FindStringSubmatch(text(testid(p.doc(t), "error-summary"))); m == nil || (m[1] != "15" && m[1] != "16") {
		t.Errorf("message = %q, want the wait of 15 minutes", text(testid(p.doc(t), "error-summary")))
	}
	if b.get("/me").StatusCode == http.StatusOK {
		t.Error("signed in while rate limited")
	}
	// Another account from the same address is not blocked.
	wantStatus(t, b.post("/login", form("email", secretariat, "password", seed.DemoPassword)), http.StatusSeeOther)
}

func TestSecretariatPagesNeedTheRole(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)

	visitor := ts.browser()
	wantRedirect(t, visitor.get("/secretariat"), "/login?next=%2Fsecretariat")
	wantRedirect(t, visitor.get("/secretariat/organisations"), "/login?next=%2Fsecretariat%2Forganisations")

	d := ts.browser()
	d.login(delegate)
	for _, path := range []string{"/secretariat", "/secretariat/organisations", "/secretariat/meetings/1"} {
		p := d.get(path)
		wantStatus(t, p, http.StatusForbidden)
		// The delegate's account prefers Chinese.
		if got := text(testid(p.doc(t), "error-message")); got != ts.cat.For("zh").T("error.forbidden") {
			t.Errorf("%s: message %q", path, got)
		}
	}
	wantStatus(t, d.post("/secretariat/organisations/new", form("name", "X")), http.StatusForbidden)

	s := ts.browser()
	s.login(secretariat)
	p := s.get("/secretariat")
	if p.StatusCode == http.StatusForbidden || p.StatusCode == http.StatusSeeOther || p.StatusCode >= 500 {
		t.Errorf("the secretariat gets %d at /secretariat", p.StatusCode)
	}
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	h := b.get("/healthz")
	wantStatus(t, h, http.StatusOK)
	wantStatus(t, b.get("/readyz"), http.StatusOK)
	wantStatus(t, b.get(letterPath), http.StatusOK)
	wantStatus(t, b.get("/no-such-page"), http.StatusNotFound)
	// The metrics are not on the public site: the app serves them on METRICS_ADDR.
	wantStatus(t, b.get("/metrics"), http.StatusNotFound)
	metricsSrv := httptest.NewServer(ts.server.MetricsHandler())
	defer metricsSrv.Close()
	metricsOf := func() page {
		t.Helper()
		res, err := http.Get(metricsSrv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return page{res, string(body)}
	}
	m := metricsOf()
	wantStatus(t, m, http.StatusOK)
	if !strings.Contains(m.body, "plenary_http_requests_total") || !strings.Contains(m.body, "plenary_http_request_duration_seconds") {
		t.Fatalf("metrics lack the request counters:\n%s", m.body)
	}
	// Requests are counted by route pattern, not by path, so the series stay few.
	if !strings.Contains(m.body, `plenary_http_requests_total{method="GET",route="/meetings/{slug}",status="200"} 1`) {
		t.Errorf("metrics do not count GET /meetings/{slug}:\n%s", grepLines(m.body, "plenary_http_requests_total"))
	}
	if strings.Contains(m.body, letterSlug) {
		t.Error("metrics name a meeting's path")
	}

	// A method no browser sends is counted as "other": clients cannot add series at will.
	for _, method := range []string{"BREW", "PROPFIND"} {
		req, err := http.NewRequest(method, ts.srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ts.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	m = metricsOf()
	if strings.Contains(m.body, `method="BREW"`) || strings.Contains(m.body, `method="PROPFIND"`) {
		t.Errorf("metrics name a method a client made up:\n%s", grepLines(m.body, "plenary_http_requests_total"))
	}
	if !strings.Contains(m.body, `method="other"`) {
		t.Errorf("metrics do not count made-up methods as other:\n%s", grepLines(m.body, "plenary_http_requests_total"))
	}
	if !strings.Contains(m.body, `plenary_http_requests_total{method="GET",route="/meetings/{slug}",status="200"} 1`) {
		t.Errorf("the count of GET /meetings/{slug} changed:\n%s", grepLines(m.body, "plenary_http_requests_total"))
	}
}

func TestReadyzFailsWithoutTheDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t) // closing it twice is harmless
	ts := newSiteOver(t, db, afterTheMeeting)
	db.Close()
	b := ts.browser()
	wantStatus(t, b.get("/healthz"), http.StatusOK)
	wantStatus(t, b.get("/readyz"), http.StatusServiceUnavailable)
}

func TestInternalErrorsShowNoDetail(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t) // closing it twice is harmless
	ts := newSiteOver(t, db, afterTheMeeting)
	db.Close() // every query fails from now on
	b := ts.browser()
	for _, path := range []string{"/", letterPath, letterPath + "/agenda"} {
		p := b.get(path)
		wantStatus(t, p, http.StatusInternalServerError)
		d := p.doc(t)
		if got := text(testid(d, "error-title")); got != "Sorry, something went wrong" {
			t.Errorf("%s: title %q", path, got)
		}
		if got := text(testid(d, "error-message")); !strings.HasPrefix(got, "The portal could not complete your request.") {
			t.Errorf("%s: message %q", path, got)
		}
		for _, leak := range []string{"closed", "pool", "postgres", "pgx", "sql", ".go:"} {
			if strings.Contains(strings.ToLower(text(d.Find("main"))), leak) {
				t.Errorf("%s: the page shows %q", path, leak)
			}
		}
	}
	// The detail goes to the log, with the request id the user could quote.
	log := ts.log.String()
	if !strings.Contains(log, "internal error") || !strings.Contains(log, "closed pool") {
		t.Errorf("the internal error was not logged with its detail:\n%s", log)
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A session is stored beside the account it is signed in as; one stored before that (no account
// beside it) still signs its holder in.
func TestSessionKeepsItsAccountBesideIt(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	b := ts.browser()
	b.login(delegateSM)
	ctx := context.Background()
	acc, err := ts.db.AccountByEmail(ctx, delegateSM)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE account_id = $1`, acc.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d sessions beside the account (%v), want 1", n, err)
	}
	if _, err := ts.db.Pool.Exec(ctx, `UPDATE sessions SET account_id = NULL`); err != nil {
		t.Fatal(err)
	}
	me := b.get("/me")
	wantStatus(t, me, http.StatusOK)
	if got := text(testid(me.doc(t), "user-name")); !strings.Contains(got, acc.GivenName) {
		t.Errorf("signed in as %q", got)
	}
}
