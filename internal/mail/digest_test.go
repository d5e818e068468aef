package mail_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/mail"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

func TestDailyDigestOfNewRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	run(t, newWorker(t, db, smtpSender(t, srv)))
	cat := catalogue(t)

	// The preference is chosen through its use case, as the focal page does.
	prefs := service.NewFocalMail(postgres.TxFor(db, func(t *postgres.Tx) service.FocalMailTx { return t }), db)
	focal := d.actor(t, focalSM)
	eight, _ := domain.ParseDigestAt("08:00")
	if err := prefs.SetDigest(ctx, postgres.Audit{ActorID: focal.ID}, focal, &eight); err != nil {
		t.Fatal(err)
	}
	// A delegate who is not a focal point may not choose.
	if err := prefs.SetDigest(ctx, postgres.Audit{}, d.actor(t, delegateSM), &eight); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate sets a digest: %v", err)
	}
	d.register(t, delegateSM, domain.Remote)
	waitFor(t, "the acknowledgement", 10*time.Second, func() bool { return len(srv.to(delegateSM)) == 1 && settled(t, db) })
	if got := srv.to(focalSM); len(got) != 0 {
		t.Fatalf("the focal point who chose a digest got %d mails at once", len(got))
	}
	var waiting int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox o JOIN accounts a ON a.id = o.account_id
		WHERE a.email = $1 AND o.kind = $2 AND o.state = 'digest'`, focalSM, postgres.MailRegistrationPending).Scan(&waiting); err != nil || waiting != 1 {
		t.Fatalf("%d requests waiting for the digest (%v)", waiting, err)
	}

	loc, err := time.LoadLocation(d.meeting.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().In(loc).AddDate(0, 0, 1)
	day := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 0, 0, 0, 0, time.UTC)
	at := domain.DigestTime(day, eight, loc)
	if n, err := mail.Digests(ctx, db, cat, baseURL, at.Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("a minute early: %d digests (%v)", n, err)
	}
	// Two instances at its time: one digest.
	var wg sync.WaitGroup
	made := make([]int, 4)
	for i := range made {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := mail.Digests(ctx, db, cat, baseURL, at.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Error(err)
			}
			made[i] = n
		}()
	}
	wg.Wait()
	if total := made[0] + made[1] + made[2] + made[3]; total != 1 {
		t.Fatalf("%v digests made at once, want 1 in all", made)
	}
	waitFor(t, "the digest", 10*time.Second, func() bool { return len(srv.to(focalSM)) == 1 && settled(t, db) })
	m := srv.to(focalSM)[0]
	title := d.meeting.Title.In("en")
	contains(t, "digest subject", m.Subject, "Waiting for your approval (1)", title)
	contains(t, "digest body", m.Body, "Dear Aino Virtanen", "- José Müller-Ñúñez", baseURL+"/focal?meeting=", "every day at 08:00")
	if n, err := mail.Digests(ctx, db, cat, baseURL, at.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("again the same day: %d digests (%v)", n, err)
	}

	// Back to one mail each: what waits is sent at once.
	d.register(t, delegateMS, domain.Remote) // another organisation's: not this focal point's
	colleague := d.colleague(t, "Ada", "Lovelace")
	d.register(t, colleague, domain.Remote)
	waitFor(t, "the acknowledgements", 10*time.Second, func() bool { return settled(t, db) })
	if got := len(srv.to(focalSM)); got != 1 {
		t.Fatalf("the focal point got %d mails before switching back", got)
	}
	if err := prefs.SetDigest(ctx, postgres.Audit{ActorID: focal.ID}, focal, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the waiting request", 10*time.Second, func() bool { return len(srv.to(focalSM)) == 2 && settled(t, db) })
	if got := srv.to(focalSM)[1]; !strings.Contains(got.Body, "Ada Lovelace") {
		t.Errorf("released mail = %q", got.Body)
	}
	var events int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('account.mail_preference', 'focal_digest.made')`).Scan(&events)
	if events != 3 {
		t.Errorf("%d audit events of the preference and the digest, want 3", events)
	}
}

// colleague adds an account to the Sector Member of the demo data and returns its email.
func (d demo) colleague(t *testing.T, given, family string) string {
	t.Helper()
	email := strings.ToLower(given+"."+family) + "@example.test"
	if _, err := d.db.Pool.Exec(context.Background(), `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
		SELECT $1, 'x', $2, $3, 'not_stated', id FROM organisations WHERE name = 'Example Networks Ltd.'`, email, given, family); err != nil {
		t.Fatal(err)
	}
	return email
}
