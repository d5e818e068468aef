package service

import (
	"context"

	"plenary/internal/domain"
)

// StudyGroupStore is what the study group use cases need of the store: a study group read with
// its working parties and Questions, and its changes, each written with its audit event in one
// transaction of the store (its SQL, the meetings' pages marked changed, the audit).
type StudyGroupStore interface {
	StudyGroup(ctx context.Context, id int64) (*domain.StudyGroupDetail, error)
	UpdateStudyGroup(ctx context.Context, a Audit, actor domain.Actor, g domain.StudyGroup) error
	SaveWorkingParties(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.WorkingParty]) error
	SaveQuestions(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.Question]) error
}

// StudyGroups are the secretariat's use cases of a study group: its own fields, its working
// parties and its Questions.
type StudyGroups struct{ store StudyGroupStore }

// NewStudyGroups builds the study group use cases.
func NewStudyGroups(store StudyGroupStore) *StudyGroups { return &StudyGroups{store: store} }

// Detail is a study group with its working parties and Questions; NotFound when there is none.
func (s *StudyGroups) Detail(ctx context.Context, id int64) (*domain.StudyGroupDetail, error) {
	return s.store.StudyGroup(ctx, id)
}

// mayManage refuses an actor who may not manage study groups (domain.CanManageStudyGroups).
func mayManage(actor domain.Actor) error {
	if !domain.CanManageStudyGroups(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return nil
}

// Update changes a study group's own fields (audited study_group.update).
func (s *StudyGroups) Update(ctx context.Context, a Audit, actor domain.Actor, g domain.StudyGroup) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	return s.store.UpdateStudyGroup(ctx, a, actor, g)
}

// SaveWorkingParties adds, changes and removes a study group's working parties; one that
// meetings still use is not removed (Invalid).
func (s *StudyGroups) SaveWorkingParties(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.WorkingParty]) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	return s.store.SaveWorkingParties(ctx, a, actor, sg, rows)
}

// SaveQuestions adds, changes and removes a study group's Questions.
func (s *StudyGroups) SaveQuestions(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.Question]) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	return s.store.SaveQuestions(ctx, a, actor, sg, rows)
}
