package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSecretariatReadsTheMailOutbox(t *testing.T) {
	t.Parallel()
	ts := newSite(t, time.Now())
	ctx := context.Background()
	acc, err := ts.db.AccountByEmail(ctx, "delegate.sm@plenary.test")
	if err != nil {
		t.Fatal(err)
	}
	// 55 kept, then one failed, one queued for a retry (not yet rendered) and, newest, one sent.
	_, err = ts.db.Pool.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, state, attempts, recipient, subject, body)
		SELECT 'kept:' || i, 'registration.ack', $1, 'kept', 1, 'delegate.sm@plenary.test', 'Kept ' || i, E'First line\nsecond line\n\nNext paragraph\n'
		FROM generate_series(1, 55) AS i`, acc.ID)
	if err == nil {
		_, err = ts.db.Pool.Exec(ctx, `INSERT INTO mail_outbox (event_key, kind, account_id, state, attempts, recipient, subject, body, last_error, sent_at, next_attempt_at) VALUES
			('failed', 'registration.pending', $1, 'failed', 8, 'delegate.sm@plenary.test', 'Gave up', 'x', '550 no such user', NULL, now()),
			('queued', 'registration.approved', $1, 'queued', 2, '', '', '', '451 busy', NULL, now() + interval '1 minute'),
			('sent', 'registration.rejected', $1, 'sent', 1, 'delegate.sm@plenary.test', '注册未获批准', E'正文\n', '', now(), now())`, acc.ID)
	}
	if err != nil {
		t.Fatal(err)
	}

	b := ts.browser()
	b.login("secretariat@plenary.test")
	p := b.get("/secretariat/mail")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	rows := testid(d, "mail").Find("tbody tr")
	if rows.Length() != 50 {
		t.Fatalf("first page has %d rows, want 50", rows.Length())
	}
	first := rows.First()
	if got := text(first.Find(`[data-testid="mail-subject"]`)); got != "注册未获批准" {
		t.Errorf("newest mail first: got subject %q", got)
	}
	if got, _ := first.Find(`[data-testid="mail-state"]`).Attr("data-state"); got != "sent" {
		t.Errorf("newest mail state %q", got)
	}
	if text(first.Find(`[data-testid="mail-sent"]`)) == "" {
		t.Error("the sent mail shows no time of sending")
	}
	queued := rows.Eq(1)
	if got := text(queued.Find(`[data-testid="mail-recipient"]`)); got != "delegate.sm@plenary.test" {
		t.Errorf("a mail not yet written shows recipient %q, want the account's address", got)
	}
	if got := text(queued.Find(`[data-testid="mail-error"]`)); got != "451 busy" {
		t.Errorf("queued mail's last error %q", got)
	}
	if got := text(queued.Find(`[data-testid="mail-attempts"]`)); got != "2" {
		t.Errorf("queued mail's attempts %q", got)
	}
	if !strings.Contains(text(queued.Find(`[data-testid="mail-sent"]`)), "Next attempt") {
		t.Errorf("queued mail does not say when it is tried next: %q", text(queued.Find(`[data-testid="mail-sent"]`)))
	}
	kept := rows.Eq(3)
	body := kept.Find(`[data-testid="mail-body"]`)
	if body.Find("p").Length() != 2 || body.Find("br").Length() != 1 {
		t.Errorf("body not shown as its paragraphs and lines: %s", text(body))
	}
	if got := text(testid(d, "mail-filter-kept")); got != "Kept (55)" {
		t.Errorf("kept filter reads %q", got)
	}
	if got := text(testid(d, "mail-filter-all")); got != "All (58)" {
		t.Errorf("all filter reads %q", got)
	}
	older, ok := testid(d, "mail-older").Attr("href")
	if !ok {
		t.Fatal("no link to older mail")
	}

	p = b.get(older)
	wantStatus(t, p, http.StatusOK)
	if n := testid(p.doc(t), "mail").Find("tbody tr").Length(); n != 8 {
		t.Errorf("second page has %d rows, want 8", n)
	}

	p = b.get("/secretariat/mail?state=failed")
	wantStatus(t, p, http.StatusOK)
	d = p.doc(t)
	rows = testid(d, "mail").Find("tbody tr")
	if rows.Length() != 1 || text(rows.Find(`[data-testid="mail-error"]`)) != "550 no such user" {
		t.Errorf("failed filter shows %d rows: %s", rows.Length(), text(rows))
	}
	if cur, _ := testid(d, "mail-filter-failed").Attr("aria-current"); cur != "page" {
		t.Error("the chosen filter is not marked current")
	}

	delegate := ts.browser()
	delegate.login("delegate.sm@plenary.test")
	wantStatus(t, delegate.get("/secretariat/mail"), http.StatusForbidden)
}

func TestMailPageInChinese(t *testing.T) {
	t.Parallel()
	ts := newSite(t, time.Now())
	b := ts.browser()
	b.login("secretariat@plenary.test")
	wantStatus(t, b.post("/language", form("lang", "zh", "next", "/secretariat/mail")), http.StatusSeeOther)
	p := b.get("/secretariat/mail")
	wantStatus(t, p, http.StatusOK)
	d := p.doc(t)
	if got := text(d.Find("h1")); got != "邮件" {
		t.Errorf("title %q", got)
	}
	if testid(d, "mail-none").Length() != 1 {
		t.Error("an empty outbox does not say so")
	}
}
