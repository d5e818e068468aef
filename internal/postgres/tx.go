package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"plenary/internal/domain"
)

// Isolation is the isolation level of a transaction.
type Isolation int

// The isolation levels InTxWith offers: PostgreSQL's default, and serializable for a use case
// whose check reads rows it does not lock.
const (
	ReadCommitted Isolation = iota
	Serializable
)

// TxOptions says how InTxWith runs a transaction.
type TxOptions struct {
	Isolation Isolation
	// MaxAttempts bounds the attempts of a transaction that keeps failing on a serialization
	// failure or a deadlock (default 5).
	MaxAttempts int
}

// Tx is one transaction of the store: the only way the store runs one (InTx). The store's
// operations that take part in a use case's transaction are its methods, or functions taking it
// as a pgx.Tx. Its BEGIN goes with its first statement, and a use case whose last statement is
// sent with SendFinal commits with it, so that a transaction of two batches of statements costs
// two round trips.
type Tx struct {
	conn    *pgxpool.Conn
	db      *DB
	opts    TxOptions
	begun   bool
	ended   bool // committed with its last statement (SendFinal)
	attempt int
	// mailQueued says the transaction queued mail: the workers are woken once it has committed.
	mailQueued bool
	// later holds writes whose results the use case does not read (see Later): they go with the
	// transaction's next statement, or its COMMIT.
	later []*pgx.QueuedQuery
	// openVisas holds, by registration, the open visa requests (requested, processing, issued)
	// the transaction has locked with their registrations (LockRegistrations), so that the visa
	// side effects need no read of their own; a registration missing has not been read.
	openVisas map[int64][]domain.VisaRequest
}

// InTx runs fn in one transaction, committing when it returns nil and rolling back otherwise. A
// transaction that fails on a serialization failure (40001) or a deadlock (40P01), in fn or at
// its commit, is rolled back and fn is run again in a new one, a few times, after a short random
// wait; fn must therefore start from nothing each time (keep what it learns in variables it sets,
// not appends to). Mail queued in the transaction wakes the mail workers once it has committed.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return db.InTxWith(ctx, TxOptions{}, fn)
}

// InTxWith is InTx with options.
func (db *DB) InTxWith(ctx context.Context, o TxOptions, fn func(*Tx) error) error {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	for attempt := 1; ; attempt++ {
		err := db.runTx(ctx, o, attempt, fn)
		if err == nil || !Retryable(err) || attempt >= o.MaxAttempts || ctx.Err() != nil {
			return err
		}
		// The transactions that collided are retried at different moments, so that they do not
		// collide again: up to 2 ms times the attempt.
		wait := time.Duration(rand.Int64N(int64(2*time.Millisecond)*int64(attempt))) + 100*time.Microsecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// Retryable reports whether err is a serialization failure or a deadlock: the transaction did
// nothing, and the same work may succeed when run again.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (db *DB) runTx(ctx context.Context, o TxOptions, attempt int, fn func(*Tx) error) (err error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: acquire: %w", err)
	}
	// pgxpool closes a connection handed back inside a transaction rather than reuse it, so a
	// transaction whose ROLLBACK failed is never reused.
	defer conn.Release()
	t := &Tx{conn: conn, db: db, opts: o, attempt: attempt}
	defer func() {
		if v := recover(); v != nil {
			t.rollback()
			panic(v)
		}
	}()
	if err := fn(t); err != nil {
		t.rollback()
		return err
	}
	if len(t.later) > 0 {
		// The writes left go with the COMMIT, in one round trip.
		if err := t.SendFinal(ctx, &pgx.Batch{}); err != nil {
			t.rollback()
			return err
		}
	}
	if t.begun && !t.ended {
		if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
			t.rollback()
			return fmt.Errorf("postgres: commit: %w", err)
		}
	}
	if t.mailQueued {
		db.wakeMail()
	}
	return nil
}

// rollback ends a transaction that will not commit. It is sent even when the use case's context
// has ended, so that the connection can be reused.
func (t *Tx) rollback() {
	if !t.begun || t.ended {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = t.conn.Exec(ctx, "ROLLBACK")
	t.ended = true
}

// Attempt is which attempt at the transaction this is: 1, then 2 after a retry.
func (t *Tx) Attempt() int { return t.attempt }

// MailQueued records that the transaction queued mail, so that the workers are woken after it
// has committed.
func (t *Tx) MailQueued() { t.mailQueued = true }

// Later queues a write whose result the use case does not read (an UPDATE, an INSERT of audit
// events or mail): it is sent with the transaction's next statement, or with its COMMIT, so that
// a use case's writes cost no round trip of their own and its locks are held for less time. Its
// error, if any, is the error of that next statement (and so of the transaction).
func (t *Tx) Later(sql string, args ...any) error {
	if err := t.usable(); err != nil {
		return err
	}
	t.later = append(t.later, &pgx.QueuedQuery{SQL: sql, Arguments: args})
	return nil
}

// flush sends the writes queued by Later, in one round trip, before a statement whose result
// the use case reads.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.later) == 0 {
		return nil
	}
	b := &pgx.Batch{QueuedQueries: t.later}
	t.later = nil
	prefix := !t.begun
	if prefix {
		b.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: t.beginSQL()}}, b.QueuedQueries...)
	}
	br := t.conn.SendBatch(ctx, b)
	if prefix {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return fmt.Errorf("postgres: begin: %w", err)
		}
		t.begun = true
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("postgres: queued write: %w", err)
	}
	return nil
}

func (t *Tx) beginSQL() string {
	if t.opts.Isolation == Serializable {
		return "BEGIN ISOLATION LEVEL SERIALIZABLE"
	}
	return "BEGIN"
}

func (t *Tx) usable() error {
	if t.ended {
		return errors.New("postgres: the transaction has ended")
	}
	return nil
}

// begin sends BEGIN on its own, for a first statement that cannot carry it (a query whose rows
// are read as they come).
func (t *Tx) begin(ctx context.Context) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, t.beginSQL()); err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	t.begun = true
	return nil
}

// Exec runs a statement in the transaction (with BEGIN, when it is the first).
func (t *Tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.usable(); err != nil {
		return pgconn.CommandTag{}, err
	}
	if err := t.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	if t.begun {
		return t.conn.Exec(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(t.beginSQL())
	b.Queue(sql, args...)
	br := t.conn.SendBatch(ctx, b)
	_, err := br.Exec()
	if err == nil {
		t.begun = true
	}
	tag, err2 := br.Exec()
	if err3 := br.Close(); err == nil && err2 == nil {
		err2 = err3
	}
	if err != nil {
		return tag, fmt.Errorf("postgres: begin: %w", err)
	}
	return tag, err2
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

// QueryRow runs a query of one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// SendBatch sends a batch of statements in one round trip (with BEGIN, when it is the first).
func (t *Tx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.send(ctx, b, false)
}

// SendFinal sends the use case's last batch of statements with the COMMIT, in one round trip;
// nothing may be run in the transaction after it. When a statement of the batch fails, the
// transaction is rolled back when fn returns the error.
func (t *Tx) SendFinal(ctx context.Context, b *pgx.Batch) error {
	return t.send(ctx, b, true).Close()
}

func (t *Tx) send(ctx context.Context, b *pgx.Batch, commit bool) pgx.BatchResults {
	if err := t.usable(); err != nil {
		return errBatch{err}
	}
	if commit && len(t.later) > 0 {
		// Only the batch's Close is read (SendFinal): the queued writes go first in it.
		all := &pgx.Batch{QueuedQueries: append(t.later, b.QueuedQueries...)}
		t.later, b = nil, all
	} else if err := t.flush(ctx); err != nil {
		return errBatch{err}
	}
	prefix := !t.begun
	if !prefix && !commit {
		return t.conn.SendBatch(ctx, b)
	}
	all := &pgx.Batch{}
	if prefix {
		all.Queue(t.beginSQL())
	}
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	if commit {
		all.Queue("COMMIT").Exec(func(pgconn.CommandTag) error {
			t.ended = true
			return nil
		})
	}
	br := t.conn.SendBatch(ctx, all)
	if !prefix {
		return br
	}
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return errBatch{fmt.Errorf("postgres: begin: %w", err)}
	}
	t.begun = true
	return br
}

// Begin is not offered: a use case is one transaction, without savepoints.
func (t *Tx) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("postgres: nested transactions are not used")
}

// Commit and Rollback are InTx's: a use case ends by returning.
func (t *Tx) Commit(context.Context) error {
	return errors.New("postgres: a transaction commits when its function returns nil")
}

// Rollback: see Commit.
func (t *Tx) Rollback(context.Context) error {
	return errors.New("postgres: a transaction rolls back when its function returns an error")
}

// CopyFrom copies rows into a table in the transaction.
func (t *Tx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, columns, src)
}

// LargeObjects are not used by the store.
func (t *Tx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Prepare prepares a statement on the transaction's connection.
func (t *Tx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Conn().Prepare(ctx, name, sql)
}

// Conn is the transaction's connection.
func (t *Tx) Conn() *pgx.Conn { return t.conn.Conn() }

var _ pgx.Tx = (*Tx)(nil)

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow(b) }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
