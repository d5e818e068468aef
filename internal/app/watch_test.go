package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/pgtest"
)

const watchSlug = "sg13-wp-2025-07"

// watchFixture is the program over its own database, with a connection of the test's own to
// change the meeting behind the program's back, as another instance would.
type watchFixture struct {
	t    *testing.T
	m    *Main
	conn *pgx.Conn
	db   string
}

func newWatchFixture(t *testing.T, env map[string]string) *watchFixture {
	t.Helper()
	url := pgtest.URL(t)
	fx := &watchFixture{t: t, m: runTestMainWith(t, url, env)}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	fx.conn = conn
	fx.exec(`SELECT 1`)
	if err := conn.QueryRow(context.Background(), `SELECT current_database()`).Scan(&fx.db); err != nil {
		t.Fatal(err)
	}
	fx.waitFor("the page cache to be on", fx.m.Server.Caching)
	return fx
}

func (fx *watchFixture) exec(q string, args ...any) {
	fx.t.Helper()
	if _, err := fx.conn.Exec(context.Background(), q, args...); err != nil {
		fx.t.Fatalf("%s: %v", q, err)
	}
}

func (fx *watchFixture) waitFor(what string, ok func() bool) {
	fx.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			fx.t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// title is the meeting page's English title as a visitor sees it.
func (fx *watchFixture) title() string {
	fx.t.Helper()
	code, body := get(fx.t, fx.m.URL()+"/meetings/"+watchSlug)
	if code != http.StatusOK {
		fx.t.Fatalf("meeting page: %d", code)
	}
	_, after, _ := strings.Cut(body, "<h1")
	_, after, _ = strings.Cut(after, ">")
	h1, _, _ := strings.Cut(after, "</h1>")
	// The title is isolated in a <bdi> (right-to-left pages); only its text matters here.
	h1 = strings.NewReplacer("<bdi>", "", "</bdi>", "").Replace(h1)
	return strings.TrimSpace(h1)
}

// retitle changes the title in the database without telling anyone (no version, no
// notification): only a page served from the cache keeps the old one.
func (fx *watchFixture) retitle(title string) {
	fx.t.Helper()
	fx.exec(`UPDATE meetings SET title = jsonb_set(title, '{en}', to_jsonb($2::text)) WHERE slug = $1`, watchSlug, title)
}

// listeners counts the sessions LISTENing on the program's database.
func (fx *watchFixture) listeners() int {
	fx.t.Helper()
	var n int
	err := fx.conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid() AND query ILIKE 'listen %'`, fx.db).Scan(&n)
	if err != nil {
		fx.t.Fatal(err)
	}
	return n
}

// Without LISTEN (DB_LISTEN=false, as behind a transaction pooler with no direct connection),
// pages are cached and dropped when a reading of the meetings' versions finds a change.
func TestCacheFallsBackToReadingVersionsWithoutListen(t *testing.T) {
	fx := newWatchFixture(t, map[string]string{"DB_LISTEN": "false"})
	old := fx.title()
	fx.retitle("Changed behind the back of the cache")
	if got := fx.title(); got != old {
		t.Fatalf("title %q after a change no one was told of: the page is not cached", got)
	}
	fx.exec(`UPDATE meetings SET version = version + 1 WHERE slug = $1`, watchSlug)
	fx.waitFor("the version reading to drop the page", func() bool { return fx.title() == "Changed behind the back of the cache" })
	if n := fx.listeners(); n != 0 {
		t.Errorf("%d sessions listen with DB_LISTEN=false", n)
	}
}

// The listeners (meeting changes, queued mail) hold connections of their own: with every
// connection of the request pool taken, a notification still reaches the cache; a listener whose
// connection is cut listens again, and what changed meanwhile is found by the version readings.
func TestListenersHoldConnectionsOutsideThePool(t *testing.T) {
	fx := newWatchFixture(t, map[string]string{"DB_MAX_CONNS": "2"})
	fx.waitFor("two listening sessions", func() bool { return fx.listeners() == 2 })
	old := fx.title()
	fx.retitle("Told by a notification")
	if got := fx.title(); got != old {
		t.Fatalf("title %q: the page is not cached", got)
	}
	ctx := context.Background()
	pool := fx.m.DB.Pool
	var held []interface{ Release() }
	for range int(pool.Config().MaxConns) {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	if st := pool.Stat(); st.AcquiredConns() != st.MaxConns() || fx.listeners() != 2 {
		t.Fatalf("pool %d/%d taken, %d listening sessions", st.AcquiredConns(), st.MaxConns(), fx.listeners())
	}
	fx.exec(`SELECT pg_notify('meeting_changed', $1)`, watchSlug)
	// The version did not move, so only the notification can drop the page; it was heard while
	// the pool was all taken (a listener from the pool would have had to wait for one).
	for _, c := range held {
		c.Release()
	}
	fx.waitFor("the notification to drop the page", func() bool { return fx.title() == "Told by a notification" })

	// Cut the listeners' connections; change the meeting meanwhile.
	fx.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'listen %'`, fx.db)
	fx.retitle("Changed while no one listened")
	fx.exec(`UPDATE meetings SET version = version + 1 WHERE slug = $1`, watchSlug)
	fx.waitFor("the change made while no one listened to show", func() bool { return fx.title() == "Changed while no one listened" })
	fx.waitFor("the listeners to listen again", func() bool { return fx.listeners() == 2 })
	fx.waitFor("the cache to be told by notifications again", func() bool {
		fx.retitle("Heard again")
		fx.exec(`SELECT pg_notify('meeting_changed', $1)`, watchSlug)
		time.Sleep(50 * time.Millisecond)
		return fx.title() == "Heard again"
	})
}
