// Package postgres is Plenary's store: hand-written SQL over a pgx pool, one transaction per use
// case, with the audit event (and any mail) written in the same transaction as the change.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/domain"
)

// DB is the store.
type DB struct {
	Pool *pgxpool.Pool
	// direct configures the connection that listens for notifications (see NewListener).
	direct *pgx.ConnConfig
	// mailWake is signalled after a transaction that queued mail commits.
	mailWake chan struct{}
	// life bounds the work the store does for many requests at once (see coalescer); it ends
	// with Close.
	life context.Context
	stop context.CancelFunc

	// writeMail and keepMail: see WriteMailWith.
	writeMail MailWriter
	keepMail  bool

	// The look-ups and use cases served in batches.
	sessionFinder *coalescer[string, sessionData]
	actors        *coalescer[int64, actorRow]
	registrations *coalescer[submission, domain.Registration]
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
	// and pages, for less done in all (see coalescer).
	db.sessionFinder = newCoalescer(db.life, 256, 1, db.findSessions)
	db.actors = newCoalescer(db.life, 256, 1, db.actorsByID)
	db.registrations = newCoalescer(db.life, 128, 1, db.registerBatch)
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() {
	db.stop()
	db.Pool.Close()
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// trackedTx is the transaction a use case runs in; it remembers whether mail was queued, so that
// the mail workers are woken once it has committed.
type trackedTx struct {
	pgx.Tx
	db         *DB
	mailQueued bool
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	queued := false
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		t := &trackedTx{Tx: tx, db: db}
		err := fn(t)
		queued = t.mailQueued
		return err
	})
	if err == nil && queued {
		db.wakeMail()
	}
	return err
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

// txSteps runs batches inside an ordinary transaction, which the caller ends.
type txSteps struct{ tx pgx.Tx }

func (s txSteps) step(ctx context.Context, b *pgx.Batch) error { return s.tx.SendBatch(ctx, b).Close() }
func (s txSteps) last(ctx context.Context, b *pgx.Batch) error { return s.step(ctx, b) }

// pipelinedTx is a transaction on one connection whose BEGIN goes with its first batch of
// statements and whose COMMIT with its last: two round trips fewer than a pgx.Tx, which matters
// for a use case of two batches.
type pipelinedTx struct {
	conn      *pgxpool.Conn
	begun     bool
	committed bool
}

func (db *DB) beginPipelined(ctx context.Context) (*pipelinedTx, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: acquire: %w", err)
	}
	return &pipelinedTx{conn: conn}, nil
}

func (t *pipelinedTx) send(ctx context.Context, b *pgx.Batch, commit bool) error {
	all := &pgx.Batch{}
	if !t.begun {
		all.Queue("BEGIN")
		// The statements of a batch use a generic plan: a use case run in batches would
		// otherwise plan some of them afresh for every batch, as the number of rows changes.
		all.Queue("SET LOCAL plan_cache_mode = force_generic_plan")
		t.begun = true
	}
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	if commit {
		all.Queue("COMMIT")
	}
	err := t.conn.SendBatch(ctx, all).Close()
	if err == nil && commit {
		t.committed = true
	}
	return err
}

func (t *pipelinedTx) step(ctx context.Context, b *pgx.Batch) error { return t.send(ctx, b, false) }
func (t *pipelinedTx) last(ctx context.Context, b *pgx.Batch) error { return t.send(ctx, b, true) }

// end ends the transaction, committing what was not committed with the last batch unless err,
// and hands the connection back; it returns err, or the commit's error.
func (t *pipelinedTx) end(ctx context.Context, err error) error {
	defer t.conn.Release() // a connection left in a transaction is closed, not reused
	if !t.begun || t.committed {
		return err
	}
	end := "COMMIT"
	if err != nil {
		end = "ROLLBACK"
	}
	if _, endErr := t.conn.Exec(ctx, end); err == nil && endErr != nil {
		return fmt.Errorf("postgres: commit: %w", endErr)
	}
	return err
}

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

// isForeignKeyViolation reports whether err is a foreign key violation (a row still in use).
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// Audit describes who is acting and from where, for the audit event of a change.
type Audit struct {
	ActorID    int64
	RemoteAddr string
	RequestID  string
}

// audit writes one audit event inside tx.
func audit(ctx context.Context, tx pgx.Tx, a Audit, action, entity string, entityID int64, detail any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	var actor *int64
	if a.ActorID != 0 {
		actor = &a.ActorID
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, actor, action, entity, entityID, detail, a.RemoteAddr, a.RequestID)
	if err != nil {
		return fmt.Errorf("postgres: audit %s: %w", action, err)
	}
	return nil
}

// AuditEvent is one line of the audit trail.
type AuditEvent struct {
	ID        int64          `db:"id"`
	At        time.Time      `db:"at"`
	ActorID   *int64         `db:"actor_id"`
	ActorName *string        `db:"actor_name"`
	Action    string         `db:"action"`
	Entity    string         `db:"entity"`
	EntityID  int64          `db:"entity_id"`
	Detail    map[string]any `db:"detail"`
}

// AuditTrails returns the events of several records of one kind, oldest first, by record.
func (db *DB) AuditTrails(ctx context.Context, entity string, ids []int64) (map[int64][]AuditEvent, error) {
	rows, err := db.Pool.Query(ctx, `SELECT e.id, e.at, e.actor_id, a.given_name || ' ' || a.family_name AS actor_name,
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
