package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

// A notification to the mail workers that fails is reported, and sent once it can be.
func TestMailNotifierReportsAFailedNotifyAndSendsItLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// pg_notify resolves to a function that fails, for connections that look in "broken" first.
	if _, err := admin.Exec(ctx, `CREATE SCHEMA broken;
		CREATE FUNCTION broken.pg_notify(text, text) RETURNS void LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'notifications are broken'; END $$`); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := postgres.Open(ctx, url+sep+"search_path=broken,pg_catalog,public", 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	listener, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN mail_queued"); err != nil {
		t.Fatal(err)
	}

	failures := make(chan error, 100)
	nctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.RunMailNotifier(nctx, 10*time.Millisecond, func(err error) { failures <- err })
	}()
	defer func() { stop(); <-done }()
	db.WakeMail()
	select {
	case err := <-failures:
		if !strings.Contains(err.Error(), "notifications are broken") {
			t.Errorf("reported %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a failed notification was not reported")
	}
	if _, err := admin.Exec(ctx, `DROP FUNCTION broken.pg_notify(text, text)`); err != nil {
		t.Fatal(err)
	}
	// Sent again, without another wake-up.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	n, err := listener.WaitForNotification(wctx)
	if err != nil || n.Channel != "mail_queued" {
		t.Fatalf("after the failure: %v, %v; want the notification sent again", n, err)
	}
}

// The search for an account takes % and _ as the letters typed, not as wildcards.
func TestSearchAccountsFindsWildcardsAsTyped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	all, err := db.SearchAccounts(ctx, "", 100)
	if err != nil || len(all) < 3 {
		t.Fatalf("every account: %d, %v", len(all), err)
	}
	for _, q := range []string{"%", "_", "%plenary%", `\`, "d_legate"} {
		got, err := db.SearchAccounts(ctx, q, 100)
		if err != nil || len(got) != 0 {
			t.Errorf("search %q: %d accounts, %v; want none (no name or email holds it)", q, len(got), err)
		}
	}
	id, err := db.CreateAccount(ctx, postgres.Audit{}, domain.Account{Email: "o_brien.100%@example.org", GivenName: "Siobhán",
		FamilyName: "O_Brien", Gender: domain.NotStated, Language: "en"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"o_b", "100%", "100%@", "N O_B"} {
		got, err := db.SearchAccounts(ctx, q, 100)
		if err != nil || len(got) != 1 || got[0].ID != id {
			t.Errorf("search %q: %+v, %v; want the one account holding it", q, got, err)
		}
	}
}
