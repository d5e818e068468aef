package service_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/app"
	"plenary/internal/domain"
	"plenary/internal/pgtest"
	"plenary/internal/postgres"
	"plenary/internal/service"
)

// redeemDesks is the number of desks and scanners redeeming at once (issue 13: 40).
const redeemDesks = 40

// BenchmarkRedeem40Desks has 40 desks check people in at once, each scan a first check-in of
// its own person through Desk.Redeem (a transaction: the nonce's answer looked up, the token's
// revocation, the registration locked, its earlier scans, the scan and its audit event written),
// and, in the same run over the same pool, 40 goroutines doing a plain pgx INSERT of a row like
// a scan: the baseline. It reports each side's p50, p99 and throughput, and the ratio of
// Redeem's throughput to the baseline's (targets: p99 at most 20 ms, ratio at least 50 %).
// Run it with
//
//	go run ./internal/pgtest/testdb -- go test ./internal/service -run '^$' -bench Redeem40Desks -benchtime 1x
func BenchmarkRedeem40Desks(b *testing.B) {
	const people = 4000
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		// The app's own pool size (DB_MAX_CONNS' default), shared by both sides.
		db, err := postgres.Open(ctx, pgtest.URL(b), 20)
		if err != nil {
			b.Fatal(err)
		}
		now := pgtest.SeededAt(b)
		svc := app.NewServices(db, func() time.Time { return now })
		var meeting, org int64
		if err := db.Pool.QueryRow(ctx, `SELECT m.id, o.id FROM meetings m, organisations o WHERE m.slug LIKE 'sg13-wp-%' AND m.slug <> 'sg13-wp-2025-07'
			AND o.name = 'Example Networks Ltd.' ORDER BY m.first_day DESC LIMIT 1`).Scan(&meeting, &org); err != nil {
			b.Fatal(err)
		}
		codes := benchCodes(b, db, svc.Desk, meeting, org, people, now)
		staff := domain.NewActor(1, 0, domain.SecretariatGrant())
		if _, err := db.Pool.Exec(ctx, `CREATE TABLE bench_scans (id bigserial PRIMARY KEY, registration_id bigint NOT NULL,
			scanned_at timestamptz NOT NULL, desk text NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		// Warm both sides up: the keys read, the entry list made, connections opened.
		for i := range redeemDesks {
			if _, err := db.Pool.Exec(ctx, `INSERT INTO bench_scans (registration_id, scanned_at, desk) VALUES ($1, $2, $3)`, i, now, "warm"); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, service.Scan{MeetingID: meeting, Code: codes[0], Desk: "warm", Nonce: "warm"}); err != nil {
			b.Fatal(err)
		}
		codes = codes[1:]
		b.StartTimer()

		s0, c0 := cpuUsed(b, db)
		baseline := runDesks(b, len(codes), func(desk, i int) error {
			_, err := db.Pool.Exec(ctx, `INSERT INTO bench_scans (registration_id, scanned_at, desk) VALUES ($1, $2, $3)`,
				int64(i), now, fmt.Sprintf("Desk %d", desk))
			return err
		})
		s1, c1 := cpuUsed(b, db)
		redeem := runDesks(b, len(codes), func(desk, i int) error {
			res, err := svc.Desk.Redeem(ctx, postgres.Audit{ActorID: staff.ID}, staff, service.Scan{MeetingID: meeting, Code: codes[i],
				Desk: fmt.Sprintf("Desk %d", desk), Nonce: fmt.Sprintf("bench-%d", i)})
			if err == nil && res.Outcome != domain.ScanAccepted {
				err = fmt.Errorf("scan %d: %s %s", i, res.Outcome, res.Refusal)
			}
			return err
		})
		b.StopTimer()
		s2, c2 := cpuUsed(b, db)
		var accepted int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM scans WHERE outcome = 'accepted' AND nonce LIKE 'bench-%'`).Scan(&accepted); err != nil || accepted != len(codes) {
			b.Fatalf("%d check-ins stored, want %d: %v", accepted, len(codes), err)
		}
		ratio := redeem.perSecond / baseline.perSecond
		b.ReportMetric(float64(redeem.p99.Microseconds())/1000, "redeem-p99-ms")
		b.ReportMetric(redeem.perSecond, "redeem/s")
		b.ReportMetric(baseline.perSecond, "insert/s")
		b.ReportMetric(100*ratio, "ratio-%")
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(len(codes)) }
		b.ReportMetric(per(s2-s1), "redeem-db-cpu-µs/op")
		b.ReportMetric(per(s1-s0), "insert-db-cpu-µs/op")
		b.ReportMetric(per(c2-c1), "redeem-go-cpu-µs/op")
		b.ReportMetric(per(c1-c0), "insert-go-cpu-µs/op")
		b.Logf("%d desks, %d scans each side: Redeem p50 %s p99 %s, %.0f/s; plain INSERT p50 %s p99 %s, %.0f/s; Redeem at %.0f %% of the baseline",
			redeemDesks, len(codes), redeem.p50, redeem.p99, redeem.perSecond, baseline.p50, baseline.p99, baseline.perSecond, 100*ratio)
		db.Close()
		b.StartTimer()
	}
}

// deskRun is what one side of the benchmark measured.
type deskRun struct {
	p50, p99  time.Duration
	perSecond float64
}

// runDesks runs n operations over redeemDesks goroutines (desk d does operations d, d+40, ...),
// started together, and measures each.
func runDesks(b *testing.B, n int, op func(desk, i int) error) deskRun {
	b.Helper()
	lat := make([]time.Duration, n)
	errs := make([]error, redeemDesks)
	var start, done sync.WaitGroup
	start.Add(1)
	for d := range redeemDesks {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			for i := d; i < n; i += redeemDesks {
				t0 := time.Now()
				if err := op(d, i); err != nil {
					errs[d] = err
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	t0 := time.Now()
	start.Done()
	done.Wait()
	elapsed := time.Since(t0)
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(lat)
	return deskRun{p50: lat[n/2], p99: lat[n*99/100], perSecond: float64(n) / elapsed.Seconds()}
}

// benchCodes makes n approved in-person registrations of organisation org at the meeting, each
// with a confirmation token issued a day before now, and returns the tokens' texts.
func benchCodes(b *testing.B, db *postgres.DB, desk *service.Desk, meeting, org int64, n int, now time.Time) []string {
	b.Helper()
	ctx := context.Background()
	keys, err := desk.Keys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.Pool.Exec(ctx, `WITH a AS (
			INSERT INTO accounts (email, password_hash, given_name, family_name, organisation_id)
			SELECT 'bench-' || g || '@plenary.test', 'x', 'Delegate', 'Number ' || g, $2 FROM generate_series(1, $3) g
			RETURNING id)
		INSERT INTO registrations (meeting_id, account_id, organisation_id, mode, state, decided_at)
		SELECT $1, a.id, $2, 'in_person', 'approved', $4 FROM a`, meeting, org, n, now.Add(-48*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	from, until := now.Add(-24*time.Hour).Truncate(time.Second), now.Add(30*24*time.Hour).Truncate(time.Second)
	rows, err := db.Pool.Query(ctx, `INSERT INTO desk_tokens (registration_id, meeting_id, kind, mode, serial, key_id, valid_from, valid_until, issued_at)
		SELECT r.id, r.meeting_id, 'confirmation', 'in_person', 1, $2, $3, $4, $3 FROM registrations r
		JOIN accounts a ON a.id = r.account_id AND a.email LIKE 'bench-%' WHERE r.meeting_id = $1
		RETURNING id, registration_id`, meeting, int32(keys.Current), from, until)
	if err != nil {
		b.Fatal(err)
	}
	var codes []string
	var ids []int64
	var digests [][]byte
	for rows.Next() {
		t := domain.Token{Kind: domain.ConfirmationToken, Key: keys.Current, Meeting: meeting, Mode: domain.InPerson, Serial: 1, ValidFrom: from, ValidUntil: until}
		if err := rows.Scan(&t.ID, &t.Registration); err != nil {
			b.Fatal(err)
		}
		code := t.Sign(keys.Private)
		codes, ids, digests = append(codes, code), append(ids, t.ID), append(digests, domain.TokenDigest(code))
	}
	if err := rows.Err(); err != nil || len(codes) != n {
		b.Fatalf("%d tokens of %d: %v", len(codes), n, err)
	}
	// Each with the digest of its text, as the portal issues them (service.issueToken).
	tag, err := db.Pool.Exec(ctx, `UPDATE desk_tokens t SET digest = q.digest FROM unnest($1::bigint[], $2::bytea[]) AS q(id, digest)
		WHERE t.id = q.id`, ids, digests)
	if err != nil || tag.RowsAffected() != int64(n) {
		b.Fatalf("%d digests of %d stored: %v", tag.RowsAffected(), n, err)
	}
	return codes
}

// cpuUsed is the CPU time used so far by the database server's processes (its backends and its
// background processes, as pg_stat_activity lists them, read from /proc) and by this process:
// what an operation costs each side whatever else the machine runs. Zero where /proc is not.
func cpuUsed(b *testing.B, db *postgres.DB) (server, client time.Duration) {
	b.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	const tick = 10 * time.Millisecond // USER_HZ: 100 on Linux
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The fields after the command's name (in parentheses): utime and stime are the 12th
		// and 13th of them.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			server += time.Duration(u+s) * tick
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return server, client
}
