package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// RowEdit is one row of a list the secretariat edits in one form (domain.RowEdit).
type RowEdit[T any] = domain.RowEdit[T]

// rowSQL holds the statements that apply one kind of row edit; each takes the meeting id as $1
// and the row id as $2 (update, delete) followed by the row's values.
type rowSQL[T any] struct {
	entity string
	insert string
	update string
	delete string
	args   func(T) []any
}

// applyRows runs the row edits in tx; a row updated or removed that is no longer there refuses
// the whole save (someone removed it meanwhile).
func applyRows[T any](ctx context.Context, tx pgx.Tx, meetingID int64, q rowSQL[T], rows []RowEdit[T]) error {
	for _, r := range rows {
		var err error
		var n int64
		switch {
		case r.ID == 0 && r.Delete:
			continue
		case r.ID == 0:
			_, err = tx.Exec(ctx, q.insert, append([]any{meetingID}, q.args(r.Value)...)...)
			n = 1
		case r.Delete:
			t, e := tx.Exec(ctx, q.delete, meetingID, r.ID)
			err, n = e, t.RowsAffected()
		default:
			t, e := tx.Exec(ctx, q.update, append([]any{meetingID, r.ID}, q.args(r.Value)...)...)
			err, n = e, t.RowsAffected()
		}
		if err != nil {
			return fmt.Errorf("postgres: save %s: %w", q.entity, err)
		}
		if n == 0 {
			return domain.Errorf(domain.Conflict, "error.row_gone")
		}
	}
	return nil
}

var sessionSQL = rowSQL[domain.Session]{
	entity: "sessions",
	insert: `INSERT INTO meeting_sessions (meeting_id, working_party_id, starts_at, ends_at, room) VALUES ($1, $2, $3, $4, $5)`,
	update: `UPDATE meeting_sessions SET working_party_id = $3, starts_at = $4, ends_at = $5, room = $6 WHERE meeting_id = $1 AND id = $2`,
	delete: `DELETE FROM meeting_sessions WHERE meeting_id = $1 AND id = $2`,
	args:   func(s domain.Session) []any { return []any{s.WorkingPartyID, s.StartsAt, s.EndsAt, s.Room} },
}

var deskSQL = rowSQL[domain.DeskOpening]{
	entity: "desk_openings",
	insert: `INSERT INTO desk_openings (meeting_id, opens_at, closes_at) VALUES ($1, $2, $3)`,
	update: `UPDATE desk_openings SET opens_at = $3, closes_at = $4 WHERE meeting_id = $1 AND id = $2`,
	delete: `DELETE FROM desk_openings WHERE meeting_id = $1 AND id = $2`,
	args:   func(d domain.DeskOpening) []any { return []any{d.OpensAt, d.ClosesAt} },
}

var colocatedSQL = rowSQL[domain.ColocatedEvent]{
	entity: "colocated_events",
	insert: `INSERT INTO colocated_events (meeting_id, title, first_day, last_day, url) VALUES ($1, $2, $3, $4, $5)`,
	update: `UPDATE colocated_events SET title = $3, first_day = $4, last_day = $5, url = $6 WHERE meeting_id = $1 AND id = $2`,
	delete: `DELETE FROM colocated_events WHERE meeting_id = $1 AND id = $2`,
	args:   func(e domain.ColocatedEvent) []any { return []any{e.Title, e.FirstDay, e.LastDay, e.URL} },
}

var agendaSQL = rowSQL[domain.AgendaItem]{
	entity: "agenda_items",
	insert: `INSERT INTO agenda_items (meeting_id, working_party_id, position, title, holds) VALUES ($1, $2, $3, $4, $5)`,
	update: `UPDATE agenda_items SET working_party_id = $3, position = $4, title = $5, holds = $6 WHERE meeting_id = $1 AND id = $2`,
	delete: `DELETE FROM agenda_items WHERE meeting_id = $1 AND id = $2`,
	args: func(i domain.AgendaItem) []any {
		return []any{i.WorkingPartyID, i.Position, i.Title, i.Holds}
	},
}

var workItemSQL = rowSQL[domain.WorkItem]{
	entity: "work_items",
	insert: `INSERT INTO work_items (meeting_id, working_party_id, question_id, acronym, title, kind, action, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
	update: `UPDATE work_items SET working_party_id = $3, question_id = $4, acronym = $5, title = $6, kind = $7, action = $8, position = $9 WHERE meeting_id = $1 AND id = $2`,
	delete: `DELETE FROM work_items WHERE meeting_id = $1 AND id = $2`,
	args: func(w domain.WorkItem) []any {
		return []any{w.WorkingPartyID, w.QuestionID, w.Acronym, w.Title, string(w.Kind), string(w.Action), w.Position}
	},
}
