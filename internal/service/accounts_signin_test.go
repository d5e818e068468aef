package service_test

import (
	"context"
	"testing"

	"plenary/internal/domain"
	"plenary/internal/seed"
	"plenary/internal/service"
)

// Signing up stores the account, its audit event, the verification link and its mail in one
// transaction; a refused sign-up (an organisation not in the list, an email taken in another
// letter case) writes nothing. The new account then signs in with its password, and neither a
// wrong password nor an unknown email does, with the same answer.
func TestSignUpThenSignIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	accounts := w.svc.Accounts
	orgs, err := accounts.Organisations(ctx)
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organisations: %d, %v", len(orgs), err)
	}
	in := service.SignUp{Email: "ana.silva@example.org", Password: "a long enough password", GivenName: "Ana", FamilyName: "Silva",
		NameOrder: domain.GivenFirst, OrganisationID: orgs[0].ID, Language: "fr"}
	counts := func() [3]int {
		return [3]int{w.count(`SELECT count(*) FROM accounts`), w.count(`SELECT count(*) FROM account_tokens`),
			w.count(`SELECT count(*) FROM mail_outbox`)}
	}
	before := counts()

	bad := in
	bad.OrganisationID = -1
	if _, err := accounts.SignUp(ctx, service.Audit{}, bad); err == nil || domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an organisation not in the list: %v, want invalid", err)
	} else if e, _ := domain.AsError(err); e.Fields["organisation_id"] != "error.organisation_not_found" {
		t.Errorf("an organisation not in the list: %v, want it beside organisation_id", err)
	}
	dup := in
	dup.Email = "Delegate.SM@plenary.test"
	if _, err := accounts.SignUp(ctx, service.Audit{}, dup); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("an email taken in another letter case: %v, want a conflict", err)
	} else if e, _ := domain.AsError(err); e.Fields["email"] != "error.email_taken" {
		t.Errorf("an email taken: %v, want it beside email", err)
	}
	if got := counts(); got != before {
		t.Fatalf("refused sign-ups wrote something: accounts, tokens, mail %v, before %v", got, before)
	}

	id, err := accounts.SignUp(ctx, service.Audit{RemoteAddr: "192.0.2.1"}, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != [3]int{before[0] + 1, before[1] + 1, before[2] + 1} {
		t.Errorf("after signing up: accounts, tokens, mail %v, before %v; want one more of each", got, before)
	}
	acc, err := w.db.Account(ctx, id)
	if err != nil || acc.Gender != domain.NotStated || acc.Language != "fr" || acc.OrganisationID == nil || *acc.OrganisationID != orgs[0].ID {
		t.Errorf("the account: %+v, %v; want gender not stated, French, the organisation chosen", acc, err)
	}
	to, body := w.lastAccountMail(service.MailEmailVerification, id)
	if to != in.Email || verifyLink.FindStringSubmatch(body) == nil {
		t.Errorf("the verification mail goes to %q with body %q; want the new address and a link", to, body)
	}
	for _, action := range []string{"account.create", "account.verification_sent"} {
		if n := w.count(`SELECT count(*) FROM audit_events WHERE action = $1 AND entity_id = $2 AND actor_id = $2`, action, id); n != 1 {
			t.Errorf("%d %s events by the new account, want 1", n, action)
		}
	}

	if got, err := accounts.SignIn(ctx, "ANA.silva@example.org", in.Password); err != nil || got != id {
		t.Errorf("sign in with the password: %d, %v; want account %d", got, err, id)
	}
	if _, err := accounts.SignIn(ctx, in.Email, "not the password"); domain.ErrorCode(err) != domain.Unauthorized {
		t.Errorf("a wrong password: %v, want unauthorized", err)
	}
	if _, err := accounts.SignIn(ctx, "nobody@example.org", seed.DemoPassword); domain.ErrorCode(err) != domain.Unauthorized {
		t.Errorf("an unknown email: %v, want unauthorized", err)
	}
	actor, sess, err := accounts.Session(ctx, id)
	if err != nil || actor.ID != id || sess.Email != in.Email {
		t.Errorf("the session's actor: %+v, %+v, %v", actor, sess, err)
	}
}
