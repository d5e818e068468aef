package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// demoMeeting returns the id of the open demo meeting.
func demoMeeting(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	var id int64
	err := db.Pool.QueryRow(context.Background(), `SELECT id FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> 'sg13-wp-2025-07' ORDER BY first_day DESC LIMIT 1`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func actorOf(t *testing.T, db *postgres.DB, email string) domain.Actor {
	t.Helper()
	acc, err := db.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.Actor(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func count(t *testing.T, db *postgres.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Registering writes the registration, its audit event and its mail in one transaction; a refused
// registration writes nothing.
func TestRegisterWritesAuditAndMailTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	delegate := actorOf(t, db, "delegate.sm@plenary.test")
	now := pgtest.SeededAt(t)

	reg, err := db.Register(ctx, postgres.Audit{ActorID: delegate.ID, RequestID: "r1"}, delegate, meeting, delegate.ID,
		domain.RegistrationRequest{Mode: domain.Remote, ListConsent: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	if reg.State != domain.Pending {
		t.Fatalf("state %s, want pending", reg.State)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE entity = 'registration' AND entity_id = $1 AND action = 'registration.submit' AND request_id = 'r1'`, reg.ID); n != 1 {
		t.Errorf("%d audit events, want 1", n)
	}
	// The acknowledgement to the delegate and one request to each focal point (one here).
	if n := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.ack' AND account_id = $2`, reg.ID, delegate.ID); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.pending'`, reg.ID); n != 1 {
		t.Errorf("%d requests to focal points, want 1", n)
	}

	trail, err := db.AuditTrail(ctx, "registration", reg.ID)
	if err != nil || len(trail) != 1 {
		t.Fatalf("audit trail %v, %v", trail, err)
	}
	want := map[string]any{"state": "pending", "mode": "remote", "late": false, "meeting_id": float64(meeting)}
	if d := trail[0].Detail; len(d) != len(want) || d["state"] != want["state"] || d["mode"] != want["mode"] ||
		d["late"] != want["late"] || d["meeting_id"] != want["meeting_id"] || *trail[0].ActorID != delegate.ID {
		t.Errorf("audit event %+v, want detail %v", trail[0], want)
	}

	// A focal point registering a colleague: approved at once, the colleague named as such.
	focal := actorOf(t, db, "focal.sm@plenary.test")
	colleague := delegatesOf(t, db, "delegate.sm@plenary.test", "colleague", 1)[0]
	onBehalf, err := db.Register(ctx, postgres.Audit{ActorID: focal.ID}, focal, meeting, colleague.ID, domain.RegistrationRequest{Mode: domain.InPerson}, now)
	if err != nil || onBehalf.State != domain.Approved || onBehalf.RegisteredBy == nil || *onBehalf.RegisteredBy != focal.ID {
		t.Fatalf("registered on behalf: %+v, %v", onBehalf, err)
	}
	trail, err = db.AuditTrail(ctx, "registration", onBehalf.ID)
	if err != nil || len(trail) != 1 || trail[0].Detail["on_behalf_of"] != float64(colleague.ID) || trail[0].Detail["state"] != "approved" ||
		*trail[0].ActorID != focal.ID {
		t.Errorf("audit trail of a registration on behalf %+v, %v", trail, err)
	}
	if n := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind = 'registration.approved' AND account_id = $2`,
		onBehalf.ID, colleague.ID); n != 1 {
		t.Errorf("%d approvals mailed to the colleague, want 1", n)
	}

	// A Sector Member sending a Member-State-only answer: refused, and nothing is written.
	before := count(t, db, `SELECT count(*) FROM audit_events`)
	other := focal
	_, err = db.Register(ctx, postgres.Audit{ActorID: other.ID}, other, meeting, other.ID,
		domain.RegistrationRequest{Mode: domain.InPerson, FunctionTitle: "CTO"}, now)
	if e, ok := domain.AsError(err); !ok || e.Fields["function_title"] != "error.member_states_only" {
		t.Fatalf("want a field error on function_title, got %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM registrations WHERE account_id = $1`, other.ID); n != 0 {
		t.Errorf("%d registrations written for a refused request", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events`); n != before {
		t.Errorf("audit events %d → %d for a refused request", before, n)
	}
}

// One live registration per account and meeting, enforced by the database under concurrency.
func TestOneLiveRegistrationUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	delegate := actorOf(t, db, "delegate.ms@plenary.test")
	now := pgtest.SeededAt(t)

	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.Register(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, meeting, delegate.ID,
				domain.RegistrationRequest{Mode: domain.InPerson}, now)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case domain.ErrorCode(err) != domain.Conflict:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d registrations succeeded, want exactly 1", ok)
	}
	if c := count(t, db, `SELECT count(*) FROM registrations WHERE account_id = $1 AND meeting_id = $2`, delegate.ID, meeting); c != 1 {
		t.Errorf("%d rows, want 1", c)
	}
	if c := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'registration.submit' AND actor_id = $1`, delegate.ID); c != 1 {
		t.Errorf("%d audit events, want 1", c)
	}
}

// Two focal points deciding the same registration at once: exactly one wins, the other is told,
// and the registration, its audit trail and its mail show one decision.
func TestTwoFocalPointsDecideAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	delegate := actorOf(t, db, "delegate.sm@plenary.test")
	focal := actorOf(t, db, "focal.sm@plenary.test")
	now := pgtest.SeededAt(t)
	sec := actorOf(t, db, "secretariat@plenary.test")

	// A second focal point for the same organisation.
	hash, _ := pgtest.Hash("a second focal point")
	org := focal.FocalOf()[0]
	id2, err := db.CreateAccount(ctx, postgres.Audit{}, domain.Account{Email: "focal2.sm@plenary.test",
		GivenName: "Second", FamilyName: "Focal", Gender: domain.NotStated, OrganisationID: &org, Language: "en"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := addFocalPoint(ctx, db, postgres.Audit{ActorID: sec.ID}, sec, org, "focal2.sm@plenary.test"); err != nil {
		t.Fatal(err)
	}
	focal2, _, err := db.Actor(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}

	for round := range 5 {
		reg, err := db.Register(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, meeting, delegate.ID,
			domain.RegistrationRequest{Mode: domain.Remote}, now)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]service.DecideResult, 2)
		errs := make([]error, 2)
		for i, a := range []domain.Actor{focal, focal2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// One approves, the other rejects: whichever commits first wins.
				results[i], errs[i] = decideRegistrations(ctx, db, postgres.Audit{ActorID: a.ID}, a, []int64{reg.ID}, i == 0, "not this time", now)
			}()
		}
		wg.Wait()
		won := 0
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("round %d: %v", round, errs[i])
			}
			if len(results[i].Done) == 1 {
				won++
				continue
			}
			if e := results[i].Refused[reg.ID]; domain.ErrorCode(e) != domain.Conflict {
				t.Errorf("round %d: the loser was told %v, want a Conflict", round, e)
			} else if ae, _ := domain.AsError(e); ae.Key != "error.already_decided" {
				t.Errorf("round %d: the loser was told %q", round, ae.Key)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1", round, won)
		}
		if n := count(t, db, `SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action IN ('registration.approve','registration.reject')`, reg.ID); n != 1 {
			t.Errorf("round %d: %d decision events, want 1", round, n)
		}
		if n := count(t, db, `SELECT count(*) FROM mail_outbox WHERE registration_id = $1 AND kind IN ('registration.approved','registration.rejected')`, reg.ID); n != 1 {
			t.Errorf("round %d: %d decision mails, want 1", round, n)
		}
		// Clear the way for the next round.
		if err := cancelRegistration(ctx, db, postgres.Audit{ActorID: sec.ID}, sec, reg.ID, now); err != nil && domain.ErrorCode(err) != domain.Conflict {
			t.Fatal(err)
		}
	}
}

// A focal point can neither see nor decide another organisation's registration, and a refused
// decision changes nothing.
func TestDecideOtherOrganisationChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	delegate := actorOf(t, db, "delegate.ms@plenary.test")
	otherFocal := actorOf(t, db, "focal.sm@plenary.test")
	now := pgtest.SeededAt(t)
	reg, err := db.Register(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, meeting, delegate.ID,
		domain.RegistrationRequest{Mode: domain.InPerson}, now)
	if err != nil {
		t.Fatal(err)
	}
	before := count(t, db, `SELECT count(*) FROM audit_events`)
	res, err := decideRegistrations(ctx, db, postgres.Audit{ActorID: otherFocal.ID}, otherFocal, []int64{reg.ID}, true, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Done) != 0 || domain.ErrorCode(res.Refused[reg.ID]) != domain.NotFound {
		t.Errorf("another organisation's focal point: %+v", res)
	}
	if _, err := db.Registration(ctx, otherFocal, reg.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point can read it: %v", err)
	}
	if err := cancelRegistration(ctx, db, postgres.Audit{ActorID: otherFocal.ID}, otherFocal, reg.ID, now); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another organisation's focal point cancels: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events`); n != before {
		t.Errorf("audit events %d → %d after refused actions", before, n)
	}
	if st := count(t, db, `SELECT count(*) FROM registrations WHERE id = $1 AND state = 'pending'`, reg.ID); st != 1 {
		t.Error("the registration changed")
	}
}

// Bulk approval of 1,000 pending registrations is one set-based transaction: every row approved,
// one audit event and one queued mail each.
func TestBulkApproveThousand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	focal := actorOf(t, db, "focal.sm@plenary.test")
	org := focal.FocalOf()[0]
	_, err := db.Pool.Exec(ctx, `WITH a AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id)
			SELECT 'bulk' || g || '@example.org', 'x', 'Bulk', 'Delegate ' || g, $1 FROM generate_series(1, 1000) g RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state)
		SELECT $2, id, $1, 'remote', 'pending' FROM a`, org, meeting)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM registrations WHERE meeting_id = $1 AND state = 'pending'`, meeting)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if rows.Err() != nil || len(ids) != 1000 {
		t.Fatalf("%d pending (%v)", len(ids), rows.Err())
	}
	start := time.Now()
	res, err := decideRegistrations(ctx, db, postgres.Audit{ActorID: focal.ID}, focal, ids, true, "", pgtest.SeededAt(t))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("approved %d in %s", len(res.Done), took)
	if len(res.Done) != 1000 || len(res.Refused) != 0 {
		t.Fatalf("done %d, refused %d", len(res.Done), len(res.Refused))
	}
	if n := count(t, db, `SELECT count(*) FROM registrations WHERE meeting_id = $1 AND state = 'approved' AND decided_by = $2`, meeting, focal.ID); n != 1000 {
		t.Errorf("%d approved", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'registration.approve' AND actor_id = $1`, focal.ID); n != 1000 {
		t.Errorf("%d audit events", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mail_outbox WHERE kind = 'registration.approved' AND state = 'queued'`); n != 1000 {
		t.Errorf("%d queued mails", n)
	}
}

// The lists are scoped in the store by the domain's RegistrationScope: a focal point sees only
// their organisations' registrations whatever the filter asks, a delegate none, the secretariat all.
func TestRegistrationListsAreScopedToTheActor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	meeting := demoMeeting(t, db)
	now := pgtest.SeededAt(t)
	ms := actorOf(t, db, "delegate.ms@plenary.test")
	sm := actorOf(t, db, "delegate.sm@plenary.test")
	for _, a := range []domain.Actor{ms, sm} {
		if _, err := db.Register(ctx, postgres.Audit{ActorID: a.ID}, a, meeting, a.ID, domain.RegistrationRequest{Mode: domain.Remote}, now); err != nil {
			t.Fatal(err)
		}
	}
	focalSM := actorOf(t, db, "focal.sm@plenary.test")
	sec := actorOf(t, db, "secretariat@plenary.test")
	msOrg := ms.OrganisationID
	cases := []struct {
		name  string
		actor domain.Actor
		f     postgres.RegistrationFilter
		want  int
	}{
		{"focal point, no filter", focalSM, postgres.RegistrationFilter{MeetingID: meeting}, 1},
		{"focal point asking for another organisation", focalSM, postgres.RegistrationFilter{MeetingID: meeting, OrganisationIDs: []int64{msOrg}}, 0},
		{"focal point filtering by another organisation", focalSM, postgres.RegistrationFilter{MeetingID: meeting, OrganisationID: msOrg}, 0},
		{"secretariat", sec, postgres.RegistrationFilter{MeetingID: meeting}, 2},
	}
	for _, c := range cases {
		page, err := db.ListRegistrations(ctx, c.actor, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n := 0
		if err := db.EachRegistration(ctx, c.actor, c.f, func(postgres.RegistrationLine) error { n++; return nil }); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(page.Lines) != c.want || page.Total != c.want || n != c.want {
			t.Errorf("%s: %d lines, total %d, export %d; want %d", c.name, len(page.Lines), page.Total, n, c.want)
		}
	}
	if _, err := db.ListRegistrations(ctx, ms, postgres.RegistrationFilter{MeetingID: meeting}); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate lists registrations: %v, want Forbidden", err)
	}
	if _, err := db.Participants(ctx, focalSM, meeting, domain.BasisRegistered); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a focal point lists the participants: %v, want Forbidden", err)
	}
}
