package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"plenary/internal/pgcluster"
)

// PostgreSQL's own account of its statements (pg_stat_statements, a library that ships with the
// server) says where a figure's database time goes: the execution time, calls and log records of
// each statement, the foreign-key checks and triggers it fires counted in its own. The bench
// preloads it when the server has it; the binary and the bench connect as different roles
// (postgres and benchRole), so the binary's statements are told from the bench's.

// benchRole is the role the bench's own pool connects as.
const benchRole = "plenary_bench"

// enableStatements creates benchRole and, when the server has pg_stat_statements, preloads it
// and restarts the cluster (started with o) so that it counts every statement from now on.
func (e *Env) enableStatements(ctx context.Context, o pgcluster.Options) error {
	var have bool
	err := e.adminExec(ctx, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `CREATE ROLE `+benchRole+` SUPERUSER LOGIN`); err != nil {
			return fmt.Errorf("create role %s: %w", benchRole, err)
		}
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements')`).Scan(&have); err != nil || !have {
			return err
		}
		_, err := conn.Exec(ctx, `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`)
		return err
	})
	if err != nil {
		return err
	}
	if !have {
		e.log("pg_stat_statements is not installed with this server: no figures by statement")
		return nil
	}
	if err := e.cluster.Stop(ctx); err != nil {
		return err
	}
	o.Port = e.cluster.Port
	if e.cluster, err = pgcluster.Start(ctx, o); err != nil {
		return err
	}
	// BEGIN, COMMIT and SET are not what a figure is made of. The setting is known once the
	// library is loaded.
	err = e.adminExec(ctx, func(conn *pgx.Conn) error {
		for _, q := range []string{`ALTER SYSTEM SET pg_stat_statements.track_utility = off`, `SELECT pg_reload_conf()`} {
			if _, err := conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	e.statements = err == nil
	return err
}

// adminExec runs fn on a connection of its own to the cluster's postgres database.
func (e *Env) adminExec(ctx context.Context, fn func(*pgx.Conn) error) error {
	return withConn(ctx, e.cluster.URL("postgres"), fn)
}

// createStatementsView creates the extension's view in the database the binary uses.
func (e *Env) createStatementsView(ctx context.Context) error {
	if !e.statements {
		return nil
	}
	return withConn(ctx, e.DatabaseURL, func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, `CREATE EXTENSION pg_stat_statements`)
		return err
	})
}

// ResetStatements starts the statements' count again.
func (e *Env) ResetStatements(ctx context.Context) error {
	if !e.statements {
		return nil
	}
	pool, err := e.Pool(ctx)
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `SELECT pg_stat_statements_reset()`)
	return err
}

// stmtStat is one statement's count since the last reset.
type stmtStat struct {
	query        string
	calls        int64
	ms           float64 // execution time, in milliseconds
	walRecords   int64
	benchOwnRole bool
}

// Statements reads the statements' count of the binary's database since the last reset; ok is
// false when the server does not count them.
func (e *Env) Statements(ctx context.Context) (stats []stmtStat, ok bool, err error) {
	if !e.statements {
		return nil, false, nil
	}
	pool, err := e.Pool(ctx)
	if err != nil {
		return nil, false, err
	}
	rows, err := pool.Query(ctx, `SELECT query, calls, total_exec_time, wal_records, userid = $1::regrole
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`, benchRole)
	if err != nil {
		return nil, false, err
	}
	stats, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (stmtStat, error) {
		var s stmtStat
		err := r.Scan(&s.query, &s.calls, &s.ms, &s.walRecords, &s.benchOwnRole)
		return s, err
	})
	return stats, err == nil, err
}

var spaces = regexp.MustCompile(`\s+`)

// label is the beginning of a statement's text, on one line.
func (s stmtStat) label() string {
	q := strings.TrimSpace(spaces.ReplaceAllString(s.query, " "))
	if r := []rune(q); len(r) > 44 {
		q = string(r[:44]) + "…"
	}
	return q
}

// describeStatementTime says the binary's statements' execution time per request of n, in all
// and for the top of them: its share, how many requests share one call, and its log records per
// request. Execution only: neither planning nor the commits' wait for the log's flush.
func describeStatementTime(stats []stmtStat, n float64, top int) string {
	var own []stmtStat
	var total float64
	for _, s := range stats {
		if !s.benchOwnRole {
			own = append(own, s)
			total += s.ms
		}
	}
	if n <= 0 || total <= 0 {
		return "none counted"
	}
	sort.Slice(own, func(i, j int) bool { return own[i].ms > own[j].ms })
	parts := []string{fmt.Sprintf("%.3f ms in all, in %d statements", total/n, len(own))}
	var rest float64
	for i, s := range own {
		if i >= top {
			rest += s.ms
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.3f ms (%.0f %%; a call per %.1f, %.1f log records)",
			s.label(), s.ms/n, 100*s.ms/total, n/float64(s.calls), float64(s.walRecords)/n))
	}
	if rest > 0 {
		parts = append(parts, fmt.Sprintf("the other %d %.3f ms", len(own)-top, rest/n))
	}
	return strings.Join(parts, "; ")
}

// benchStatementTime says the execution time per call of the bench's own statement that begins
// with prefix (a baseline's), or "" when there is none.
func benchStatementTime(stats []stmtStat, prefix string) string {
	for _, s := range stats {
		if s.benchOwnRole && strings.HasPrefix(strings.TrimSpace(s.query), prefix) && s.calls > 0 {
			return fmt.Sprintf("%s %.3f ms a call (%.1f log records)", s.label(), s.ms/float64(s.calls),
				float64(s.walRecords)/float64(s.calls))
		}
	}
	return ""
}
