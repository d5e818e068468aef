package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"plenary/internal/pgtest"
)

// slowTransport makes connections with a small receive buffer and no reuse, so that what a slow
// client has not read stays on the server's side instead of in the kernel's buffers.
func slowTransport() *http.Transport {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
		})
	}}
	return &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true, DisableCompression: true,
		MaxIdleConnsPerHost: -1, ResponseHeaderTimeout: 30 * time.Second}
}

// trickle is a request body that sends head at once, then 1 KB a second of a PDF until ctx ends,
// when it fails (the client goes away mid-upload).
type trickle struct {
	ctx     context.Context
	head    []byte
	started *atomic.Int64
	once    bool
}

func (b *trickle) Read(p []byte) (int, error) {
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	if !b.once {
		b.once = true
		b.started.Add(1)
		return copy(p, "%PDF-1.7\n"), nil
	}
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-time.After(time.Second):
	}
	n := min(len(p), 1<<10)
	for i := range p[:n] {
		p[i] = 'x'
	}
	return n, nil
}

// probe is one page asked again and again during the load.
type probe struct {
	name, path string
	c          *client
	mu         sync.Mutex
	times      []time.Duration
	bad        []string
}

// once asks for the page and records how long the answer took, and what was wrong with it.
func (p *probe) once(limit time.Duration) {
	start := time.Now()
	a, err := p.c.do(http.MethodGet, p.path, nil)
	took := time.Since(start)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.times = append(p.times, took)
	switch {
	case err != nil:
		p.bad = append(p.bad, fmt.Sprintf("%v after %v", err, took))
	case a.status != http.StatusOK:
		p.bad = append(p.bad, fmt.Sprintf("status %d after %v", a.status, took))
	case took > limit:
		p.bad = append(p.bad, fmt.Sprintf("200 after %v", took))
	}
}

func (p *probe) report() (n int, p50, max time.Duration, bad []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts := append([]time.Duration(nil), p.times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	if len(ts) == 0 {
		return 0, 0, 0, p.bad
	}
	return len(ts), ts[len(ts)/2], ts[len(ts)-1], p.bad
}

// The fault of the first morning, against the real binary with its default settings (a pool of
// 20 connections): 200 clients download a 40 MB document at 1 KB/s and 50 clients upload 20 MB
// files at 1 KB/s. Meanwhile the meeting page, the sign-in page, /readyz and a signed-in /me each
// answer 200 within 1 s on every probe; when the clients go away the site answers at once, and
// the abandoned uploads leave no file and take no number.
func TestSlowClientsDoNotStallTheSite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary under load: not with -short")
	}
	// Not parallel: it runs before the package's other tests start, so that they do not take the
	// machine from the probes.
	ctx := context.Background()
	root := moduleRoot(t)
	dbURL := pgtest.EmptyURL(t)
	bin := build(t, root)
	base, serverLog := serveLogged(t, bin, map[string]string{"DATABASE_URL": dbURL})
	conn := connect(t, dbURL)
	_, slug := demoMeeting(t, conn)
	var org int64
	if err := conn.QueryRow(ctx, `SELECT id FROM organisations WHERE name = $1`, "China (People's Republic of)").Scan(&org); err != nil {
		t.Fatal(err)
	}
	docs := "/meetings/" + slug + "/documents"

	// The focal point posts the 40 MB document everyone then downloads.
	focal := newClient(t, base)
	focal.login("focal.ms@plenary.test", demoPassword)
	fields := map[string]string{"type": "C", "title": "The large contribution", "sources": strconv.FormatInt(org, 10), "questions": "Q20/13"}
	formHead := func(name string) ([]byte, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, k := range []string{"type", "title", "sources", "questions"} {
			_ = mw.WriteField(k, fields[k])
		}
		_, _ = mw.CreateFormFile("file", name)
		return buf.Bytes(), mw.Boundary()
	}
	const size = 40 << 20
	head, boundary := formHead("large.pdf")
	body := io.MultiReader(bytes.NewReader(head), bytes.NewReader([]byte("%PDF-1.7\n")),
		io.LimitReader(rand.NewChaCha8([32]byte{9}), size-9), bytes.NewReader([]byte("\r\n--"+boundary+"--\r\n")))
	req, _ := http.NewRequest(http.MethodPost, base+docs+"/new", body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	focal.c.Timeout = 2 * time.Minute
	resp, err := focal.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != docs+"/C1" {
		t.Fatalf("posting the 40 MB document: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The probes, each with its own client; /me as a delegate signed in before the load.
	member := newClient(t, base)
	member.login("delegate.sm@plenary.test", demoPassword)
	probes := []*probe{
		{name: "meeting page", path: "/meetings/" + slug, c: newClient(t, base)},
		{name: "sign-in page", path: "/login", c: newClient(t, base)},
		{name: "/readyz", path: "/readyz", c: newClient(t, base)},
		{name: "/me", path: "/me", c: member},
	}
	for _, p := range probes {
		p.c.c.Timeout = 10 * time.Second
		p.once(time.Second) // warm
		p.times, p.bad = nil, nil
	}

	// Every probe, four times a second each, from before the slow clients come until 15 s after
	// they are all under way.
	var probing sync.WaitGroup
	var stopProbes atomic.Bool
	for _, p := range probes {
		probing.Add(1)
		go func() {
			defer probing.Done()
			for !stopProbes.Load() {
				p.once(time.Second)
				time.Sleep(250 * time.Millisecond)
			}
		}()
	}

	loadCtx, leave := context.WithCancel(ctx)
	defer leave()
	var load sync.WaitGroup
	var downloading, uploading atomic.Int64
	var failures sync.Map // what went wrong for a slow client before it left, by kind
	fail := func(kind string) {
		v, _ := failures.LoadOrStore(kind, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	downloads := &http.Client{Jar: focal.c.Jar, Transport: slowTransport()}
	for range 200 {
		load.Add(1)
		go func() {
			defer load.Done()
			req, _ := http.NewRequestWithContext(loadCtx, http.MethodGet, base+docs+"/C1/file", nil)
			resp, err := downloads.Do(req)
			if err != nil {
				fail("download: " + err.Error())
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				fail("download: status " + strconv.Itoa(resp.StatusCode))
				return
			}
			downloading.Add(1)
			buf := make([]byte, 1<<10)
			for {
				if _, err := io.ReadFull(resp.Body, buf); err != nil {
					if loadCtx.Err() == nil {
						fail("download cut: " + err.Error())
					}
					return
				}
				select {
				case <-loadCtx.Done():
					return
				case <-time.After(time.Second):
				}
			}
		}()
	}
	uploads := &http.Client{Jar: focal.c.Jar, Transport: slowTransport()}
	for i := range 50 {
		load.Add(1)
		go func() {
			defer load.Done()
			head, boundary := formHead(fmt.Sprintf("upload-%d.pdf", i))
			req, _ := http.NewRequestWithContext(loadCtx, http.MethodPost, base+docs+"/new",
				&trickle{ctx: loadCtx, head: head, started: &uploading})
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
			req.ContentLength = 20 << 20 // announced; never all sent
			resp, err := uploads.Do(req)
			if err == nil {
				resp.Body.Close()
				if loadCtx.Err() == nil {
					fail("upload answered before its end: status " + strconv.Itoa(resp.StatusCode))
				}
			}
		}()
	}
	waitUntil(t, "200 downloads and 50 uploads under way", 60*time.Second, func() bool {
		return downloading.Load() == 200 && uploading.Load() == 50
	})
	t.Logf("200 downloads and 50 uploads under way")
	time.Sleep(15 * time.Second)
	stopProbes.Store(true)

	probing.Wait()
	if n := downloading.Load(); n != 200 {
		t.Errorf("%d downloads still under way at the end, want 200", n)
	}
	failures.Range(func(k, v any) bool {
		t.Errorf("%d slow clients: %s", v.(*atomic.Int64).Load(), k)
		return true
	})
	for _, p := range probes {
		n, p50, max, bad := p.report()
		t.Logf("under load, %s: %d probes, median %v, slowest %v", p.name, n, p50, max)
		if n < 20 {
			t.Errorf("%s: only %d probes", p.name, n)
		}
		for _, b := range bad {
			t.Errorf("%s under load: %s (want 200 within 1 s)", p.name, b)
		}
		p.times, p.bad = nil, nil
	}

	// They leave: the site answers at once.
	leave()
	load.Wait()
	left := time.Now()
	for range 5 {
		for _, p := range probes {
			p.once(500 * time.Millisecond)
		}
	}
	if took := time.Since(left); took > 3*time.Second {
		t.Errorf("20 probes after the slow clients left took %v", took)
	}
	for _, p := range probes {
		_, _, max, bad := p.report()
		t.Logf("after they left, %s: slowest %v", p.name, max)
		for _, b := range bad {
			t.Errorf("%s after the slow clients left: %s (want 200 within 0.5 s)", p.name, b)
		}
	}

	// What the server itself took for the slowest probes (its log's duration excludes waiting
	// to be read and scheduled).
	for _, line := range strings.Split(serverLog.String(), "\n") {
		for _, p := range probes {
			if !strings.Contains(line, "path="+p.path+" ") {
				continue
			}
			if _, d, ok := strings.Cut(line, "duration="); ok {
				if took, err := time.ParseDuration(strings.Fields(d)[0]); err == nil && took > 100*time.Millisecond {
					t.Logf("server log: %s", line)
				}
			}
		}
	}

	// The abandoned uploads took no number and left no file.
	var documents, files int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM blobs)`).Scan(&documents, &files); err != nil {
		t.Fatal(err)
	}
	if documents != 1 || files != 1 {
		t.Errorf("after the abandoned uploads: %d documents and %d stored files, want the first document and its file alone", documents, files)
	}
}
