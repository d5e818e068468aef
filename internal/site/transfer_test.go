package site_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/pgtest"
	"plenary/internal/site"
)

// smallBuffers is a listener whose connections have a small send buffer, so that a handler
// writing to a client that does not read blocks at once instead of filling megabytes of kernel
// buffers (loopback's grow to several MB).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// newTransferSite serves the web layer with opts over small socket buffers; with watch, the
// server knows its connections (site.ConnContext), so that a large response's deadline follows
// the bytes its client acknowledges; without, responses are written in pieces.
func newTransferSite(t *testing.T, opts site.Options, watch bool) *testSite {
	t.Helper()
	db := pgtest.New(t)
	ts := &testSite{t: t, db: db, cat: catalogue(t), log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := beforeTheDeadlines
	opts.BaseURL, opts.Now = "http://plenary.test", func() time.Time { return now }
	s := site.New(db.Sessions(), testServices(db, opts.Now, func(so *app.ServiceOptions) { so.Log = logger }), logger, ts.cat, opts)
	ts.server = s
	ts.srv = httptest.NewUnstartedServer(s.Handler())
	ts.srv.Listener = smallBuffers{ts.srv.Listener}
	if watch {
		ts.srv.Config.ConnContext = site.ConnContext
	}
	ts.srv.Start()
	t.Cleanup(ts.srv.Close)
	return ts
}

// slowClient is b's cookies over slowTransportB.
func slowClient(b *browser) *http.Client {
	return &http.Client{Jar: b.c.Jar, Transport: slowTransportB()}
}

// slowTransportB makes connections with a small receive buffer and no reuse: what a client does
// not read stays on the server's side.
func slowTransportB() *http.Transport {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<10)
		})
	}}
	return &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true, DisableCompression: true}
}

// openDownload starts a GET and returns the response with its body unread.
func openDownload(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// poolIdle waits up to a second for no connection of the pool to be in use, and fails when one
// stays in use.
func poolIdle(t *testing.T, ts *testSite, what string) {
	t.Helper()
	var n int32
	for range 20 {
		if n = ts.db.Pool.Stat().AcquiredConns(); n == 0 {
			// And it stays so while the transfer waits on its client.
			time.Sleep(200 * time.Millisecond)
			if n = ts.db.Pool.Stat().AcquiredConns(); n == 0 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("%s: %d database connections in use while the transfer waits on its client, want 0", what, n)
}

// Slow clients, by the deadlines that follow a transfer's progress (no global timeout): a
// download whose client stops reading is dropped after the stall timeout; one whose client
// reads slowly, blocked on it for several stall timeouts in all, runs to its end; an upload
// whose client stops sending is dropped and leaves nothing. Neither holds a database connection
// while it waits on its client. Past the limit of transfers at once, the answer is an immediate
// 503 with Retry-After; a transfer dropped frees its place. Both ways of seeing a download's
// progress are tried: the bytes its client acknowledges (the connection known) and pieces.
func TestSlowClientsAndTheTransferLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for stall timeouts: not with -short")
	}
	t.Parallel()
	for _, watch := range []bool{true, false} {
		name := "progress=acknowledged"
		if !watch {
			name = "progress=pieces"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			slowClientsAndTheTransferLimit(t, watch)
		})
	}
}

func slowClientsAndTheTransferLimit(t *testing.T, watch bool) {
	const stall = 2 * time.Second
	const size = 8 << 20
	ts := newTransferSite(t, site.Options{StallTimeout: stall, MaxDownloads: 1, MaxUploads: 1}, watch)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	sum := sha256.New()
	wantRedirect(t, b.postMultipart(docsPath+"/new", contribution(fx.org(china), "A large contribution"),
		&docFile{"large.pdf", io.TeeReader(randomPDF(size), sum)}), docsPath+"/C1")
	fileURL := ts.srv.URL + docsPath + "/C1/file"
	slow := slowClient(b)

	// A client that stops reading: the download holds the only place, and no connection.
	stalled := openDownload(t, slow, fileURL)
	if stalled.StatusCode != http.StatusOK {
		t.Fatalf("download: status %d", stalled.StatusCode)
	}
	if _, err := io.ReadFull(stalled.Body, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{docsPath + "/C1/file", docsPath + ".zip", docsPath + "/C1/rev/0"} {
		start := time.Now()
		p := b.get(path)
		if p.StatusCode != http.StatusServiceUnavailable || p.Header.Get("Retry-After") != "30" || time.Since(start) > time.Second {
			t.Errorf("%s past the limit: status %d, Retry-After %q after %v; want 503 and 30 at once",
				path, p.StatusCode, p.Header.Get("Retry-After"), time.Since(start))
		}
		if !strings.Contains(p.body, "Too many downloads or uploads") {
			t.Errorf("%s past the limit does not say why:\n%.600s", path, p.body)
		}
	}
	wantStatus(t, b.get(docsPath), http.StatusOK) // pages are not counted
	poolIdle(t, ts, "stalled download")
	time.Sleep(3 * stall)
	n, err := io.Copy(io.Discard, stalled.Body)
	if err == nil || n+64<<10 >= size {
		t.Errorf("a client that stopped reading for %v got %d more bytes (%v); want the download cut", 3*stall, n, err)
	}

	// The place is free again. A client that reads 16 KB every half stall timeout is served to
	// the end, however long it takes: it is held back for 4 stall timeouts, then reads the rest.
	resp := openDownload(t, slow, fileURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download after the stalled one was dropped: status %d", resp.StatusCode)
	}
	down := sha256.New()
	start := time.Now()
	var got int64
	for time.Since(start) < 4*stall {
		k, err := io.CopyN(down, resp.Body, 16<<10)
		got += k
		if err != nil {
			t.Fatalf("slow download cut after %d bytes in %v: %v", got, time.Since(start), err)
		}
		time.Sleep(stall / 2)
	}
	k, err := io.Copy(down, resp.Body)
	if got += k; err != nil || got != size {
		t.Fatalf("slow download: %d bytes of %d, %v", got, size, err)
	}
	if hex.EncodeToString(down.Sum(nil)) != hex.EncodeToString(sum.Sum(nil)) {
		t.Error("the slow download came back different")
	}

	// The archive, stalled, holds no connection either.
	zipResp := openDownload(t, slow, ts.srv.URL+docsPath+".zip")
	if zipResp.StatusCode != http.StatusOK {
		t.Fatalf("archive: status %d", zipResp.StatusCode)
	}
	poolIdle(t, ts, "stalled archive")
	zipResp.Body.Close()

	// An upload whose client stops sending: it holds the only upload place, then is dropped,
	// and leaves no file and no number.
	pr, pw := io.Pipe()
	body, ctype := multipartBody(contribution(fx.org(china), "An upload that stops"),
		&docFile{"stops.pdf", io.MultiReader(io.LimitReader(randomPDF(size), 256<<10), pr)})
	req, _ := http.NewRequest(http.MethodPost, ts.srv.URL+docsPath+"/new", body)
	req.Header.Set("Content-Type", ctype)
	upDone := make(chan error, 1)
	upStart := time.Now()
	var upStatus int
	go func() {
		resp, err := slow.Do(req)
		if err == nil {
			upStatus = resp.StatusCode
			resp.Body.Close()
		}
		upDone <- err
	}()
	time.Sleep(stall / 2)
	start = time.Now()
	p := b.postMultipart(docsPath+"/new", contribution(fx.org(china), "A second upload"), pdfFile("second.pdf"))
	if p.StatusCode != http.StatusServiceUnavailable || p.Header.Get("Retry-After") != "30" || time.Since(start) > time.Second {
		t.Errorf("upload past the limit: status %d, Retry-After %q after %v", p.StatusCode, p.Header.Get("Retry-After"), time.Since(start))
	}
	poolIdle(t, ts, "stalled upload")
	select {
	case err := <-upDone:
		took := time.Since(upStart)
		if took < stall || (err == nil && upStatus < 400) {
			t.Errorf("stalled upload ended after %v with status %d, %v; want it dropped after %v", took, upStatus, err, stall)
		}
	case <-time.After(5 * stall):
		t.Fatalf("an upload whose client stopped sending was not dropped after %v", 5*stall)
	}
	pw.Close()
	if n := fx.count("blobs WHERE pending_until IS NOT NULL"); n != 0 {
		t.Errorf("%d pending files after the dropped upload", n)
	}
	if n := fx.count("documents"); n != 1 {
		t.Errorf("%d documents, want the first one alone", n)
	}
	// Its place is free: the next upload is numbered next.
	wantRedirect(t, b.postMultipart(docsPath+"/new", contribution(fx.org(china), "The next upload"), pdfFile("next.pdf")), docsPath+"/C2")
}

func pdfFile(name string) *docFile { f := pdf(name); return &f }
