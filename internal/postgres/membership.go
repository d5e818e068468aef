package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// confirmedSQL is true when account acc's affiliation to its organisation o counts as confirmed:
// the organisation approves automatically, the account is one of its focal points, or a focal
// point (or the secretariat) confirmed it while it belonged to this organisation.
const confirmedSQL = `(o.auto_approval
	OR EXISTS (SELECT 1 FROM focal_points f WHERE f.organisation_id = o.id AND f.account_id = acc.id)
	OR EXISTS (SELECT 1 FROM affiliations af WHERE af.account_id = acc.id AND af.organisation_id = o.id))`

// Membership returns an account's organisation and whether its affiliation is confirmed; an
// account without organisation (or a visitor) has none.
func (db *DB) Membership(ctx context.Context, actor domain.Actor) (domain.Membership, error) {
	if !actor.SignedIn() || actor.OrganisationID == 0 {
		return domain.Membership{}, nil
	}
	var m domain.Membership
	var org domain.Organisation
	err := db.Pool.QueryRow(ctx, `SELECT o.id, o.name, o.kind, o.country, o.auto_approval,
			COALESCE((SELECT array_agg(s.study_group_id ORDER BY s.study_group_id) FROM organisation_study_groups s WHERE s.organisation_id = o.id), '{}'),
			`+confirmedSQL+`
		FROM accounts acc JOIN organisations o ON o.id = acc.organisation_id WHERE acc.id = $1`, actor.ID).
		Scan(&org.ID, &org.Name, &org.Kind, &org.Country, &org.AutoApproval, &org.StudyGroupIDs, &m.Confirmed)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Membership{}, nil
	}
	if err != nil {
		return m, fmt.Errorf("postgres: membership: %w", err)
	}
	m.Organisation = &org
	return m, nil
}

// The read models of the members are the domain's (domain/member_list.go).
type (
	MemberLine = domain.MemberLine
)

// Members lists the accounts of the given organisations, those awaiting confirmation first.
func (db *DB) Members(ctx context.Context, orgs []int64) ([]MemberLine, error) {
	rows, err := db.Pool.Query(ctx, `SELECT acc.id, acc.email, acc.given_name, acc.family_name, o.id AS organisation_id,
			o.name AS org_name, o.names AS org_names, o.kind AS org_kind, o.country AS org_country, o.auto_approval,
			EXISTS (SELECT 1 FROM focal_points f WHERE f.organisation_id = o.id AND f.account_id = acc.id) AS focal_point,
			af.confirmed_at, c.display_name AS confirmed_by, acc.created_at
		FROM accounts acc
		JOIN organisations o ON o.id = acc.organisation_id
		LEFT JOIN affiliations af ON af.account_id = acc.id AND af.organisation_id = o.id
		LEFT JOIN accounts c ON c.id = af.confirmed_by
		WHERE acc.organisation_id = ANY($1)
		ORDER BY (NOT `+confirmedSQL+`) DESC, lower(o.name), acc.family_name, acc.given_name, acc.id`, orgs)
	if err != nil {
		return nil, fmt.Errorf("postgres: members: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[MemberLine])
}

var (
	_ service.MemberTx    = (*Tx)(nil)
	_ service.MemberReads = (*DB)(nil)
)

// LockAccount reads an account FOR SHARE: its organisation cannot change until the transaction
// ends.
func (t *Tx) LockAccount(ctx context.Context, id int64) (domain.Account, error) {
	rows, _ := t.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 FOR SHARE`, id)
	acc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Account])
	if errors.Is(err, pgx.ErrNoRows) {
		return acc, domain.Errorf(domain.NotFound, "error.account_not_found")
	}
	if err != nil {
		return acc, fmt.Errorf("postgres: lock account: %w", err)
	}
	return acc, nil
}

// ConfirmAffiliation records that the account belongs to org; false when already confirmed.
func (t *Tx) ConfirmAffiliation(ctx context.Context, accountID, org, by int64, now time.Time) (bool, error) {
	tag, err := t.Exec(ctx, `INSERT INTO affiliations (account_id, organisation_id, confirmed_by, confirmed_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, accountID, org, by, now)
	if err != nil {
		return false, fmt.Errorf("postgres: confirm member: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// WithdrawAffiliation removes the confirmation that the account belongs to org; false when none.
func (t *Tx) WithdrawAffiliation(ctx context.Context, accountID, org int64) (bool, error) {
	tag, err := t.Exec(ctx, `DELETE FROM affiliations WHERE account_id = $1 AND organisation_id = $2`, accountID, org)
	if err != nil {
		return false, fmt.Errorf("postgres: revoke member: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// membershipOnApproved confirms the affiliation of the delegates of newly approved registrations,
// inside the approval's transaction: the focal point (or the secretariat) who approves a
// registration vouches for the delegate. A registration made under an organisation the account
// has since left confirms nothing.
func membershipOnApproved(ctx context.Context, tx pgx.Tx, registrationIDs []int64) error {
	if len(registrationIDs) == 0 {
		return nil
	}
	err := write(ctx, tx, `INSERT INTO affiliations (account_id, organisation_id, confirmed_by, confirmed_at)
		SELECT r.account_id, r.organisation_id, r.decided_by, COALESCE(r.decided_at, now())
		FROM registrations r JOIN accounts acc ON acc.id = r.account_id AND acc.organisation_id = r.organisation_id
		WHERE r.id = ANY($1) AND r.state = 'approved'
		ON CONFLICT DO NOTHING`, registrationIDs)
	if err != nil {
		return fmt.Errorf("postgres: confirm members of approved registrations: %w", err)
	}
	return nil
}
