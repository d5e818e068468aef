package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The load generator speaks HTTP/1.1 itself over raw keep-alive connections: the client shares the
// machine's cores with the server under test, so it must cost as little as possible per request,
// and it must cost the same for the baseline and for the pages. Each connection serialises its
// request once (only a body function adds work per request), writes it with one system call and
// reads the response through a bufio.Reader, discarding the body without copying it.

// Request is what one connection sends, over and over.
type Request struct {
	Method string // default GET
	Path   string // e.g. /meetings/sg13-wp-2025-07
	Header http.Header
	// Body returns the body of the connection's n-th request (n counts from 0, warm-up
	// included); nil sends none. Set Content-Type in Header.
	Body func(n int) []byte
}

// Load is one load run: where to send and what.
type Load struct {
	// Addr is host:port of the server under test.
	Addr string
	// Expect is the status counted as a success (default 200); any other is an error.
	Expect int
	// Request returns the request of connection conn (0 ≤ conn < connections). It is called
	// once per connection before the clock starts, so a scenario can, for example, sign in a
	// different account for each connection.
	Request func(ctx context.Context, conn int) (Request, error)
}

// Result is what a load run measured, over the measured window only (warm-up excluded).
type Result struct {
	Responses int           // completed responses (any status)
	Errors    int           // responses with another status than expected, plus transport errors
	Elapsed   time.Duration // length of the measured window
	BodyBytes int           // body size of the last response
	Latencies []time.Duration
	FirstErr  string // first error seen, for the report
}

// RPS is completed responses per second.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Responses) / r.Elapsed.Seconds()
}

// Percentile returns the latency at quantile q (0..1), nearest rank; Latencies must be sorted.
func (r *Result) Percentile(q float64) time.Duration {
	n := len(r.Latencies)
	if n == 0 {
		return 0
	}
	i := int(q*float64(n)+0.999999) - 1
	i = max(0, min(i, n-1))
	return r.Latencies[i]
}

// Max returns the largest latency.
func (r *Result) Max() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[len(r.Latencies)-1]
}

// RunLoad opens conns keep-alive connections to l.Addr, each sending requests back to back for
// warmup+d, and measures the last d.
func RunLoad(ctx context.Context, l *Load, conns int, warmup, d time.Duration) (*Result, error) {
	expect := l.Expect
	if expect == 0 {
		expect = http.StatusOK
	}
	workers := make([]*worker, conns)
	for i := range workers {
		req, err := l.Request(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("request of connection %d: %w", i, err)
		}
		workers[i] = newWorker(l.Addr, req, expect)
	}
	// Open every connection before the clock starts.
	for _, w := range workers {
		if err := w.dial(); err != nil {
			for _, w := range workers {
				w.close()
			}
			return nil, err
		}
	}
	start := time.Now()
	from, to := start.Add(warmup), start.Add(warmup+d)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(ctx, from, to) })
	}
	wg.Wait()
	end := time.Now()

	res := &Result{Elapsed: d}
	if end.Before(to) { // interrupted
		res.Elapsed = max(0, end.Sub(from))
	}
	total := 0
	for _, w := range workers {
		total += len(w.lat)
	}
	res.Latencies = make([]time.Duration, 0, total)
	for _, w := range workers {
		res.Responses += w.responses
		res.Errors += w.errors
		if res.FirstErr == "" {
			res.FirstErr = w.firstErr
		}
		res.BodyBytes = max(res.BodyBytes, w.bodyBytes)
		for _, ns := range w.lat {
			res.Latencies = append(res.Latencies, time.Duration(ns))
		}
		w.close()
	}
	slices.Sort(res.Latencies)
	return res, ctx.Err()
}

type worker struct {
	addr   string
	expect int
	head   []byte             // the whole request when body is nil, else everything before Content-Length
	body   func(n int) []byte // nil: no body
	isHead bool
	buf    []byte // request buffer when there is a body

	conn net.Conn
	br   *bufio.Reader

	lat       []int64 // nanoseconds, measured window only
	responses int
	errors    int
	bodyBytes int
	firstErr  string
}

func newWorker(addr string, r Request, expect int) *worker {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: plenary-bench\r\nAccept: text/html\r\n", method, r.Path, addr)
	for k, vs := range r.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	w := &worker{addr: addr, expect: expect, body: r.Body, isHead: method == http.MethodHead, lat: make([]int64, 0, 1<<16)}
	if r.Body == nil {
		if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
			b.WriteString("Content-Length: 0\r\n")
		}
		b.WriteString("\r\n")
	}
	w.head = b.Bytes()
	return w
}

func (w *worker) dial() error {
	c, err := net.DialTimeout("tcp", w.addr, 5*time.Second)
	if err != nil {
		return err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	w.conn = c
	if w.br == nil {
		w.br = bufio.NewReaderSize(c, 64<<10)
	} else {
		w.br.Reset(c)
	}
	return nil
}

func (w *worker) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

func (w *worker) fail(err error) {
	w.errors++
	if w.firstErr == "" {
		w.firstErr = err.Error()
	}
}

// run sends requests until to; responses that start at or after from and end by to are counted.
func (w *worker) run(ctx context.Context, from, to time.Time) {
	for n := 0; ; n++ {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		if !t0.Before(to) {
			return
		}
		measured := !t0.Before(from)
		if w.conn == nil {
			if err := w.dial(); err != nil {
				if measured {
					w.fail(err)
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		// A stuck server cannot hold the run much past its end.
		_ = w.conn.SetDeadline(to.Add(5 * time.Second))
		status, size, closeConn, err := w.roundTrip(n)
		t1 := time.Now()
		if err != nil || closeConn {
			w.close()
		}
		if !measured || t1.After(to) {
			continue
		}
		if err != nil {
			w.fail(err)
			continue
		}
		w.responses++
		w.lat = append(w.lat, int64(t1.Sub(t0)))
		w.bodyBytes = size
		if status != w.expect {
			w.fail(fmt.Errorf("status %d, want %d", status, w.expect))
		}
	}
}

func (w *worker) roundTrip(n int) (status, size int, closeConn bool, err error) {
	out := w.head
	if w.body != nil {
		body := w.body(n)
		w.buf = append(w.buf[:0], w.head...)
		w.buf = append(w.buf, "Content-Length: "...)
		w.buf = strconv.AppendInt(w.buf, int64(len(body)), 10)
		w.buf = append(w.buf, "\r\n\r\n"...)
		w.buf = append(w.buf, body...)
		out = w.buf
	}
	if _, err := w.conn.Write(out); err != nil {
		return 0, 0, true, err
	}
	return readResponse(w.br, w.isHead)
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one HTTP/1.x response and discards its body.
func readResponse(br *bufio.Reader, head bool) (status, size int, closeConn bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, 0, true, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, true, errMalformed
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, true, errMalformed
	}
	closeConn = line[7] == '0' // HTTP/1.0
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return status, 0, true, err
		}
		if len(line) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			return status, 0, true, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(name, "content-length"):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return status, 0, true, errMalformed
			}
		case equalFold(name, "transfer-encoding"):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case equalFold(name, "connection"):
			closeConn = closeConn || bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case head || status == http.StatusNoContent || status == http.StatusNotModified || status < 200:
		return status, 0, closeConn, nil
	case chunked:
		size, err = discardChunked(br)
		return status, size, closeConn || err != nil, err
	case length >= 0:
		_, err = br.Discard(length)
		return status, length, closeConn || err != nil, err
	default: // body runs to the end of the connection
		n, err := io.Copy(io.Discard, br)
		return status, int(n), true, err
	}
}

func discardChunked(br *bufio.Reader) (int, error) {
	total := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return total, err
		}
		hexSize, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte{';'})
		n, err := strconv.ParseInt(string(bytes.TrimSpace(hexSize)), 16, 64)
		if err != nil || n < 0 {
			return total, errMalformed
		}
		if n == 0 { // trailers, then an empty line
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return total, err
				}
				if len(line) <= 2 {
					return total, nil
				}
			}
		}
		if _, err := br.Discard(int(n) + 2); err != nil {
			return total, err
		}
		total += int(n)
	}
}

// equalFold reports whether b equals the lower-case ASCII s, ignoring case and surrounding space.
func equalFold(b []byte, s string) bool {
	b = bytes.TrimSpace(b)
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
