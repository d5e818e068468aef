package e2e_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/pgtest"
)

const (
	delegateSM = "delegate.sm@plenary.test"
	focalSM    = "focal.sm@plenary.test"
)

// registerAndApprove has the Sector Member's delegate register through one portal and its focal
// point approve through another (the same one, for one instance), and returns the registration.
func registerAndApprove(t *testing.T, delegateAt, focalAt, slug string) int64 {
	t.Helper()
	d := newClient(t, delegateAt)
	d.login(delegateSM, demoPassword)
	id := d.register(slug)
	f := newClient(t, focalAt)
	f.login(focalSM, demoPassword)
	list := f.must(http.MethodGet, "/focal", nil, http.StatusOK)
	if !strings.Contains(list.body, `data-testid="reg-`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatalf("the focal point's list does not show registration %d", id)
	}
	f.must(http.MethodPost, "/focal/decide", map[string][]string{"action": {"approve"}, "only": {strconv.FormatInt(id, 10)}}, http.StatusSeeOther)
	me := d.must(http.MethodGet, "/me", nil, http.StatusOK)
	if !strings.Contains(me.body, "Approved") {
		t.Errorf("the delegate's page does not show the registration approved:\n%s", tail(me.body, 3000))
	}
	return id
}

// wantMailOnce waits for the outbox to settle, then checks that each recipient got exactly n
// messages and that no message arrived twice.
func wantMailOnce(t *testing.T, conn *pgx.Conn, sink *smtpSink, want map[string]int) {
	t.Helper()
	total := 0
	for _, n := range want {
		total += n
	}
	waitUntil(t, "the mail to be sent", 60*time.Second, func() bool { return mailSettled(t, conn) && len(sink.messages()) >= total })
	var failed int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox WHERE state <> 'sent'`).Scan(&failed); err != nil || failed != 0 {
		t.Errorf("%d mails not sent (%v)", failed, err)
	}
	got := map[string]int{}
	ids := map[string]int{}
	for _, m := range sink.messages() {
		for _, to := range m.To {
			got[to]++
		}
		ids[m.MessageID]++
	}
	for to, n := range want {
		if got[to] != n {
			t.Errorf("%s got %d messages, want %d (all: %v)", to, got[to], n, got)
		}
	}
	if len(sink.messages()) != total {
		t.Errorf("%d messages arrived, want %d", len(sink.messages()), total)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s arrived %d times", id, n)
		}
	}
}

// The portal runs through PgBouncer 1.18 in transaction mode (no prepared statements kept across
// transactions: with DATABASE_DIRECT_URL set, DB_EXEC_MODE defaults to cache_describe), with its listeners on the direct connection: it migrates and
// seeds an empty database, a delegate registers, the focal point approves, and the mail goes out.
func TestThroughPgBouncerInTransactionMode(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	direct := pgtest.EmptyURL(t)
	bouncer := startPgBouncer(t, hostOf(t, direct))
	pooled := withHost(t, direct, bouncer)
	sink := startSMTPSink(t)
	bin := build(t, root)
	base := serveWith(t, bin, map[string]string{
		"DATABASE_URL": pooled, "DATABASE_DIRECT_URL": direct, "SMTP_URL": sink.URL(), "DB_MAX_CONNS": "8",
	})
	conn := connect(t, direct)
	_, slug := demoMeeting(t, conn)
	registerAndApprove(t, base, base, slug)
	// The acknowledgement and the approval to the delegate, the request to decide to the focal point.
	wantMailOnce(t, conn, sink, map[string]int{delegateSM: 2, focalSM: 1})

	// The requests went through PgBouncer, as transactions on its pooled server connections.
	admin := connect(t, withHost(t, "postgres://postgres@/pgbouncer?sslmode=disable&default_query_exec_mode=simple_protocol", bouncer))
	rows, err := admin.Query(context.Background(), "SHOW STATS")
	if err != nil {
		t.Fatal(err)
	}
	db := strings.TrimPrefix(hostPath(direct), "/")
	var xacts int64
	for rows.Next() {
		// The simple protocol answers in text: read each column as written.
		row := map[string]string{}
		for i, f := range rows.FieldDescriptions() {
			row[f.Name] = string(rows.RawValues()[i])
		}
		if row["database"] == db {
			xacts, _ = strconv.ParseInt(row["total_xact_count"], 10, 64)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if xacts < 20 {
		t.Errorf("PgBouncer served %d transactions for %s, want the portal's work", xacts, db)
	}
	// The first instance's two listeners hold direct connections of their own.
	var listening int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND query ILIKE 'listen %'`).Scan(&listening); err != nil || listening != 2 {
		t.Errorf("%d sessions listening (%v), want 2 (meeting changes, mail)", listening, err)
	}

	// A second instance through PgBouncer alone, its LISTEN going through the pooler too: it does
	// not hear the probe it sends itself, says so, and follows the meetings' versions instead,
	// so a change made through the first instance still shows within seconds.
	deaf, deafLog := serveLogged(t, bin, map[string]string{"DATABASE_URL": pooled, "DB_EXEC_MODE": "cache_describe", "DB_MAX_CONNS": "4"})
	meetingID, _ := demoMeeting(t, conn)
	visitor := newClient(t, deaf)
	before := h1(t, visitor.must(http.MethodGet, "/meetings/"+slug, nil, http.StatusOK).body)
	waitUntil(t, "the second instance to say it hears no notifications", 30*time.Second, func() bool {
		return strings.Contains(deafLog.String(), "notifications sent are not heard back")
	})
	sec := newClient(t, base)
	sec.login(secretariat, demoPassword)
	edit := "/secretariat/meetings/" + strconv.FormatInt(meetingID, 10) + "/details"
	vals := formValues(t, sec.must(http.MethodGet, edit, nil, http.StatusOK).body, `form[data-testid="meeting-form"]`)
	vals.Set("title-en", before+" (renamed)")
	sec.must(http.MethodPost, edit, vals, http.StatusSeeOther)
	waitUntil(t, "the instance without notifications to show the change", 10*time.Second, func() bool {
		return h1(t, visitor.must(http.MethodGet, "/meetings/"+slug, nil, http.StatusOK).body) == before+" (renamed)"
	})
}

func hostPath(raw string) string {
	_, rest, _ := strings.Cut(raw, "://")
	_, path, _ := strings.Cut(rest, "/")
	path, _, _ = strings.Cut(path, "?")
	return "/" + path
}

// Two instances of the portal over one database, started together on an empty one: both come up
// (migrations and seed take turns), a change made through one is seen through the other at once,
// a registration made through one is decided through the other, and each mail goes out once.
func TestTwoReplicasShareOneDatabase(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	dbURL := pgtest.EmptyURL(t)
	sink := startSMTPSink(t)
	bin := build(t, root)
	bases := make([]string, 2)
	var wg sync.WaitGroup
	for i := range bases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bases[i] = serveWith(t, bin, map[string]string{"DATABASE_URL": dbURL, "SMTP_URL": sink.URL(), "DB_MAX_CONNS": "8"})
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	a, b := bases[0], bases[1]
	conn := connect(t, dbURL)
	meetingID, slug := demoMeeting(t, conn)

	// A visitor reads the meeting through B, which caches it; the secretariat renames it through A.
	visitor := newClient(t, b)
	before := h1(t, visitor.must(http.MethodGet, "/meetings/"+slug, nil, http.StatusOK).body)
	sec := newClient(t, a)
	sec.login(secretariat, demoPassword)
	edit := "/secretariat/meetings/" + strconv.FormatInt(meetingID, 10) + "/details"
	vals := formValues(t, sec.must(http.MethodGet, edit, nil, http.StatusOK).body, `form[data-testid="meeting-form"]`)
	if vals.Get("title-en") != before {
		t.Fatalf("the editor's title %q is not the page's %q", vals.Get("title-en"), before)
	}
	vals.Set("title-en", "Renamed through replica A")
	sec.must(http.MethodPost, edit, vals, http.StatusSeeOther)
	waitUntil(t, "replica B to show the new title", 10*time.Second, func() bool {
		return h1(t, visitor.must(http.MethodGet, "/meetings/"+slug, nil, http.StatusOK).body) == "Renamed through replica A"
	})

	registerAndApprove(t, a, b, slug)
	wantMailOnce(t, conn, sink, map[string]int{delegateSM: 2, focalSM: 1})
}
