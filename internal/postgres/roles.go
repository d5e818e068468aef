package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

var _ service.RoleTx = (*Tx)(nil)

// AccountIDByEmail is the id of the account with email, ignoring letter case.
func (t *Tx) AccountIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, `SELECT id FROM accounts WHERE lower(email) = lower($1)`, email).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, domain.Errorf(domain.NotFound, "error.account_not_found")
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: account by email: %w", err)
	}
	return id, nil
}

// grantArgs are a grant's columns; 0 (everywhere) is NULL.
func grantArgs(g domain.Grant) (role string, org, meeting *int64) {
	if g.Organisation != 0 {
		org = &g.Organisation
	}
	if g.Meeting != 0 {
		meeting = &g.Meeting
	}
	return string(g.Role), org, meeting
}

// GrantRole gives the account the role g; false when it held it already. A meeting or an
// organisation that does not exist is NotFound. The secretariat and focal points keep their own
// storage (accounts.secretariat, focal_points: migration 00010), so they are not granted here.
func (t *Tx) GrantRole(ctx context.Context, accountID int64, g domain.Grant, by int64) (bool, error) {
	if g.Role == domain.RoleSecretariat || g.Role == domain.RoleFocalPoint {
		return false, fmt.Errorf("postgres: grant role: %s is not held in account_roles", g.Role)
	}
	role, org, meeting := grantArgs(g)
	tag, err := t.Exec(ctx, `INSERT INTO account_roles (account_id, role, organisation_id, meeting_id, granted_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, accountID, role, org, meeting, by)
	if isForeignKeyViolation(err, "") {
		if g.Meeting != 0 {
			return false, domain.Errorf(domain.NotFound, "error.meeting_not_found")
		}
		return false, domain.Errorf(domain.NotFound, "error.organisation_not_found")
	}
	if err != nil {
		return false, fmt.Errorf("postgres: grant role: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// RevokeRole takes the role g from the account; false when it did not hold it.
func (t *Tx) RevokeRole(ctx context.Context, accountID int64, g domain.Grant) (bool, error) {
	role, org, meeting := grantArgs(g)
	tag, err := t.Exec(ctx, `DELETE FROM account_roles WHERE account_id = $1 AND role = $2
		AND organisation_id IS NOT DISTINCT FROM $3 AND meeting_id IS NOT DISTINCT FROM $4`, accountID, role, org, meeting)
	if err != nil {
		return false, fmt.Errorf("postgres: revoke role: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// DeskStaffOf lists a meeting's desk staff, by name.
func (db *DB) DeskStaffOf(ctx context.Context, meetingID int64) ([]domain.DeskStaffMember, error) {
	rows, err := db.Pool.Query(ctx, `SELECT a.id, a.given_name || ' ' || a.family_name, a.email, g.granted_at
		FROM account_roles g JOIN accounts a ON a.id = g.account_id
		WHERE g.role = $1 AND g.meeting_id = $2 ORDER BY a.family_name, a.given_name`, string(domain.RoleDeskStaff), meetingID)
	if err != nil {
		return nil, fmt.Errorf("postgres: desk staff: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.DeskStaffMember, error) {
		var m domain.DeskStaffMember
		err := row.Scan(&m.AccountID, &m.Name, &m.Email, &m.GrantedAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: desk staff: %w", err)
	}
	return out, nil
}

var _ service.DeskStaffReads = (*DB)(nil)
