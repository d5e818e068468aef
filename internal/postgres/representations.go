package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// Representations returns the Swiss representations by country and city (only the active ones
// unless all).
func (db *DB) Representations(ctx context.Context, all bool) ([]domain.Representation, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, country, city, kind, active FROM swiss_representations
		WHERE active OR $1 ORDER BY country, kind DESC, city`, all)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Representation])
	if err != nil {
		return nil, fmt.Errorf("postgres: representations: %w", err)
	}
	return out, nil
}

var (
	_ service.RepresentationTx    = (*Tx)(nil)
	_ service.RepresentationReads = (*DB)(nil)
)

// AddRepresentation stores a representation; false when the same one is listed already.
func (t *Tx) AddRepresentation(ctx context.Context, r domain.Representation) (int64, bool, error) {
	var id int64
	err := t.QueryRow(ctx, `INSERT INTO swiss_representations (country, city, kind) VALUES ($1, $2, $3)
		ON CONFLICT (country, city, kind) DO NOTHING RETURNING id`, r.Country, r.City, string(r.Kind)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("postgres: add representation: %w", err)
	}
	return id, true, nil
}

// SetRepresentationActive offers a representation again or no longer.
func (t *Tx) SetRepresentationActive(ctx context.Context, id int64, active bool) error {
	tag, err := t.Exec(ctx, `UPDATE swiss_representations SET active = $2 WHERE id = $1`, id, active)
	if err != nil {
		return fmt.Errorf("postgres: representation: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.NotFound, "error.not_found")
	}
	return nil
}
