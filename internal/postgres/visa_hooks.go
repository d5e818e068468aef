package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// visaOnApproved moves the visa requests of newly approved registrations to processing (the
// letter is due 15 days later), inside the approval's transaction.
func visaOnApproved(ctx context.Context, tx pgx.Tx, a Audit, registrationIDs []int64, now time.Time) error {
	if len(registrationIDs) == 0 {
		return nil
	}
	vs, ok := lockedVisas(tx, registrationIDs, func(v domain.VisaRequest) bool { return v.State == domain.VisaRequested })
	if !ok {
		var err error
		if vs, err = lockVisas(ctx, tx, `v.registration_id = ANY($1) AND v.state = 'requested'`, registrationIDs); err != nil {
			return err
		}
	}
	if len(vs) == 0 {
		return nil
	}
	defer forgetVisas(tx, registrationIDs)
	zones, err := meetingZones(ctx, tx, vs)
	if err != nil {
		return err
	}
	var ids []int64
	var dues []time.Time
	var details []map[string]any
	for _, v := range vs {
		out, changed := domain.VisaOnApproved(v, zones[v.MeetingID], now)
		if !changed {
			continue
		}
		ids = append(ids, out.ID)
		dues = append(dues, *out.DueOn)
		details = append(details, out.AuditDetail())
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `UPDATE visa_requests v SET state = 'processing', due_on = u.due, updated_at = $3
		FROM unnest($1::bigint[], $2::date[]) AS u(id, due) WHERE v.id = u.id`, ids, dues, now)
	if err != nil {
		return fmt.Errorf("postgres: visa processing: %w", err)
	}
	return auditMany(ctx, tx, a, "visa_request.process", "visa_request", ids, details)
}

// visaOnWithdrawn withdraws the open visa requests (and issued letters) of registrations that
// were cancelled, rejected or switched to remote, inside that change's transaction.
func visaOnWithdrawn(ctx context.Context, tx pgx.Tx, a Audit, registrationIDs []int64, now time.Time) error {
	if len(registrationIDs) == 0 {
		return nil
	}
	vs, ok := lockedVisas(tx, registrationIDs, func(domain.VisaRequest) bool { return true })
	if !ok {
		var err error
		if vs, err = lockVisas(ctx, tx, `v.registration_id = ANY($1) AND v.state IN ('requested','processing','issued')`, registrationIDs); err != nil {
			return err
		}
	}
	if len(vs) == 0 {
		return nil
	}
	defer forgetVisas(tx, registrationIDs)
	var ids []int64
	var details []map[string]any
	for _, v := range vs {
		out, changed := domain.WithdrawVisa(v, now)
		if !changed {
			continue
		}
		ids = append(ids, out.ID)
		d := out.AuditDetail()
		d["from"] = v.State
		details = append(details, d)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE visa_requests SET state = 'withdrawn', updated_at = $2 WHERE id = ANY($1)`, ids, now); err != nil {
		return fmt.Errorf("postgres: withdraw visas: %w", err)
	}
	return auditMany(ctx, tx, a, "visa_request.withdraw", "visa_request", ids, details)
}

// meetingZones returns the time zone of each request's meeting.
func meetingZones(ctx context.Context, tx pgx.Tx, vs []domain.VisaRequest) (map[int64]*time.Location, error) {
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.MeetingID)
	}
	rows, err := tx.Query(ctx, `SELECT id, time_zone FROM meetings WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: meeting zones: %w", err)
	}
	out := map[int64]*time.Location{}
	var id int64
	var tz string
	_, err = pgx.ForEachRow(rows, []any{&id, &tz}, func() error {
		out[id] = domain.Meeting{TimeZone: tz}.Location()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: meeting zones: %w", err)
	}
	return out, nil
}
