package batch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// gate is a batch function that records each batch and holds it until released.
type gate struct {
	mu      sync.Mutex
	batches [][]int
	release chan struct{}
	entered chan struct{}
}

func newGate() *gate { return &gate{release: make(chan struct{}), entered: make(chan struct{}, 100)} }

func (g *gate) run(_ context.Context, in []int) ([]int, []error) {
	g.mu.Lock()
	g.batches = append(g.batches, append([]int(nil), in...))
	g.mu.Unlock()
	g.entered <- struct{}{}
	<-g.release
	out := make([]int, len(in))
	for i, v := range in {
		out[i] = v * 10
	}
	return out, make([]error, len(in))
}

func (g *gate) sizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var s []int
	for _, b := range g.batches {
		s = append(s, len(b))
	}
	return s
}

// waitQueued waits until n calls wait in c's queue.
func waitQueued[In, Out any](t *testing.T, c *Coalescer[In, Out], n int) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		c.mu.Lock()
		q := len(c.queue)
		c.mu.Unlock()
		if q >= n {
			return
		}
	}
	t.Fatalf("fewer than %d calls queued", n)
}

func TestCoalescerServesALoneCallAtOnce(t *testing.T) {
	g := newGate()
	close(g.release)
	c := New(context.Background(), 10, 1, g.run)
	got, err := c.Do(context.Background(), 4)
	if err != nil || got != 40 {
		t.Fatalf("do(4) = %d, %v", got, err)
	}
	if s := g.sizes(); len(s) != 1 || s[0] != 1 {
		t.Fatalf("batches %v, want one of 1", s)
	}
}

func TestCoalescerGathersCallsThatArriveWhileEverySlotIsBusy(t *testing.T) {
	g := newGate()
	c := New(context.Background(), 4, 2, g.run)
	var wg sync.WaitGroup
	results := make([]int, 12)
	call := func(i int) {
		wg.Go(func() {
			v, err := c.Do(context.Background(), i)
			if err != nil {
				t.Errorf("do(%d): %v", i, err)
			}
			results[i] = v
		})
	}
	// The first two calls take both slots; the ten after them wait together.
	call(0)
	<-g.entered
	call(1)
	<-g.entered
	for i := 2; i < 12; i++ {
		call(i)
	}
	waitQueued(t, c, 10)
	close(g.release)
	wg.Wait()
	for i, v := range results {
		if v != i*10 {
			t.Errorf("call %d got %d, want %d", i, v, i*10)
		}
	}
	// Then at most maxBatch at once: 4, 4 and 2, in any order of the two slots.
	sizes := g.sizes()
	if len(sizes) != 5 || sizes[0] != 1 || sizes[1] != 1 {
		t.Fatalf("batch sizes %v, want 1, 1, then 4, 4, 2", sizes)
	}
	total := 0
	for _, s := range sizes[2:] {
		if s > 4 {
			t.Errorf("a batch of %d is over the maximum of 4", s)
		}
		total += s
	}
	if total != 10 {
		t.Errorf("the later batches served %d calls, want 10", total)
	}
}

func TestCoalescerDropsACallWhoseRequestHasGone(t *testing.T) {
	g := newGate()
	c := New(context.Background(), 10, 1, g.run)
	first := make(chan error)
	go func() {
		_, err := c.Do(context.Background(), 1)
		first <- err
	}()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error)
	go func() {
		_, err := c.Do(ctx, 2)
		gone <- err
	}()
	waitQueued(t, c, 1)
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call returned %v", err)
	}
	close(g.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// The cancelled call never reached the batch function.
	if _, err := c.Do(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	for _, b := range g.batches {
		for _, v := range b {
			if v == 2 {
				t.Fatalf("the cancelled call was served: batches %v", g.batches)
			}
		}
	}
}

func TestCoalescerAnswersEveryCallWhenABatchPanics(t *testing.T) {
	calls := 0
	c := New(context.Background(), 10, 1, func(_ context.Context, in []int) ([]int, []error) {
		calls++
		if calls == 1 {
			panic("broken")
		}
		return make([]int, len(in)), make([]error, len(in))
	})
	if _, err := c.Do(context.Background(), 1); err == nil {
		t.Fatal("a panicking batch returned no error")
	}
	// The slot was given back: the next call is served.
	if _, err := c.Do(context.Background(), 2); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
}

// A call whose request ends while its batch runs gets the batch's answer, not its context's
// error: what the batch did (a registration committed, mailed) is what the caller is told.
func TestCoalescerTellsATakenCallWhatItsBatchDid(t *testing.T) {
	g := newGate()
	c := New(context.Background(), 10, 1, g.run)
	ctx, cancel := context.WithCancel(context.Background())
	type answer struct {
		out int
		err error
	}
	got := make(chan answer)
	go func() {
		out, err := c.Do(ctx, 7)
		got <- answer{out, err}
	}()
	<-g.entered
	cancel()
	select {
	case a := <-got:
		t.Fatalf("answered %v %v while its batch still ran", a.out, a.err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.release)
	if a := <-got; a.err != nil || a.out != 70 {
		t.Fatalf("got %v %v, want the batch's answer 70", a.out, a.err)
	}
}
