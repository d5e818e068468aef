package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

var _ service.MeetingTx = (*Tx)(nil)

// LockMeeting reads a meeting with everything its pages show, its row locked for update, so that
// a change decided on what was read applies to it.
func (t *Tx) LockMeeting(ctx context.Context, id int64) (*domain.MeetingDetail, error) {
	rows, err := t.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = $1 FOR UPDATE`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock meeting: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Meeting])
	if err != nil {
		return nil, notFound(err, "error.meeting_not_found")
	}
	d := &domain.MeetingDetail{Meeting: m}
	if err := fillDetailWith(ctx, t, d); err != nil {
		return nil, err
	}
	return d, nil
}

// SetMeetingState stores a meeting's state (and, when publishing, when), and tells every instance
// that its pages changed.
func (t *Tx) SetMeetingState(ctx context.Context, id int64, state domain.MeetingState, at time.Time) error {
	if _, err := t.Exec(ctx, `UPDATE meetings SET state = $2,
			published_at = CASE WHEN $2 = 'published' THEN $3 ELSE published_at END WHERE id = $1`, id, string(state), at); err != nil {
		return fmt.Errorf("postgres: meeting state: %w", err)
	}
	return bumpMeeting(ctx, t, id)
}
