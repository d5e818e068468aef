package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// Nothing slow happens while a decision holds its rows: a focal point approving 1,000 pending
// registrations at once (1,000 approval mails) holds their locks only for the SQL, so a delegate
// of the batch who changes mode meanwhile waits at most 100 ms. The mails are written after the
// commit, from the facts the transaction recorded.
func TestModeChangeDuringA1000ApprovalBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	focal := w.actor(focalSM)
	const n = 1000
	mine := w.register(w.actor(delegateSM), domain.InPerson)
	// 999 colleagues of the delegate, each with a pending registration.
	if _, err := w.db.Pool.Exec(ctx, `WITH a AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id, language)
			SELECT 'colleague' || i || '@plenary.test', 'x', 'Colleague', 'No. ' || i, $1, CASE WHEN i % 2 = 0 THEN 'zh' ELSE 'en' END
			FROM generate_series(1, $3 - 1) AS i RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state)
		SELECT $2, a.id, $1, 'in_person', 'pending' FROM a`, mine.OrganisationID, w.meeting, n); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, _ := w.db.Pool.Query(ctx, `SELECT id FROM registrations WHERE meeting_id = $1 AND state = 'pending' ORDER BY id`, w.meeting)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if rows.Err() != nil || len(ids) != n {
		t.Fatalf("%d pending registrations (%v), want %d", len(ids), rows.Err(), n)
	}
	before := w.count(`SELECT count(*) FROM mail_outbox`)
	warmUp(t, w)
	// The delegate whose change is timed is in the middle of the batch.
	target := ids[n/2]
	var owner int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT account_id FROM registrations WHERE id = $1`, target).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	delegate, _, err := w.db.Actor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}

	// The machine is shared (2 cores, several test runs at once): a round trip to PostgreSQL
	// alone may take tens of milliseconds when it is busiest. A batch that held its rows while
	// rendering 1,000 mails would make every attempt slow (445 ms to 1.2 s here); the best of up
	// to three attempts must be within 100 ms.
	// A batch may also hold the delegate's row too briefly for the probe, which polls every
	// millisecond, to see it; such a run times nothing and is made again (at most ten times).
	var best time.Duration
	for attempt, missed := 1, 0; attempt <= 3; {
		took, seen := modeChangeDuringBatch(t, w, focal, delegate, ids, target)
		switch {
		case !seen:
			missed++
			t.Logf("the batch ended before its lock was seen (%d)", missed)
			if missed == 10 {
				t.Fatalf("in ten batches the probe never saw the batch hold the delegate's row: the test proves nothing")
			}
		default:
			t.Logf("attempt %d: the mode change took %v while the batch approved %d", attempt, took, n)
			if attempt == 1 || took < best {
				best = took
			}
			attempt++
		}
		if seen && best <= 100*time.Millisecond {
			break
		}
		// The next run starts from the same 1,000 pending registrations.
		if _, err := w.db.Pool.Exec(ctx, `UPDATE registrations SET state = 'pending', mode = 'in_person', decided_by = NULL, decided_at = NULL
			WHERE id = ANY($1)`, ids); err != nil {
			t.Fatal(err)
		}
	}
	if best > 100*time.Millisecond {
		t.Errorf("the mode change took %v during the batch at best, want at most 100ms", best)
	}
	if got := w.count(`SELECT count(DISTINCT registration_id) FROM mail_outbox WHERE kind = 'registration.approved' AND facts IS NOT NULL
		AND body = '' AND registration_id = ANY($1)`, ids); got != n {
		t.Errorf("%d approval mails queued with their facts and unwritten, want %d", got, n)
	}
	if got := w.count(`SELECT count(*) FROM mail_outbox`) - before; got < n {
		t.Errorf("%d mails queued, want at least %d", got, n)
	}
}

// modeChangeDuringBatch has focal approve ids in one action and, once that action holds target's
// row, delegate switch target to remote; it returns how long the switch took, and false when the
// batch ended before its lock was seen (nothing was timed).
func modeChangeDuringBatch(t *testing.T, w *world, focal, delegate domain.Actor, ids []int64, target int64) (time.Duration, bool) {
	t.Helper()
	ctx := context.Background()
	type decided struct {
		res service.DecideResult
		err error
	}
	batch := make(chan decided, 1)
	go func() {
		res, err := w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: focal.ID}, focal, ids, true, "")
		batch <- decided{res, err}
	}()
	// Wait until the batch holds the delegate's row (a probe that cannot take it at once).
	for !locked(t, w.db, target) {
		select {
		case d := <-batch:
			if d.err != nil || len(d.res.Done) != len(ids) {
				t.Fatalf("batch: %d approved, %v", len(d.res.Done), d.err)
			}
			return 0, false
		case <-time.After(time.Millisecond):
		}
	}
	start := time.Now()
	_, err := w.svc.Registrations.ChangeMode(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, target, domain.Remote)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	d := <-batch
	if d.err != nil || len(d.res.Done) != len(ids) {
		t.Fatalf("batch: %d approved, %v", len(d.res.Done), d.err)
	}
	return took, true
}

// warmUp has the portal serve decisions and changes of mode before, ten at a time, so that the
// pool's connections have their statements prepared, as in a portal that has been running; the
// time of a change alone is logged.
func warmUp(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	focal := w.actor(focalMS)
	org := w.actor(delegateMS).OrganisationID
	var ids []int64
	rows, _ := w.db.Pool.Query(ctx, `WITH a AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id)
			SELECT 'warm' || i || '@plenary.test', 'x', 'Warm', 'No. ' || i, $1 FROM generate_series(1, 10) AS i RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state)
		SELECT $2, a.id, $1, 'in_person', 'pending' FROM a RETURNING id`, org, w.meeting)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if rows.Err() != nil || len(ids) != 10 {
		t.Fatalf("warm-up registrations: %d, %v", len(ids), rows.Err())
	}
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() {
			_, err := w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: focal.ID}, focal, []int64{id}, true, "")
			if err == nil {
				_, err = w.svc.Registrations.ChangeMode(ctx, postgres.Audit{ActorID: focal.ID}, focal, id, domain.Remote)
			}
			errs <- err
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := w.svc.Registrations.ChangeMode(ctx, postgres.Audit{ActorID: focal.ID}, focal, ids[0], domain.InPerson); err != nil {
		t.Fatal(err)
	}
	t.Logf("a mode change alone takes %v", time.Since(start))
}

// locked reports whether another transaction holds registration id's row: a probe transaction
// that would have to wait for it gives up at once.
func locked(t *testing.T, db *postgres.DB, id int64) bool {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT 1 FROM registrations WHERE id = $1 FOR UPDATE NOWAIT`, id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" {
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}
