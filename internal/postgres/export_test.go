package postgres

import (
	"context"
	"fmt"
)

// MigrateDownTo rolls back the migrations above version, for the tests of the migrations.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) (int, error) {
	p, sqldb, err := provider(db)
	if err != nil {
		return 0, err
	}
	defer sqldb.Close()
	res, err := p.DownTo(ctx, version)
	if err != nil {
		return len(res), fmt.Errorf("postgres: migrate down: %w", err)
	}
	return len(res), nil
}
