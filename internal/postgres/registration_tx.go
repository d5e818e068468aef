package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// The registration use cases' operations inside their transaction (service.RegistrationTx).

var _ service.RegistrationTx = (*Tx)(nil)

// LockRegistrations reads registrations for update, in id order, and with them (in the same
// round trip, after them: the order every use case locks in) their open visa requests, which the
// visa side effects then use without reading them again.
func (t *Tx) LockRegistrations(ctx context.Context, ids []int64) ([]domain.Registration, error) {
	var regs []domain.Registration
	var visas []domain.VisaRequest
	b := &pgx.Batch{}
	b.Queue(`SELECT `+registrationColumns+` FROM registrations r WHERE r.id = ANY($1) ORDER BY r.id FOR UPDATE`, ids).Query(func(rows pgx.Rows) (err error) {
		regs, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.Registration])
		return err
	})
	b.Queue(`SELECT `+visaColumns+` FROM visa_requests v WHERE v.registration_id = ANY($1) AND v.state IN ('requested','processing','issued')
		ORDER BY v.id FOR UPDATE OF v`, ids).Query(func(rows pgx.Rows) (err error) {
		visas, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.VisaRequest])
		return err
	})
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("postgres: lock registrations: %w", err)
	}
	if t.openVisas == nil {
		t.openVisas = map[int64][]domain.VisaRequest{}
	}
	for _, r := range regs {
		t.openVisas[r.ID] = nil
	}
	for _, v := range visas {
		t.openVisas[v.RegistrationID] = append(t.openVisas[v.RegistrationID], v)
	}
	return regs, nil
}

// lockedVisas returns the open visa requests of registrations that LockRegistrations locked, in
// id order, with keep choosing among them; ok is false when some registration was not locked
// there (the caller reads them itself).
func lockedVisas(tx pgx.Tx, registrationIDs []int64, keep func(domain.VisaRequest) bool) (vs []domain.VisaRequest, ok bool) {
	t, isTx := tx.(*Tx)
	if !isTx || t.openVisas == nil {
		return nil, false
	}
	for _, id := range registrationIDs {
		open, read := t.openVisas[id]
		if !read {
			return nil, false
		}
		for _, v := range open {
			if keep(v) {
				vs = append(vs, v)
			}
		}
	}
	slices.SortFunc(vs, func(a, b domain.VisaRequest) int { return cmp.Compare(a.ID, b.ID) })
	return vs, true
}

// forgetVisas drops what the transaction knows of registrations' open visa requests, once a
// statement has changed them.
func forgetVisas(tx pgx.Tx, registrationIDs []int64) {
	if t, ok := tx.(*Tx); ok {
		for _, id := range registrationIDs {
			delete(t.openVisas, id)
		}
	}
}

// SaveRegistrations writes the fields a use case changes of existing registrations, in one
// statement sent with the transaction's next one (Later).
func (t *Tx) SaveRegistrations(ctx context.Context, regs []domain.Registration) error {
	if len(regs) == 0 {
		return nil
	}
	n := len(regs)
	ids, decidedBy, cancelledBy := make([]int64, n), make([]*int64, n), make([]*int64, n)
	modes, states, reasons := make([]string, n), make([]string, n), make([]string, n)
	decidedAt, updatedAt := make([]*time.Time, n), make([]time.Time, n)
	for i, r := range regs {
		ids[i], decidedBy[i], decidedAt[i], updatedAt[i], cancelledBy[i] = r.ID, r.DecidedBy, r.DecidedAt, r.UpdatedAt, r.CancelledBy
		modes[i], states[i], reasons[i] = string(r.Mode), string(r.State), r.Reason
	}
	err := t.Later(`UPDATE registrations r SET mode = u.mode, state = u.state, reason = u.reason,
			decided_by = u.decided_by, decided_at = u.decided_at, updated_at = u.updated_at, cancelled_by = u.cancelled_by
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::bigint[])
			AS u(id, mode, state, reason, decided_by, decided_at, updated_at, cancelled_by)
		WHERE r.id = u.id`, ids, modes, states, reasons, decidedBy, decidedAt, updatedAt, cancelledBy)
	if err != nil {
		return fmt.Errorf("postgres: save registrations: %w", err)
	}
	return nil
}

// SaveRegistrationDetails writes a registration's changeable answers and updated_at.
func (t *Tx) SaveRegistrationDetails(ctx context.Context, r domain.Registration) error {
	if _, err := t.Exec(ctx, `UPDATE registrations SET function_title = $2, interpretation = $3, accessibility = $4,
			list_consent = $5, updated_at = $6 WHERE id = $1`,
		r.ID, r.FunctionTitle, r.Interpretation, r.Accessibility, r.ListConsent, r.UpdatedAt); err != nil {
		return fmt.Errorf("postgres: save registration details: %w", err)
	}
	return nil
}

// Audit writes one audit event per record, in one statement.
func (t *Tx) Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error {
	return auditMany(ctx, t, a, action, entity, ids, details)
}

// FocalPoints returns the focal points of each organisation, in id order.
func (t *Tx) FocalPoints(ctx context.Context, orgs []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(orgs))
	rows, err := t.Query(ctx, `SELECT organisation_id, account_id FROM focal_points WHERE organisation_id = ANY($1)
		ORDER BY organisation_id, account_id`, orgs)
	if err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	var org, acc int64
	for rows.Next() {
		if err := rows.Scan(&org, &acc); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: focal points: %w", err)
		}
		out[org] = append(out[org], acc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	return out, nil
}

// QueueMail queues mail in the transaction (see enqueueMail).
func (t *Tx) QueueMail(ctx context.Context, mail []service.Mail) error {
	return enqueueMail(ctx, t, mail)
}

// WithdrawVisas withdraws the visa requests of registrations no longer live in person.
func (t *Tx) WithdrawVisas(ctx context.Context, a Audit, registrationIDs []int64, now time.Time) error {
	return visaOnWithdrawn(ctx, t, a, registrationIDs, now)
}

// ProcessVisas moves the visa requests of newly approved registrations to processing.
func (t *Tx) ProcessVisas(ctx context.Context, a Audit, registrationIDs []int64, now time.Time) error {
	return visaOnApproved(ctx, t, a, registrationIDs, now)
}

// ConfirmMembers confirms the membership of the delegates of newly approved registrations.
func (t *Tx) ConfirmMembers(ctx context.Context, registrationIDs []int64) error {
	return membershipOnApproved(ctx, t, registrationIDs)
}

// RegistrationContext reads what the rules need about a meeting, a registrant and the
// registrant's organisation, in one round trip.
func (t *Tx) RegistrationContext(ctx context.Context, actor domain.Actor, meetingID, registrantID int64, now time.Time) (domain.RegistrationContext, error) {
	return registrationContext(ctx, t, actor, meetingID, registrantID, now)
}

// TxFor adapts InTx to a service's transactions, whose operations are S: as returns the store's
// transaction as S (a conversion the compiler checks, written where the app wires the service).
func TxFor[S any](db *DB, as func(*Tx) S) func(ctx context.Context, fn func(S) error) error {
	return func(ctx context.Context, fn func(S) error) error {
		return db.InTx(ctx, func(t *Tx) error { return fn(as(t)) })
	}
}
