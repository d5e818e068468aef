package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// PendingRegistrationIDs returns the ids of the pending registrations matching f (its State is
// ignored) that were already pending at asOf, for "approve all those the list showed": one
// registered or sent back to pending after the list was shown is left for the next look.
func (db *DB) PendingRegistrationIDs(ctx context.Context, actor domain.Actor, f RegistrationFilter, asOf time.Time) ([]int64, error) {
	f, err := scoped(actor, f)
	if err != nil {
		return nil, err
	}
	f.State = domain.Pending
	where, args := registrationWhere(f, true)
	args = append(args, asOf)
	q := `SELECT r.id FROM registrations r JOIN accounts a ON a.id = r.account_id` + where +
		fmt.Sprintf(` AND r.updated_at <= $%d ORDER BY r.id`, len(args))
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending registrations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: pending registrations: %w", err)
	}
	return ids, nil
}

// EachParticipant streams the list of participants of a meeting made on basis to fn, by
// organisation and name: the approved registrations of delegates who consented to appear in it;
// on the check-ins, of those in person only the ones checked in at the meeting's entry (the
// rule of domain.Listed).
func (db *DB) EachParticipant(ctx context.Context, actor domain.Actor, meetingID int64, basis domain.ParticipantBasis, fn func(RegistrationLine) error) error {
	if !domain.CanListParticipants(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return eachRow(ctx, db, "participants", registrationLineSelect+` WHERE r.meeting_id = $1 AND r.state = 'approved' AND r.list_consent
			AND ($2 <> 'checked-in' OR r.mode = 'remote' OR EXISTS (SELECT 1 FROM scans s
				JOIN checkin_lists l ON l.id = s.list_id AND l.kind = 'entry' AND l.meeting_id = r.meeting_id
				WHERE s.registration_id = r.id AND s.outcome = 'accepted'))
		ORDER BY lower(o.name), o.id, lower(a.family_name), lower(a.given_name), r.id`, []any{meetingID, string(basis)}, fn)
}

// Participants returns the list of participants of a meeting, as EachParticipant streams it.
func (db *DB) Participants(ctx context.Context, actor domain.Actor, meetingID int64, basis domain.ParticipantBasis) ([]RegistrationLine, error) {
	var out []RegistrationLine
	err := db.EachParticipant(ctx, actor, meetingID, basis, func(l RegistrationLine) error {
		out = append(out, l)
		return nil
	})
	return out, err
}
