package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// Mail kinds queued by the visa use cases, to the delegate.
const (
	MailVisaIssued   = "visa_request.issued"   // the letter is ready: a link to download it, signed in
	MailVisaDeclined = "visa_request.declined" // with the reason
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

// visaDetail is what the audit trail says about a request: never the passport data.
func visaDetail(v domain.VisaRequest) map[string]any {
	d := map[string]any{"state": v.State, "registration_id": v.RegistrationID}
	if v.DueOn != nil {
		d["due_on"] = v.DueOn.Format(time.DateOnly)
	}
	if v.Revision > 0 {
		d["revision"] = v.Revision
	}
	return d
}

// RequestVisa adds a visa letter request to a registration, after the domain's checks, with its
// audit events, in one transaction. The registration's row is locked, so a request racing a
// cancellation or a switch to remote either lands first (and is withdrawn by it) or is refused.
func (db *DB) RequestVisa(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, p domain.Passport, now time.Time) (domain.VisaRequest, error) {
	var v domain.VisaRequest
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		regs, err := lockRegistrations(ctx, tx, []int64{registrationID})
		if err != nil {
			return err
		}
		if len(regs) == 0 || !domain.CanView(actor, regs[0]) {
			return domain.Errorf(domain.NotFound, "error.registration_not_found")
		}
		v, err = requestVisaTx(ctx, tx, a, actor, regs[0], p, now)
		return err
	})
	return v, err
}

// VisaResult says what an action on many visa requests did.
type VisaResult struct {
	Done []int64
	// Refused maps each request that was not changed to why.
	Refused map[int64]error
}

// DeclineVisa declines an open request with a reason, by the secretariat, and tells the delegate.
func (db *DB) DeclineVisa(ctx context.Context, a Audit, actor domain.Actor, id int64, reason string, now time.Time) (domain.VisaRequest, error) {
	var out domain.VisaRequest
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		vs, err := lockVisasAndRegistrations(ctx, tx, `v.id = $1`, id)
		if err != nil {
			return err
		}
		if len(vs) == 0 || !domain.CanSeeVisaState(actor, vs[0]) {
			return domain.Errorf(domain.NotFound, "error.visa_not_found")
		}
		out, err = domain.DeclineVisa(actor, vs[0], reason, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE visa_requests SET state = 'declined', reason = $2, decided_by = $3, decided_at = $4, updated_at = $4 WHERE id = $1`,
			id, out.Reason, actor.ID, now)
		if err != nil {
			return fmt.Errorf("postgres: decline visa: %w", err)
		}
		// The reason stays with the request (and is erased with it), not in the audit trail.
		if err := audit(ctx, tx, a, "visa_request.decline", "visa_request", id, visaDetail(out)); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, []mailEvent{{Key: fmt.Sprintf("visa:%d:declined", id), Kind: MailVisaDeclined,
			AccountID: out.AccountID, Registration: out.RegistrationID}})
	})
	return out, err
}

// UpdatePassport changes a request's passport data: the owner while it is open; the secretariat
// also once issued, which supersedes the letter and issues a new revision (new reference suffix,
// new token). As IssueVisas does, the new letter is rendered outside any transaction: the request
// is read and the change decided without a lock, the letter rendered, then one short transaction
// locks the request and its registration, decides again, checks that nothing the letter states
// changed meanwhile (else the change is refused, to be made again) and stores it all.
func (db *DB) UpdatePassport(ctx context.Context, a Audit, actor domain.Actor, opts LetterOptions, id int64, p domain.Passport, now time.Time) (domain.VisaRequest, error) {
	// 1. Read and decide without a lock; a change that reissues the letter renders it now.
	var draft domain.VisaRequest
	var reissue bool
	var before map[int64]letterStamp
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+visaColumns+` FROM visa_requests v WHERE v.id = $1`, id)
		vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.VisaRequest])
		if err != nil {
			return fmt.Errorf("postgres: visa request: %w", err)
		}
		draft, reissue, err = decidePassport(ctx, tx, actor, vs, p, now)
		if err != nil || !reissue {
			return err
		}
		before, err = letterStamps(ctx, tx, []int64{id})
		return err
	})
	if err != nil {
		return domain.VisaRequest{}, err
	}
	var prepared [][]any
	if reissue {
		if prepared, err = prepareLetters(ctx, db.Pool, opts, actor, []domain.VisaRequest{draft}, now); err != nil {
			return domain.VisaRequest{}, err
		}
	}
	// 2. The short write.
	var out domain.VisaRequest
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		vs, err := lockVisasAndRegistrations(ctx, tx, `v.id = $1`, id)
		if err != nil {
			return err
		}
		var again bool
		out, again, err = decidePassport(ctx, tx, actor, vs, p, now)
		if err != nil {
			return err
		}
		if again != reissue {
			return domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
		}
		if reissue {
			after, err := letterStamps(ctx, tx, []int64{id})
			if err != nil {
				return err
			}
			if after[id] != before[id] || out.Revision != draft.Revision {
				return domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
			}
		}
		_, err = tx.Exec(ctx, `UPDATE visa_requests SET passport_name = $2, birth_date = $3, birth_place = $4, nationality = $5,
				passport_number = $6, passport_issued = $7, passport_expires = $8, issuing_country = $9, representation = $10,
				revision = $11, decided_by = $12, decided_at = $13, updated_at = $14, representation_id = $15, passport_name_native = $16
			WHERE id = $1`, id, out.Name, out.BirthDate, out.BirthPlace, out.Nationality, out.Number, out.Issued, out.Expires,
			out.IssuingCountry, out.Representation, out.Revision, out.DecidedBy, out.DecidedAt, now, out.RepresentationID, out.NativeName)
		if err != nil {
			return fmt.Errorf("postgres: update passport: %w", err)
		}
		if !reissue {
			return audit(ctx, tx, a, "visa_request.update", "visa_request", id, visaDetail(out))
		}
		if _, err := tx.Exec(ctx, `UPDATE visa_letters SET superseded_at = $2 WHERE visa_request_id = $1 AND superseded_at IS NULL`, id, now); err != nil {
			return fmt.Errorf("postgres: supersede letter: %w", err)
		}
		if err := storeLetters(ctx, tx, prepared); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "visa_request.reissue", "visa_request", id, visaDetail(out)); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, []mailEvent{{Key: fmt.Sprintf("visa:%d:issued:%d", id, out.Revision), Kind: MailVisaIssued,
			AccountID: out.AccountID, Registration: out.RegistrationID}})
	})
	if err != nil {
		return domain.VisaRequest{}, err
	}
	return out, nil
}

// decidePassport applies the domain's rule for a change of passport data to the request read
// (vs: it, or nothing): who may, the meeting's state, the representation chosen.
func decidePassport(ctx context.Context, tx pgx.Tx, actor domain.Actor, vs []domain.VisaRequest, p domain.Passport, now time.Time) (domain.VisaRequest, bool, error) {
	if len(vs) == 0 || !domain.CanSeePassport(actor, vs[0]) {
		return domain.VisaRequest{}, false, domain.Errorf(domain.NotFound, "error.visa_not_found")
	}
	m, err := meetingTx(ctx, tx, vs[0].MeetingID)
	if err != nil {
		return domain.VisaRequest{}, false, err
	}
	if p, err = resolveRepresentation(ctx, tx, p, vs[0].RepresentationID); err != nil {
		return domain.VisaRequest{}, false, err
	}
	return domain.UpdatePassport(actor, vs[0], m, p, now)
}

// IssueVisas issues the letters of requests in processing, by the secretariat: the requests and
// what their letters say are read without a lock and the PDFs rendered (on every core) outside
// any transaction; then one short transaction locks the requests, checks each again in the
// domain layer and that nothing its letter states changed meanwhile (else it is refused, to be
// issued again), and stores each letter with a new token, one audit event and one mail. Requests
// the actor may not issue or that are not in processing are refused and left unchanged. Rows are
// locked, so a letter is issued once however many people press the button.
func (db *DB) IssueVisas(ctx context.Context, a Audit, actor domain.Actor, opts LetterOptions, ids []int64, now time.Time) (VisaResult, error) {
	// 1. Read the requests and what their letters say without a lock, and render the letters
	// outside any transaction: a cancellation or a change of mode meanwhile is never held up.
	rows, _ := db.Pool.Query(ctx, `SELECT `+visaColumns+` FROM visa_requests v WHERE v.id = ANY($1) ORDER BY v.id`, ids)
	seen, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.VisaRequest])
	if err != nil {
		return VisaResult{Refused: map[int64]error{}}, fmt.Errorf("postgres: visa requests: %w", err)
	}
	before, err := letterStamps(ctx, db.Pool, ids)
	if err != nil {
		return VisaResult{Refused: map[int64]error{}}, err
	}
	var drafts []domain.VisaRequest
	for _, v := range seen {
		if out, err := domain.IssueVisa(actor, v, now); err == nil && domain.CanSeeVisaState(actor, v) {
			drafts = append(drafts, out)
		}
	}
	prepared := map[int64][]any{}
	if len(drafts) > 0 {
		src, err := prepareLetters(ctx, db.Pool, opts, actor, drafts, now)
		if err != nil {
			return VisaResult{Refused: map[int64]error{}}, err
		}
		for i, d := range drafts {
			prepared[d.ID] = src[i]
		}
	}
	// 2. One short transaction: lock, check each again (still to issue, and nothing it says
	// changed since it was read: the request, its registration, the meeting), store.
	var res VisaResult
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		// A retried transaction (see InTx) starts from nothing.
		res = VisaResult{Refused: map[int64]error{}}
		vs, err := lockVisasAndRegistrations(ctx, tx, `v.id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		now2, err := letterStamps(ctx, tx, ids)
		if err != nil {
			return err
		}
		found := map[int64]bool{}
		var issued []domain.VisaRequest
		var src [][]any
		for _, v := range vs {
			found[v.ID] = true
			if !domain.CanSeeVisaState(actor, v) {
				res.Refused[v.ID] = domain.Errorf(domain.NotFound, "error.visa_not_found")
				continue
			}
			out, err := domain.IssueVisa(actor, v, now)
			if err != nil {
				res.Refused[v.ID] = err
				continue
			}
			row, ok := prepared[v.ID]
			if !ok || before[v.ID] != now2[v.ID] {
				res.Refused[v.ID] = domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
				continue
			}
			issued = append(issued, out)
			src = append(src, row)
			res.Done = append(res.Done, out.ID)
		}
		for _, id := range ids {
			if !found[id] {
				res.Refused[id] = domain.Errorf(domain.NotFound, "error.visa_not_found")
			}
		}
		if len(issued) == 0 {
			return nil
		}
		revisions := make([]int32, len(issued))
		details := make([]map[string]any, len(issued))
		mail := make([]mailEvent, len(issued))
		for i, v := range issued {
			revisions[i] = int32(v.Revision)
			details[i] = visaDetail(v)
			mail[i] = mailEvent{Key: fmt.Sprintf("visa:%d:issued:%d", v.ID, v.Revision), Kind: MailVisaIssued, AccountID: v.AccountID, Registration: v.RegistrationID}
		}
		_, err = tx.Exec(ctx, `UPDATE visa_requests v SET state = 'issued', reason = '', revision = u.revision, decided_by = $3,
				decided_at = $4, updated_at = $4
			FROM unnest($1::bigint[], $2::int[]) AS u(id, revision) WHERE v.id = u.id`, res.Done, revisions, actor.ID, now)
		if err != nil {
			return fmt.Errorf("postgres: issue visas: %w", err)
		}
		if err := storeLetters(ctx, tx, src); err != nil {
			return err
		}
		if err := auditMany(ctx, tx, a, "visa_request.issue", "visa_request", res.Done, details); err != nil {
			return err
		}
		return enqueueMail(ctx, tx, mail)
	})
	if err != nil {
		return VisaResult{Refused: map[int64]error{}}, err
	}
	return res, nil
}

// letterStamp says whether anything a letter states changed: its request, its registration
// (the co-located events attended), its meeting.
type letterStamp struct {
	visa, registration time.Time
	meeting            int64
}

func letterStamps(ctx context.Context, q querier, ids []int64) (map[int64]letterStamp, error) {
	rows, err := q.Query(ctx, `SELECT v.id, v.updated_at, r.updated_at, m.version FROM visa_requests v
		JOIN registrations r ON r.id = v.registration_id JOIN meetings m ON m.id = v.meeting_id WHERE v.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: letter stamps: %w", err)
	}
	out := map[int64]letterStamp{}
	var id int64
	var st letterStamp
	if _, err := pgx.ForEachRow(rows, []any{&id, &st.visa, &st.registration, &st.meeting}, func() error {
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

// requestVisaTx checks and stores a visa request for reg inside tx, with its audit events: for
// RequestVisa (a request added later) and for a registration that comes with one.
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
	err = tx.QueryRow(ctx, `INSERT INTO visa_requests (registration_id, meeting_id, account_id, organisation_id, state,
			passport_name, birth_date, birth_place, nationality, passport_number, passport_issued, passport_expires,
			issuing_country, representation, due_on, created_at, updated_at, representation_id, passport_name_native)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17,$18) RETURNING id`,
		v.RegistrationID, v.MeetingID, v.AccountID, v.OrganisationID, string(v.State),
		v.Name, v.BirthDate, v.BirthPlace, v.Nationality, v.Number, v.Issued, v.Expires,
		v.IssuingCountry, v.Representation, v.DueOn, now, v.RepresentationID, v.NativeName).Scan(&v.ID)
	if isUniqueViolation(err, "visa_requests_live_key") {
		return v, domain.Errorf(domain.Conflict, "error.visa_exists")
	}
	if err != nil {
		return v, fmt.Errorf("postgres: request visa: %w", err)
	}
	requested := visaDetail(v)
	requested["state"] = domain.VisaRequested
	if err := audit(ctx, tx, a, "visa_request.request", "visa_request", v.ID, requested); err != nil {
		return v, err
	}
	if v.State == domain.VisaProcessing {
		return v, audit(ctx, tx, a, "visa_request.process", "visa_request", v.ID, visaDetail(v))
	}
	return v, nil
}
