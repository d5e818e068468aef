package service

import (
	"context"

	"plenary/internal/domain"
)

// OrganisationTx is what the secretariat's changes to an organisation do inside their
// transaction.
type OrganisationTx interface {
	// InsertOrganisation stores a new organisation with its study groups and returns its id; a
	// name another organisation has is refused beside the name field.
	InsertOrganisation(ctx context.Context, f domain.OrganisationFields) (int64, error)
	// LockOrganisation reads an organisation (without its focal points), its row locked; a
	// missing one is NotFound.
	LockOrganisation(ctx context.Context, id int64) (domain.Organisation, error)
	// SaveOrganisation stores an organisation's fields and replaces its study groups; a name
	// another organisation has is refused beside the name field.
	SaveOrganisation(ctx context.Context, id int64, f domain.OrganisationFields) error
	// SaveOrganisationNames stores the translations of an organisation's name.
	SaveOrganisationNames(ctx context.Context, id int64, names domain.Text) error
	// AccountByAddress finds the account with an email (any case): its id and organisation;
	// found false when there is none.
	AccountByAddress(ctx context.Context, email string) (id int64, org *int64, found bool, err error)
	// AddFocalPoint names an account a focal point of org; false when it is one already.
	AddFocalPoint(ctx context.Context, org, account int64) (bool, error)
	// AffiliateAccount affiliates an account to org when it is affiliated to none.
	AffiliateAccount(ctx context.Context, account, org int64) error
	// RemoveFocalPoint withdraws an account's focal-point role for org; false when it had none.
	RemoveFocalPoint(ctx context.Context, org, account int64) (bool, error)
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// OrganisationReads are what the secretariat's pages of organisations read.
type OrganisationReads interface {
	// Organisations lists every organisation by name, with its focal points.
	Organisations(ctx context.Context) ([]domain.Organisation, error)
	// Organisation returns one organisation with its focal points; a missing one is NotFound.
	Organisation(ctx context.Context, id int64) (domain.Organisation, error)
}

// Organisations are the secretariat's use cases on the organisations: their fields, their names
// in other languages and their focal points. Who may is domain.CanManageOrganisations; every
// change is audited in its own transaction.
type Organisations struct {
	tx    RunTx[OrganisationTx]
	reads OrganisationReads
}

// NewOrganisations builds the organisations' use cases.
func NewOrganisations(tx RunTx[OrganisationTx], reads OrganisationReads) *Organisations {
	return &Organisations{tx: tx, reads: reads}
}

func mayManageOrganisations(actor domain.Actor) error {
	if !domain.CanManageOrganisations(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return nil
}

// List lists every organisation by name, with its focal points, for the secretariat (else
// Forbidden).
func (s *Organisations) List(ctx context.Context, actor domain.Actor) ([]domain.Organisation, error) {
	if err := mayManageOrganisations(actor); err != nil {
		return nil, err
	}
	return s.reads.Organisations(ctx)
}

// Get returns organisation id with its focal points, for the secretariat (else Forbidden);
// NotFound when missing.
func (s *Organisations) Get(ctx context.Context, actor domain.Actor, id int64) (domain.Organisation, error) {
	if err := mayManageOrganisations(actor); err != nil {
		return domain.Organisation{}, err
	}
	return s.reads.Organisation(ctx, id)
}

// Create stores a new organisation (audited organisation.create) and returns its id.
func (s *Organisations) Create(ctx context.Context, a Audit, actor domain.Actor, f domain.OrganisationFields) (int64, error) {
	if err := mayManageOrganisations(actor); err != nil {
		return 0, err
	}
	var id int64
	err := s.tx(ctx, func(tx OrganisationTx) error {
		var err error
		if id, err = tx.InsertOrganisation(ctx, f); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "organisation.create", "organisation", []int64{id}, []map[string]any{{"name": f.Name}})
	})
	return id, err
}

// Update changes organisation id's fields and study groups (audited organisation.update).
func (s *Organisations) Update(ctx context.Context, a Audit, actor domain.Actor, id int64, f domain.OrganisationFields) error {
	if err := mayManageOrganisations(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx OrganisationTx) error {
		if _, err := tx.LockOrganisation(ctx, id); err != nil {
			return err
		}
		if err := tx.SaveOrganisation(ctx, id, f); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "organisation.update", "organisation", []int64{id},
			[]map[string]any{{"name": f.Name, "auto_approval": f.AutoApproval}})
	})
}

// SaveName sets organisation id's name in lang, a language other than English (removed when
// name is empty), audited organisation.name; a name unchanged writes nothing.
func (s *Organisations) SaveName(ctx context.Context, a Audit, actor domain.Actor, id int64, lang, name string) error {
	if err := mayManageOrganisations(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx OrganisationTx) error {
		o, err := tx.LockOrganisation(ctx, id)
		if err != nil {
			return err
		}
		if o.Names[lang] == name {
			return nil
		}
		if err := tx.SaveOrganisationNames(ctx, id, o.Names.With(lang, name)); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "organisation.name", "organisation", []int64{id}, []map[string]any{{"lang": lang, "name": name}})
	})
}

// AddFocalPoint names the account with email a focal point of organisation org, when the
// domain allows (domain.FocalPointNaming); the account is affiliated to org when it was
// affiliated to none. Audited organisation.focal_point_add.
func (s *Organisations) AddFocalPoint(ctx context.Context, a Audit, actor domain.Actor, org int64, email string) error {
	if err := mayManageOrganisations(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx OrganisationTx) error {
		if _, err := tx.LockOrganisation(ctx, org); err != nil {
			return err
		}
		acc, accOrg, found, err := tx.AccountByAddress(ctx, email)
		if err != nil {
			return err
		}
		if err := domain.FocalPointNaming(found, accOrg, org); err != nil {
			return err
		}
		added, err := tx.AddFocalPoint(ctx, org, acc)
		if err != nil {
			return err
		}
		if !added {
			return domain.FieldErrors(map[string]string{"email": "error.already_focal_point"})
		}
		if err := tx.AffiliateAccount(ctx, acc, org); err != nil {
			return err
		}
		return tx.Audit(ctx, a, "organisation.focal_point_add", "organisation", []int64{org}, []map[string]any{{"account_id": acc}})
	})
}

// RemoveFocalPoint withdraws account's focal-point role for organisation org (NotFound when it
// had none), audited organisation.focal_point_remove.
func (s *Organisations) RemoveFocalPoint(ctx context.Context, a Audit, actor domain.Actor, org, account int64) error {
	if err := mayManageOrganisations(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx OrganisationTx) error {
		removed, err := tx.RemoveFocalPoint(ctx, org, account)
		if err != nil {
			return err
		}
		if !removed {
			return domain.Errorf(domain.NotFound, "error.not_focal_point")
		}
		return tx.Audit(ctx, a, "organisation.focal_point_remove", "organisation", []int64{org}, []map[string]any{{"account_id": account}})
	})
}
