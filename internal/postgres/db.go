// Package postgres is Plenary's store: hand-written SQL over a pgx pool, one transaction per use
// case, with the audit event (and any mail) written in the same transaction as the change.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/batch"
	"plenary/internal/domain"
	"plenary/internal/service"
)

// DB is the store.
type DB struct {
	Pool *pgxpool.Pool
	// direct configures the connection that listens for notifications (see NewListener).
	direct *pgx.ConnConfig
	// mailWake is signalled after a transaction that queued mail commits.
	mailWake chan struct{}
	// life bounds the work the store does for many requests at once (see batch.Coalescer); it ends
	// with Close.
	life context.Context
	stop context.CancelFunc

	// The look-ups and use cases served in batches.
	sessionFinder *batch.Coalescer[string, sessionData]
	actors        *batch.Coalescer[int64, actorRow]
	registrations *batch.Coalescer[submission, domain.Registration]
}

// Open connects to the database at url.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	return OpenWith(ctx, url, Options{MaxConns: maxConns})
}

// OpenWith connects to the database at url, as o says (see Options: the pool's size, pgx's
// query execution mode, the direct connection for notifications).
func OpenWith(ctx context.Context, url string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_URL: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if o.ExecMode != "" {
		mode, ok := execModes[o.ExecMode]
		if !ok {
			return nil, fmt.Errorf("postgres: unknown query execution mode %q", o.ExecMode)
		}
		cfg.ConnConfig.DefaultQueryExecMode = mode
	}
	direct, err := directConfig(url, o)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping: %w", err)
	}
	db := &DB{Pool: pool, direct: direct, mailWake: make(chan struct{}, 1)}
	db.life, db.stop = context.WithCancel(context.WithoutCancel(ctx))
	// One batch of a kind at a time, the next gathering meanwhile: measured (make bench), a
	// second batch at once split the batches and had the writers wait on each other's locks
	// and pages, for less done in all (see batch.Coalescer).
	db.sessionFinder = batch.New(db.life, 256, 1, db.findSessions)
	db.actors = batch.New(db.life, 256, 1, db.actorsByID)
	// Registrations: one batch working at a time, the next starting when it has sent its last
	// statement and COMMIT, so that its work overlaps the commit's WAL flush (measured: make
	// bench's registration figure).
	db.registrations = batch.NewOverlapped(db.life, 128, 2, db.registerBatch)
	return db, nil
}

// Life is the store's own context, for work done for many requests at once (batch.Coalescer):
// it ends when the store closes.
func (db *DB) Life() context.Context { return db.life }

// Close closes the pool.
func (db *DB) Close() {
	db.stop()
	db.Pool.Close()
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// inTx runs fn in a transaction (see InTx), for the store's functions written against pgx.Tx.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return db.InTx(ctx, func(t *Tx) error { return fn(t) })
}

// wakeMail has the mail workers woken (after a transaction that queued mail has committed).
func (db *DB) wakeMail() {
	select {
	case db.mailWake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// steps runs the statements of a use case in batches, one round trip each.
type steps interface {
	// step sends the statements of b and reads their results.
	step(ctx context.Context, b *pgx.Batch) error
	// last is step for the use case's last batch of statements.
	last(ctx context.Context, b *pgx.Batch) error
}

// txSteps runs batches inside a transaction that goes on after them.
type txSteps struct{ tx pgx.Tx }

func (s txSteps) step(ctx context.Context, b *pgx.Batch) error { return s.tx.SendBatch(ctx, b).Close() }
func (s txSteps) last(ctx context.Context, b *pgx.Batch) error { return s.step(ctx, b) }

// finalSteps runs batches that are a whole transaction: its BEGIN goes with the first, its
// COMMIT with the last (see Tx.SendFinal).
type finalSteps struct {
	tx    *Tx
	begun bool
}

func (s *finalSteps) step(ctx context.Context, b *pgx.Batch) error {
	if !s.begun {
		s.begun = true
		// The statements of a batch use a generic plan: a use case run in batches would
		// otherwise plan some of them afresh for every batch, as the number of rows changes.
		all := &pgx.Batch{}
		all.Queue("SET LOCAL plan_cache_mode = force_generic_plan")
		all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
		b = all
	}
	return s.tx.SendBatch(ctx, b).Close()
}

func (s *finalSteps) last(ctx context.Context, b *pgx.Batch) error { return s.tx.SendFinal(ctx, b) }

// RunMailNotifier tells the mail workers of every instance (LISTEN mail_queued) that mail was
// queued, at most once per interval however many transactions queued some. NOTIFY takes a
// database-wide lock until its transaction's commit is flushed: sent from every registration's
// own transaction it would serialise them all. A notification that fails is reported to failed
// and sent again, after a wait that doubles up to 30 s while it keeps failing: the mail is in the
// outbox, and the workers' polling finds it meanwhile.
func (db *DB) RunMailNotifier(ctx context.Context, interval time.Duration, failed func(error)) {
	wait := interval
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.mailWake:
		}
		_, err := db.Pool.Exec(ctx, `SELECT pg_notify('mail_queued', '')`)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failed(fmt.Errorf("postgres: notify the mail workers: %w", err))
			db.wakeMail() // not sent: try again
			wait = min(max(2*wait, time.Second), 30*time.Second)
		default:
			wait = interval
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// notFound turns pgx.ErrNoRows into a domain NotFound error.
func notFound(err error, key string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.NotFound, key)
	}
	return err
}

// isUniqueViolation reports whether err is a unique constraint violation, optionally of the
// named constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return constraint == "" || pe.ConstraintName == constraint
	}
	return false
}

// eachRow runs q and hands each row, scanned by name into a T, to fn as it arrives, without
// holding the rows in memory: for exports. what names the query in errors.
func eachRow[T any](ctx context.Context, db *DB, what, q string, args []any, fn func(T) error) error {
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rows.Close()
	scan := pgx.RowToStructByName[T]
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// IsBadText reports whether err is PostgreSQL refusing text it cannot hold (invalid UTF-8, a NUL
// byte): input that slipped past the web layer's cleaning, to be answered as bad input, not as a
// fault of the portal.
func IsBadText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}

// IsBadText is the package's IsBadText, for the use cases' health checks (service.Pinger).
func (db *DB) IsBadText(err error) bool { return IsBadText(err) }

// IsUnavailable is the package's IsUnavailable, for the use cases' health checks (service.Pinger).
func (db *DB) IsUnavailable(err error) bool { return IsUnavailable(err) }

// isForeignKeyViolation reports whether err violates foreign key constraint ("" for any): a row
// still in use, or one referred to that is not there.
func isForeignKeyViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return constraint == "" || pe.ConstraintName == constraint
	}
	return false
}

// checkDeferred checks now the unique constraints named, which are deferred to the commit
// (DEFERRABLE INITIALLY DEFERRED) so that the rows of one form may swap their values: a save
// then refuses with its own message rather than fail at its commit.
func checkDeferred(ctx context.Context, tx pgx.Tx, constraints ...string) error {
	names := make([]string, len(constraints))
	for i, c := range constraints {
		names[i] = pgx.Identifier{c}.Sanitize()
	}
	_, err := tx.Exec(ctx, `SET CONSTRAINTS `+strings.Join(names, ", ")+` IMMEDIATE`)
	return err
}

// meetingFieldsError is the refusal of a meeting's details the database refused: a slug another
// meeting has, or a study group that is not there (a form sent with a value not in its list).
func meetingFieldsError(err error) error {
	switch {
	case isUniqueViolation(err, "meetings_slug_key"):
		return domain.FieldErrors(map[string]string{"slug": "error.slug_taken"})
	case isForeignKeyViolation(err, "meetings_study_group_id_fkey"):
		return domain.FieldErrors(map[string]string{"study_group_id": "sec.study_group_unknown"})
	}
	return nil
}

// Audit describes who is acting and from where, for the audit event of a change.
type Audit = service.Audit

// audit writes one audit event inside tx.
func audit(ctx context.Context, tx pgx.Tx, a Audit, action, entity string, entityID int64, detail any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	var actor *int64
	if a.ActorID != 0 {
		actor = &a.ActorID
	}
	err := write(ctx, tx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, actor, action, entity, entityID, detail, a.RemoteAddr, a.RequestID)
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", action, err)
	}
	return nil
}

// The read models of the audit trail are the domain's (domain/audit_event.go).
type (
	AuditEvent = domain.AuditEvent
)

// AuditTrails returns the events of several records of one kind, oldest first, by record.
func (db *DB) AuditTrails(ctx context.Context, entity string, ids []int64) (map[int64][]AuditEvent, error) {
	rows, err := db.Pool.Query(ctx, `SELECT e.id, e.at, e.actor_id, a.display_name AS actor_name,
			e.action, e.entity, e.entity_id, e.detail
		FROM audit_events e LEFT JOIN accounts a ON a.id = e.actor_id
		WHERE e.entity = $1 AND e.entity_id = ANY($2) ORDER BY e.at, e.id`, entity, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit trails: %w", err)
	}
	evs, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEvent])
	if err != nil {
		return nil, fmt.Errorf("postgres: audit trails: %w", err)
	}
	out := map[int64][]AuditEvent{}
	for _, e := range evs {
		out[e.EntityID] = append(out[e.EntityID], e)
	}
	return out, nil
}

// AuditTrail returns the events of one record, oldest first.
func (db *DB) AuditTrail(ctx context.Context, entity string, id int64) ([]AuditEvent, error) {
	trails, err := db.AuditTrails(ctx, entity, []int64{id})
	return trails[id], err
}
