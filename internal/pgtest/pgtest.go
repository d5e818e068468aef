// Package pgtest gives tests their own PostgreSQL database, cloned from a migrated and seeded
// template in tens of milliseconds, so test packages run in parallel and never share data.
//
// With TEST_DATABASE_URL set (a URL of any database on a server where the user may create
// databases), that server is used; otherwise the first test that asks starts a private cluster
// from the machine's PostgreSQL binaries in a fresh folder under the temp directory, and Main
// stops and deletes it when the package's tests end.
//
// A package using it has:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/pgcluster"
	"plenary/internal/postgres"
	"plenary/internal/seed"
)

// EnvURL names the variable holding the server to test against.
const EnvURL = "TEST_DATABASE_URL"

// dirPrefix starts the name of every private cluster's folder; the process id follows, so a
// later run can tell a folder left by a killed test process.
const dirPrefix = "plenary-pgtest-"

// hashParams are argon2id parameters cheap enough for tests (the real ones take 64 MiB and
// tens of milliseconds per hash).
var hashParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hash hashes a password with cheap argon2id parameters; Verify checks it (and any argon2id
// hash, whatever its parameters).
func Hash(pw string) (string, error) { return argon2id.CreateHash(pw, hashParams) }

// Verify checks a password against an argon2id hash.
func Verify(pw, hash string) (bool, error) { return argon2id.ComparePasswordAndHash(pw, hash) }

// env is the server and template shared by every test of the process.
type env struct {
	cluster  *pgcluster.Cluster // nil with TEST_DATABASE_URL
	dir      string             // the private cluster's folder
	baseURL  *url.URL           // a URL of the server; its path is replaced by each database's name
	admin    *pgxpool.Pool      // connected to the server's maintenance database
	template string             // the migrated, seeded template's name
	// seeded is when the template was seeded (the demo meeting's dates follow it).
	seeded time.Time
}

var (
	mainCalled atomic.Bool
	once       sync.Once
	shared     *env
	setupErr   error
	counter    atomic.Int64
)

// Main runs the package's tests, then drops the databases this process made and stops and
// deletes the private cluster, if one was started. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// New returns a store over a new database cloned from the template: migrated, holding the
// seed meeting sg13-wp-2025-07, the demo meeting and the demo accounts (password
// seed.DemoPassword, hashed with Hash). The database is dropped when the test ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	u := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, u, 10)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Cleanups run last-in first-out: the pool closes before the database is dropped.
	t.Cleanup(db.Close)
	return db
}

// URL creates a database cloned from the template, as New does, and returns its connection
// URL, for a program started by the test. The database is dropped (with any connections still
// open to it) when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return create(t, true)
}

// EmptyURL creates an empty database (no schema, no data) and returns its URL, for tests of
// migrations and of a program's first start. It is dropped when the test ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return create(t, false)
}

// SeededAt is when the template's demo data was loaded: the demo meeting's dates follow it.
func SeededAt(t testing.TB) time.Time {
	t.Helper()
	e := get(t)
	return e.seeded
}

func create(t testing.TB, fromTemplate bool) string {
	t.Helper()
	e := get(t)
	name := fmt.Sprintf("%s_%d", e.template, counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q := `CREATE DATABASE ` + ident(name)
	if fromTemplate {
		q += ` TEMPLATE ` + ident(e.template)
	}
	if _, err := e.admin.Exec(ctx, q); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := e.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+ident(name)+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return e.url(name)
}

func get(t testing.TB) *env {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("pgtest: the package needs `func TestMain(m *testing.M) { pgtest.Main(m) }` so that its databases and cluster are cleaned up")
	}
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		shared, setupErr = setup(ctx)
	})
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	return shared
}

func (e *env) url(name string) string {
	u := *e.baseURL
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

func setup(ctx context.Context) (e *env, err error) {
	e = &env{}
	defer func() {
		if err != nil {
			shared = e
			_ = teardown()
			shared = nil
		}
	}()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		if raw, err = e.startCluster(ctx); err != nil {
			return e, err
		}
	}
	e.baseURL, err = url.Parse(raw)
	if err != nil || (e.baseURL.Scheme != "postgres" && e.baseURL.Scheme != "postgresql") {
		return e, fmt.Errorf("%s must be a postgres:// URL (got %q)", EnvURL, redact(raw))
	}
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		return e, fmt.Errorf("%s: %w", EnvURL, err)
	}
	cfg.MaxConns = 4
	if e.admin, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return e, fmt.Errorf("connect to %s: %w", redact(raw), err)
	}
	if err := e.admin.Ping(ctx); err != nil {
		return e, fmt.Errorf("connect to %s: %w", redact(raw), err)
	}
	// Unique per process, so packages testing in parallel against one server never collide.
	var b [4]byte
	_, _ = rand.Read(b[:])
	e.template = fmt.Sprintf("pgtest_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
	if _, err := e.admin.Exec(ctx, `CREATE DATABASE `+ident(e.template)); err != nil {
		return e, fmt.Errorf("create template database: %w", err)
	}
	db, err := postgres.Open(ctx, e.url(e.template), 4)
	if err != nil {
		return e, err
	}
	// A template cannot be cloned while anyone is connected to it.
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return e, err
	}
	e.seeded = time.Now()
	if _, err := seed.Load(ctx, db, true, e.seeded, Hash); err != nil {
		return e, err
	}
	return e, nil
}

func (e *env) startCluster(ctx context.Context) (string, error) {
	removeAbandoned()
	dir, err := os.MkdirTemp("/tmp", dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("temp folder: %w", err)
	}
	e.dir = dir
	// When root, PostgreSQL runs as the postgres user, who must reach the data folder inside.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "data"), Fast: true})
	if err != nil {
		return "", err
	}
	e.cluster = c
	return c.URL("postgres"), nil
}

func teardown() error {
	e := shared
	if e == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var errs []error
	if e.admin != nil {
		// On a shared server, leave nothing behind: the template and any database a failed
		// cleanup did not drop.
		if e.cluster == nil && e.template != "" {
			rows, err := e.admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\_%'`, e.template)
			var names []string
			if err == nil {
				names, err = pgx.CollectRows(rows, pgx.RowTo[string])
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("list databases: %w", err))
			}
			for _, n := range names {
				if _, err := e.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+ident(n)+` WITH (FORCE)`); err != nil {
					errs = append(errs, fmt.Errorf("drop database %s: %w", n, err))
				}
			}
		}
		e.admin.Close()
	}
	if e.cluster != nil {
		if err := e.cluster.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if e.dir != "" {
		if err := os.RemoveAll(e.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeAbandoned stops and deletes the clusters of test processes that died without cleaning
// up (a test binary killed by its timeout does not run Main's teardown).
func removeAbandoned() {
	dirs, _ := filepath.Glob(filepath.Join("/tmp", dirPrefix+"*"))
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), dirPrefix)
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			line, _, _ := strings.Cut(string(b), "\n")
			if pm, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && pm > 0 && processAlive(pm) {
				// SIGQUIT: immediate shutdown; the data is thrown away anyway.
				_ = syscall.Kill(pm, syscall.SIGQUIT)
				for i := 0; i < 50 && processAlive(pm); i++ {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		_ = os.RemoveAll(d)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
