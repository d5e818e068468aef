package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"

	"plenary/internal/i18n"
	"plenary/internal/mail"
	"plenary/internal/pgcluster"
	"plenary/internal/postgres"
	"plenary/internal/seed"
	"plenary/internal/service"
	"plenary/internal/site"
	"plenary/web"
)

// Main is the whole program: tests run it on port 0 and drive it like a user.
type Main struct {
	Config Config
	Log    *slog.Logger
	Out    io.Writer
	// Migrate applies pending migrations at start; without it a schema that is behind stops
	// the server. The private cluster always migrates.
	Migrate bool
	// Demo loads the demo data at start (the private cluster always does).
	Demo bool

	DB      *postgres.DB
	Files   *service.Files
	Server  *site.Server
	cluster *pgcluster.Cluster
	http    *http.Server
	ln      net.Listener
	metrics *http.Server
	mln     net.Listener
	// failed receives the error of a server that stopped serving by itself (see Failed).
	failed chan error
	cancel context.CancelFunc
	done   chan struct{}
	mail   chan struct{} // closed when the mail worker has stopped
	visa   chan struct{} // closed when the visa data erasure has stopped
	expiry chan struct{} // closed when the session clean-up has stopped
	sweep  chan struct{} // closed when the sweep of abandoned files has stopped
	digest chan struct{} // closed when the daily digests have stopped
	demo   *seed.Result
	// notifier is closed when the mail notifier has stopped.
	notifier chan struct{}
}

// PasswordParams are the argon2id parameters (RFC 9106's second recommended option, with
// 64 MiB of memory).
var PasswordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword hashes a password with argon2id.
func HashPassword(pw string) (string, error) { return argon2id.CreateHash(pw, PasswordParams) }

// VerifyPassword checks a password against its hash.
func VerifyPassword(pw, hash string) (bool, error) { return argon2id.ComparePasswordAndHash(pw, hash) }

// OpenDB connects to DATABASE_URL, or starts the private cluster and creates its database.
func (m *Main) OpenDB(ctx context.Context) error {
	url := m.Config.DatabaseURL
	if url == "" {
		c, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir:     filepath.Join(m.Config.DataDir, "postgres"),
			Install: true,
			Log:     func(f string, a ...any) { fmt.Fprintf(m.Out, f+"\n", a...) },
		})
		if err != nil {
			return err
		}
		m.cluster = c
		if err := createDatabase(ctx, c.URL("postgres"), "plenary"); err != nil {
			return err
		}
		url = c.URL("plenary")
		m.Migrate = true
		m.Demo = true
	}
	db, err := postgres.OpenWith(ctx, url, postgres.Options{
		MaxConns: int32(m.Config.DBMaxConns), ExecMode: m.Config.DBExecMode, DirectURL: m.Config.DatabaseDirectURL,
	})
	if err != nil {
		return err
	}
	m.DB = db
	return nil
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("app: connect to the private cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("app: create database: %w", err)
		}
	}
	return nil
}

// Run opens the database, checks or applies migrations, loads the seed, starts the listener for
// meeting changes and the HTTP server. It returns once the server is listening.
func (m *Main) Run(ctx context.Context) error {
	if m.Out == nil {
		m.Out = io.Discard
	}
	if m.Log == nil {
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if m.DB == nil {
		if err := m.OpenDB(ctx); err != nil {
			return err
		}
	}
	if m.Migrate {
		n, err := m.DB.Migrate(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(m.Out, "applied %d migration(s)\n", n)
		}
	} else {
		n, err := m.DB.Pending(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("app: the database schema is behind by %d migration(s); run `plenary migrate` or start with `plenary serve --migrate`", n)
		}
	}
	if err := m.loadSeed(ctx); err != nil {
		return err
	}
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		return err
	}
	mailer, err := m.newMailWorker(cat)
	if err != nil {
		return err
	}
	if m.Files == nil {
		if m.Files, err = OpenFiles(ctx, m.Config.Files, m.DB, m.Log, m.Config.DBMaxConns); err != nil {
			return err
		}
	}
	fc := m.Config.Files
	svc := NewServicesWith(m.DB, time.Now, ServiceOptions{BaseURL: m.Config.BaseURL, Catalogue: cat, Files: m.Files, Log: m.Log})
	m.Server = site.New(m.DB.Sessions(), svc, m.Log, cat, site.Options{
		SecureCookies:    m.Config.SecureCookies,
		BaseURL:          m.Config.BaseURL,
		DocumentMaxBytes: m.Config.DocumentMaxBytes,
		TrustProxy:       m.Config.TrustProxy,
		MaxDownloads:     fc.MaxDownloads,
		MaxUploads:       fc.MaxUploads,
		StallTimeout:     fc.StallTimeout,
		PresignTTL:       fc.PresignTTL,
	})
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("app: listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		m.watchMeetings(bg)
	}()
	m.notifier = make(chan struct{})
	go func() {
		defer close(m.notifier)
		m.DB.RunMailNotifier(bg, 50*time.Millisecond, func(err error) {
			m.Log.Warn("mail notification not sent; the workers' polling finds the mail meanwhile", "err", err)
		})
	}()
	m.mail = make(chan struct{})
	go runMail(bg, mailer, m.mail)
	m.checkVisaFonts()
	m.visa = make(chan struct{})
	go runVisaErasure(bg, m.DB, m.Log, m.Config.VisaRetentionDays, VisaErasureInterval, m.visa)
	m.expiry = make(chan struct{})
	go runSessionCleanup(bg, m.DB, m.Log, SessionCleanupInterval, m.expiry)
	m.sweep = make(chan struct{})
	go runFileSweep(bg, m.Files, m.Log, fc.UploadLease/4, m.sweep)
	m.digest = make(chan struct{})
	go mail.RunDigests(bg, m.DB, cat, m.Config.BaseURL, m.Log, DigestInterval, m.digest)
	m.http = &http.Server{
		Handler:           m.Server.Handler(),
		ConnContext:       site.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout or WriteTimeout: they would cut a large transfer that is making
		// progress. Each request has deadlines that follow its progress instead (site's
		// deadlines middleware), so a stalled client is dropped.
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	m.failed = make(chan error, 2)
	go m.serve(m.http, ln, "http server")
	if m.Config.MetricsAddr != "" {
		mln, err := net.Listen("tcp", m.Config.MetricsAddr)
		if err != nil {
			_ = m.Close()
			return fmt.Errorf("app: listen for metrics on %s: %w", m.Config.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Server.MetricsHandler())
		// The profiles of the running binary (CPU, heap, goroutines), for operators: the metrics
		// address is private, never the public one.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		m.mln = mln
		m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
		go m.serve(m.metrics, mln, "metrics server")
	}
	return nil
}

// serve runs srv on ln until it is shut down; if it stops by itself (the listener failed), the
// error goes to Failed, and the program must end: it would otherwise run on without serving.
func (m *Main) serve(srv *http.Server, ln net.Listener, what string) {
	err := srv.Serve(ln)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		return
	}
	m.Log.Error(what+" stopped", "err", err)
	m.failed <- fmt.Errorf("app: %s stopped: %w", what, err)
}

// Failed receives an error when a server stopped serving without being closed; the caller
// must then Close and end with that error.
func (m *Main) Failed() <-chan error { return m.failed }

// MetricsURL is the address of the metrics server ("" without METRICS_ADDR).
func (m *Main) MetricsURL() string {
	if m.mln == nil {
		return ""
	}
	return "http://" + m.mln.Addr().String()
}

func (m *Main) loadSeed(ctx context.Context) error {
	res, err := seedLoad(ctx, m.DB, m.Demo)
	if err != nil {
		return err
	}
	if res.MeetingCreated {
		fmt.Fprintln(m.Out, "loaded the meeting of the collective letter (sg13-wp-2025-07)")
	}
	if m.Demo {
		if res.DemoCreated {
			fmt.Fprintf(m.Out, "loaded the demo meeting %s\n", res.DemoSlug)
		}
		m.demo = res
	}
	return nil
}

// URL is the address the server listens on.
func (m *Main) URL() string {
	addr := m.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Close stops the server gracefully, then the background work, the pool and the private cluster.
func (m *Main) Close() error {
	var errs []error
	for _, srv := range []*http.Server{m.http, m.metrics} {
		if srv == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, srv.Shutdown(ctx))
		cancel()
	}
	if m.cancel != nil {
		m.cancel()
		<-m.done
		<-m.notifier
		<-m.mail
		<-m.visa
		<-m.expiry
		<-m.sweep
		<-m.digest
	}
	if m.DB != nil {
		m.DB.Close()
	}
	return errors.Join(errs...)
}

// StopCluster stops the private cluster, if this process started it (one that was already
// running may serve another instance).
func (m *Main) StopCluster(ctx context.Context) error {
	if m.cluster == nil || !m.cluster.Started {
		return nil
	}
	return m.cluster.Stop(ctx)
}
