package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

var (
	_ service.VisaTx    = (*Tx)(nil)
	_ service.VisaReads = (*DB)(nil)
)

// visaRequests reads visa requests by id, in id order, through q, without a lock.
func visaRequests(ctx context.Context, q querier, ids []int64) ([]domain.VisaRequest, error) {
	rows, err := q.Query(ctx, `SELECT `+visaColumns+` FROM visa_requests v WHERE v.id = ANY($1) ORDER BY v.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: visa requests: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.VisaRequest])
	if err != nil {
		return nil, fmt.Errorf("postgres: visa requests: %w", err)
	}
	return vs, nil
}

// VisaRequests reads visa requests by id, in id order, without a lock.
func (db *DB) VisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error) {
	return visaRequests(ctx, db.Pool, ids)
}

// LetterStamps reads, outside any transaction, what says whether a letter's facts changed.
func (db *DB) LetterStamps(ctx context.Context, ids []int64) (map[int64]service.LetterStamp, error) {
	return letterStamps(ctx, db.Pool, ids)
}

// VisaRequests reads visa requests by id in the transaction, without a lock.
func (t *Tx) VisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error) {
	return visaRequests(ctx, t, ids)
}

// LetterStamps reads in the transaction what says whether a letter's facts changed.
func (t *Tx) LetterStamps(ctx context.Context, ids []int64) (map[int64]service.LetterStamp, error) {
	return letterStamps(ctx, t, ids)
}

// LockVisaRequests locks the registrations of the requests (shared), then the requests (for
// update), in id order: the order of the registration use cases, so no deadlock between, say,
// an issue and a cancellation.
func (t *Tx) LockVisaRequests(ctx context.Context, ids []int64) ([]domain.VisaRequest, error) {
	return lockVisasAndRegistrations(ctx, t, `v.id = ANY($1)`, ids)
}

// VisaMeeting reads a meeting with its visa support request deadline.
func (t *Tx) VisaMeeting(ctx context.Context, id int64) (domain.Meeting, domain.Deadline, error) {
	m, err := meetingTx(ctx, t, id)
	if err != nil {
		return m, domain.Deadline{}, err
	}
	dl, err := visaDeadline(ctx, t, m)
	return m, dl, err
}

// ChooseRepresentation names the representation p chooses (see resolveRepresentation).
func (t *Tx) ChooseRepresentation(ctx context.Context, p domain.Passport, current *int64) (domain.Passport, error) {
	return resolveRepresentation(ctx, t, p, current)
}

// InsertVisaRequest stores a new request; a registration with a live one already is Conflict.
func (t *Tx) InsertVisaRequest(ctx context.Context, v domain.VisaRequest, now time.Time) (int64, error) {
	return insertVisaRequest(ctx, t, v, now)
}

// insertVisaRequest stores a new request inside tx.
func insertVisaRequest(ctx context.Context, tx pgx.Tx, v domain.VisaRequest, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO visa_requests (registration_id, meeting_id, account_id, organisation_id, state,
			passport_name, birth_date, birth_place, nationality, passport_number, passport_issued, passport_expires,
			issuing_country, representation, due_on, created_at, updated_at, representation_id, passport_name_native)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17,$18) RETURNING id`,
		v.RegistrationID, v.MeetingID, v.AccountID, v.OrganisationID, string(v.State),
		v.Name, v.BirthDate, v.BirthPlace, v.Nationality, v.Number, v.Issued, v.Expires,
		v.IssuingCountry, v.Representation, v.DueOn, now, v.RepresentationID, v.NativeName).Scan(&id)
	if isUniqueViolation(err, "visa_requests_live_key") {
		return 0, domain.Errorf(domain.Conflict, "error.visa_exists")
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: request visa: %w", err)
	}
	return id, nil
}

// SaveVisaDeclined stores a request declined.
func (t *Tx) SaveVisaDeclined(ctx context.Context, v domain.VisaRequest) error {
	_, err := t.Exec(ctx, `UPDATE visa_requests SET state = 'declined', reason = $2, decided_by = $3, decided_at = $4, updated_at = $4 WHERE id = $1`,
		v.ID, v.Reason, v.DecidedBy, v.DecidedAt)
	if err != nil {
		return fmt.Errorf("postgres: decline visa: %w", err)
	}
	return nil
}

// SaveVisasIssued stores requests issued, in one statement.
func (t *Tx) SaveVisasIssued(ctx context.Context, vs []domain.VisaRequest, by int64, now time.Time) error {
	ids := make([]int64, len(vs))
	revisions := make([]int32, len(vs))
	for i, v := range vs {
		ids[i], revisions[i] = v.ID, int32(v.Revision)
	}
	_, err := t.Exec(ctx, `UPDATE visa_requests v SET state = 'issued', reason = '', revision = u.revision, decided_by = $3,
			decided_at = $4, updated_at = $4
		FROM unnest($1::bigint[], $2::int[]) AS u(id, revision) WHERE v.id = u.id`, ids, revisions, by, now)
	if err != nil {
		return fmt.Errorf("postgres: issue visas: %w", err)
	}
	return nil
}

// SavePassport stores a request's passport data, revision and decision.
func (t *Tx) SavePassport(ctx context.Context, v domain.VisaRequest, now time.Time) error {
	_, err := t.Exec(ctx, `UPDATE visa_requests SET passport_name = $2, birth_date = $3, birth_place = $4, nationality = $5,
			passport_number = $6, passport_issued = $7, passport_expires = $8, issuing_country = $9, representation = $10,
			revision = $11, decided_by = $12, decided_at = $13, updated_at = $14, representation_id = $15, passport_name_native = $16
		WHERE id = $1`, v.ID, v.Name, v.BirthDate, v.BirthPlace, v.Nationality, v.Number, v.Issued, v.Expires,
		v.IssuingCountry, v.Representation, v.Revision, v.DecidedBy, v.DecidedAt, now, v.RepresentationID, v.NativeName)
	if err != nil {
		return fmt.Errorf("postgres: update passport: %w", err)
	}
	return nil
}

// SupersedeLetters marks the current letter of a request superseded.
func (t *Tx) SupersedeLetters(ctx context.Context, visaID int64, now time.Time) error {
	if _, err := t.Exec(ctx, `UPDATE visa_letters SET superseded_at = $2 WHERE visa_request_id = $1 AND superseded_at IS NULL`, visaID, now); err != nil {
		return fmt.Errorf("postgres: supersede letter: %w", err)
	}
	return nil
}
