package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// TestOutboxList: the secretariat reads the outbox a page at a time, the counts being the
// database's; a delegate is refused.
func TestOutboxList(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.register(w.actor(delegateSM), domain.InPerson) // queues mail
	all := w.count(`SELECT count(*) FROM mail_outbox`)
	queued := w.count(`SELECT count(*) FROM mail_outbox WHERE state = 'queued'`)
	if all == 0 || queued == 0 {
		t.Fatalf("the registration queued no mail (%d in all, %d queued)", all, queued)
	}

	sec := w.actor(secretariat)
	p, err := w.svc.Outbox.List(ctx, sec, service.MailFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	newest := w.count(`SELECT max(id) FROM mail_outbox`)
	if len(p.Lines) != 1 || p.Lines[0].ID != int64(newest) || p.Total != all {
		t.Errorf("first page of one: %d lines (first id %v), total %d; want the newest (id %d) of %d", len(p.Lines), p.Lines, p.Total, newest, all)
	}
	sum := 0
	for _, n := range p.Counts {
		sum += n
	}
	if sum != all || p.Counts["queued"] != queued {
		t.Errorf("counts %v, want %d in all and %d queued", p.Counts, all, queued)
	}

	p, err = w.svc.Outbox.List(ctx, sec, service.MailFilter{State: "queued", Limit: 10_000, Offset: -5})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != queued || len(p.Lines) != min(queued, 500) {
		t.Errorf("queued, limit too large: %d lines, total %d, want %d", len(p.Lines), p.Total, queued)
	}
	p, err = w.svc.Outbox.List(ctx, sec, service.MailFilter{State: "no such state"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != all {
		t.Errorf("an unknown state: total %d, want every mail (%d)", p.Total, all)
	}

	if _, err := w.svc.Outbox.List(ctx, w.actor(delegateSM), service.MailFilter{}); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate reads the outbox: %v, want Forbidden", err)
	}
}

// TestSetLanguage: the account's language changes and the change is audited with it.
func TestSetLanguage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.actor(delegateSM)
	before := w.count(`SELECT count(*) FROM audit_events WHERE action = 'account.language' AND entity_id = $1`, a.ID)
	if err := w.svc.Accounts.SetLanguage(ctx, service.Audit{ActorID: a.ID}, a.ID, "zh"); err != nil {
		t.Fatal(err)
	}
	acc, err := w.db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Language != "zh" {
		t.Errorf("language %q, want zh", acc.Language)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'account.language' AND entity_id = $1 AND detail->>'language' = 'zh'`, a.ID); n != before+1 {
		t.Errorf("%d audit events of the change, want %d", n, before+1)
	}
	if err := w.svc.Accounts.SetLanguage(ctx, service.Audit{ActorID: a.ID}, a.ID, ""); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("no language: %v, want Invalid", err)
	}
}
