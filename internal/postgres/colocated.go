package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
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

// SetColocated replaces the co-located events a registration attends, after the domain's checks
// (ChangeColocated), with an audit event, in one transaction. It returns the events now chosen.
func (db *DB) SetColocated(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, ids []int64, now time.Time) ([]int64, error) {
	var out []int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		regs, err := lockRegistrations(ctx, tx, []int64{registrationID})
		if err != nil {
			return err
		}
		if len(regs) == 0 || !domain.CanView(actor, regs[0]) {
			return domain.Errorf(domain.NotFound, "error.registration_not_found")
		}
		reg := regs[0]
		m, err := meetingTx(ctx, tx, reg.MeetingID)
		if err != nil {
			return err
		}
		evs, err := colocatedEventsTx(ctx, tx, reg.MeetingID)
		if err != nil {
			return err
		}
		var visa domain.VisaState
		err = tx.QueryRow(ctx, `SELECT state FROM visa_requests WHERE registration_id = $1 AND state <> 'withdrawn'`, reg.ID).Scan(&visa)
		if err != nil && err != pgx.ErrNoRows {
			return fmt.Errorf("postgres: visa of registration: %w", err)
		}
		out, err = domain.ChangeColocated(domain.ColocatedChange{Actor: actor, Registration: reg, Meeting: m, Events: evs, Visa: visa, Now: now}, ids)
		if err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM registration_colocated_events WHERE registration_id = $1`, []any{reg.ID}},
			{`INSERT INTO registration_colocated_events (registration_id, colocated_event_id) SELECT $1, unnest($2::bigint[])`, []any{reg.ID, out}},
			{`UPDATE registrations SET updated_at = $2 WHERE id = $1`, []any{reg.ID, now}},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("postgres: set co-located events: %w", err)
			}
		}
		return audit(ctx, tx, a, "registration.colocated", "registration", reg.ID, map[string]any{"colocated_events": out})
	})
	return out, err
}
