package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// visaErasureLock is the advisory lock that lets one instance at a time erase visa data.
const visaErasureLock int64 = 0x706c6e7276697361 // "plnrvisa"

// EraseResult says what one erasure run did.
type EraseResult struct {
	// Skipped is true when another instance held the lock: nothing was done.
	Skipped  bool
	Requests int
	Letters  int
}

// EraseVisaData erases the passport data, decline reasons (in the requests and in the mail that
// told them) and letters (PDF and holder's name)
// of every meeting whose last day ended retentionDays or more ago in its time zone. The letters'
// tokens and references stay, so their verification page says they expired. One audit event is
// written per request. An advisory lock held for the transaction makes concurrent runs (several
// instances of the binary) skip rather than wait.
func (db *DB) EraseVisaData(ctx context.Context, retentionDays int, now time.Time) (EraseResult, error) {
	var res EraseResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, visaErasureLock).Scan(&got); err != nil {
			return fmt.Errorf("postgres: erasure lock: %w", err)
		}
		if !got {
			res.Skipped = true
			return nil
		}
		due, err := erasureDueMeetings(ctx, tx, `SELECT meeting_id FROM visa_requests WHERE erased_at IS NULL
			UNION SELECT meeting_id FROM visa_letters WHERE erased_at IS NULL`, retentionDays, now)
		if err != nil {
			return fmt.Errorf("postgres: erasure meetings: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `UPDATE visa_requests SET passport_name = '', birth_date = NULL, birth_place = '',
				nationality = '', passport_number = '', passport_issued = NULL, passport_expires = NULL,
				issuing_country = '', representation = '', representation_id = NULL, passport_name_native = '', reason = '', erased_at = $2
			WHERE meeting_id = ANY($1) AND erased_at IS NULL RETURNING id`, due, now)
		if err != nil {
			return fmt.Errorf("postgres: erase visa requests: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("postgres: erase visa requests: %w", err)
		}
		tag, err := tx.Exec(ctx, `UPDATE visa_letters SET pdf = NULL, holder_name = '', erased_at = $2
			WHERE meeting_id = ANY($1) AND erased_at IS NULL`, due, now)
		if err != nil {
			return fmt.Errorf("postgres: erase visa letters: %w", err)
		}
		// The decline reason also went into the mail that told it: its facts lose it, and a
		// body written with it is emptied (a mail still waiting to be sent is written again,
		// without the reason).
		_, err = tx.Exec(ctx, `UPDATE mail_outbox SET facts = jsonb_set(facts, '{visa_reason}', '""'),
				body = CASE WHEN kind = $2 THEN '' ELSE body END,
				subject = CASE WHEN kind = $2 AND state = 'queued' THEN '' ELSE subject END
			WHERE kind LIKE 'visa\_request.%' AND registration_id IN (SELECT registration_id FROM visa_requests WHERE id = ANY($1))`,
			ids, MailVisaDeclined)
		if err != nil {
			return fmt.Errorf("postgres: erase visa mail: %w", err)
		}
		res.Requests, res.Letters = len(ids), int(tag.RowsAffected())
		details := make([]map[string]any, len(ids))
		for i := range ids {
			details[i] = map[string]any{"retention_days": retentionDays}
		}
		return auditMany(ctx, tx, Audit{}, "visa_request.erase", "visa_request", ids, details)
	})
	return res, err
}

// erasureDueMeetings returns the ids of the meetings among those ids selects (a query of meeting
// ids) whose personal data is due for erasure retentionDays after their last day.
func erasureDueMeetings(ctx context.Context, tx pgx.Tx, ids string, retentionDays int, now time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id IN (`+ids+`)`)
	if err != nil {
		return nil, err
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Meeting])
	if err != nil {
		return nil, err
	}
	var due []int64
	for _, m := range ms {
		if domain.VisaErasureDue(m, retentionDays, now) {
			due = append(due, m.ID)
		}
	}
	return due, nil
}
