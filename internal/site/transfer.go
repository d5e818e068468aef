package site

import (
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Slow clients. The server has no global read or write timeout (a 50 MB download over hotel
// Wi-Fi must not be cut while it makes progress); instead every request gets deadlines from
// ResponseController that follow its progress:
//   - each write to the client is made in pieces of at most writePiece bytes, each of which must
//     be taken by the client within the stall timeout: a client that stops reading is dropped,
//     one reading slowly (down to writePiece per stall timeout) is served to the end;
//   - a request body (a form, an upload) must keep arriving: each read must return within the
//     stall timeout; once the body is read, the deadline is lifted, so that the work after it
//     is not cut;
//   - downloads and uploads are counted: past their limit, a request is answered at once with
//     503 and Retry-After, never queued.
// No database connection is held while a client is read or written (see document_download.go
// and the files service), so slow clients cost memory and a socket each, nothing more.

// writePiece is the most written to a client in one deadline.
const writePiece = 16 << 10

// defaultStall is how long a client may take to send or receive anything before it is dropped.
const defaultStall = 60 * time.Second

func (s *Server) stall() time.Duration {
	if s.opts.StallTimeout > 0 {
		return s.opts.StallTimeout
	}
	return defaultStall
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
		next.ServeHTTP(pw, r)
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

// progressWriter writes in pieces, each with its own deadline.
type progressWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (w *progressWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		piece := p[:min(len(p), writePiece)]
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.stall))
		n, err := w.ResponseWriter.Write(piece)
		total += n
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
