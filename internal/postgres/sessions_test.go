package postgres_test

import (
	"context"
	"testing"
	"time"

	"plenary/internal/pgtest"
	"plenary/internal/service"
)

// A session is read with the account it is signed in as, in its current roles; an expired one,
// or one signed in as nobody, brings no account.
func TestSessionIsReadWithItsAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	focal := actorOf(t, db, "focal.sm@plenary.test")
	store := db.Sessions()
	store.SetAccountOf(func(b []byte) int64 {
		if string(b) == "signed-in" {
			return focal.ID
		}
		return 0
	})
	later := time.Now().Add(time.Hour)
	for token, data := range map[string]string{"t-signed": "signed-in", "t-visitor": "visitor"} {
		if err := store.CommitCtx(ctx, token, []byte(data), later); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CommitCtx(ctx, "t-expired", []byte("signed-in"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}

	read := func(token string) (string, bool, *service.SessionAccount) {
		t.Helper()
		c, sa := service.WithSessionAccount(ctx)
		b, found, err := store.FindCtx(c, token)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), found, sa
	}
	data, found, sa := read("t-signed")
	if !found || data != "signed-in" || !sa.Found || sa.Actor.ID != focal.ID || sa.Account.Email != "focal.sm@plenary.test" ||
		!sa.Actor.IsFocalPointOf(focal.OrganisationID) {
		t.Fatalf("signed-in session: %q %v %+v", data, found, sa)
	}
	if _, found, sa := read("t-visitor"); !found || sa.Found {
		t.Errorf("visitor's session: found %v, account %+v", found, sa)
	}
	if _, found, sa := read("t-expired"); found || sa.Found {
		t.Errorf("expired session: found %v, account %+v", found, sa)
	}
	if _, found, _ := read("t-none"); found {
		t.Error("a session that was never stored was found")
	}

	// Roles are read afresh with every request: no longer a focal point, at once.
	if _, err := db.Pool.Exec(ctx, `DELETE FROM focal_points WHERE account_id = $1`, focal.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, sa := read("t-signed"); !sa.Found || sa.Actor.IsFocalPoint() {
		t.Errorf("after losing the role: %+v", sa)
	}

	// Expired sessions are removed; the live ones stay.
	n, err := db.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("deleted %d expired sessions (%v), want 1", n, err)
	}
	if _, found, _ := read("t-signed"); !found {
		t.Error("a live session was removed")
	}
	if err := store.DeleteCtx(ctx, "t-signed"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := read("t-signed"); found {
		t.Error("a deleted session was found")
	}
}
