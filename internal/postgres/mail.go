package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// The states of a queued mail are the domain's (domain/mail_list.go).
const (
	MailQueued = domain.MailQueued
	MailSent   = domain.MailSent
	MailKept   = domain.MailKept
	MailFailed = domain.MailFailed
)

// MailStates lists the states in the order the mail page shows them.
var MailStates = domain.MailStates

// MailJob is a queued mail claimed for one attempt, with what it tells about.
type MailJob struct {
	ID       int64
	EventKey string
	Kind     string
	// Attempts counts this attempt; it is also the claim's token: only the holder of the
	// latest claim can record its outcome.
	Attempts  int
	CreatedAt time.Time
	// Recipient, Subject and Body hold what an earlier attempt rendered, so that a retry sends
	// the same mail; empty on the first attempt.
	Recipient string
	Subject   string
	Body      string
	// Facts are what the mail tells, as the transaction that queued it saw them.
	Facts MailFacts
}

// MailFacts are what a mail tells, recorded in the outbox (its facts column) by the transaction
// of the event: the mail is written from them after that transaction has committed, so that it
// says what the event did, and nothing is rendered while the event's row locks are held.
type MailFacts struct {
	// The recipient account.
	ToEmail    string `json:"to_email"`
	ToName     string `json:"to_name"`
	ToLanguage string `json:"to_language"`

	// The registration the mail is about (HasRegistration false when the row names none).
	HasRegistration bool        `json:"has_registration"`
	Mode            domain.Mode `json:"mode"`
	Reason          string      `json:"reason"`
	DelegateName    string      `json:"delegate_name"`
	OrgName         string      `json:"org_name"`
	MeetingSlug     string      `json:"meeting_slug"`
	MeetingTitle    domain.Text `json:"meeting_title"`
	City            domain.Text `json:"city"`
	// FirstDay and LastDay are the meeting's dates (2006-01-02), empty when unknown.
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
	// VisaReason is why the registration's visa request was declined, for visa mail (erased with
	// the request's data, see EraseVisaData).
	VisaReason string `json:"visa_reason"`
	// RegistrationID and DeskPlace give an approval mail its confirmation's link and where the
	// badge is collected.
	RegistrationID int64       `json:"registration_id"`
	DeskPlace      domain.Text `json:"desk_place"`
}

// Days returns the meeting's first and last days, when the facts hold both.
func (f MailFacts) Days() (first, last time.Time, ok bool) {
	first, err1 := time.Parse(time.DateOnly, f.FirstDay)
	last, err2 := time.Parse(time.DateOnly, f.LastDay)
	return first, last, err1 == nil && err2 == nil
}

// decodeMailFacts reads a mail's facts from their JSON (the outbox's facts column). It uses the
// JSON package that reads from a token stream (github.com/go-json-experiment/json, with
// domain.Text's UnmarshalJSONFrom): the mail worker decodes the facts of every mail it sends,
// and encoding/json took about twice the CPU (BenchmarkDecodeMailFacts). Unknown fields are
// ignored, as encoding/json does, so that facts written by a newer version still read.
func decodeMailFacts(b []byte, f *MailFacts) error {
	return jsonv2.Unmarshal(b, f)
}

// MailContent is a rendered mail as the outbox keeps it.
type MailContent struct {
	Recipient, Subject, Body string
}

// mailFactsSQL builds a mail's facts (MailFacts) in SQL, from the recipient account a, the
// registration r with its delegate d, organisation g and meeting m, and the visa request's
// reason v (all left-joined: a missing row gives empty facts).
const mailFactsSQL = `jsonb_build_object(
		'to_email', COALESCE(a.email, ''), 'to_name', COALESCE(a.display_name, ''), 'to_language', COALESCE(a.language, ''),
		'has_registration', r.id IS NOT NULL, 'mode', COALESCE(r.mode, ''), 'reason', COALESCE(r.reason, ''),
		'delegate_name', COALESCE(d.display_name, ''), 'org_name', COALESCE(g.name, ''),
		'meeting_slug', COALESCE(m.slug, ''), 'meeting_title', COALESCE(m.title, '{}'::jsonb), 'city', COALESCE(m.city, '{}'::jsonb),
		'first_day', m.first_day, 'last_day', m.last_day, 'visa_reason', COALESCE(v.reason, ''),
		'registration_id', COALESCE(r.id, 0), 'desk_place', COALESCE(m.desk_place, '{}'::jsonb))`

// mailFactsJoins are the joins mailFactsSQL reads, for rows u with the columns a (account),
// r (registration, 0 for none) and kind.
const mailFactsJoins = `
		LEFT JOIN accounts a ON a.id = u.a
		LEFT JOIN registrations r ON r.id = NULLIF(u.r, 0)
		LEFT JOIN accounts d ON d.id = r.account_id
		LEFT JOIN organisations g ON g.id = r.organisation_id
		LEFT JOIN meetings m ON m.id = r.meeting_id
		LEFT JOIN LATERAL (SELECT reason FROM visa_requests WHERE registration_id = r.id
			ORDER BY state <> 'withdrawn' DESC, id DESC LIMIT 1) v ON u.kind LIKE 'visa\_request.%'`

// ClaimMail leases up to limit due mails for one attempt each: their attempts go up by one and
// they are locked for lease, in one statement that skips rows another worker holds, so that no
// two workers (in this process or another server) attempt the same mail at once.
func (db *DB) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]MailJob, error) {
	rows, err := db.Pool.Query(ctx, `
			UPDATE mail_outbox o SET locked_until = now() + $2::bigint * interval '1 microsecond', attempts = o.attempts + 1
			WHERE o.id IN (SELECT id FROM mail_outbox
				WHERE state = 'queued' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
				ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING o.id, o.event_key, o.kind, o.attempts, o.created_at, o.recipient, o.subject, o.body,
				COALESCE(o.facts, '{}'::jsonb)`, limit, lease.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim mail: %w", err)
	}
	var jobs []MailJob
	var j MailJob
	var facts []byte
	_, err = pgx.ForEachRow(rows, []any{&j.ID, &j.EventKey, &j.Kind, &j.Attempts, &j.CreatedAt, &j.Recipient, &j.Subject, &j.Body, &facts}, func() error {
		j.Facts = MailFacts{}
		if err := decodeMailFacts(facts, &j.Facts); err != nil {
			return fmt.Errorf("mail %d: facts: %w", j.ID, err)
		}
		jobs = append(jobs, j)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim mail: %w", err)
	}
	slices.SortFunc(jobs, func(a, b MailJob) int { return cmp.Compare(a.ID, b.ID) })
	return jobs, nil
}

// RenewMail extends the lease of claimed mails still held (the claim's attempt unchanged, not
// yet finished) to lease from now, and returns the ids it renewed: a mail missing from them was
// finished, or taken by another worker after the lease ran out, and must not be sent.
func (db *DB) RenewMail(ctx context.Context, jobs []MailJob, lease time.Duration) ([]int64, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(jobs))
	attempts := make([]int32, len(jobs))
	for i, j := range jobs {
		ids[i], attempts[i] = j.ID, int32(j.Attempts)
	}
	rows, _ := db.Pool.Query(ctx, `UPDATE mail_outbox o SET locked_until = now() + $3::bigint * interval '1 microsecond'
		FROM unnest($1::bigint[], $2::int[]) AS u(id, attempts)
		WHERE o.id = u.id AND o.attempts = u.attempts AND o.state = 'queued' AND o.locked_until IS NOT NULL
		RETURNING o.id`, ids, attempts, lease.Microseconds())
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: renew mail: %w", err)
	}
	return held, nil
}

// MailOutcome is what one attempt did.
type MailOutcome struct {
	// State is MailSent, MailKept, MailFailed, or MailQueued for another attempt after RetryIn.
	State   string
	Content MailContent
	// Error is why the attempt failed, if it did.
	Error   string
	RetryIn time.Duration
}

// FinishMail records the outcome of attempt number attempt of a mail and releases its lease. It
// reports false, changing nothing, when the claim was lost (the lease ran out and another worker
// took the mail): the other worker's outcome counts.
func (db *DB) FinishMail(ctx context.Context, id int64, attempt int, o MailOutcome) (bool, error) {
	ok, err := db.FinishMails(ctx, []MailJob{{ID: id, Attempts: attempt}}, []MailOutcome{o})
	if err != nil {
		return false, err
	}
	return ok[0], nil
}

// FinishMails records the outcomes of several attempts (outcomes[i] of jobs[i]) in one
// statement, as FinishMail does for one; ok[i] is false when the claim of jobs[i] was lost.
func (db *DB) FinishMails(ctx context.Context, jobs []MailJob, outcomes []MailOutcome) ([]bool, error) {
	n := len(jobs)
	ids, attempts, retry := make([]int64, n), make([]int32, n), make([]int64, n)
	states, recipients, subjects, bodies, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, j := range jobs {
		o := outcomes[i]
		ids[i], attempts[i], retry[i] = j.ID, int32(j.Attempts), o.RetryIn.Microseconds()
		states[i], recipients[i], subjects[i], bodies[i], errs[i] = o.State, o.Content.Recipient, o.Content.Subject, o.Content.Body, o.Error
	}
	rows, _ := db.Pool.Query(ctx, `UPDATE mail_outbox o SET state = u.state, recipient = u.recipient, subject = u.subject, body = u.body,
			last_error = CASE WHEN u.error = '' THEN o.last_error ELSE u.error END,
			sent_at = CASE WHEN u.state = 'sent' THEN now() ELSE o.sent_at END,
			next_attempt_at = CASE WHEN u.state = 'queued' THEN now() + u.retry * interval '1 microsecond' ELSE o.next_attempt_at END,
			locked_until = NULL
		FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
			AS u(id, attempts, state, recipient, subject, body, error, retry)
		WHERE o.id = u.id AND o.attempts = u.attempts AND o.state = 'queued'
		RETURNING o.id`, ids, attempts, states, recipients, subjects, bodies, errs, retry)
	done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: finish mail: %w", err)
	}
	finished := make(map[int64]bool, len(done))
	for _, id := range done {
		finished[id] = true
	}
	ok := make([]bool, n)
	for i, j := range jobs {
		ok[i] = finished[j.ID]
	}
	return ok, nil
}

// ReleaseMail hands back claimed mails that were not attempted (the worker is stopping): they
// are due again at once and their attempt is not counted.
func (db *DB) ReleaseMail(ctx context.Context, jobs []MailJob) error {
	if len(jobs) == 0 {
		return nil
	}
	ids := make([]int64, len(jobs))
	attempts := make([]int32, len(jobs))
	for i, j := range jobs {
		ids[i], attempts[i] = j.ID, int32(j.Attempts)
	}
	_, err := db.Pool.Exec(ctx, `UPDATE mail_outbox o SET locked_until = NULL, attempts = o.attempts - 1
		FROM unnest($1::bigint[], $2::int[]) AS u(id, attempts)
		WHERE o.id = u.id AND o.attempts = u.attempts AND o.state = 'queued'`, ids, attempts)
	if err != nil {
		return fmt.Errorf("postgres: release mail: %w", err)
	}
	return nil
}

// The read models of the mail are the domain's (domain/mail_list.go).
type (
	MailLine = domain.MailLine
)

// ListMail returns one page of the outbox, newest first, and the counts per state.
// Who may read it is the use case's (service.Outbox) to check.
func (db *DB) ListMail(ctx context.Context, f service.MailFilter) (service.MailPage, error) {
	page := service.MailPage{Counts: map[string]int{}}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	// Ids grow with time, so the primary key gives the newest first without a sort.
	rows, err := db.Pool.Query(ctx, `SELECT o.id, o.kind, o.state, o.attempts, o.created_at, o.next_attempt_at, o.sent_at,
			COALESCE(NULLIF(o.recipient, ''), a.email) AS recipient, o.subject, o.body, o.last_error
		FROM mail_outbox o JOIN accounts a ON a.id = o.account_id
		WHERE $1 = '' OR o.state = $1
		ORDER BY o.id DESC LIMIT $2 OFFSET $3`, f.State, limit, max(f.Offset, 0))
	if err != nil {
		return page, fmt.Errorf("postgres: list mail: %w", err)
	}
	if page.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[MailLine]); err != nil {
		return page, fmt.Errorf("postgres: list mail: %w", err)
	}
	rows, err = db.Pool.Query(ctx, `SELECT state, count(*) FROM mail_outbox GROUP BY state`)
	if err != nil {
		return page, fmt.Errorf("postgres: count mail: %w", err)
	}
	var st string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&st, &n}, func() error {
		page.Counts[st] = n
		if f.State == "" || f.State == st {
			page.Total += n
		}
		return nil
	})
	if err != nil {
		return page, fmt.Errorf("postgres: count mail: %w", err)
	}
	return page, nil
}
