// Package batch serves many concurrent calls with one call of a function that does the work of
// all of them at once (group commit): a store's registrations, a desk's scans.
package batch

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Coalescer serves calls that arrive together with one call of run, so that many concurrent
// requests cost the database one round trip (and one commit) instead of one each, as
// PostgreSQL's own group commit does for its WAL flushes. At most inFlight batches run at once; a
// call that finds a free slot starts a batch at once, so a lone call waits for nothing, and calls
// that arrive while every slot is busy wait together for the next free one. Under load the
// batches grow by themselves, with no timer: a batch takes what arrived while the one before ran.
//
// A coalescer made with NewOverlapped has at most one batch doing its work at a time: the next
// starts when the one before has handed off (Handoff: for a store, its last statements and COMMIT
// are sent and only the commit's flush is left), so that a batch's work overlaps the flush of the
// one before instead of splitting what arrived between two batches working at once.
type Coalescer[In, Out any] struct {
	// run serves a batch: out[i] and errs[i] are the answer to in[i]. The context is the
	// coalescer's own (a batch serves many requests: none of their contexts can bound it).
	run      func(ctx context.Context, in []In) (out []Out, errs []error)
	maxBatch int
	inFlight int
	// maxWorking bounds the batches running that have not handed off (see Handoff).
	maxWorking int
	// base bounds every batch, with timeout; it ends when the coalescer's owner closes (a store).
	base    context.Context
	timeout time.Duration

	mu    sync.Mutex
	queue []*pending[In, Out]
	// running counts the batches started and not finished, working those of them that have not
	// handed off.
	running, working int
}

type pending[In, Out any] struct {
	ctx context.Context
	in  In
	out Out
	err error
	// taken says a batch holds the call (its caller then waits for the batch's answer, which
	// says what happened); gone says its caller left before that (no batch will take it). Both
	// are guarded by the coalescer's mu.
	taken, gone bool
	done        chan struct{}
}

// New returns a coalescer that serves calls with run, at most maxBatch in a batch and at most
// inFlight batches at once, each bounded by base and a timeout of 30 s.
func New[In, Out any](base context.Context, maxBatch, inFlight int, run func(context.Context, []In) ([]Out, []error)) *Coalescer[In, Out] {
	return &Coalescer[In, Out]{run: run, maxBatch: maxBatch, inFlight: inFlight, maxWorking: inFlight, base: base, timeout: 30 * time.Second}
}

// NewOverlapped is New with at most one batch working at a time: the next batch starts when the
// one before calls Handoff with its context (or ends), while at most inFlight batches are in
// flight. A run that never calls Handoff is served one batch at a time.
func NewOverlapped[In, Out any](base context.Context, maxBatch, inFlight int, run func(context.Context, []In) ([]Out, []error)) *Coalescer[In, Out] {
	c := New(base, maxBatch, inFlight, run)
	c.maxWorking = 1
	return c
}

// handoffKey is the context key of a batch's handoff (see Handoff).
type handoffKey struct{}

// Handoff, called by a batch's run function with the context it was given, says that the batch
// has done the part of its work that must not overlap the next batch's (for a store: it has sent
// its last statements with the COMMIT, and only waits for them): a coalescer made with
// NewOverlapped may start the next batch. It does nothing after the first call, or with another
// context (the same code run outside a batch).
func Handoff(ctx context.Context) {
	if h, ok := ctx.Value(handoffKey{}).(func()); ok {
		h()
	}
}

// Do serves in, together with whatever else arrives meanwhile, and says what happened to it.
// When ctx ends before a batch has taken the call, the call is dropped and Do returns ctx's
// error: nothing was done. Once a batch holds it, Do waits for the batch's answer whatever ctx
// does (a batch is bounded by the coalescer's timeout), so that work that committed (a
// registration, a scan) is never answered as failed.
func (c *Coalescer[In, Out]) Do(ctx context.Context, in In) (Out, error) {
	call := &pending[In, Out]{ctx: ctx, in: in, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, call)
	c.startLocked()
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.out, call.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	taken := call.taken
	call.gone = !taken
	c.mu.Unlock()
	if taken {
		<-call.done
		return call.out, call.err
	}
	var zero Out
	return zero, ctx.Err()
}

// startLocked starts batches while calls wait and the limits allow (c.mu held): each batch runs
// in a goroutine of its own, which starts the next ones when it hands off and when it ends.
func (c *Coalescer[In, Out]) startLocked() {
	for len(c.queue) > 0 && c.running < c.inFlight && c.working < c.maxWorking {
		n := min(len(c.queue), c.maxBatch)
		batch := make([]*pending[In, Out], 0, n)
		for _, call := range c.queue[:n] {
			// A call whose request has gone is not served: its caller has returned, told
			// that nothing was done.
			if call.gone || call.ctx.Err() != nil {
				call.gone = true
				continue
			}
			call.taken = true
			batch = append(batch, call)
		}
		c.queue = append([]*pending[In, Out](nil), c.queue[n:]...)
		if len(batch) == 0 {
			continue
		}
		c.running++
		c.working++
		go c.runBatch(batch)
	}
}

func (c *Coalescer[In, Out]) runBatch(live []*pending[In, Out]) {
	handedOff := false
	handoff := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !handedOff {
			handedOff = true
			c.working--
			c.startLocked()
		}
	}
	in := make([]In, len(live))
	for i, call := range live {
		in[i] = call.in
	}
	out, errs := c.runSafely(in, handoff)
	for i, call := range live {
		call.out, call.err = out[i], errs[i]
		close(call.done)
	}
	c.mu.Lock()
	if !handedOff {
		handedOff = true
		c.working--
	}
	c.running--
	c.startLocked()
	c.mu.Unlock()
}

// runSafely runs a batch, turning a panic into every call's error: a waiting request must never
// be left without an answer.
func (c *Coalescer[In, Out]) runSafely(in []In, handoff func()) (out []Out, errs []error) {
	ctx, cancel := context.WithTimeout(context.WithValue(c.base, handoffKey{}, handoff), c.timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			out, errs = make([]Out, len(in)), make([]error, len(in))
			for i := range errs {
				errs[i] = fmt.Errorf("batch: panic: %v", v)
			}
		}
	}()
	return c.run(ctx, in)
}
