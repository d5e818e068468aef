package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/pgtest"
)

// runTestMain runs the whole program on port 0 over the test's database (Main.Run, as the binary
// does), with the metrics on a port of their own.
func runTestMain(t *testing.T) *Main {
	t.Helper()
	return runTestMainWith(t, pgtest.URL(t), nil)
}

// runTestMainWith runs the whole program over the database at url, with env added to its
// environment.
func runTestMainWith(t *testing.T, url string, env map[string]string) *Main {
	t.Helper()
	vars := map[string]string{"ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0", "DATABASE_URL": url, "DB_MAX_CONNS": "4"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedLog{}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = m.Close()
		if t.Failed() {
			t.Logf("the program's log:\n%s", logs.String())
		}
	})
	return m
}

// lockedLog collects the program's log for a failing test's report.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// The metrics are served on METRICS_ADDR only, never on the public address.
func TestMetricsAreServedOnTheirOwnAddress(t *testing.T) {
	m := runTestMain(t)
	if code, _ := get(t, m.URL()+"/meetings/sg13-wp-2025-07"); code != http.StatusOK {
		t.Fatalf("meeting page: %d", code)
	}
	if code, _ := get(t, m.URL()+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %d, want 404", code)
	}
	if m.MetricsURL() == "" {
		t.Fatal("no metrics server with METRICS_ADDR set")
	}
	code, body := get(t, m.MetricsURL()+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `plenary_http_requests_total{method="GET",route="/meetings/{slug}",status="200"} 1`) {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	if code, _ := get(t, m.MetricsURL()+"/meetings/sg13-wp-2025-07"); code != http.StatusNotFound {
		t.Errorf("the metrics address serves the site: %d", code)
	}
	// The profiles are the operators' too: on the metrics address, never on the public one.
	if code, body := get(t, m.MetricsURL()+"/debug/pprof/goroutine?debug=1"); code != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("pprof on the metrics address: %d\n%.200s", code, body)
	}
	if code, _ := get(t, m.URL()+"/debug/pprof/goroutine?debug=1"); code == http.StatusOK {
		t.Errorf("pprof on the public address: %d", code)
	}
}

// A server that stops serving by itself is reported, so that the process ends with its error
// instead of running on without serving.
func TestAFailedServeIsReported(t *testing.T) {
	m := runTestMain(t)
	select {
	case err := <-m.Failed():
		t.Fatalf("failed before anything went wrong: %v", err)
	default:
	}
	// The listener fails under the server (as when its socket is closed from outside).
	_ = m.ln.Close()
	select {
	case err := <-m.Failed():
		if err == nil || !strings.Contains(err.Error(), "http server stopped") {
			t.Errorf("Failed() = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a server that stopped serving was not reported")
	}
	// Closing after a failure still stops everything.
	if err := m.Close(); err != nil {
		t.Errorf("Close after the failure: %v", err)
	}
}

// A direct URL other than DATABASE_URL means DATABASE_URL names a pooler: pgx then uses no
// prepared statements unless told otherwise.
func TestExecModeFollowsTheURLs(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"DATABASE_URL": "postgres://h:6432/p", "DATABASE_DIRECT_URL": "postgres://h:5432/p"}, "cache_describe"},
		{map[string]string{"DATABASE_URL": "postgres://h/p", "DATABASE_DIRECT_URL": "postgres://h/p"}, ""},
		{map[string]string{"DATABASE_URL": "postgres://h:6432/p", "DATABASE_DIRECT_URL": "postgres://h/p", "DB_EXEC_MODE": "simple_protocol"}, "simple_protocol"},
		{map[string]string{"DATABASE_URL": "postgres://h:6432/p?default_query_exec_mode=exec", "DATABASE_DIRECT_URL": "postgres://h/p"}, ""},
	} {
		cfg, err := LoadConfig(func(k string) string { return c.env[k] })
		if err != nil || cfg.DBExecMode != c.want {
			t.Errorf("%v: DB_EXEC_MODE %q (%v), want %q", c.env, cfg.DBExecMode, err, c.want)
		}
	}
	if _, err := LoadConfig(func(k string) string { return map[string]string{"DB_EXEC_MODE": "prepared"}[k] }); err == nil {
		t.Error("DB_EXEC_MODE=prepared accepted")
	}
}
