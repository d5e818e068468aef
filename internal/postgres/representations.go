package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
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

// AddRepresentation adds a representation to the list, by the secretariat, with an audit event.
func (db *DB) AddRepresentation(ctx context.Context, a Audit, actor domain.Actor, r domain.Representation) (int64, error) {
	if !actor.Can(domain.ManageVisas) {
		return 0, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if err := domain.CheckRepresentation(r); err != nil {
		return 0, err
	}
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO swiss_representations (country, city, kind) VALUES ($1, $2, $3)
			ON CONFLICT (country, city, kind) DO NOTHING RETURNING id`, r.Country, r.City, string(r.Kind)).Scan(&id)
		if err == pgx.ErrNoRows {
			return domain.FieldErrors(map[string]string{"city": "error.representation_exists"})
		}
		if err != nil {
			return fmt.Errorf("postgres: add representation: %w", err)
		}
		return audit(ctx, tx, a, "representation.add", "swiss_representation", id,
			map[string]any{"country": r.Country, "city": r.City, "kind": r.Kind})
	})
	return id, err
}

// SetRepresentationActive offers a representation again or no longer (requests that name it
// keep it), by the secretariat, with an audit event.
func (db *DB) SetRepresentationActive(ctx context.Context, a Audit, actor domain.Actor, id int64, active bool) error {
	if !actor.Can(domain.ManageVisas) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE swiss_representations SET active = $2 WHERE id = $1`, id, active)
		if err != nil {
			return fmt.Errorf("postgres: representation: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.NotFound, "error.not_found")
		}
		return audit(ctx, tx, a, "representation.active", "swiss_representation", id, map[string]any{"active": active})
	})
}
