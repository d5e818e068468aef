package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// Check-in lists and scans (migrations 00181, 00270).

const checkInListColumns = `l.id, l.meeting_id, l.kind, l.name, COALESCE(l.colocated_event_id, 0), l.multi_entry, l.exits`

func scanCheckInList(row pgx.CollectableRow) (domain.CheckInList, error) {
	var l domain.CheckInList
	var kind string
	err := row.Scan(&l.ID, &l.MeetingID, &kind, &l.Name, &l.EventID, &l.MultiEntry, &l.Exits)
	l.Kind = domain.CheckInListKind(kind)
	return l, err
}

// EntryList returns the meeting's entry list, made on first use.
func (t *Tx) EntryList(ctx context.Context, meetingID int64) (domain.CheckInList, error) {
	return entryList(ctx, t, meetingID)
}

func entryList(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, meetingID int64) (domain.CheckInList, error) {
	rows, _ := q.Query(ctx, `WITH made AS (
			INSERT INTO checkin_lists (meeting_id, kind) SELECT $1, 'entry'
			WHERE NOT EXISTS (SELECT 1 FROM checkin_lists WHERE meeting_id = $1 AND kind = 'entry')
			ON CONFLICT DO NOTHING RETURNING `+checkInListColumnsBare+`)
		SELECT * FROM made UNION ALL
		SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.meeting_id = $1 AND l.kind = 'entry'`, meetingID)
	lists, err := pgx.CollectRows(rows, scanCheckInList)
	if err != nil {
		return domain.CheckInList{}, fmt.Errorf("postgres: entry list: %w", err)
	}
	if len(lists) == 0 {
		// Made at the same moment by another transaction, which this statement could not see.
		rows, _ := q.Query(ctx, `SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.meeting_id = $1 AND l.kind = 'entry'`, meetingID)
		if lists, err = pgx.CollectRows(rows, scanCheckInList); err != nil {
			return domain.CheckInList{}, fmt.Errorf("postgres: entry list: %w", err)
		}
	}
	if len(lists) == 0 {
		return domain.CheckInList{}, domain.Errorf(domain.NotFound, "error.meeting_not_found")
	}
	return lists[0], nil
}

const checkInListColumnsBare = `id, meeting_id, kind, name, COALESCE(colocated_event_id, 0), multi_entry, exits`

// CheckInList reads a list.
func (t *Tx) CheckInList(ctx context.Context, id int64) (domain.CheckInList, error) {
	rows, _ := t.Query(ctx, `SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.id = $1`, id)
	l, err := pgx.CollectExactlyOneRow(rows, scanCheckInList)
	if err != nil {
		return l, notFound(err, "error.not_found")
	}
	return l, nil
}

const checkInColumns = `s.id, s.list_id, s.registration_id, COALESCE(s.token_id, 0), s.direction, s.scanned_at, s.recorded_at, s.desk,
	COALESCE(s.staff_id, 0), COALESCE(s.device_id, 0)`

func scanCheckIn(row pgx.CollectableRow) (domain.CheckIn, error) {
	var c domain.CheckIn
	var dir string
	err := row.Scan(&c.ID, &c.ListID, &c.RegistrationID, &c.TokenID, &dir, &c.At, &c.RecordedAt, &c.Desk, &c.StaffID, &c.DeviceID)
	c.Direction = domain.Direction(dir)
	c.At, c.RecordedAt = c.At.UTC(), c.RecordedAt.UTC()
	return c, err
}

// AcceptedScans returns a registration's counted scans of a list, in time order.
func (t *Tx) AcceptedScans(ctx context.Context, listID, registrationID int64) ([]domain.CheckIn, error) {
	return acceptedScans(ctx, t, listID, registrationID)
}

func acceptedScans(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, listID, registrationID int64) ([]domain.CheckIn, error) {
	rows, err := q.Query(ctx, `SELECT `+checkInColumns+` FROM scans s
		WHERE s.list_id = $1 AND s.registration_id = $2 AND s.outcome = 'accepted' ORDER BY s.scanned_at, s.id`, listID, registrationID)
	if err != nil {
		return nil, fmt.Errorf("postgres: accepted scans: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanCheckIn)
	if err != nil {
		return nil, fmt.Errorf("postgres: accepted scans: %w", err)
	}
	return out, nil
}

// RegistrationEvents returns the co-located events a registration attends.
func (t *Tx) RegistrationEvents(ctx context.Context, registrationID int64) ([]int64, error) {
	rows, _ := t.Query(ctx, `SELECT colocated_event_id FROM registration_colocated_events WHERE registration_id = $1 ORDER BY 1`, registrationID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: registration events: %w", err)
	}
	return ids, nil
}

// ScanAnswer returns the first answer given to client's nonce, if any.
func (t *Tx) ScanAnswer(ctx context.Context, client, nonce string) ([]byte, bool, error) {
	var answer []byte
	err := t.QueryRow(ctx, `SELECT answer FROM scans WHERE client = $1 AND nonce = $2`, client, nonce).Scan(&answer)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: scan answer: %w", err)
	}
	return answer, true, nil
}

// FinishScan stores a scan with its outcome and, when it has a nonce, the answer a replay gets
// (with the scan's id), audited with the desk, the staff member and the device, and commits the
// transaction with it: scan, audit event and COMMIT in one round trip. It is a scan's last
// statement.
func (t *Tx) FinishScan(ctx context.Context, a Audit, s service.ScanRecord) (int64, error) {
	var reg, tok, staff, device *int64
	if s.Registration != 0 {
		reg = &s.Registration
	}
	if s.Token != 0 {
		tok = &s.Token
	}
	if s.StaffID != 0 {
		staff = &s.StaffID
	}
	if s.DeviceID != 0 {
		device = &s.DeviceID
	}
	var nonce *string
	if s.Nonce != "" {
		nonce = &s.Nonce
	}
	var actor *int64
	if a.ActorID != 0 {
		actor = &a.ActorID
	}
	detail := map[string]any{"list": s.List.ID, "outcome": s.Outcome, "direction": s.Direction, "desk": s.Desk,
		"scanned_at": s.At, "staff": s.StaffID}
	if s.DeviceID != 0 {
		detail["device"] = s.DeviceID
	}
	if s.Refusal != "" {
		detail["refusal"] = s.Refusal
	}
	if s.Token != 0 {
		detail["token"] = s.Token
	}
	var id int64
	b := &pgx.Batch{}
	// The audit event names the registration, or the scan when it names none (a code that is
	// not a token of the portal).
	b.Queue(`WITH n AS (SELECT nextval('scans_id_seq') AS id),
		s AS (INSERT INTO scans (id, list_id, registration_id, token_id, direction, outcome, refusal, scanned_at, recorded_at,
				desk, staff_id, device_id, client, nonce, answer, single)
			SELECT n.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
				CASE WHEN $13::text IS NULL THEN NULL ELSE jsonb_set($14::jsonb, '{scan}', to_jsonb(n.id)) END, $15
			FROM n RETURNING id),
		e AS (INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
			SELECT $16, 'scan.record', CASE WHEN $2::bigint IS NULL THEN 'scan' ELSE 'registration' END, COALESCE($2::bigint, s.id),
				$17::jsonb || jsonb_build_object('scan', s.id), $18, $19 FROM s)
		SELECT id FROM s`,
		s.List.ID, reg, tok, string(s.Direction), string(s.Outcome), s.Refusal, s.At, s.Recorded,
		s.Desk, staff, device, s.Client, nonce, s.Answer, !s.List.MultiEntry,
		actor, detail, a.RemoteAddr, a.RequestID).QueryRow(func(row pgx.Row) error { return row.Scan(&id) })
	err := t.SendFinal(ctx, b)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, domain.Errorf(domain.Conflict, "desk.scan_replay")
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: record scan: %w", err)
	}
	return id, nil
}

// ScanFacts reads what a scan is judged by, in one round trip: the first answer given to the
// nonce, the list (the meeting's entry when none is named), whether the token was revoked, the
// registration (locked, before its counted scans are read, so that desks scanning the same
// person at once are judged one after the other), its counted scans on the list, the co-located
// events it attends (for a list other than the entry) and who it is. The entry list not made yet
// is made here, at the cost of a few more statements, once per meeting.
func (t *Tx) ScanFacts(ctx context.Context, q service.ScanQuery) (service.ScanFacts, error) {
	var f service.ScanFacts
	b := &pgx.Batch{}
	if q.Nonce != "" {
		b.Queue(`SELECT answer FROM scans WHERE client = $1 AND nonce = $2`, q.Client, q.Nonce).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&f.Answer); err != nil {
					return err
				}
				f.Answered = true
			}
			return rows.Err()
		})
	}
	listOf := func(rows pgx.Rows) error {
		lists, err := pgx.CollectRows(rows, scanCheckInList)
		if len(lists) > 0 {
			f.List, f.ListFound = lists[0], true
		}
		return err
	}
	// The list's id, for the scans' statement: named, or the meeting's entry.
	listSQL, listArg := `$1::bigint`, any(q.ListID)
	if q.ListID == 0 {
		b.Queue(`SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.meeting_id = $1 AND l.kind = 'entry'`, q.MeetingID).Query(listOf)
		listSQL, listArg = `(SELECT id FROM checkin_lists WHERE meeting_id = $1 AND kind = 'entry')`, q.MeetingID
	} else {
		b.Queue(`SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.id = $1`, q.ListID).Query(listOf)
	}
	if q.TokenID != 0 {
		// An unknown token counts as revoked.
		b.Queue(`SELECT NOT EXISTS (SELECT 1 FROM desk_tokens WHERE id = $1 AND revoked_at IS NULL)`, q.TokenID).QueryRow(func(row pgx.Row) error {
			return row.Scan(&f.TokenRevoked)
		})
	}
	if q.RegistrationID != 0 {
		b.Queue(`SELECT `+registrationColumns+` FROM registrations r WHERE r.id = $1 FOR UPDATE`, q.RegistrationID).Query(func(rows pgx.Rows) error {
			regs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Registration])
			if len(regs) > 0 {
				f.Registration = &regs[0]
			}
			return err
		})
		b.Queue(`SELECT `+checkInColumns+` FROM scans s
			WHERE s.list_id = `+listSQL+` AND s.registration_id = $2 AND s.outcome = 'accepted' ORDER BY s.scanned_at, s.id`,
			listArg, q.RegistrationID).Query(func(rows pgx.Rows) (err error) {
			f.Counted, err = pgx.CollectRows(rows, scanCheckIn)
			return err
		})
		if q.ListID != 0 {
			b.Queue(`SELECT colocated_event_id FROM registration_colocated_events WHERE registration_id = $1 ORDER BY 1`, q.RegistrationID).Query(func(rows pgx.Rows) (err error) {
				f.Events, err = pgx.CollectRows(rows, pgx.RowTo[int64])
				return err
			})
		}
		b.Queue(`SELECT a.given_name || ' ' || a.family_name, o.name, o.country, r.mode, r.state
			FROM registrations r JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.organisation_id
			WHERE r.id = $1`, q.RegistrationID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var p service.ScanPerson
				if err := rows.Scan(&p.Name, &p.Organisation, &p.Country, &p.Mode, &p.State); err != nil {
					return err
				}
				f.Person = &p
			}
			return rows.Err()
		})
	}
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return f, fmt.Errorf("postgres: scan facts: %w", err)
	}
	if !f.ListFound && q.ListID == 0 {
		// The meeting's first scan: its entry list is made now.
		l, err := t.EntryList(ctx, q.MeetingID)
		if err != nil {
			return f, err
		}
		f.List, f.ListFound = l, true
	}
	return f, nil
}

// TokenRevoked reports whether a token was revoked (an unknown token counts as revoked).
func (t *Tx) TokenRevoked(ctx context.Context, id int64) (bool, error) {
	var revoked bool
	err := t.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM desk_tokens WHERE id = $1`, id).Scan(&revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: token revoked: %w", err)
	}
	return revoked, nil
}

// ScanPerson returns who a registration is, as a scan's answer names them; nil when unknown.
func (t *Tx) ScanPerson(ctx context.Context, registrationID int64) (*service.ScanPerson, error) {
	var p service.ScanPerson
	err := t.QueryRow(ctx, `SELECT a.given_name || ' ' || a.family_name, o.name, o.country, r.mode, r.state
		FROM registrations r JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.organisation_id
		WHERE r.id = $1`, registrationID).Scan(&p.Name, &p.Organisation, &p.Country, &p.Mode, &p.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: scan person: %w", err)
	}
	return &p, nil
}
