package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

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

// scanDetail is a scan's audit event's detail (with "scan", its id, added in SQL).
type scanDetail struct {
	List      int64              `json:"list"`
	Outcome   domain.ScanOutcome `json:"outcome"`
	Direction domain.Direction   `json:"direction"`
	Desk      string             `json:"desk"`
	ScannedAt time.Time          `json:"scanned_at"`
	Staff     int64              `json:"staff"`
	Device    int64              `json:"device,omitempty"`
	Refusal   string             `json:"refusal,omitempty"`
	Token     int64              `json:"token,omitempty"`
}

// FinishScans stores the scans of a batch with their outcomes and, for those with a nonce, the
// answer a replay gets (without the scan's id: the row's own, which ScanFacts reads with it, so
// that no JSON is rewritten per scan), each audited with its desk, staff member and device
// (and its own request's actor, address and id), and commits the transaction with them: every
// scan, every audit event and COMMIT in one round trip, one statement whatever the number of
// scans. It returns the scans' ids in the order given, and is a batch's last statement. A nonce
// recorded meanwhile by another transaction fails the whole batch with "desk.scan_replay".
func (t *Tx) FinishScans(ctx context.Context, audits []Audit, recs []service.ScanRecord) ([]int64, error) {
	n := len(recs)
	if len(audits) != n {
		return nil, fmt.Errorf("postgres: record scans: %d audits for %d scans", len(audits), n)
	}
	var (
		list                             = make([]int64, n)
		reg, tok, staff, device, actor   = make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n)
		dir, outcome, refusal, desk, cli = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		nonce, answer                    = make([]*string, n), make([]*string, n)
		at, recorded                     = make([]time.Time, n), make([]time.Time, n)
		single                           = make([]bool, n)
		detail, addr, request            = make([]string, n), make([]string, n), make([]string, n)
	)
	some := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	for i, s := range recs {
		list[i], reg[i], tok[i], staff[i], device[i], actor[i] = s.List.ID, some(s.Registration), some(s.Token), some(s.StaffID), some(s.DeviceID), some(audits[i].ActorID)
		dir[i], outcome[i], refusal[i], desk[i], cli[i] = string(s.Direction), string(s.Outcome), s.Refusal, s.Desk, s.Client
		if s.Nonce != "" {
			nonce[i] = &s.Nonce
			a := string(s.Answer)
			answer[i] = &a
		}
		at[i], recorded[i], single[i] = s.At, s.Recorded, !s.List.MultiEntry
		j, err := json.Marshal(scanDetail{List: s.List.ID, Outcome: s.Outcome, Direction: s.Direction, Desk: s.Desk, ScannedAt: s.At,
			Staff: s.StaffID, Device: s.DeviceID, Refusal: s.Refusal, Token: s.Token})
		if err != nil {
			return nil, fmt.Errorf("postgres: record scans: %w", err)
		}
		detail[i], addr[i], request[i] = string(j), audits[i].RemoteAddr, audits[i].RequestID
	}
	ids := make([]int64, 0, n)
	b := &pgx.Batch{}
	// Each scan takes its id first (in the order given), for its answer and its audit event. The
	// audit event names the registration, or the scan when it names none (a code that is not a
	// token of the portal).
	b.Queue(`WITH q AS (
			SELECT nextval('scans_id_seq') AS id, q.* FROM (
				SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
					$8::timestamptz[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::boolean[],
					$16::bigint[], $17::text[], $18::text[], $19::text[]) WITH ORDINALITY
					AS q(list_id, registration_id, token_id, direction, outcome, refusal, scanned_at, recorded_at, desk, staff_id,
						device_id, client, nonce, answer, single, actor_id, detail, remote_addr, request_id, ord)
				ORDER BY ord) q),
		s AS (INSERT INTO scans (id, list_id, registration_id, token_id, direction, outcome, refusal, scanned_at, recorded_at,
				desk, staff_id, device_id, client, nonce, answer, single)
			SELECT id, list_id, registration_id, token_id, direction, outcome, refusal, scanned_at, recorded_at,
				desk, staff_id, device_id, client, nonce,
				answer::jsonb, single
			FROM q ORDER BY ord),
		e AS (INSERT INTO audit_events (actor_id, action, entity, entity_id, detail, remote_addr, request_id)
			SELECT actor_id, 'scan.record', CASE WHEN registration_id IS NULL THEN 'scan' ELSE 'registration' END,
				COALESCE(registration_id, id), detail::jsonb || jsonb_build_object('scan', id), remote_addr, request_id
			FROM q ORDER BY ord)
		SELECT id FROM q ORDER BY ord`,
		list, reg, tok, dir, outcome, refusal, at, recorded, desk, staff, device, cli, nonce, answer, single,
		actor, detail, addr, request).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	err := t.SendFinal(ctx, b)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "scans_nonce" {
		return nil, domain.Errorf(domain.Conflict, "desk.scan_replay")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: record scans: %w", err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("postgres: record scans: %d ids for %d scans", len(ids), n)
	}
	return ids, nil
}

// ScanFacts reads what the scans of a batch are judged by, in one round trip and a few
// statements whatever their number: the first answers given to their nonces, their lists (the
// meeting's entry when none is named), which of their tokens were revoked and the digests they
// were issued with, their registrations (locked in id order, so that batches scanning the same
// people at once neither deadlock nor judge a person twice, and before their counted scans are
// read), those counted scans, the co-located events the registrations attend (for lists other
// than the entry) and who they are.
// facts[i] is what qs[i] is judged by. A meeting's entry list not made yet is made here, at the
// cost of a few more statements, once per meeting.
func (t *Tx) ScanFacts(ctx context.Context, qs []service.ScanQuery) ([]service.ScanFacts, error) {
	facts := make([]service.ScanFacts, len(qs))
	type nonceKey struct{ client, nonce string }
	type pair struct{ list, reg int64 }
	var (
		clients, nonces   []string
		listIDs, meetings []int64
		tokens, regs      []int64
		eventRegs         []int64
		cList, cMeeting   []int64
		cReg              []int64
	)
	seenNonce, seenList, seenMeeting, seenTok, seenReg, seenEvents := map[nonceKey]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	seenPair := map[[3]int64]bool{}
	for _, q := range qs {
		if k := (nonceKey{q.Client, q.Nonce}); q.Nonce != "" && !seenNonce[k] {
			seenNonce[k] = true
			clients, nonces = append(clients, q.Client), append(nonces, q.Nonce)
		}
		if q.ListID != 0 && !seenList[q.ListID] {
			seenList[q.ListID] = true
			listIDs = append(listIDs, q.ListID)
		}
		if q.ListID == 0 && !seenMeeting[q.MeetingID] {
			seenMeeting[q.MeetingID] = true
			meetings = append(meetings, q.MeetingID)
		}
		if q.TokenID != 0 && !seenTok[q.TokenID] {
			seenTok[q.TokenID] = true
			tokens = append(tokens, q.TokenID)
		}
		if q.RegistrationID == 0 {
			continue
		}
		if !seenReg[q.RegistrationID] {
			seenReg[q.RegistrationID] = true
			regs = append(regs, q.RegistrationID)
		}
		if q.ListID != 0 && !seenEvents[q.RegistrationID] {
			seenEvents[q.RegistrationID] = true
			eventRegs = append(eventRegs, q.RegistrationID)
		}
		if k := [3]int64{q.ListID, q.MeetingID, q.RegistrationID}; !seenPair[k] {
			seenPair[k] = true
			cList, cMeeting, cReg = append(cList, q.ListID), append(cMeeting, q.MeetingID), append(cReg, q.RegistrationID)
		}
	}
	type answer struct {
		text []byte
		scan int64
	}
	answers := map[nonceKey]answer{}
	lists := map[int64]domain.CheckInList{}
	entries := map[int64]domain.CheckInList{}
	// The tokens' records by id: when each was revoked (nil: live), the digest it was issued with.
	type tokenRecord struct {
		revokedAt *time.Time
		digest    []byte
	}
	tokenRecords := map[int64]tokenRecord{}
	locked := map[int64]*domain.Registration{}
	counted := map[pair][]domain.CheckIn{}
	events := map[int64][]int64{}
	persons := map[int64]*service.ScanPerson{}

	b := &pgx.Batch{}
	// Generic plans: the statements' arrays change length with every batch, and planning each
	// afresh would cost more than running it. Their plans must go by the primary keys and the
	// scans' indexes, a few rows each, whatever the tables' statistics say: a connection keeps its
	// generic plan, and one made while the scans table was nearly empty (the first scans of the
	// morning, before autovacuum has analysed it) hashes the whole table for every batch — a
	// millisecond a batch after 4,000 scans, growing with every scan. No full scans nor hash or
	// merge joins, then, for the statements of this transaction.
	b.Queue(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true),
		set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`)
	if len(nonces) > 0 {
		b.Queue(`SELECT s.client, s.nonce, s.answer, s.id FROM unnest($1::text[], $2::text[]) AS q(client, nonce)
			JOIN scans s ON s.client = q.client AND s.nonce = q.nonce AND s.nonce IS NOT NULL`, clients, nonces).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var k nonceKey
				var a answer
				if err := rows.Scan(&k.client, &k.nonce, &a.text, &a.scan); err != nil {
					return err
				}
				answers[k] = a
			}
			return rows.Err()
		})
	}
	b.Queue(`SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.id = ANY($1::bigint[])
		UNION ALL SELECT `+checkInListColumns+` FROM checkin_lists l WHERE l.kind = 'entry' AND l.meeting_id = ANY($2::bigint[])`,
		listIDs, meetings).Query(func(rows pgx.Rows) error {
		ls, err := pgx.CollectRows(rows, scanCheckInList)
		for _, l := range ls {
			lists[l.ID] = l
			if l.Kind == domain.EntryList {
				entries[l.MeetingID] = l
			}
		}
		return err
	})
	if len(tokens) > 0 {
		// By the primary key (a condition on revoked_at could lead the planner to the index of
		// every live token).
		b.Queue(`SELECT id, revoked_at, digest FROM desk_tokens WHERE id = ANY($1::bigint[])`, tokens).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				var r tokenRecord
				if err := rows.Scan(&id, &r.revokedAt, &r.digest); err != nil {
					return err
				}
				tokenRecords[id] = r
			}
			return rows.Err()
		})
	}
	if len(regs) > 0 {
		// Locked with who they are (for the answer).
		b.Queue(`SELECT `+registrationColumns+`, a.given_name || ' ' || a.family_name AS person_name, o.name AS person_organisation,
				o.country AS person_country
			FROM registrations r JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.organisation_id
			WHERE r.id = ANY($1::bigint[]) ORDER BY r.id FOR UPDATE OF r`, regs).Query(func(rows pgx.Rows) error {
			type lockedPerson struct {
				domain.Registration
				PersonName         string `db:"person_name"`
				PersonOrganisation string `db:"person_organisation"`
				PersonCountry      string `db:"person_country"`
			}
			rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[lockedPerson])
			for i := range rs {
				r := &rs[i]
				locked[r.ID] = &r.Registration
				persons[r.ID] = &service.ScanPerson{Name: r.PersonName, Organisation: r.PersonOrganisation, Country: r.PersonCountry,
					Mode: r.Mode, State: r.State}
			}
			return err
		})
		// Read after the locks: what a transaction that held one committed is seen.
		// Each (list, registration) looked up by the index of the accepted scans, whatever the
		// planner thinks of the table's size.
		// (OFFSET 0 keeps each lookup apart: pulled up into a join, it was planned as one scan
		// of every accepted scan.)
		b.Queue(`SELECT `+checkInColumns+` FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS q(list, meeting, reg)
			CROSS JOIN LATERAL (SELECT COALESCE(NULLIF(q.list, 0), (SELECT c.id FROM checkin_lists c WHERE c.meeting_id = q.meeting AND c.kind = 'entry')) AS id) l
			CROSS JOIN LATERAL (SELECT * FROM scans s WHERE s.registration_id = q.reg AND s.list_id = l.id AND s.outcome = 'accepted' OFFSET 0) s
			ORDER BY s.scanned_at, s.id`, cList, cMeeting, cReg).Query(func(rows pgx.Rows) error {
			cs, err := pgx.CollectRows(rows, scanCheckIn)
			for _, c := range cs {
				k := pair{c.ListID, c.RegistrationID}
				counted[k] = append(counted[k], c)
			}
			return err
		})
		if len(eventRegs) > 0 {
			b.Queue(`SELECT registration_id, colocated_event_id FROM registration_colocated_events
				WHERE registration_id = ANY($1::bigint[]) ORDER BY 1, 2`, eventRegs).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var reg, ev int64
					if err := rows.Scan(&reg, &ev); err != nil {
						return err
					}
					events[reg] = append(events[reg], ev)
				}
				return rows.Err()
			})
		}
	}
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("postgres: scan facts: %w", err)
	}
	for _, m := range meetings {
		if _, ok := entries[m]; !ok {
			// The meeting's first scan: its entry list is made now.
			l, err := t.EntryList(ctx, m)
			if err != nil {
				return nil, err
			}
			entries[m], lists[l.ID] = l, l
		}
	}
	for i, q := range qs {
		f := &facts[i]
		if q.Nonce != "" {
			var a answer
			a, f.Answered = answers[nonceKey{q.Client, q.Nonce}]
			f.Answer, f.AnswerScan = a.text, a.scan
		}
		if q.ListID == 0 {
			f.List, f.ListFound = entries[q.MeetingID]
		} else {
			f.List, f.ListFound = lists[q.ListID]
		}
		if q.TokenID != 0 {
			// An unknown token counts as revoked (with no time: whenever it is scanned).
			r, known := tokenRecords[q.TokenID]
			f.TokenRevoked, f.TokenDigest = !known || r.revokedAt != nil, r.digest
			if r.revokedAt != nil {
				f.TokenRevokedAt = *r.revokedAt
			}
		}
		if q.RegistrationID == 0 {
			continue
		}
		if r, ok := locked[q.RegistrationID]; ok {
			r := *r
			f.Registration = &r
		}
		if f.ListFound {
			f.Counted = slices.Clone(counted[pair{f.List.ID, q.RegistrationID}])
		}
		if q.ListID != 0 {
			f.Events = events[q.RegistrationID]
		}
		f.Person = persons[q.RegistrationID]
	}
	return facts, nil
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
