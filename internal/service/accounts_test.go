package service_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/service"
)

var resetLink = regexp.MustCompile(`/reset/([A-Z2-7]+)`)

// lastAccountMail returns the newest mail of kind to the account: its recipient and body.
func (w *world) lastAccountMail(kind string, accountID int64) (string, string) {
	w.t.Helper()
	var to, body string
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT recipient, body FROM mail_outbox WHERE kind = $1 AND account_id = $2
		ORDER BY id DESC LIMIT 1`, kind, accountID).Scan(&to, &body); err != nil {
		w.t.Fatalf("no %s mail to account %d: %v", kind, accountID, err)
	}
	return to, body
}

func TestPasswordReset(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	acc, err := w.db.AccountByEmail(ctx, delegateSM)
	if err != nil {
		t.Fatal(err)
	}
	accounts := w.svc.Accounts

	// An unknown email is answered the same (nil) and mails nobody.
	before := w.count(`SELECT count(*) FROM mail_outbox`)
	if err := accounts.RequestPasswordReset(ctx, service.Audit{}, "nobody@plenary.test"); err != nil {
		t.Fatalf("reset for an unknown email: %v, want nil (the same answer)", err)
	}
	if n := w.count(`SELECT count(*) FROM mail_outbox`); n != before {
		t.Errorf("a reset for an unknown email queued %d mail", n-before)
	}

	if err := accounts.RequestPasswordReset(ctx, service.Audit{}, strings.ToUpper(delegateSM)); err != nil {
		t.Fatal(err)
	}
	to, body := w.lastAccountMail(service.MailPasswordReset, acc.ID)
	if to != acc.Email {
		t.Errorf("the reset mail goes to %q, want %q", to, acc.Email)
	}
	if !strings.Contains(body, acc.Name()) {
		t.Errorf("the reset mail does not greet %q:\n%s", acc.Name(), body)
	}
	m := resetLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no reset link in the mail:\n%s", body)
	}
	token := m[1]
	// Stored hashed: the token is nowhere in the table, its SHA-256 is.
	if n := w.count(`SELECT count(*) FROM account_tokens WHERE position($1 in token_hash::text || email) > 0`, token); n != 0 {
		t.Error("the token is stored as it is")
	}
	if n := w.count(`SELECT count(*) FROM account_tokens WHERE token_hash = $1 AND account_id = $2
		AND expires_at <= $3`, domain.HashAccountToken(token), acc.ID, w.now.Add(time.Hour)); n != 1 {
		t.Errorf("%d token rows hold the token's hash with an expiry within the hour, want 1", n)
	}

	// The account is signed in on two devices.
	for _, s := range []string{"device-a", "device-b"} {
		if _, err := w.db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, account_id) VALUES ($1, '\x00', now() + interval '1 day', $2)`, s, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	other := w.actor(focalSM)
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, account_id) VALUES ('someone-else', '\x00', now() + interval '1 day', $1)`, other.ID); err != nil {
		t.Fatal(err)
	}

	if _, err := accounts.ResetPassword(ctx, service.Audit{}, token, "short"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a 5-character password: %v, want invalid", err)
	}
	id, err := accounts.ResetPassword(ctx, service.Audit{}, token, "a new long password")
	if err != nil {
		t.Fatalf("reset: %v", err)
	}
	if id != acc.ID {
		t.Errorf("reset the password of account %d, want %d", id, acc.ID)
	}
	hash, err := w.db.PasswordHashOf(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := app.VerifyPassword("a new long password", hash); !ok {
		t.Error("the new password does not sign in")
	}
	if n := w.count(`SELECT count(*) FROM sessions WHERE account_id = $1`, acc.ID); n != 0 {
		t.Errorf("%d sessions of the account remain after the reset, want 0", n)
	}
	if n := w.count(`SELECT count(*) FROM sessions WHERE account_id = $1`, other.ID); n != 1 {
		t.Errorf("another account's session was ended too")
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'account.password_reset' AND entity_id = $1`, acc.ID); n != 1 {
		t.Errorf("%d audit events of the reset, want 1", n)
	}

	// Single use.
	if _, err := accounts.ResetPassword(ctx, service.Audit{}, token, "another long password"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("the token used again: %v, want invalid", err)
	}
	if ok, _ := app.VerifyPassword("a new long password", mustHash(t, w, acc.ID)); !ok {
		t.Error("a refused second use changed the password")
	}

	// Expiry: an hour later the link no longer works.
	if err := accounts.RequestPasswordReset(ctx, service.Audit{}, delegateSM); err != nil {
		t.Fatal(err)
	}
	_, body = w.lastAccountMail(service.MailPasswordReset, acc.ID)
	late := resetLink.FindStringSubmatch(body)[1]
	if err := accounts.CheckToken(ctx, domain.PasswordReset, late); err != nil {
		t.Errorf("a fresh link: %v", err)
	}
	w.now = w.now.Add(time.Hour + time.Second)
	if err := accounts.CheckToken(ctx, domain.PasswordReset, late); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a link an hour old: %v, want invalid", err)
	}
	if _, err := accounts.ResetPassword(ctx, service.Audit{}, late, "yet another long password"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("reset with a link an hour old: %v, want invalid", err)
	}

	// A newer request replaces the older link.
	if err := accounts.RequestPasswordReset(ctx, service.Audit{}, delegateSM); err != nil {
		t.Fatal(err)
	}
	_, body = w.lastAccountMail(service.MailPasswordReset, acc.ID)
	first := resetLink.FindStringSubmatch(body)[1]
	if err := accounts.RequestPasswordReset(ctx, service.Audit{}, delegateSM); err != nil {
		t.Fatal(err)
	}
	if err := accounts.CheckToken(ctx, domain.PasswordReset, first); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an older link after a newer request: %v, want invalid", err)
	}
	if _, err := accounts.ResetPassword(ctx, service.Audit{}, "NOTATOKEN", "yet another long password"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an unknown token: %v, want invalid", err)
	}
}

func mustHash(t *testing.T, w *world, id int64) string {
	t.Helper()
	h, err := w.db.PasswordHashOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var verifyLink = regexp.MustCompile(`/verify/([A-Z2-7]+)`)

func TestEmailVerificationAndChange(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	accounts := w.svc.Accounts
	acc, err := w.db.AccountByEmail(ctx, delegateMS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, `UPDATE accounts SET email_verified_at = NULL WHERE id = $1`, acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := accounts.SendVerification(ctx, service.Audit{}, acc.ID, acc.Email); err != nil {
		t.Fatal(err)
	}
	_, body := w.lastAccountMail(service.MailEmailVerification, acc.ID)
	token := verifyLink.FindStringSubmatch(body)[1]
	if _, err := accounts.VerifyEmail(ctx, service.Audit{}, token); err != nil {
		t.Fatal(err)
	}
	got, _ := w.db.Account(ctx, acc.ID)
	if !got.EmailVerified() {
		t.Error("the email is not verified after following the link")
	}
	if _, err := accounts.VerifyEmail(ctx, service.Audit{}, token); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("the link followed twice: %v, want invalid", err)
	}

	// A change of email: the current password is asked, the address changes once verified.
	if err := accounts.ChangeEmail(ctx, service.Audit{}, acc.ID, "wrong password", "new.ms@plenary.test"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a change with the wrong password: %v, want invalid", err)
	}
	if err := accounts.ChangeEmail(ctx, service.Audit{}, acc.ID, "plenary-demo", focalMS); domain.ErrorCode(err) != domain.Conflict {
		t.Errorf("a change to another account's email: %v, want conflict", err)
	}
	if err := accounts.ChangeEmail(ctx, service.Audit{}, acc.ID, "plenary-demo", "new.ms@plenary.test"); err != nil {
		t.Fatal(err)
	}
	to, body := w.lastAccountMail(service.MailEmailVerification, acc.ID)
	if to != "new.ms@plenary.test" {
		t.Errorf("the verification of the new email goes to %q", to)
	}
	if got, _ := w.db.Account(ctx, acc.ID); got.Email != acc.Email {
		t.Errorf("the email changed to %q before it was verified", got.Email)
	}
	if p, _ := accounts.PendingEmail(ctx, acc.ID); p != "new.ms@plenary.test" {
		t.Errorf("pending email = %q", p)
	}
	if _, err := accounts.VerifyEmail(ctx, service.Audit{}, verifyLink.FindStringSubmatch(body)[1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.Account(ctx, acc.ID); got.Email != "new.ms@plenary.test" || !got.EmailVerified() {
		t.Errorf("after the link the account's email is %q (verified %v)", got.Email, got.EmailVerified())
	}

	// Names in their own order, and a password change that ends every session.
	if err := accounts.UpdateProfile(ctx, service.Audit{ActorID: acc.ID}, acc.ID, service.Profile{GivenName: "芳", FamilyName: "王",
		NameOrder: domain.FamilyFirst, Language: "zh", Gender: domain.Female}); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.Account(ctx, acc.ID); got.Name() != "王芳" || got.Language != "zh" {
		t.Errorf("after the change the name is %q in %q, want 王芳 in zh", got.Name(), got.Language)
	}
	var display string
	if err := w.db.Pool.QueryRow(ctx, `SELECT display_name FROM accounts WHERE id = $1`, acc.ID).Scan(&display); err != nil || display != "王芳" {
		t.Errorf("accounts.display_name = %q (%v), want 王芳", display, err)
	}
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, account_id) VALUES ('device-c', '\x00', now() + interval '1 day', $1)`, acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := accounts.ChangePassword(ctx, service.Audit{}, acc.ID, "not it", "a new long password"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("a password change with the wrong current password: %v, want invalid", err)
	}
	if err := accounts.ChangePassword(ctx, service.Audit{}, acc.ID, "plenary-demo", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM sessions WHERE account_id = $1`, acc.ID); n != 0 {
		t.Errorf("%d sessions remain after the password change", n)
	}
}
