package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

// delegatesOf makes n accounts in the organisation of the account email, and returns them as
// actors.
func delegatesOf(t *testing.T, db *postgres.DB, email, prefix string, n int) []domain.Actor {
	t.Helper()
	ctx := context.Background()
	_, err := db.Pool.Exec(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
		SELECT format('%s.%s@plenary.test', $3::text, i), 'x', 'Delegate', 'No. ' || i, 'not_stated', organisation_id
		FROM accounts, generate_series(1, $2) i WHERE email = $1`, email, n, prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]domain.Actor, n)
	for i := range out {
		out[i] = actorOf(t, db, fmt.Sprintf("%s.%d@plenary.test", prefix, i+1))
	}
	return out
}

// Registrations submitted at the same moment share transactions, yet each is stored with its own
// audit event (its own actor, address and request) and its own mail.
func TestRegistrationsSubmittedTogetherEachGetTheirAuditAndMail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	now := pgtest.SeededAt(t)
	const n = 40
	delegates := delegatesOf(t, db, "delegate.sm@plenary.test", "together", n)
	focal := actorOf(t, db, "focal.sm@plenary.test")

	regs := make([]domain.Registration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, d := range delegates {
		wg.Go(func() {
			a := postgres.Audit{ActorID: d.ID, RemoteAddr: fmt.Sprintf("192.0.2.%d", i), RequestID: fmt.Sprintf("req-%d", i)}
			regs[i], errs[i] = db.Register(ctx, a, d, meeting, d.ID, domain.RegistrationRequest{Mode: domain.Remote, ListConsent: i%2 == 0}, now)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("registration %d: %v", i, err)
		}
		r := regs[i]
		if r.ID == 0 || r.AccountID != delegates[i].ID || r.State != domain.Pending || r.ListConsent != (i%2 == 0) {
			t.Errorf("registration %d came back as %+v", i, r)
		}
		var actor int64
		var addr, request string
		err := db.Pool.QueryRow(ctx, `SELECT actor_id, remote_addr, request_id FROM audit_events
			WHERE entity = 'registration' AND entity_id = $1 AND action = 'registration.submit'`, r.ID).Scan(&actor, &addr, &request)
		if err != nil {
			t.Fatalf("audit event of registration %d: %v", i, err)
		}
		if actor != delegates[i].ID || addr != fmt.Sprintf("192.0.2.%d", i) || request != fmt.Sprintf("req-%d", i) {
			t.Errorf("registration %d audited as actor %d from %s in %s", i, actor, addr, request)
		}
		if c := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND account_id = $2 AND kind = $3`,
			r.ID, r.AccountID, postgres.MailRegistrationAck); c != 1 {
			t.Errorf("registration %d: %d acknowledgements", i, c)
		}
		if c := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND account_id = $2 AND kind = $3`,
			r.ID, focal.ID, postgres.MailRegistrationPending); c != 1 {
			t.Errorf("registration %d: %d requests to the focal point", i, c)
		}
	}
	// They shared transactions: rows written by one transaction share its id (xmin).
	if tx := count(t, db, `SELECT count(DISTINCT xmin::text) FROM registrations WHERE meeting_id = $1`, meeting); tx > n/2 {
		t.Errorf("%d registrations took %d transactions: submissions made together were not batched", n, tx)
	}
}

// In a batch, a submission the rules refuse, one whose registrant is registered already and one
// that breaks the whole transaction refuse only themselves; the others are stored.
func TestASubmissionRefusedInABatchRefusesOnlyItself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	now := pgtest.SeededAt(t)
	const n = 30
	delegates := delegatesOf(t, db, "delegate.sm@plenary.test", "batch", n)
	already := delegates[1]
	if _, err := db.Register(ctx, postgres.Audit{ActorID: already.ID}, already, meeting, already.ID, domain.RegistrationRequest{Mode: domain.Remote}, now); err != nil {
		t.Fatal(err)
	}

	errs := make([]error, n)
	var wg sync.WaitGroup
	for round := range 3 { // the same mix three times over, so that batches of every shape occur
		for i, d := range delegates {
			req := domain.RegistrationRequest{Mode: domain.InPerson}
			switch i {
			case 0:
				req.FunctionTitle = "Minister" // Member States only: refused by the rules
			case 2:
				req.Accessibility = "step-free\x00access" // PostgreSQL refuses NUL: the transaction fails
			}
			wg.Go(func() {
				_, err := db.Register(ctx, postgres.Audit{ActorID: d.ID}, d, meeting, d.ID, req, now)
				if round == 0 {
					errs[i] = err
				}
			})
		}
		wg.Wait()
	}
	if e, ok := domain.AsError(errs[0]); !ok || e.Code != domain.Invalid || e.Fields["function_title"] == "" {
		t.Errorf("Member-State-only answer: %v", errs[0])
	}
	if domain.ErrorCode(errs[1]) != domain.Conflict {
		t.Errorf("second registration: %v, want a Conflict", errs[1])
	}
	if errs[2] == nil || domain.ErrorCode(errs[2]) != domain.Internal {
		t.Errorf("registration with a NUL byte: %v, want a failure", errs[2])
	}
	for i := 3; i < n; i++ {
		if errs[i] != nil {
			t.Errorf("registration %d: %v", i, errs[i])
		}
	}
	// One live registration each for the 28 that could register (the 27 and the one made before),
	// none for the refused two; audit events and mail only for what was stored.
	if c := count(t, db, `SELECT count(*) FROM registrations WHERE meeting_id = $1`, meeting); c != n-2 {
		t.Errorf("%d registrations, want %d", c, n-2)
	}
	if c := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'registration.submit'
		AND entity_id IN (SELECT id FROM registrations WHERE meeting_id = $1)`, meeting); c != n-2 {
		t.Errorf("%d audit events, want %d", c, n-2)
	}
	if c := count(t, db, `SELECT count(*) FROM registrations WHERE account_id = ANY($1)`, []int64{delegates[0].ID, delegates[2].ID}); c != 0 {
		t.Errorf("%d registrations of the refused", c)
	}
	if c := count(t, db, `SELECT count(*) FROM mail_outbox WHERE kind = $1 AND registration_id IN (SELECT id FROM registrations WHERE meeting_id = $2)`,
		postgres.MailRegistrationAck, meeting); c != n-2 {
		t.Errorf("%d acknowledgements, want %d", c, n-2)
	}
}
