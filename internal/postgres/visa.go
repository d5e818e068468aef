package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// Mail kinds queued by the visa use cases, to the delegate (the service's).
const (
	MailVisaIssued   = service.MailVisaIssued   // the letter is ready: a link to download it, signed in
	MailVisaDeclined = service.MailVisaDeclined // with the reason
)

// visaColumns reads a visa request; erased dates read as the zero time.
const visaColumns = `v.id, v.registration_id, v.meeting_id, v.account_id, v.organisation_id, v.state,
	v.passport_name, COALESCE(v.birth_date, '0001-01-01'::date) AS birth_date, v.birth_place, v.nationality,
	v.passport_number, COALESCE(v.passport_issued, '0001-01-01'::date) AS passport_issued,
	COALESCE(v.passport_expires, '0001-01-01'::date) AS passport_expires, v.issuing_country, v.representation,
	v.representation_id, v.passport_name_native,
	v.due_on, v.reason, v.decided_by, v.decided_at, v.revision, v.erased_at, v.created_at, v.updated_at`

// lockVisas reads visa requests for update, in id order so that concurrent bulk actions never
// deadlock.
func lockVisas(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]domain.VisaRequest, error) {
	rows, err := tx.Query(ctx, `SELECT `+visaColumns+` FROM visa_requests v WHERE `+where+` ORDER BY v.id FOR UPDATE OF v`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock visa requests: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.VisaRequest])
	if err != nil {
		return nil, fmt.Errorf("postgres: lock visa requests: %w", err)
	}
	return vs, nil
}

// lockVisasAndRegistrations locks the registrations of the requests (shared) before the requests
// (for update): the registration use cases lock a registration, then its requests, and the
// same order here means no deadlock between, say, an issue and a cancellation. The shared lock
// also lets the mail queued here refer to the registration.
func lockVisasAndRegistrations(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]domain.VisaRequest, error) {
	rows, err := tx.Query(ctx, `SELECT r.id FROM registrations r WHERE r.id IN (SELECT v.registration_id FROM visa_requests v WHERE `+
		where+`) ORDER BY r.id FOR SHARE OF r`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock registrations of visa requests: %w", err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: lock registrations of visa requests: %w", err)
	}
	return lockVisas(ctx, tx, where, args...)
}

// meetingTx reads a meeting inside tx.
func meetingTx(ctx context.Context, tx pgx.Tx, id int64) (domain.Meeting, error) {
	rows, _ := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Meeting])
	if err != nil {
		return m, notFound(err, "error.meeting_not_found")
	}
	return m, nil
}

// visaDeadline returns a meeting's visa support request deadline, the secretariat's date or the
// default one.
func visaDeadline(ctx context.Context, tx pgx.Tx, m domain.Meeting) (domain.Deadline, error) {
	overrides := map[domain.DeadlineKind]time.Time{}
	var day time.Time
	err := tx.QueryRow(ctx, `SELECT day FROM deadlines WHERE meeting_id = $1 AND kind = 'visa_support_request'`, m.ID).Scan(&day)
	if err == nil {
		overrides[domain.VisaSupportRequest] = day
	} else if err != pgx.ErrNoRows {
		return domain.Deadline{}, fmt.Errorf("postgres: visa deadline: %w", err)
	}
	for _, d := range domain.Deadlines(m.FirstDay, overrides) {
		if d.Kind == domain.VisaSupportRequest {
			return d, nil
		}
	}
	return domain.Deadline{}, fmt.Errorf("postgres: visa deadline: none")
}

// letterStamps reads what says whether a letter's facts changed (service.LetterStamp), by
// request, through q: a transaction, or the pool.
func letterStamps(ctx context.Context, q querier, ids []int64) (map[int64]service.LetterStamp, error) {
	rows, err := q.Query(ctx, `SELECT v.id, v.updated_at, r.updated_at, m.version FROM visa_requests v
		JOIN registrations r ON r.id = v.registration_id JOIN meetings m ON m.id = v.meeting_id WHERE v.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: letter stamps: %w", err)
	}
	out := map[int64]service.LetterStamp{}
	var id int64
	var st service.LetterStamp
	if _, err := pgx.ForEachRow(rows, []any{&id, &st.Visa, &st.Registration, &st.Meeting}, func() error {
		out[id] = st
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres: letter stamps: %w", err)
	}
	return out, nil
}

// resolveRepresentation names the representation p chooses (RepresentationID): an active one,
// or current, the one the request already names (which the secretariat may have retired since).
// An unknown or retired one is no choice: the domain then refuses it beside the field.
func resolveRepresentation(ctx context.Context, tx pgx.Tx, p domain.Passport, current *int64) (domain.Passport, error) {
	p.Representation = ""
	if p.RepresentationID == nil {
		return p, nil
	}
	var cur int64
	if current != nil {
		cur = *current
	}
	rows, _ := tx.Query(ctx, `SELECT id, country, city, kind, active FROM swiss_representations WHERE id = $1 AND (active OR id = $2)`,
		*p.RepresentationID, cur)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Representation])
	if err == pgx.ErrNoRows {
		p.RepresentationID = nil
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("postgres: representation: %w", err)
	}
	p.Representation = r.Name()
	return p, nil
}

// requestVisaTx checks and stores a visa request for reg inside tx, with its audit events, for a
// registration submitted with one (the batched submission's transaction, RegistrationSubmitter);
// a request added later is service.Visas.Request.
func requestVisaTx(ctx context.Context, tx pgx.Tx, a Audit, actor domain.Actor, reg domain.Registration, p domain.Passport, now time.Time) (domain.VisaRequest, error) {
	m, err := meetingTx(ctx, tx, reg.MeetingID)
	if err != nil {
		return domain.VisaRequest{}, err
	}
	dl, err := visaDeadline(ctx, tx, m)
	if err != nil {
		return domain.VisaRequest{}, err
	}
	if p, err = resolveRepresentation(ctx, tx, p, nil); err != nil {
		return domain.VisaRequest{}, err
	}
	v, err := domain.NewVisaRequest(domain.VisaContext{Actor: actor, Registration: reg, Meeting: m, Deadline: dl, Now: now}, p)
	if err != nil {
		return v, err
	}
	if v.ID, err = insertVisaRequest(ctx, tx, v, now); err != nil {
		return v, err
	}
	requested := v.AuditDetail()
	requested["state"] = domain.VisaRequested
	if err := audit(ctx, tx, a, "visa_request.request", "visa_request", v.ID, requested); err != nil {
		return v, err
	}
	if v.State == domain.VisaProcessing {
		return v, audit(ctx, tx, a, "visa_request.process", "visa_request", v.ID, v.AuditDetail())
	}
	return v, nil
}
