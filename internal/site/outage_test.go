package site_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

// tcpProxy stands between the portal and PostgreSQL, so that a test can take the database away
// (every connection cut, new ones closed at once) and bring it back.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *tcpProxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.mu.Unlock()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

// setDown cuts every connection and refuses new ones (down), or lets them through again.
func (p *tcpProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// proxiedDB opens a store over a new test database, reached through a proxy the test controls.
func proxiedDB(t *testing.T) (*postgres.DB, *tcpProxy) {
	t.Helper()
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newTCPProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	db, err := postgres.Open(context.Background(), u.String(), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, p
}

// While PostgreSQL cannot be reached, visitors get the last good copy of each public page, and
// /readyz says the database is away; other pages answer 503 with a clear message, never 500.
func TestTheLastGoodCopyIsServedWhileTheDatabaseIsAway(t *testing.T) {
	t.Parallel()
	db, proxy := proxiedDB(t)
	ts := newSiteOver(t, db, afterTheMeeting)
	visitor := ts.browser()
	pages := map[string]string{}
	for _, path := range []string{"/", letterPath, letterPath + "/agenda", letterPath + "/agenda/wp1"} {
		p := visitor.get(path)
		wantStatus(t, p, http.StatusOK)
		pages[path] = p.body
	}
	signedIn := ts.browser()
	signedIn.login(secretariat)

	proxy.setDown(true)
	wantStatus(t, visitor.get("/healthz"), http.StatusOK)
	r := visitor.get("/readyz")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(r.body, "database away") {
		t.Errorf("/readyz says %q, want that the database is away", r.body)
	}
	for range 3 {
		for path, body := range pages {
			p := visitor.get(path)
			wantStatus(t, p, http.StatusOK)
			if p.body != body {
				t.Errorf("%s while the database is away is not the last good copy", path)
			}
			if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: the old copy may be kept by the browser: Cache-Control %q", path, cc)
			}
		}
	}
	// A page never rendered before, and a signed-in page: a clear 503, with when to try again.
	for _, c := range []struct {
		b    *browser
		path string
	}{{visitor, "/meetings/sg13-wp-2025-07/documents"}, {signedIn, "/me"}, {signedIn, letterPath}} {
		p := c.b.get(c.path)
		wantStatus(t, p, http.StatusServiceUnavailable)
		if p.Header.Get("Retry-After") == "" || !strings.Contains(text(testid(p.doc(t), "error-message")), "cannot reach its database") {
			t.Errorf("%s: Retry-After %q, message %q", c.path, p.Header.Get("Retry-After"), text(testid(p.doc(t), "error-message")))
		}
	}

	proxy.setDown(false)
	deadline := time.Now().Add(30 * time.Second)
	for visitor.get("/readyz").StatusCode != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not come back within 30 s of the database")
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantStatus(t, signedIn.get("/me"), http.StatusOK)
	if strings.Contains(ts.log.String(), "internal error") {
		t.Errorf("internal errors were logged:\n%s", grepLines(ts.log.String(), "internal error"))
	}
}
