package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// The read models of the visa requests are the domain's (domain/visa_list.go).
type (
	VisaLine  = domain.VisaLine
	VisaQueue = domain.VisaQueue
)

const visaLineSelect = `SELECT ` + visaColumns + `, a.given_name, a.family_name, a.email, o.name AS org_name,
		o.names AS org_names, o.kind AS org_kind, o.country AS org_country, m.slug AS meeting_slug, m.title AS meeting_title, m.time_zone,
		l.reference, l.issued_on
	FROM visa_requests v
	JOIN accounts a ON a.id = v.account_id
	JOIN organisations o ON o.id = v.organisation_id
	JOIN meetings m ON m.id = v.meeting_id
	LEFT JOIN visa_letters l ON l.visa_request_id = v.id AND l.revision = v.revision AND v.revision > 0`

// forActor hides the passport data from anyone but their owner and the secretariat.
func forActor(actor domain.Actor, l VisaLine) VisaLine {
	if !domain.CanSeePassport(actor, l.VisaRequest) {
		l.Passport = domain.Passport{}
		l.Reason = ""
		l.Reference = nil
	}
	return l
}

func collectVisaLines(rows pgx.Rows, err error) ([]VisaLine, error) {
	if err != nil {
		return nil, fmt.Errorf("postgres: visa requests: %w", err)
	}
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[VisaLine])
	if err != nil {
		return nil, fmt.Errorf("postgres: visa requests: %w", err)
	}
	return ls, nil
}

// VisaRequest returns one request, if actor may see it; the passport data only for their owner
// and the secretariat.
func (db *DB) VisaRequest(ctx context.Context, actor domain.Actor, id int64) (VisaLine, error) {
	ls, err := collectVisaLines(db.Pool.Query(ctx, visaLineSelect+` WHERE v.id = $1`, id))
	if err != nil {
		return VisaLine{}, err
	}
	if len(ls) == 0 || !domain.CanSeeVisaState(actor, ls[0].VisaRequest) {
		return VisaLine{}, domain.Errorf(domain.NotFound, "error.visa_not_found")
	}
	return forActor(actor, ls[0]), nil
}

// VisaOfRegistration returns a registration's request (the live one, else the latest withdrawn
// one), or nil when it has none or actor may not see it.
func (db *DB) VisaOfRegistration(ctx context.Context, actor domain.Actor, registrationID int64) (*VisaLine, error) {
	ls, err := collectVisaLines(db.Pool.Query(ctx, visaLineSelect+` WHERE v.registration_id = $1
		ORDER BY (v.state <> 'withdrawn') DESC, v.id DESC LIMIT 1`, registrationID))
	if err != nil || len(ls) == 0 || !domain.CanSeeVisaState(actor, ls[0].VisaRequest) {
		return nil, err
	}
	l := forActor(actor, ls[0])
	return &l, nil
}

// VisasOf returns the visa requests of an account's registrations, by registration: the live
// one, else the latest.
func (db *DB) VisasOf(ctx context.Context, actor domain.Actor, accountID int64) (map[int64]VisaLine, error) {
	ls, err := collectVisaLines(db.Pool.Query(ctx, visaLineSelect+` WHERE v.account_id = $1 ORDER BY v.registration_id,
		(v.state <> 'withdrawn'), v.id`, accountID))
	if err != nil {
		return nil, err
	}
	out := map[int64]VisaLine{}
	for _, l := range ls {
		if domain.CanSeeVisaState(actor, l.VisaRequest) {
			out[l.RegistrationID] = forActor(actor, l) // the last one wins: live, newest
		}
	}
	return out, nil
}

// VisaStates returns the state of the visa request of each registration that has one and that
// actor may see (a focal point: their organisations' delegates), without any passport data: for
// the focal point's list.
func (db *DB) VisaStates(ctx context.Context, actor domain.Actor, registrationIDs []int64) (map[int64]domain.VisaState, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (v.registration_id) v.registration_id, v.account_id, v.organisation_id, v.state
		FROM visa_requests v WHERE v.registration_id = ANY($1)
		ORDER BY v.registration_id, (v.state <> 'withdrawn') DESC, v.id DESC`, registrationIDs)
	if err != nil {
		return nil, fmt.Errorf("postgres: visa states: %w", err)
	}
	out := map[int64]domain.VisaState{}
	var v domain.VisaRequest
	_, err = pgx.ForEachRow(rows, []any{&v.RegistrationID, &v.AccountID, &v.OrganisationID, &v.State}, func() error {
		if domain.CanSeeVisaState(actor, v) {
			out[v.RegistrationID] = v.State
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: visa states: %w", err)
	}
	return out, nil
}

// VisaFilter selects the requests of the secretariat's queue (the domain's).
type VisaFilter = domain.VisaFilter

func visaWhere(f VisaFilter, withState bool) (string, []any) {
	conds := []string{"v.meeting_id = $1"}
	args := []any{f.MeetingID}
	if withState && f.State != "" {
		args = append(args, string(f.State))
		conds = append(conds, fmt.Sprintf("v.state = $%d", len(args)))
	}
	if f.Nationality != "" {
		args = append(args, f.Nationality)
		conds = append(conds, fmt.Sprintf("lower(v.nationality) = lower($%d)", len(args)))
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// visaOrder lists open requests first by due day (those not yet due last), then the others.
const visaOrder = ` ORDER BY (v.state IN ('requested','processing')) DESC, v.due_on NULLS LAST, v.created_at, v.id`

// ListVisas returns a meeting's requests for the secretariat, by due day, with the counts per
// state and the nationalities to filter by, in three queries.
func (db *DB) ListVisas(ctx context.Context, actor domain.Actor, f VisaFilter) (VisaQueue, error) {
	q := VisaQueue{Counts: map[domain.VisaState]int{}}
	if !domain.CanDecideVisa(actor) {
		return q, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	where, args := visaWhere(f, true)
	var err error
	if q.Lines, err = collectVisaLines(db.Pool.Query(ctx, visaLineSelect+where+visaOrder, args...)); err != nil {
		return q, err
	}
	cwhere, cargs := visaWhere(f, false)
	rows, err := db.Pool.Query(ctx, `SELECT v.state, count(*) FROM visa_requests v`+cwhere+` GROUP BY v.state`, cargs...)
	if err != nil {
		return q, fmt.Errorf("postgres: count visas: %w", err)
	}
	var st string
	var n int
	if _, err = pgx.ForEachRow(rows, []any{&st, &n}, func() error { q.Counts[domain.VisaState(st)] = n; return nil }); err != nil {
		return q, fmt.Errorf("postgres: count visas: %w", err)
	}
	rows, err = db.Pool.Query(ctx, `SELECT DISTINCT ON (lower(nationality)) nationality FROM visa_requests
		WHERE meeting_id = $1 AND nationality <> '' ORDER BY lower(nationality)`, f.MeetingID)
	if err != nil {
		return q, fmt.Errorf("postgres: visa nationalities: %w", err)
	}
	if q.Nationalities, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return q, fmt.Errorf("postgres: visa nationalities: %w", err)
	}
	return q, nil
}

// EachVisa streams a meeting's requests matching f to fn, in queue order, for the CSV export.
func (db *DB) EachVisa(ctx context.Context, actor domain.Actor, f VisaFilter, fn func(VisaLine) error) error {
	if !domain.CanDecideVisa(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	where, args := visaWhere(f, true)
	return eachRow(ctx, db, "export visas", visaLineSelect+where+visaOrder, args, fn)
}
