package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// A focal point chooses a daily digest, then one mail each again: each choice is recorded and
// audited, going back releases the mail that waited for a digest; anyone else is refused and
// nothing changes.
func TestFocalMailPreference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	focal, delegate := w.actor(focalSM), w.actor(delegateSM)

	if at, err := w.svc.FocalMail.DigestPref(ctx, focal); err != nil || at != nil {
		t.Fatalf("before any choice: %v %v, want one mail each (nil)", at, err)
	}
	eight, _ := domain.ParseDigestAt("08:00")
	if err := w.svc.FocalMail.SetDigest(ctx, postgres.Audit{ActorID: focal.ID, RequestID: "d1"}, focal, &eight); err != nil {
		t.Fatal(err)
	}
	if at, err := w.svc.FocalMail.DigestPref(ctx, focal); err != nil || at == nil || at.String() != "08:00" {
		t.Fatalf("after choosing 08:00: %v %v", at, err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'account.mail_preference' AND entity_id = $1
		AND request_id = 'd1' AND detail->>'digest_at' = '08:00'`, focal.ID); n != 1 {
		t.Errorf("%d preference events saying 08:00, want 1", n)
	}

	// A request now waits for the digest; going back to one mail each queues it at once.
	w.register(delegate, domain.Remote)
	waiting := w.count(`SELECT count(*) FROM mail_outbox WHERE account_id = $1 AND state = 'digest'`, focal.ID)
	if waiting != 1 {
		t.Fatalf("%d mails wait for the digest, want 1", waiting)
	}
	if err := w.svc.FocalMail.SetDigest(ctx, postgres.Audit{ActorID: focal.ID, RequestID: "d2"}, focal, nil); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM mail_outbox WHERE account_id = $1 AND state = 'digest'`, focal.ID); n != 0 {
		t.Errorf("%d mails still wait for a digest", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'account.mail_preference' AND request_id = 'd2'
		AND detail->'digest_at' = 'null'::jsonb AND (detail->>'released')::int = 1`); n != 1 {
		t.Errorf("%d events of going back saying one mail released, want 1", n)
	}
	if at, err := w.svc.FocalMail.DigestPref(ctx, focal); err != nil || at != nil {
		t.Errorf("after going back: %v %v", at, err)
	}

	// A delegate who is not a focal point has no such choice.
	events, prefs := w.count(`SELECT count(*) FROM audit_events`), w.count(`SELECT count(*) FROM focal_mail_prefs`)
	if err := w.svc.FocalMail.SetDigest(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, &eight); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate sets a digest: %v, want Forbidden", err)
	}
	if _, err := w.svc.FocalMail.DigestPref(ctx, delegate); domain.ErrorCode(err) != domain.Forbidden {
		t.Errorf("a delegate reads a digest preference: %v, want Forbidden", err)
	}
	if w.count(`SELECT count(*) FROM audit_events`) != events || w.count(`SELECT count(*) FROM focal_mail_prefs`) != prefs {
		t.Error("a refused choice changed something")
	}
}
