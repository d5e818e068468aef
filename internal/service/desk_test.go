package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// approved registers a as themselves in mode and has their focal point approve it.
func (w *world) approved(a domain.Actor, focal domain.Actor, mode domain.Mode) domain.Registration {
	w.t.Helper()
	reg := w.register(a, mode)
	if reg.State != domain.Approved {
		res, err := w.svc.Registrations.Decide(context.Background(), postgres.Audit{ActorID: focal.ID}, focal, []int64{reg.ID}, true, "")
		if err != nil || len(res.Done) != 1 {
			w.t.Fatalf("approve: %v %v", res, err)
		}
	}
	return reg
}

// confirmed is approved, in person, with the delegate's confirmation asked for.
func (w *world) confirmed(delegate, focal string) (domain.Registration, service.Confirmation) {
	w.t.Helper()
	a := w.actor(delegate)
	reg := w.approved(a, w.actor(focal), domain.InPerson)
	c, err := w.svc.Desk.Confirmation(context.Background(), postgres.Audit{ActorID: a.ID}, a, reg.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return reg, c
}

// The confirmation of an approved in-person registration carries a signed token that verifies
// with the portal's public key; asking again gives the same code; a cancellation revokes it
// (written, audited, and on the meeting's revocation list) and the confirmation is then refused.
func TestConfirmationTokenAndCancellation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)

	c, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	checker, err := w.svc.Desk.Checker(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := checker.Check(c.Code, w.now)
	if err != nil {
		t.Fatalf("the confirmation's code does not verify: %v", err)
	}
	if tok.Registration != reg.ID || tok.Meeting != w.meeting || tok.Mode != domain.InPerson || tok.Kind != domain.ConfirmationToken || tok.Serial != 1 {
		t.Errorf("token says %+v", tok)
	}
	if m := c.Meeting; !tok.ValidUntil.After(m.LastDay) {
		t.Errorf("token valid until %s, the meeting ends %s", tok.ValidUntil, m.LastDay)
	}
	again, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: focal.ID}, focal, reg.ID)
	if err != nil || again.Code != c.Code {
		t.Errorf("second confirmation (by the focal point): %v, same code %v", err, again.Code == c.Code)
	}
	if n := w.count(`SELECT count(*) FROM desk_tokens WHERE registration_id = $1`, reg.ID); n != 1 {
		t.Errorf("%d tokens issued, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'token.issue'`, reg.ID); n != 1 {
		t.Errorf("%d token_issue events, want 1", n)
	}
	// Someone else's registration is not there.
	if _, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{}, w.actor(delegateMS), reg.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("another delegate: %v, want NotFound", err)
	}

	if err := w.svc.Registrations.Cancel(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM desk_tokens WHERE registration_id = $1 AND revoked_at IS NOT NULL AND revoked_reason = 'cancelled'`, reg.ID); n != 1 {
		t.Error("the cancellation did not revoke the token")
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'token.revoke' AND (detail->>'token')::bigint = $2`, reg.ID, tok.ID); n != 1 {
		t.Error("the revocation is not audited")
	}
	revoked := revokedSet(t, w, w.meeting)
	if !revoked[tok.ID] {
		t.Fatal("the revocation list lacks the cancelled registration's token")
	}
	checker, _ = w.svc.Desk.Checker(ctx, revoked)
	if _, err := checker.Check(c.Code, w.now); !errors.Is(err, domain.ErrTokenRevoked) {
		t.Errorf("offline check of the cancelled registration's code: %v, want revoked", err)
	}
	if _, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("confirmation of a cancelled registration: %v, want Conflict", err)
	}
}

// A change of mode revokes the token; a remote registration's confirmation has none; switching
// back to in person and being approved again gives a new token (serial 2).
func TestConfirmationTokenModeChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	delegate, focal := w.actor(delegateSM), w.actor(focalSM)
	reg := w.approved(delegate, focal, domain.InPerson)
	first, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Registrations.ChangeMode(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID, domain.Remote); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM desk_tokens WHERE id = $1 AND revoked_reason = 'mode_change'`, first.Token.ID); n != 1 {
		t.Error("the change of mode did not revoke the token")
	}
	remote, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if remote.Code != "" || remote.Registration.Mode != domain.Remote {
		t.Errorf("remote confirmation has a code %q", remote.Code)
	}
	if _, err := w.svc.Registrations.ChangeMode(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID, domain.InPerson); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("confirmation while back to pending: %v, want Conflict", err)
	}
	w.now = w.now.Add(time.Minute)
	if res, err := w.svc.Registrations.Decide(ctx, postgres.Audit{ActorID: focal.ID}, focal, []int64{reg.ID}, true, ""); err != nil || len(res.Done) != 1 {
		t.Fatalf("approve again: %v %v", res, err)
	}
	second, err := w.svc.Desk.Confirmation(ctx, postgres.Audit{ActorID: delegate.ID}, delegate, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Code == first.Code || second.Token.Serial != 2 {
		t.Errorf("new token: serial %d, same code %v", second.Token.Serial, second.Code == first.Code)
	}
	revoked := revokedSet(t, w, w.meeting)
	if !revoked[first.Token.ID] || revoked[second.Token.ID] {
		t.Errorf("revocation list %v: want the first token (%d), not the second (%d)", revoked, first.Token.ID, second.Token.ID)
	}
}

func revokedSet(t *testing.T, w *world, meeting int64) map[int64]bool {
	t.Helper()
	list, err := w.db.RevokedTokens(context.Background(), meeting)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, r := range list {
		out[r.ID] = true
	}
	return out
}
