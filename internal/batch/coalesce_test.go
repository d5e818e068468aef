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

// caller returns call(i): c.Do(i) in a goroutine of wg, its answer kept in results[i].
func caller(t *testing.T, c *Coalescer[int, int], wg *sync.WaitGroup, results []int) func(int) {
	return func(i int) {
		wg.Go(func() {
			v, err := c.Do(context.Background(), i)
			if err != nil {
				t.Errorf("do(%d): %v", i, err)
			}
			results[i] = v
		})
	}
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
	call := caller(t, c, &wg, results)
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

// handoffGate is a batch function for NewOverlapped: each batch records itself, waits for its
// handoff signal, hands off, then waits to be finished.
type handoffGate struct {
	mu      sync.Mutex
	batches [][]int
	// entered gets each batch's number as it starts; handoff[n] and finish[n] let batch n go on.
	entered         chan int
	handoff, finish []chan struct{}
	running, most   int
}

func newHandoffGate(n int) *handoffGate {
	g := &handoffGate{entered: make(chan int, n)}
	for range n {
		g.handoff = append(g.handoff, make(chan struct{}))
		g.finish = append(g.finish, make(chan struct{}))
	}
	return g
}

func (g *handoffGate) run(ctx context.Context, in []int) ([]int, []error) {
	g.mu.Lock()
	n := len(g.batches)
	g.batches = append(g.batches, append([]int(nil), in...))
	g.running++
	g.most = max(g.most, g.running)
	g.mu.Unlock()
	g.entered <- n
	<-g.handoff[n]
	Handoff(ctx)
	Handoff(ctx) // a second call changes nothing
	<-g.finish[n]
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	out := make([]int, len(in))
	for i, v := range in {
		out[i] = v * 10
	}
	return out, make([]error, len(in))
}

// notEntered fails when a batch starts within a short while.
func (g *handoffGate) notEntered(t *testing.T, why string) {
	t.Helper()
	select {
	case n := <-g.entered:
		t.Fatalf("batch %d started %s", n, why)
	case <-time.After(30 * time.Millisecond):
	}
}

// An overlapped coalescer starts the next batch when the one before hands off, not before, and
// never has more than inFlight batches at once; what arrived meanwhile is one batch.
func TestOverlappedCoalescerStartsTheNextBatchAtHandoff(t *testing.T) {
	g := newHandoffGate(4)
	c := NewOverlapped(context.Background(), 10, 2, g.run)
	var wg sync.WaitGroup
	results := make([]int, 9)
	call := caller(t, c, &wg, results)
	call(0)
	if n := <-g.entered; n != 0 {
		t.Fatalf("batch %d first", n)
	}
	for i := 1; i < 4; i++ {
		call(i)
	}
	waitQueued(t, c, 3)
	g.notEntered(t, "while the first had not handed off")
	close(g.handoff[0])
	if n := <-g.entered; n != 1 {
		t.Fatalf("batch %d second", n)
	}
	// Batch 0 has handed off but not finished; batch 1 works. Calls now wait for batch 1's
	// handoff.
	for i := 4; i < 9; i++ {
		call(i)
	}
	waitQueued(t, c, 5)
	g.notEntered(t, "while the second had not handed off")
	// Batch 1 hands off: two are in flight, both handed off; the third must wait for one to end.
	close(g.handoff[1])
	g.notEntered(t, "with two batches in flight (inFlight 2)")
	close(g.finish[0])
	if n := <-g.entered; n != 2 {
		t.Fatalf("batch %d third", n)
	}
	close(g.handoff[2])
	close(g.finish[1])
	close(g.finish[2])
	wg.Wait()
	for i, v := range results {
		if v != i*10 {
			t.Errorf("call %d got %d, want %d", i, v, i*10)
		}
	}
	if len(g.batches) != 3 || len(g.batches[1]) != 3 || len(g.batches[2]) != 5 {
		t.Errorf("batches %v, want [0], then the 3 that arrived during the first, then the 5 during the second", g.batches)
	}
	if g.most != 2 {
		t.Errorf("at most %d batches ran at once, want 2", g.most)
	}
}

// A batch that never hands off (the same code run outside a batch calls Handoff with a context
// of its own, which does nothing) is served one at a time.
func TestOverlappedCoalescerWithoutHandoffServesOneBatchAtATime(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	c := NewOverlapped(context.Background(), 2, 4, func(_ context.Context, in []int) ([]int, []error) {
		Handoff(context.Background())
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return make([]int, len(in)), make([]error, len(in))
	})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := c.Do(context.Background(), i); err != nil {
				t.Errorf("do(%d): %v", i, err)
			}
		})
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d batches ran at once, want 1", most)
	}
}

// In an overlapped coalescer too, a call whose request ends while its batch runs (after the
// handoff too) gets the batch's answer, and a call still waiting is dropped with its context's
// error and never served.
func TestOverlappedCoalescerTellsTheTruthWhenARequestEnds(t *testing.T) {
	g := newHandoffGate(3)
	c := NewOverlapped(context.Background(), 10, 2, g.run)
	type answer struct {
		out int
		err error
	}
	takenCtx, cancelTaken := context.WithCancel(context.Background())
	taken := make(chan answer)
	go func() {
		out, err := c.Do(takenCtx, 7)
		taken <- answer{out, err}
	}()
	<-g.entered
	close(g.handoff[0])
	// Batch 1 starts at once for the next call; a third call waits for batch 1's handoff.
	other := make(chan answer)
	go func() {
		out, err := c.Do(context.Background(), 8)
		other <- answer{out, err}
	}()
	<-g.entered
	waitingCtx, cancelWaiting := context.WithCancel(context.Background())
	waiting := make(chan answer)
	go func() {
		out, err := c.Do(waitingCtx, 9)
		waiting <- answer{out, err}
	}()
	waitQueued(t, c, 1)
	cancelTaken()
	cancelWaiting()
	if a := <-waiting; !errors.Is(a.err, context.Canceled) {
		t.Fatalf("the waiting call got %v %v, want its context's error", a.out, a.err)
	}
	select {
	case a := <-taken:
		t.Fatalf("answered %v %v while its batch still ran", a.out, a.err)
	case <-time.After(30 * time.Millisecond):
	}
	close(g.finish[0])
	if a := <-taken; a.err != nil || a.out != 70 {
		t.Fatalf("got %v %v, want the batch's answer 70", a.out, a.err)
	}
	close(g.handoff[1])
	close(g.finish[1])
	if a := <-other; a.err != nil || a.out != 80 {
		t.Fatalf("got %v %v, want 80", a.out, a.err)
	}
	g.notEntered(t, "for a call whose request had gone")
	for _, b := range g.batches {
		for _, v := range b {
			if v == 9 {
				t.Fatalf("the cancelled call was served: batches %v", g.batches)
			}
		}
	}
}
