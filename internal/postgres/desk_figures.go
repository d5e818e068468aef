package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// FigureLines reads what the day's figures count (domain.CountCheckIns): a meeting's
// registrations approved in person, and every registration checked in at its entry (whatever
// became of it since), each with its first check-in there.
func (db *DB) FigureLines(ctx context.Context, meetingID int64) ([]domain.FigureLine, error) {
	rows, err := db.Pool.Query(ctx, `SELECT r.id, o.id, o.name, o.country, r.state = 'approved' AND r.mode = 'in_person', e.at
		FROM registrations r
		JOIN organisations o ON o.id = r.organisation_id
		LEFT JOIN LATERAL (SELECT min(s.scanned_at) AS at FROM scans s
			JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry' AND l.meeting_id = r.meeting_id
			WHERE s.registration_id = r.id AND s.outcome = 'accepted') e ON true
		WHERE r.meeting_id = $1 AND ((r.state = 'approved' AND r.mode = 'in_person') OR e.at IS NOT NULL)
		ORDER BY r.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: figure lines: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.FigureLine, error) {
		var l domain.FigureLine
		var at *time.Time
		err := row.Scan(&l.RegistrationID, &l.OrganisationID, &l.Organisation, &l.Country, &l.Expected, &at)
		if at != nil {
			u := at.UTC()
			l.CheckedInAt = &u
		}
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: figure lines: %w", err)
	}
	return out, nil
}
