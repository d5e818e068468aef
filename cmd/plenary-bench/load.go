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
	"strings"
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
	// Each, when set, returns the path and the Cookie header of the connection's n-th request,
	// in place of Path (and of any Cookie in Header): for requests that each act for another
	// account or on another record. Like Body, it is called once per request.
	Each func(n int) (path, cookie string)
}

// Load is one load run: where to send and what.
type Load struct {
	// Addr is host:port of the server under test.
	Addr string
	// Expect is the status counted as a success (default 200); any other is an error.
	Expect int
	// Location, when set, is the prefix the Location header of a successful response must have
	// (a redirect to the sign-in page is a 303 too).
	Location string
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
	// Notes are further figures for the report, one line each; Failures are checks other than
	// the targets that failed (a scenario with a failure fails).
	Notes    []string
	Failures []string
	// Baseline, when set, is the baseline measured in rounds alternating with this result's
	// (Env.RunInterleaved): the ratio is taken to it.
	Baseline *Result
	// CPU is the CPU the load's own rounds used (Env.RunInterleaved), warm-ups included.
	CPU cpuUse
	// wal is what RunInterleaved read of the write-ahead log (see Env.walPerRequest).
	wal interleavedWAL
}

// add adds another window's figures to r; Latencies are sorted again by the caller.
func (r *Result) add(o *Result) {
	r.Responses += o.Responses
	r.Errors += o.Errors
	r.Elapsed += o.Elapsed
	r.BodyBytes = max(r.BodyBytes, o.BodyBytes)
	if r.FirstErr == "" {
		r.FirstErr = o.FirstErr
	}
	r.Latencies = append(r.Latencies, o.Latencies...)
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *Result) failf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
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
		workers[i] = newWorker(l.Addr, req, expect, l.Location)
	}
	// Open every connection before the clock starts.
	if err := dialAll(workers); err != nil {
		return nil, err
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
	collect(res, workers)
	return res, ctx.Err()
}

// RunInterleaved measures l beside its baseline in alternating rounds: e.Rounds times the
// baseline, then l, each for e.Duration/e.Rounds after a warm-up (e.Warmup the first time, half
// of it after). On a shared machine the speed drifts over minutes; measured in the same minutes,
// the two are compared under the same conditions. The result is l's over all its rounds, with the
// baseline's in Result.Baseline and the CPU of l's rounds in Result.CPU.
func (e *Env) RunInterleaved(ctx context.Context, base, l *Load) (*Result, error) {
	res, bres := &Result{}, &Result{}
	slice := e.Duration / time.Duration(e.Rounds)
	var perRound []string
	res.wal.start = e.sampleWAL(ctx)
	for i := range e.Rounds {
		w := e.Warmup
		if i > 0 {
			w = e.Warmup / 2
		}
		w0 := e.sampleWAL(ctx)
		b, err := RunLoad(ctx, base, e.Conns, w, slice)
		if err != nil {
			return nil, fmt.Errorf("baseline, round %d: %w", i+1, err)
		}
		bres.add(b)
		// Requests sent in the round, warm-up included (about: at the measured rate).
		sent := b.RPS() * (w + slice).Seconds()
		res.wal.baseSent += sent
		if i == 0 {
			// Only the first baseline round runs before any of l's: later ones also carry
			// the writes l's requests left (mail sent after its request was answered).
			res.wal.base.add(w0, e.sampleWAL(ctx), sent)
		}
		c0 := e.sampleCPU()
		r, err := RunLoad(ctx, l, e.Conns, w, slice)
		if err != nil {
			return nil, err
		}
		res.CPU.add(c0, e.sampleCPU())
		res.add(r)
		perRound = append(perRound, fmt.Sprintf("%.0f%%", 100*r.RPS()/b.RPS()))
	}
	slices.Sort(res.Latencies)
	slices.Sort(bres.Latencies)
	res.Baseline = bres
	res.note("measured in %d rounds alternating with its baseline (%.0f rps in the same minutes); ratio per round: %s",
		e.Rounds, bres.RPS(), strings.Join(perRound, ", "))
	return res, nil
}

// sendTime is how long RunInterleaved sends l's requests, warm-ups included.
func (e *Env) sendTime() time.Duration {
	return e.Warmup + time.Duration(e.Rounds-1)*e.Warmup/2 + e.Duration
}

// RunPaced is the open-loop counterpart of RunLoad: each of the conns connections sends at fixed
// intervals, so that together they offer rate requests per second whatever the server's speed,
// for warmup+d. The latency of a request is measured from the time it was scheduled, not from
// when it could be written: a request that waits behind a slow response on its connection counts
// that wait (no coordinated omission). Every request scheduled within the measured window is
// counted, even when its response comes after the window; one still unsent 5 s after the window
// is an error. Elapsed is d, so RPS is the rate achieved.
func RunPaced(ctx context.Context, l *Load, conns int, rate float64, warmup, d time.Duration) (*Result, error) {
	if rate <= 0 {
		return nil, errors.New("paced load: rate must be positive")
	}
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
		workers[i] = newWorker(l.Addr, req, expect, l.Location)
	}
	if err := dialAll(workers); err != nil {
		return nil, err
	}
	interval := time.Duration(float64(conns) / rate * float64(time.Second))
	start := time.Now()
	from, to := start.Add(warmup), start.Add(warmup+d)
	stop := to.Add(5 * time.Second)
	var wg sync.WaitGroup
	for i, w := range workers {
		// Connections are spread evenly over one interval.
		first := start.Add(interval * time.Duration(i) / time.Duration(conns))
		wg.Go(func() { w.paced(ctx, first, interval, from, to, stop) })
	}
	wg.Wait()
	res := &Result{Elapsed: d}
	collect(res, workers)
	res.note("offered %.0f rps (%d connections, one request every %s each), achieved %.0f rps", rate, conns, fmtDur(interval), res.RPS())
	return res, ctx.Err()
}

// RunSequential sends l's request of connection 0 warm times unmeasured, then n times measured,
// one after the other on one connection. Elapsed is the measured time, so RPS is the sequential
// rate.
func RunSequential(ctx context.Context, l *Load, warm, n int) (*Result, error) {
	expect := l.Expect
	if expect == 0 {
		expect = http.StatusOK
	}
	req, err := l.Request(ctx, 0)
	if err != nil {
		return nil, err
	}
	w := newWorker(l.Addr, req, expect, l.Location)
	if err := dialAll([]*worker{w}); err != nil {
		return nil, err
	}
	start := time.Now()
	w.sequential(ctx, warm, n)
	res := &Result{Elapsed: time.Since(start)}
	collect(res, []*worker{w})
	return res, ctx.Err()
}

func dialAll(workers []*worker) error {
	for _, w := range workers {
		if err := w.dial(); err != nil {
			for _, w := range workers {
				w.close()
			}
			return err
		}
	}
	return nil
}

// collect adds the workers' figures to res (whose Elapsed is set) and closes their connections.
func collect(res *Result, workers []*worker) {
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
}

type worker struct {
	addr     string
	expect   int
	location []byte // required prefix of a success's Location header; nil: not checked
	// head is the whole request when neither body nor each is set; otherwise the request is built
	// per request from method, the path, headers and the body.
	head    []byte
	method  string
	path    string
	headers []byte // "Host: …\r\n…": every header line but Cookie (with each) and Content-Length
	body    func(n int) []byte
	each    func(n int) (path, cookie string)
	needLen bool // a POST, PUT or PATCH without a body still sends Content-Length: 0
	isHead  bool
	buf     []byte // request buffer when built per request

	conn net.Conn
	br   *bufio.Reader

	lat       []int64 // nanoseconds, measured window only
	responses int
	errors    int
	bodyBytes int
	firstErr  string
}

func newWorker(addr string, r Request, expect int, location string) *worker {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var h bytes.Buffer
	fmt.Fprintf(&h, "Host: %s\r\nUser-Agent: plenary-bench\r\nAccept: text/html\r\n", addr)
	for k, vs := range r.Header {
		if r.Each != nil && http.CanonicalHeaderKey(k) == "Cookie" {
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(&h, "%s: %s\r\n", k, v)
		}
	}
	w := &worker{addr: addr, expect: expect, method: method, path: r.Path, headers: h.Bytes(), body: r.Body, each: r.Each,
		needLen: method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch,
		isHead:  method == http.MethodHead, lat: make([]int64, 0, 1<<16)}
	if location != "" {
		w.location = []byte(location)
	}
	if r.Body == nil && r.Each == nil {
		w.head = w.build(r.Path, "", nil)
	}
	return w
}

// build serialises one request into w.buf.
func (w *worker) build(path, cookie string, body []byte) []byte {
	b := append(w.buf[:0], w.method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\n"...)
	b = append(b, w.headers...)
	if cookie != "" {
		b = append(b, "Cookie: "...)
		b = append(b, cookie...)
		b = append(b, "\r\n"...)
	}
	if body != nil || w.needLen {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	w.buf = b
	return b
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
		status, size, loc, closeConn, err := w.roundTrip(n)
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
		w.record(t1.Sub(t0), status, size, loc)
	}
}

// record counts one measured response.
func (w *worker) record(lat time.Duration, status, size int, loc []byte) {
	w.responses++
	w.lat = append(w.lat, int64(lat))
	w.bodyBytes = size
	switch {
	case status != w.expect:
		w.fail(fmt.Errorf("status %d, want %d", status, w.expect))
	case w.location != nil && !bytes.HasPrefix(loc, w.location):
		w.fail(fmt.Errorf("redirected to %q, want %s…", loc, w.location))
	}
}

// exchange sends request n and reads its response, on a new connection if needed.
func (w *worker) exchange(n int, deadline time.Time) (status, size int, loc []byte, err error) {
	if w.conn == nil {
		if err := w.dial(); err != nil {
			return 0, 0, nil, err
		}
	}
	_ = w.conn.SetDeadline(deadline)
	status, size, loc, closeConn, err := w.roundTrip(n)
	if err != nil || closeConn {
		w.close()
	}
	return status, size, loc, err
}

// paced sends request n at first+n·interval (or at once when late) until the schedule reaches
// to; latencies run from the scheduled time. Requests scheduled before to but not sent by stop are
// errors.
func (w *worker) paced(ctx context.Context, first time.Time, interval time.Duration, from, to, stop time.Time) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for n := 0; ; n++ {
		sched := first.Add(time.Duration(n) * interval)
		if !sched.Before(to) {
			return
		}
		measured := !sched.Before(from)
		if wait := time.Until(sched); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		if !time.Now().Before(stop) {
			if measured {
				// Everything still scheduled in the window is missed.
				missed := int((to.Sub(sched) + interval - 1) / interval)
				w.errors += missed
				if w.firstErr == "" {
					w.firstErr = fmt.Sprintf("%d requests not sent 5 s after the end: the server fell behind", missed)
				}
			}
			return
		}
		status, size, loc, err := w.exchange(n, stop)
		t1 := time.Now()
		if !measured {
			continue
		}
		if err != nil {
			w.fail(err)
			if w.conn == nil {
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		w.record(t1.Sub(sched), status, size, loc)
	}
}

// sequential sends warm unmeasured requests, then n measured ones.
func (w *worker) sequential(ctx context.Context, warm, n int) {
	for i := range warm + n {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		status, size, loc, err := w.exchange(i, t0.Add(60*time.Second))
		t1 := time.Now()
		if i < warm {
			continue
		}
		if err != nil {
			w.fail(err)
			continue
		}
		w.record(t1.Sub(t0), status, size, loc)
	}
}

func (w *worker) roundTrip(n int) (status, size int, loc []byte, closeConn bool, err error) {
	out := w.head
	if out == nil {
		var body []byte
		if w.body != nil {
			body = w.body(n)
		}
		path, cookie := w.path, ""
		if w.each != nil {
			path, cookie = w.each(n)
		}
		out = w.build(path, cookie, body)
	}
	if _, err := w.conn.Write(out); err != nil {
		return 0, 0, nil, true, err
	}
	return readResponse(w.br, w.isHead, w.location != nil)
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one HTTP/1.x response and discards its body; with wantLoc it returns a copy
// of the Location header.
func readResponse(br *bufio.Reader, head, wantLoc bool) (status, size int, loc []byte, closeConn bool, err error) {
	status, size, closeConn, err = readResponseInto(br, head, wantLoc, &loc)
	return status, size, loc, closeConn, err
}

func readResponseInto(br *bufio.Reader, head, wantLoc bool, loc *[]byte) (status, size int, closeConn bool, err error) {
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
		case wantLoc && equalFold(name, "location"):
			*loc = append((*loc)[:0], value...)
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
