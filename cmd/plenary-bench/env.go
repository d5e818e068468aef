package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/pgcluster"
)

// Env is everything a scenario may use: the running binary, its database, and helpers to build
// baselines and signed-in clients. It owns every resource and releases them in Close.
type Env struct {
	// AppURL is the base URL of the running `plenary serve`, e.g. http://127.0.0.1:41234.
	AppURL string
	// AppAddr is its host:port.
	AppAddr string
	// DatabaseURL is the database the binary uses.
	DatabaseURL string
	// DBMaxConns is the binary's pool size (DB_MAX_CONNS); Pool uses the same.
	DBMaxConns int
	// AppConfig is the configuration the binary printed at start (KEY=value lines).
	AppConfig map[string]string
	// Conns, Warmup, Duration and Rounds are the load settings of the run (flags -c, -warmup,
	// -d, -rounds).
	Conns            int
	Warmup, Duration time.Duration
	Rounds           int
	// Verbose prints every statement CaptureStatements captures (flag -v).
	Verbose bool

	log     func(format string, args ...any)
	tmp     string
	cluster *pgcluster.Cluster
	app     *exec.Cmd
	appLog  string
	appDone chan error

	// SMTP is the server the binary sends its mail to (-smtp), or nil: mail is kept in the portal.
	SMTP *smtpSink
	// statements is true when the cluster counts its statements (pg_stat_statements).
	statements bool

	mu       sync.Mutex
	pool     *pgxpool.Pool
	servers  []*http.Server
	cleanups []func()
}

// Options configure Setup.
type Options struct {
	FastDB     bool // PostgreSQL without fsync (pgcluster Fast)
	DBMaxConns int
	Keep       bool // keep the temporary folder (logs) after the run
	// SMTP has the binary send its mail to an SMTP server (smtpSink) instead of keeping it in
	// the portal.
	SMTP bool
	Log  func(format string, args ...any)
}

const appDatabase = "plenary_bench"

// Setup builds the binary, starts a private PostgreSQL cluster and the binary on it. On error
// everything started so far is released.
func Setup(ctx context.Context, o Options) (e *Env, err error) {
	e = &Env{log: o.Log, DBMaxConns: o.DBMaxConns, appDone: make(chan error, 1)}
	defer func() {
		if err != nil {
			e.Close()
			e = nil
		}
	}()
	// Under /tmp, world-traversable: as root PostgreSQL runs as the postgres user.
	e.tmp, err = os.MkdirTemp("/tmp", "plenary-bench-")
	if err != nil {
		return e, err
	}
	if !o.Keep {
		e.cleanups = append(e.cleanups, func() { _ = os.RemoveAll(e.tmp) })
	}
	if err = os.Chmod(e.tmp, 0o755); err != nil {
		return e, err
	}

	root, err := moduleRoot(ctx)
	if err != nil {
		return e, err
	}
	bin := filepath.Join(e.tmp, "plenary")
	e.log("building ./cmd/plenary")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/plenary")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return e, fmt.Errorf("go build ./cmd/plenary: %w\n%s", err, out)
	}

	e.log("starting a private PostgreSQL cluster (fast=%t)", o.FastDB)
	// Not cancelled half-way by Ctrl-C: a cluster started but not recorded would outlive us.
	clusterOpts := pgcluster.Options{Dir: filepath.Join(e.tmp, "pg"), Fast: o.FastDB}
	e.cluster, err = pgcluster.Start(context.WithoutCancel(ctx), clusterOpts)
	if err != nil {
		return e, err
	}
	if err = e.enableStatements(context.WithoutCancel(ctx), clusterOpts); err != nil {
		return e, err
	}
	if err = ctx.Err(); err != nil {
		return e, err
	}
	if err = createDatabase(ctx, e.cluster.URL("postgres"), appDatabase); err != nil {
		return e, err
	}
	e.DatabaseURL = e.cluster.URL(appDatabase)
	if err = e.createStatementsView(ctx); err != nil {
		return e, err
	}

	if o.SMTP {
		if e.SMTP, err = startSMTPSink(); err != nil {
			return e, err
		}
		e.cleanups = append(e.cleanups, func() { _ = e.SMTP.Close() })
	}
	e.log("starting plenary serve --migrate --demo")
	if err = e.startApp(ctx, bin); err != nil {
		return e, err
	}
	// The migrations and the seed just wrote every table: analyse and checkpoint now rather than
	// let autovacuum and the checkpointer do it during the first measurement.
	if err = e.Settle(ctx); err != nil {
		return e, err
	}
	return e, nil
}

// Settle runs VACUUM ANALYZE and CHECKPOINT on the database, so that work left by a setup that
// wrote many rows does not land in the next measurement. Scenarios that load data call it too.
func (e *Env) Settle(ctx context.Context) error {
	pool, err := e.Pool(ctx)
	if err != nil {
		return err
	}
	for _, q := range []string{"VACUUM ANALYZE", "CHECKPOINT"} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("settle: %s: %w", q, err)
		}
	}
	return nil
}

// moduleRoot is the folder of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run plenary-bench from inside the plenary module")
	}
	return filepath.Dir(mod), nil
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	return withConn(ctx, adminURL, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
		return nil
	})
}

// withConn runs fn on a connection of its own to the database at dbURL, closed after.
func withConn(ctx context.Context, dbURL string, fn func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("connect to the private cluster: %w", err)
	}
	defer conn.Close(context.Background())
	return fn(conn)
}

// appEnv is the configuration of the binary; the variables it reads are taken from here only,
// never from the caller's environment.
var appEnvKeys = []string{"ADDR", "DATABASE_URL", "DATABASE_URL_FILE", "DATA_DIR", "BASE_URL", "COOKIE_SECURE",
	"SMTP_URL", "SMTP_URL_FILE", "MAIL_FROM", "LOG_LEVEL", "DB_MAX_CONNS"}

func (e *Env) startApp(ctx context.Context, bin string) error {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !containsString(appEnvKeys, k) {
			env = append(env, kv)
		}
	}
	env = append(env,
		"ADDR=127.0.0.1:0",
		// Its connections are named, so that CaptureStatements can tell its statements from ours.
		"DATABASE_URL="+withAppName(e.DatabaseURL, appName),
		"DATA_DIR="+filepath.Join(e.tmp, "data"),
		"LOG_LEVEL=warn",
		"DB_MAX_CONNS="+strconv.Itoa(e.DBMaxConns),
	)
	if e.SMTP != nil {
		env = append(env, "SMTP_URL=smtp://"+e.SMTP.addr, "MAIL_FROM=Plenary <noreply@plenary.test>")
	}
	e.appLog = filepath.Join(e.tmp, "plenary.log")
	logf, err := os.Create(e.appLog)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--migrate", "--demo")
	cmd.Env = env
	cmd.Dir = e.tmp
	// Its own process group: Ctrl-C reaches only us, and we stop it before the database.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start plenary: %w", err)
	}
	e.app = cmd

	urlc := make(chan string, 1)
	config := map[string]string{}
	var configMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if sent {
				continue
			}
			if u, ok := strings.CutPrefix(line, "Plenary is running at "); ok {
				urlc <- strings.TrimSpace(u)
				sent = true
			} else if k, v, ok := strings.Cut(line, "="); ok && !strings.Contains(k, " ") {
				configMu.Lock()
				config[k] = v
				configMu.Unlock()
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		e.appDone <- cmd.Wait()
		logf.Close()
	}()

	select {
	case u := <-urlc:
		e.AppURL = u
	case err := <-e.appDone:
		e.app = nil
		return fmt.Errorf("plenary serve exited before listening: %v\n%s", err, e.tail())
	case <-time.After(90 * time.Second):
		return fmt.Errorf("plenary serve did not start within 90 s\n%s", e.tail())
	case <-ctx.Done():
		return ctx.Err()
	}
	pu, err := url.Parse(e.AppURL)
	if err != nil || pu.Host == "" {
		return fmt.Errorf("cannot parse the address %q printed by plenary serve", e.AppURL)
	}
	e.AppAddr = pu.Host
	configMu.Lock()
	e.AppConfig = config
	configMu.Unlock()
	return nil
}

// tail is the end of the binary's output, for error messages.
func (e *Env) tail() string {
	b, _ := os.ReadFile(e.appLog)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// Close stops the binary (SIGTERM, then SIGKILL after 15 s), the baseline servers, the pool and
// the cluster, and deletes the temporary folder.
func (e *Env) Close() {
	if e.app != nil && e.app.Process != nil {
		_ = e.app.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.appDone:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-e.app.Process.Pid, syscall.SIGKILL)
			<-e.appDone
		}
		e.app = nil
	}
	e.mu.Lock()
	for _, s := range e.servers {
		_ = s.Close()
	}
	e.servers = nil
	if e.pool != nil {
		e.pool.Close()
		e.pool = nil
	}
	e.mu.Unlock()
	if e.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		if err := e.cluster.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "plenary-bench:", err)
		}
		cancel()
		e.cluster = nil
	}
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}

// Get fetches path from the binary as a visitor and returns the body and headers; any status
// other than 200 is an error.
func (e *Env) Get(ctx context.Context, path string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.AppURL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return body, resp.Header, nil
}

// Serve runs h on a plain net/http server on 127.0.0.1:0 in this process until Close, and
// returns its host:port. Baselines are built on it.
func (e *Env) Serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.mu.Lock()
	e.servers = append(e.servers, s)
	e.mu.Unlock()
	go func() { _ = s.Serve(ln) }()
	return ln.Addr().String(), nil
}

// StaticPage serves body, the same bytes for every request, as text/html with a Content-Length.
func (e *Env) StaticPage(body []byte) (string, error) {
	n := strconv.Itoa(len(body))
	return e.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", n)
		_, _ = w.Write(body)
	}))
}

// Pool is a pgx pool on the binary's database, of the binary's size, opened on first use.
func (e *Env) Pool(ctx context.Context) (*pgxpool.Pool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pool != nil {
		return e.pool, nil
	}
	cfg, err := pgxpool.ParseConfig(e.DatabaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(e.DBMaxConns)
	cfg.ConnConfig.RuntimeParams["application_name"] = "plenary-bench"
	// Its statements are told from the binary's by their role (see pgstat.go).
	cfg.ConnConfig.User = benchRole
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := p.Ping(ctx); err != nil {
		p.Close()
		return nil, err
	}
	e.pool = p
	return p, nil
}

// PoolBaseline serves fn with the shared pool on a plain net/http server: 200 "ok" when fn
// returns nil, 500 otherwise. It is the baseline for pages whose work is a few SQL statements,
// for example one plain INSERT per request:
//
//	addr, err := e.PoolBaseline(ctx, func(ctx context.Context, p *pgxpool.Pool, r *http.Request) error {
//		_, err := p.Exec(ctx, `INSERT INTO bench_rows (at) VALUES (now())`)
//		return err
//	})
func (e *Env) PoolBaseline(ctx context.Context, fn func(ctx context.Context, pool *pgxpool.Pool, r *http.Request) error) (string, error) {
	pool, err := e.Pool(ctx)
	if err != nil {
		return "", err
	}
	return e.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(r.Context(), pool, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	}))
}

// appName is the application_name of the binary's database connections.
const appName = "plenary"

// withAppName adds application_name to a PostgreSQL URL.
func withAppName(dbURL, name string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Statement is one SQL statement the binary executed, as PostgreSQL logged it.
type Statement struct {
	Duration time.Duration
	SQL      string // whitespace collapsed
}

// logLine matches a statement logged by log_min_duration_statement with the log_line_prefix
// CaptureStatements sets: simple-protocol statements and executions of the extended protocol
// (the parse and bind steps of the latter are left out).
var logLine = regexp.MustCompile(`^\S+ \S+ \S+ \[\d+\] app=([^:]*): LOG:  duration: ([0-9.]+) ms  (?:statement|execute [^:]*): (.*)$`)

// CaptureStatements runs fn while PostgreSQL logs every statement with its duration
// (log_min_duration_statement = 0, set with ALTER SYSTEM and reset afterwards), and returns the
// statements the binary's connections executed meanwhile, read from the server log. The mail
// worker's (those naming mail_outbox) are left out: it runs on its own schedule; so are pgxpool's
// "-- ping" checks of connections idle for over a second. BEGIN and COMMIT count as statements.
// Only fn's requests should reach the binary meanwhile.
func (e *Env) CaptureStatements(ctx context.Context, fn func() error) ([]Statement, error) {
	pool, err := e.Pool(ctx)
	if err != nil {
		return nil, err
	}
	set := func(qs ...string) error {
		for _, q := range qs {
			if _, err := pool.Exec(ctx, q); err != nil {
				return fmt.Errorf("capture statements: %s: %w", q, err)
			}
		}
		return nil
	}
	if err := set(`ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a: '`, `ALTER SYSTEM SET log_min_duration_statement = 0`,
		`SELECT pg_reload_conf()`); err != nil {
		return nil, err
	}
	reset := func() error {
		return set(`ALTER SYSTEM RESET log_min_duration_statement`, `ALTER SYSTEM RESET log_line_prefix`, `SELECT pg_reload_conf()`)
	}
	// The postmaster passes the reload on to every backend; an idle backend applies it before
	// its next command.
	time.Sleep(300 * time.Millisecond)
	logPath := filepath.Join(e.cluster.Dir, "server.log")
	st, err := os.Stat(logPath)
	if err != nil {
		_ = reset()
		return nil, err
	}
	from := st.Size()
	ferr := fn()
	time.Sleep(50 * time.Millisecond)
	if err := reset(); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, err
	}
	var out []Statement
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	kept := false // whether the last log entry was a statement kept in out
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "\t") {
			// A further line of the last log entry.
			if kept && len(out[len(out)-1].SQL) < 300 {
				out[len(out)-1].SQL += " " + strings.Join(strings.Fields(line), " ")
			}
			continue
		}
		m := logLine.FindStringSubmatch(line)
		kept = m != nil && m[1] == appName
		if !kept {
			continue
		}
		ms, _ := strconv.ParseFloat(m[2], 64)
		out = append(out, Statement{Duration: time.Duration(ms * float64(time.Millisecond)), SQL: strings.Join(strings.Fields(m[3]), " ")})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	app := out[:0]
	for _, s := range out {
		if !strings.Contains(s.SQL, "mail_outbox") && s.SQL != "-- ping" {
			app = append(app, s)
			if e.Verbose {
				e.log("  statement %s  %s", fmtDur(s.Duration), s.SQL)
			}
		}
	}
	return app, nil
}

// SampleWaits samples, every 50 ms until stop is called, what the binary's busy database
// connections are doing (pg_stat_activity: running, or waiting and on what), and stop returns the
// most frequent states with their share of the samples, e.g. "Lock/object 61%": where the time
// of the requests goes inside PostgreSQL.
func (e *Env) SampleWaits(ctx context.Context) (stop func() []string) {
	pool, err := e.Pool(ctx)
	if err != nil {
		return func() []string { return nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	counts := map[string]int{}
	samples, busy := 0, 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rows, err := pool.Query(ctx, `SELECT CASE WHEN state = 'active' THEN COALESCE(wait_event_type || '/' || wait_event, 'running')
					ELSE state || COALESCE(' (' || wait_event || ')', '') END
				FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle' AND query NOT LIKE '%mail_outbox%'`, appName)
			if err != nil {
				continue
			}
			var st string
			_, err = pgx.ForEachRow(rows, []any{&st}, func() error { counts[st]++; busy++; return nil })
			if err == nil {
				samples++
			}
		}
	}()
	return func() []string {
		cancel()
		<-done
		if busy == 0 {
			return nil
		}
		type kv struct {
			k string
			n int
		}
		var list []kv
		for k, n := range counts {
			list = append(list, kv{k, n})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n || (list[i].n == list[j].n && list[i].k < list[j].k) })
		out := []string{fmt.Sprintf("%.1f busy connections on average", float64(busy)/float64(max(samples, 1)))}
		for i, x := range list {
			if i == 5 {
				break
			}
			out = append(out, fmt.Sprintf("%s %.0f%%", x.k, float64(x.n)*100/float64(busy)))
		}
		return out
	}
}

// Session is a signed-in client of the binary.
type Session struct {
	// Client keeps the cookies and does not follow redirects, for setup requests.
	Client *http.Client
	base   string
}

// Cookie is the Cookie header value of the session, for load requests.
func (s *Session) Cookie() string {
	u, _ := url.Parse(s.base)
	var parts []string
	for _, c := range s.Client.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// Header returns request headers carrying the session cookie, plus extra "Key", "value" pairs.
func (s *Session) Header(kv ...string) http.Header {
	h := http.Header{"Cookie": {s.Cookie()}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// PostForm posts a form with the session and returns the status and body.
func (s *Session) PostForm(ctx context.Context, path string, form url.Values) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// Send sends req (a path relative to the binary) with the session's cookies and returns the
// response, its body read.
func (s *Session) Send(req *http.Request) (*http.Response, []byte, error) {
	u, err := url.Parse(s.base + req.URL.String())
	if err != nil {
		return nil, nil, err
	}
	req.URL, req.Host = u, u.Host
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// Get fetches path with the session and returns the status and body.
func (s *Session) Get(ctx context.Context, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// Login signs in to the binary through its /login form and checks that /me answers. Each sign-in
// costs an argon2id verification (about 64 MiB, tens of milliseconds), and the site limits
// sign-ins per account and per client address: sign in once per connection before the run, never
// inside it.
func (e *Env) Login(ctx context.Context, email, password string) (*Session, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	s := &Session{
		Client: &http.Client{
			Jar:           jar,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		base: e.AppURL,
	}
	status, body, err := s.PostForm(ctx, "/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", email, err)
	}
	if status != http.StatusSeeOther && status != http.StatusFound {
		return nil, fmt.Errorf("sign in as %s: status %d: %s", email, status, firstLine(body))
	}
	if status, _, err := s.Get(ctx, "/me"); err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("sign in as %s: /me answered %d (%v): the session did not stick", email, status, err)
	}
	return s, nil
}

func firstLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
