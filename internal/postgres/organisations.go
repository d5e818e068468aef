package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

const organisationColumns = `o.id, o.name, o.names, o.kind, o.country, o.auto_approval, o.created_at, o.updated_at,
	COALESCE((SELECT array_agg(s.study_group_id ORDER BY s.study_group_id) FROM organisation_study_groups s WHERE s.organisation_id = o.id), '{}') AS study_group_ids`

// Organisations lists every organisation by name, with its focal points.
func (db *DB) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations o ORDER BY lower(o.name)`)
	if err != nil {
		return nil, fmt.Errorf("postgres: organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Organisation])
	if err != nil {
		return nil, fmt.Errorf("postgres: organisations: %w", err)
	}
	byID := make(map[int64]int, len(orgs))
	for i, o := range orgs {
		byID[o.ID] = i
	}
	rows, err = db.Pool.Query(ctx, `SELECT f.organisation_id, a.id, a.email, a.given_name, a.family_name
		FROM focal_points f JOIN accounts a ON a.id = f.account_id ORDER BY a.family_name, a.given_name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	var org int64
	var ref domain.AccountRef
	_, err = pgx.ForEachRow(rows, []any{&org, &ref.ID, &ref.Email, &ref.GivenName, &ref.FamilyName}, func() error {
		if i, ok := byID[org]; ok {
			orgs[i].FocalPoints = append(orgs[i].FocalPoints, ref)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: focal points: %w", err)
	}
	return orgs, nil
}

// Organisation returns one organisation with its focal points.
func (db *DB) Organisation(ctx context.Context, id int64) (domain.Organisation, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations o WHERE o.id = $1`, id)
	org, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Organisation])
	if err != nil {
		return org, notFound(err, "error.organisation_not_found")
	}
	rows, err = db.Pool.Query(ctx, `SELECT a.id, a.email, a.given_name, a.family_name
		FROM focal_points f JOIN accounts a ON a.id = f.account_id WHERE f.organisation_id = $1
		ORDER BY a.family_name, a.given_name`, id)
	if err != nil {
		return org, fmt.Errorf("postgres: focal points: %w", err)
	}
	org.FocalPoints, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.AccountRef])
	return org, err
}

var (
	_ service.OrganisationTx    = (*Tx)(nil)
	_ service.OrganisationReads = (*DB)(nil)
)

// InsertOrganisation stores a new organisation with its study groups.
func (t *Tx) InsertOrganisation(ctx context.Context, f domain.OrganisationFields) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, `INSERT INTO organisations (name, kind, country, auto_approval) VALUES ($1, $2, $3, $4) RETURNING id`,
		f.Name, string(f.Kind), f.Country, f.AutoApproval).Scan(&id)
	if isUniqueViolation(err, "organisations_name_key") {
		return 0, domain.FieldErrors(map[string]string{"name": "error.organisation_name_taken"})
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: create organisation: %w", err)
	}
	return id, setStudyGroups(ctx, t, id, f.StudyGroupIDs)
}

// LockOrganisation reads an organisation, its row locked for a change of its fields (FOR NO KEY
// UPDATE: registrations and focal points that refer to it are not held up).
func (t *Tx) LockOrganisation(ctx context.Context, id int64) (domain.Organisation, error) {
	rows, _ := t.Query(ctx, `SELECT `+organisationColumns+` FROM organisations o WHERE o.id = $1 FOR NO KEY UPDATE OF o`, id)
	org, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Organisation])
	if err != nil {
		return org, notFound(err, "error.organisation_not_found")
	}
	return org, nil
}

// SaveOrganisation stores an organisation's fields and replaces its study groups.
func (t *Tx) SaveOrganisation(ctx context.Context, id int64, f domain.OrganisationFields) error {
	tag, err := t.Exec(ctx, `UPDATE organisations SET name = $2, kind = $3, country = $4, auto_approval = $5, updated_at = now() WHERE id = $1`,
		id, f.Name, string(f.Kind), f.Country, f.AutoApproval)
	if isUniqueViolation(err, "organisations_name_key") {
		return domain.FieldErrors(map[string]string{"name": "error.organisation_name_taken"})
	}
	if err != nil {
		return fmt.Errorf("postgres: update organisation: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.NotFound, "error.organisation_not_found")
	}
	if _, err := t.Exec(ctx, `DELETE FROM organisation_study_groups WHERE organisation_id = $1`, id); err != nil {
		return fmt.Errorf("postgres: update organisation: %w", err)
	}
	return setStudyGroups(ctx, t, id, f.StudyGroupIDs)
}

// SaveOrganisationNames stores the translations of an organisation's name.
func (t *Tx) SaveOrganisationNames(ctx context.Context, id int64, names domain.Text) error {
	if _, err := t.Exec(ctx, `UPDATE organisations SET names = $2, updated_at = now() WHERE id = $1`, id, names); err != nil {
		return fmt.Errorf("postgres: organisation name: %w", err)
	}
	return nil
}

func setStudyGroups(ctx context.Context, tx pgx.Tx, org int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO organisation_study_groups (organisation_id, study_group_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, org, ids)
	if err != nil {
		return fmt.Errorf("postgres: organisation study groups: %w", err)
	}
	return nil
}

// AccountByAddress finds the account with an email, whatever its case.
func (t *Tx) AccountByAddress(ctx context.Context, email string) (int64, *int64, bool, error) {
	var acc int64
	var org *int64
	err := t.QueryRow(ctx, `SELECT id, organisation_id FROM accounts WHERE lower(email) = lower($1)`, email).Scan(&acc, &org)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("postgres: account by email: %w", err)
	}
	return acc, org, true, nil
}

// AddFocalPoint names an account a focal point of org; false when it is one already.
func (t *Tx) AddFocalPoint(ctx context.Context, org, account int64) (bool, error) {
	tag, err := t.Exec(ctx, `INSERT INTO focal_points (organisation_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, org, account)
	if err != nil {
		return false, fmt.Errorf("postgres: add focal point: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// AffiliateAccount affiliates an account to org when it is affiliated to none.
func (t *Tx) AffiliateAccount(ctx context.Context, account, org int64) error {
	if _, err := t.Exec(ctx, `UPDATE accounts SET organisation_id = $2 WHERE id = $1 AND organisation_id IS NULL`, account, org); err != nil {
		return fmt.Errorf("postgres: affiliate account: %w", err)
	}
	return nil
}

// RemoveFocalPoint withdraws an account's focal-point role for org; false when it had none.
func (t *Tx) RemoveFocalPoint(ctx context.Context, org, account int64) (bool, error) {
	tag, err := t.Exec(ctx, `DELETE FROM focal_points WHERE organisation_id = $1 AND account_id = $2`, org, account)
	if err != nil {
		return false, fmt.Errorf("postgres: remove focal point: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// StudyGroups lists the study groups.
func (db *DB) StudyGroups(ctx context.Context) ([]domain.StudyGroup, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, code, title, study_period, chair, phone, fax, email, web FROM study_groups ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("postgres: study groups: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[domain.StudyGroup])
}
