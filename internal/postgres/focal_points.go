package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// FocalPointIDs returns the accounts that are focal points of an organisation, in id order.
func (db *DB) FocalPointIDs(ctx context.Context, org int64) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT account_id FROM focal_points WHERE organisation_id = $1 ORDER BY account_id`, org)
	if err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	return ids, nil
}
