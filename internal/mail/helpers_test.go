package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/mail"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	baseURL  = "http://plenary.test"
	mailFrom = "Plenary <noreply@plenary.test>"
)

// received is one message as the test SMTP server got it, decoded.
type received struct {
	From      string
	To        []string
	Raw       []byte
	Header    netmail.Header
	Subject   string // decoded from RFC 2047
	Body      string // decoded from its transfer encoding, with \n line ends
	MessageID string
	At        time.Time
}

// smtpServer is an SMTP server in the test process: it keeps every message, and can be told to
// refuse a recipient's RCPT or DATA a number of times first.
type smtpServer struct {
	Addr string

	mu       sync.Mutex
	msgs     []received
	failRcpt map[string]int  // recipient → RCPT refusals left
	failData map[string]int  // recipient → DATA refusals left
	unknown  map[string]bool // recipients refused for good (550: no such mailbox)
	tries    map[string][]time.Time
	auths    []string // user names that authenticated
	delay    time.Duration
	conns    []*smtp.Conn // every connection accepted, in order
}

func startSMTP(t *testing.T, tlsConfig *tls.Config, users map[string]string) *smtpServer {
	t.Helper()
	s := &smtpServer{failRcpt: map[string]int{}, failData: map[string]int{}, unknown: map[string]bool{}, tries: map[string][]time.Time{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		return &session{srv: s, users: users}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	var ln net.Listener
	var err error
	if tlsConfig != nil {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// connections says how many connections the server has accepted.
func (s *smtpServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// hangUp closes every connection from the server's side, as a server that drops idle sessions
// does.
func (s *smtpServer) hangUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
}

// messages returns a copy of what has arrived.
func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// to returns the messages to one address.
func (s *smtpServer) to(addr string) []received {
	var out []received
	for _, m := range s.messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// refuseForGood has the server answer every delivery to rcpt with a permanent 550.
func (s *smtpServer) refuseForGood(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unknown[rcpt] = true
}

func (s *smtpServer) refuse(rcpt string, rcptTimes, dataTimes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRcpt[rcpt], s.failData[rcpt] = rcptTimes, dataTimes
}

// triesOf returns when each attempt to deliver to rcpt reached RCPT.
func (s *smtpServer) triesOf(rcpt string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.tries[rcpt]...)
}

type session struct {
	srv   *smtpServer
	users map[string]string
	from  string
	to    []string
}

func (s *session) AuthMechanisms() []string {
	if s.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.srv.mu.Lock()
		s.srv.auths = append(s.srv.auths, username)
		s.srv.mu.Unlock()
		if pw, ok := s.users[username]; !ok || pw != password {
			return errors.New("invalid credentials")
		}
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.tries[to] = append(s.srv.tries[to], time.Now())
	if s.srv.unknown[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	if s.srv.failRcpt[to] > 0 {
		s.srv.failRcpt[to]--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.delay > 0 {
		time.Sleep(s.srv.delay)
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	for _, to := range s.to {
		if s.srv.failData[to] > 0 {
			s.srv.failData[to]--
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient storage"}
		}
	}
	m, err := decode(raw)
	if err != nil {
		return err
	}
	m.From, m.To, m.At = s.from, append([]string(nil), s.to...), time.Now()
	s.srv.msgs = append(s.srv.msgs, m)
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// decode parses a message and decodes its subject and body as a mail reader would.
func decode(raw []byte) (received, error) {
	m := received{Raw: raw}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, err
	}
	m.Header = msg.Header
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, err
	}
	m.MessageID = msg.Header.Get("Message-Id")
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(msg.Body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return m, err
	}
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return m, nil
}

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// testLog writes the worker's log into the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newWorker returns a worker with intervals short enough for tests (keeping mail in the portal
// without a sender), as the app does.
func newWorker(t *testing.T, db *postgres.DB, sender mail.Sender) *mail.Worker {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w := mail.NewWorker(db, catalogue(t), log, baseURL, mailFrom, sender)
	w.PollInterval = 50 * time.Millisecond
	w.RetryBase = 100 * time.Millisecond
	w.RetryMax = 400 * time.Millisecond
	w.SendTimeout = 10 * time.Second
	w.Lease = time.Minute
	return w
}

// run runs w until the test ends.
func run(t *testing.T, w *mail.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// smtpSender points an SMTP sender at the test server.
func smtpSender(t *testing.T, s *smtpServer) *mail.SMTP {
	t.Helper()
	snd, err := mail.ParseSMTPURL("smtp://" + s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	snd.Timeout = 5 * time.Second
	return snd
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(within)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// demo is the demo data a test registers with.
type demo struct {
	db      *postgres.DB
	meeting domain.MeetingSummary
}

func newDemo(t *testing.T, db *postgres.DB) demo {
	t.Helper()
	ms, err := db.Meetings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.FirstDay.After(time.Now()) {
			return demo{db: db, meeting: m}
		}
	}
	t.Fatal("no future demo meeting in the seed")
	return demo{}
}

// actor returns the account with email and its roles.
func (d demo) actor(t *testing.T, email string) domain.Actor {
	t.Helper()
	acc, err := d.db.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := d.db.Actor(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// register registers email for the demo meeting by themself.
func (d demo) register(t *testing.T, email string, mode domain.Mode) domain.Registration {
	t.Helper()
	a := d.actor(t, email)
	reg, err := d.db.Register(context.Background(), postgres.Audit{ActorID: a.ID}, a, d.meeting.ID, a.ID,
		domain.RegistrationRequest{Mode: mode, ListConsent: true}, time.Now())
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return reg
}

// decide approves (or rejects with reason) a registration as the focal point email.
func (d demo) decide(t *testing.T, focal string, reg int64, approve bool, reason string) {
	t.Helper()
	a := d.actor(t, focal)
	res, err := decideRegistrations(context.Background(), d.db, postgres.Audit{ActorID: a.ID}, a, []int64{reg}, approve, reason, time.Now())
	if err != nil || len(res.Done) != 1 {
		t.Fatalf("decide %d: %v %v", reg, err, res.Refused)
	}
}

// outboxRow is a row of mail_outbox as the tests check it.
type outboxRow struct {
	ID        int64      `db:"id"`
	EventKey  string     `db:"event_key"`
	Kind      string     `db:"kind"`
	State     string     `db:"state"`
	Attempts  int        `db:"attempts"`
	Recipient string     `db:"recipient"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body"`
	LastError string     `db:"last_error"`
	SentAt    *time.Time `db:"sent_at"`
	Locked    bool       `db:"locked"`
}

func outbox(t *testing.T, db *postgres.DB) []outboxRow {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT id, event_key, kind, state, attempts, recipient, subject, body,
		last_error, sent_at, locked_until IS NOT NULL AS locked FROM mail_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.ID, &r.EventKey, &r.Kind, &r.State, &r.Attempts, &r.Recipient, &r.Subject, &r.Body,
			&r.LastError, &r.SentAt, &r.Locked); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// settled reports whether no row is still queued.
func settled(t *testing.T, db *postgres.DB) bool {
	for _, r := range outbox(t, db) {
		if r.State == postgres.MailQueued {
			return false
		}
	}
	return true
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

func describe(ms []received) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  to %v: %s\n", m.To, m.Subject)
	}
	return b.String()
}
