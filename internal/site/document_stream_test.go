package site_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plenary/internal/pgtest"
)

// heapWatch samples the heap while a test streams, to show that memory stays flat.
type heapWatch struct {
	gcPercent int
	base      uint64
	peak      atomic.Uint64
	alloc     uint64
	stop      chan struct{}
	done      sync.WaitGroup
}

// watchHeap watches the heap in use until finish. Meanwhile the collector runs when garbage
// reaches a tenth of the live heap, not the whole of it (GOGC=100): what the watch sees rise is
// memory held, the file's pieces in flight, not how much garbage the collector's pacing let
// accumulate before its next cycle (which rose to the bound with nothing held).
func watchHeap() *heapWatch {
	gcPercent := debug.SetGCPercent(10)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h := &heapWatch{gcPercent: gcPercent, base: ms.HeapInuse, alloc: ms.TotalAlloc, stop: make(chan struct{})}
	h.peak.Store(ms.HeapInuse)
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > h.peak.Load() {
					h.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return h
}

// finish returns how far the heap in use rose above where it started, and the bytes allocated.
func (h *heapWatch) finish() (rise, allocated uint64) {
	close(h.stop)
	h.done.Wait()
	debug.SetGCPercent(h.gcPercent)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return h.peak.Load() - h.base, ms.TotalAlloc - h.alloc
}

// randomPDF is a reproducible stream of n bytes that starts like a PDF.
func randomPDF(n int64) io.Reader {
	head := "%PDF-1.7\n"
	return io.MultiReader(strings.NewReader(head), io.LimitReader(rand.NewChaCha8([32]byte{1, 3}), n-int64(len(head))))
}

// A 200 MB file goes up and comes back down through the whole web layer with the heap staying
// flat: it streams from the request into a temporary file, from there into PostgreSQL, and from
// PostgreSQL into the response a piece at a time.
func TestA200MBFileStreamsThroughWithFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 400 MB: not with -short")
	}
	const size = 200 << 20
	// Well under the file's size: a few chunks in flight, buffers of the HTTP stack and pgx.
	const bound = 48 << 20
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 256<<20)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	// The test checks memory, not time: 400 MB through the race detector take over the browser's
	// 30 s when the machine is busy (make test runs every package at once).
	b.c.Timeout = 5 * time.Minute

	up := sha256.New()
	h := watchHeap()
	start := time.Now()
	p := b.postMultipart(docsPath+"/new", contribution(fx.org(china), "A very large contribution"),
		&docFile{"large.pdf", io.TeeReader(randomPDF(size), up)})
	upTime := time.Since(start)
	rise, alloc := h.finish()
	wantRedirect(t, p, docsPath+"/C1")
	t.Logf("upload of %d MB: %v, heap in use rose by %.1f MB at most, %.0f MB allocated in all", size>>20, upTime, float64(rise)/(1<<20), float64(alloc)/(1<<20))
	if rise > bound {
		t.Errorf("uploading %d MB raised the heap in use by %d MB, want under %d MB", size>>20, rise>>20, bound>>20)
	}

	h = watchHeap()
	start = time.Now()
	resp, err := b.c.Get(ts.srv.URL + docsPath + "/C1/file")
	if err != nil {
		t.Fatal(err)
	}
	down := sha256.New()
	n, err := io.Copy(down, resp.Body)
	resp.Body.Close()
	downTime := time.Since(start)
	rise, alloc = h.finish()
	if err != nil || resp.StatusCode != http.StatusOK || n != size {
		t.Fatalf("download: status %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	t.Logf("download of %d MB: %v, heap in use rose by %.1f MB at most, %.0f MB allocated in all", size>>20, downTime, float64(rise)/(1<<20), float64(alloc)/(1<<20))
	if rise > bound {
		t.Errorf("downloading %d MB raised the heap in use by %d MB, want under %d MB", size>>20, rise>>20, bound>>20)
	}
	sum := hex.EncodeToString(up.Sum(nil))
	if got := hex.EncodeToString(down.Sum(nil)); got != sum {
		t.Errorf("the file came back different: %s, sent %s", got, sum)
	}
	if etag := resp.Header.Get("ETag"); etag != `"`+sum+`"` {
		t.Errorf("ETag %s, want the SHA-256 %s", etag, sum)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "209715200" {
		t.Errorf("Content-Length = %q", cl)
	}
}
