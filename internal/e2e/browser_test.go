// Package e2e_test runs the real plenary binary against its own PostgreSQL database and drives it
// with the machine's Chromium, the way a delegate and the secretariat use it, checking every page
// it visits with axe-core for accessibility.
package e2e_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"plenary/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	letterSlug  = "sg13-wp-2025-07"
	letterPath  = "/meetings/" + letterSlug
	zhTitle     = "第1/13、2/13、3/13和4/13工作组会议"
	enTitle     = "Meetings of Working Parties 1/13, 2/13, 3/13 and 4/13"
	secretariat = "secretariat@plenary.test"
	// demoPassword is seed.DemoPassword, written out: the browser types what a person would.
	demoPassword = "plenary-demo"
)

// requireOrSkip fails under CI, where everything the test needs is installed by .ci/run, and
// skips elsewhere with the reason.
func requireOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (this fails instead of skipping when CI=true)")
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the module")
	}
	return filepath.Dir(gomod)
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	requireOrSkip(t, "no Chromium at /usr/bin/chromium (Debian: apt-get install chromium), nor in $CHROMIUM")
	return ""
}

// axeSource is axe-core's script, installed by `npm ci` at the module root.
func axeSource(t *testing.T, root string) string {
	t.Helper()
	// Every page checked with axe is also checked by the Nu HTML Checker, which takes a while to
	// start: start it now, while the test builds the binary.
	startHTMLChecker(root)
	p := filepath.Join(root, "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		requireOrSkip(t, "axe-core is not installed (%v): run `npm ci` at the module root", err)
	}
	return string(b)
}

// build compiles the real binary, as `make build` does.
func build(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plenary")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/plenary")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/plenary: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a process's output for the failure report.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var runningAt = regexp.MustCompile(`Plenary is running at (http://\S+)`)

// serve runs `plenary serve --migrate --demo` on a free port against databaseURL and returns the
// address it prints. The server is stopped with SIGTERM when the test ends.
func serve(t *testing.T, bin, databaseURL string) string {
	t.Helper()
	return serveWith(t, bin, map[string]string{"DATABASE_URL": databaseURL})
}

// startPortal is the set-up the browser tests share: it skips under -short, builds the binary,
// serves it on a fresh database (DATABASE_URL, with vars besides) and opens a browser on it. It
// returns the browser's tab and the database's address.
func startPortal(t *testing.T, vars map[string]string) (tab, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser test builds and runs the binary: not with -short")
	}
	root := moduleRoot(t)
	chromium := chromiumPath(t)
	axe := axeSource(t, root)
	bin := build(t, root)
	dbURL := pgtest.EmptyURL(t)
	env := map[string]string{"DATABASE_URL": dbURL}
	maps.Copy(env, vars)
	base := serveWith(t, bin, env)
	return tab{t: t, ctx: newBrowser(t, chromium), base: base, axe: axe}, dbURL
}

// serveWith is serve with the configuration env (DATABASE_URL among it); the portal's own
// variables of the test's environment are not passed on.
func serveWith(t *testing.T, bin string, vars map[string]string) string {
	t.Helper()
	u, _ := serveLogged(t, bin, vars)
	return u
}

// serveLogged is serveWith that also returns what the server writes to its standard error (its
// log).
func serveLogged(t *testing.T, bin string, vars map[string]string) (string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--migrate", "--demo")
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATABASE_URL", "DATABASE_URL_FILE", "ADDR", "DATA_DIR", "BASE_URL", "COOKIE_SECURE", "SMTP_URL", "SMTP_URL_FILE", "LOG_LEVEL",
			"DB_MAX_CONNS", "DATABASE_DIRECT_URL", "DATABASE_DIRECT_URL_FILE", "DB_EXEC_MODE", "DB_LISTEN", "METRICS_ADDR", "TRUST_PROXY",
			"MAIL_FROM", "DOCUMENT_MAX_BYTES", "VISA_RETENTION_DAYS":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "ADDR=127.0.0.1:0", "DATA_DIR="+t.TempDir(), "LOG_LEVEL=info")
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errs lockedBuffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&out, line)
			if m := runningAt.FindStringSubmatch(line); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil && !t.Failed() {
				t.Errorf("the server did not stop cleanly: %v\n%s", err, errs.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Error("the server did not stop within 15 s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("server stdout:\n%s\nserver stderr (last 8000 bytes):\n%s", out.String(), tail(errs.String(), 8000))
		}
	})
	select {
	case u := <-urlc:
		return u, &errs
	case err := <-exited:
		t.Fatalf("the server exited before serving: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errs.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("the server did not say where it runs within 90 s\nstdout:\n%s\nstderr:\n%s", out.String(), errs.String())
	}
	return "", nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// newBrowser starts a headless Chromium with a fresh profile and returns a context for its first
// tab; the browser is closed when the test ends.
func newBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it, before TempDir is removed
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser; it must not carry a timeout (it would end the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", execPath, err)
	}
	return ctx
}

// tab runs browser actions with a time limit and fails the test with what was being done.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  string
}

func (b tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](b tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// submit clicks a button that sends a form and waits for the page that answers.
func (b tab) submit(what, selector string) int64 {
	b.t.Helper()
	b.trackDocuments()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// follow clicks a link and waits until the page it leads to has loaded, so that what is read next
// is read from that page (a query made while the old page is replaced can find a node that is gone).
func (b tab) follow(what, selector string) {
	b.t.Helper()
	if status := b.submit(what, selector); status != 200 {
		b.t.Fatalf("%s: status %d", what, status)
	}
}

func (b tab) open(path string) {
	b.t.Helper()
	b.trackDocuments()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("open %s: status %d", path, resp.Status)
	}
}

func (b tab) text(selector string) string {
	b.t.Helper()
	s := run(b, "read "+selector, chromedp.Text(chromedp.CSS(selector), chromedp.NodeReady))
	return strings.Join(strings.Fields(s), " ")
}

func (b tab) eval(what, js string) string {
	b.t.Helper()
	return run(b, what, chromedp.Evaluate[string](js))
}

func (b tab) path() string {
	b.t.Helper()
	loc := run(b, "read the location", chromedp.Location())
	return strings.TrimPrefix(loc, b.base)
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"url"`
	Nodes  []axeNode `json:"nodes"`
}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

// checkA11y runs axe-core on the current page and fails on any violation, listing them; it then
// runs the Nu HTML Checker on the page as the server sent it (checkHTML).
func (b tab) checkA11y(name string) {
	b.t.Helper()
	b.checkHTML(name)
	res := b.axeRun(name)
	if res.Passes == 0 {
		b.t.Errorf("axe on %s passed no rule: it did not check the page", name)
	}
	for _, v := range res.Violations {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("    %s\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		b.t.Errorf("accessibility (axe) on %s: %s [%s] %s (%s)\n%s", name, v.ID, v.Impact, v.Help, v.URL, strings.Join(nodes, "\n"))
	}
}

func (b tab) axeRun(name string) axeResult {
	b.t.Helper()
	run(b, "inject axe-core", chromedp.Evaluate[chromedp.Void](b.axe))
	// axe on a long page takes a while on a loaded machine: it gets longer than other steps.
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document).then(r => ({
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, url: v.helpUrl,
			nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary || ""})),
		})),
	}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe on %s: %v", name, err)
	}
	return res
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test builds and runs the binary: not with -short")
	}
	root := moduleRoot(t)
	chromium := chromiumPath(t)
	axe := axeSource(t, root)
	bin := build(t, root)
	// An empty database: the binary migrates it and loads the seed and demo data itself.
	base := serve(t, bin, pgtest.EmptyURL(t))
	b := tab{t: t, ctx: newBrowser(t, chromium), base: base, axe: axe}

	if !t.Run("visitor reads the meeting in English", func(t *testing.T) {
		b := b
		b.t = t
		b.open("/")
		if got := b.eval("page language", `document.documentElement.lang`); got != "en" {
			t.Errorf("home page language = %q, want en", got)
		}
		b.checkA11y("the home page")
		// The check must catch a fault: an image without a text alternative.
		b.do("add an image without alt", chromedp.Evaluate[chromedp.Void](
			`document.querySelector('main').appendChild(Object.assign(document.createElement('img'), {src: '/favicon.ico'}))`))
		found := false
		for _, v := range b.axeRun("the home page with a fault").Violations {
			found = found || v.ID == "image-alt"
		}
		if !found {
			t.Error("axe did not report an image without alt: the accessibility checks prove nothing")
		}
		// The HTML check must catch a fault too: a stray attribute and a duplicate one, which the
		// browser's DOM would not show.
		if errs := htmlErrors(t, []byte(`<!DOCTYPE html><html lang="en"><head><title>t</title></head>`+
			`<body><input id="a" else aria-describedby="x" aria-describedby="y"></body></html>`)); len(errs) < 2 {
			t.Errorf("the Nu HTML Checker found %d error(s) in a page with two, want 2: %v", len(errs), errs)
		}
		b.open("/")
		b.follow("open the meeting from the list", `[data-testid="meetings-past"] a[href="`+letterPath+`"]`)
		b.do("see the meeting from the list", chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-title"]`)))
		if got := b.text(`[data-testid="meeting-title"]`); got != enTitle {
			t.Errorf("meeting title = %q", got)
		}
		if got := b.text(`[data-testid="session-wp4"] [data-testid="session-time"]`); got != "09:00" {
			t.Errorf("WP4 session = %q, want 09:00", got)
		}
		if got := b.text(`[data-testid="deadline-pre_registration"] [data-testid="deadline-status"]`); got != "Passed" {
			t.Errorf("pre-registration status = %q, want Passed", got)
		}
		b.checkA11y("the meeting page")
		b.follow("open the agenda", `a[href="`+letterPath+`/agenda"]`)
		b.do("see the agenda", chromedp.WaitVisible(chromedp.CSS(`[data-testid="agenda-wp4"]`)))
		if got := b.eval("count the work items", `String(document.querySelectorAll('[data-testid="acronym"]').length)`); got != "35" {
			t.Errorf("%s work items on the agenda, want 35", got)
		}
		b.checkA11y("the agenda")
	}) {
		return
	}

	if !t.Run("visitor switches to Chinese", func(t *testing.T) {
		b := b
		b.t = t
		status := b.submit("press 中文", `[data-testid="lang-zh"]`)
		if status != 200 {
			t.Errorf("after switching language: status %d", status)
		}
		if got := b.path(); got != letterPath+"/agenda" {
			t.Errorf("after switching language the browser is at %q, want back on the agenda", got)
		}
		if got := b.eval("page language", `document.documentElement.lang`); got != "zh" {
			t.Fatalf("page language = %q, want zh", got)
		}
		if got := b.text(`[data-testid="agenda-title"]`); got != "议程草案" {
			t.Errorf("agenda title = %q, want 议程草案", got)
		}
		if got := b.text(`[data-testid="agenda-wp1"] .item-title`); got != "开幕致辞和欢迎" {
			t.Errorf("first agenda item = %q, want 开幕致辞和欢迎", got)
		}
		b.checkA11y("the agenda in Chinese")
		b.open(letterPath)
		if got := b.text(`[data-testid="meeting-title"]`); got != zhTitle {
			t.Errorf("meeting title = %q, want %q", got, zhTitle)
		}
		if got := b.text(`[data-testid="deadline-pre_registration"] [data-testid="deadline-status"]`); got != "已过" {
			t.Errorf("pre-registration status = %q, want 已过", got)
		}
		b.checkA11y("the meeting page in Chinese")
	}) {
		return
	}

	if !t.Run("secretariat logs in", func(t *testing.T) {
		b := b
		b.t = t
		b.open("/login")
		b.checkA11y("the login page")
		b.do("fill in the login form",
			chromedp.SendKeys(chromedp.CSS("#email"), secretariat, chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS("#password"), demoPassword, chromedp.NodeVisible))
		if status := b.submit("log in", `[data-testid="login-form"] button[type="submit"]`); status != 200 {
			t.Fatalf("after logging in: status %d", status)
		}
		if got := b.path(); got != "/" {
			t.Errorf("after logging in the browser is at %q, want /", got)
		}
		if got := b.text(`[data-testid="user-name"]`); got != "Sara Secretariat" {
			t.Fatalf("signed in as %q, want Sara Secretariat", got)
		}
		b.checkA11y("the home page signed in")
		b.open("/secretariat/mail")
		b.checkA11y("the secretariat's mail page")
	}) {
		return
	}

	t.Run("secretariat changes a session's time and the public page shows it", func(t *testing.T) {
		b := b
		b.t = t
		secretariatMovesASession(t, b)
	})
}

// secretariatMovesASession moves WP4's session from 09:00 to 09:45 in the sessions section of the
// editor of the open demo meeting (the letter's meeting is over: archived, read-only) and checks
// that a visitor in another browser profile, whose page of the meeting the server had cached,
// sees the new time.
func secretariatMovesASession(t *testing.T, b tab) {
	b.open("/secretariat")
	slug := b.eval("find the open demo meeting", `(() => {
		const a = [...document.querySelectorAll('[data-testid^="edit-sg13-wp-"]')]
			.find(a => a.getAttribute('data-testid') !== 'edit-`+letterSlug+`');
		return a ? a.getAttribute('data-testid').slice('edit-'.length) : '';
	})()`)
	if slug == "" {
		t.Fatalf("no demo meeting in the secretariat's list:\n%s", b.text("main"))
	}
	path := "/meetings/" + slug
	// A visitor reads the meeting first, so the server caches the page.
	visitorCtx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	// The first run opens the tab, bound to the context it is given: no time limit on it.
	if err := chromedp.Do(visitorCtx); err != nil {
		t.Fatalf("open a visitor's tab: %v", err)
	}
	visitor := tab{t: t, ctx: visitorCtx, base: b.base, axe: b.axe}
	visitor.open(path)
	if got := visitor.text(`[data-testid="session-wp4"] [data-testid="session-time"]`); got != "09:00" {
		t.Fatalf("visitor sees WP4 at %q before the change, want 09:00", got)
	}

	b.follow("open the meeting's editor", `[data-testid="edit-`+slug+`"]`)
	b.checkA11y("the meeting's editor")
	b.follow("open the sessions", `[data-testid="section-sessions"]`)
	b.do("see the sessions' form", chromedp.WaitVisible(chromedp.CSS(`[data-testid="sessions-form"]`)))
	b.checkA11y("the secretariat's sessions form")
	// Rows are in time order: WP4's 09:00 session is the first.
	if got := run(b, "read the first session's start", chromedp.Value(chromedp.CSS(`[name="s-0-start"]`))); got != "09:00" {
		t.Fatalf("first session row starts at %q, want 09:00", got)
	}
	b.do("move the first session to 09:45", chromedp.SetValue(chromedp.CSS(`[name="s-0-start"]`), "09:45", chromedp.NodeVisible))
	if status := b.submit("save the sessions", `[data-testid="save-sessions"]`); status != 200 {
		t.Fatalf("after saving the sessions: status %d", status)
	}
	if n := b.eval("look for form errors", `String(document.querySelectorAll('[data-testid="sessions-form"] [data-testid^="error-"], [data-testid="error-summary"]').length)`); n != "0" {
		t.Fatalf("the sessions form shows %s error(s) after saving:\n%s", n, b.text("main"))
	}
	if got := b.text(`[data-testid="flash"]`); got != "会议场次已保存：新增0项，修改1项，删除0项。" { // the browser switched to Chinese before
		t.Errorf("after saving, the page says %q", got)
	}

	b.open(path)
	if got := b.text(`[data-testid="session-wp4"] [data-testid="session-time"]`); got != "09:45" {
		t.Errorf("the secretariat sees WP4 at %q, want 09:45", got)
	}
	visitor.open(path)
	if got := visitor.text(`[data-testid="session-wp4"] [data-testid="session-time"]`); got != "09:45" {
		t.Errorf("the visitor sees WP4 at %q after the change, want 09:45 (stale cached page?)", got)
	}
	if got := visitor.text(`[data-testid="sessions"] tbody tr:first-child th`); !strings.Contains(got, "WP4/13") {
		t.Errorf("first session row = %q, want WP4/13", got)
	}
}
