package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// DeskPerson is a registration as the desk sees it (domain.DeskPerson).
type DeskPerson = domain.DeskPerson

const deskPersonSelect = `SELECT ` + registrationColumns + `, a.given_name || ' ' || a.family_name, o.name, o.names, o.kind, o.country,
		(SELECT count(*) FROM desk_tokens b WHERE b.registration_id = r.id AND b.kind = 'badge'),
		COALESCE((SELECT b.id FROM desk_tokens b WHERE b.registration_id = r.id AND b.kind = 'badge' AND b.revoked_at IS NULL), 0),
		e.id, e.scanned_at, e.recorded_at, e.desk, e.staff_id, e.device_id, e.list_id, e.token_id
	FROM registrations r
	JOIN accounts a ON a.id = r.account_id
	JOIN organisations o ON o.id = r.organisation_id
	LEFT JOIN LATERAL (SELECT s.id, s.scanned_at, s.recorded_at, s.desk, COALESCE(s.staff_id, 0) AS staff_id, COALESCE(s.device_id, 0) AS device_id,
			s.list_id, COALESCE(s.token_id, 0) AS token_id
		FROM scans s JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry' AND l.meeting_id = r.meeting_id
		WHERE s.registration_id = r.id AND s.outcome = 'accepted' ORDER BY s.scanned_at LIMIT 1) e ON true`

func scanDeskPerson(row pgx.CollectableRow) (DeskPerson, error) {
	var p DeskPerson
	r := &p.Registration
	var eid, staff, device, list, token *int64
	var at, rec *time.Time
	var desk *string
	err := row.Scan(&r.ID, &r.MeetingID, &r.AccountID, &r.OrganisationID, &r.Mode, &r.FunctionTitle, &r.Interpretation, &r.Fellowship,
		&r.Accessibility, &r.ListConsent, &r.State, &r.Late, &r.RegisteredBy, &r.DecidedBy, &r.DecidedAt, &r.CancelledBy, &r.Reason, &r.CreatedAt, &r.UpdatedAt,
		&p.Name, &p.Organisation, &p.OrgNames, &p.OrgKind, &p.Country, &p.Badges, &p.LiveBadge, &eid, &at, &rec, &desk, &staff, &device, &list, &token)
	if eid != nil {
		p.Entry = &domain.CheckIn{ID: *eid, RegistrationID: r.ID, Direction: domain.Entry, At: at.UTC(), RecordedAt: rec.UTC(),
			Desk: *desk, StaffID: *staff, DeviceID: *device, ListID: *list, TokenID: *token}
	}
	return p, err
}

// DeskPerson returns a registration of the meeting as the desk sees it.
func (db *DB) DeskPerson(ctx context.Context, meetingID, id int64) (DeskPerson, error) {
	rows, _ := db.Pool.Query(ctx, deskPersonSelect+` WHERE r.id = $1 AND r.meeting_id = $2`, id, meetingID)
	p, err := pgx.CollectExactlyOneRow(rows, scanDeskPerson)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.Errorf(domain.NotFound, "error.registration_not_found")
	}
	if err != nil {
		return p, fmt.Errorf("postgres: desk person: %w", err)
	}
	return p, nil
}

// SearchDesk finds a meeting's registrations by name or email (at most 30, live ones first).
func (db *DB) SearchDesk(ctx context.Context, meetingID int64, q string) ([]DeskPerson, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := "%" + escapeLike(q) + "%"
	rows, err := db.Pool.Query(ctx, deskPersonSelect+` WHERE r.meeting_id = $1 AND (a.email ILIKE $2
			OR (a.given_name || ' ' || a.family_name) ILIKE $2 OR (a.family_name || ' ' || a.given_name) ILIKE $2)
		ORDER BY r.state IN ('approved', 'pending') DESC, a.family_name, a.given_name, r.id LIMIT 30`, meetingID, like)
	if err != nil {
		return nil, fmt.Errorf("postgres: desk search: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDeskPerson)
	if err != nil {
		return nil, fmt.Errorf("postgres: desk search: %w", err)
	}
	return out, nil
}

// TokenRevoked reports whether a token was revoked (an unknown one counts as revoked).
func (db *DB) TokenRevoked(ctx context.Context, id int64) (bool, error) {
	var revoked bool
	err := db.Pool.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM desk_tokens WHERE id = $1`, id).Scan(&revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: token revoked: %w", err)
	}
	return revoked, nil
}
