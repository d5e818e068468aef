package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/domain"
	"plenary/internal/postgres"
	"plenary/internal/seed"
)

// The registration scenarios:
//
//  1. Delegates submitting the registration form, signed in, at the peak rate (closed loop, Env.Conns
//     connections) against a baseline of one plain pgx INSERT per request, then paced at half that
//     rate (open loop) for the latency.
//  2. A focal point approving 1,000 pending registrations in one action ("approve all pending").
//  3. The focal point's and the secretariat's lists and exports with 10,000 registrations.
//
// Data is written with SQL through Env.Pool, accounts included (with the demo accounts' password
// hash); every sign-in goes through /login.

// The submit benchmark needs a fresh (account, meeting) pair for every POST: a delegate registers
// once per meeting, and a second POST for the same pair is a 409. Signing in costs an argon2id
// verification (64 MiB, t=3), so thousands of accounts cannot each be signed in; meetings, on the
// other hand, are only rows. So each connection owns regDelegatesPerConn signed-in delegates of the
// Sector Member organisation and walks through copies of the demo meeting (bench-reg-000, -001, …,
// made like the secretariat's "copy meeting", sessions and agenda included): its request p
// registers delegate p mod K for meeting p div K. All connections move through the meetings at
// about the same pace, so each meeting gets a burst of registrations from many delegates at once,
// as a real registration opening does. Nothing is reused, so every POST does the whole work: the
// session, the cross-origin check (Origin and Sec-Fetch-Site: same-origin, as a browser sends),
// the form's validation, the transaction with the registration, its audit event and its mail (to
// the delegate and to the focal point), then the 303 to /me. Enough meetings are made before each
// run: for the peak, three times the rate of a one-second calibration run (capped by the
// baseline's rate); a connection that still runs out counts errors.
const regDelegatesPerConn = 2

// The list scenarios' population: 10,000 accounts, 7 in 10 of them in the Sector Member
// organisation whose focal point is focal.sm, the others spread over the other demo organisations.
const (
	populationSize = 10000
	listSmall      = 1000 // registrations of the first look at the query count
)

const (
	benchRegPrefix = "bench-reg-"
	approveSlug    = "bench-approve"
	listsSlug      = "bench-lists"
	sectorMember   = "Example Networks Ltd."
	focalSMEmail   = "focal.sm@plenary.test"
	secEmail       = "secretariat@plenary.test"
)

// regBench is what the registration scenarios share: demo ids, accounts and sessions made once,
// and figures one scenario hands to the next.
type regBench struct {
	mu sync.Mutex

	loaded      bool
	hash        string           // the demo accounts' password hash
	orgs        map[string]int64 // demo organisations by name
	focalSM     int64
	secretariat int64
	demoMeeting int64 // the future demo meeting, copied for the bench's meetings
	demoSlug    string

	// Scenario 1.
	delegates   []*Session // Conns × regDelegatesPerConn
	meetings    int        // bench-reg-000 … made so far
	used        []int      // per connection, pairs used so far
	exhausted   atomic.Bool
	baselineRPS float64
	peak        float64
	baseline    *Load // the baseline's requests, for the rounds alternating with the peak's

	// Scenarios 2 and 3.
	people []int64 // population account ids, in order
	lists  *listFixture
}

func (b *regBench) demo(ctx context.Context, e *Env) (*pgxpool.Pool, error) {
	pool, err := e.Pool(ctx)
	if err != nil || b.loaded {
		return pool, err
	}
	b.orgs = map[string]int64{}
	rows, _ := pool.Query(ctx, `SELECT name, id FROM organisations`)
	var name string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error { b.orgs[name] = id; return nil }); err != nil {
		return nil, fmt.Errorf("demo organisations: %w", err)
	}
	if b.orgs[sectorMember] == 0 {
		return nil, fmt.Errorf("demo organisation %q not found", sectorMember)
	}
	err = pool.QueryRow(ctx, `SELECT
			(SELECT id FROM accounts WHERE email = $1), (SELECT id FROM accounts WHERE email = $2),
			(SELECT password_hash FROM accounts WHERE email = $1)`, focalSMEmail, secEmail).Scan(&b.focalSM, &b.secretariat, &b.hash)
	if err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	// The future demo meeting with registration open (as the seed picks it).
	err = pool.QueryRow(ctx, `SELECT id, slug FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> $1 AND first_day > current_date + 40
		ORDER BY first_day LIMIT 1`, seedMeeting).Scan(&b.demoMeeting, &b.demoSlug)
	if err != nil {
		return nil, fmt.Errorf("the future demo meeting: %w", err)
	}
	b.loaded = true
	return pool, nil
}

// copyMeetings makes copies of the demo meeting named slugs, in one transaction.
func (b *regBench) copyMeetings(ctx context.Context, pool *pgxpool.Pool, slugs ...string) ([]int64, error) {
	var first time.Time
	if err := pool.QueryRow(ctx, `SELECT first_day FROM meetings WHERE id = $1`, b.demoMeeting).Scan(&first); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(slugs))
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, s := range slugs {
			// A copy needs a title no other meeting has, and is a draft: published here at once,
			// since registration opens on publication.
			id, err := postgres.CopyMeetingAs(ctx, tx, postgres.Audit{}, b.demoMeeting,
				postgres.CopySpec{Slug: s, FirstDay: first, Title: domain.Text{"en": "Benchmark meeting " + s}})
			if err != nil {
				return fmt.Errorf("copy meeting %s: %w", s, err)
			}
			ids = append(ids, id)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET state = 'published', published_at = now() WHERE id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("publish the copies: %w", err)
		}
		return nil
	})
	return ids, err
}

// dropMeetings deletes the bench's meetings whose slug matches the LIKE pattern, with their
// registrations (ON DELETE CASCADE) and their mail (the outbox is a log, without foreign keys).
func dropMeetings(ctx context.Context, pool *pgxpool.Pool, like string) (int64, error) {
	tag, err := pool.Exec(ctx, `WITH m AS (
			DELETE FROM mail_outbox WHERE registration_id IN
				(SELECT r.id FROM registrations r JOIN meetings m ON m.id = r.meeting_id WHERE m.slug LIKE $1)
		)
		DELETE FROM meetings WHERE slug LIKE $1`, like)
	return tag.RowsAffected(), err
}

// ---- 1. Registration submit ----------------------------------------------------------------

func regSlug(j int) string { return fmt.Sprintf("%s%03d", benchRegPrefix, j) }

// signInDelegates creates the delegates of scenario 1 and signs each in through /login.
func (b *regBench) signInDelegates(ctx context.Context, e *Env) error {
	pool, err := b.demo(ctx, e)
	if err != nil {
		return err
	}
	n := e.Conns * regDelegatesPerConn
	if len(b.delegates) >= n {
		return nil
	}
	_, err = pool.Exec(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id)
		SELECT format('bench.delegate.%s@plenary.test', lpad(i::text, 4, '0')), $1, 'Delegate', format('Bench %s', i),
			(ARRAY['female','male','not_stated'])[1 + i % 3], $2
		FROM generate_series(0, $3 - 1) i
		ON CONFLICT (lower(email)) DO NOTHING`, b.hash, b.orgs[sectorMember], n)
	if err != nil {
		return fmt.Errorf("delegate accounts: %w", err)
	}
	start := time.Now()
	sessions := make([]*Session, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			sessions[i], errs[i] = e.Login(ctx, fmt.Sprintf("bench.delegate.%04d@plenary.test", i), seed.DemoPassword)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	e.log("signed in %d delegates through /login in %.1f s", n, time.Since(start).Seconds())
	b.delegates = sessions
	b.used = make([]int, e.Conns)
	return nil
}

// provision makes sure every connection has perConn unused (account, meeting) pairs left.
func (b *regBench) provision(ctx context.Context, e *Env, perConn int) error {
	pool, err := b.demo(ctx, e)
	if err != nil {
		return err
	}
	most := 0
	for _, u := range b.used {
		most = max(most, u)
	}
	need := (most + perConn + regDelegatesPerConn - 1) / regDelegatesPerConn
	if need <= b.meetings {
		return nil
	}
	slugs := make([]string, 0, need-b.meetings)
	for j := b.meetings; j < need; j++ {
		slugs = append(slugs, regSlug(j))
	}
	start := time.Now()
	if _, err := b.copyMeetings(ctx, pool, slugs...); err != nil {
		return err
	}
	e.log("copied the demo meeting %d times (%s…) in %.1f s", len(slugs), slugs[0], time.Since(start).Seconds())
	b.meetings = need
	return nil
}

// pairsFor is how many pairs a connection may use in a run of rate requests per second.
func pairsFor(e *Env, rate float64) int {
	// Connections are not all equally fast: a margin of half again.
	return int(rate*e.sendTime().Seconds()/float64(e.Conns)*1.5) + 20
}

// registerLoad is the registration POST of every connection, sent to addr. With consume the
// pairs it uses are marked used; without (the baseline) it sends the same requests without
// using any.
func (b *regBench) registerLoad(e *Env, addr string, consume bool) *Load {
	return &Load{
		Addr:     addr,
		Expect:   http.StatusSeeOther,
		Location: "/me#reg-",
		Request: func(ctx context.Context, conn int) (Request, error) {
			base := 0
			if consume {
				base = b.used[conn]
			}
			cookies := make([]string, regDelegatesPerConn)
			for k := range cookies {
				cookies[k] = b.delegates[conn*regDelegatesPerConn+k].Cookie()
			}
			return Request{
				Method: http.MethodPost,
				Header: http.Header{
					"Content-Type":   {"application/x-www-form-urlencoded"},
					"Origin":         {e.AppURL},
					"Sec-Fetch-Site": {"same-origin"},
				},
				// Request n of the connection is its pair base+n: delegate p mod K, meeting p div K.
				Each: func(n int) (string, string) {
					p := base + n
					if consume {
						b.used[conn] = p + 1 // only this connection's goroutine writes it
						if p/regDelegatesPerConn >= b.meetings {
							b.exhausted.Store(true) // a 404: no such meeting
						}
					}
					return "/meetings/" + regSlug(p/regDelegatesPerConn) + "/register", cookies[p%regDelegatesPerConn]
				},
				Body: func(n int) []byte { return registerForm(base + n) },
			}, nil
		},
	}
}

// registerForm is the form a delegate of a Sector Member sends (no function/title: Member States
// only): in person or remote, most consenting to the list of participants, some with an
// accessibility need.
func registerForm(p int) []byte {
	v := url.Values{"mode": {"in_person"}}
	if p%3 == 0 {
		v.Set("mode", "remote")
	}
	if p%5 != 0 {
		v.Set("list_consent", "on")
	}
	if p%10 == 7 {
		v.Set("accessibility", "Wheelchair access to the meeting rooms, please.")
	}
	return []byte(v.Encode())
}

// baselineInsertSQL is the statement of the registration's baseline.
const baselineInsertSQL = `INSERT INTO bench_rows (at) VALUES (now())`

func (b *regBench) baselineInsert() Scenario {
	return Scenario{
		Name: "baseline: one pgx INSERT per POST",
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if err := b.signInDelegates(ctx, e); err != nil {
				return nil, err
			}
			pool, _ := e.Pool(ctx)
			if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, at timestamptz NOT NULL)`); err != nil {
				return nil, err
			}
			addr, err := e.PoolBaseline(ctx, func(ctx context.Context, p *pgxpool.Pool, r *http.Request) error {
				_, err := p.Exec(ctx, baselineInsertSQL)
				return err
			})
			if err != nil {
				return nil, err
			}
			// The same requests as the registrations' (a 303 to /me#reg- instead of 200 "ok").
			l := b.registerLoad(e, addr, false)
			l.Expect, l.Location = http.StatusOK, ""
			b.baseline = l
			c0 := e.sampleCPU()
			res, err := RunLoad(ctx, l, e.Conns, e.Warmup, e.Duration)
			if err == nil {
				b.baselineRPS = res.RPS()
				res.note("the same POSTs as the registrations (path, cookie, form); the handler does one autocommit INSERT into a scratch table")
				res.note("CPU per request (about): %s", cpuPerRequest(c0, e.sampleCPU(), res.RPS()*(e.Warmup+e.Duration).Seconds()))
			}
			return res, err
		},
	}
}

// regCheck counts what the registrations made after id after stored, and fails res when a
// registration lacks its audit event or its mail.
func (b *regBench) regCheck(ctx context.Context, pool *pgxpool.Pool, after int64, sent int, res *Result) error {
	if b.exhausted.Swap(false) {
		res.failf("a connection ran out of (delegate, meeting) pairs: the bench made too few meeting copies")
	}
	var regs, audits, mails int
	err := pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM registrations WHERE id > $1),
			(SELECT count(*) FROM audit_events WHERE entity = 'registration' AND action = 'registration.submit' AND entity_id > $1),
			(SELECT count(*) FROM mail_outbox WHERE registration_id > $1)`, after).Scan(&regs, &audits, &mails)
	if err != nil {
		return err
	}
	res.note("stored %d registrations for %d POSTs sent (warm-up included), with %d audit events and %d mails (delegate and focal point)",
		regs, sent, audits, mails)
	if audits != regs || mails != 2*regs {
		res.failf("%d registrations but %d audit events and %d mails (want one and two each)", regs, audits, mails)
	}
	return nil
}

// mailDrained waits up to wait for the mail of the registrations after id after to be written
// by the worker, and says whether it was.
func mailDrained(ctx context.Context, pool *pgxpool.Pool, after int64, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		queued, err := queuedMail(ctx, pool, after)
		if err != nil || queued == 0 {
			return err == nil, err
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// queuedMail counts the mail of the registrations after id after that the worker has not written.
func queuedMail(ctx context.Context, pool *pgxpool.Pool, after int64) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE state = 'queued' AND registration_id > $1`, after).Scan(&n)
	return n, err
}

func maxRegistrationID(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var id int64
	err := pool.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM registrations`).Scan(&id)
	return id, err
}

func (b *regBench) sent(before []int) int {
	n := 0
	for i, u := range b.used {
		n += u - before[i]
	}
	return n
}

const registerPath = "POST /meetings/{slug}/register"

func (b *regBench) registerPeak(base string) Scenario {
	return Scenario{
		Name:     registerPath + " (peak)",
		Baseline: base,
		Targets:  Targets{MinRatio: 0.50},
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if err := b.signInDelegates(ctx, e); err != nil {
				return nil, err
			}
			// Enough pairs for a one-second calibration run at the baseline's rate (no
			// registration is faster than one plain INSERT), then for the measured run at three
			// times the calibration's rate.
			ceiling := b.baselineRPS
			if ceiling == 0 {
				ceiling = 3000
			}
			if err := b.provision(ctx, e, int(ceiling/float64(e.Conns)*1.5)+20); err != nil {
				return nil, err
			}
			cal, err := RunLoad(ctx, b.registerLoad(e, e.AppAddr, true), e.Conns, 0, time.Second)
			if err != nil {
				return nil, err
			}
			if err := b.provision(ctx, e, pairsFor(e, min(ceiling, 3*cal.RPS()))+1); err != nil {
				return nil, err
			}
			pool, _ := e.Pool(ctx)
			if err := e.Settle(ctx); err != nil {
				return nil, err
			}
			// One registration alone first, to count its statements.
			stmts, err := e.CaptureStatements(ctx, func() error { return b.registerOnce(ctx, e, 0) })
			if err != nil {
				return nil, err
			}
			after, err := maxRegistrationID(ctx, pool)
			if err != nil {
				return nil, err
			}
			if b.baseline == nil {
				return nil, errors.New("the baseline was not measured")
			}
			before := append([]int(nil), b.used...)
			if err := e.ResetStatements(ctx); err != nil {
				return nil, err
			}
			stop := e.SampleWaits(ctx)
			res, err := e.RunInterleaved(ctx, b.baseline, b.registerLoad(e, e.AppAddr, true))
			waits := stop()
			if err != nil {
				return res, err
			}
			roundsEnd := time.Now()
			// The worker may fall behind during a round and catch up during the next baseline's.
			backlog, err := queuedMail(ctx, pool, after)
			if err != nil {
				return res, err
			}
			b.peak = res.RPS()
			res.note("calibration: %.0f rps for 1 s before (not measured)", cal.RPS())
			res.note("closed loop: %d connections, each POST a new (delegate, meeting) pair: %d signed-in delegates × %d meeting copies",
				e.Conns, len(b.delegates), b.meetings)
			res.note("one registration alone: %s", describeStatements(stmts))
			res.note("the binary's database connections meanwhile, baseline rounds included (pg_stat_activity): %s", strings.Join(waits, ", "))
			res.note("CPU per registration: %s", res.CPU.perRequest(float64(b.sent(before))))
			if err := b.regCheck(ctx, pool, after, b.sent(before), res); err != nil {
				return res, err
			}
			// The log of a registration includes its mail's: claimed, written and recorded by
			// the worker, which is still at it after a peak.
			drained, err := mailDrained(ctx, pool, after, 3*time.Minute)
			if err != nil {
				return res, err
			}
			if drained {
				res.note("mail still queued when the last round ended: %d, all written by the worker within %s after",
					backlog, time.Since(roundsEnd).Round(100*time.Millisecond))
				res.note("PostgreSQL's write-ahead log per registration, its mail's included (pg_stat_wal, about): %s",
					e.walPerRequest(ctx, res, float64(b.sent(before))))
				stats, ok, err := e.Statements(ctx)
				if err != nil {
					return res, err
				}
				if ok {
					res.note("PostgreSQL's time per registration by statement of the binary, its mail's included (pg_stat_statements; execution only, not the commits' flush; foreign-key checks and triggers in theirs): %s",
						describeStatementTime(stats, float64(b.sent(before)), 6))
					if t := benchStatementTime(stats, baselineInsertSQL); t != "" {
						res.note("the baseline's statement: %s", t)
					}
				}
				if e.SMTP != nil {
					res.note("mail sent over SMTP (the bench's server) since the start: %d messages over %d connections",
						e.SMTP.messages.Load(), e.SMTP.connections.Load())
				}
			} else {
				res.note("mail still queued when the last round ended: %d, some of it still 3 minutes after", backlog)
				res.note("PostgreSQL's write-ahead log per registration: not known (mail still queued)")
			}
			return res, nil
		},
	}
}

// registerOnce registers with connection conn's next pair through an ordinary HTTP client.
func (b *regBench) registerOnce(ctx context.Context, e *Env, conn int) error {
	p := b.used[conn]
	b.used[conn]++
	s := b.delegates[conn*regDelegatesPerConn+p%regDelegatesPerConn]
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/meetings/"+regSlug(p/regDelegatesPerConn)+"/register",
		bytes.NewReader(registerForm(p)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.AppURL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, body, err := s.Send(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/me#reg-") {
		return fmt.Errorf("registration: status %d, location %q: %s", resp.StatusCode, resp.Header.Get("Location"), firstLine(body))
	}
	return nil
}

func (b *regBench) registerPaced(peak string) Scenario {
	return Scenario{
		Name: registerPath + " (paced at 50% of peak)",
		// The "vs baseline" column shows the rate achieved as a share of the peak.
		Baseline: peak,
		Targets:  Targets{MaxP99: 100 * time.Millisecond},
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.peak == 0 {
				return nil, errors.New("no peak rate measured")
			}
			rate := b.peak / 2
			if err := b.provision(ctx, e, pairsFor(e, rate)); err != nil {
				return nil, err
			}
			pool, _ := e.Pool(ctx)
			// The peak run waits up to 3 minutes for the mail worker to catch up; a backlog it
			// left (two mails per registration) would still be draining during this run, which
			// is about steady state at half the peak, so it is dropped. This run's own mail is
			// queued and sent meanwhile.
			tag, err := pool.Exec(ctx, `DELETE FROM mail_outbox WHERE state = 'queued' AND registration_id IN
				(SELECT r.id FROM registrations r JOIN meetings m ON m.id = r.meeting_id WHERE m.slug LIKE $1)`, benchRegPrefix+"%")
			if err != nil {
				return nil, err
			}
			if err := e.Settle(ctx); err != nil {
				return nil, err
			}
			after, err := maxRegistrationID(ctx, pool)
			if err != nil {
				return nil, err
			}
			before := append([]int(nil), b.used...)
			stop := e.SampleWaits(ctx)
			res, err := RunPaced(ctx, b.registerLoad(e, e.AppAddr, true), e.Conns, rate, e.Warmup, e.Duration)
			waits := stop()
			if err != nil {
				return res, err
			}
			res.note("'vs baseline' is the rate achieved as a share of the peak's")
			res.note("the binary's database connections meanwhile (pg_stat_activity): %s", strings.Join(waits, ", "))
			res.note("open loop, latency from each request's scheduled time; the peak run's %d unsent mails were dropped before", tag.RowsAffected())
			if err := b.regCheck(ctx, pool, after, b.sent(before), res); err != nil {
				return res, err
			}
			// The lists that follow must see only their own registrations.
			if _, err := dropMeetings(ctx, pool, benchRegPrefix+"%"); err != nil {
				return res, err
			}
			b.meetings = 0
			for i := range b.used {
				b.used[i] = 0
			}
			return res, e.Settle(ctx)
		},
	}
}

// describeStatements summarises captured statements: how many, how many transactions, their
// total time.
func describeStatements(stmts []Statement) string {
	var total time.Duration
	tx := 0
	for _, s := range stmts {
		total += s.Duration
		if strings.EqualFold(s.SQL, "begin") || strings.HasPrefix(strings.ToLower(s.SQL), "begin ") {
			tx++
		}
	}
	if tx == 0 {
		return fmt.Sprintf("%d SQL statements, each on its own (no transaction), %s in PostgreSQL", len(stmts), fmtDur(total))
	}
	return fmt.Sprintf("%d SQL statements (%d in %d transaction(s) counting BEGIN and COMMIT, %d on their own), %s in PostgreSQL",
		len(stmts), len(stmts)-autocommitCount(stmts), tx, autocommitCount(stmts), fmtDur(total))
}

// autocommitCount counts the statements run outside BEGIN … COMMIT.
func autocommitCount(stmts []Statement) int {
	n, in := 0, false
	for _, s := range stmts {
		q := strings.ToLower(s.SQL)
		switch {
		case q == "begin" || strings.HasPrefix(q, "begin "):
			in = true
		case q == "commit" || q == "rollback":
			in = false
		case !in:
			n++
		}
	}
	return n
}

// statementDiff lists the statements of a missing from b ("-") and of b missing from a ("+").
func statementDiff(a, b []Statement) []string {
	count := map[string]int{}
	for _, s := range a {
		count[s.SQL]++
	}
	for _, s := range b {
		count[s.SQL]--
	}
	var out []string
	for q, n := range count {
		sign := "+"
		if n > 0 {
			sign = "-"
		}
		if len(q) > 150 {
			q = q[:150] + "…"
		}
		for range max(n, -n) {
			out = append(out, sign+" "+q)
		}
	}
	sort.Strings(out)
	return out
}

// slowest lists the n slowest statements.
func slowest(stmts []Statement, n int) []string {
	s := append([]Statement(nil), stmts...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Duration > s[j].Duration })
	var out []string
	for i := 0; i < n && i < len(s); i++ {
		q := s[i].SQL
		if len(q) > 150 {
			q = q[:150] + "…"
		}
		out = append(out, fmt.Sprintf("%s  %s", fmtDur(s[i].Duration), q))
	}
	return out
}

// ---- Population (scenarios 2 and 3) --------------------------------------------------------

var (
	givenNames  = []string{"Anna", "Wei", "José", "Fatima", "Olga", "Kenji", "Amara", "Lukas", "Sofia", "Mohammed", "Aino", "Pierre", "Yuki", "Carlos", "Ingrid", "Ravi", "Elena", "Tariq", "Mei", "Jonas", "Nadia", "Ibrahim", "Zoë", "Hiroshi"}
	familyNames = []string{"Müller", "Zhang", "Wang", "García", "Nguyen", "Virtanen", "Kowalski", "Okafor", "Dubois", "Rossi", "Tanaka", "Silva", "Haddad", "Ivanova", "Smith", "Kim", "Andersson", "Novák", "Fernández", "Liu", "O'Brien", "Núñez", "Schmidt", "Chen", "Petrov", "Mensah", "Yilmaz", "Costa", "Larsen", "Sato", "Ali"}
)

// population creates the 10,000 accounts of scenarios 2 and 3 (once).
func (b *regBench) population(ctx context.Context, e *Env) error {
	pool, err := b.demo(ctx, e)
	if err != nil {
		return err
	}
	if len(b.people) == populationSize {
		return nil
	}
	// Account i: 7 in 10 in the Sector Member organisation, 1 in China, 1 in Switzerland, 1 in one
	// of the other three, so that any prefix of the population has the same mix.
	others := []int64{b.orgs["State of Palestine"], b.orgs["Université de Genève"], b.orgs["Example Associate Labs"]}
	for _, o := range append(others, b.orgs["China (People's Republic of)"], b.orgs["Switzerland (Confederation of)"]) {
		if o == 0 {
			return errors.New("a demo organisation is missing")
		}
	}
	start := time.Now()
	_, err = pool.Exec(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id, language)
		SELECT format('bench.person.%s@plenary.test', lpad(i::text, 5, '0')), $1,
			($2::text[])[1 + i % cardinality($2::text[])], ($3::text[])[1 + (i / 5) % cardinality($3::text[])],
			(ARRAY['female','male','not_stated'])[1 + (i / 2) % 3],
			CASE WHEN i % 10 < 7 THEN $4 WHEN i % 10 = 7 THEN $5 WHEN i % 10 = 8 THEN $6
				ELSE ($7::bigint[])[1 + (i / 10) % 3] END,
			CASE WHEN i % 10 = 7 THEN 'zh' ELSE 'en' END
		FROM generate_series(0, $8 - 1) i
		ON CONFLICT (lower(email)) DO NOTHING`,
		b.hash, givenNames, familyNames, b.orgs[sectorMember], b.orgs["China (People's Republic of)"],
		b.orgs["Switzerland (Confederation of)"], others, populationSize)
	if err != nil {
		return fmt.Errorf("population: %w", err)
	}
	rows, _ := pool.Query(ctx, `SELECT id FROM accounts WHERE email LIKE 'bench.person.%' ORDER BY email`)
	if b.people, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	if len(b.people) != populationSize {
		return fmt.Errorf("population: %d accounts", len(b.people))
	}
	e.log("created %d accounts in %.1f s", populationSize, time.Since(start).Seconds())
	return nil
}

// sectorMemberPeople is the population's accounts of the Sector Member organisation.
func (b *regBench) sectorMemberPeople() []int64 {
	var out []int64
	for i, id := range b.people {
		if i%10 < 7 {
			out = append(out, id)
		}
	}
	return out
}

// insertRegistrations registers accounts (population indexes from lo) for a meeting: with
// pending, they are all pending; otherwise 4 in 10 pending, 4 approved, 1 rejected, 1 cancelled
// (in every organisation: the state does not follow the organisation's index pattern).
func (b *regBench) insertRegistrations(ctx context.Context, pool *pgxpool.Pool, meeting int64, accounts []int64, lo int, pending bool) error {
	_, err := pool.Exec(ctx, `INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, function_title,
			list_consent, accessibility, state, decided_by, decided_at, reason, created_at, updated_at)
		SELECT $1, a.id, a.organisation_id,
			CASE WHEN n % 3 = 0 THEN 'remote' ELSE 'in_person' END,
			CASE WHEN o.kind = 'member_state' THEN 'Counsellor' ELSE '' END,
			n % 5 <> 0,
			CASE WHEN n % 50 = 7 THEN 'Wheelchair access' ELSE '' END,
			s.state,
			CASE WHEN s.state IN ('approved','rejected') THEN $4::bigint END,
			CASE WHEN s.state IN ('approved','rejected') THEN now() - (n % 100) * interval '1 hour' END,
			CASE WHEN s.state = 'rejected' THEN 'Not part of the delegation' ELSE '' END,
			now() - interval '1 hour' - (n % 600) * interval '1 hour', now() - interval '1 hour' - (n % 100) * interval '1 hour'
		FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, k)
		CROSS JOIN LATERAL (SELECT (u.k - 1 + $3)::int AS n) AS x
		JOIN accounts a ON a.id = u.id
		JOIN organisations o ON o.id = a.organisation_id
		CROSS JOIN LATERAL (SELECT CASE WHEN $5 THEN 'pending' ELSE
			(ARRAY['pending','pending','pending','pending','approved','approved','approved','approved','rejected','cancelled'])[1 + (n + n / 10) % 10] END AS state) AS s`,
		meeting, accounts, lo, b.secretariat, pending)
	if err != nil {
		return fmt.Errorf("insert registrations: %w", err)
	}
	return nil
}

// ---- 2. A focal point approving 1,000 pending registrations --------------------------------

const approveCount = 1000

var (
	approveAllForm = regexp.MustCompile(`(?s)<form[^>]*data-testid="approve-all-form"[^>]*>(.*?)</form>`)
	hiddenInput    = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

func (b *regBench) approveAll() Scenario {
	return Scenario{
		Name:    fmt.Sprintf("POST /focal/decide approve_all (%s pending)", thousands(approveCount)),
		Targets: Targets{MaxLatency: 2 * time.Second},
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			pool, err := b.demo(ctx, e)
			if err != nil {
				return nil, err
			}
			if err := b.population(ctx, e); err != nil {
				return nil, err
			}
			if _, err := dropMeetings(ctx, pool, approveSlug); err != nil {
				return nil, err
			}
			ids, err := b.copyMeetings(ctx, pool, approveSlug)
			if err != nil {
				return nil, err
			}
			meeting := ids[0]
			if err := b.insertRegistrations(ctx, pool, meeting, b.sectorMemberPeople()[:approveCount], 0, true); err != nil {
				return nil, err
			}
			if err := e.Settle(ctx); err != nil {
				return nil, err
			}
			fp, err := e.Login(ctx, focalSMEmail, seed.DemoPassword)
			if err != nil {
				return nil, err
			}
			// The focal point opens the meeting's pending registrations, presses "approve all", and
			// confirms on the page that names them: the form's fields are that page's.
			filter := "?meeting=" + strconv.FormatInt(meeting, 10) + "&state=pending"
			list := "/focal" + filter
			status, _, err := fp.Get(ctx, list)
			if err != nil || status != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %d %v", list, status, err)
			}
			question := "/focal/approve-all" + filter
			status, page, err := fp.Get(ctx, question)
			if err != nil || status != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %d %v", question, status, err)
			}
			m := approveAllForm.FindSubmatch(page)
			if m == nil {
				return nil, fmt.Errorf("GET %s: no approve-all form", question)
			}
			form := url.Values{}
			for _, in := range hiddenInput.FindAllSubmatch(m[1], -1) {
				form.Set(string(in[1]), html.UnescapeString(string(in[2])))
			}
			if form.Get("action") != "approve_all" || form.Get("as_of") == "" || form.Get("confirm") != "yes" {
				return nil, fmt.Errorf("approve-all form: unexpected fields %v", form)
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/focal/decide", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", e.AppURL)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			t0 := time.Now()
			resp, body, err := fp.Send(req)
			took := time.Since(t0)
			if err != nil {
				return nil, err
			}
			// What the mail outbox holds the moment the response is in.
			states := map[string]int{}
			rows, _ := pool.Query(ctx, `SELECT o.state, count(*) FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id
				WHERE r.meeting_id = $1 AND o.kind = $2 GROUP BY o.state`, meeting, postgres.MailRegistrationApproved)
			var st string
			var n int
			if _, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error { states[st] = n; return nil }); err != nil {
				return nil, err
			}
			res := &Result{Responses: 1, Latencies: []time.Duration{took}, BodyBytes: len(body)}
			if resp.StatusCode != http.StatusSeeOther {
				res.Errors, res.FirstErr = 1, fmt.Sprintf("status %d, want 303: %s", resp.StatusCode, firstLine(body))
			}
			var approved, audits, mails, sent int
			err = pool.QueryRow(ctx, `SELECT
					(SELECT count(*) FROM registrations WHERE meeting_id = $1 AND state = 'approved' AND decided_by = $2),
					(SELECT count(*) FROM audit_events e JOIN registrations r ON r.id = e.entity_id
						WHERE e.entity = 'registration' AND e.action = 'registration.approve' AND r.meeting_id = $1),
					(SELECT count(*) FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.meeting_id = $1 AND o.kind = $3),
					(SELECT count(*) FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.meeting_id = $1 AND (o.state = 'sent' OR o.sent_at IS NOT NULL))`,
				meeting, b.focalSM, postgres.MailRegistrationApproved).Scan(&approved, &audits, &mails, &sent)
			if err != nil {
				return nil, err
			}
			res.note("one POST of the approve-all question's form (meeting and state filter, as_of of the question): %s, %d approved, %d audit events, %d approval mails",
				fmtDur(took), approved, audits, mails)
			res.note("mail at the response: %d queued, %d kept, %d sent (no SMTP server configured: the worker keeps mail in the portal)",
				states["queued"], states["kept"], sent)
			if approved != approveCount || audits != approveCount || mails != approveCount {
				res.failf("%d approved, %d audit events, %d mails; want %d each", approved, audits, mails, approveCount)
			}
			if sent > 0 || states["queued"]+states["kept"] != mails {
				res.failf("mail not simply queued: %v, %d sent", states, sent)
			}
			// Mail is written when it is queued; with no SMTP server it is kept at once, in the
			// action's transaction. What is left queued is the worker's: let it finish before
			// the next scenario, and say how long it took.
			if states["queued"] == 0 {
				res.note("each mail was written and kept in the action's own transaction: nothing was left for the worker")
			}
			start := time.Now()
			for states["queued"] > 0 {
				var queued int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id
					WHERE r.meeting_id = $1 AND o.state = 'queued'`, meeting).Scan(&queued); err != nil {
					return nil, err
				}
				if queued == 0 {
					res.note("the mail worker then handled the %d mails left queued in %.1f s, after the response", states["queued"], time.Since(t0).Seconds())
					break
				}
				if time.Since(start) > 60*time.Second {
					res.note("the mail worker still had %d of the %d mails queued 60 s after the response", queued, mails)
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			if _, err := dropMeetings(ctx, pool, approveSlug); err != nil {
				return nil, err
			}
			return res, e.Settle(ctx)
		},
	}
}

// ---- 3. Lists and exports with 10,000 registrations ----------------------------------------

type listFixture struct {
	meeting       int64
	focal, sec    *Session
	focalPath     string
	secPath       string
	stmts         map[string][2][]Statement // by path: at listSmall and at populationSize registrations
	sectorMembers int                       // registrations of the focal point's organisation
}

// listData registers the population for one meeting, counting the statements of each list
// page at 1,000 and again at 10,000 registrations.
func (b *regBench) listData(ctx context.Context, e *Env) (*listFixture, error) {
	if b.lists != nil {
		return b.lists, nil
	}
	pool, err := b.demo(ctx, e)
	if err != nil {
		return nil, err
	}
	// Only this scenario's registrations: drop what earlier ones may have left.
	for _, like := range []string{benchRegPrefix + "%", approveSlug, listsSlug} {
		if _, err := dropMeetings(ctx, pool, like); err != nil {
			return nil, err
		}
	}
	b.meetings = 0
	if err := b.population(ctx, e); err != nil {
		return nil, err
	}
	ids, err := b.copyMeetings(ctx, pool, listsSlug)
	if err != nil {
		return nil, err
	}
	f := &listFixture{meeting: ids[0], stmts: map[string][2][]Statement{}}
	f.focalPath = "/focal"
	f.secPath = "/secretariat/meetings/" + strconv.FormatInt(f.meeting, 10) + "/registrations"
	if f.focal, err = e.Login(ctx, focalSMEmail, seed.DemoPassword); err != nil {
		return nil, err
	}
	if f.sec, err = e.Login(ctx, secEmail, seed.DemoPassword); err != nil {
		return nil, err
	}
	count := func(i int) error {
		for _, c := range []struct {
			s    *Session
			path string
		}{{f.focal, f.focalPath}, {f.sec, f.secPath}} {
			// Once unmeasured (caches, prepared statements), then counted.
			if status, _, err := c.s.Get(ctx, c.path); err != nil || status != http.StatusOK {
				return fmt.Errorf("GET %s: %d %v", c.path, status, err)
			}
			stmts, err := e.CaptureStatements(ctx, func() error {
				status, _, err := c.s.Get(ctx, c.path)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("GET %s: status %d", c.path, status)
				}
				return err
			})
			if err != nil {
				return err
			}
			v := f.stmts[c.path]
			v[i] = stmts
			f.stmts[c.path] = v
		}
		return nil
	}
	start := time.Now()
	if err := b.insertRegistrations(ctx, pool, f.meeting, b.people[:listSmall], 0, false); err != nil {
		return nil, err
	}
	if err := e.Settle(ctx); err != nil {
		return nil, err
	}
	if err := count(0); err != nil {
		return nil, err
	}
	if err := b.insertRegistrations(ctx, pool, f.meeting, b.people[listSmall:], listSmall, false); err != nil {
		return nil, err
	}
	if err := e.Settle(ctx); err != nil {
		return nil, err
	}
	if err := count(1); err != nil {
		return nil, err
	}
	err = pool.QueryRow(ctx, `SELECT count(*) FROM registrations WHERE organisation_id = $1`, b.orgs[sectorMember]).Scan(&f.sectorMembers)
	if err != nil {
		return nil, err
	}
	e.log("registered %d accounts for %s (%d of the focal point's organisation) in %.1f s", populationSize, listsSlug,
		f.sectorMembers, time.Since(start).Seconds())
	b.lists = f
	return f, nil
}

// listRequests is how many sequential requests measure a list page.
const listRequests = 200

func (b *regBench) listPage(name string, focal bool) Scenario {
	return Scenario{
		Name:    name,
		Targets: Targets{MaxP99: 50 * time.Millisecond},
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			f, err := b.listData(ctx, e)
			if err != nil {
				return nil, err
			}
			s, path := f.sec, f.secPath
			if focal {
				s, path = f.focal, f.focalPath
			}
			res, err := RunSequential(ctx, &Load{Addr: e.AppAddr, Request: same(Request{Path: path, Header: s.Header()})}, 10, listRequests)
			if err != nil {
				return res, err
			}
			at := f.stmts[path]
			res.note("%d sequential requests of the first page (default filters) as the %s", listRequests, map[bool]string{true: "focal point", false: "secretariat"}[focal])
			res.note("statements per request, read from the PostgreSQL log: %d at %s registrations, %d at %s", len(at[0]), thousands(listSmall),
				len(at[1]), thousands(populationSize))
			res.note("at %s: %s; slowest:", thousands(populationSize), describeStatements(at[1]))
			for _, l := range slowest(at[1], 3) {
				res.note("  %s", l)
			}
			if len(at[0]) != len(at[1]) {
				res.failf("the number of statements changes with the registrations: %d at %s, %d at %s", len(at[0]), thousands(listSmall),
					len(at[1]), thousands(populationSize))
				for _, d := range statementDiff(at[0], at[1]) {
					res.note("  %s", d)
				}
			}
			return res, nil
		},
	}
}

// exportRequests is how many sequential downloads measure an export.
const exportRequests = 5

func (b *regBench) export(name string, focal bool) Scenario {
	return Scenario{
		Name:    name,
		Targets: Targets{MaxLatency: time.Second},
		Run: func(ctx context.Context, e *Env) (*Result, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			f, err := b.listData(ctx, e)
			if err != nil {
				return nil, err
			}
			s, path, want := f.sec, f.secPath+"/export.csv", populationSize
			if focal {
				s, path, want = f.focal, "/focal/export.csv", f.sectorMembers
			}
			// One download read whole, to check it has every registration.
			status, body, err := s.Get(ctx, path)
			if err != nil || status != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %d %v", path, status, err)
			}
			lines := bytes.Count(body, []byte("\r\n")) - 1 // the header
			res, err := RunSequential(ctx, &Load{Addr: e.AppAddr, Request: same(Request{Path: path, Header: s.Header()})}, 1, exportRequests)
			if err != nil {
				return res, err
			}
			res.note("%d sequential downloads; the file has %d rows (want %d), %s", exportRequests, lines, want, fmtBytes(len(body)))
			if lines != want {
				res.failf("the export has %d rows, want %d", lines, want)
			}
			return res, nil
		},
	}
}

// thousands writes n with a comma between thousands: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// registrationScenarios is every registration scenario, in order.
func registrationScenarios() []Scenario {
	b := &regBench{}
	base := b.baselineInsert()
	peak := b.registerPeak(base.Name)
	return []Scenario{
		base,
		peak,
		b.registerPaced(peak.Name),
		b.approveAll(),
		b.listPage("GET /focal (10,000 registrations)", true),
		b.listPage("GET /secretariat/meetings/{id}/registrations (10,000)", false),
		b.export("GET /secretariat/…/registrations/export.csv (10,000)", false),
		b.export("GET /focal/export.csv (7,000)", true),
	}
}
