package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
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

// RegistrationNames returns the delegate's name of each registration of ids the actor may see,
// in the order of the lists sorted by name.
func (db *DB) RegistrationNames(ctx context.Context, actor domain.Actor, ids []int64) ([]string, error) {
	rows, _ := db.Pool.Query(ctx, registrationLineSelect+` WHERE r.id = ANY($1) ORDER BY a.family_name, a.given_name, r.id`, ids)
	lines, err := pgx.CollectRows(rows, pgx.RowToStructByName[RegistrationLine])
	if err != nil {
		return nil, fmt.Errorf("postgres: registration names: %w", err)
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if domain.CanView(actor, l.Registration) {
			out = append(out, l.Name())
		}
	}
	return out, nil
}
