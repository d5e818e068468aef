package service_test

import (
	"context"
	"sync"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// Two focal points approving one registration at the same moment: each request is told the truth
// about its own effect, every time: exactly one "approved", the other "already decided", with
// one audit event and one mail.
func TestConcurrentApprovalsAreToldTheirOwnEffect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal, sec := w.actor(delegateSM), w.actor(focalSM), w.actor(secretariat)
	for round := range 8 {
		reg := w.register(delegate, domain.Remote)
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]service.DecideResult, 2)
		errs := make([]error, 2)
		for i, a := range []domain.Actor{focal, sec} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: a.ID}, a, []int64{reg.ID}, true, "")
			}()
		}
		close(start)
		wg.Wait()
		approved, told := 0, 0
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("round %d: %v", round, errs[i])
			}
			switch {
			case len(results[i].Done) == 1 && results[i].Done[0] == reg.ID && len(results[i].Refused) == 0:
				approved++
			case len(results[i].Done) == 0:
				if e, ok := domain.AsError(results[i].Refused[reg.ID]); ok && e.Code == domain.Conflict && e.Key == "error.already_decided" {
					told++
				} else {
					t.Errorf("round %d: the other request was told %v", round, results[i].Refused[reg.ID])
				}
			default:
				t.Errorf("round %d: result %+v", round, results[i])
			}
		}
		if approved != 1 || told != 1 {
			t.Fatalf("round %d: %d told approved, %d told already decided; want one each", round, approved, told)
		}
		// The one told it approved is the one the registration names.
		winner := focal.ID
		if len(results[1].Done) == 1 {
			winner = sec.ID
		}
		if n := w.count(`SELECT count(*) FROM registrations WHERE id = $1 AND state = 'approved' AND decided_by = $2`, reg.ID, winner); n != 1 {
			t.Errorf("round %d: the registration does not name the request told it approved", round)
		}
		if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'registration.approve' AND actor_id = $2`, reg.ID, winner); n != 1 {
			t.Errorf("round %d: %d approval events by the winner, want 1", round, n)
		}
		if n := w.count(`SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.approved'`, reg.ID); n != 1 {
			t.Errorf("round %d: %d approval mails, want 1", round, n)
		}
		if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: sec.ID}, sec, reg.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// A decision over more than one transaction's worth (DecideChunk) decides each registration once
// and reports each: approved, or why not.
func TestDecideInParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	focal, other := w.actor(focalSM), w.actor(focalMS)
	n := service.DecideChunk*2 + 7
	mine := w.register(w.actor(delegateSM), domain.InPerson)
	theirs := w.register(w.actor(delegateMS), domain.InPerson)
	if _, err := w.db.Pool.Exec(ctx, `WITH a AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id)
			SELECT 'part' || i || '@plenary.test', 'x', 'Part', 'No. ' || i, $1 FROM generate_series(1, $3) AS i RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state)
		SELECT $2, a.id, $1, 'remote', 'pending' FROM a`, mine.OrganisationID, w.meeting, n-1); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, _ := w.db.Pool.Query(ctx, `SELECT id FROM registrations WHERE organisation_id = $1 AND state = 'pending' ORDER BY id DESC`, mine.OrganisationID)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	// Asked twice, with another organisation's registration and one that does not exist.
	ask := append(append([]int64{theirs.ID, 1 << 40}, ids...), ids[:3]...)
	if _, err := w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: other.ID}, other, []int64{mine.ID}, true, ""); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: focal.ID}, focal, ask, true, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Done) != n || len(res.Refused) != 2 {
		t.Fatalf("%d approved, %d refused; want %d and 2", len(res.Done), len(res.Refused), n)
	}
	for _, id := range []int64{theirs.ID, 1 << 40} {
		if domain.ErrorCode(res.Refused[id]) != domain.NotFound {
			t.Errorf("registration %d: %v, want NotFound", id, res.Refused[id])
		}
	}
	if got := w.count(`SELECT count(*) FROM audit_events WHERE action = 'registration.approve' AND actor_id = $1`, focal.ID); got != n {
		t.Errorf("%d approval events, want %d", got, n)
	}
	if got := w.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'registration.approved'`); got != n {
		t.Errorf("%d approval mails, want %d", got, n)
	}
	if got := w.count(`SELECT count(*) FROM registrations WHERE id = $1 AND state = 'pending'`, theirs.ID); got != 1 {
		t.Error("another organisation's registration changed")
	}
}
