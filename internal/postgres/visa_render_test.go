package postgres_test

import (
	"context"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// No registration lock is held while letters render: a cancellation made while 1,000 letters
// are being issued completes within 100 ms, and its letter is then not issued.
func TestCancellationDuringA1000LetterBatch(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ids := seedVisaRequests(t, w, 1000)
	ctx := context.Background()
	var victim int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT registration_id FROM visa_requests WHERE id = $1`, ids[500]).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	type result struct {
		res postgres.VisaResult
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		res, err := w.db.IssueVisas(ctx, w.audit(secretariatAt), w.actor(secretariatAt), w.opts, ids, time.Now())
		done <- result{res, err, time.Now()}
	}()
	// The batch reads its requests at once, then renders for seconds.
	time.Sleep(500 * time.Millisecond)
	t0 := time.Now()
	err := cancelRegistration(ctx, w.db, w.audit(secretariatAt), w.actor(secretariatAt), victim, time.Now())
	took := time.Since(t0)
	cancelled := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Logf("cancellation took %s during a batch of %s", took, r.at.Sub(start))
	if !r.at.After(cancelled) {
		t.Fatalf("the batch (%s) ended before the cancellation was made: the test proves nothing", r.at.Sub(start))
	}
	if took > 100*time.Millisecond {
		t.Errorf("the cancellation took %s, want at most 100 ms", took)
	}
	if len(r.res.Done) != 999 || domain.ErrorCode(r.res.Refused[ids[500]]) != domain.Conflict {
		t.Errorf("issued %d, the cancelled one: %v", len(r.res.Done), r.res.Refused[ids[500]])
	}
	var letters int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM visa_letters WHERE visa_request_id = $1`, ids[500]).Scan(&letters); err != nil || letters != 0 {
		t.Errorf("%d letters for the cancelled registration: %v", letters, err)
	}
}
