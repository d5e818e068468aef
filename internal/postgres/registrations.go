package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

const registrationColumns = `r.id, r.meeting_id, r.account_id, r.organisation_id, r.mode, r.function_title, r.interpretation,
	r.fellowship, r.accessibility, r.list_consent, r.state, r.late, r.registered_by, r.decided_by, r.decided_at, r.cancelled_by, r.reason,
	r.created_at, r.updated_at`

// The read models of the registrations are the domain's (domain/registration_list.go).
type (
	RegistrationLine = domain.RegistrationLine
	Breakdown        = domain.Breakdown
	Statistics       = domain.Statistics
)

const registrationLineSelect = `SELECT ` + registrationColumns + `, a.given_name, a.family_name, a.email, a.gender,
		o.name AS org_name, o.names AS org_names, o.kind AS org_kind, o.country, m.slug AS meeting_slug, m.title AS meeting_title,
		m.first_day AS meeting_first_day, m.last_day AS meeting_last_day, m.time_zone AS meeting_time_zone,
		d.display_name AS decider_name,
		CASE WHEN r.cancelled_by <> r.account_id THEN c.display_name END AS canceller_name,
		a.display_name, a.email_verified_at IS NOT NULL AS email_verified
	FROM registrations r
	JOIN accounts a ON a.id = r.account_id
	JOIN organisations o ON o.id = r.organisation_id
	JOIN meetings m ON m.id = r.meeting_id
	LEFT JOIN accounts d ON d.id = r.decided_by
	LEFT JOIN accounts c ON c.id = r.cancelled_by`

// Registration returns one registration with its names, if actor may see it.
func (db *DB) Registration(ctx context.Context, actor domain.Actor, id int64) (RegistrationLine, error) {
	rows, _ := db.Pool.Query(ctx, registrationLineSelect+` WHERE r.id = $1`, id)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[RegistrationLine])
	if err != nil {
		return l, notFound(err, "error.registration_not_found")
	}
	if !domain.CanView(actor, l.Registration) {
		return l, domain.Errorf(domain.NotFound, "error.registration_not_found")
	}
	return l, nil
}

// LiveRegistration returns an account's live registration for a meeting, if any.
func (db *DB) LiveRegistration(ctx context.Context, meetingID, accountID int64) (*RegistrationLine, error) {
	rows, _ := db.Pool.Query(ctx, registrationLineSelect+` WHERE r.meeting_id = $1 AND r.account_id = $2 AND r.state IN ('pending','approved')`, meetingID, accountID)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[RegistrationLine])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: live registration: %w", err)
	}
	return &l, nil
}

// RegistrationsOf returns every registration of an account, newest meeting first.
func (db *DB) RegistrationsOf(ctx context.Context, accountID int64) ([]RegistrationLine, error) {
	rows, err := db.Pool.Query(ctx, registrationLineSelect+` WHERE r.account_id = $1 ORDER BY m.first_day DESC, r.created_at DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: my registrations: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[RegistrationLine])
}

// RegistrationFilter selects registrations for the lists (domain.RegistrationFilter).
type RegistrationFilter = domain.RegistrationFilter

// The orders of a list, by RegistrationFilter.Sort; the columns are the list query's.
var registrationOrders = map[string]string{
	"":      ` ORDER BY (r.state = 'pending') DESC, m.first_day DESC, a.family_name, a.given_name, r.id`,
	"name":  ` ORDER BY a.family_name, a.given_name, m.first_day DESC, r.id`,
	"date":  ` ORDER BY r.created_at DESC, r.id DESC`,
	"state": ` ORDER BY array_position(ARRAY['pending','approved','rejected','cancelled'], r.state), a.family_name, a.given_name, r.id`,
}

// scoped narrows f to the organisations whose registrations actor may list (the domain's
// RegistrationScope): a focal point never sees another organisation's, whatever the filter asks.
func scoped(actor domain.Actor, f RegistrationFilter) (RegistrationFilter, error) {
	orgs, all, ok := domain.RegistrationScope(actor)
	if !ok {
		return f, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if all {
		return f, nil
	}
	allowed := make(map[int64]bool, len(orgs))
	for _, o := range orgs {
		allowed[o] = true
	}
	asked := f.OrganisationIDs
	if asked == nil {
		asked = orgs
	}
	// Never nil: an empty list selects nothing, not everything.
	f.OrganisationIDs = []int64{}
	for _, o := range asked {
		if allowed[o] {
			f.OrganisationIDs = append(f.OrganisationIDs, o)
		}
	}
	return f, nil
}

// registrationWhere is the WHERE clause of f and its arguments; withState false ignores f.State (for
// the counts per state).
func registrationWhere(f RegistrationFilter, withState bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.OrganisationIDs != nil {
		add("r.organisation_id = ANY(?)", f.OrganisationIDs)
	}
	if f.MeetingID != 0 {
		add("r.meeting_id = ?", f.MeetingID)
	}
	if f.OrganisationID != 0 {
		add("r.organisation_id = ?", f.OrganisationID)
	}
	if withState && f.State != "" {
		add("r.state = ?", string(f.State))
	}
	if f.Mode != "" {
		add("r.mode = ?", string(f.Mode))
	}
	if !f.UpdatedBefore.IsZero() {
		add("r.updated_at <= ?", f.UpdatedBefore)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// one argument, used three times
		add("(a.email ILIKE ? OR (a.given_name || ' ' || a.family_name) ILIKE ? OR (a.family_name || ' ' || a.given_name) ILIKE ?)", "%"+escapeLike(q)+"%")
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// RegistrationPage is one page of a list and the counts of the whole selection.
type RegistrationPage = domain.RegistrationPage

// ListRegistrations returns one page of registrations, pending first, and the counts per state,
// in two queries whatever the number of registrations.
func (db *DB) ListRegistrations(ctx context.Context, actor domain.Actor, f RegistrationFilter) (RegistrationPage, error) {
	page := RegistrationPage{Counts: map[domain.State]int{}}
	f, err := scoped(actor, f)
	if err != nil {
		return page, err
	}
	where, args := registrationWhere(f, true)
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	// The page's rows are chosen on the narrow sort columns first; only those rows are then read
	// whole with their names.
	order, ok := registrationOrders[f.Sort]
	if !ok {
		order = registrationOrders[""]
	}
	q := `WITH page AS (SELECT r.id FROM registrations r JOIN accounts a ON a.id = r.account_id JOIN meetings m ON m.id = r.meeting_id` +
		where + order + fmt.Sprintf(` LIMIT %d OFFSET %d)`, limit, max(f.Offset, 0)) + ` ` +
		strings.Replace(registrationLineSelect, "FROM registrations r", "FROM page JOIN registrations r ON r.id = page.id", 1) + order
	// The counts need the accounts only to search their names.
	cwhere, cargs := registrationWhere(f, false)
	from := ` FROM registrations r`
	if strings.TrimSpace(f.Query) != "" {
		from += ` JOIN accounts a ON a.id = r.account_id`
	}
	b := &pgx.Batch{}
	b.Queue(q, args...).Query(func(rows pgx.Rows) (err error) {
		page.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[RegistrationLine])
		return err
	})
	b.Queue(`SELECT r.state, count(*)`+from+cwhere+` GROUP BY r.state`, cargs...).Query(func(rows pgx.Rows) error {
		var st string
		var n int
		_, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error {
			page.Counts[domain.State(st)] = n
			if f.State == "" || f.State == domain.State(st) {
				page.Total += n
			}
			return nil
		})
		return err
	})
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return page, fmt.Errorf("postgres: list registrations: %w", err)
	}
	return page, nil
}

// EachRegistration streams every registration matching f (ignoring Limit and Offset) to fn, in
// list order, without holding them all in memory: for exports.
func (db *DB) EachRegistration(ctx context.Context, actor domain.Actor, f RegistrationFilter, fn func(RegistrationLine) error) error {
	f, err := scoped(actor, f)
	if err != nil {
		return err
	}
	where, args := registrationWhere(f, true)
	return eachRow(ctx, db, "export registrations",
		registrationLineSelect+where+` ORDER BY m.first_day DESC, o.name, a.family_name, a.given_name, r.id`, args, fn)
}

// RegistrationStatistics counts the live (pending or approved) registrations matching f by mode,
// gender, organisation kind and country, in one query.
func (db *DB) RegistrationStatistics(ctx context.Context, actor domain.Actor, f RegistrationFilter) (Statistics, error) {
	f, err := scoped(actor, f)
	if err != nil {
		return Statistics{}, err
	}
	f.State = ""
	where, args := registrationWhere(f, false)
	live := " r.state IN ('pending','approved')"
	if where == "" {
		where = " WHERE" + live
	} else {
		where += " AND" + live
	}
	rows, err := db.Pool.Query(ctx, `SELECT r.mode, a.gender, o.kind, o.country, count(*)
		FROM registrations r JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.organisation_id`+where+`
		GROUP BY r.mode, a.gender, o.kind, o.country`, args...)
	if err != nil {
		return Statistics{}, fmt.Errorf("postgres: statistics: %w", err)
	}
	mode, gender, kind, country := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	st := Statistics{ByModeGender: map[string]map[string]int{}}
	var m, g, k, c string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&m, &g, &k, &c, &n}, func() error {
		mode[m] += n
		gender[g] += n
		kind[k] += n
		country[c] += n
		if st.ByModeGender[m] == nil {
			st.ByModeGender[m] = map[string]int{}
		}
		st.ByModeGender[m][g] += n
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("postgres: statistics: %w", err)
	}
	st.ByMode, st.ByGender, st.ByOrgKind, st.ByCountry = sorted(mode), sorted(gender), sorted(kind), sorted(country)
	return st, nil
}

func sorted(m map[string]int) []Breakdown {
	out := make([]Breakdown, 0, len(m))
	for k, v := range m {
		out = append(out, Breakdown{Key: k, Count: v})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].Count > out[j-1].Count || (out[j].Count == out[j-1].Count && out[j].Key < out[j-1].Key)); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// SetAutoApproval stores whether an organisation's registrations are approved as they arrive
// and returns its name.
func (t *Tx) SetAutoApproval(ctx context.Context, org int64, on bool) (string, error) {
	var name string
	err := t.QueryRow(ctx, `UPDATE organisations SET auto_approval = $2, updated_at = now() WHERE id = $1 RETURNING name`, org, on).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.Errorf(domain.NotFound, "error.organisation_not_found")
	}
	if err != nil {
		return "", fmt.Errorf("postgres: auto approval: %w", err)
	}
	return name, nil
}

var _ service.FocalTx = (*Tx)(nil)

// Colleagues lists the accounts affiliated to an organisation, for registering one of them.
func (db *DB) Colleagues(ctx context.Context, org int64) ([]domain.AccountRef, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, email, given_name, family_name FROM accounts WHERE organisation_id = $1 ORDER BY family_name, given_name, id`, org)
	if err != nil {
		return nil, fmt.Errorf("postgres: colleagues: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[domain.AccountRef])
}

var (
	_ service.FocalReads          = (*DB)(nil)
	_ service.RegistrationReads   = (*DB)(nil)
	_ service.MeetingReads        = (*DB)(nil)
	_ service.MyRegistrationReads = (*DB)(nil)
)
