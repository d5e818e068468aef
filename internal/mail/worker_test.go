package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/mail"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

const (
	delegateSM = "delegate.sm@plenary.test" // José Müller-Ñúñez, Example Networks Ltd., English
	focalSM    = "focal.sm@plenary.test"    // Aino Virtanen, its focal point
	delegateMS = "delegate.ms@plenary.test" // Li Na, China, Chinese
	focalMS    = "focal.ms@plenary.test"    // Wei Zhang, its focal point, Chinese
)

func contains(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, s)
		}
	}
}

func TestRegistrationAndApprovalAreMailedOnceEach(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	run(t, newWorker(t, db, smtpSender(t, srv)))

	reg := d.register(t, delegateSM, domain.Remote)
	waitFor(t, "the acknowledgement and the request to decide", 10*time.Second, func() bool {
		return len(srv.messages()) >= 2 && settled(t, db)
	})

	acks := srv.to(delegateSM)
	if len(acks) != 1 {
		t.Fatalf("the delegate got %d messages, want 1:\n%s", len(acks), describe(srv.messages()))
	}
	ack := acks[0]
	title := d.meeting.Title.In("en")
	contains(t, "acknowledgement subject", ack.Subject, "not yet confirmed", title)
	contains(t, "acknowledgement body", ack.Body, "Dear José Müller-Ñúñez,", "NOT yet a confirmation",
		"focal point will decide", title, "remotely", baseURL+"/me")
	if ack.From != "noreply@plenary.test" {
		t.Errorf("envelope sender %q", ack.From)
	}
	if got := ack.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q", got)
	}

	asks := srv.to(focalSM)
	if len(asks) != 1 {
		t.Fatalf("the focal point got %d messages, want 1:\n%s", len(asks), describe(srv.messages()))
	}
	contains(t, "request subject", asks[0].Subject, "José Müller-Ñúñez", title)
	contains(t, "request body", asks[0].Body, "Dear Aino Virtanen,",
		"José Müller-Ñúñez of Example Networks Ltd. asks to attend "+title, "remotely", baseURL+"/focal")

	rows := outbox(t, db)
	if len(rows) != 2 {
		t.Fatalf("outbox has %d rows, want 2", len(rows))
	}
	for _, r := range rows {
		if r.State != postgres.MailSent || r.SentAt == nil || r.Attempts != 1 || r.Locked || r.Subject == "" || r.Body == "" || r.Recipient == "" {
			t.Errorf("row %s after sending: %+v", r.EventKey, r)
		}
	}
	// The Message-ID follows from the event key, so a resent copy can be recognised.
	if ack.MessageID == asks[0].MessageID || !strings.HasSuffix(ack.MessageID, "@plenary.test>") {
		t.Errorf("Message-IDs %q and %q", ack.MessageID, asks[0].MessageID)
	}
	for _, r := range rows {
		if r.Recipient == delegateSM && !strings.Contains(ack.MessageID, strings.ReplaceAll(r.EventKey, ":", ".")) {
			t.Errorf("Message-ID %q does not follow the event key %q", ack.MessageID, r.EventKey)
		}
	}

	d.decide(t, focalSM, reg.ID, true, "")
	waitFor(t, "the approval", 10*time.Second, func() bool { return len(srv.to(delegateSM)) >= 2 })
	approval := srv.to(delegateSM)[1]
	contains(t, "approval subject", approval.Subject, "approved", title)
	contains(t, "approval body", approval.Body, "is approved", "remotely",
		"remote participation link is on your page at "+baseURL+"/me", baseURL+"/meetings/"+d.meeting.Slug,
		fmt.Sprintf("confirmation, with the remote participation details, is at %s/registrations/%d/confirmation.", baseURL, reg.ID))

	// Several more polls send nothing more.
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.messages()); n != 3 {
		t.Fatalf("%d messages in all, want 3:\n%s", n, describe(srv.messages()))
	}
}

func TestTwoWorkersNeverSendTheSameMail(t *testing.T) {
	t.Parallel()
	// Two server instances: two pools over one database, a worker each.
	url := pgtest.URL(t)
	ctx := context.Background()
	dbs := make([]*postgres.DB, 2)
	for i := range dbs {
		db, err := postgres.Open(ctx, url, 5)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs[i] = db
	}
	d := newDemo(t, dbs[0])
	srv := startSMTP(t, nil, nil)
	srv.delay = 5 * time.Millisecond
	counts := make([]*countingSender, len(dbs))
	for i, db := range dbs {
		counts[i] = &countingSender{Sender: smtpSender(t, srv)}
		w := newWorker(t, db, counts[i])
		w.BatchSize = 3
		run(t, w)
	}

	reg := d.register(t, delegateSM, domain.InPerson)
	// Many more mails at once, so that both workers are busy together.
	const extra = 40
	delegate := d.actor(t, delegateSM)
	if _, err := dbs[0].Pool.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, facts)
		SELECT 'test:' || i, 'registration.ack', $1, $2, (SELECT facts FROM mail_outbox WHERE registration_id = $2 AND kind = 'registration.ack')
		FROM generate_series(1, $3) AS i`, delegate.ID, reg.ID, extra); err != nil {
		t.Fatal(err)
	}
	if _, err := dbs[1].Pool.Exec(ctx, `SELECT pg_notify('mail_queued', '')`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every mail to be sent", 30*time.Second, func() bool { return settled(t, dbs[0]) })
	time.Sleep(200 * time.Millisecond)

	msgs := srv.messages()
	if len(msgs) != extra+2 {
		t.Fatalf("%d messages arrived, want %d", len(msgs), extra+2)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.MessageID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	for _, r := range outbox(t, dbs[0]) {
		if r.State != postgres.MailSent || r.Attempts != 1 {
			t.Errorf("row %s: state %s after %d attempts, want sent after 1", r.EventKey, r.State, r.Attempts)
		}
	}
	// Both took part, or the test proved nothing.
	if a, b := counts[0].n.Load(), counts[1].n.Load(); a == 0 || b == 0 {
		t.Errorf("the workers sent %d and %d messages; want both to have sent some", a, b)
	}
}

// countingSender counts the messages it passes on.
type countingSender struct {
	mail.Sender
	n atomic.Int64
}

func (c *countingSender) Send(ctx context.Context, m mail.Message) error {
	c.n.Add(1)
	return c.Sender.Send(ctx, m)
}

func TestMailOfAStoppedWorkerIsSentWhenItsLeaseRunsOut(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	d.register(t, delegateSM, domain.InPerson)
	// A worker claims both mails and dies before sending them.
	ctx := context.Background()
	jobs, err := db.ClaimMail(ctx, 10, 700*time.Millisecond)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("claim: %d jobs, %v", len(jobs), err)
	}
	// Claimed mail is nobody else's until the lease ends.
	if again, err := db.ClaimMail(ctx, 10, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claimed again under lease: %d jobs, %v", len(again), err)
	}
	srv := startSMTP(t, nil, nil)
	start := time.Now()
	run(t, newWorker(t, db, smtpSender(t, srv)))
	waitFor(t, "the mail after the lease", 10*time.Second, func() bool { return len(srv.messages()) == 2 && settled(t, db) })
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("sent %s after the worker started, before the lease ran out", took)
	}
	for _, r := range outbox(t, db) {
		if r.State != postgres.MailSent || r.Attempts != 2 {
			t.Errorf("row %s: state %s after %d attempts, want sent after 2", r.EventKey, r.State, r.Attempts)
		}
	}
	// The dead worker's late outcome no longer counts.
	if ok, err := db.FinishMail(ctx, jobs[0].ID, jobs[0].Attempts, postgres.MailOutcome{State: postgres.MailFailed}); err != nil || ok {
		t.Errorf("stale outcome recorded: ok=%v err=%v", ok, err)
	}
}

func TestReleasedMailIsDueAgainAtOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	d.register(t, delegateSM, domain.InPerson)
	ctx := context.Background()
	jobs, err := db.ClaimMail(ctx, 10, time.Hour)
	if err != nil || len(jobs) != 2 || jobs[0].Attempts != 1 {
		t.Fatalf("claim: %+v, %v", jobs, err)
	}
	if err := db.ReleaseMail(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	for _, r := range outbox(t, db) {
		if r.State != postgres.MailQueued || r.Attempts != 0 || r.Locked {
			t.Errorf("released row: %+v", r)
		}
	}
	if again, err := db.ClaimMail(ctx, 10, time.Hour); err != nil || len(again) != 2 {
		t.Fatalf("claim after release: %d jobs, %v", len(again), err)
	}
}

func TestRefusedMailIsRetriedWithBackoffUntilAccepted(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	// The delegate's server refuses RCPT twice, then DATA once, then takes the mail.
	srv.refuse(delegateSM, 2, 1)
	w := newWorker(t, db, smtpSender(t, srv))
	w.RetryBase, w.RetryMax = 150*time.Millisecond, 450*time.Millisecond
	run(t, w)

	d.register(t, delegateSM, domain.InPerson)
	waitFor(t, "the acknowledgement after its retries", 15*time.Second, func() bool {
		return len(srv.to(delegateSM)) == 1 && settled(t, db)
	})
	if n := len(srv.to(focalSM)); n != 1 {
		t.Errorf("the focal point, whose mail was never refused, got %d messages", n)
	}

	// Four attempts, each after a longer wait: 150ms, 300ms, then 450ms (the cap).
	tries := srv.triesOf(delegateSM)
	if len(tries) != 4 {
		t.Fatalf("%d attempts, want 4", len(tries))
	}
	const slack = 30 * time.Millisecond // the database's clock against the test's
	for i, want := range []time.Duration{150 * time.Millisecond, 300 * time.Millisecond, 450 * time.Millisecond} {
		if gap := tries[i+1].Sub(tries[i]); gap < want-slack {
			t.Errorf("attempt %d came %s after the previous one, want at least %s", i+2, gap, want)
		}
	}
	for _, r := range outbox(t, db) {
		if r.Recipient != delegateSM {
			continue
		}
		if r.State != postgres.MailSent || r.Attempts != 4 {
			t.Errorf("acknowledgement: state %s after %d attempts, want sent after 4", r.State, r.Attempts)
		}
		contains(t, "last error", r.LastError, "452")
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.to(delegateSM)); n != 1 {
		t.Fatalf("the acknowledgement arrived %d times", n)
	}
}

func TestMailIsGivenUpAfterTheLastAttempt(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	srv.refuse(delegateSM, 1000, 0)
	w := newWorker(t, db, smtpSender(t, srv))
	w.RetryBase, w.RetryMax, w.MaxAttempts = 20*time.Millisecond, 40*time.Millisecond, 3
	run(t, w)

	d.register(t, delegateSM, domain.InPerson)
	waitFor(t, "the outbox to settle", 10*time.Second, func() bool { return settled(t, db) })
	for _, r := range outbox(t, db) {
		if r.Recipient == delegateSM {
			if r.State != postgres.MailFailed || r.Attempts != 3 || r.SentAt != nil {
				t.Errorf("acknowledgement: %+v, want failed after 3 attempts", r)
			}
			contains(t, "last error", r.LastError, "451", "Mailbox busy")
		} else if r.State != postgres.MailSent {
			t.Errorf("%s: state %s", r.Recipient, r.State)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(srv.triesOf(delegateSM)); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

// A permanent refusal (550: no such mailbox) is not retried: the mail is failed after its one
// attempt, with the server's answer, and the other mail goes on.
func TestAPermanentRefusalFailsTheMailAtOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	srv.refuseForGood(delegateSM)
	w := newWorker(t, db, smtpSender(t, srv))
	w.RetryBase, w.RetryMax = 20*time.Millisecond, 40*time.Millisecond // a retry would come at once
	run(t, w)

	d.register(t, delegateSM, domain.InPerson)
	waitFor(t, "the outbox to settle", 10*time.Second, func() bool { return settled(t, db) })
	time.Sleep(200 * time.Millisecond)
	for _, r := range outbox(t, db) {
		if r.Recipient == delegateSM {
			if r.State != postgres.MailFailed || r.Attempts != 1 || r.SentAt != nil {
				t.Errorf("acknowledgement: %+v, want failed after its one attempt", r)
			}
			contains(t, "last error", r.LastError, "550", "No such mailbox")
		} else if r.State != postgres.MailSent {
			t.Errorf("%s: state %s, want sent", r.Recipient, r.State)
		}
	}
	if n := len(srv.triesOf(delegateSM)); n != 1 {
		t.Errorf("%d attempts to the refused address, want 1", n)
	}
	if n := len(srv.to(focalSM)); n != 1 {
		t.Errorf("the focal point got %d messages, want 1", n)
	}
}

func TestChineseRecipientsGetChineseMail(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	run(t, newWorker(t, db, smtpSender(t, srv)))

	reg := d.register(t, delegateMS, domain.Remote)
	waitFor(t, "two messages", 10*time.Second, func() bool { return len(srv.messages()) >= 2 && settled(t, db) })
	d.decide(t, focalMS, reg.ID, false, "代表团名额已满")
	waitFor(t, "the rejection", 10*time.Second, func() bool { return len(srv.to(delegateMS)) >= 2 && settled(t, db) })

	title := d.meeting.Title.In("zh")
	if title == d.meeting.Title.In("en") {
		t.Fatalf("the demo meeting has no Chinese title: %v", d.meeting.Title)
	}
	byRecipient := map[string]outboxRow{}
	for _, r := range outbox(t, db) {
		byRecipient[r.Recipient+" "+r.Kind] = r
	}
	check := func(m received, row outboxRow, subject string, body ...string) {
		t.Helper()
		// The subject went out encoded (RFC 2047) and decodes to exactly what was written.
		raw := m.Header.Get("Subject")
		if strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
			t.Errorf("raw Subject header is not encoded: %q", raw)
		}
		if m.Subject != row.Subject || m.Body != row.Body {
			t.Errorf("message differs from what the outbox kept:\n%q\n%q\nvs\n%q\n%q", m.Subject, m.Body, row.Subject, row.Body)
		}
		contains(t, "subject", m.Subject, subject, title)
		contains(t, "body", m.Body, body...)
		if lang := m.Header.Get("Content-Language"); lang != "zh" {
			t.Errorf("Content-Language %q", lang)
		}
	}
	msgs := srv.to(delegateMS)
	check(msgs[0], byRecipient[delegateMS+" "+postgres.MailRegistrationAck], "已收到注册", "Li Na，您好", "这还不是确认", "远程")
	check(msgs[1], byRecipient[delegateMS+" "+postgres.MailRegistrationRejected], "注册未获批准", "代表团名额已满")
	asks := srv.to(focalMS)
	if len(asks) != 1 {
		t.Fatalf("the focal point got %d messages", len(asks))
	}
	check(asks[0], byRecipient[focalMS+" "+postgres.MailRegistrationPending], "待批准的注册", "Wei Zhang，您好", "申请远程参加", baseURL+"/focal")
}

func TestWithoutSMTPMailIsKeptInThePortal(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	run(t, newWorker(t, db, nil))

	reg := d.register(t, delegateSM, domain.InPerson)
	waitFor(t, "the mail to be kept", 10*time.Second, func() bool { return settled(t, db) })
	d.decide(t, focalSM, reg.ID, false, "The delegation is full.")
	waitFor(t, "the rejection to be kept", 10*time.Second, func() bool { return len(outbox(t, db)) == 3 && settled(t, db) })
	again := d.register(t, delegateSM, domain.InPerson)
	if err := cancelRegistration(context.Background(), db, postgres.Audit{ActorID: d.actor(t, delegateSM).ID}, d.actor(t, delegateSM), again.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every mail to be kept", 10*time.Second, func() bool { return len(outbox(t, db)) == 6 && settled(t, db) })

	bodies := map[string]string{}
	for _, r := range outbox(t, db) {
		// Written by the worker from the facts queued with it, after the transaction, and kept.
		if r.State != postgres.MailKept || r.SentAt != nil || r.Attempts != 1 || r.Subject == "" || r.Locked {
			t.Errorf("row %s: %+v, want kept after one attempt", r.EventKey, r)
		}
		bodies[r.Kind+" "+r.Recipient] = r.Body
	}
	title := d.meeting.Title.In("en")
	contains(t, "kept rejection", bodies[postgres.MailRegistrationRejected+" "+delegateSM],
		"was not approved", title, "The reason given: The delegation is full.")
	contains(t, "kept approval-less in-person acknowledgement", bodies[postgres.MailRegistrationAck+" "+delegateSM], "in person")
	contains(t, "kept cancellation", bodies[postgres.MailRegistrationCancelled+" "+focalSM],
		"The registration of José Müller-Ñúñez of Example Networks Ltd. for "+title, "was cancelled", baseURL+"/focal")
}

func TestVisaMailIsRendered(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	ctx := context.Background()
	// Li Na (Chinese) asked for a letter, which was declined; José's was issued.
	for _, c := range []struct{ email, state, reason, kind string }{
		{delegateMS, "declined", "护照信息不完整", postgres.MailVisaDeclined},
		{delegateSM, "issued", "", postgres.MailVisaIssued},
	} {
		reg := d.register(t, c.email, domain.InPerson)
		// Queued as the visa use cases queue it: with its facts, read in the transaction.
		err := db.InTx(ctx, func(tx *postgres.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO visa_requests (registration_id, meeting_id, account_id, organisation_id, state, reason)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				reg.ID, reg.MeetingID, reg.AccountID, reg.OrganisationID, c.state, c.reason).Scan(&id)
			if err != nil {
				return err
			}
			return tx.QueueMail(ctx, []service.Mail{{Key: fmt.Sprintf("visa:%d:%s", id, c.state), Kind: c.kind, AccountID: reg.AccountID, Registration: reg.ID}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	run(t, newWorker(t, db, nil))
	waitFor(t, "every mail to be kept", 10*time.Second, func() bool { return len(outbox(t, db)) == 6 && settled(t, db) })
	got := map[string]outboxRow{}
	for _, r := range outbox(t, db) {
		if r.State != postgres.MailKept {
			t.Errorf("row %s: %+v", r.EventKey, r)
		}
		got[r.Kind+" "+r.Recipient] = r
	}
	declined := got[postgres.MailVisaDeclined+" "+delegateMS]
	contains(t, "declined subject", declined.Subject, "签证协办函申请被拒绝", d.meeting.Title.In("zh"))
	contains(t, "declined body", declined.Body, "Li Na，您好", "护照信息不完整", baseURL+"/me")
	issued := got[postgres.MailVisaIssued+" "+delegateSM]
	contains(t, "issued subject", issued.Subject, "Visa support letter ready", d.meeting.Title.In("en"))
	contains(t, "issued body", issued.Body, "is ready", "download it from your page at "+baseURL+"/me")
}

func TestMailOfAnUnknownKindFailsAtOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	reg := d.register(t, delegateSM, domain.InPerson)
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, facts)
		SELECT 'odd', 'something.new', $1, $2, facts FROM mail_outbox WHERE registration_id = $2 AND kind = 'registration.ack'`, reg.AccountID, reg.ID); err != nil {
		t.Fatal(err)
	}
	srv := startSMTP(t, nil, nil)
	run(t, newWorker(t, db, smtpSender(t, srv)))
	waitFor(t, "the outbox to settle", 10*time.Second, func() bool { return settled(t, db) })
	for _, r := range outbox(t, db) {
		if r.EventKey == "odd" {
			if r.State != postgres.MailFailed || r.Attempts != 1 {
				t.Errorf("unknown kind: %+v, want failed after one attempt", r)
			}
			contains(t, "last error", r.LastError, "unknown kind")
		} else if r.State != postgres.MailSent {
			t.Errorf("row %s: state %s", r.EventKey, r.State)
		}
	}
	if n := len(srv.messages()); n != 2 {
		t.Errorf("%d messages sent, want 2", n)
	}
}

func TestSMTPSendsUTF8WithTheGivenMessageID(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, nil, nil)
	snd := smtpSender(t, srv)
	for range 2 {
		err := snd.Send(context.Background(), mail.Message{From: mailFrom, To: "a@example.org", ToName: "Ä Ö",
			Subject: "会议", Body: "正文\n", MessageID: "plenary.reg.1.ack.2.abcdef@plenary.test", Language: "zh"})
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.messages()
	if len(msgs) != 2 || msgs[0].MessageID != msgs[1].MessageID || msgs[0].MessageID != "<plenary.reg.1.ack.2.abcdef@plenary.test>" {
		t.Fatalf("Message-IDs: %v", msgs)
	}
	if msgs[0].Subject != "会议" || msgs[0].Body != "正文\n" {
		t.Errorf("got %q / %q", msgs[0].Subject, msgs[0].Body)
	}
}

func TestMailSaysWhatTheEventDidEvenWhenSentLater(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	d := newDemo(t, db)
	srv := startSMTP(t, nil, nil)
	w := newWorker(t, db, smtpSender(t, srv))

	// The delegate registers remotely, then, before anything is sent, switches to in person.
	reg := d.register(t, delegateSM, domain.Remote)
	a := d.actor(t, delegateSM)
	if _, err := changeMode(context.Background(), db, postgres.Audit{ActorID: a.ID}, a, reg.ID, domain.InPerson, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The transaction recorded what the mail tells (the mode as it was), and wrote nothing.
	rows, _ := db.Pool.Query(context.Background(), `SELECT event_key, state, subject, facts->>'mode' FROM mail_outbox ORDER BY id`)
	n := 0
	var key, state, subject, mode string
	_, err := pgx.ForEachRow(rows, []any{&key, &state, &subject, &mode}, func() error {
		n++
		if state != postgres.MailQueued || subject != "" || mode != string(domain.Remote) {
			t.Errorf("row %s: state %s, subject %q, mode in its facts %q; want queued, unwritten, remote", key, state, subject, mode)
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("%d rows queued (%v), want 2", n, err)
	}
	run(t, w)
	waitFor(t, "the acknowledgement and the request to decide", 10*time.Second, func() bool {
		return len(srv.messages()) >= 2 && settled(t, db)
	})
	// Both tell of the registration as it was made: remotely.
	for _, m := range srv.messages() {
		contains(t, "mail of "+strings.Join(m.To, ","), m.Body, "remotely")
		if strings.Contains(m.Body, "in person") {
			t.Errorf("mail tells of the later change:\n%s", m.Body)
		}
	}
}

// A send slower than the lease keeps its claim: the heartbeat renews the lease of the batch's
// mails while they are sent, so a second worker reading the outbox meanwhile takes none of them
// and no mail is sent twice.
func TestASendSlowerThanTheLeaseKeepsItsClaim(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	ctx := context.Background()
	dbs := make([]*postgres.DB, 2)
	for i := range dbs {
		db, err := postgres.Open(ctx, url, 5)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs[i] = db
	}
	d := newDemo(t, dbs[0])
	srv := startSMTP(t, nil, nil)
	srv.delay = 1500 * time.Millisecond
	d.register(t, delegateSM, domain.InPerson)
	delegate := d.actor(t, delegateSM)
	if _, err := dbs[0].Pool.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, registration_id, facts)
		SELECT 'slow:' || i, 'registration.ack', $1, registration_id, facts FROM mail_outbox, generate_series(1, 2) AS i
		WHERE kind = 'registration.ack'`, delegate.ID); err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		w := newWorker(t, db, smtpSender(t, srv))
		w.Lease, w.PollInterval, w.BatchSize = 500*time.Millisecond, 100*time.Millisecond, 10
		run(t, w)
	}
	waitFor(t, "every mail to be sent", 60*time.Second, func() bool { return settled(t, dbs[0]) })
	time.Sleep(200 * time.Millisecond)
	seen := map[string]int{}
	for _, m := range srv.messages() {
		seen[m.MessageID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	for _, r := range outbox(t, dbs[0]) {
		if r.State != postgres.MailSent || r.Attempts != 1 {
			t.Errorf("row %s: state %s after %d attempts, want sent after 1 (the claim was kept)", r.EventKey, r.State, r.Attempts)
		}
	}
}
