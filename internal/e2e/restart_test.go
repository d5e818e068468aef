package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/pgcluster"
	"plenary/internal/pgtest"
)

// probeCounts counts a probe's answers by status ("error" for no answer).
type probeCounts struct {
	mu sync.Mutex
	by map[string]int
}

func (p *probeCounts) add(status int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.by == nil {
		p.by = map[string]int{}
	}
	if err != nil {
		p.by["error"]++
		return
	}
	p.by[fmt.Sprint(status)]++
}

func (p *probeCounts) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.by {
		out[k] = v
	}
	return out
}

// PostgreSQL is stopped for 5 s and started again while delegates register and visitors read
// the meeting: visitors get the meeting page all along, /readyz answers 200 within 5 s of the
// database being back, nothing answers 500, and every registration the portal confirmed is in
// the database (every delegate is registered once the load has gone through).
func TestPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := moduleRoot(t)
	dir := filepath.Join(sharedDir(t, "plenary-restart-"), "pg")
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fast: true})
	if err != nil {
		requireOrSkip(t, "no PostgreSQL cluster: %v", err)
	}
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })
	admin := connect(t, cluster.URL("postgres"))
	if _, err := admin.Exec(ctx, `CREATE DATABASE plenary`); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	dbURL := cluster.URL("plenary")
	bin := build(t, root)
	base := serveWith(t, bin, map[string]string{"DATABASE_URL": dbURL, "DB_MAX_CONNS": "10"})

	// Delegates of the Sector Member, signed in before the load (with a cheap hash: the sign-in is
	// not what is tried here).
	const n = 150
	setup, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := pgtest.Hash(demoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Exec(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
		SELECT 'restart.' || i || '@example.test', $1, 'Delegate', 'Number ' || i, 'not_stated', o.id
		FROM generate_series(1, $2::int) AS i, organisations o WHERE o.name = 'Example Networks Ltd.'`, hash, n); err != nil {
		t.Fatal(err)
	}
	_, slug := demoMeeting(t, setup)
	setup.Close(ctx)
	delegates := make([]*client, n)
	for i := range delegates {
		delegates[i] = newClient(t, base)
		delegates[i].login(fmt.Sprintf("restart.%d@example.test", i+1), demoPassword)
	}

	// The probes run until the end; the registrations until every delegate is through.
	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	// Visitors read the meeting page, about 100 times a second.
	var page, pageDuringOutage probeCounts
	var outage atomic.Bool
	visitor := newClient(t, base)
	visitor.must(http.MethodGet, "/meetings/"+slug, nil, http.StatusOK)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for probeCtx.Err() == nil {
			a, err := visitor.do(http.MethodGet, "/meetings/"+slug, nil)
			page.add(a.status, err)
			if outage.Load() {
				pageDuringOutage.add(a.status, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	// /readyz, every 20 ms: when it first answers 200 after the restart.
	var back atomic.Int64 // when the database was back (Unix ns), 0 before
	var readyAgain atomic.Int64
	var readyz probeCounts
	wg.Add(1)
	go func() {
		defer wg.Done()
		probe := newClient(t, base)
		for probeCtx.Err() == nil {
			a, err := probe.do(http.MethodGet, "/readyz", nil)
			readyz.add(a.status, err)
			if err == nil && a.status == http.StatusOK && back.Load() != 0 {
				readyAgain.CompareAndSwap(0, time.Now().UnixNano())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// Registrations, one every 40 ms from 6 delegates at a time, each delegate's tried again until
	// it goes through: about 6 s of load, with the outage in the middle.
	pace := time.NewTicker(40 * time.Millisecond)
	defer pace.Stop()
	var answers probeCounts
	confirmed := make([]atomic.Int64, n) // the registration's id once the portal confirmed it
	todo := make(chan int, n)
	for i := range n {
		todo <- i
	}
	var left atomic.Int64
	left.Store(n)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var i int
				select {
				case <-loadCtx.Done():
					return
				case i = <-todo:
				}
				select {
				case <-loadCtx.Done():
					return
				case <-pace.C:
				}
				a, err := delegates[i].do(http.MethodPost, "/meetings/"+slug+"/register", url.Values{"mode": {"remote"}})
				answers.add(a.status, err)
				if id, ok := regID(a.location); err == nil && a.status == http.StatusSeeOther && ok {
					confirmed[i].Store(id)
					if left.Add(-1) == 0 {
						stopLoad()
					}
					continue
				}
				// Not confirmed (the database is away, or was when this was tried): again later. A
				// registration already made answers otherwise than 303, and is found below.
				if err == nil && a.status != http.StatusServiceUnavailable && a.status < 500 {
					if left.Add(-1) == 0 {
						stopLoad()
					}
					continue
				}
				time.Sleep(100 * time.Millisecond)
				todo <- i
			}
		}()
	}

	time.Sleep(1500 * time.Millisecond) // some registrations before the outage
	outage.Store(true)
	if err := cluster.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	time.Sleep(5 * time.Second)
	restarted, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fast: true, Port: cluster.Port})
	if err != nil {
		t.Fatal(err)
	}
	cluster = restarted
	back.Store(time.Now().UnixNano())
	outage.Store(false)
	waitUntil(t, "/readyz to answer 200 after the restart", 60*time.Second, func() bool { return readyAgain.Load() != 0 })
	select {
	case <-loadCtx.Done():
	case <-time.After(90 * time.Second):
		t.Errorf("%d registrations still not through 90 s after the restart", left.Load())
		stopLoad()
	}
	stopProbes()
	wg.Wait()

	ready := time.Duration(readyAgain.Load() - back.Load())
	t.Logf("outage %v; /readyz 200 again %v after the database was back (target 5 s)", time.Unix(0, back.Load()).Sub(down).Round(time.Millisecond), ready.Round(time.Millisecond))
	t.Logf("meeting page: %v in all, %v during the outage; registrations: %v; /readyz: %v", page.snapshot(), pageDuringOutage.snapshot(), answers.snapshot(), readyz.snapshot())
	if ready > 5*time.Second {
		t.Errorf("/readyz answered 200 %v after the database was back, want within 5 s", ready)
	}
	for status, count := range page.snapshot() {
		if status != "200" {
			t.Errorf("the meeting page answered %s %d times, want 200 every time", status, count)
		}
	}
	if pageDuringOutage.snapshot()["200"] < 100 {
		t.Errorf("only %d probes of the meeting page during the outage", pageDuringOutage.snapshot()["200"])
	}
	for status, count := range answers.snapshot() {
		if status == "error" || (status >= "500" && status != "503") {
			t.Errorf("registrations answered %s %d times", status, count)
		}
	}
	conn := connect(t, dbURL)
	var registered int
	inDB := map[int64]bool{}
	rows, _ := conn.Query(ctx, `SELECT r.id FROM registrations r JOIN accounts a ON a.id = r.account_id
		JOIN meetings m ON m.id = r.meeting_id WHERE m.slug = $1 AND a.email LIKE 'restart.%'`, slug)
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { inDB[id] = true; registered++; return nil }); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for i := range confirmed {
		if id := confirmed[i].Load(); id != 0 && !inDB[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d registrations confirmed by the portal are not in the database", lost)
	}
	if registered != n {
		t.Errorf("%d of %d delegates registered in the end", registered, n)
	}
}
