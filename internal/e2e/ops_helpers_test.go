package e2e_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"
)

// smtpSink is a real SMTP server that keeps every message it is given.
type smtpSink struct {
	Addr string
	// delay is how long the server takes to accept each message (0: at once); set it before
	// mail is sent.
	delay time.Duration
	mu    sync.Mutex
	msgs  []sunkMail
}

type sunkMail struct {
	To        []string
	Subject   string
	MessageID string
	// Text is the message's text parts, decoded.
	Text string
	// At is when the server accepted it.
	At time.Time
}

func startSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return s
}

func (s *smtpSink) URL() string { return "smtp://" + s.Addr }

func (s *smtpSink) messages() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

type sinkSession struct {
	sink *smtpSink
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	var text strings.Builder
	if err := mailText(&text, textproto.MIMEHeader(m.Header), m.Body); err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	time.Sleep(s.sink.delay)
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.msgs = append(s.sink.msgs, sunkMail{To: s.to, Subject: subject, MessageID: m.Header.Get("Message-Id"), Text: text.String(), At: time.Now()})
	return nil
}

// mailText appends the decoded text/plain parts of a MIME entity to w.
func mailText(w *strings.Builder, h textproto.MIMEHeader, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := mailText(w, p.Header, p); err != nil {
				return err
			}
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if mt == "text/plain" {
		w.Write(b)
		w.WriteString("\n")
	}
	return nil
}
func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

// sharedDir makes a folder the postgres user can use when the tests run as root (PostgreSQL and
// PgBouncer refuse to run as root); it is removed when the test ends.
func sharedDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Traversable by all, as PostgreSQL's checks want of a data folder's parents.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPgBouncer runs Debian's pgbouncer in transaction mode in front of the PostgreSQL server at
// target (host:port) and returns its address. It is stopped when the test ends.
func startPgBouncer(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr == nil {
			bin = "/usr/sbin/pgbouncer"
		} else {
			requireOrSkip(t, "pgbouncer is not installed (Debian: apt-get install pgbouncer)")
		}
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		t.Fatal(err)
	}
	dir := sharedDir(t, "plenary-pgbouncer-")
	listen := freePort(t)
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/users.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = %s/pgbouncer.log
pidfile = %s/pgbouncer.pid
`, host, port, listen, dir, dir, dir)
	for name, body := range map[string]string{"pgbouncer.ini": ini, "users.txt": `"postgres" ""` + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres"}, args...)
	}
	cmd := exec.Command(bin, args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pgbouncer: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Logf("pgbouncer output:\n%s\npgbouncer log (last 4000 bytes):\n%s", out.String(), tail(string(log), 4000))
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(listen))
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		select {
		case err := <-exited:
			t.Fatalf("pgbouncer exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pgbouncer does not listen on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withHost returns the connection string raw with its host and port replaced.
func withHost(t *testing.T, raw, hostport string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = hostport
	return u.String()
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// client is one person using the portal from the command line: its own cookies, redirects not
// followed.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	return &client{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is a response with its body read.
type answer struct {
	status   int
	location string
	body     string
}

func (c *client) do(method, path string, form url.Values) (answer, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return answer{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header.Get("Location"), string(b)}, err
}

func (c *client) must(method, path string, form url.Values, want int) answer {
	c.t.Helper()
	a, err := c.do(method, path, form)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if a.status != want {
		c.t.Fatalf("%s %s: %d, want %d\n%s", method, path, a.status, want, tail(a.body, 2000))
	}
	return a
}

func (c *client) login(email, password string) {
	c.t.Helper()
	c.must(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}}, http.StatusSeeOther)
}

// register registers the signed-in person for the meeting, remotely, and returns the
// registration's id.
func (c *client) register(slug string) int64 {
	c.t.Helper()
	a := c.must(http.MethodPost, "/meetings/"+slug+"/register", url.Values{"mode": {"remote"}}, http.StatusSeeOther)
	id, ok := regID(a.location)
	if !ok {
		c.t.Fatalf("registered, sent to %q", a.location)
	}
	return id
}

// regID reads the registration's id from where a registration sends the person (/me#reg-ID).
func regID(location string) (int64, bool) {
	_, s, ok := strings.Cut(location, "#reg-")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// h1 is the page's first heading.
func h1(t *testing.T, body string) string {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(d.Find("h1").First().Text()), " ")
}

// formValues reads the values of the form the selector finds on the page, as a browser would
// submit it unchanged.
func formValues(t *testing.T, body, selector string) url.Values {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	f := d.Find(selector).First()
	if f.Length() == 0 {
		t.Fatalf("no form %s", selector)
	}
	vals := url.Values{}
	f.Find("input[name], textarea[name], select[name]").Each(func(_ int, in *goquery.Selection) {
		name := in.AttrOr("name", "")
		switch goquery.NodeName(in) {
		case "textarea":
			vals.Add(name, in.Text())
		case "select":
			in.Find("option[selected]").Each(func(_ int, o *goquery.Selection) { vals.Add(name, o.AttrOr("value", o.Text())) })
		default:
			switch in.AttrOr("type", "text") {
			case "checkbox", "radio":
				if _, ok := in.Attr("checked"); ok {
					vals.Add(name, in.AttrOr("value", "on"))
				}
			case "submit", "button":
			default:
				vals.Add(name, in.AttrOr("value", ""))
			}
		}
	})
	return vals
}

// demoMeeting returns the id and address of the demo meeting open for registration.
func demoMeeting(t *testing.T, conn *pgx.Conn) (int64, string) {
	t.Helper()
	var id int64
	var slug string
	err := conn.QueryRow(context.Background(), `SELECT id, slug FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> $1
		ORDER BY first_day DESC LIMIT 1`, letterSlug).Scan(&id, &slug)
	if err != nil {
		t.Fatalf("demo meeting: %v", err)
	}
	return id, slug
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitUntil polls ok every 50 ms until it holds, failing the test after limit.
func waitUntil(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailSettled reports whether the outbox holds nothing queued or being sent.
func mailSettled(t *testing.T, conn *pgx.Conn) bool {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox WHERE state NOT IN ('sent', 'kept', 'failed')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 0
}
