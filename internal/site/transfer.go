package site

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Slow clients. The server has no global read or write timeout (a 50 MB download over hotel
// Wi-Fi must not be cut while it makes progress); instead every request gets deadlines from
// ResponseController that follow its progress:
//   - a response is written under a write deadline that moves while the client takes what is
//     sent: a client that stops reading is dropped after the stall timeout, one reading slowly is
//     served to the end. How progress is seen depends on what the server knows of the
//     connection (see progressWriter): with ConnContext on Linux, by the bytes the client has
//     acknowledged, so that a large response is written in large writes at full speed; else each
//     write is made in pieces of at most writePiece bytes, each of which must be taken within the
//     stall timeout;
//   - a request body (a form, an upload) must keep arriving: each read must return within the
//     stall timeout; once the body is read, the deadline is lifted, so that the work after it
//     is not cut;
//   - downloads and uploads are counted: past their limit, a request is answered at once with
//     503 and Retry-After, never queued.
// No database connection is held while a client is read or written (see document_download.go
// and the files service), so slow clients cost memory and a socket each, nothing more.

// writePiece is the most written to a client in one deadline when the client's progress cannot
// be seen otherwise.
const writePiece = 16 << 10

// watchFrom is how much of a response is written before its client's progress is watched
// instead (pages, written at once, stay below it and cost no timer).
const watchFrom = 4 * writePiece

// defaultStall is how long a client may take to send or receive anything before it is dropped.
const defaultStall = 60 * time.Second

func (s *Server) stall() time.Duration {
	if s.opts.StallTimeout > 0 {
		return s.opts.StallTimeout
	}
	return defaultStall
}

type connKey struct{}

// ConnContext is for http.Server's ConnContext: it keeps each request's connection in the
// request's context, so that a response's write deadline can follow what its client has
// acknowledged (progressWriter). A server without it writes responses in pieces.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// deadlines gives every request the progress deadlines described above.
func (s *Server) deadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		stall := s.stall()
		if r.Body != nil && r.Body != http.NoBody {
			_ = rc.SetReadDeadline(time.Now().Add(stall))
			r.Body = &progressBody{ReadCloser: r.Body, rc: rc, stall: stall}
		}
		pw := &progressWriter{ResponseWriter: w, rc: rc, stall: stall}
		if r.ProtoMajor == 1 {
			// Over HTTP/2 the connection is shared by the streams: its bytes say nothing of one.
			pw.conn, _ = r.Context().Value(connKey{}).(net.Conn)
		}
		next.ServeHTTP(pw, r)
		pw.stopWatching()
		// What the server still writes after the handler (the end of a chunked body).
		_ = rc.SetWriteDeadline(time.Now().Add(stall))
	})
}

// progressBody extends the read deadline as the request body arrives.
type progressBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	stall time.Duration
	done  bool
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if !b.done {
		if err != nil {
			// Read to its end (or failed): no deadline for what the handler does next. A read
			// deadline left to pass would end the request's context.
			b.done = true
			_ = b.rc.SetReadDeadline(time.Time{})
		} else if n > 0 {
			_ = b.rc.SetReadDeadline(time.Now().Add(b.stall))
		}
	}
	return n, err
}

// progressWriter writes a response under a write deadline that follows the client's progress.
//
// Writing in pieces of writePiece bytes, each with its own deadline, costs a system call per
// 16 KB: a large download then goes at half the speed of the same bytes written in large
// writes. So once a response is past watchFrom bytes and the connection is known (ConnContext,
// HTTP/1, Linux), it is written in writes as large as they come, and a watch looks, every quarter
// of the stall timeout, at how many bytes the client has acknowledged (TCP_INFO): if that grew,
// the deadline moves to a stall timeout from then. A client that takes nothing is dropped within
// 1¼ stall timeouts; one that takes anything at all in each ¾ of one is never dropped, however
// full the kernel's buffers are. Otherwise every write is made in pieces.
type progressWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	stall   time.Duration
	conn    net.Conn
	written int64
	watch   *progressWatch
}

func (w *progressWriter) Write(p []byte) (int, error) {
	if w.watch == nil && w.conn != nil && w.written+int64(len(p)) > watchFrom {
		w.watch = startWatch(w.conn, w.stall)
		if w.watch == nil {
			w.conn = nil // its progress cannot be seen: pieces
		}
	}
	if w.watch != nil {
		n, err := w.ResponseWriter.Write(p)
		w.written += int64(n)
		return n, err
	}
	total := 0
	for len(p) > 0 {
		piece := p[:min(len(p), writePiece)]
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.stall))
		n, err := w.ResponseWriter.Write(piece)
		total += n
		w.written += int64(n)
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stopWatching ends the watch, if any: the handler has returned.
func (w *progressWriter) stopWatching() {
	if w.watch != nil {
		w.watch.stop()
		w.watch = nil
	}
}

// progressWatch moves a connection's write deadline while its client acknowledges bytes.
type progressWatch struct {
	conn  net.Conn
	raw   syscall.RawConn
	stall time.Duration
	mu    sync.Mutex
	timer *time.Timer
	acked uint64
	done  bool
}

// startWatch sets the write deadline a stall timeout away and starts watching; nil when the
// connection's acknowledged bytes cannot be read.
func startWatch(c net.Conn, stall time.Duration) *progressWatch {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn() // its bytes, encrypted, are progress too
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	acked, ok := ackedBytes(raw)
	if !ok {
		return nil
	}
	pw := &progressWatch{conn: c, raw: raw, stall: stall, acked: acked}
	_ = c.SetWriteDeadline(time.Now().Add(stall))
	pw.mu.Lock()
	pw.timer = time.AfterFunc(stall/4, pw.check)
	pw.mu.Unlock()
	return pw
}

func (pw *progressWatch) check() {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	if pw.done {
		return
	}
	if acked, ok := ackedBytes(pw.raw); ok && acked != pw.acked {
		pw.acked = acked
		_ = pw.conn.SetWriteDeadline(time.Now().Add(pw.stall))
	}
	pw.timer.Reset(pw.stall / 4)
}

func (pw *progressWatch) stop() {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	pw.done = true
	pw.timer.Stop()
}

// limiter counts requests of a kind in progress.
type limiter struct {
	n, max atomic.Int64
}

func newLimiter(max int) *limiter {
	l := &limiter{}
	l.max.Store(int64(max))
	return l
}

func (l *limiter) acquire() bool {
	if l.n.Add(1) > l.max.Load() {
		l.n.Add(-1)
		return false
	}
	return true
}

func (l *limiter) release() { l.n.Add(-1) }

// retryAfter is what a refused transfer is told to wait, in seconds.
const retryAfter = 30

// limit serves at most l's limit of requests at once and answers the others at once with 503.
func (s *Server) limit(l *limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !l.acquire() {
				w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
				if r.Body != nil {
					// Not read: the connection is closed after the answer.
					w.Header().Set("Connection", "close")
				}
				s.renderError(w, r, http.StatusServiceUnavailable, "error.busy_title", "error.busy")
				return
			}
			defer l.release()
			next.ServeHTTP(w, r)
		})
	}
}
