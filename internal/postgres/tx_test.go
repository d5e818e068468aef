package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"plenary/internal/pgtest"
	"plenary/internal/postgres"
)

// barrier lets two transactions' first attempts meet at one point, so that they collide; later
// attempts pass it at once.
type barrier struct {
	wg   sync.WaitGroup
	once [2]sync.Once
}

func newBarrier() *barrier {
	b := &barrier{}
	b.wg.Add(2)
	return b
}

func (b *barrier) meet(i int, tx *postgres.Tx) {
	if tx.Attempt() > 1 {
		return
	}
	b.once[i].Do(b.wg.Done)
	b.wg.Wait()
}

// Two serializable transactions that each read what the other writes (a write skew): PostgreSQL
// fails one with 40001, InTx runs it again, and both end up committed.
func TestInTxRetriesSerializationFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE skew (id int PRIMARY KEY, n int NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	b := newBarrier()
	var retried atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.InTxWith(ctx, postgres.TxOptions{Isolation: postgres.Serializable}, func(tx *postgres.Tx) error {
				if tx.Attempt() > 1 {
					retried.Add(1)
				}
				var sum int
				if err := tx.QueryRow(ctx, `SELECT COALESCE(sum(n), 0) FROM skew`).Scan(&sum); err != nil {
					return err
				}
				b.meet(i, tx)
				_, err := tx.Exec(ctx, `INSERT INTO skew (id, n) VALUES ($1, $2)`, i, sum+1)
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var rows, sum int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), sum(n) FROM skew`).Scan(&rows, &sum); err != nil {
		t.Fatal(err)
	}
	// Serially, the second saw the first's row: 1 + 2.
	if rows != 2 || sum != 3 {
		t.Errorf("%d rows summing to %d, want 2 rows summing to 3 (as if one after the other)", rows, sum)
	}
	if retried.Load() < 1 {
		t.Error("no transaction was retried: the test did not make them collide")
	}
}

// Two transactions that lock two rows in opposite orders deadlock: PostgreSQL fails one with
// 40P01 (after deadlock_timeout), InTx runs it again once the other has committed.
func TestInTxRetriesDeadlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL); INSERT INTO pair VALUES (0, 0), (1, 0)`); err != nil {
		t.Fatal(err)
	}
	b := newBarrier()
	var retried atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.InTx(ctx, func(tx *postgres.Tx) error {
				if tx.Attempt() > 1 {
					retried.Add(1)
				}
				if _, err := tx.Exec(ctx, `UPDATE pair SET n = n + 1 WHERE id = $1`, i); err != nil {
					return err
				}
				b.meet(i, tx)
				_, err := tx.Exec(ctx, `UPDATE pair SET n = n + 1 WHERE id = $1`, 1-i)
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var a, c int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT n FROM pair WHERE id = 0), (SELECT n FROM pair WHERE id = 1)`).Scan(&a, &c); err != nil {
		t.Fatal(err)
	}
	if a != 2 || c != 2 {
		t.Errorf("rows at %d and %d, want 2 and 2 (each transaction applied once)", a, c)
	}
	if retried.Load() != 1 {
		t.Errorf("%d retries, want 1 (the deadlock's victim)", retried.Load())
	}
}

// A transaction that keeps failing on a serialization failure is given up after MaxAttempts; any
// other error is returned at once.
func TestInTxAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	calls := 0
	serialization := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	err := db.InTxWith(ctx, postgres.TxOptions{MaxAttempts: 3}, func(tx *postgres.Tx) error {
		calls++
		if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
			return err
		}
		return serialization
	})
	if !errors.Is(err, serialization) || calls != 3 {
		t.Errorf("got %v after %d calls, want the serialization failure after 3", err, calls)
	}
	calls = 0
	other := errors.New("refused")
	if err := db.InTx(ctx, func(*postgres.Tx) error { calls++; return other }); !errors.Is(err, other) || calls != 1 {
		t.Errorf("got %v after %d calls, want the error after 1", err, calls)
	}
	if !postgres.Retryable(&pgconn.PgError{Code: "40P01"}) || postgres.Retryable(&pgconn.PgError{Code: "23505"}) {
		t.Error("Retryable: only 40001 and 40P01")
	}
}

// SendFinal commits with the last batch; when a statement of it fails, nothing of the
// transaction stays, and the pool's connections are still usable.
func TestSendFinal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE final (id int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	run := func(first, last int) error {
		return db.InTx(ctx, func(tx *postgres.Tx) error {
			b := &pgx.Batch{}
			b.Queue(`INSERT INTO final VALUES ($1)`, first)
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
			b = &pgx.Batch{}
			b.Queue(`INSERT INTO final VALUES ($1)`, last)
			return tx.SendFinal(ctx, b)
		})
	}
	if err := run(1, 2); err != nil {
		t.Fatal(err)
	}
	if err := run(3, 1); err == nil {
		t.Fatal("a duplicate key in the final batch must fail the transaction")
	}
	var ids []int
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM final ORDER BY id`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Errorf("rows %v, want [1 2]: the failed transaction's first insert must be rolled back", ids)
	}
	// Nothing is left in a transaction on a pooled connection.
	for _, c := range db.Pool.AcquireAllIdle(ctx) {
		if st := c.Conn().PgConn().TxStatus(); st != 'I' {
			t.Errorf("a pooled connection is in transaction status %q", st)
		}
		c.Release()
	}
}
