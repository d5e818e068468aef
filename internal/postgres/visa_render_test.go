package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// No registration lock is held while letters render: a cancellation made while 1,000 letters
// are being issued completes within 100 ms, and its letter is then not issued.
func TestCancellationDuringA1000LetterBatch(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ids := seedVisaRequests(t, w, 1000)
	ctx := context.Background()
	// Three delegates of the batch cancel, one after another, while it renders. Each must be
	// done at once: a lock held while rendering would keep every one of them waiting for the
	// whole batch (tens of seconds). The fastest of the three is held to the 100 ms, so that one
	// unlucky moment of a machine busy with other tests does not decide it.
	victims := []int{300, 500, 700}
	regs := make([]int64, len(victims))
	for i, v := range victims {
		if err := w.db.Pool.QueryRow(ctx, `SELECT registration_id FROM visa_requests WHERE id = $1`, ids[v]).Scan(&regs[i]); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		res service.VisaResult
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		res, err := w.issueVisas(ctx, w.audit(secretariatAt), w.actor(secretariatAt), w.opts, ids, time.Now())
		done <- result{res, err, time.Now()}
	}()
	// The batch reads its requests at once, then renders for seconds.
	time.Sleep(500 * time.Millisecond)
	var took []time.Duration
	for _, reg := range regs {
		t0 := time.Now()
		if err := cancelRegistration(ctx, w.db, w.audit(secretariatAt), w.actor(secretariatAt), reg, time.Now()); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	cancelled := time.Now()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Logf("cancellations took %v during a batch of %s", took, r.at.Sub(start))
	if !r.at.After(cancelled) {
		t.Fatalf("the batch (%s) ended before the cancellations were made: the test proves nothing", r.at.Sub(start))
	}
	if best := slices.Min(took); best > 100*time.Millisecond {
		t.Errorf("the fastest of the cancellations took %s, want at most 100 ms", best)
	}
	for _, d := range took {
		if d > 5*time.Second {
			t.Errorf("a cancellation took %s: it waited for the batch", d)
		}
	}
	if len(r.res.Done) != 997 {
		t.Errorf("issued %d, want 997", len(r.res.Done))
	}
	for _, v := range victims {
		if domain.ErrorCode(r.res.Refused[ids[v]]) != domain.Conflict {
			t.Errorf("the cancelled request %d: %v", v, r.res.Refused[ids[v]])
		}
	}
	for _, v := range victims {
		var letters int
		if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM visa_letters WHERE visa_request_id = $1`, ids[v]).Scan(&letters); err != nil || letters != 0 {
			t.Errorf("%d letters for a cancelled registration: %v", letters, err)
		}
	}
}
