package site_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
)

var resetPath = regexp.MustCompile(`/reset/[A-Z2-7]+`)

func TestPasswordResetByMail(t *testing.T) {
	t.Parallel()
	ts := newSite(t, afterTheMeeting)
	ctx := context.Background()
	const email = "delegate.sm@plenary.test"

	// Signed in elsewhere: this session must end with the reset.
	other := ts.browser()
	wantRedirect(t, other.post("/login", form("email", email, "password", "plenary-demo")), "/")
	wantStatus(t, other.get("/me"), http.StatusOK)

	b := ts.browser()
	login := b.get("/login")
	if testid(login.doc(t), "forgot-password").AttrOr("href", "") != "/reset" {
		t.Error("the login page does not link to the password reset")
	}
	known := b.post("/reset", form("email", email))
	wantStatus(t, known, http.StatusOK)
	unknown := b.post("/reset", form("email", "nobody@plenary.test"))
	wantStatus(t, unknown, http.StatusOK)
	kt, ut := text(testid(known.doc(t), "reset-sent")), text(testid(unknown.doc(t), "reset-sent"))
	if kt == "" || regexp.MustCompile(`nobody@plenary\.test`).ReplaceAllString(ut, email) != kt {
		t.Errorf("the answers differ for a known and an unknown email:\n%q\n%q", kt, ut)
	}
	var body string
	if err := ts.db.Pool.QueryRow(ctx, `SELECT body FROM mail_outbox WHERE kind = 'account.password_reset' ORDER BY id DESC LIMIT 1`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	link := resetPath.FindString(body)
	if link == "" {
		t.Fatalf("no link in the mail:\n%s", body)
	}
	wantStatus(t, b.get(link), http.StatusOK)
	p := b.post(link, form("password", "short"))
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if testid(p.doc(t), "error-password").Length() != 1 {
		t.Error("a short password is not refused beside the field")
	}
	wantRedirect(t, b.post(link, form("password", "my brand new password")), "/me")
	wantStatus(t, b.get("/me"), http.StatusOK)
	// The other browser's session has ended.
	if p := other.get("/me"); p.StatusCode == http.StatusOK {
		t.Error("the other session still opens /me after the reset")
	}
	// Single use.
	wantStatus(t, b.get(link), http.StatusNotFound)
	wantStatus(t, b.post(link, form("password", "another new password")), http.StatusNotFound)
	// The new password signs in.
	c := ts.browser()
	wantRedirect(t, c.post("/login", form("email", email, "password", "my brand new password")), "/")

	// Guessing links is held back: past the limit every try is refused with Retry-After.
	g := ts.browser()
	var last page
	for range 12 {
		last = g.post("/reset/AAAAAAAAAAAAAAAAAAAAAAAAAA", form("password", "whatever password"))
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	if last.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After when guessing is held back")
	}
}
