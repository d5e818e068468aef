package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/mail"
	"plenary/internal/postgres"
	"plenary/web"
)

// The erasure of visa data promises to remove the decline reason: it must go from the mail that
// told it too, the body the worker wrote as well as the facts it was written from.
func TestErasureRemovesTheDeclineReasonFromTheOutbox(t *testing.T) {
	t.Parallel()
	w := newVisaWorld(t)
	ctx := context.Background()
	const reason = "The passport copy shows number X1234567 expiring before the meeting."
	for _, c := range []struct {
		email string
		kept  bool // rendered and kept by the worker before the erasure, or still queued unwritten
	}{{delegateMS, true}, {delegateSM, false}} {
		reg := w.register(c.email, domain.InPerson)
		v := w.request(c.email, reg, w.passport("Someone"))
		if _, err := w.declineVisa(ctx, w.audit(secretariatAt), w.actor(secretariatAt), v.ID, reason, w.now); err != nil {
			t.Fatal(err)
		}
		if c.kept {
			keepAll(t, w.db)
		}
	}
	if got := outboxWith(t, w.db, reason); got < 2 {
		t.Fatalf("before the erasure %d rows of the outbox hold the reason, want the kept body and the facts of both", got)
	}
	dueAt := domain.EndOfDay(w.meeting.LastDay.AddDate(0, 0, 90), w.meeting.Location())
	if res, err := w.db.EraseVisaData(ctx, 90, dueAt); err != nil || res.Requests != 2 {
		t.Fatalf("erasure: %+v %v", res, err)
	}
	if got := outboxWith(t, w.db, reason); got != 0 {
		t.Errorf("after the erasure %d rows of the outbox still hold the reason", got)
	}
	// The mail still waiting is written without it.
	keepAll(t, w.db)
	if got := outboxWith(t, w.db, reason); got != 0 {
		t.Errorf("the mail written after the erasure holds the reason (%d rows)", got)
	}
	var queued int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE state <> 'kept'`).Scan(&queued); err != nil || queued != 0 {
		t.Errorf("%d mails not kept (%v)", queued, err)
	}
}

// keepAll runs a mail worker without SMTP until it has written and kept every queued mail.
func keepAll(t *testing.T, db *postgres.DB) {
	t.Helper()
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	wk := mail.NewWorker(db, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), "http://portal.test", "Plenary <noreply@plenary.test>", nil)
	wk.Listen, wk.PollInterval = false, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); wk.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE state = 'queued'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails still queued", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outboxWith counts the outbox rows whose subject, body or facts hold s.
func outboxWith(t *testing.T, db *postgres.DB, s string) int {
	t.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox
		WHERE strpos(subject || body || COALESCE(facts::text, ''), $1) > 0`, strings.TrimSpace(s)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
