package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
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

// OrganisationInput holds an organisation's editable fields.
type OrganisationInput struct {
	Name          string
	Kind          domain.OrgKind
	Country       string
	AutoApproval  bool
	StudyGroupIDs []int64
}

// CreateOrganisation stores a new organisation.
func (db *DB) CreateOrganisation(ctx context.Context, a Audit, actor domain.Actor, in OrganisationInput) (int64, error) {
	if !domain.CanManageOrganisations(actor) {
		return 0, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO organisations (name, kind, country, auto_approval) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.Name, string(in.Kind), in.Country, in.AutoApproval).Scan(&id)
		if isUniqueViolation(err, "organisations_name_key") {
			return domain.FieldErrors(map[string]string{"name": "error.organisation_name_taken"})
		}
		if err != nil {
			return fmt.Errorf("postgres: create organisation: %w", err)
		}
		if err := setStudyGroups(ctx, tx, id, in.StudyGroupIDs); err != nil {
			return err
		}
		return audit(ctx, tx, a, "organisation.create", "organisation", id, map[string]any{"name": in.Name})
	})
	return id, err
}

// SaveOrganisationName sets the organisation's name in lang, a language other than English
// (removed when name is empty), audited in the same transaction.
func (db *DB) SaveOrganisationName(ctx context.Context, a Audit, actor domain.Actor, id int64, lang, name string) error {
	if !domain.CanManageOrganisations(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var names domain.Text
		if err := tx.QueryRow(ctx, `SELECT names FROM organisations WHERE id = $1 FOR UPDATE`, id).Scan(&names); err != nil {
			return notFound(err, "error.organisation_not_found")
		}
		if names[lang] == name {
			return nil
		}
		names = names.With(lang, name)
		if _, err := tx.Exec(ctx, `UPDATE organisations SET names = $2, updated_at = now() WHERE id = $1`, id, names); err != nil {
			return fmt.Errorf("postgres: organisation name: %w", err)
		}
		return audit(ctx, tx, a, "organisation.name", "organisation", id, map[string]any{"lang": lang, "name": name})
	})
}

// UpdateOrganisation changes an organisation's fields.
func (db *DB) UpdateOrganisation(ctx context.Context, a Audit, actor domain.Actor, id int64, in OrganisationInput) error {
	if !domain.CanManageOrganisations(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE organisations SET name = $2, kind = $3, country = $4, auto_approval = $5, updated_at = now() WHERE id = $1`,
			id, in.Name, string(in.Kind), in.Country, in.AutoApproval)
		if isUniqueViolation(err, "organisations_name_key") {
			return domain.FieldErrors(map[string]string{"name": "error.organisation_name_taken"})
		}
		if err != nil {
			return fmt.Errorf("postgres: update organisation: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.NotFound, "error.organisation_not_found")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM organisation_study_groups WHERE organisation_id = $1`, id); err != nil {
			return fmt.Errorf("postgres: update organisation: %w", err)
		}
		if err := setStudyGroups(ctx, tx, id, in.StudyGroupIDs); err != nil {
			return err
		}
		return audit(ctx, tx, a, "organisation.update", "organisation", id, map[string]any{"name": in.Name, "auto_approval": in.AutoApproval})
	})
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

// AddFocalPoint names the account with email a focal point of the organisation. The account is
// affiliated to the organisation if it was not yet affiliated to any.
func (db *DB) AddFocalPoint(ctx context.Context, a Audit, actor domain.Actor, org int64, email string) error {
	if !domain.CanManageOrganisations(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var acc int64
		var accOrg *int64
		err := tx.QueryRow(ctx, `SELECT id, organisation_id FROM accounts WHERE lower(email) = lower($1)`, email).Scan(&acc, &accOrg)
		if err != nil {
			if e := notFound(err, ""); domain.ErrorCode(e) == domain.NotFound {
				return domain.FieldErrors(map[string]string{"email": "error.no_account_with_email"})
			}
			return fmt.Errorf("postgres: add focal point: %w", err)
		}
		if accOrg != nil && *accOrg != org {
			return domain.FieldErrors(map[string]string{"email": "error.focal_point_other_organisation"})
		}
		tag, err := tx.Exec(ctx, `INSERT INTO focal_points (organisation_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, org, acc)
		if err != nil {
			return fmt.Errorf("postgres: add focal point: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.FieldErrors(map[string]string{"email": "error.already_focal_point"})
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET organisation_id = $2 WHERE id = $1 AND organisation_id IS NULL`, acc, org); err != nil {
			return fmt.Errorf("postgres: add focal point: %w", err)
		}
		return audit(ctx, tx, a, "organisation.focal_point_add", "organisation", org, map[string]any{"account_id": acc})
	})
}

// RemoveFocalPoint withdraws an account's focal-point role for the organisation.
func (db *DB) RemoveFocalPoint(ctx context.Context, a Audit, actor domain.Actor, org, account int64) error {
	if !domain.CanManageOrganisations(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM focal_points WHERE organisation_id = $1 AND account_id = $2`, org, account)
		if err != nil {
			return fmt.Errorf("postgres: remove focal point: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.NotFound, "error.not_focal_point")
		}
		return audit(ctx, tx, a, "organisation.focal_point_remove", "organisation", org, map[string]any{"account_id": account})
	})
}

// StudyGroups lists the study groups.
func (db *DB) StudyGroups(ctx context.Context) ([]domain.StudyGroup, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, code, title, study_period, chair, phone, fax, email, web FROM study_groups ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("postgres: study groups: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[domain.StudyGroup])
}
