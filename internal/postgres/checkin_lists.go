package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"plenary/internal/domain"
)

// The check-in lists the secretariat sets (migration 00270) and their counts.

// CheckInLists returns a meeting's lists, its entry first (made on first use), then in the order
// they were made.
func (t *Tx) CheckInLists(ctx context.Context, meetingID int64) ([]domain.CheckInList, error) {
	if _, err := entryList(ctx, t, meetingID); err != nil {
		return nil, err
	}
	return checkInLists(ctx, t, meetingID)
}

func checkInLists(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, meetingID int64) ([]domain.CheckInList, error) {
	rows, _ := q.Query(ctx, `SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.meeting_id = $1
		ORDER BY l.kind <> 'entry', l.id`, meetingID)
	out, err := pgx.CollectRows(rows, scanCheckInList)
	if err != nil {
		return nil, fmt.Errorf("postgres: check-in lists: %w", err)
	}
	return out, nil
}

// LockCheckInList reads a list for update.
func (t *Tx) LockCheckInList(ctx context.Context, id int64) (domain.CheckInList, error) {
	rows, _ := t.Query(ctx, `SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.id = $1 FOR UPDATE`, id)
	l, err := pgx.CollectExactlyOneRow(rows, scanCheckInList)
	if err != nil {
		return l, notFound(err, "error.not_found")
	}
	return l, nil
}

// SaveCheckInList stores a new list (before nil) or a list's new settings, with an event in the
// meeting's history saying what changed (nothing is written when nothing did). A second list for
// a co-located event, made at the same moment, is refused beside the field.
func (t *Tx) SaveCheckInList(ctx context.Context, a Audit, before *domain.CheckInList, l domain.CheckInList) (domain.CheckInList, error) {
	var event *int64
	if l.EventID != 0 {
		event = &l.EventID
	}
	name := l.Name
	if name == nil {
		name = domain.Text{}
	}
	action := "checkin_list.create"
	var err error
	if before == nil {
		err = t.QueryRow(ctx, `INSERT INTO checkin_lists (meeting_id, kind, name, colocated_event_id, multi_entry, exits)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.MeetingID, string(l.Kind), name, event, l.MultiEntry, l.Exits).Scan(&l.ID)
	} else {
		if before.Name.Equal(l.Name) && before.MultiEntry == l.MultiEntry && before.Exits == l.Exits {
			return l, nil
		}
		action = "checkin_list.edit"
		_, err = t.Exec(ctx, `UPDATE checkin_lists SET name = $2, multi_entry = $3, exits = $4, updated_at = now() WHERE id = $1`,
			l.ID, name, l.MultiEntry, l.Exits)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return l, domain.FieldErrors(map[string]string{domain.FieldListEvent: "checkin.event_taken"})
	}
	if err != nil {
		return l, fmt.Errorf("postgres: save check-in list: %w", err)
	}
	detail := map[string]any{"list": l.ID, "kind": l.Kind, "name": name, "multi_entry": l.MultiEntry, "exits": l.Exits}
	if l.EventID != 0 {
		detail["colocated_event"] = l.EventID
	}
	if before != nil {
		detail["before"] = map[string]any{"name": before.Name, "multi_entry": before.MultiEntry, "exits": before.Exits}
	}
	return l, audit(ctx, t, a, action, "meeting", l.MeetingID, detail)
}

// CheckInFigures returns the counts of a meeting's lists, by list id: entries and exits counted,
// and the people whose last counted scan (by its own time) is an entry.
func (t *Tx) CheckInFigures(ctx context.Context, meetingID int64) (map[int64]domain.ListFigures, error) {
	return checkInFigures(ctx, t, meetingID)
}

func checkInFigures(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, meetingID int64) (map[int64]domain.ListFigures, error) {
	rows, _ := q.Query(ctx, `WITH counted AS (
			SELECT s.list_id, s.registration_id, s.direction, s.scanned_at, s.id FROM scans s
			JOIN checkin_lists l ON l.id = s.list_id
			WHERE l.meeting_id = $1 AND s.outcome = 'accepted'),
		last AS (
			SELECT DISTINCT ON (list_id, registration_id) list_id, direction FROM counted
			ORDER BY list_id, registration_id, scanned_at DESC, id DESC)
		SELECT c.list_id, count(*) FILTER (WHERE c.direction = 'in'), count(*) FILTER (WHERE c.direction = 'out'),
			(SELECT count(*) FROM last WHERE last.list_id = c.list_id AND last.direction = 'in')
		FROM counted c GROUP BY c.list_id`, meetingID)
	out := map[int64]domain.ListFigures{}
	var id int64
	var f domain.ListFigures
	_, err := pgx.ForEachRow(rows, []any{&id, &f.Entries, &f.Exits, &f.Inside}, func() error {
		out[id] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: check-in figures: %w", err)
	}
	return out, nil
}

// MeetingColocated returns a meeting's co-located events.
func (t *Tx) MeetingColocated(ctx context.Context, meetingID int64) ([]domain.ColocatedEvent, error) {
	return colocatedEventsTx(ctx, t, meetingID)
}
