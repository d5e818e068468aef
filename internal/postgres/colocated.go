package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// colocatedEventsTx reads a meeting's co-located events inside tx, in the order pages show them.
func colocatedEventsTx(ctx context.Context, tx pgx.Tx, meetingID int64) ([]domain.ColocatedEvent, error) {
	rows, _ := tx.Query(ctx, `SELECT id, title, first_day, last_day, url FROM colocated_events WHERE meeting_id = $1
		ORDER BY first_day, last_day, id`, meetingID)
	evs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.ColocatedEvent])
	if err != nil {
		return nil, fmt.Errorf("postgres: co-located events: %w", err)
	}
	return evs, nil
}

// ColocatedOf returns the co-located events each of the registrations attends.
func (db *DB) ColocatedOf(ctx context.Context, registrationIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(registrationIDs) == 0 {
		return out, nil
	}
	rows, _ := db.Pool.Query(ctx, `SELECT c.registration_id, c.colocated_event_id FROM registration_colocated_events c
		JOIN colocated_events e ON e.id = c.colocated_event_id
		WHERE c.registration_id = ANY($1) ORDER BY c.registration_id, e.first_day, e.last_day, e.id`, registrationIDs)
	var reg, ev int64
	_, err := pgx.ForEachRow(rows, []any{&reg, &ev}, func() error {
		out[reg] = append(out[reg], ev)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: co-located attendance: %w", err)
	}
	return out, nil
}

// ColocatedEvents reads a meeting's co-located events in the transaction.
func (t *Tx) ColocatedEvents(ctx context.Context, meetingID int64) ([]domain.ColocatedEvent, error) {
	return colocatedEventsTx(ctx, t, meetingID)
}

// OpenVisaState is the state of the registration's visa request not withdrawn ("" when none).
func (t *Tx) OpenVisaState(ctx context.Context, registrationID int64) (domain.VisaState, error) {
	var visa domain.VisaState
	err := t.QueryRow(ctx, `SELECT state FROM visa_requests WHERE registration_id = $1 AND state <> 'withdrawn'`, registrationID).Scan(&visa)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: visa of registration: %w", err)
	}
	return visa, nil
}

// SetColocated replaces the co-located events a registration attends, and its updated_at.
func (t *Tx) SetColocated(ctx context.Context, registrationID int64, eventIDs []int64, now time.Time) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM registration_colocated_events WHERE registration_id = $1`, []any{registrationID}},
		{`INSERT INTO registration_colocated_events (registration_id, colocated_event_id) SELECT $1, unnest($2::bigint[])`, []any{registrationID, eventIDs}},
		{`UPDATE registrations SET updated_at = $2 WHERE id = $1`, []any{registrationID, now}},
	} {
		if _, err := t.Exec(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("postgres: set co-located events: %w", err)
		}
	}
	return nil
}

var _ service.ColocatedTx = (*Tx)(nil)
