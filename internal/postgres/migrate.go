package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"plenary/migrations"
)

func provider(db *DB) (*goose.Provider, *sql.DB, error) {
	sqldb := stdlib.OpenDBFromPool(db.Pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.FS)
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
