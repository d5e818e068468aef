package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"plenary/migrations"
)

// provider is goose over the store's pool. Instances started together (`serve --migrate`) take
// turns: goose's lock is a row of a table with a lease (goose_lock), not a session-level advisory
// lock, so it holds through a transaction pooler too, and one left by a killed process expires
// after 30 s.
func provider(db *DB) (*goose.Provider, *sql.DB, error) {
	sqldb := stdlib.OpenDBFromPool(db.Pool)
	locker, err := lock.NewPostgresTableLocker(lock.WithTableLockTimeout(250*time.Millisecond, 1200))
	if err != nil {
		sqldb.Close()
		return nil, nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.FS, goose.WithLocker(locker),
		// Features land in their own number ranges, so a database migrated before a lower-numbered
		// migration landed applies it late rather than refusing to start.
		goose.WithAllowOutofOrder(true))
	if err != nil {
		sqldb.Close()
		return nil, nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, sqldb, nil
}

// Migrate applies every pending migration, each in its own transaction.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, sqldb, err := provider(db)
	if err != nil {
		return 0, err
	}
	defer sqldb.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("postgres: migrate: %w", err)
	}
	return len(res), nil
}

// Pending returns how many migrations the database lacks.
func (db *DB) Pending(ctx context.Context) (int, error) {
	p, sqldb, err := provider(db)
	if err != nil {
		return 0, err
	}
	defer sqldb.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: migration status: %w", err)
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}
